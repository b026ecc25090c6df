// The root metadata checks of every object on create and update, as apimachinery's
// ValidateObjectMetaAccessor(Update) words them (pkg/api/validation/objectmeta.go, v0.32):
// owner references, finalizers (none new on an object being deleted), generation and
// managedFields; and a custom resource's CEL rules not run after a blocking error
// (apiextensions-apiserver strategy.go hasBlockingErr), on create, update and status.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { ApiError } from '../../src/api/errors';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';
import { crdObject } from '../helpers/crd';
import { RestHandler } from '../../src/api/rest/handler';

let api: ApiServer;
before(async () => {
  await loadValidation();
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  await api.create(crdObject({ plural: 'gadgets', kind: 'Gadget', versionExtra: 'subresources: {status: {}}', schema: `properties:
  spec:
    type: object
    properties: {max: {type: integer}, tier: {type: string, enum: [a, b]}}
    x-kubernetes-validations: [{rule: self.max < 10}]
  status:
    type: object
    properties: {count: {type: integer, maximum: 5}, phase: {type: string, enum: [Up, Down]}}
    x-kubernetes-validations: [{rule: self.count % 2 == 1}]` }));
});

/** The message of the Invalid error a write fails with. */
async function invalid(write: Promise<unknown>): Promise<string> {
  try {
    await write;
  } catch (e) {
    assert.ok(e instanceof ApiError && e.reason === 'Invalid', String(e));
    return e.message;
  }
  assert.fail('the write was accepted');
}

const configMap = (name: string, metadata: object): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data: {} });
const ref = (kind: string, name: string, extra: object = {}) => ({ apiVersion: 'v1', kind, name, uid: `uid-${name}`, ...extra });

test('owner references: each needs a version, kind, name and uid; one controller; no Event owns anything', async () => {
  assert.equal(await invalid(api.create(configMap('two', { ownerReferences: [ref('Secret', 'a', { controller: true }), ref('Secret', 'b'), ref('ConfigMap', 'c', { controller: true })] }))),
    'ConfigMap "two" is invalid: metadata.ownerReferences: Invalid value: []v1.OwnerReference{' +
    'v1.OwnerReference{APIVersion:"v1", Kind:"Secret", Name:"a", UID:"uid-a", Controller:(*bool)(0xc000a1b2c8), BlockOwnerDeletion:(*bool)(nil)}, ' +
    'v1.OwnerReference{APIVersion:"v1", Kind:"Secret", Name:"b", UID:"uid-b", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}, ' +
    'v1.OwnerReference{APIVersion:"v1", Kind:"ConfigMap", Name:"c", UID:"uid-c", Controller:(*bool)(0xc000a1b2c8), BlockOwnerDeletion:(*bool)(nil)}}: ' +
    'Only one reference can have Controller set to true. Found "true" in references for Secret/a and ConfigMap/c');
  assert.equal(await invalid(api.create(configMap('empty', { ownerReferences: [{ apiVersion: 'apps/' }] }))),
    'ConfigMap "empty" is invalid: [metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty, metadata.ownerReferences.kind: Invalid value: "": kind must not be empty, ' +
    'metadata.ownerReferences.name: Invalid value: "": name must not be empty, metadata.ownerReferences.uid: Invalid value: "": uid must not be empty]');
  assert.match(await invalid(api.create(configMap('evented', { ownerReferences: [ref('Event', 'e')] }))), /^ConfigMap "evented" is invalid: metadata\.ownerReferences: Invalid value: v1\.OwnerReference\{APIVersion:"v1", Kind:"Event", .*\}: \/v1, Kind=Event is disallowed from being an owner$/);
  // A valid controller reference is kept.
  const owned = await api.create(configMap('owned', { ownerReferences: [ref('Secret', 'a', { controller: true, blockOwnerDeletion: true })] }));
  assert.deepEqual(owned.metadata.ownerReferences, [ref('Secret', 'a', { controller: true, blockOwnerDeletion: true })]);
});

