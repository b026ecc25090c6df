// Cleanup under the real controllers and kubelet (memory driver): Events expire after their
// TTL on the cluster clock, and a deleted pod leaves no kubelet record, IP allocation or log
// behind, so a CronJob firing every minute stays bounded however long the clock runs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createControllerManager } from '../../src/controllers';
import { advanceManager as advance } from '../../src/cli/in-process';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { logStoreFor } from '../../src/kubelet/logs';
import { lastSeen } from '../../src/controllers/event-ttl';
import type { ApiServer } from '../../src/api/server';
import type { KObject } from '../../src/api/types';

before(async () => {
  await loadValidation();
});

const events = async (api: ApiServer, ns = 'default') => (await api.list(api.registry.forKind('v1', 'Event'), { namespace: ns })).items;
const metaNames = (api: ApiServer) => [...((api.store as unknown as { engine: { meta: Map<string, string> } }).engine.meta.keys())];
const logPods = (api: ApiServer) => new Set([...((logStoreFor(api.sim) as unknown as { logs: Map<string, unknown> }).logs.keys())].map((k) => k.split('/').slice(0, 2).join('/')));

test('events expire one TTL after their last update, through the API (watchers see DELETED)', async () => {
  const profile = defaultProfile('t', { nodes: 1 });
  profile.timings.eventTtlMs = 30 * 60_000;
  const c = await createMemoryCluster(profile, { validator: apiValidator() });
  const m = createControllerManager(c.ctx);
  await m.runUntilStable();
  const cm: KObject = await c.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
  await c.api.recordEvent(cm, 'Normal', 'Old', 'first', { component: 'test' });
  await advance(c.api, m, 20 * 60_000);
  await c.api.recordEvent(cm, 'Normal', 'Young', 'second', { component: 'test' });
  await advance(c.api, m, 20 * 60_000); // 40 min: Old (0 min) is past 30 min + a 3-minute sweep period
  let left = (await events(c.api)).map((e) => e.reason);
  assert.ok(!left.includes('Old'), `an event older than its TTL is still there: ${left}`);
  assert.ok(left.includes('Young'), `an event younger than its TTL was removed: ${left}`);
  // A repeat refreshes the TTL: the aggregated event lives on.
  await c.api.recordEvent(cm, 'Normal', 'Young', 'second', { component: 'test' });
  const rev = await c.api.currentRev();
  await advance(c.api, m, 25 * 60_000);
  left = (await events(c.api)).map((e) => e.reason);
  assert.ok(left.includes('Young'), 'an event updated 25 minutes ago expired with a 30-minute TTL');
  await advance(c.api, m, 10 * 60_000);
  left = (await events(c.api)).map((e) => e.reason);
  assert.ok(!left.includes('Young'), `still there 35 minutes after its last update: ${left}`);
  const deleted = (await c.api.changesSince(rev)).filter((ch) => ch.type === 'DELETED' && ch.object.kind === 'Event').map((ch) => ch.object.reason);
  assert.ok(deleted.includes('Young'), 'the expiry reached the change feed as a DELETED event');
  // No event left is older than TTL + the sweep period.
  for (const e of await events(c.api, 'kube-system')) assert.ok(c.clock.now() - lastSeen(e) <= 33 * 60_000, `${e.metadata.name} outlived its TTL`);
});

test('a CronJob every minute for 6 simulated hours stays bounded: events, kubelet records, logs, IP allocations', { timeout: 120_000 }, async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 1 }), { validator: apiValidator() });
  const m = createControllerManager(c.ctx);
  await c.api.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo tick'] }] } } } } },
  });
  const sizes: Array<{ events: number; records: number; logs: number; ips: number; objects: number }> = [];
  for (let h = 0; h < 6; h++) {
    await advance(c.api, m, 3_600_000);
    const records = metaNames(c.api).filter((n) => n.startsWith('kubelet-pod-')).length;
    const ips = Object.keys(await c.api.sim.podIPs('node-1')).length;
    const objects = (await c.api.store.list('')).items.length;
    sizes.push({ events: (await events(c.api)).length, records, logs: logPods(c.api).size, ips, objects });
  }
  const jobs = (await c.api.list(c.api.registry.forKind('batch/v1', 'Job'), { namespace: 'default' })).items;
  assert.ok(jobs.length >= 1 && jobs.length <= 4, `jobs kept: ${jobs.length}`);
  // successfulJobsHistoryLimit (3) keeps exactly the last three completed runs, and only their pods stay.
  const complete = jobs.filter((j) => (j.status?.conditions ?? []).some((x: any) => x.type === 'Complete' && x.status === 'True'));
  assert.equal(complete.length, 3, `completed jobs kept: ${complete.map((j) => j.metadata.name)}`);
  const pods = (await c.api.list(c.api.registry.forKind('v1', 'Pod'), { namespace: 'default' })).items;
  const jobUids = new Set(jobs.map((j) => j.metadata.uid));
  assert.ok(pods.length <= jobs.length && pods.every((p) => jobUids.has(p.metadata.ownerReferences?.[0]?.uid)), `pods: ${pods.map((p) => p.metadata.name)}`);
  const cj = await c.api.get(c.api.registry.forKind('batch/v1', 'CronJob'), 'default', 'tick');
  assert.ok(c.clock.now() - Date.parse(cj.status.lastScheduleTime) <= 60_000, 'the CronJob kept firing');
  const last = sizes.at(-1)!;
  // 60 runs an hour, ~10 events each: one TTL's worth (plus a sweep period) at most.
  assert.ok(last.events <= 66 * 11, `events: ${JSON.stringify(sizes)}`);
  assert.ok(last.events >= 50, `events: ${JSON.stringify(sizes)}`);
  // Only the pods still there (the jobs kept by history) have records, logs and addresses.
  assert.ok(last.records <= 4 && last.logs <= 4 && last.ips <= 4, JSON.stringify(sizes));
  // Steady state: the last hours hold what the second hour held, within a few objects.
  for (const s of sizes.slice(2)) assert.ok(Math.abs(s.objects - sizes[1].objects) <= 15, `objects grow: ${JSON.stringify(sizes.map((x) => x.objects))}`);
});

test('a pod deleted without passing through the kubelet is released by its node at once, not at the next periodic sweep', async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 1 }), { validator: apiValidator() });
  const m = createControllerManager(c.ctx);
  const podType = c.api.registry.forKind('v1', 'Pod');
  await c.api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  await advance(c.api, m, 30_000);
  const pod = await c.api.get(podType, 'default', 'p');
  assert.equal(pod.status.phase, 'Running');
  const uid = pod.metadata.uid!;
  assert.ok(await c.api.sim.podRuntime(uid));
  assert.ok(Object.values(await c.api.sim.podIPs('node-1')).includes(uid));
  await c.api.delete(podType, 'default', 'p', { gracePeriodSeconds: 0 }); // force: the kubelet never sees it terminate
  const at = c.clock.now();
  await m.processReady();
  assert.equal(c.clock.now(), at);
  assert.equal(await c.api.sim.podRuntime(uid), undefined);
  assert.ok(!Object.values(await c.api.sim.podIPs('node-1')).includes(uid));
  assert.ok(!logPods(c.api).has('default/p'));
});
