// The scheduler reconciler against an in-memory cluster: fit, unfit messages, taints,
// nodeSelector, anti-affinity, events and conditions.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile, nodeProfile } from '../../src/sim/profile';
import { ControllerManager } from '../../src/controllers/manager';
import { createScheduler } from '../../src/controllers/scheduler';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

async function cluster(nodes = 3, cpu = '2', memory = '4Gi') {
  const c = await createMemoryCluster(defaultProfile('t', { nodes, cpu, memory }), { validator: apiValidator() });
  const manager = new ControllerManager([createScheduler()], c.ctx);
  return { ...c, manager };
}

function pod(name: string, extra: Record<string, any> = {}, containerExtra: Record<string, any> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' }, ...(extra.metadata ?? {}) },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27', ...containerExtra }], ...(extra.spec ?? {}) },
  };
}

const getPod = (c: Awaited<ReturnType<typeof cluster>>, name: string) => c.api.get(c.api.resolve('pods'), 'default', name);
const events = async (c: Awaited<ReturnType<typeof cluster>>, name: string) =>
  (await c.api.list(c.api.resolve('events'), { namespace: 'default' })).items.filter((e) => e.involvedObject.name === name);

test('a pod that fits is bound with PodScheduled=True and a Scheduled event', async () => {
  const c = await cluster();
  await c.api.create(pod('web'));
  const r = await c.manager.runUntilStable();
  assert.equal(r.stable, true);
  const p = await getPod(c, 'web');
  assert.match(p.spec.nodeName, /^node-[123]$/);
  const cond = p.status.conditions.find((x: any) => x.type === 'PodScheduled');
  assert.equal(cond.status, 'True');
  const ev = await events(c, 'web');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].reason, 'Scheduled');
  assert.equal(ev[0].message, `Successfully assigned default/web to ${p.spec.nodeName}`);
  assert.equal(ev[0].reportingComponent, 'default-scheduler');
  assert.equal(ev[0].action, 'Binding');
  assert.match(ev[0].eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('insufficient cpu everywhere: exact FailedScheduling message and Unschedulable condition', async () => {
  const c = await cluster(3, '2');
  await c.api.create(pod('big', {}, { resources: { requests: { cpu: '3' } } }));
  await c.manager.runUntilStable();
  const p = await getPod(c, 'big');
  assert.equal(p.spec.nodeName, undefined);
  const msg = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
  const cond = p.status.conditions.find((x: any) => x.type === 'PodScheduled');
  assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', msg]);
  const ev = await events(c, 'big');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].reason, 'FailedScheduling');
  assert.equal(ev[0].type, 'Warning');
  assert.equal(ev[0].message, msg);
});

test('requests add up: the fourth 1-cpu pod on two 2-cpu nodes... fits, the fifth does not', async () => {
  const c = await cluster(2, '2');
  for (let i = 0; i < 5; i++) await c.api.create(pod(`p${i}`, {}, { resources: { requests: { cpu: '1' } } }));
  await c.manager.runUntilStable();
  const pods = (await c.api.list(c.api.resolve('pods'), { namespace: 'default' })).items;
  const bound = pods.filter((p) => p.spec.nodeName);
  assert.equal(bound.length, 4);
  assert.equal(bound.filter((p) => p.spec.nodeName === 'node-1').length, 2);
  const pending = pods.find((p) => !p.spec.nodeName)!;
  assert.equal(
    pending.status.conditions[0].message,
    '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
  );
});

test('taints and insufficient memory: histogram sorted as strings, preemption split', async () => {
  const profile = defaultProfile('t', { nodes: 3, memory: '1Gi' });
  profile.nodes[0] = { ...nodeProfile('cp', '4', '16Gi'), taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] };
  const c = await createMemoryCluster(profile, { validator: apiValidator() });
  const m = new ControllerManager([createScheduler()], c.ctx);
  await c.api.create(pod('mem', {}, { resources: { requests: { memory: '2Gi' } } }));
  await m.runUntilStable();
  const p = await c.api.get(c.api.resolve('pods'), 'default', 'mem');
  assert.equal(
    p.status.conditions[0].message,
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
  );
});

