// The disruption controller (pkg/controller/disruption): writes each PodDisruptionBudget's
// status from its pods — healthy, desired and expected counts, the disruptions allowed and
// the DisruptionAllowed condition — through the status subresource, only when it changed.
// The counts are budgetStatus's, the one computation the eviction subresource also uses.
// Evictions add the pods they delete to status.disruptedPods; each pass drops the entries of
// pods deleted or being deleted, expires those older than DeletionTimeout (NotDeleted on the
// pod) and looks again when the next one is due.

import type { KObject } from '../api/types';
import { deepEqual } from '../util/json-equal';
import { budgetStatus, disruptionAllowedConditions } from '../api/eviction';
import { goSelector, labelSelectorMatches } from '../api/selectors';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { mapperRead, recordOnce, typeFor } from './controller-utils';

const COMPONENT = { component: 'controllermanager' };
const PDB = 'PodDisruptionBudget';

async function reconcileBudget(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const pdbType = typeFor(api, 'policy/v1', PDB);
  const pdb = await api.tryGet(pdbType, key.namespace, key.name);
  if (!pdb || pdb.metadata.deletionTimestamp) return;
  const st = await budgetStatus(api, pdb);
  if (st.matched === 0) await recordOnce(ctx, pdb, 'Normal', 'NoPods', 'No matching pods found', COMPONENT);
  if (st.unmanaged.length) {
    const msg =
      `Pods selected by this PodDisruptionBudget (selector: ${goSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ` +
      'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.';
    await recordOnce(ctx, pdb, 'Warning', 'UnmanagedPods', msg, COMPONENT);
  }
  for (const pod of st.notDeleted) {
    // Upstream's message names the budget's namespace twice.
    await api.recordEvent(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.namespace} to be deleted but it wasn't`, COMPONENT);
  }
  const generation = pdb.metadata.generation;
  const status: any = {
    ...(generation ? { observedGeneration: generation } : {}),
    ...(Object.keys(st.disruptedPods).length ? { disruptedPods: st.disruptedPods } : {}),
    disruptionsAllowed: st.disruptionsAllowed,
    currentHealthy: st.currentHealthy,
    desiredHealthy: st.desiredHealthy,
    expectedPods: st.expectedPods,
  };
  status.conditions = disruptionAllowedConditions(pdb.status?.conditions ?? [], st.disruptionsAllowed > 0, generation, api.timestamp());
  const recheck = st.recheckAt === undefined ? undefined : { requeueAfterMs: Math.max(1, st.recheckAt - ctx.clock.now()) };
  if (deepEqual(status, pdb.status ?? {})) return recheck;
  try {
    await api.mutate(pdbType, pdb.metadata.namespace, pdb.metadata.name!, (o) => void (o.status = status), { status: true });
  } catch {
    /* deleted meanwhile; a conflict requeues through the change feed */
    return;
  }
  return recheck;
}

/** Every budget in the pod's namespace whose selector matches it (getPdbsForPod). */
function budgetsForPod(pod: KObject, ctx: ControllerContext): ReconcileKey[] | Promise<ReconcileKey[]> {
  const namespace = pod.metadata.namespace;
  // Read only (selectors): the store's shared objects, no copy per pod change.
  return mapperRead(
    ctx,
    `budgets/${namespace ?? ''}`,
    async () => (await ctx.api.list(typeFor(ctx.api, 'policy/v1', PDB), { namespace, shared: true })).items,
    (pdbs) => pdbs.filter((b) => labelSelectorMatches(b.spec?.selector, pod.metadata.labels)).map((b) => ({ kind: PDB, namespace: b.metadata.namespace, name: b.metadata.name! })),
  );
}

/** A scaled controller's change moves the expected count of the budgets over its pods. */
function budgetsForController(obj: KObject, ctx: ControllerContext): ReconcileKey[] | Promise<ReconcileKey[]> {
  return budgetsForPod({ metadata: { namespace: obj.metadata.namespace, labels: obj.spec?.template?.metadata?.labels } } as KObject, ctx);
}

export const disruptionReconciler: Reconciler = {
  name: 'disruption',
  primary: ['policy/v1', PDB],
  watches: [
    { kind: 'Pod', map: budgetsForPod },
    ...['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'].map((kind) => ({ kind, map: budgetsForController })),
  ],
  reconcile: reconcileBudget,
};
