// metadata.managedFields and server-side apply on the API server (in-memory store):
// FieldsV1 sets per manager, ownership moving with updates, apply merging by list keys,
// pruning what an applier stopped applying, conflicts and force.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { ApplyConflictError, serverSideApply, FieldSet, pathString } from '../../src/api/managed-fields/index';
import { createsComputedCount, forgetCreatedFields, frozenSetsDecodedCount } from '../../src/api/managed-fields/manager';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

async function server(): Promise<ApiServer> {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  return api;
}

const deployment = (replicas = 2, image = 'nginx:1.27', extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image, ...extra }] } },
  },
});

/** Applies as kube-apiserver's PATCH handler does: merge, then store. */
async function apply(api: ApiServer, config: KObject, manager: string, force = false): Promise<KObject> {
  const rt = api.registry.forKind(config.apiVersion, config.kind);
  const live = await api.tryGet(rt, config.metadata.namespace, config.metadata.name!);
  const merged = await serverSideApply(live, structuredClone(config), manager, force, api.trackContext(rt, config));
  if (!live) return api.create(merged);
  merged.metadata.resourceVersion = live.metadata.resourceVersion;
  return api.update(merged);
}

const entry = (o: KObject, manager: string) => ((o.metadata.managedFields ?? []) as any[]).find((e: any) => e.manager === manager);

test('a create records an Update entry in FieldsV1, with "." only where the Go zero value has nothing', async () => {
  const api = await server();
  const d = await api.create(deployment(), { fieldManager: 'kubectl-client-side-apply' });
  assert.equal((d.metadata.managedFields as any[]).length, 1);
  const e = (d.metadata.managedFields as any[])[0];
  assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  assert.deepEqual([e.manager, e.operation, e.apiVersion, e.time, e.fieldsType], ['kubectl-client-side-apply', 'Update', 'apps/v1', '2026-11-22T06:00:00Z', 'FieldsV1']);
  const f = e.fieldsV1;
  assert.deepEqual(f['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  assert.deepEqual(f['f:spec']['f:selector'], {}, 'a LabelSelector is atomic');
  assert.ok(!('.' in f['f:spec']), 'spec is never nil in Go');
  assert.deepEqual(f['f:spec']['f:strategy']['f:rollingUpdate'], { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'defaults are owned too');
  const container = f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}'];
  assert.deepEqual(Object.keys(container).slice(0, 3), ['.', 'f:image', 'f:imagePullPolicy']);
  assert.ok(!('f:status' in f), 'status belongs to the status subresource');
});

test('an update takes the fields it changes from their previous owner', async () => {
  const api = await server();
  await api.create(deployment(), { fieldManager: 'kubectl-client-side-apply' });
  const rt = api.registry.forKind('apps/v1', 'Deployment');
  const d = await api.mutate(rt, 'default', 'web', (o) => void (o.spec.replicas = 5), { fieldManager: 'kubectl-scale' });
  assert.deepEqual(entry(d, 'kubectl-scale').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.ok(!('f:replicas' in entry(d, 'kubectl-client-side-apply').fieldsV1['f:spec']));
  // A write without a manager (a controller's) keeps the entries as they were.
  const ctl = await api.mutate(rt, 'default', 'web', (o) => void (o.spec.minReadySeconds = 1));
  assert.deepEqual(ctl.metadata.managedFields, d.metadata.managedFields);
  const next = structuredClone(ctl);
  next.spec.replicas = 3;
  const u = await api.update(next, { fieldManager: 'kubectl-edit' });
  assert.deepEqual(entry(u, 'kubectl-edit').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(entry(u, 'kubectl-scale'), undefined, 'an entry left with no fields goes');
  // An update that changes nothing records nothing.
  const again = await api.update(structuredClone(u), { fieldManager: 'someone-else' });
  assert.equal(entry(again, 'someone-else'), undefined);
});

test('apply: merge by list keys, conflicts with kube-apiserver message, force takes ownership', async () => {
  const api = await server();
  await api.create(deployment(), { fieldManager: 'kubectl-client-side-apply' });
  // Same values: co-ownership, no conflict.
  const co = await apply(api, deployment(), 'kubectl');
  assert.equal(entry(co, 'kubectl').operation, 'Apply');
  // A different value of a field another manager owns: 409.
  await assert.rejects(apply(api, deployment(4), 'kubectl'), (e: unknown) => {
    assert.ok(e instanceof ApplyConflictError);
    assert.equal(e.code, 409);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    return true;
  });
  await assert.rejects(apply(api, deployment(4, 'nginx:1.28'), 'kubectl'), (e: unknown) => {
    assert.equal((e as Error).message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image');
    return true;
  });
  const forced = await apply(api, deployment(4), 'kubectl', true);
  assert.equal(forced.spec.replicas, 4);
  assert.ok(!('f:replicas' in entry(forced, 'kubectl-client-side-apply').fieldsV1['f:spec']));
  assert.ok('f:replicas' in entry(forced, 'kubectl').fieldsV1['f:spec']);
  // Apply entries sort before Update entries.
  assert.deepEqual((forced.metadata.managedFields as any[]).map((e: any) => e.operation), ['Apply', 'Update']);
  // A second applier adds a container env var: merged into the container by key.
  const sidecar: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'MODE', value: 'fast' }] }] } } } };
  const both = await apply(api, sidecar, 'env-operator');
  assert.equal(both.spec.template.spec.containers.length, 1);
  assert.equal(both.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual(both.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'fast' }]);
  assert.deepEqual(Object.keys(entry(both, 'env-operator').fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}']), ['.', 'f:env', 'f:name']);
});

