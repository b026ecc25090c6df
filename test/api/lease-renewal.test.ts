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
import { openApiWithClock } from '../../src/api/open';
import { registerNode } from '../../src/cluster/cluster';
import { defaultProfile } from '../../src/sim/profile';
import { createControllerManager, engineReconcilers } from '../../src/controllers/index';
import { withTempDir } from '../helpers/temp-dir';

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

/** Counts the journal writes (fs.writeSync of lines) and the lines they carry while fn runs. */
async function journalWrites(fn: () => Promise<unknown>): Promise<{ writes: number; lines: number }> {
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod.writeSync as (...a: unknown[]) => number;
  const seen = { writes: 0, lines: 0 };
  mod.writeSync = (fd: unknown, data: unknown, ...rest: unknown[]) => {
    if (Buffer.isBuffer(data) && data.subarray(0, 7).toString() === '{"rev":') {
      seen.writes++;
      seen.lines += data.toString().split('\n').filter(Boolean).length;
    }
    return orig(fd, data, ...rest);
  };
  try {
    await fn();
  } finally {
    mod.writeSync = orig;
  }
  return seen;
}

test('the kubelets\' renewals due on one tick go to the file store as one journal append, each Lease its own version and event', () => withTempDir('kubesim-renew-batch-', async (dir) => {
  const clock = new ManualClock(T0);
  const api = await openApiWithClock(`file://${dir}?create=1&fsync=0`, clock, seededRng(1), apiValidator());
  const profile = defaultProfile('t', { nodes: 12 });
  await api.sim.setProfile(profile);
  await api.bootstrap();
  for (const [i, n] of profile.nodes.entries()) await registerNode(api, n, i);
  const m = createControllerManager({ api, clock, rng: seededRng(1), profile, log: () => {} }, engineReconcilers());
  await m.runUntilStable({ timeoutMs: 1_000 });
  const L = api.resolve('leases');
  const leases = async () => (await api.list(L, { namespace: 'kube-node-lease' })).items;
  const first = await leases();
  assert.equal(first.length, 12, 'a Lease per node');
  // Every kubelet's beat falls due 10-10.4 s later: one tick renews them all.
  const since = await api.currentRev();
  clock.advance(10_400);
  const counted = await journalWrites(() => m.processReady());
  const renewed = await leases();
  const events = (await api.changesSince(since)).filter((e) => e.key.startsWith('leases/kube-node-lease/'));
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.object.spec.renewTime]), renewed.map((l) => ['MODIFIED', l.metadata.name, micro(T0 + 10_400)]), 'one MODIFIED event per Lease at the tick\'s time');
  assert.equal(new Set(renewed.map((l) => l.metadata.resourceVersion)).size, 12, 'each Lease its own resourceVersion');
  for (const [i, l] of renewed.entries()) {
    assert.deepEqual({ ...l.spec, renewTime: undefined }, { ...first[i].spec, renewTime: undefined }, 'only renewTime moved');
    assert.equal(entries(l)[0].manager, 'kubelet');
  }
  // main: 12 appends of one line each.
  assert.ok(counted.lines >= 12, `the renewals' lines went through writeSync (${counted.lines})`);
  assert.equal(counted.writes, counted.lines - 11, `12 renewal lines in one append (${counted.writes} appends of ${counted.lines} lines)`);
  // Another process reading the store (no daemon) sees every renewal.
  const other = await openApiWithClock(`file://${dir}?fsync=0`, clock, seededRng(2), apiValidator());
  assert.deepEqual((await other.list(L, { namespace: 'kube-node-lease' })).items.map((l) => l.metadata.resourceVersion), renewed.map((l) => l.metadata.resourceVersion));
}));
