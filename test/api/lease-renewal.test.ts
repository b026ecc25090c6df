// A node Lease renewal's short path (src/api/lease-renewal.ts) against the whole update
// (ApiServer.update): the same stored Lease, managed fields and watch event; the same
// refusals (a stale resourceVersion, an admission policy on Leases).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { ApiError } from '../../src/api/errors';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { withFieldManager } from '../../src/api/managed-fields/index';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

const T0 = Date.parse('2026-11-22T06:00:00Z');
const micro = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

async function cluster(): Promise<{ api: ApiServer; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const api = await ApiServer.open(await openStore('memory://'), clock, seededRng(1), apiValidator());
  await api.bootstrap();
  return { api, clock };
}

const lease = (name: string): KObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: 'kube-node-lease' },
  spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(T0) },
});

/** What a client sees of a Lease, without what differs between two objects made alike (name, uid, versions). */
function seen(o: KObject): unknown {
  const { name, uid, resourceVersion, ...meta } = o.metadata;
  void name, uid, resourceVersion;
  return { ...o, metadata: meta, spec: { ...o.spec, holderIdentity: undefined } };
}

/** The Lease's managed fields. */
const entries = (o: KObject) => o.metadata.managedFields as any[];

/** Renews `a` through the whole update and `b` through the short path, as `manager` (none: no entry moves). */
async function renewBoth(api: ApiServer, at: number, manager: string | undefined): Promise<[KObject, KObject]> {
  const L = api.resolve('leases');
  const run = <T>(fn: () => Promise<T>) => (manager ? withFieldManager(manager, fn) : fn());
  const a = await api.get(L, 'kube-node-lease', 'a');
  const b = await api.tryGet(L, 'kube-node-lease', 'b', { shared: true });
  const viaUpdate = await run(() => api.update({ ...a, spec: { ...a.spec, renewTime: micro(at) } }));
  const viaRenew = await run(() => api.renewLease(b!, micro(at)));
  return [viaUpdate, viaRenew];
}

test('a renewal stores what the whole update stores: renewTime, a new resourceVersion, the manager entry at the write\'s time', async () => {
  const { api, clock } = await cluster();
  await withFieldManager('kubelet', () => api.create(lease('a')));
  await withFieldManager('kubelet', () => api.create(lease('b')));
  const L = api.resolve('leases');
  for (let i = 1; i <= 3; i++) {
    clock.advance(10_000 + 37);
    const before = Number((await api.get(L, 'kube-node-lease', 'b')).metadata.resourceVersion);
    const since = await api.currentRev();
    const [viaUpdate, viaRenew] = await renewBoth(api, clock.now(), 'kubelet');
    assert.deepEqual(seen(viaRenew), seen(viaUpdate));
    assert.equal(viaRenew.spec.renewTime, micro(clock.now()));
    assert.ok(Number(viaRenew.metadata.resourceVersion) > before);
    assert.equal(entries(viaRenew)[0].time, new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    // Watchers get the renewal as a MODIFIED event of the stored Lease.
    const events = (await api.changesSince(since)).filter((e) => e.object.metadata.name === 'b');
    assert.deepEqual(events.map((e) => [e.type, e.object.spec.renewTime, e.object.metadata.resourceVersion]), [['MODIFIED', micro(clock.now()), viaRenew.metadata.resourceVersion]]);
    assert.deepEqual(await api.get(L, 'kube-node-lease', 'b'), viaRenew);
  }
});

test('a renewal without a manager keeps the entries; another manager owning renewTime takes the whole update, alike', async () => {
  const { api, clock } = await cluster();
  await withFieldManager('kubelet', () => api.create(lease('a')));
  await withFieldManager('kubelet', () => api.create(lease('b')));
  clock.advance(10_000);
  let [viaUpdate, viaRenew] = await renewBoth(api, clock.now(), undefined);
  assert.deepEqual(seen(viaRenew), seen(viaUpdate));
  assert.equal(entries(viaRenew)[0].time, '2026-11-22T06:00:00Z', 'no manager: the entry stays');
  // Someone else writes renewTime: the kubelet's next renewal takes it back from them.
  clock.advance(10_000);
  [viaUpdate, viaRenew] = await renewBoth(api, clock.now(), 'someone-else');
  assert.deepEqual(seen(viaRenew), seen(viaUpdate));
  assert.deepEqual(entries(viaRenew).map((e: any) => e.manager), ['kubelet', 'someone-else']);
  clock.advance(10_000);
  [viaUpdate, viaRenew] = await renewBoth(api, clock.now(), 'kubelet');
  assert.deepEqual(seen(viaRenew), seen(viaUpdate));
  assert.deepEqual(entries(viaRenew).map((e: any) => [e.manager, Object.keys(e.fieldsV1['f:spec'])]), [['kubelet', ['f:holderIdentity', 'f:leaseDurationSeconds', 'f:renewTime']]]);
});

test('a renewal from a stale read is a Conflict; a policy bound to Leases refuses it; a malformed time is a BadRequest', async () => {
  const { api, clock } = await cluster();
  await api.create(lease('b'));
  const L = api.resolve('leases');
  const read = await api.get(L, 'kube-node-lease', 'b');
  clock.advance(10_000);
  await api.renewLease(read, micro(clock.now()));
  clock.advance(10_000);
  await assert.rejects(api.renewLease(read, micro(clock.now())), (e: unknown) => e instanceof ApiError && e.reason === 'Conflict' && e.message === 'Operation cannot be fulfilled on leases.coordination.k8s.io "b": the object has been modified; please apply your changes to the latest version and try again');
  await assert.rejects(api.renewLease(read, '2026-11-22T06:00:20Z'), (e: unknown) => e instanceof ApiError && e.reason === 'BadRequest');

  await api.create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'no-renewals' },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: ['coordination.k8s.io'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['leases'] }] }, validations: [{ expression: 'object.spec.renewTime == oldObject.spec.renewTime', message: 'renewals are frozen' }] },
  });
  await api.create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'no-renewals' }, spec: { policyName: 'no-renewals', validationActions: ['Deny'] } });
  const current = await api.get(L, 'kube-node-lease', 'b');
  await assert.rejects(api.renewLease(current, micro(clock.now())), (e: unknown) => e instanceof ApiError && e.reason === 'Invalid' && /renewals are frozen/.test(e.message));
  assert.equal((await api.get(L, 'kube-node-lease', 'b')).metadata.resourceVersion, current.metadata.resourceVersion, 'nothing written');
});