test('apply prunes what the applier stopped applying, unless another manager owns it', async () => {
  const api = await server();
  const withLabel = (labels: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', labels }, data: { a: '1', b: '2' } });
  await apply(api, withLabel({ x: '1', y: '2' }), 'one');
  await apply(api, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', labels: { y: '2' } } }, 'two');
  const after = await apply(api, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } }, 'one');
  assert.deepEqual(after.data, { a: '1' }, 'b was only "one"\'s');
  assert.deepEqual(after.metadata.labels, { y: '2' }, 'x went, y is still "two"\'s');
});

test('FieldsV1 round trip and fieldpath strings', () => {
  const v1 = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:finalizers': { 'v:"a"': {} } } };
  const s = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(s.toFieldsV1(), v1);
  assert.deepEqual(s.paths().map(pathString), ['.metadata.labels', '.metadata.labels.app', '.spec.finalizers[="a"]', '.spec.ports[port=80,protocol="TCP"]', '.spec.ports[port=80,protocol="TCP"].port']);
});

test('keys named like Object.prototype members (a label "constructor") are owned like any other', async () => {
  const api = await server();
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'proto', namespace: 'default', labels: { constructor: 'a', toString: 'b' } }, data: { constructor: 'x' } } as KObject;
  const created = await api.create(cm, { fieldManager: 'kubectl-create' });
  const f = entry(created, 'kubectl-create').fieldsV1;
  assert.deepEqual(f['f:metadata']['f:labels'], { '.': {}, 'f:constructor': {}, 'f:toString': {} });
  assert.deepEqual(f['f:data'], { '.': {}, 'f:constructor': {} });
  // A later writer that adds a key and removes "constructor" owns the key it added, and
  // "constructor" (absent on the right) is not read as Object.prototype.constructor.
  const next = structuredClone(created);
  delete next.data!.constructor;
  next.data!.hasOwnProperty = 'y';
  const u = await api.update(next, { fieldManager: 'kubectl-edit' });
  assert.deepEqual(entry(u, 'kubectl-edit').fieldsV1, { 'f:data': { 'f:hasOwnProperty': {} } });
  assert.ok(!('f:constructor' in entry(u, 'kubectl-create').fieldsV1['f:data']));
});

