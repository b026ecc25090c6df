// `explain --output=plaintext-openapiv2`: kubectl 1.32's first explain printer over /openapi/v2.
// The real kubectl reads the document `kubesim serve` serves; kubesim's own CLI prints from
// the same document and must print what kubectl prints, byte for byte, errors included.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { wrapString } from '../../src/explain/plaintext-v2';

const c = new ServedCluster('v2x');

// A CRD with what the v2 conversion rewrites: int-or-string (anyOf), nullable, preserve-unknown-fields, a map, arrays.
const CRONTAB_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  names: {kind: CronTab, plural: crontabs, singular: crontab, shortNames: [ct]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: "A CronTab runs a command on a schedule.\\n\\nIt is an example resource:\\n- one\\n- two"
        properties:
          spec:
            type: object
            description: The desired schedule.
            required: [cronSpec, note]
            properties:
              cronSpec: {type: string, description: "The schedule, in cron format."}
              replicas: {type: integer, format: int32, minimum: 1}
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              tags: {type: array, items: {type: string}}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
              labels: {type: object, additionalProperties: {type: string}}
              note: {type: string, nullable: true}
              containers: {type: array, items: {type: object, properties: {name: {type: string}}}}
          status: {type: object, properties: {ok: {type: boolean}}}
`;

before(async () => {
  await c.setUp({ kubectl: true, manifest: CRONTAB_CRD });
});

after(() => c.stop());

/** kubectl and kubesim's CLI: the same stdout, stderr and exit code. */
async function same(args: string[]): Promise<string> {
  const full = ['explain', ...args, '--output=plaintext-openapiv2'];
  const [k, s] = await c.bothClients(full);
  assert.deepEqual({ code: s.code, stdout: s.stdout, stderr: s.stderr }, { code: k.code, stdout: k.stdout, stderr: k.stderr }, full.join(' '));
  return k.stdout;
}

test('built-in kinds and fields print as kubectl 1.32 prints them from /openapi/v2', async () => {
  const pods = await same(['pods']);
  assert.match(pods, /^KIND: {5}Pod\nVERSION: {2}v1\n\nDESCRIPTION:\n {5}Pod is a collection of containers/);
  assert.match(pods, /\nFIELDS:\n {3}apiVersion\t<string>\n/);
  assert.match(await same(['pods.spec.containers']), /\nRESOURCE: containers <\[\]Object>\n\nDESCRIPTION:\n {5}List of containers belonging to the pod\./);
  assert.match(await same(['deployments.spec']), /\n {3}selector\t<Object> -required-\n/);
  // IntOrString is v2's string of format int-or-string; a map of strings; a primitive ends the path wherever it is.
  assert.match(await same(['deployments.spec.strategy.rollingUpdate.maxSurge']), /\nFIELD: {4}maxSurge <string>\n/);
  assert.match(await same(['nodes.status.capacity']), /\nFIELD: {4}capacity <map\[string\]string>\n/);
  assert.match(await same(['pods.spec.hostname.foo']), /\nFIELD: {4}foo <string>\n/);
  const recursive = await same(['deployments.spec', '--recursive']);
  assert.match(recursive, /\n {3}template\t<Object>\n {6}metadata\t<Object>\n/);
  await same(['svc.spec.ports.targetPort']);
  await same(['crd.spec', '--recursive']);
});

test('a custom resource prints from its CRD as the v2 builder publishes it', async () => {
  const root = await same(['crontabs']);
  // The first paragraph's blank line is lost by pkg/explain's wrapping, as kubectl loses it.
  assert.match(root, /^KIND: {5}CronTab\nVERSION: {2}stable\.example\.com\/v1\n\nDESCRIPTION:\n {5}A CronTab runs a command on a schedule\.\n {5}It is an example resource:\n {5}- one\n {5}- two\n/);
  const spec = await same(['crontabs.spec']);
  for (const line of ['cronSpec\t<string> -required-', 'extra\t<map[string]>', 'labels\t<map[string]string>', 'note\t<>', 'port\t<>', 'tags\t<[]string>', 'containers\t<[]Object>']) {
    assert.ok(spec.includes(`\n   ${line}\n`), `${line} in\n${spec}`);
  }
  assert.ok(!spec.includes('note\t<> -required-'), 'a nullable field is not required in v2');
  await same(['crontabs', '--recursive']);
  await same(['ct.spec.port']);
});

test('a field that does not exist: kubectl\'s error, exit 1', async () => {
  await same(['pods.spec.nope']);
  const r = await c.hosted(['explain', 'pods.spec.nope', '--output=plaintext-openapiv2']);
  assert.deepEqual([r.code, r.stderr], [1, 'error: field "nope" does not exist\n']);
});

test('pkg/explain wrapString: colons, bullets, code lines and the lost first blank line', () => {
  assert.deepEqual(wrapString('one two three four', 9), ['one two', 'three', 'four']);
  assert.deepEqual(wrapString('Values:\na b\n- x\n    code  kept\n\nend', 80), ['Values:', 'a b', '- x', '    code  kept', '', 'end']);
  assert.deepEqual(wrapString('first\n\nsecond', 80), ['first', 'second']);
  assert.deepEqual(wrapString('a\nb\n\nc', 80), ['a b', 'c'], 'the first paragraph is not out before the blank line');
  assert.deepEqual(wrapString('a. b\n\nc\n\nd', 80), ['a. b', 'c', '', 'd']);
});
