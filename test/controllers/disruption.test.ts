import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, T0, deployment as deploy } from './harness';
import { disruptionReconciler } from '../../src/controllers/disruption';
import { deploymentReconciler } from '../../src/controllers/deployment';
import { replicaSetReconciler } from '../../src/controllers/replicaset';
import type { KObject } from '../../src/api/types';
import { evictPod } from '../../src/api/eviction';

const pdb = (name: string, spec: object): KObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });
const status = async (h: Harness, name: string) => (await h.get('policy/v1', 'PodDisruptionBudget', name)).status;

test('minAvailable 2 over 3 ready pods allows one disruption; a pod turning unready allows none', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler, disruptionReconciler], { nodes: 1 });
  await h.api.create(deploy(3));
  await h.api.create(pdb('web-pdb', { minAvailable: 2 }));
  await h.settle();
  const ts = new Date(T0).toISOString().replace('.000', '');
  assert.deepEqual(await status(h, 'web-pdb'), {
    observedGeneration: 1,
    disruptionsAllowed: 1,
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 3,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: ts, reason: 'SufficientPods', message: '' }],
  });
  const rv = (await h.get('policy/v1', 'PodDisruptionBudget', 'web-pdb')).metadata.resourceVersion;
  await h.settle();
  assert.equal((await h.get('policy/v1', 'PodDisruptionBudget', 'web-pdb')).metadata.resourceVersion, rv, 'no write when nothing changed');

  // The pod's readiness change alone requeues the budget.
  h.behaviour = undefined;
  h.clock.advance(5_000);
  await h.setPod((await h.pods())[0], 'running');
  await h.settle();
  const st = await status(h, 'web-pdb');
  assert.equal(st.currentHealthy, 2);
  assert.equal(st.disruptionsAllowed, 0);
  assert.deepEqual(st.conditions.map((c: any) => [c.status, c.reason, c.lastTransitionTime]), [['False', 'InsufficientPods', new Date(T0 + 5_000).toISOString().replace('.000', '')]]);
});

test('maxUnavailable 50% of a 4-replica Deployment allows 2; a percentage counts the scale, not the pods', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler, disruptionReconciler], { nodes: 1 });
  await h.api.create(deploy(4));
  await h.api.create(pdb('half', { maxUnavailable: '50%' }));
  await h.settle();
  let st = await status(h, 'half');
  assert.deepEqual([st.expectedPods, st.desiredHealthy, st.currentHealthy, st.disruptionsAllowed], [4, 2, 4, 2]);
  // An unmanaged pod matches but is not expected: a warning, and the counts keep to the scale.
  await h.api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await h.settle();
  st = await status(h, 'half');
  assert.deepEqual([st.expectedPods, st.desiredHealthy, st.currentHealthy, st.disruptionsAllowed], [4, 2, 5, 3]);
  assert.ok(
    (await h.events()).includes(
      'UnmanagedPods Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
    ),
    (await h.events()).join('\n'),
  );
});

test('a budget over no pods allows nothing and says so', async () => {
  const h = await Harness.create([disruptionReconciler], { nodes: 0 });
  await h.api.create(pdb('none', { maxUnavailable: 1 }));
  await h.settle();
  const st = await status(h, 'none');
  assert.deepEqual([st.expectedPods, st.desiredHealthy, st.currentHealthy, st.disruptionsAllowed, st.conditions[0].reason], [0, 0, 0, 0, 'InsufficientPods']);
  assert.deepEqual(await h.events(), ['NoPods No matching pods found']);
});

test('an eviction records the pod in disruptedPods with the decrement; the pod going clears it', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler, disruptionReconciler], { nodes: 1 });
  await h.api.create(deploy(3));
  await h.api.create(pdb('web-pdb', { minAvailable: 2 }));
  await h.settle();
  h.clock.advance(7_000);
  const victim = (await h.pods())[0].metadata.name!;
  await evictPod(h.api, 'default', victim, {});
  // The eviction's own status update, before the controller's next pass.
  const at = new Date(T0 + 7_000).toISOString().replace('.000', '');
  let st = await status(h, 'web-pdb');
  assert.deepEqual(st.disruptedPods, { [victim]: at });
  assert.equal(st.disruptionsAllowed, 0);
  assert.deepEqual(st.conditions.map((c: any) => [c.status, c.reason, c.lastTransitionTime]), [['False', 'InsufficientPods', at]]);
  // A dry run spends nothing.
  const other = (await h.pods()).find((p) => p.metadata.name !== victim && !p.metadata.deletionTimestamp)!;
  await assert.rejects(evictPod(h.api, 'default', other.metadata.name!, { dryRun: true }), /violate the pod's disruption budget/);
  await h.settle();
  st = await status(h, 'web-pdb');
  assert.equal(st.disruptedPods, undefined, 'the deleted pod leaves the map');
  assert.deepEqual([st.currentHealthy, st.disruptionsAllowed], [3, 1]);
});

test('a disrupted pod that is not deleted does not count as healthy until DeletionTimeout, then NotDeleted', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler, disruptionReconciler], { nodes: 1 });
  await h.api.create(deploy(3));
  await h.api.create(pdb('web-pdb', { minAvailable: 2 }));
  await h.settle();
  // An eviction whose pod deletion never happened (a failed delete after the budget update).
  const [kept, gone] = (await h.pods()).map((p) => p.metadata.name!);
  const at = h.api.timestamp();
  await h.api.mutate(h.type('policy/v1', 'PodDisruptionBudget'), 'default', 'web-pdb', (o) => void (o.status = { ...o.status, disruptedPods: { [kept]: at, 'no-such-pod': at } }), { status: true });
  await h.settle();
  let st = await status(h, 'web-pdb');
  assert.deepEqual(st.disruptedPods, { [kept]: at }, 'entries of pods that do not exist are dropped');
  assert.deepEqual([st.currentHealthy, st.disruptionsAllowed], [2, 0]);
  assert.deepEqual(Object.keys(st), ['observedGeneration', 'disruptedPods', 'disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'conditions']);
  // Evicting another pod is refused: the disrupted one no longer counts.
  await assert.rejects(evictPod(h.api, 'default', gone, {}), (e: any) => e.details.causes[0].message === 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently');
  await h.advance(119_000);
  assert.deepEqual((await status(h, 'web-pdb')).disruptedPods, { [kept]: at }, 'still within the 2 minutes');
  const before = (await h.events()).length;
  await h.advance(2_000);
  st = await status(h, 'web-pdb');
  assert.equal(st.disruptedPods, undefined);
  assert.deepEqual([st.currentHealthy, st.disruptionsAllowed], [3, 1]);
  assert.deepEqual((await h.events()).slice(before), ["NotDeleted Pod was expected by PDB default/default to be deleted but it wasn't"]);
});