test('repeated owner references are dropped with kube-apiserver\'s warning: create and update as sent, a patch once patched', async () => {
  const warnings: string[] = [];
  const warn = (t: string) => warnings.push(t);
  const a = ref('Secret', 'a', { controller: true });
  // Two equal controller references are one after deduplication: no "Only one reference can have Controller set".
  const made = await api.create(configMap('twice', { ownerReferences: [a, ref('Secret', 'b'), { ...a }, ref('Secret', 'b'), { ...a }] }), { warn });
  assert.deepEqual(made.metadata.ownerReferences, [a, ref('Secret', 'b')]);
  const TAIL = 'API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: ';
  assert.deepEqual(warnings.splice(0), [`.metadata.ownerReferences contains duplicate entries; ${TAIL}uid-a, uid-b, uid-a`]);
  // Same uid but another field differs (no controller, blockOwnerDeletion false rather than nil): kept; null is nil.
  const kept = await api.update({ ...made, metadata: { ...made.metadata, ownerReferences: [a, ref('Secret', 'a'), ref('Secret', 'a', { blockOwnerDeletion: false }), ref('Secret', 'a', { controller: null })] } }, { warn });
  assert.deepEqual(kept.metadata.ownerReferences, [a, ref('Secret', 'a'), ref('Secret', 'a', { blockOwnerDeletion: false })]);
  assert.deepEqual(warnings.splice(0), [`.metadata.ownerReferences contains duplicate entries; ${TAIL}uid-a`]);
  // A patch's write (PATCH, server-side apply): the wording of the dedup after mutating admission.
  await api.update({ ...kept, metadata: { ...kept.metadata, ownerReferences: [ref('Secret', 'c'), ref('Secret', 'c')] } }, { warn, patch: true });
  assert.deepEqual(warnings.splice(0), [`.metadata.ownerReferences contains duplicate entries after mutating admission happens; ${TAIL}uid-c`]);
  // A status write keeps the stored metadata, but the request's repeats are still reported.
  const g = await api.create(gadget('tw', { max: 1 }, { ownerReferences: [ref('Secret', 'c')] }));
  const status = await api.updateStatus({ ...g, metadata: { ...g.metadata, ownerReferences: [ref('Secret', 'd'), ref('Secret', 'd')] }, status: { count: 1 } }, { warn });
  assert.deepEqual([status.metadata.ownerReferences, status.status], [[ref('Secret', 'c')], { count: 1 }]);
  assert.deepEqual(warnings.splice(0), [`.metadata.ownerReferences contains duplicate entries; ${TAIL}uid-d`]);
  // No repeats: no warning, the list as sent.
  await api.create(configMap('once', { ownerReferences: [ref('Secret', 'a'), ref('Secret', 'b')] }), { warn });
  assert.deepEqual(warnings, []);
});

