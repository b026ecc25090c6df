import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { replicaSetReconciler, replicationControllerReconciler, rankPodsForDeletion } from '../../src/controllers/replicaset';
import type { KObject } from '../../src/api/types';

const rs = (replicas: number): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'fe', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { tier: 'fe' } }, template: { metadata: { labels: { tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

test('self-heals after a pod is deleted', async () => {
  const h = await Harness.create([replicaSetReconciler], { nodes: 1 });
  await h.api.create(rs(2));
  await h.run();
  const before = (await h.pods()).map((p) => p.metadata.name);
  assert.equal(before.length, 2);
  await h.api.delete(h.type('v1', 'Pod'), 'default', before[0]!, { gracePeriodSeconds: 0 });
  await h.run();
  const after = (await h.pods()).map((p) => p.metadata.name);
  assert.equal(after.length, 2);
  assert.ok(!after.includes(before[0]));
  assert.ok((await h.events()).includes(`SuccessfulCreate Created pod: ${after.find((n) => !before.includes(n))}`));
});

test('adopts a matching orphan, releases a pod whose labels stop matching', async () => {
  const h = await Harness.create([replicaSetReconciler], { nodes: 1 });
  await h.api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await h.api.create(rs(2));
  await h.run();
  const pods = await h.pods();
  assert.equal(pods.length, 2);
  const stray = await h.get('v1', 'Pod', 'stray');
  assert.equal(stray.metadata.ownerReferences![0].name, 'fe');
  await h.api.mutate(h.type('v1', 'Pod'), 'default', 'stray', (p) => void (p.metadata.labels = { tier: 'debug' }));
  await h.run();
  assert.equal((await h.get('v1', 'Pod', 'stray')).metadata.ownerReferences, undefined);
  assert.equal((await h.pods()).length, 3);
  const st = (await h.get('apps/v1', 'ReplicaSet', 'fe')).status;
  assert.equal(st.replicas, 2);
});

test('scale down deletes unscheduled and not-ready pods first, and reports status', async () => {
  const h = await Harness.create([replicaSetReconciler], { nodes: 1 });
  let n = 0;
  h.behaviour = () => (n++ % 3 === 0 ? 'running' : 'ready');
  await h.api.create(rs(3));
  await h.run();
  const notReady = (await h.pods()).filter((p) => p.status.conditions[0].status === 'False').map((p) => p.metadata.name);
  assert.equal(notReady.length, 1);
  h.behaviour = undefined;
  await h.api.mutate(h.type('apps/v1', 'ReplicaSet'), 'default', 'fe', (o) => void (o.spec.replicas = 2));
  await h.run();
  assert.ok(!(await h.pods()).some((p) => p.metadata.name === notReady[0]));
  assert.ok((await h.events()).includes(`SuccessfulDelete Deleted pod: ${notReady[0]}`));
  assert.deepEqual((await h.get('apps/v1', 'ReplicaSet', 'fe')).status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 });
});

test('ranking: unscheduled < pending < not ready < ready; newer first', () => {
  const pod = (name: string, node: string | undefined, phase: string, ready: boolean, created: string): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, creationTimestamp: created },
    spec: node ? { nodeName: node } : {},
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const ranked = rankPodsForDeletion([
    pod('ready-old', 'n1', 'Running', true, '2025-01-01T00:00:00Z'),
    pod('ready-new', 'n2', 'Running', true, '2025-01-01T00:01:00Z'),
    pod('notready', 'n3', 'Running', false, '2025-01-01T00:00:00Z'),
    pod('pending', 'n4', 'Pending', false, '2025-01-01T00:00:00Z'),
    pod('unscheduled', undefined, 'Pending', false, '2025-01-01T00:00:00Z'),
  ]).map((p) => p.metadata.name);
  assert.deepEqual(ranked, ['unscheduled', 'pending', 'notready', 'ready-new', 'ready-old']);
});

test('ReplicationController uses its map selector', async () => {
  const h = await Harness.create([replicationControllerReconciler], { nodes: 1 });
  await h.api.create({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { replicas: 2, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
  await h.run();
  assert.equal((await h.pods()).length, 2);
  assert.equal((await h.pods())[0].metadata.ownerReferences![0].kind, 'ReplicationController');
  assert.equal((await h.get('v1', 'ReplicationController', 'rc')).status.readyReplicas, 2);
});

test('a refused create backs off 10 s, then 20 s, read from the store: a new process holds off as the last one would', async () => {
  const h = await Harness.create([replicaSetReconciler], { nodes: 1 });
  await h.api.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'default' }, spec: { hard: { pods: '1' } } });
  await h.api.create(rs(3));
  const key = { kind: 'ReplicaSet', namespace: 'default', name: 'fe' };
  const failures = async () => (await h.events()).filter((e) => e.startsWith('FailedCreate ')).length;
  // Each call stands for a command of its own: only the store carries what came before.
  const reconcile = () => replicaSetReconciler.reconcile(key, { ...h.ctx });

  const first = await reconcile();
  assert.equal((await h.pods()).length, 1);
  assert.equal(await failures(), 1);
  assert.equal(first?.requeueAfterMs, 10_000);
  h.clock.advance(9_000);
  const held = await reconcile();
  assert.equal(await failures(), 1, 'no attempt before the back-off ends');
  assert.equal(held?.requeueAfterMs, 1_000);
  h.clock.advance(1_000);
  const second = await reconcile();
  assert.equal(await failures(), 2);
  assert.equal(second?.requeueAfterMs, 20_000);
  const cond = (await h.get('apps/v1', 'ReplicaSet', 'fe')).status.conditions[0];
  assert.deepEqual([cond.type, cond.reason], ['ReplicaFailure', 'FailedCreate']);

  // Another cluster in this process, its ReplicaSet of the same uid (same seed, same
  // creations) under a quota it fits in: nothing of the first one's back-off reaches it.
  const other = await Harness.create([replicaSetReconciler], { nodes: 1 });
  await other.api.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'default' }, spec: { hard: { pods: '10' } } });
  await other.api.create(rs(3));
  assert.equal((await other.get('apps/v1', 'ReplicaSet', 'fe')).metadata.uid, (await h.get('apps/v1', 'ReplicaSet', 'fe')).metadata.uid);
  await replicaSetReconciler.reconcile(key, { ...other.ctx });
  assert.equal((await other.pods()).length, 3);
});

