// Node stop → NotReady (Unknown) after the grace period → unreachable taints → pods
// marked not ready → evicted after their 300 s toleration; node start → Ready again.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { addNode, createCluster, listClusters, nodeIP, openCluster, podCIDR, startNode, stopNode } from '../../src/cluster/cluster';
import { defaultProfile } from '../../src/sim/profile';
import { createControllerManager, engineReconcilers } from '../../src/controllers/index';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { claimPidFile, daemonStatus, releasePidFile } from '../../src/daemon/control';
import { advanceManager } from '../../src/cli/in-process';

before(async () => loadValidation());

test('a stopped node goes NotReady after 50 s and its pods are evicted 300 s later', async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 1 }), { validator: apiValidator() });
  const m = createControllerManager(c.ctx, engineReconcilers());
  await c.api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
  await m.runUntilStable();
  const N = c.api.resolve('nodes');
  const P = c.api.resolve('pods');
  assert.equal((await c.api.get(P, 'default', 'web')).status.phase, 'Running');
  assert.ok(await c.api.tryGet(c.api.resolve('leases'), 'kube-node-lease', 'node-1'), 'kubelet lease exists');

  const stoppedAt = c.clock.now();
  await stopNode(c, 'node-1');
  // Power state is machine state, not an API change: a running manager learns it on the next beat; poke it now.
  m.enqueue('node-lifecycle', { kind: 'Node', name: 'node-1' });
  const r = await m.runUntilStable({ timeoutMs: 400_000 });
  assert.equal(r.stable, true);
  const node = await c.api.get(N, undefined, 'node-1');
  const ready = node.status.conditions.find((x: any) => x.type === 'Ready');
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(Date.parse(ready.lastTransitionTime), Math.floor((stoppedAt + 50_000) / 1000) * 1000);
  assert.deepEqual(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  const pod = await c.api.get(P, 'default', 'web');
  assert.ok(pod.metadata.deletionTimestamp, 'evicted pod is terminating (its kubelet is gone)');
  assert.equal(pod.status.conditions.find((x: any) => x.type === 'Ready').status, 'False');
  const evs = (await c.api.list(c.api.resolve('events'), {})).items;
  const msgs = evs.map((e) => `${e.involvedObject.kind}/${e.reason}: ${e.message}`);
  assert.ok(msgs.includes('Node/NodeNotReady: Node node-1 status is now: NodeNotReady'));
  assert.ok(msgs.includes('Pod/NodeNotReady: Node is not ready'));
  assert.ok(msgs.includes('Pod/TaintManagerEviction: Marking for deletion Pod default/web'));
  const took = c.clock.now() - stoppedAt;
  assert.ok(took >= 349_000 && took <= 351_000, `eviction after ${took} ms`);

  // Start again: Ready, taints lifted, and the kubelet finishes the deletion.
  await startNode(c, 'node-1');
  await m.resync();
  await m.runUntilStable();
  const back = await c.api.get(N, undefined, 'node-1');
  assert.equal(back.status.conditions.find((x: any) => x.type === 'Ready').status, 'True');
  assert.equal(back.spec.taints, undefined);
  assert.equal(await c.api.tryGet(P, 'default', 'web'), undefined);
});

