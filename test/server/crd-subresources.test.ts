// The real kubectl against `kubesim serve`: a custom resource's /status and /scale are served
// only when its CRD version declares them (apiextensions-apiserver crdHandler), and a CRD
// whose name is not <plural>.<group> is refused as kube-apiserver refuses it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster();
before(() => c.setUp({ kubectl: true }));
after(() => c.stop());

const crd = (plural: string, kind: string, subresources = '') =>
  crdYaml({ plural, kind, schema: 'x-kubernetes-preserve-unknown-fields: true', versionExtra: subresources });

const SUBRESOURCES = `subresources:
  status: {}
  scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.ready, labelSelectorPath: .status.selector}
`;

function established(name: string): void {
  const w = c.kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=20s']);
  assert.equal(w.code, 0, w.stderr);
}

const resourcesOf = (plural: string) =>
  (JSON.parse(c.kubectl(['get', '--raw', '/apis/example.com/v1']).stdout) as { resources: { name: string }[] }).resources
    .map((r) => r.name).filter((n) => n.split('/')[0] === plural).sort();

test('without subresources: no /status or /scale, and a write of the object may change its status', () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd('plains', 'Plain') }).code, 0);
  established('plains.example.com');
  assert.deepEqual(resourcesOf('plains'), ['plains']);

  const obj = (size: number, ready: number) => `apiVersion: example.com/v1\nkind: Plain\nmetadata: {name: p1, namespace: default}\nspec: {size: ${size}}\nstatus: {ready: ${ready}}\n`;
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: obj(1, 1) }).code, 0);
  assert.equal(c.kubectl(['get', 'plain', 'p1', '-o', 'jsonpath={.status}']).stdout, '{"ready":1}');
  assert.equal(c.kubectl(['replace', '-f', '-'], { stdin: obj(2, 5) }).code, 0);
  assert.equal(c.kubectl(['get', 'plain', 'p1', '-o', 'jsonpath={.spec.size} {.status.ready}']).stdout, '2 5');

  const raw = c.kubectl(['get', '--raw', '/apis/example.com/v1/namespaces/default/plains/p1/status']);
  assert.equal(raw.code, 1);
  assert.equal(raw.stderr, 'Error from server (NotFound): the server could not find the requested resource\n');
  const scaled = c.kubectl(['scale', 'plain/p1', '--replicas=3']);
  assert.equal(scaled.code, 1);
  assert.equal(scaled.stderr, 'Error from server (NotFound): the server could not find the requested resource\n');
  assert.deepEqual(c.kubesim(['scale', 'plain/p1', '--replicas=3']), scaled);
});

test('with status and scale: status only through /status, kubectl scale through the CRD paths', () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd('scalables', 'Scalable', SUBRESOURCES) }).code, 0);
  established('scalables.example.com');
  assert.deepEqual(resourcesOf('scalables'), ['scalables', 'scalables/scale', 'scalables/status']);

  const obj = (size: number, ready: number) => `apiVersion: example.com/v1\nkind: Scalable\nmetadata: {name: s1, namespace: default}\nspec: {size: ${size}}\nstatus: {ready: ${ready}}\n`;
  // The status given on create is dropped, and a replace keeps the stored one.
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: obj(1, 1) }).code, 0);
  assert.equal(c.kubectl(['get', 'scalable', 's1', '-o', 'jsonpath={.spec.size} [{.status}]']).stdout, '1 []');
  assert.equal(c.kubectl(['replace', '-f', '-'], { stdin: obj(2, 5) }).code, 0);
  assert.equal(c.kubectl(['get', 'scalable', 's1', '-o', 'jsonpath={.spec.size} [{.status}]']).stdout, '2 []');

  // /status changes the status and nothing else.
  const patched = c.kubectl(['patch', 'scalable', 's1', '--subresource=status', '--type=merge', '-p', '{"spec":{"size":9},"status":{"ready":2,"selector":"app=s"}}']);
  assert.equal(patched.stdout, 'scalable.example.com/s1 patched\n', patched.stderr);
  assert.equal(c.kubectl(['get', 'scalable', 's1', '-o', 'jsonpath={.spec.size} {.status.ready}']).stdout, '2 2');

  const scale = JSON.parse(c.kubectl(['get', '--raw', '/apis/example.com/v1/namespaces/default/scalables/s1/scale']).stdout);
  assert.deepEqual([scale.kind, scale.apiVersion, scale.spec, scale.status], ['Scale', 'autoscaling/v1', { replicas: 2 }, { replicas: 2, selector: 'app=s' }]);
  assert.equal(c.kubectl(['scale', 'scalable/s1', '--replicas=4']).stdout, 'scalable.example.com/s1 scaled\n');
  assert.equal(c.kubectl(['get', 'scalable', 's1', '-o', 'jsonpath={.spec.size} {.status.ready}']).stdout, '4 2');
  // kubesim in-process scales it too, through the CRD's paths (in-process scale refused custom resources before).
  assert.deepEqual(c.kubesim(['scale', 'scalable/s1', '--replicas=5']), { code: 0, stdout: 'scalable.example.com/s1 scaled\n', stderr: '' });
  const merged = c.kubesim(['patch', 'scalable', 's1', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":6}}', '-o', 'jsonpath={.kind} {.spec.replicas}']);
  assert.deepEqual(merged, { code: 0, stdout: 'Scale 6', stderr: '' });
  assert.equal(c.kubectl(['get', 'scalable', 's1', '-o', 'jsonpath={.spec.size} {.status.ready}']).stdout, '6 2');
});