test('the back-off does not depend on stored events: with the spam filter dropping every FailedCreate, it still doubles and turns steady', async () => {
  const h = await Harness.create([replicaSetReconciler], { nodes: 1 });
  await h.api.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'default' }, spec: { hard: { pods: '1' } } });
  const fe = await h.api.create(rs(3));
  // Earlier warnings of the same source about this ReplicaSet use up the spam filter's 25.
  for (let i = 0; i < 25; i++) await h.api.recordEvent(fe, 'Warning', 'FailedDelete', `Error deleting: earlier ${i}`, { component: 'replicaset-controller' });
  const key = { kind: 'ReplicaSet', namespace: 'default', name: 'fe' };
  const reconcile = () => replicaSetReconciler.reconcile(key, { ...h.ctx });
  const results = [];
  for (const wait of [0, 10_000, 20_000, 40_000, 80_000]) {
    h.clock.advance(wait);
    results.push(await reconcile());
  }
  // Each attempt failed and waits twice as long; past 20 s the retry is steady state, so
  // `reconcile --until-stable` settles (before, every retry came 10 s later as progress).
  assert.deepEqual(results, [{ requeueAfterMs: 10_000, periodic: false }, { requeueAfterMs: 20_000, periodic: false }, { requeueAfterMs: 40_000, periodic: true }, { requeueAfterMs: 80_000, periodic: true }, { requeueAfterMs: 160_000, periodic: true }]);
  assert.equal((await h.events()).filter((e) => e.startsWith('FailedCreate ')).length, 0, 'every FailedCreate was dropped');
  h.clock.advance(60_000);
  assert.deepEqual(await reconcile(), { requeueAfterMs: 100_000, periodic: true }, 'holding off: no attempt before the wait ends');

  // A pod of its own going away makes room: the next look retries at once, and succeeds.
  const [pod] = await h.pods();
  await h.api.delete(h.type('v1', 'Pod'), 'default', pod.metadata.name!, { gracePeriodSeconds: 0 });
  assert.deepEqual(await reconcile(), { requeueAfterMs: 300_000, periodic: true }, 'the next create failed again: 5 minutes');
  assert.equal((await h.pods()).length, 1, 'its replacement was created at once');

  // Once creates succeed the back-off is forgotten: a later refusal starts again at 10 s.
  await h.api.mutate(h.type('v1', 'ResourceQuota'), 'default', 'pods', (q) => void (q.spec.hard.pods = '3'));
  h.clock.advance(300_000);
  assert.equal(await reconcile(), undefined);
  assert.equal((await h.pods()).length, 3);
  assert.equal((await h.get('apps/v1', 'ReplicaSet', 'fe')).status.conditions, undefined);
  assert.deepEqual(await h.api.sim.createFailures('default'), {});
  await h.api.mutate(h.type('apps/v1', 'ReplicaSet'), 'default', 'fe', (o) => void (o.spec.replicas = 4));
  assert.deepEqual(await reconcile(), { requeueAfterMs: 10_000, periodic: false });

  // Deleting the ReplicaSet forgets its back-off too.
  assert.equal(Object.keys(await h.api.sim.createFailures('default')).length, 1);
  await h.api.delete(h.type('apps/v1', 'ReplicaSet'), 'default', 'fe');
  await reconcile();
  assert.deepEqual(await h.api.sim.createFailures('default'), {});
});

test('a large scale-up records events as client-go\'s correlator lets it: 9 distinct, then one combined event, then the spam filter drops the rest', async () => {
  const h = await Harness.create([replicaSetReconciler], { nodes: 1 });
  await h.api.create(rs(40));
  await h.run();
  assert.equal((await h.pods()).length, 40);
  const created = (await h.api.list(h.type('v1', 'Event'), { namespace: 'default' })).items.filter((e) => e.reason === 'SuccessfulCreate');
  const plain = created.filter((e) => !e.message.startsWith('(combined from similar events): '));
  const combined = created.filter((e) => e.message.startsWith('(combined from similar events): Created pod: fe-'));
  assert.equal(plain.length, 9, created.map((e) => e.message).join('\n'));
  assert.equal(combined.length, 1);
  // 25 events pass the spam filter (burst 25): the 10th to the 25th make up the combined one.
  assert.equal(combined[0].count, 16);
  assert.equal(created.reduce((n, e) => n + (e.count ?? 1), 0), 25);
});