test('nodes created together post their unchanged status each on its own phase: first within 2.5-7.5 min, then every 5 min', { timeout: 120_000 }, async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 24 }), { validator: apiValidator() });
  const m = createControllerManager(c.ctx, engineReconcilers());
  await m.runUntilStable();
  const N = c.api.resolve('nodes');
  const heartbeats = async () => new Map((await c.api.list(N)).items.map((n) => [n.metadata.name!, Date.parse(n.status.conditions.find((x: any) => x.type === 'Ready').lastHeartbeatTime)]));
  const created = await heartbeats();
  const posts = new Map<string, number[]>([...created].map(([name, at]) => [name, [at]]));
  // 16 minutes in 10-s steps (each beat run at its time), recording every post.
  for (let t = 0; t < 16 * 60_000; t += 10_000) {
    await advanceManager(c.api, m, 10_000);
    for (const [name, at] of await heartbeats()) if (at !== posts.get(name)!.at(-1)) posts.get(name)!.push(at);
  }
  const firsts = new Set<number>();
  for (const [name, at] of posts) {
    const gaps = at.slice(1).map((x, i) => x - at[i]);
    assert.ok(gaps.length >= 2, `${name}: posts ${at.map((x) => new Date(x).toISOString())}`);
    // kube: the first interval after a start is 5 min +- 2.5 min (delayAfterNodeStatusChange); a post waits for the node's beat (<= 10.4 s).
    assert.ok(gaps[0] >= 150_000 && gaps[0] <= 450_000 + 11_000, `${name}: first post ${gaps[0]} ms after the last`);
    for (const g of gaps.slice(1)) assert.ok(g >= 300_000 - 11_000 && g <= 300_000 + 11_000, `${name}: unchanged status posted ${g} ms after the last`);
    firsts.add(Math.floor(at[1] / 10_000));
  }
  // Spread over the period, not every node in the same beat (main: one burst of every Node).
  assert.ok(firsts.size >= 12, `the 24 nodes' first posts fell in ${firsts.size} distinct 10-s windows`);
});

test('createCluster writes a file-backed cluster with nodes; list, open, addNode', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-cluster-'));
  try {
    await createCluster(home, 'dev', defaultProfile('dev', { nodes: 2 }));
    assert.deepEqual(listClusters(home), ['dev']);
    const c = await openCluster(home, 'dev');
    const nodes = (await c.api.list(c.api.resolve('nodes'))).items;
    assert.deepEqual(nodes.map((n) => n.metadata.name), ['node-1', 'node-2']);
    const n = nodes[1];
    assert.equal(n.status.allocatable.cpu, '4');
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.equal(n.status.conditions[3].reason, 'KubeletReady');
    const added = await addNode(c, {});
    assert.equal(added.metadata.name, 'node-3');
    assert.equal((await openCluster(home, 'dev')).profile.nodes.length, 3);
    assert.equal(daemonStatus(path.join(home, 'clusters', 'dev'), Date.now(), await c.api.sim.daemonStatus()).running, false);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('every node of a 5,000-node cluster gets a valid, distinct address and pod range', () => {
  // kind's for the first nodes; past the 256th the octets carry instead of reading 10.244.426.0.
  assert.equal(podCIDR(0), '10.244.0.0/24');
  assert.equal(podCIDR(255), '10.244.255.0/24');
  assert.equal(podCIDR(256), '10.245.0.0/24');
  assert.equal(nodeIP(0), '172.18.0.2');
  assert.equal(nodeIP(426), '172.18.1.172');
  const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
  const ipv4 = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`);
  const cidrs = new Set<string>();
  const ips = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const [net, bits] = podCIDR(i).split('/');
    assert.match(net, ipv4);
    assert.equal(bits, '24');
    // Clear of the Service range 10.96.0.0/12.
    assert.ok(!(net.startsWith('10.') && Number(net.split('.')[1]) >= 96 && Number(net.split('.')[1]) < 112), net);
    assert.match(nodeIP(i), ipv4);
    cidrs.add(net);
    ips.add(nodeIP(i));
  }
  assert.equal(cidrs.size, 5000);
  assert.equal(ips.size, 5000);
});

test('only one daemon can claim a cluster', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-daemon-'));
  try {
    assert.equal(claimPidFile(dir, process.pid), true);
    assert.equal(claimPidFile(dir, process.pid + 100000), false, 'a live holder keeps the file');
    releasePidFile(dir, process.pid);
    fs.writeFileSync(path.join(dir, 'daemon.pid'), '999999'); // stale
    assert.equal(claimPidFile(dir, process.pid), true);
    releasePidFile(dir, process.pid);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
