// Watches' mappers that read (a pod's Services, budgets, quotas) read a namespace once per poll
// of the change feed, not once per pod change, and afresh at the next poll: what they requeue
// is the same (a budget's expected pods follow a pod's deletion).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/types';
import { ControllerManager } from '../../src/controllers/manager';
import { disruptionReconciler } from '../../src/controllers/disruption';
import { endpointsReconciler } from '../../src/controllers/endpoints';
import { resourceQuotaReconciler } from '../../src/controllers/resource-quota';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';

const pod = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${i}`, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

test('a poll lists a namespace once for all its pods’ changes, and afresh at the next poll', async () => {
  await loadValidation();
  const c = await createMemoryCluster(defaultProfile('test', { nodes: 0 }), { now: Date.parse('2025-01-01T00:00:00Z'), seed: 7, validator: apiValidator() });
  const api = c.api;
  const lists = new Map<string, number>();
  const list = api.list.bind(api);
  api.list = ((rt, opts) => {
    lists.set(rt.plural, (lists.get(rt.plural) ?? 0) + 1);
    return list(rt, opts);
  }) as typeof api.list;
  const manager = new ControllerManager([disruptionReconciler, endpointsReconciler, resourceQuotaReconciler], c.ctx);
  await manager.pollChanges(); // the first look: a re-list
  const pdbType = api.registry.forKind('policy/v1', 'PodDisruptionBudget');
  await api.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
  await manager.processReady();

  for (let i = 0; i < 30; i++) await api.create(pod(i));
  lists.clear();
  assert.equal(await manager.pollChanges(), 30);
  assert.deepEqual([lists.get('poddisruptionbudgets'), lists.get('services'), lists.get('resourcequotas')], [1, 1, 1], JSON.stringify([...lists]));
  await manager.processReady();
  assert.equal((await api.get(pdbType, 'default', 'web')).status?.expectedPods, 30);

  // A pod's deletion requeues the budget (its poll reads afresh).
  await api.delete(api.registry.forKind('v1', 'Pod'), 'default', 'p-0', { gracePeriodSeconds: 0 });
  lists.clear();
  await manager.processReady();
  assert.equal(lists.get('poddisruptionbudgets'), 1, 'the mapping');
  assert.equal((await api.get(pdbType, 'default', 'web')).status?.expectedPods, 29);
});
