import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, T0, deployment as deploy } from './harness';
import { disruptionReconciler } from '../../src/controllers/disruption';
import { deploymentReconciler } from '../../src/controllers/deployment';
import { replicaSetReconciler } from '../../src/controllers/replicaset';
import type { KObject } from '../../src/api/types';

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