test('a create records the same FieldsV1 whether an object with the same keys was created before or not', async () => {
  const api = await server();
  const event = (name: string, extra: Record<string, unknown> = {}): KObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: `u-${name}` },
    reason: 'Scheduled',
    message: `assigned ${name}`,
    source: {},
    firstTimestamp: null,
    type: 'Normal',
    action: 'Binding',
    ...extra,
    metadata: { ...(extra.metadata as object), name, namespace: 'default' },
  });
  // Same keys, other values; then other keys, a null where a string was, an object where a
  // scalar was, a list, a label whose name would read as a marker.
  const variants: Array<[string, Record<string, unknown>]> = [
    ['a', {}],
    ['b', { message: 'other', type: 'Warning' }],
    ['c', { series: { count: 2, lastObservedTime: '2026-11-22T06:00:00.000000Z' } }],
    ['d', { action: null }],
    ['e', { source: { component: 'kubelet' } }],
    ['f', { related: { kind: 'Node', name: 'n' }, count: 1 }],
    ['g', { metadata: { labels: { string: 'x', '0': 'y' } } }],
    ['h', { metadata: { finalizers: ['x'] } }],
  ];
  const remembered: Record<string, unknown>[] = [];
  for (const [name, extra] of variants) remembered.push(entry(await api.create(event(name, extra), { fieldManager: 'kube-scheduler' }), 'kube-scheduler').fieldsV1);
  for (const [i, [name, extra]] of variants.entries()) {
    forgetCreatedFields();
    const fresh = entry(await api.create(event(`${name}-2`, extra), { fieldManager: 'kube-scheduler' }), 'kube-scheduler').fieldsV1;
    assert.deepEqual(remembered[i], fresh, name);
  }
  assert.deepEqual(remembered[0], remembered[1], 'scalars do not change the set');
  assert.deepEqual(remembered[2]['f:series'], { '.': {}, 'f:count': {}, 'f:lastObservedTime': {} }, 'other keys, another set');
  assert.notDeepEqual(remembered[4]['f:source'], remembered[0]['f:source'], 'a value where an empty object was');
});

test('a create with lists (a ReplicaSet\'s pods) takes its FieldsV1 from the memo when its lists are the same, and computes it when a list\'s values differ', async () => {
  const api = await server();
  const pod = (name: string, vary: { image?: string; env?: Array<Record<string, unknown>>; ports?: Array<Record<string, unknown>>; uid?: string; finalizers?: string[]; args?: string[] } = {}): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: vary.uid ?? 'rs-1', controller: true, blockOwnerDeletion: true }],
      ...(vary.finalizers ? { finalizers: vary.finalizers } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: vary.image ?? 'nginx:1.27', env: vary.env ?? [{ name: 'A', value: '1' }], ports: vary.ports ?? [{ containerPort: 80 }], ...(vary.args ? { args: vary.args } : {}) }],
    },
  });
  // Each variant after the first differs from it in a list (or only outside one: 'same-lists');
  // its set must be what a fresh computation gives.
  const variants: Array<[string, Parameters<typeof pod>[1]]> = [
    ['base', {}],
    ['same-lists', {}],
    ['image', { image: 'nginx:1.28' }],
    ['env-name', { env: [{ name: 'B', value: '1' }] }],
    ['env-value', { env: [{ name: 'A', value: '2' }] }],
    ['env-two', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }],
    ['env-order', { env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }],
    ['port-udp', { ports: [{ containerPort: 80, protocol: 'UDP' }] }],
    ['port-81', { ports: [{ containerPort: 81 }] }],
    ['owner', { uid: 'rs-2' }],
    ['set', { finalizers: ['a', 'b'] }],
    ['set-2', { finalizers: ['a', 'c'] }],
    ['atomic', { args: ['x'] }],
    ['atomic-2', { args: ['x', 'y'] }],
  ];
  forgetCreatedFields();
  const remembered: Record<string, unknown>[] = [];
  const computed: number[] = [];
  for (const [name, vary] of variants) {
    const before = createsComputedCount();
    remembered.push(entry(await api.create(pod(name, vary), { fieldManager: 'kube-controller-manager' }), 'kube-controller-manager').fieldsV1);
    computed.push(createsComputedCount() - before);
  }
  assert.deepEqual(computed.slice(0, 2), [1, 0], 'the second pod with the same lists is not computed');
  for (const [i, [name, vary]] of variants.entries()) {
    forgetCreatedFields();
    const fresh = entry(await api.create(pod(`fresh-${name}`, vary), { fieldManager: 'kube-controller-manager' }), 'kube-controller-manager').fieldsV1;
    assert.deepEqual(remembered[i], fresh, name);
  }
  const containers = (i: number) => (remembered[i] as any)['f:spec']['f:containers'];
  assert.ok(containers(3)['k:{"name":"app"}']['f:env']['k:{"name":"B"}'], 'a list keyed by another value, another set');
  assert.ok(containers(7)['k:{"name":"app"}']['f:ports']['k:{"containerPort":80,"protocol":"UDP"}'], 'a key field\'s value');
  assert.ok((remembered[11] as any)['f:metadata']['f:finalizers']['v:"c"'], 'a set\'s values');
});

