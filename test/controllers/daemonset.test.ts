import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { daemonSetReconciler, daemonPodNode } from '../../src/controllers/daemonset';
import { nodeObject } from '../../src/cluster/cluster';
import { nodeProfile } from '../../src/sim/profile';
import type { KObject } from '../../src/api/types';

const ds = (extra: any = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'fluentd' }], ...extra } },
  },
});

const placement = async (h: Harness) => (await h.pods()).filter((p) => !p.metadata.deletionTimestamp).map((p) => daemonPodNode(p)).sort();

test('one pod per node with node-name affinity and DaemonSet tolerations; follows node add/remove', async () => {
  const h = await Harness.create([daemonSetReconciler], { nodes: 2 });
  await h.api.create(ds());
  await h.run();
  assert.deepEqual(await placement(h), ['node-1', 'node-2']);
  const pod = (await h.pods()).find((p) => daemonPodNode(p) === 'node-2')!;
  assert.match(pod.metadata.name!, /^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }] });
  assert.deepEqual(pod.spec.tolerations.map((t: any) => `${t.key}:${t.effect}`), [
    'node.kubernetes.io/not-ready:NoExecute',
    'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/pid-pressure:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  assert.ok(pod.metadata.labels!['controller-revision-hash']);
  assert.equal(pod.metadata.labels!['pod-template-generation'], '1');
  assert.deepEqual((await h.get('apps/v1', 'DaemonSet', 'agent')).status, { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 1, updatedNumberScheduled: 2, numberAvailable: 2 });

  await h.api.create(nodeObject(nodeProfile('node-3'), 2, h.api.timestamp()));
  await h.run();
  assert.deepEqual(await placement(h), ['node-1', 'node-2', 'node-3']);
  await h.api.delete(h.type('v1', 'Node'), undefined, 'node-1');
  await h.run();
  assert.deepEqual(await placement(h), ['node-2', 'node-3']);
  assert.equal((await h.get('apps/v1', 'DaemonSet', 'agent')).status.desiredNumberScheduled, 2);
});

test('nodeSelector and untolerated taints exclude nodes; cordoned nodes still run daemons', async () => {
  const h = await Harness.create([daemonSetReconciler], { nodes: 3 });
  const nodeType = h.type('v1', 'Node');
  await h.api.mutate(nodeType, undefined, 'node-1', (n) => void (n.spec.taints = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]));
  await h.api.mutate(nodeType, undefined, 'node-2', (n) => void (n.spec.unschedulable = true));
  await h.api.create(ds());
  await h.run();
  assert.deepEqual(await placement(h), ['node-2', 'node-3']);
  await h.api.mutate(nodeType, undefined, 'node-3', (n) => void (n.metadata.labels = { ...n.metadata.labels, disk: 'ssd' }));
  await h.api.mutate(h.type('apps/v1', 'DaemonSet'), 'default', 'agent', (d) => void (d.spec.template.spec.nodeSelector = { disk: 'ssd' }));
  await h.run();
  assert.deepEqual(await placement(h), ['node-3']);
});

test('rolling update replaces pods one node at a time', async () => {
  const h = await Harness.create([daemonSetReconciler], { nodes: 3 });
  await h.api.create(ds());
  await h.run();
  h.behaviour = (p) => (p.spec.containers[0].image === 'fluentd:2' ? 'running' : 'ready');
  await h.api.mutate(h.type('apps/v1', 'DaemonSet'), 'default', 'agent', (d) => void (d.spec.template.spec.containers[0].image = 'fluentd:2'));
  await h.run();
  const images = (await h.pods()).map((p) => p.spec.containers[0].image).sort();
  assert.deepEqual(images, ['fluentd', 'fluentd', 'fluentd:2'], 'maxUnavailable 1: one new pod, not ready yet');
  h.behaviour = () => 'ready';
  await h.run();
  assert.deepEqual((await h.pods()).map((p) => p.spec.containers[0].image), ['fluentd:2', 'fluentd:2', 'fluentd:2']);
  assert.equal((await h.get('apps/v1', 'DaemonSet', 'agent')).status.updatedNumberScheduled, 3);
});