test('a toleration lets a pod onto a tainted node; nodeSelector restricts', async () => {
  const profile = defaultProfile('t', { nodes: 2 });
  profile.nodes[0].taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
  profile.nodes[0].labels.gpu = 'true';
  const c = await createMemoryCluster(profile, { validator: apiValidator() });
  const m = new ControllerManager([createScheduler()], c.ctx);
  await c.api.create(pod('gpu', { spec: { nodeSelector: { gpu: 'true' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }));
  await c.api.create(pod('nogpu', { spec: { nodeSelector: { gpu: 'true' } } }));
  await m.runUntilStable();
  const get = (n: string) => c.api.get(c.api.resolve('pods'), 'default', n);
  assert.equal((await get('gpu')).spec.nodeName, 'node-1');
  assert.equal((await get('nogpu')).spec.nodeName, undefined);
  assert.equal(
    (await get('nogpu')).status.conditions[0].message,
    "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  );
});

test('required anti-affinity on hostname: 3 pods on 2 nodes leave exactly one Pending', async () => {
  const c = await cluster(2);
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  for (const n of ['a', 'b', 'c']) await c.api.create(pod(n, { spec: { affinity: anti } }));
  await c.manager.runUntilStable();
  const pods = (await c.api.list(c.api.resolve('pods'), { namespace: 'default' })).items;
  const bound = pods.filter((p) => p.spec.nodeName);
  assert.deepEqual(bound.map((p) => p.spec.nodeName).sort(), ['node-1', 'node-2']);
  const pending = pods.filter((p) => !p.spec.nodeName);
  assert.equal(pending.length, 1);
  assert.equal(
    pending[0].status.conditions[0].message,
    "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
  // Deleting a bound pod frees a node: the pending one is retried and bound.
  await c.api.delete(c.api.resolve('pods'), 'default', bound[0].metadata.name!, { gracePeriodSeconds: 0 });
  await c.manager.runUntilStable();
  assert.equal((await c.api.get(c.api.resolve('pods'), 'default', pending[0].metadata.name!)).spec.nodeName, bound[0].spec.nodeName);
});

test('repeated failures aggregate into one event with a series', async () => {
  const c = await cluster(1, '1');
  await c.api.create(pod('big', {}, { resources: { requests: { cpu: '2' } } }));
  await c.manager.runUntilStable();
  await c.api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'tiny', labels: {} }, status: { allocatable: { cpu: '1', memory: '1Gi', pods: '10' } } });
  await c.manager.runUntilStable();
  const ev = await events(c, 'big');
  assert.equal(ev.length, 2, 'the message changed (2 nodes): a new event');
  assert.match(ev[1].message, /^0\/2 nodes are available: 2 Insufficient cpu\./);
});

// A later scheduler (the next process, a restarted daemon) aggregates into the events an
// earlier one wrote; it reads them once per namespace, not once per pending pod.
test("a new scheduler adds to the FailedScheduling series an earlier one wrote, reading the events once", async () => {
  const c = await cluster(1, '1');
  for (const n of ['a', 'b']) await c.api.create(pod(n, {}, { resources: { requests: { cpu: '2' } } }));
  await c.manager.runUntilStable();
  const lists: string[] = [];
  const list = c.api.list.bind(c.api);
  c.api.list = (rt, opts) => (lists.push(rt.plural), list(rt, opts));
  // A change that makes them worth another attempt, with the same outcome.
  const again = new ControllerManager([createScheduler()], c.ctx);
  for (const n of ['a', 'b']) await c.api.mutate(c.api.resolve('pods'), 'default', n, (p) => ((p.metadata.labels = { ...p.metadata.labels, touched: '1' }), p));
  await again.runUntilStable();
  c.api.list = list;
  for (const n of ['a', 'b']) {
    const ev = await events(c, n);
    assert.equal(ev.length, 1, `${n}: ${JSON.stringify(ev.map((e) => e.message))}`);
    assert.equal(ev[0].series?.count, 2, `${n}: the series of the earlier scheduler's event`);
  }
  assert.equal(lists.filter((p) => p === 'events').length, 1, `event lists: ${lists.filter((p) => p === 'events').length}`);
});

test('missing and unbound immediate PVCs are pre-filter messages', async () => {
  const c = await cluster(1);
  await c.api.create(pod('db', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } }));
  await c.manager.runUntilStable();
  const get = (n: string) => c.api.get(c.api.resolve('pods'), 'default', n);
  assert.equal((await get('db')).status.conditions[0].message, '0/1 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  await c.api.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await c.manager.runUntilStable();
  assert.equal((await get('db')).status.conditions[0].message, '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
});

test('no nodes at all', async () => {
  const c = await cluster(0);
  await c.api.create(pod('x'));
  await c.manager.runUntilStable();
  assert.equal((await getPod(c, 'x')).status.conditions[0].message, 'no nodes available to schedule pods');
});

test('a higher-priority pod preempts a lower-priority one', async () => {
  const c = await cluster(1, '1');
  await c.api.create(pod('low', {}, { resources: { requests: { cpu: '800m' } } }));
  await c.manager.runUntilStable();
  await c.api.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
  await c.api.create(pod('high', { spec: { priorityClassName: 'high' } }, { resources: { requests: { cpu: '800m' } } }));
  await c.manager.runUntilStable();
  const high = await getPod(c, 'high');
  assert.equal(high.status.nominatedNodeName, 'node-1');
  // First attempt nominated node-1; the retry (victim terminating) waits for it.
  assert.equal(high.status.conditions[0].message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.');
  assert.deepEqual((await events(c, 'high')).map((e) => e.message), ['0/1 nodes are available: 1 Insufficient cpu.', high.status.conditions[0].message]);
  const low = await getPod(c, 'low');
  assert.ok(low.metadata.deletionTimestamp, 'victim is terminating');
  assert.equal((await events(c, 'low')).find((e) => e.reason === 'Preempted')?.message, `Preempted by pod ${high.metadata.uid} on node node-1`);
});

test('only unassigned pods are queued: a binding or a later change of a bound pod costs no reconcile', async () => {
  const c = await cluster(3);
  for (let i = 0; i < 20; i++) await c.api.create(pod(`w${i}`, {}, { resources: { requests: { cpu: '10m' } } }));
  const r = await c.manager.runUntilStable();
  // One reconcile per pending pod: its own binding does not queue it again.
  assert.equal(r.reconciles, 20);
  const pods = (await c.api.list(c.api.resolve('pods'), { namespace: 'default' })).items;
  assert.equal(pods.filter((p) => p.spec.nodeName).length, 20);
  await c.api.mutate(c.api.resolve('pods'), 'default', 'w3', (p) => {
    p.metadata.labels = { ...p.metadata.labels, tier: 'x' };
    return p;
  });
  assert.equal((await c.manager.runUntilStable()).reconciles, 0);
  // A pending pod's changes still are: its creation, then its own Unschedulable status write
  // (that second look finds nothing new and waits).
  await c.api.create(pod('late', {}, { resources: { requests: { cpu: '100' } } }));
  const late = await c.manager.runUntilStable();
  assert.equal(late.reconciles, 2);
  assert.equal((await getPod(c, 'late')).status.conditions[0].reason, 'Unschedulable');
});

test("scores are kube-scheduler's integers: LeastAllocated on non-zero requests, BalancedAllocation on requests as they are", async () => {
  const { scoreNodes } = await import('../../src/controllers/scheduler-plugins');
  const { newNodeInfo, addPod } = await import('../../src/controllers/scheduler-nodes');
  const node = (name: string) => newNodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: {} }, spec: {}, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } } });
  const withRequests = (name: string, requests?: Record<string, string>) => pod(name, {}, requests ? { resources: { requests } } : {});
  const score = (incoming: KObject, nodes: ReturnType<typeof node>[]) =>
    Array.from(scoreNodes(incoming, nodes, { nodes: new Map(nodes.map((n) => [n.name, n])), namespaceLabels: () => undefined, spreadCache: new Map() }));

  // 100m / 128Mi on an empty node: fit (95 + 96) / 2 = 95, balanced int64((1 - |0.05 - 0.03125| / 2) * 100) = 99,
  // taints 3 × 100. Beside a 1m / 1Mi pod: fit (94 + 96) / 2 = 95, balanced 99. In float64 the empty
  // node scored 195.0 against 194.95 and always won; as integers they tie (selectHost samples them).
  const a = node('a');
  const b = node('b');
  addPod(b, withRequests('tiny', { cpu: '1m', memory: '1Mi' }));
  assert.deepEqual(score(withRequests('x', { cpu: '100m', memory: '128Mi' }), [a, b]), [494, 494]);

  // A pod without requests: LeastAllocated counts 100m / 200Mi for it and for the best-effort pod
  // already there (fit 95 and 90), BalancedAllocation the requests as they are (0: balanced 100).
  const c = node('c');
  const d = node('d');
  addPod(d, withRequests('besteffort'));
  assert.deepEqual(score(withRequests('y'), [c, d]), [495, 490]);
});

