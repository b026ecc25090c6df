// The disruption controller (pkg/controller/disruption): writes each PodDisruptionBudget's
// status from its pods — healthy, desired and expected counts, the disruptions allowed and
// the DisruptionAllowed condition — through the status subresource, only when it changed.
// The counts are budgetStatus's, the one computation the eviction subresource also uses.
// kubesim's evictions record no disruptedPods, so that map is never written.

import type { KObject } from '../api/types';
import { deepEqual } from '../api/server';
import { budgetStatus } from '../api/eviction';
import { labelSelectorMatches } from '../api/selectors';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';
import { recordOnce, typeFor } from './controller-utils';

const COMPONENT = { component: 'controllermanager' };
const PDB = 'PodDisruptionBudget';

/** pdbhelper.UpdateDisruptionAllowedCondition with apimeta.SetStatusCondition's transition rule. */
function disruptionAllowedConditions(conds: any[], allowed: boolean, generation: number | undefined, ts: string): any[] {
  const status = allowed ? 'True' : 'False';
  const cur = conds.find((c) => c.type === 'DisruptionAllowed');
  const next = {
    type: 'DisruptionAllowed',
    status,
    ...(generation ? { observedGeneration: generation } : {}),
    lastTransitionTime: cur && cur.status === status ? cur.lastTransitionTime : ts,
    reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    message: cur?.message ?? '',
  };
  return cur ? conds.map((c) => (c === cur ? next : c)) : [...conds, next];
}

async function reconcileBudget(key: ReconcileKey, ctx: ControllerContext): Promise<void> {
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
  const generation = pdb.metadata.generation;
  const status: any = {
    ...(generation ? { observedGeneration: generation } : {}),
    ...(pdb.status?.disruptedPods ? { disruptedPods: pdb.status.disruptedPods } : {}),
    disruptionsAllowed: st.disruptionsAllowed,
    currentHealthy: st.currentHealthy,
    desiredHealthy: st.desiredHealthy,
    expectedPods: st.expectedPods,
  };
  status.conditions = disruptionAllowedConditions(pdb.status?.conditions ?? [], st.disruptionsAllowed > 0, generation, api.timestamp());
  if (deepEqual(status, pdb.status ?? {})) return;
  try {
    await api.mutate(pdbType, pdb.metadata.namespace, pdb.metadata.name!, (o) => void (o.status = status), { status: true });
  } catch {
    /* deleted meanwhile; a conflict requeues through the change feed */
  }
}

/** The selector as Go's %v prints a *metav1.LabelSelector (its generated String(); the UnmanagedPods event text). */
function goSelector(sel: any): string {
  if (!sel) return 'nil';
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels[k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e: any) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** Every budget in the pod's namespace whose selector matches it (getPdbsForPod). */
async function budgetsForPod(pod: KObject, ctx: ControllerContext): Promise<ReconcileKey[]> {
  // Read only (selectors): the store's shared objects, no copy per pod change.
  const pdbs = (await ctx.api.list(typeFor(ctx.api, 'policy/v1', PDB), { namespace: pod.metadata.namespace, shared: true })).items;
  return pdbs.filter((b) => labelSelectorMatches(b.spec?.selector, pod.metadata.labels)).map((b) => ({ kind: PDB, namespace: b.metadata.namespace, name: b.metadata.name! }));
}

/** A scaled controller's change moves the expected count of the budgets over its pods. */
async function budgetsForController(obj: KObject, ctx: ControllerContext): Promise<ReconcileKey[]> {
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
