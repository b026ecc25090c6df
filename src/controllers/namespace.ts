// The namespace controller: a namespace being deleted (phase Terminating, the `kubernetes`
// finalizer in spec.finalizers) has its contents deleted from 5 s after its deletion — pods terminate through their
// kubelet — and once nothing is left, the finalizer is dropped and the API server removes
// the namespace. Each pass reports in status.conditions what kube-controller-manager's
// deleter reports (deletion/status_condition_utils.go): all five condition types, True with
// the trouble or False with its "ok" reason.

import type { KObject } from '../api/types';
import { ApiError } from '../api/errors';
import type { ResourceType } from '../api/resources';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';

/** The deleter's condition types, in its order, with the reason and message of their "ok" (False) form. */
const OK_CONDITIONS: Array<[type: string, reason: string, message: string]> = [
  ['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'],
  ['NamespaceDeletionGroupVersionParsingFailure', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  ['NamespaceDeletionContentFailure', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
];

const DELETION_GRACE_MS = 5000;

interface Condition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** What one pass found: per resource, what remains; per finalizer, on how many objects; the errors. */
interface ContentTotals {
  remaining: Map<string, number>;
  finalizers: Map<string, number>;
  errors: string[];
}

export const namespaceReconciler: Reconciler = {
  name: 'namespace',
  primary: ['v1', 'Namespace'],
  watches: [
    {
      // the last objects going away let a terminating namespace finish
      kind: 'Pod',
      map: (p: KObject) => (p.metadata.namespace ? [{ kind: 'Namespace', name: p.metadata.namespace }] : []),
    },
  ],
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
    const api = ctx.api;
    const nsType = api.registry.forKind('v1', 'Namespace');
    const ns = await api.tryGet(nsType, undefined, key.name);
    if (!ns?.metadata.deletionTimestamp) return;
    // kube-controller-manager queues a deleted namespace 5 s later (namespaceDeletionGracePeriod):
    // a client deleting a namespace and then its objects (`delete -f`) still finds each one
    const due = Date.parse(ns.metadata.deletionTimestamp) + DELETION_GRACE_MS - ctx.clock.now();
    if (due > 0) return { requeueAfterMs: due };
    const totals: ContentTotals = { remaining: new Map(), finalizers: new Map(), errors: [] };
    for (const rt of api.registry.all()) {
      if (!rt.namespaced || rt.kind === 'Binding' || rt.group === 'events.k8s.io' || !rt.verbs.includes('delete')) continue;
      await deleteAllOf(ctx, rt, key.name, totals);
    }
    await updateConditions(ctx, nsType, ns, totals);
    if (totals.remaining.size > 0 || totals.errors.length) return { requeueAfterMs: 1000 };
    try {
      if ((ns.spec?.finalizers ?? []).length) {
        await api.mutate(nsType, undefined, key.name, (n) => {
          n.spec = { ...n.spec, finalizers: [] };
          return n;
        });
      }
      await api.delete(nsType, undefined, key.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  },
};

/** deleteAllContentForGroupVersionResource: delete each object, then count what is left and why. */
async function deleteAllOf(ctx: ControllerContext, rt: ResourceType, namespace: string, totals: ContentTotals): Promise<void> {
  const api = ctx.api;
  for (const o of (await api.list(rt, { namespace })).items) {
    if (o.metadata.deletionTimestamp) continue; // terminating already (a pod's kubelet finishes it)
    try {
      await api.delete(rt, namespace, o.metadata.name!, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) totals.errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  const left = (await api.list(rt, { namespace })).items;
  if (!left.length) return;
  const finalizers = new Map<string, number>();
  for (const o of left) for (const f of o.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  // terminating pods (their grace period) and finalizers are expected to take a while; anything else is an error
  const graceful = rt.kind === 'Pod' && left.some((o) => o.metadata.deletionTimestamp);
  if (!graceful && !finalizers.size) totals.errors.push(`unexpected items still remain in namespace: ${namespace} for gvr: ${rt.group}/${rt.version}, Resource=${rt.plural}`);
  totals.remaining.set(`${rt.plural}.${rt.group}`, left.length);
  for (const [f, n] of finalizers) totals.finalizers.set(f, (totals.finalizers.get(f) ?? 0) + n);
}

/** namespaceConditionUpdater.Update: the five conditions, written when one changed. */
async function updateConditions(ctx: ControllerContext, nsType: ResourceType, ns: KObject, totals: ContentTotals): Promise<void> {
  const wanted = new Map<string, Omit<Condition, 'type'>>();
  const trouble = (type: string, reason: string, message: string) => wanted.set(type, { status: 'True', reason, message });
  if (totals.errors.length) {
    const msgs = [...totals.errors].sort();
    trouble('NamespaceDeletionContentFailure', 'ContentDeletionFailed', `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`);
  }
  if (totals.remaining.size) {
    const list = [...totals.remaining].map(([r, n]) => `${r} has ${n} resource instances`).sort();
    trouble('NamespaceContentRemaining', 'SomeResourcesRemain', `Some resources are remaining: ${list.join(', ')}`);
  }
  if (totals.finalizers.size) {
    const list = [...totals.finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    trouble('NamespaceFinalizersRemaining', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${list.join(', ')}`);
  }
  const now = ctx.api.timestamp();
  const current: Condition[] = ns.status?.conditions ?? [];
  let changed = false;
  const next = current.map((c) => ({ ...c }));
  for (const [type, reason, message] of OK_CONDITIONS) {
    const want = wanted.get(type) ?? { status: 'False' as const, reason, message };
    const old = next.find((c) => c.type === type);
    if (!old) {
      next.push({ type, status: want.status, lastTransitionTime: now, reason: want.reason, message: want.message });
      changed = true;
    } else if (old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
      if (old.status !== want.status) old.lastTransitionTime = now;
      Object.assign(old, { status: want.status, reason: want.reason, message: want.message });
      changed = true;
    }
  }
  if (!changed) return;
  try {
    await ctx.api.mutate(nsType, undefined, ns.metadata.name!, (n) => void (n.status = { ...n.status, conditions: next }), { status: true });
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
  }
}
