// Bad input (issue: every case gets a clear error naming the file and line, a non-zero exit,
// and leaves the store exactly as it was). Each test starts from its own copy of a fresh
// default cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
let baseline = '';
copyPerTest(
  async (base) => void (baseline = await state(new Hosted(base))),
  (copy) => (sb = new Hosted(copy)),
);

/** Everything stored, as names (creation of the default cluster aside). */
function state(of = sb): Promise<string> {
  return of.ok(['get', 'all,cm,secrets,sa,ns', '-A', '-o', 'name']);
}

/**
 * Applies the file and checks the refusal. `spawned`: in a process of its own (Node prints
 * a given warning once per process, so only a fresh process shows whether it is printed;
 * a bound on wall time is on the process a user waits for).
 */
async function rejects(name: string, content: string | Buffer, pattern: RegExp, spawned = false): Promise<void> {
  const f = sb.file(name, content as string);
  const r = spawned ? sb.sb.run(['apply', '-f', f]) : await sb.run(['apply', '-f', f]);
  assert.notEqual(r.code, 0, `${name} must fail`);
  assert.match(r.stderr, pattern, `${name}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  assert.equal(await state(), baseline, `${name} left the store unchanged`);
}

test('malformed YAML names file and line', async () => await rejects('malformed.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: [a, b\n', /malformed\.yaml.*\d+/));
test('tabs in indentation', async () => await rejects('tabs.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n', /tabs\.yaml:4/));
// Not bad input for kubectl 1.32: `-f` is decoded without strictness (sigs.k8s.io/yaml), so
// the last value wins; `kubesim validate` still points at the duplicate (test/manifest/bad-input.test.ts).
test('duplicate keys: the last value wins, as kubectl decodes -f', async () => {
  const r = await sb.run(['apply', '-f', sb.file('dup.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: z\n')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'configmap/z created\n');
  assert.match(await sb.ok(['get', 'cm', '-o', 'name']), /^configmap\/z$/m);
  assert.doesNotMatch(await sb.ok(['get', 'cm', '-o', 'name']), /^configmap\/x$/m);
});
test('a mapping used as a key: an error, not a Node warning', async () => {
  const content = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ? {foo: bar}\n  : y\n';
  await rejects('complex-key.yaml', content, /^error: error parsing \S*complex-key\.yaml: error converting YAML to JSON: yaml: invalid map key: map\[interface \{\}\]interface \{\}\{"foo":"bar"\}\n\S*complex-key\.yaml:6:5: a mapping key must be a scalar/, true);
  const r = sb.sb.run(['apply', '-f', sb.file('complex-key.yaml', content)]);
  assert.doesNotMatch(r.stderr, /Warning|mapAsMap/);
});
test('an alias bomb is bounded', async () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`);
  await rejects('bomb.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  ' + lines.join('\n  ') + '\n', /bomb\.yaml.*alias/i);
});
test('a binary file', async () => await rejects('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0xff, 0xfe]) as unknown as string, /binary\.yaml/));
test('a document that is a list or a scalar', async () => {
  await rejects('list.yaml', '- a\n- b\n', /list\.yaml/);
  await rejects('scalar.yaml', 'just a string\n', /scalar\.yaml/);
});
test('missing kind and apiVersion', async () => {
  await rejects('nokind.yaml', 'apiVersion: v1\nmetadata:\n  name: x\n', /kind not set/);
  await rejects('noapi.yaml', 'kind: ConfigMap\nmetadata:\n  name: x\n', /apiVersion/);
});
test('unknown kind or version', async () => {
  await rejects('unknownkind.yaml', 'apiVersion: v1\nkind: Frobnicator\nmetadata:\n  name: x\n', /no matches for kind "Frobnicator" in version "v1"\nensure CRDs are installed first/);
  await rejects('oldversion.yaml', 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: x\n', /no matches for kind "Deployment" in version "extensions\/v1beta1"/);
});
test('bad names never reach the filesystem', async () => {
  for (const [n, name] of [['slash', 'a/b'], ['dots', '..'], ['upper', 'Web'], ['long', 'x'.repeat(254)]] as const) {
    await rejects(`name-${n}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "${name}"\n`, /metadata\.name: Invalid value/);
  }
});
test('labels too long', async () => await rejects('label.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    app: ${'v'.repeat(64)}\n`, /metadata\.labels: Invalid value: "v{64}": must be no more than 63 characters/));
test('an empty file and a missing path', async () => {
  await rejects('empty.yaml', '', /^error: no objects passed to apply\n$/);
  const r = await sb.run(['apply', '-f', '/nope/missing.yaml']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: the path "/nope/missing.yaml" does not exist\n');
});
test('a 50 MB file is handled in bounded time', async () => {
  const big = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: "' + 'x'.repeat(50 * 1024 * 1024) + '"\n';
  const t0 = Date.now();
  // spawned: the bound is on the wall time a user waits for the command
  await rejects('big.yaml', big, /big/, true);
  assert.ok(Date.now() - t0 < 30_000);
});
