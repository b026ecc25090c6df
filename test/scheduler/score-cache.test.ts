// The NodeTable's numbers: scoring through the table (what the scheduler does) gives the
// totals computed from the NodeInfo objects afresh, pod after pod, while pods are bound and
// removed, nodes change, and request shapes come and go past what it remembers; the filter
// loop's check on the table's free room lets through exactly the nodes filterNode does; the
// node chosen inside the filter loop is the one scoring then selecting chooses, with the same draws.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterNode, findFeasibleNodes, pickByFit, scoreNodes, type FilterContext, type NodeStatus } from '../../src/controllers/scheduler-plugins';
import { addPod, newNodeInfo, NodeTable, removePod, setNode, type NodeInfo } from '../../src/controllers/scheduler-nodes';
import { seededRng } from '../../src/sim/rng';
import type { KObject } from '../../src/api/types';

const nodeObject = (name: string, cpu: string, memory: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: {} },
  spec: {},
  status: { allocatable: { cpu, memory, pods: '110' } },
});

let uid = 0;
function pod(requests: Record<string, string> | undefined): KObject {
  uid++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${uid}`, namespace: 'default', uid: `u${uid}` },
    spec: { containers: [{ name: 'c', image: 'nginx', ...(requests ? { resources: { requests } } : {}) }] },
  };
}

const fresh = (nodes: NodeInfo[]): FilterContext => ({ nodes: new Map(nodes.map((n) => [n.name, n])), namespaceLabels: () => undefined, spreadCache: new Map() });

test('fit scores and owner counts read from the NodeTable equal scores computed afresh as nodes, request shapes and owners change', () => {
  const rng = seededRng(7);
  const nodes = Array.from({ length: 40 }, (_, i) => newNodeInfo(nodeObject(`n${i}`, i % 3 ? '4' : '2', i % 5 ? '8Gi' : '3Gi')));
  const table = new NodeTable(nodes);
  const index = new Int32Array(nodes.length);
  const totals = new Float64Array(nodes.length);
  // More shapes than the table remembers; some differ only in what they request as it is
  // (100m / 200Mi are also the non-zero defaults of a request left out).
  const shapes: Array<Record<string, string> | undefined> = [{ cpu: '100m', memory: '128Mi' }, { cpu: '10m', memory: '16Mi' }, { cpu: '1', memory: '1Gi' }, { cpu: '100m', memory: '200Mi' }, { cpu: '100m' }, { memory: '200Mi' }, undefined, { memory: '300Mi' }];
  const placed: Array<[KObject, NodeInfo]> = [];
  const tainted = new Set<string>();
  let sawTainted = false;
  let sawUntainted = false;
  let compared = 0;
  for (let step = 0; step < 600; step++) {
    const incoming = pod(shapes[Math.floor(rng() * (step < 300 ? 2 : shapes.length))]);
    // Most pods have a controller, more of them than the table keeps counts for (the default
    // spreading score reads the table's row of counts of the owner's pods).
    if (rng() < 0.8) incoming.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: `rs-${Math.floor(rng() * 70)}`, controller: true }];
    // A window of rows, as the sampled filter hands them over (wrapping around).
    const start = Math.floor(rng() * nodes.length);
    const feasible = Array.from({ length: 15 }, (_, k) => nodes[(start + k) % nodes.length]);
    feasible.forEach((ni, k) => (index[k] = ni.slot!.index));
    const viaTable = Array.from(scoreNodes(incoming, feasible, fresh(nodes), { table, index, totals })).slice(0, feasible.length);
    const afresh = Array.from(scoreNodes(incoming, feasible, fresh(nodes)));
    assert.deepEqual(viaTable, afresh, `step ${step}`);
    compared += feasible.length;
    // The cluster moves on: the pod is bound to one of them, sometimes one leaves, sometimes a node is resized.
    const to = feasible[Math.floor(rng() * feasible.length)];
    addPod(to, incoming);
    placed.push([incoming, to]);
    if (rng() < 0.2 && placed.length) {
      const [gone, on] = placed.splice(Math.floor(rng() * placed.length), 1)[0];
      removePod(on, gone);
    }
    if (rng() < 0.05) {
      const ni = nodes[Math.floor(rng() * nodes.length)];
      const o = nodeObject(ni.name, rng() < 0.5 ? '8' : '3', rng() < 0.5 ? '16Gi' : '5Gi');
      // PreferNoSchedule taints come and go (the table counts its tainted rows: with none,
      // TaintToleration's full score is added in the fit loop).
      if (rng() < 0.5) o.spec.taints = [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }];
      setNode(ni, o);
      tainted.add(ni.name);
      if (!o.spec.taints) tainted.delete(ni.name);
    }
    sawTainted ||= tainted.size > 0;
    sawUntainted ||= tainted.size === 0 && step > 0;
    assert.equal(table.preferTainted, tainted.size, `step ${step}`);
  }
  assert.equal(compared, 600 * 15);
  assert.ok(sawTainted && sawUntainted, 'the run crossed between tainted and untainted tables');
});

test("the filter loop's check on the table's room agrees with filterNode on every node", () => {
  const rng = seededRng(11);
  const node = (i: number): KObject => {
    const o = nodeObject(`n${i}`, ['1', '2', '500m'][i % 3], ['1Gi', '2Gi'][i % 2]);
    o.status.allocatable['ephemeral-storage'] = i % 4 ? '10Gi' : '1Gi';
    o.status.allocatable.pods = String(1 + (i % 4));
    if (i % 7 === 0) o.spec.unschedulable = true;
    if (i % 5 === 0) o.spec.taints = [{ key: 'k', value: 'v', effect: i % 10 ? 'NoSchedule' : 'PreferNoSchedule' }];
    return o;
  };
  const nodes = Array.from({ length: 60 }, (_, i) => newNodeInfo(node(i)));
  const table = new NodeTable(nodes);
  const rows = new Int32Array(nodes.length);
  const shapes: Array<Record<string, string> | undefined> = [{ cpu: '300m', memory: '700Mi' }, { cpu: '1', memory: '100Mi', 'ephemeral-storage': '2Gi' }, { memory: '1500Mi' }, undefined];
  let fitted = 0;
  let refused = 0;
  for (let step = 0; step < 300; step++) {
    const incoming = pod(shapes[step % shapes.length]);
    const feasible: NodeInfo[] = [];
    const rejected: Array<[string, NodeStatus]> = [];
    const examined = findFeasibleNodes(incoming, nodes, table, 0, nodes.length, fresh(nodes), feasible, rows, rejected);
    assert.equal(examined, nodes.length);
    const expected = nodes.filter((ni) => !filterNode(incoming, ni, fresh(nodes))).map((ni) => ni.name);
    assert.deepEqual(feasible.map((ni) => ni.name), expected, `step ${step}`);
    fitted += feasible.length;
    refused += rejected.length;
    // Bind it somewhere it fits; now and then one leaves.
    if (feasible.length) addPod(feasible[Math.floor(rng() * feasible.length)], incoming);
    if (rng() < 0.4) {
      const on = nodes.filter((ni) => ni.pods.length);
      if (on.length) {
        const ni = on[Math.floor(rng() * on.length)];
        removePod(ni, ni.pods[0]);
      }
    }
  }
  assert.ok(fitted > 0 && refused > 0);
});

test("the default spreading score counts a controller's pods per node from the node's tally, without reading the bound pods", () => {
  const rng = seededRng(23);
  const owned = (owner: string, extra?: string): KObject => {
    const p = pod({ cpu: '10m', memory: '16Mi' });
    p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }];
    // An owner named twice, and a second owner, count once each.
    if (extra) p.metadata.ownerReferences.push({ apiVersion: 'v1', kind: 'ConfigMap', name: extra, uid: extra }, { apiVersion: 'v1', kind: 'ConfigMap', name: extra, uid: extra });
    return p;
  };
  const nodes = Array.from({ length: 12 }, (_, i) => newNodeInfo(nodeObject(`n${i}`, '64', '256Gi')));
  const placed: Array<[KObject, NodeInfo]> = [];
  const owners = ['rs-a', 'rs-b', 'rs-c'];
  for (let step = 0; step < 400; step++) {
    const p = owned(owners[Math.floor(rng() * owners.length)], rng() < 0.3 ? 'rs-b' : undefined);
    const to = nodes[Math.floor(rng() * nodes.length)];
    addPod(to, p);
    placed.push([p, to]);
    if (rng() < 0.3) {
      const [gone, on] = placed.splice(Math.floor(rng() * placed.length), 1)[0];
      removePod(on, gone);
    }
  }
  // The tally is what a walk over each node's pods counts.
  for (const ni of nodes) {
    for (const o of owners) {
      const walked = ni.pods.filter((p) => p.metadata.ownerReferences!.some((r: any) => r.uid === o)).length;
      assert.equal(ni.owners.get(o) ?? 0, walked, `${ni.name} ${o}`);
    }
  }
  // The score: 2 × (100 - 100 × count / the highest count), truncated, over the fit scores.
  const counts = nodes.map((ni) => ni.pods.filter((p) => p.metadata.ownerReferences!.some((r: any) => r.uid === 'rs-a')).length);
  const highest = Math.max(...counts);
  assert.ok(highest > 0 && counts.some((c) => c !== highest), 'the counts differ from node to node');
  const incoming = owned('rs-a');
  const withSpread = Array.from(scoreNodes(incoming, nodes, fresh(nodes)));
  const alone = pod({ cpu: '10m', memory: '16Mi' });
  const withoutSpread = Array.from(scoreNodes(alone, nodes, fresh(nodes)));
  assert.deepEqual(
    withSpread.map((t, i) => t - withoutSpread[i]),
    counts.map((c) => 2 * (100 - Math.floor((100 * c) / highest))),
  );
  // Scoring reads no bound pod's ownerReferences (it read every one, for every pod scored).
  let reads = 0;
  for (const ni of nodes) {
    for (const p of ni.pods) {
      const refs = p.metadata.ownerReferences;
      Object.defineProperty(p.metadata, 'ownerReferences', { get: () => (reads++, refs) });
    }
  }
  scoreNodes(owned('rs-a'), nodes, fresh(nodes));
  assert.equal(reads, 0);
});

test('selectHost inside the filter loop chooses the node, and makes the draws, that scoring every feasible node and then selecting does', () => {
  const rng = seededRng(31);
  // Many identical nodes (exact ties), a few larger ones (higher scores), cordoned, tainted and small ones.
  const node = (i: number): KObject => {
    const o = nodeObject(`n${i}`, i % 9 === 0 ? '8' : i % 13 === 0 ? '500m' : '4', i % 9 === 0 ? '32Gi' : '8Gi');
    if (i % 11 === 0) o.spec.unschedulable = true;
    if (i % 7 === 0) o.spec.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
    return o;
  };
  const nodes = Array.from({ length: 90 }, (_, i) => newNodeInfo(node(i)));
  const table = new NodeTable(nodes);
  const rows = new Int32Array(nodes.length);
  const shapes: Array<Record<string, string> | undefined> = [{ cpu: '10m', memory: '16Mi' }, { cpu: '1', memory: '1Gi' }, { cpu: '600m' }, undefined];
  let ties = 0;
  let viaFilterNode = 0;
  for (let step = 0; step < 400; step++) {
    const incoming = pod(shapes[Math.floor(rng() * shapes.length)]);
    // Some tolerate the taint: those nodes pass through filterNode, not the room check.
    if (step % 3 === 0) incoming.spec.tolerations = [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }];
    const startAt = Math.floor(rng() * nodes.length);
    const want = 5 + Math.floor(rng() * 40);
    // Scores, then the reservoir over the feasible nodes, as the scheduler does for other pods.
    const seed = Math.floor(rng() * 1e9);
    const drawsA = seededRng(seed);
    const feasible: NodeInfo[] = [];
    const examinedA = findFeasibleNodes(incoming, nodes, table, startAt, want, fresh(nodes), feasible, rows, []);
    const scores = Array.from(scoreNodes(incoming, feasible, fresh(nodes)));
    let best = 0;
    let tied = 1;
    for (let i = 1; i < feasible.length; i++) {
      if (scores[i] > scores[best]) [best, tied] = [i, 1];
      else if (scores[i] === scores[best] && drawsA() * ++tied < 1) best = i;
    }
    ties += tied - 1;
    viaFilterNode += feasible.filter((ni) => ni.hardTaints.length).length;
    // Inside the loop.
    const drawsB = seededRng(seed);
    const fctx = fresh(nodes);
    const pick = pickByFit(incoming, table, fctx, drawsB)!;
    const count = { found: 0 };
    const examinedB = findFeasibleNodes(incoming, nodes, table, startAt, want, fctx, [], rows, [], count, pick);
    assert.equal(examinedB, examinedA, `step ${step}`);
    assert.equal(count.found, feasible.length, `step ${step}`);
    if (feasible.length) assert.equal(nodes[pick.best].name, feasible[best].name, `step ${step}`);
    else assert.equal(pick.best, -1);
    assert.equal(drawsB(), drawsA(), `step ${step}: as many draws`);
    if (feasible.length) addPod(feasible[best], incoming);
    if (rng() < 0.3) {
      const on = nodes.filter((ni) => ni.pods.length);
      if (on.length) removePod(on[0], on[0].pods[0]);
    }
  }
  assert.ok(ties > 100 && viaFilterNode > 0, `exact ties (${ties}) and tolerated nodes (${viaFilterNode}) were met`);
  // Pods whose score has other terms are not picked inside the loop.
  const owned = pod({ cpu: '10m' });
  owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs', controller: true }];
  assert.equal(pickByFit(owned, table, fresh(nodes), rng), undefined);
  const preferring = pod({ cpu: '10m' });
  preferring.spec.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }] } };
  assert.equal(pickByFit(preferring, table, fresh(nodes), rng), undefined);
  setNode(nodes[1], { ...node(1), spec: { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] } });
  assert.equal(pickByFit(pod({ cpu: '10m' }), table, fresh(nodes), rng), undefined);
});

test('a node\'s used host ports stay those of its pods as pods with and without ports come and go (two may name one port)', () => {
  const rng = seededRng(11);
  const ni = newNodeInfo(nodeObject('n0', '64', '64Gi'));
  const withPort = (port: number | undefined): KObject => {
    const p = pod(undefined);
    if (port !== undefined) p.spec.containers[0].ports = [{ containerPort: 80, hostPort: port }];
    return p;
  };
  const ports = (p: KObject) => (p.spec.containers[0].ports ?? []).map((x: any) => `TCP/0.0.0.0/${x.hostPort}`);
  let removedPortless = 0;
  for (let step = 0; step < 400; step++) {
    if (ni.pods.length < 3 || rng() < 0.55) addPod(ni, withPort(rng() < 0.3 ? 8000 + Math.floor(rng() * 4) : undefined));
    else {
      const gone = ni.pods[Math.floor(rng() * ni.pods.length)];
      if (!ports(gone).length && ni.usedPorts.size) removedPortless++;
      removePod(ni, gone);
    }
    assert.deepEqual([...ni.usedPorts].sort(), [...new Set(ni.pods.flatMap(ports))].sort(), `step ${step}`);
  }
  assert.ok(removedPortless > 20, `portless pods removed beside pods with ports: ${removedPortless}`);
});