test('finalizers are qualified names, not both orphan and foregroundDeletion; on update too', async () => {
  assert.equal(await invalid(api.create(configMap('fin', { finalizers: ['example.com/ok', 'not ok', 'orphan', 'foregroundDeletion'] }))),
    'ConfigMap "fin" is invalid: [metadata.finalizers: Invalid value: "not ok": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character ' +
    "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), " +
    'metadata.finalizers: Invalid value: []string{"example.com/ok", "not ok", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set]');
  const kept = await api.create(configMap('fin', { finalizers: ['example.com/ok'] }));
  assert.equal(await invalid(api.update({ ...kept, metadata: { ...kept.metadata, finalizers: ['example.com/ok', 'a/b/c'] } })),
    'ConfigMap "fin" is invalid: metadata.finalizers: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character ' +
    "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  assert.deepEqual((await api.get(api.resolve('configmaps'), 'default', 'fin')).metadata.finalizers, ['example.com/ok']);
});

test('an object being deleted takes no new finalizers; removing its last one lets it go', async () => {
  await api.create(configMap('going', { finalizers: ['example.com/keep'] }));
  const cms = api.resolve('configmaps');
  await api.delete(cms, 'default', 'going');
  const going = await api.get(cms, 'default', 'going');
  assert.ok(going.metadata.deletionTimestamp);
  assert.equal(await invalid(api.update({ ...going, metadata: { ...going.metadata, finalizers: ['example.com/keep', 'example.com/b', 'example.com/a'] } })),
    'ConfigMap "going" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/a", "example.com/b"}');
  await api.update({ ...going, metadata: { ...going.metadata, finalizers: [] } });
  assert.equal(await api.tryGet(cms, 'default', 'going'), undefined);
});

/** The Invalid error a write fails with: its message and its causes' fields (repeats kept). */
async function refusal(write: Promise<unknown>): Promise<{ message: string; fields: string[] }> {
  try {
    await write;
  } catch (e) {
    assert.ok(e instanceof ApiError && e.reason === 'Invalid', String(e));
    return { message: e.message, fields: (e.details.causes ?? []).map((c) => c.field) };
  }
  assert.fail('the write was accepted');
}

// rest.BeforeUpdate: ValidateObjectMetaAccessor, ValidateObjectMetaAccessorUpdate (labels,
// annotations, owner references again), then the kind's ValidateUpdate, in one Invalid error.
test('an update\'s errors: the object\'s and the change\'s together, in the kind\'s order; the message says each once, the causes repeat the metadata\'s', async () => {
  const LABEL = `metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`;
  const badLabel = (o: KObject) => ({ ...o.metadata, labels: { 'bad key!': 'v' } });
  // ValidateConfigMapUpdate: metadata update, the immutable data, then ValidateConfigMap (its metadata once more).
  const cm = await api.create({ ...configMap('frozen', {}), immutable: true, data: { a: '1' } });
  assert.deepEqual(await refusal(api.update({ ...cm, metadata: badLabel(cm), data: { a: '2' } })), {
    message: `ConfigMap "frozen" is invalid: [${LABEL}, data: Forbidden: field is immutable when \`immutable\` is set]`,
    fields: ['metadata.labels', 'metadata.labels', 'metadata.labels', 'data', 'metadata.labels'],
  });
  // ValidatePodUpdate: metadata update, the pod's metadata and spec, then what may not change (tolerations first).
  const pod = await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fixed', namespace: 'default' }, spec: { tolerations: [{ key: 'k', operator: 'Exists' }], containers: [{ name: 'c', image: 'busybox' }] } });
  const podRefusal = await refusal(api.update({ ...pod, metadata: badLabel(pod), spec: { ...pod.spec, tolerations: [], containers: [{ ...pod.spec.containers[0], name: 'd' }] } }));
  assert.deepEqual(podRefusal.fields, ['metadata.labels', 'metadata.labels', 'metadata.labels', 'metadata.labels', 'spec.tolerations', 'spec']);
  assert.ok(podRefusal.message.startsWith(`Pod "fixed" is invalid: [${LABEL}, spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds, spec: Forbidden: pod updates may not change fields other than`), podRefusal.message);
  // jobStrategy.ValidateUpdate: ValidateJob, then ValidateJobUpdate.
  const job = await api.create({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } });
  assert.deepEqual(await refusal(api.update({ ...job, spec: { ...job.spec, parallelism: -1, completions: 5 } })), {
    message: 'Job.batch "once" is invalid: [spec.parallelism: Invalid value: -1: must be greater than or equal to 0, spec.completions: Invalid value: 5: field is immutable]',
    fields: ['spec.parallelism', 'spec.completions'],
  });
  // ValidateServiceUpdate: the cluster IP's immutability before ValidateService.
  const svc = await api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'front', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  assert.deepEqual((await refusal(api.update({ ...svc, spec: { ...svc.spec, clusterIP: '10.96.99.99', clusterIPs: ['10.96.99.99'], ports: [{ port: 80, protocol: 'SCTP', targetPort: 70000 }] } }))).fields, ['spec.clusterIP', 'spec.ports[0].targetPort']);
  // Metadata: the new object's errors (ValidateObjectMetaAccessor) before the change's (no new finalizers while deleting).
  const going = await api.create(configMap('leaving', { finalizers: ['example.com/keep'] }));
  await api.delete(api.resolve('configmaps'), 'default', 'leaving');
  const marked = await api.get(api.resolve('configmaps'), 'default', 'leaving');
  assert.equal(going.metadata.name, marked.metadata.name);
  assert.deepEqual(await refusal(api.update({ ...marked, metadata: { ...badLabel(marked), finalizers: ['example.com/keep', 'example.com/new'] } })), {
    message: `ConfigMap "leaving" is invalid: [${LABEL}, metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/new"}]`,
    fields: ['metadata.labels', 'metadata.finalizers', 'metadata.labels', 'metadata.finalizers', 'metadata.labels', 'metadata.labels'],
  });
  await api.update({ ...marked, metadata: { ...marked.metadata, finalizers: [] } });
});