test('exact ties are broken at random among the tied nodes (selectHost)', async () => {
  const chosen = new Set<string>();
  for (let seed = 1; seed <= 12 && chosen.size < 2; seed++) {
    const c = await createMemoryCluster(defaultProfile('t', { nodes: 2, cpu: '2', memory: '4Gi' }), { validator: apiValidator(), seed });
    const manager = new ControllerManager([createScheduler()], c.ctx);
    await c.api.create(pod('x', {}, { resources: { requests: { cpu: '100m', memory: '128Mi' } } }));
    await manager.runUntilStable();
    chosen.add((await c.api.get(c.api.resolve('pods'), 'default', 'x')).spec.nodeName);
  }
  assert.deepEqual([...chosen].sort(), ['node-1', 'node-2']);
});

test("another writer's change between a bind and the next pod is not skipped by the scheduler's snapshot", async () => {
  // In the daemon a user's request or another controller can write while the scheduler binds:
  // here the pod holding most of the node is deleted right after the first bind.
  const c = await cluster(1, '2');
  await c.api.create(pod('old', { spec: { nodeName: 'node-1' } }, { resources: { requests: { cpu: '1500m' } } }));
  await c.api.create(pod('first', {}, { resources: { requests: { cpu: '100m' } } }));
  await c.api.create(pod('second', {}, { resources: { requests: { cpu: '1' } } }));
  const bind = c.api.bindPod.bind(c.api);
  let deleted = false;
  c.api.bindPod = async (ns: string, name: string, node: string) => {
    const bound = await bind(ns, name, node);
    if (!deleted) {
      deleted = true;
      await c.api.delete(c.api.resolve('pods'), 'default', 'old', { gracePeriodSeconds: 0 });
    }
    return bound;
  };
  await c.manager.runUntilStable();
  assert.equal(deleted, true);
  assert.equal((await c.api.tryGet(c.api.resolve('pods'), 'default', 'old')), undefined);
  assert.equal((await getPod(c, 'first')).spec.nodeName, 'node-1');
  assert.equal((await getPod(c, 'second')).spec.nodeName, 'node-1');
});

