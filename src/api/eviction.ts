// The eviction subresource (registry/core/pod/storage/eviction.go): a pod's deletion that a
// PodDisruptionBudget may refuse. kubesim runs no disruption controller, so a budget's
// healthy and desired counts are computed here from the live pods, as that controller would.
// Served as POST pods/NAME/eviction (rest/eviction.ts) and run directly by in-process drains.

import { ApiError } from './errors';
import { RestError } from './rest/status';
import { labelSelectorMatches } from './selectors';
import type { ApiServer } from './server';
import type { KObject } from './types';
// The disruption controller's helpers: kubesim runs that controller's arithmetic here.
import { controllerOf, isPodReady, isPodTerminal, scaledValue } from '../controllers/controller-utils';


/** The number of pods a budget protects: the scale of the pods' controllers (disruption controller). */
async function expectedCount(api: ApiServer, pods: KObject[]): Promise<number> {
  const seen = new Map<string, number>();
  let orphans = 0;
  const ownerType = (kind: string) => api.registry.forKind(kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind);
  for (const pod of pods) {
    const owner = controllerOf(pod);
    if (!owner) {
      orphans++;
      continue;
    }
    let key = owner.uid;
    let replicas: number | undefined;
    if (['ReplicaSet', 'StatefulSet', 'ReplicationController'].includes(owner.kind)) {
      const o = await api.tryGet(ownerType(owner.kind), pod.metadata.namespace, owner.name);
      replicas = o?.spec?.replicas;
      const dep = o && controllerOf(o);
      if (o && dep?.kind === 'Deployment') {
        const d = await api.tryGet(ownerType('Deployment'), pod.metadata.namespace, dep.name);
        key = dep.uid;
        replicas = d?.spec?.replicas ?? replicas;
      }
    }
    if (replicas === undefined) orphans++;
    else seen.set(key, replicas);
  }
  return [...seen.values()].reduce((a, b) => a + b, 0) + orphans;
}

/** Status of a PodDisruptionBudget computed from the live pods (as the disruption controller would). */
export async function budgetStatus(api: ApiServer, pdb: KObject): Promise<{ currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number }> {
  const podType = api.registry.forKind('v1', 'Pod');
  const pods = (await api.list(podType, { namespace: pdb.metadata.namespace })).items.filter((p) => labelSelectorMatches(pdb.spec?.selector, p.metadata.labels));
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p)).length;
  let desiredHealthy = 0;
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expected = await expectedCount(api, pods);
    desiredHealthy = Math.max(0, expected - scaledValue(maxUnavailable, expected, true));
  } else if (minAvailable !== undefined && minAvailable !== null) {
    desiredHealthy = typeof minAvailable === 'number' ? minAvailable : scaledValue(minAvailable, await expectedCount(api, pods), true);
  }
  return { currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/**
 * Deletes the pod unless that would take a PodDisruptionBudget below its desired healthy
 * pods (a 429). Pods that are not running (or already terminating) ignore budgets; an
 * unready pod may go while the budget is met (the IfHealthyBudget policy).
 */
export async function evictPod(api: ApiServer, namespace: string | undefined, name: string, opts: { gracePeriodSeconds?: number; dryRun?: boolean }): Promise<void> {
  const podType = api.registry.forKind('v1', 'Pod');
  const pod = await api.get(podType, namespace, name);
  const ignoreBudget = isPodTerminal(pod) || pod.status?.phase === 'Pending' || !!pod.metadata.deletionTimestamp;
  if (!ignoreBudget) {
    const pdbType = api.registry.forKind('policy/v1', 'PodDisruptionBudget');
    const pdbs = (await api.list(pdbType, { namespace })).items.filter((b) => labelSelectorMatches(b.spec?.selector, pod.metadata.labels));
    if (pdbs.length > 1) throw new ApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    if (pdbs.length === 1) {
      const st = await budgetStatus(api, pdbs[0]);
      const allowed = isPodReady(pod) ? st.disruptionsAllowed > 0 : st.currentHealthy >= st.desiredHealthy;
      if (!allowed) {
        throw new RestError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdbs[0].metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently` }],
        });
      }
    }
  }
  await api.delete(podType, namespace, name, { gracePeriodSeconds: opts.gracePeriodSeconds, dryRun: opts.dryRun });
}
