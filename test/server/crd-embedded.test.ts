// Embedded resources (x-kubernetes-embedded-resource) in custom resources, as kube-apiserver
// v1.32 treats their metadata (apiextensions-apiserver pkg/apiserver/schema/objectmeta): an
// unknown field is refused by strict decoding and dropped otherwise, the metadata is
// validated as ObjectMeta, and a stored object's malformed metadata reads coerced. Through
// the real kubectl against `kubesim serve`, and the in-process CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('embedded');
after(() => c.stop());

const crd = (embedded: boolean) => crdYaml({ plural: 'gadgets', kind: 'Gadget', schema: `properties:
  spec:
    type: object
    properties:
      template:
        type: object
        x-kubernetes-preserve-unknown-fields: true
${embedded ? '        x-kubernetes-embedded-resource: true\n' : ''}` });

const gadget = (name: string, meta: string) =>
  `apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ${name}, namespace: default}\nspec:\n  template:\n    apiVersion: v1\n    kind: Pod\n    metadata: ${meta}\n    spec: {containers: [{name: c, image: busybox}]}\n`;

const templateMeta = (name: string) => c.kubectl(['get', 'gadget', name, '-o', 'jsonpath={.spec.template.metadata}']).stdout;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd(true) }).code, 0);
  const w = c.kubectl(['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=20s']);
  assert.equal(w.code, 0, w.stderr);
});

test('an unknown field of (embedded) metadata: refused by strict decoding, pruned with --validate=false, a warning with warn', async () => {
  const meta = '{labels: {app: web}, foo: bar, creationTimestamp: null}';
  const want = 'Error from server (BadRequest): error when creating "STDIN": Gadget in version "v1" cannot be handled as a Gadget: strict decoding error: unknown field "spec.template.metadata.foo"\n';
  for (const r of await c.bothClients(['apply', '-f', '-'], gadget('strict', meta))) {
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', want]);
  }
  // The root's metadata is decoded as ObjectMeta too, its unknown fields named first.
  const both = gadget('both', meta).replace('namespace: default}', 'namespace: default, foo: root}');
  for (const r of await c.bothClients(['create', '-f', '-'], both)) {
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error from server (BadRequest): error when creating "STDIN": Gadget in version "v1" cannot be handled as a Gadget: strict decoding error: unknown field "metadata.foo", unknown field "spec.template.metadata.foo"\n']);
  }
  const i = c.kubectl(['create', '--validate=ignore', '-f', '-'], { stdin: both });
  assert.deepEqual([i.code, i.stderr], [0, '']);
  assert.equal(c.kubectl(['get', 'gadget', 'both', '-o', 'jsonpath={.metadata.foo}|{.spec.template.metadata}']).stdout, '|{"labels":{"app":"web"}}');
  const k = c.kubectl(['apply', '--validate=false', '-f', '-'], { stdin: gadget('pruned', meta) });
  assert.deepEqual([k.code, k.stdout, k.stderr], [0, 'gadget.example.com/pruned created\n', '']);
  const s = await c.hosted(['apply', '--validate=false', '-f', '-'], { stdin: gadget('pruned-kubesim', meta) });
  assert.deepEqual([s.code, s.stdout, s.stderr], [0, 'gadget.example.com/pruned-kubesim created\n', '']);
  const w = c.kubectl(['apply', '--validate=warn', '-f', '-'], { stdin: gadget('warned', meta) });
  assert.deepEqual([w.code, w.stdout, w.stderr], [0, 'gadget.example.com/warned created\n', 'Warning: unknown field "spec.template.metadata.foo"\n']);
  for (const name of ['pruned', 'pruned-kubesim', 'warned']) {
    // ObjectMeta written back: the unknown field gone, the null creationTimestamp removed.
    const yaml = c.kubectl(['get', 'gadget', name, '-o', 'yaml']).stdout;
    assert.match(yaml, /\n {4}metadata:\n {6}labels:\n {8}app: web\n {4}spec:\n/, yaml);
    assert.equal((await c.hosted(['get', 'gadget', name, '-o', 'yaml'])).stdout, yaml);
  }
});

test('embedded metadata is validated as ObjectMeta with path-segment names', async () => {
  const cases: [string, string, string][] = [
    ['bad-label', '{labels: {app: "bad value!"}}', `The Gadget "bad-label" is invalid: spec.template.metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
    ['bad-name', '{name: a/b}', `The Gadget "bad-name" is invalid: spec.template.metadata.name: Invalid value: "a/b": may not contain '/'`],
    ['bad-annotation', '{annotations: {"-x": v}}', `The Gadget "bad-annotation" is invalid: spec.template.metadata.annotations: Invalid value: "-x": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
  ];
  for (const [name, meta, message] of cases) {
    for (const r of await c.bothClients(['create', '-f', '-'], gadget(name, meta))) {
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', `${message}\n`], name);
    }
  }
  // A name that is no DNS subdomain is still a valid path segment; no name at all is fine too.
  const ok = c.kubectl(['create', '-f', '-'], { stdin: gadget('odd-name', '{name: Odd_Name}') });
  assert.deepEqual([ok.code, ok.stderr], [0, '']);
  assert.equal(templateMeta('odd-name'), '{"name":"Odd_Name"}');
});

test('a stored object whose embedded metadata is malformed reads coerced, without a write', async () => {
  // Stored while the template was not yet an embedded resource: anything went.
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd(false) }).code, 0);
  const made = c.kubectl(['create', '-f', '-'], { stdin: gadget('legacy', '{name: keep, foo: bar, labels: oops, generation: 2}') });
  assert.equal(made.code, 0, made.stderr);
  const rv = c.kubectl(['get', 'gadget', 'legacy', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
  assert.equal(templateMeta('legacy'), '{"foo":"bar","generation":2,"labels":"oops","name":"keep"}');
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd(true) }).code, 0);
  // Unknown and malformed fields dropped (GetObjectMeta with dropMalformedFields), the rest kept.
  for (const args of [['get', 'gadget', 'legacy', '-o', 'jsonpath={.spec.template.metadata} {.metadata.resourceVersion}'], ['get', 'gadgets', '-o', 'jsonpath={range .items[?(@.metadata.name=="legacy")]}{.spec.template.metadata}{end}']]) {
    const [k, s] = await c.bothClients(args);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(k.stdout.split(' ')[0], '{"generation":2,"name":"keep"}', args.join(' '));
    assert.deepEqual(s, k, args.join(' '));
  }
  assert.equal(c.kubectl(['get', 'gadget', 'legacy', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout, rv);
});