test('a CRD is named <plural>.<group>, its group has a dot, its names are DNS labels', () => {
  const bad = crd('foos', 'Foo').replace('name: foos.example.com', 'name: foos2.example.com');
  const refused = c.kubectl(['create', '-f', '-'], { stdin: bad });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'The CustomResourceDefinition "foos2.example.com" is invalid: metadata.name: Invalid value: "foos2.example.com": must be spec.names.plural+"."+spec.group\n');
  assert.deepEqual(c.kubesim(['create', '-f', '-'], { stdin: bad }), refused);

  const names = crd('foos', 'Foo').replaceAll('example.com', 'example').replace('plural: foos, kind: Foo', 'plural: foos, singular: Foo, kind: Foo_x');
  const nope = c.kubectl(['create', '-f', '-'], { stdin: names });
  assert.equal(nope.code, 1);
  assert.equal(nope.stderr, 'The CustomResourceDefinition "foos.example" is invalid: \n'
    + '* spec.group: Invalid value: "example": should be a domain with at least one dot\n'
    + '* spec.names.singular: Invalid value: "Foo": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')\n'
    + '* spec.names.kind: Invalid value: "Foo_x": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')\n'
    + '* spec.names.listKind: Invalid value: "Foo_xList": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')\n');
  assert.equal(c.kubectl(['get', 'crd', 'foos2.example.com', 'foos.example', '--ignore-not-found', '-o', 'name']).stdout, '');
});

// Flow style: a required size of at least 1, a color of two, a status count of at least 0.
const GADGETS = crdYaml({
  plural: 'gadgets',
  kind: 'Gadget',
  schema: 'properties: {spec: {type: object, required: [size], properties: {size: {type: integer, minimum: 1}, color: {type: string, enum: [red, blue]}}}, status: {type: object, properties: {count: {type: integer, minimum: 0}}}}',
  versionExtra: 'subresources: {status: {}}',
});