test('status updates decode the stored entries\' frozen field sets once each, and record what a fresh decoding records', async () => {
  const api = await server();
  const rt = api.registry.forKind('v1', 'Pod');
  await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, { fieldManager: 'kube-controller-manager' });
  const decoded: number[] = [];
  const entries: unknown[] = [];
  for (const [i, message] of ['one', 'two', 'three', 'four'].entries()) {
    const live = await api.get(rt, 'default', 'p');
    const before = frozenSetsDecodedCount();
    const written = await api.updateStatus({ ...live, status: { ...live.status, message, ...(i === 3 ? { reason: 'R' } : {}) } }, { fieldManager: 'kubelet' });
    decoded.push(frozenSetsDecodedCount() - before);
    entries.push((written.metadata.managedFields as any[]).map(({ time: _, ...e }: any) => e));
  }
  // The first update decodes the create's set, the second the kubelet's own (first stored by
  // the first), the third nothing new; the fourth changes the kubelet's set: one more next time.
  assert.deepEqual(decoded, [1, 1, 0, 0]);
  assert.deepEqual(entries[1], entries[2], 'the same entries as the write before');
  const kubelet = (entries[3] as any[]).find((e) => e.manager === 'kubelet');
  assert.deepEqual(kubelet.fieldsV1, { 'f:status': { 'f:message': {}, 'f:reason': {} } });
  assert.ok((entries[3] as any[]).some((e) => e.manager === 'kube-controller-manager' && e.fieldsV1['f:spec']), 'the create\'s entry kept');
});

test('two server-side applies creating the same new object at once: the loser of the create applies as an update (kube-apiserver retries it), no AlreadyExists', async () => {
  const api = await server();
  const rt = api.registry.forKind('v1', 'ConfigMap');
  const cm = (data: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race', namespace: 'default' }, data });
  // Both read "not found" before either creates (the store's calls interleave).
  const [a, b] = await Promise.all([
    api.apply(rt, cm({ a: '1' }), { fieldManager: 'one', force: false }),
    api.apply(rt, cm({ b: '2' }), { fieldManager: 'two', force: false }),
  ]);
  assert.deepEqual([a.created, b.created], [true, false]);
  const live = await api.get(rt, 'default', 'race');
  assert.deepEqual(live.data, { a: '1', b: '2' });
  assert.deepEqual((live.metadata.managedFields as any[]).map((e) => [e.manager, e.operation]), [['one', 'Apply'], ['two', 'Apply']]);
});

test('an applied configuration with a key twice in an associative list is refused as kube-apiserver does (500, no reason), nothing written', async () => {
  const api = await server();
  await apply(api, deployment(), 'a');
  const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u-1' };
  const config = deployment(3);
  config.metadata.ownerReferences = [owner, { ...owner, name: 'other' }];
  // Several at once: every one is listed (in the document's order; Go's map walk has none), the path naming the keyed item they are under.
  (config.spec.template.spec.containers[0] as any).env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }];
  (config.spec.template.spec.containers[0] as any).ports = [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }, { containerPort: 80, protocol: 'UDP' }];
  await assert.rejects(apply(api, config, 'a'), (e: any) => {
    assert.deepEqual([e.code, e.reason], [500, '']);
    assert.equal(
      e.message,
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n' +
        '  .metadata.ownerReferences: duplicate entries for key [uid="u-1"]\n' +
        '  .spec.template.spec.containers[name="app"].env: duplicate entries for key [name="A"]\n' +
        '  .spec.template.spec.containers[name="app"].ports: duplicate entries for key [containerPort=80,protocol="TCP"]',
    );
    return true;
  });
  const rt = api.registry.forKind('apps/v1', 'Deployment');
  assert.equal((await api.tryGet(rt, 'default', 'web'))!.spec.replicas, 2);
  // One error alone is the message itself; a finalizer (a set) twice names its value.
  const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', finalizers: ['x/y', 'x/y'] } };
  await assert.rejects(apply(api, cm, 'a'), { message: 'failed to create typed patch object (default/c; /v1, Kind=ConfigMap): .metadata.finalizers: duplicate entries for key [="x/y"]' });
});