test('embedded metadata of the wrong type fails the decoding (400) as kube-apiserver: the first field in Go key order, whatever --validate says', async () => {
  const refused = (meta: string) => `Error from server (BadRequest): error when creating "STDIN": Gadget in version "v1" cannot be handled as a Gadget: spec.template.metadata: Invalid value: ${meta}\n`;
  const cases: [string, string, string][] = [
    ['typed-labels', '{labels: oops}', refused('map[string]interface {}{"labels":"oops"}: json: cannot unmarshal string into Go struct field ObjectMeta.labels of type map[string]string')],
    // Keys in json.Marshal's order: labels before name; a map's key is no part of the field.
    ['typed-two', '{name: 7, labels: {a: 5}}', refused('map[string]interface {}{"labels":map[string]interface {}{"a":5}, "name":7}: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string')],
    ['typed-owner', '{ownerReferences: [{name: 5}]}', refused('map[string]interface {}{"ownerReferences":[]interface {}{map[string]interface {}{"name":5}}}: json: cannot unmarshal number into Go struct field OwnerReference.ownerReferences.name of type string')],
    ['typed-generation', '{generation: 1.5}', refused('map[string]interface {}{"generation":1.5}: json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.generation of type int64')],
    // metav1.Time's own decoding fails at once, even after an earlier field's type error.
    ['typed-time', '{creationTimestamp: "2024-13-01T00:00:00Z", annotations: x}', refused('map[string]interface {}{"annotations":"x", "creationTimestamp":"2024-13-01T00:00:00Z"}: parsing time "2024-13-01T00:00:00Z": month out of range')],
    ['typed-time2', '{creationTimestamp: yesterday}', refused('map[string]interface {}{"creationTimestamp":"yesterday"}: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"')],
  ];
  for (const [i, [name, meta, stderr]] of cases.entries()) {
    // Not a strict decoding error: --validate=false (fieldValidation=Ignore) changes nothing.
    for (const validate of i ? ['--validate=strict'] : ['--validate=strict', '--validate=false']) {
      for (const r of await c.bothClients(['create', validate, '-f', '-'], gadget(name, meta))) {
        assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', stderr], `${name} ${validate}`);
      }
    }
  }
  // An embedded apiVersion or kind that is no string: objectmeta.Coerce's field error.
  const kind5 = gadget('typed-kind', '{name: x}').replace('kind: Pod', 'kind: 5');
  for (const r of await c.bothClients(['apply', '-f', '-'], kind5)) {
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error from server (BadRequest): error when creating "STDIN": Gadget in version "v1" cannot be handled as a Gadget: spec.template.kind: Invalid value: 5: must be a string\n']);
  }
  assert.equal(c.kubectl(['get', 'gadgets', '-o', 'name']).stdout.match(/typed-/g), null, 'nothing was stored');
});

test('embedded metadata: generation, ownerReferences, finalizers and managedFields validated as ValidateObjectMeta does; apiVersion and kind required', async () => {
  const meta = '{generation: -1, finalizers: ["a b", orphan, foregroundDeletion], ownerReferences: [{apiVersion: v1, kind: Event, name: e}], managedFields: [{manager: "m\\u0007", operation: Bogus, fieldsType: x}]}';
  const want = [
    'The Gadget "meta-checks" is invalid: ',
    '* spec.template.metadata.generation: Invalid value: -1: must be greater than or equal to 0',
    '* spec.template.metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    '* spec.template.metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
    `* spec.template.metadata.finalizers: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    '* spec.template.metadata.finalizers: Invalid value: []string{"a b", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
    '* spec.template.metadata.managedFields[0].operation: Invalid value: "Bogus": must be `Apply` or `Update`',
    '* spec.template.metadata.managedFields[0].fieldsType: Invalid value: "x": must be `FieldsV1`',
    '* spec.template.metadata.managedFields[0].manager: Invalid value: "m\\a": invalid character U+0007 (at position 1)',
    '',
  ].join('\n');
  for (const r of await c.bothClients(['create', '-f', '-'], gadget('meta-checks', meta))) {
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', want]);
  }
  const noKind = gadget('no-kind', '{name: x}').replace('    kind: Pod\n', '');
  for (const r of await c.bothClients(['create', '-f', '-'], noKind)) {
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'The Gadget "no-kind" is invalid: spec.template.kind: Required value: must not be empty\n']);
  }
});