test('over REST: a metadata error on update is one message with its repeated causes; repeated owner references warn, a refused write too', async () => {
  const h = new RestHandler(api);
  const send = (method: string, name: string, body: object) => h.handle({ method, path: `/api/v1/namespaces/default/configmaps${method === 'POST' ? '' : `/${name}`}`, query: new URLSearchParams(), headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
  const made = JSON.parse(String((await send('POST', 'raw', configMap('raw', {}))).body));
  const res = await send('PUT', 'raw', { ...made, metadata: { ...made.metadata, labels: { 'bad key!': 'v' } } });
  const status = JSON.parse(String(res.body));
  assert.equal(res.status, 422);
  assert.match(status.message, /^ConfigMap "raw" is invalid: metadata\.labels: Invalid value: "bad key!": name part must consist/);
  // ValidateObjectMetaAccessor, ValidateObjectMetaAccessorUpdate, ValidateConfigMapUpdate's ValidateObjectMetaUpdate and ValidateConfigMap.
  assert.deepEqual(status.details.causes.map((c: { field: string }) => c.field), ['metadata.labels', 'metadata.labels', 'metadata.labels', 'metadata.labels']);
  const twice = [ref('Secret', 'a'), ref('Secret', 'a')];
  const warned = await send('POST', '', configMap('Not_A_Name', { ownerReferences: twice }));
  assert.equal(warned.status, 422);
  assert.equal(warned.headers.warning, `299 - ".metadata.ownerReferences contains duplicate entries; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: uid-a"`);
});

test('generation: a kind that counts them starts at 1; another refuses a negative one on create and ignores it on update', async () => {
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation: -1 }, spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  assert.equal((await api.create(deployment)).metadata.generation, 1);
  assert.equal(await invalid(api.create(configMap('gen', { generation: -3 }))), 'ConfigMap "gen" is invalid: metadata.generation: Invalid value: -3: must be greater than or equal to 0');
  const cm = await api.create(configMap('gen', {}));
  assert.equal((await api.update({ ...cm, metadata: { ...cm.metadata, generation: -5 } })).metadata.generation, undefined);
});

test('managedFields entries: an operation of Apply or Update, a FieldsV1 type, a printable manager of at most 128 bytes', async () => {
  const entry = { manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } };
  assert.equal(await invalid(api.create(configMap('managed', { managedFields: [{ ...entry, operation: 'Patch', fieldsType: 'FieldsV2' }, { ...entry, manager: `${'x'.repeat(129)}` }, { ...entry, manager: 'tab\there' }] }))),
    'ConfigMap "managed" is invalid: [metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`, metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`, ' +
    'metadata.managedFields[1].manager: Too long: may not be more than 128 bytes, metadata.managedFields[2].manager: Invalid value: "tab\\there": invalid character U+0009 (at position 3)]');
});

test('managedFields managers beyond printable ASCII: counted in bytes, checked a character at a time', async () => {
  const entry = { manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } };
  // 65 characters of two bytes each (130 bytes): too long though shorter than 128 characters; DEL (U+007F) is not printable.
  assert.equal(await invalid(api.create(configMap('managed2', { managedFields: [{ ...entry, manager: 'é'.repeat(65) }, { ...entry, manager: 'ünï\u007fx' }] }))),
    'ConfigMap "managed2" is invalid: [metadata.managedFields[0].manager: Too long: may not be more than 128 bytes, metadata.managedFields[1].manager: Invalid value: "ünï\\x7fx": invalid character U+007F (at position 5)]');
  const ok = await api.create(configMap('managed3', { managedFields: [{ ...entry, manager: 'é'.repeat(64) }] }));
  assert.equal(ok.metadata.name, 'managed3');
});

const gadget = (name: string, spec: object, metadata: object = {}): KObject => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name, namespace: 'default', ...metadata }, spec });
const NOT_CHECKED = '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

test('a custom resource: metadata errors first; a blocking one (too long) leaves the rules unchecked, an Invalid one does not', async () => {
  assert.equal(await invalid(api.create(gadget('g', { max: 20 }, { annotations: { a: 'x'.repeat(256 * 1024) } }))),
    `Gadget.example.com "g" is invalid: [metadata.annotations: Too long: must have at most 262144 bytes, ${NOT_CHECKED}]`);
  assert.equal(await invalid(api.create(gadget('g', { max: 20 }, { ownerReferences: [{ ...ref('Secret', 's'), uid: '' }] }))),
    'Gadget.example.com "g" is invalid: [metadata.ownerReferences.uid: Invalid value: "": uid must not be empty, spec: Invalid value: "object": failed rule: self.max < 10]');
  // A blocking schema error on update.
  const g = await api.create(gadget('g', { max: 1 }));
  assert.equal(await invalid(api.update({ ...g, spec: { max: 20, tier: 'c' } })),
    `Gadget.example.com "g" is invalid: [spec.tier: Unsupported value: "c": supported values: "a", "b", ${NOT_CHECKED}]`);
});

test('a status write: the status schema\'s blocking error leaves every rule unchecked; an Invalid one does not', async () => {
  const g = await api.get(api.resolve('gadgets'), 'default', 'g');
  assert.equal(await invalid(api.updateStatus({ ...g, status: { count: 0, phase: 'Sideways' } })),
    `Gadget.example.com "g" is invalid: [status.phase: Unsupported value: "Sideways": supported values: "Up", "Down", ${NOT_CHECKED}]`);
  assert.equal(await invalid(api.updateStatus({ ...g, status: { count: 6 } })),
    'Gadget.example.com "g" is invalid: [status.count: Invalid value: 6: status.count in body should be less than or equal to 5, status: Invalid value: "object": failed rule: self.count % 2 == 1]');
  assert.deepEqual((await api.updateStatus({ ...g, status: { count: 3, phase: 'Up' } })).status, { count: 3, phase: 'Up' });
});
