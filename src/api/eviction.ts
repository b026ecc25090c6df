// The eviction subresource (registry/core/pod/storage/eviction.go): a pod's deletion that a
// PodDisruptionBudget may refuse. A budget's counts are computed here from the live pods
// (budgetStatus, which the disruption controller also writes to the PDB's status), so an
// eviction never waits for that controller's last pass.
// Served as POST pods/NAME/eviction (rest/eviction.ts) and run directly by in-process drains.

import { ApiError } from './errors';
import { RestError } from './rest/status';
import { labelSelectorMatches } from './selectors';
import type { ApiServer } from './server';
import type { KObject } from './types';
// The disruption controller's helpers: kubesim runs that controller's arithmetic here.
import { controllerOf, isPodReady, isPodTerminal, ms, scaledValue } from '../controllers/controller-utils';

/** The disruption controller's DeletionTimeout: an evicted pod not deleted by then counts again. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;


/**
 * The number of pods a budget protects: the sum of the scales of the pods' controllers
 * (disruption controller's getExpectedScale). Pods without a controller count for nothing
 * and are returned as unmanaged; a controller with no scale kubesim knows counts as one pod.
 */
async function expectedScale(api: ApiServer, pods: KObject[]): Promise<{ expected: number; unmanaged: string[] }> {
  const seen = new Map<string, number>();
  const unmanaged: string[] = [];
  let unscaled = 0;
  const ownerType = (kind: string) => api.registry.forKind(kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind);
  for (const pod of pods) {
    const owner = controllerOf(pod);
    if (!owner) {
      unmanaged.push(pod.metadata.name!);
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
    if (replicas === undefined) unscaled++;
    else seen.set(key, replicas);
  }
  return { expected: [...seen.values()].reduce((a, b) => a + b, 0) + unscaled, unmanaged };
}

export interface BudgetStatus {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  /** Matching pods without a controller (the UnmanagedPods warning); none for an integer minAvailable. */
  unmanaged: string[];
  /** How many pods the selector matches (none: the NoPods event). */
  matched: number;
  /** status.disruptedPods without the pods deleted or being deleted and the entries expired (buildDisruptedPodMap). */
  disruptedPods: Record<string, string>;
  /** The pods whose entries expired undeleted (the NotDeleted event). */
  notDeleted: KObject[];
  /** When the earliest kept entry expires (the controller's recheck), in clock milliseconds. */
  recheckAt?: number;
}

/**
 * The disruption controller's buildDisruptedPodMap: keeps the entries of pods that still
 * exist, are not being deleted, and were evicted less than DeletionTimeout ago.
 */
function buildDisruptedPodMap(pods: KObject[], disrupted: Record<string, string> | undefined, now: number): Pick<BudgetStatus, 'disruptedPods' | 'notDeleted' | 'recheckAt'> {
  const kept: Record<string, string> = {};
  const notDeleted: KObject[] = [];
  let recheckAt: number | undefined;
  if (!disrupted) return { disruptedPods: kept, notDeleted };
  for (const pod of pods) {
    const at = pod.metadata.deletionTimestamp ? undefined : disrupted[pod.metadata.name!];
    if (at === undefined) continue;
    const expected = ms(at) + DELETION_TIMEOUT_MS;
    if (expected < now) notDeleted.push(pod);
    else {
      kept[pod.metadata.name!] = at;
      if (recheckAt === undefined || expected < recheckAt) recheckAt = expected;
    }
  }
  return { disruptedPods: kept, notDeleted, recheckAt };
}

/** pdbhelper.UpdateDisruptionAllowedCondition with apimeta.SetStatusCondition's transition rule. */
export function disruptionAllowedConditions(conds: any[], allowed: boolean, observedGeneration: number | undefined, ts: string): any[] {
  const status = allowed ? 'True' : 'False';
  const cur = conds.find((c) => c.type === 'DisruptionAllowed');
  const next = {
    type: 'DisruptionAllowed',
    status,
    ...(observedGeneration ? { observedGeneration } : {}),
    lastTransitionTime: cur && cur.status === status ? cur.lastTransitionTime : ts,
    reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    message: cur?.message ?? '',
  };
  return cur ? conds.map((c) => (c === cur ? next : c)) : [...conds, next];
}

/** Status of a PodDisruptionBudget computed from the live pods (the disruption controller's getExpectedPodCount and countHealthyPods). */
export async function budgetStatus(api: ApiServer, pdb: KObject): Promise<BudgetStatus> {
  const podType = api.registry.forKind('v1', 'Pod');
  const pods = (await api.list(podType, { namespace: pdb.metadata.namespace })).items.filter((p) => labelSelectorMatches(pdb.spec?.selector, p.metadata.labels));
  const now = api.clock.now();
  const disrupted = buildDisruptedPodMap(pods, pdb.status?.disruptedPods, now);
  // countHealthyPods: a pod an eviction is about to delete no longer counts.
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted.disruptedPods) && isPodReady(p)).length;
  let desiredHealthy = 0;
  let expectedPods = 0;
  let unmanaged: string[] = [];
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    ({ expected: expectedPods, unmanaged } = await expectedScale(api, pods));
    desiredHealthy = Math.max(0, expectedPods - scaledValue(maxUnavailable, expectedPods, true));
  } else if (typeof minAvailable === 'number') {
    desiredHealthy = minAvailable;
    expectedPods = pods.length;
  } else if (minAvailable !== undefined && minAvailable !== null) {
    ({ expected: expectedPods, unmanaged } = await expectedScale(api, pods));
    desiredHealthy = scaledValue(minAvailable, expectedPods, true);
  }
  // No expected pods allows no disruption: a budget whose first pods just appeared stays safe.
  const disruptionsAllowed = expectedPods > 0 ? Math.max(0, currentHealthy - desiredHealthy) : 0;
  return { currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, unmanaged, matched: pods.length, ...disrupted };
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
      // checkAndDecrement: a ready pod's eviction spends one disruption and tells the
      // controller the pod is going (disruptedPods), in one status update.
      if (isPodReady(pod) && !opts.dryRun) await recordDisruption(api, pdbs[0], name, st);
    }
  }
  await api.delete(podType, namespace, name, { gracePeriodSeconds: opts.gracePeriodSeconds, dryRun: opts.dryRun });
}

async function recordDisruption(api: ApiServer, pdb: KObject, podName: string, st: BudgetStatus): Promise<void> {
  const pdbType = api.registry.forKind('policy/v1', 'PodDisruptionBudget');
  await api.mutate(
    pdbType,
    pdb.metadata.namespace,
    pdb.metadata.name!,
    (o) => {
      const status = { ...(o.status ?? {}) };
      status.disruptionsAllowed = st.disruptionsAllowed - 1;
      if (status.disruptionsAllowed === 0) status.conditions = disruptionAllowedConditions(status.conditions ?? [], false, status.observedGeneration, api.timestamp());
      // Go writes a map's keys sorted.
      const pods: Record<string, string> = { ...(status.disruptedPods ?? {}), [podName]: api.timestamp() };
      status.disruptedPods = Object.fromEntries(Object.keys(pods).sort().map((k) => [k, pods[k]]));
      o.status = status;
    },
    { status: true },
  );
}