test("percentageOfNodesToScore (adaptive): a pod is scored on kube-scheduler's sample of feasible nodes, the next pod's sample starting where it stopped", async () => {
  const { numFeasibleNodesToFind } = await import('../../src/controllers/scheduler');
  // All nodes below 100; else max(5, 50 - n/125) % of them, at least 100 (v1.32 numFeasibleNodesToFind).
  assert.deepEqual([99, 100, 200, 1000, 5000, 20000].map(numFeasibleNodesToFind), [99, 100, 100, 420, 500, 1000]);
  // 200 nodes in list (name) order; n-150 is the largest, so it scores highest wherever it is sampled.
  const profile = defaultProfile('t', { nodes: 0 });
  profile.nodes = Array.from({ length: 200 }, (_, i) => nodeProfile(`n-${String(i + 1).padStart(3, '0')}`, i + 1 === 150 ? '64' : '4', i + 1 === 150 ? '256Gi' : '8Gi'));
  const c = await createMemoryCluster(profile, { validator: apiValidator() });
  const manager = new ControllerManager([createScheduler()], c.ctx);
  const placed: number[] = [];
  for (let i = 0; i < 4; i++) {
    await c.api.create(pod(`p${i}`, {}, { resources: { requests: { cpu: '100m', memory: '128Mi' } } }));
    await manager.runUntilStable();
    placed.push(Number((await c.api.get(c.api.resolve('pods'), 'default', `p${i}`)).spec.nodeName.slice(2)));
  }
  // The first pod sees n-001..n-100 only (not the best node), the second n-101..n-200, and so on.
  assert.ok(placed[0] <= 100 && placed[2] <= 100, `${placed}`);
  assert.deepEqual([placed[1], placed[3]], [150, 150]);
  // A pod that fits one node only: filtering goes on past the sample until it is found.
  await c.api.create(pod('big', {}, { resources: { requests: { cpu: '32' } } }));
  await manager.runUntilStable();
  assert.equal((await c.api.get(c.api.resolve('pods'), 'default', 'big')).spec.nodeName, 'n-150');
  // Nothing fits: every node is examined and counted in the message.
  await c.api.create(pod('huge', {}, { resources: { requests: { cpu: '100' } } }));
  await manager.runUntilStable();
  const cond = (await c.api.get(c.api.resolve('pods'), 'default', 'huge')).status.conditions.find((x: any) => x.type === 'PodScheduled');
  assert.equal(cond.message, '0/200 nodes are available: 200 Insufficient cpu. preemption: 0/200 nodes are available: 200 No preemption victims found for incoming pod.');
});