test('a custom resource is validated against its CRD schema on create, update, patch and /status (422 Invalid); in-process patches as through the server', () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: GADGETS }).code, 0);
  established('gadgets.example.com');
  const gadget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n`;
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: gadget('g1', '{size: 2, color: red}') }).code, 0);
  const refused = (args: string[], stdin: string | undefined, stderr: string) => {
    const k = c.kubectl(args, { stdin });
    assert.deepEqual([k.code, k.stdout, k.stderr], [1, '', stderr], args.join(' '));
    // In-process as through the server: kubectl 1.32 leaves a custom resource's schema to the server.
    assert.deepEqual(c.kubesim(args, { stdin }), k, `in-process ${args.join(' ')}`);
  };
  refused(['create', '-f', '-'], gadget('g2', '{color: red}'), 'The Gadget "g2" is invalid: spec.size: Required value\n');
  refused(['replace', '-f', '-'], gadget('g1', '{size: 2, color: green}'), 'The Gadget "g1" is invalid: spec.color: Unsupported value: "green": supported values: "red", "blue"\n');
  refused(['patch', 'gadget', 'g1', '--type=merge', '-p', '{"spec":{"size":0}}'], undefined, 'The Gadget "g1" is invalid: spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1\n');
  refused(['patch', 'gadget', 'g1', '--type=merge', '-p', '{"spec":{"size":null}}'], undefined, 'The Gadget "g1" is invalid: spec.size: Required value\n');
  refused(['patch', 'gadget', 'g1', '--subresource=status', '--type=merge', '-p', '{"status":{"count":-1}}'], undefined, 'The Gadget "g1" is invalid: status.count: Invalid value: -1: status.count in body should be greater than or equal to 0\n');
  // Unknown fields are still strict decoding's (400), and a valid /status write goes through.
  const unknown = c.kubectl(['replace', '-f', '-'], { stdin: gadget('g1', '{size: 2, shape: round}') });
  assert.deepEqual([unknown.code, unknown.stderr], [1, 'Error from server (BadRequest): error when replacing "STDIN": Gadget in version "v1" cannot be handled as a Gadget: strict decoding error: unknown field "spec.shape"\n']);
  assert.deepEqual(c.kubesim(['replace', '-f', '-'], { stdin: gadget('g1', '{size: 2, shape: round}') }), unknown);
  assert.equal(c.kubectl(['patch', 'gadget', 'g1', '--subresource=status', '--type=merge', '-p', '{"status":{"count":3}}']).code, 0);
  assert.equal(c.kubectl(['get', 'gadget', 'g1', '-o', 'jsonpath={.spec} {.status}']).stdout, '{"color":"red","size":2} {"count":3}');
  assert.equal(c.kubectl(['get', 'gadget', 'g2', '--ignore-not-found', '-o', 'name']).stdout, '');
});

test('each served version has its own subresources: /status and /scale of a version that declares them, none of the storage version that does not', () => {
  // v1 (storage) declares no subresources, v2 declares status and scale.
  const multi = `${crd('multis', 'Multi')}  - name: v2
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
${SUBRESOURCES.replace(/^(?=.)/gm, '    ')}`;
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: multi }).code, 0);
  established('multis.example.com');
  const listed = (version: string) => (JSON.parse(c.kubectl(['get', '--raw', `/apis/example.com/${version}`]).stdout) as { resources: { name: string }[] }).resources
    .map((r) => r.name).filter((n) => n.split('/')[0] === 'multis').sort();
  assert.deepEqual([listed('v1'), listed('v2')], [['multis'], ['multis', 'multis/scale', 'multis/status']]);

  // Created at v2 the status is dropped (v2 has /status); at v1 it is written with the object.
  const obj = (version: string, name: string) => `apiVersion: example.com/${version}\nkind: Multi\nmetadata: {name: ${name}, namespace: default}\nspec: {size: 2}\nstatus: {ready: 1, selector: app=m}\n`;
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: obj('v2', 'm2') }).code, 0);
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: obj('v1', 'm1') }).code, 0);
  assert.equal(c.kubectl(['get', 'multis.v1.example.com', 'm1', 'm2', '-o', 'jsonpath={range .items[*]}{.metadata.name} [{.status}] {end}']).stdout, 'm1 [{"ready":1,"selector":"app=m"}] m2 [] ');

  const path = (version: string, sub: string) => `/apis/example.com/${version}/namespaces/default/multis/m1/${sub}`;
  const v1status = c.kubectl(['get', '--raw', path('v1', 'status')]);
  assert.deepEqual([v1status.code, v1status.stderr], [1, 'Error from server (NotFound): the server could not find the requested resource\n']);
  assert.equal(JSON.parse(c.kubectl(['get', '--raw', path('v2', 'status')]).stdout).status.ready, 1);
  const scale = JSON.parse(c.kubectl(['get', '--raw', path('v2', 'scale')]).stdout);
  assert.deepEqual([scale.kind, scale.spec, scale.status], ['Scale', { replicas: 2 }, { replicas: 1, selector: 'app=m' }]);
  // Through v2's /status only the status changes.
  const patched = c.kubectl(['patch', 'multis.v2.example.com', 'm1', '--subresource=status', '--type=merge', '-p', '{"spec":{"size":9},"status":{"ready":2}}']);
  assert.equal(patched.stdout, 'multi.example.com/m1 patched\n', patched.stderr);
  assert.equal(c.kubectl(['get', 'multis.v1.example.com', 'm1', '-o', 'jsonpath={.spec.size} {.status.ready}']).stdout, '2 2');
});
