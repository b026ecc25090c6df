// The ReplicaSet controller (and the ReplicationController one, which is the same loop
// with a map selector): keep `spec.replicas` active pods, adopt matching orphans,
// release pods that stop matching, report counts in status.

import type { KObject } from '../api/types';
import type { CreateFailures } from '../api/sim-state';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import {
  POD,
  claimPods,
  controllerOf,
  isPodActive,
  isPodAvailable,
  isPodReady,
  mapMatcher,
  ms,
  msUntilAvailable,
  ownerKeys,
  podFromTemplate,
  podCondition,
  selectorMatcher,
  setCondition,
  typeFor,
  type Condition,
} from './controller-utils';

interface Flavour {
  apiVersion: string;
  kind: 'ReplicaSet' | 'ReplicationController';
  component: string;
  matcher(obj: KObject): (labels: Record<string, string> | undefined) => boolean;
}

const RS: Flavour = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  matcher: (rs) => selectorMatcher(rs.spec?.selector),
};

const RC: Flavour = {
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  matcher: (rc) => mapMatcher(rc.spec?.selector),
};

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The order in which surplus pods are deleted (controller.ActivePodsWithRanks): unscheduled
 * first, then pending before running, not-ready before ready, pods sharing a node with
 * more siblings, recently ready, more restarts, newer.
 */
export function rankPodsForDeletion(pods: KObject[]): KObject[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const restarts = (p: KObject) => (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => Math.max(n, c.restartCount ?? 0), 0);
  return [...pods].sort((a, b) => {
    const an = a.spec?.nodeName ? 1 : 0;
    const bn = b.spec?.nodeName ? 1 : 0;
    if (an !== bn) return an - bn;
    const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
    const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
    if (ap !== bp) return ap - bp;
    const ar = isPodReady(a) ? 1 : 0;
    const br = isPodReady(b) ? 1 : 0;
    if (ar !== br) return ar - br;
    const ak = perNode.get(a.spec?.nodeName) ?? 0;
    const bk = perNode.get(b.spec?.nodeName) ?? 0;
    if (ak !== bk) return bk - ak;
    if (ar && br) {
      const at = ms(podCondition(a, 'Ready')?.lastTransitionTime);
      const bt = ms(podCondition(b, 'Ready')?.lastTransitionTime);
      if (at !== bt && !Number.isNaN(at) && !Number.isNaN(bt)) return bt - at;
    }
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    const ac = ms(a.metadata.creationTimestamp);
    const bc = ms(b.metadata.creationTimestamp);
    if (ac !== bc) return bc - ac;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : -1;
  });
}

const MAX_CREATE_RETRY_MS = 5 * 60_000;

/**
 * At most this many pods are created or deleted per sync (kube-controller-manager's
 * BurstReplicas); a larger difference continues on the next sync. One reconcile of a
 * 10,000-replica ReplicaSet wrote 20,000 journal lines at once: the scheduler and kubelets
 * waited for all of them, and the manager fell behind the trimmed journal and re-listed.
 */
export const BURST_REPLICAS = 500;

/** The wait after the `failures`-th failed attempt in a row: 10 s, doubling to 5 min. */
export function createRetryDelayMs(failures: number): number {
  return Math.min(5_000 * 2 ** Math.min(failures, 10), MAX_CREATE_RETRY_MS);
}

/**
 * The back-off of a ReplicaSet that keeps failing to create pods. kube-controller-manager
 * keeps it in its work queue's rate limiter; here it is a record in the store, because
 * without the daemon every command is a new process (and a daemon restarts), yet each must
 * retry when the last one would have. Not derived from the FailedCreate events: the spam
 * filter drops them past 25 and they expire after an hour, and a back-off read from them
 * restarted or retried at once, forever.
 */
async function createFailures(ctx: ControllerContext, f: Flavour, rs: KObject): Promise<CreateFailures | undefined> {
  const e = (await ctx.api.sim.createFailures(rs.metadata.namespace!))[`${f.kind}/${rs.metadata.name}`];
  return e?.uid === rs.metadata.uid ? e : undefined;
}

async function reconcileReplicas(f: Flavour, key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const rt = typeFor(api, f.apiVersion, f.kind);
  const rs = await api.tryGet(rt, key.namespace, key.name);
  // Gone: its back-off goes too (the work queue's Forget).
  if (!rs) return key.namespace ? api.sim.setCreateFailures(key.namespace, `${f.kind}/${key.name}`, undefined) : undefined;
  const now = ctx.clock.now();
  const matches = f.matcher(rs);
  const podType = POD(api);
  let pods = (await claimPods(ctx, rs, matches)).filter(isPodActive);
  const want = rs.spec?.replicas ?? 1;
  let failure: string | undefined;

  // After a failed create, wait out the back-off before trying again (pod status changes
  // requeue the ReplicaSet often; each attempt would be another FailedCreate), unless one of
  // its pods went away since, making room (upstream retries on that pod event at once).
  const hasFailure = (rs.status?.conditions ?? []).some((c: Condition) => c.type === 'ReplicaFailure');
  const failed = hasFailure ? await createFailures(ctx, f, rs) : undefined;
  const retryAt = failed ? failed.lastAttempt + createRetryDelayMs(failed.failures) : -Infinity;
  const holdOff = failed !== undefined && now < retryAt && pods.length < want && pods.length >= failed.active;
  if (holdOff) failure = rs.status?.conditions?.find((c: Condition) => c.type === 'ReplicaFailure')?.message ?? 'retrying';

  let more = false;
  let changed = false;
  if (!rs.metadata.deletionTimestamp && !holdOff) {
    if (pods.length < want) {
      const upTo = Math.min(want, pods.length + BURST_REPLICAS);
      more = upTo < want;
      changed = true;
      for (let i = pods.length; i < upTo; i++) {
        try {
          const pod = await api.create(podFromTemplate(rs.spec?.template, rs));
          await api.recordEvent(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, { component: f.component });
        } catch (e) {
          failure = (e as Error).message;
          await api.recordEvent(rs, 'Warning', 'FailedCreate', `Error creating: ${failure}`, { component: f.component });
          more = false;
          break;
        }
      }
    } else if (pods.length > want) {
      const surplus = pods.length - want;
      more = surplus > BURST_REPLICAS;
      changed = true;
      for (const pod of rankPodsForDeletion(pods).slice(0, Math.min(surplus, BURST_REPLICAS))) {
        try {
          await api.delete(podType, pod.metadata.namespace, pod.metadata.name!);
          await api.recordEvent(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, { component: f.component });
        } catch {
          /* already gone */
        }
      }
    }
    // Only this ReplicaSet's pods, shared (a namespace may hold 10,000; they are only read).
    if (changed) pods = (await api.list(podType, { namespace: rs.metadata.namespace, fieldMatch: (p) => controllerOf(p)?.uid === rs.metadata.uid, shared: true })).items.filter(isPodActive);
  }

  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  // One walk over the pods for the counts and the next availability (a sync of a
  // 10,000-replica set walked them four times, the labels' entries made per pod).
  const labelEntries = Object.entries(templateLabels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let nextAvailable = Infinity;
  for (const p of pods) {
    const labels = p.metadata.labels;
    if (labelEntries.every(([k, v]) => labels?.[k] === v)) fullyLabeled++;
    if (!isPodReady(p)) continue;
    ready++;
    if (isPodAvailable(p, minReady, now)) available++;
    const wait = msUntilAvailable(p, minReady, now);
    if (wait > 0 && wait < nextAvailable) nextAvailable = wait;
  }
  const status: any = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation,
  };
  let conds: Condition[] = rs.status?.conditions ?? [];
  if (failure) {
    // As the controller's SetCondition: an existing ReplicaFailure with the same reason is
    // kept, message and all, so retries that name a new pod each time do not rewrite status.
    const cur = conds.find((c) => c.type === 'ReplicaFailure');
    if (!(cur && cur.status === 'True' && cur.reason === 'FailedCreate')) {
      conds = setCondition(conds, { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure, lastTransitionTime: api.timestamp() });
    }
  } else {
    conds = conds.filter((c) => c.type !== 'ReplicaFailure');
  }
  // The rate limiter: one more failure after an attempt that failed, forgotten after none.
  let backoff: CreateFailures | undefined;
  if (failure && !holdOff) {
    backoff = { uid: rs.metadata.uid!, failures: (failed?.failures ?? 0) + 1, lastAttempt: now, active: pods.length };
    await api.sim.setCreateFailures(rs.metadata.namespace!, `${f.kind}/${rs.metadata.name}`, backoff);
  } else if (!failure && failed) {
    await api.sim.setCreateFailures(rs.metadata.namespace!, `${f.kind}/${rs.metadata.name}`, undefined);
  } else if (holdOff) backoff = failed;
  if (conds.length) status.conditions = conds;
  // The API omits zero counts (omitempty), except replicas.
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (!status[k]) delete status[k];
  if (!deepEqual(status, rs.status ?? {})) {
    try {
      await api.mutate(rt, rs.metadata.namespace, rs.metadata.name!, (o) => void (o.status = status), { status: true });
    } catch {
      /* deleted meanwhile */
    }
  }
  // The rest of a burst: at once (the pods just written requeue it too, after the
  // scheduler and kubelets have had their turn at them).
  if (more) return { requeueAfterMs: 0 };
  // Failing creates are retried with back-off. The first two retries (10 s, 20 s) are waits
  // for progress (a transient error heals); after that the failure is steady state, so
  // `reconcile --until-stable` settles on it (any change to pods or the object requeues it).
  if (backoff) {
    const delayMs = createRetryDelayMs(backoff.failures);
    return { requeueAfterMs: Math.max(1, backoff.lastAttempt + delayMs - now), periodic: delayMs > 20_000 };
  }
  if (nextAvailable < Infinity) return { requeueAfterMs: nextAvailable };
}

async function orphanOwners(f: Flavour, pod: KObject, ctx: ControllerContext): Promise<ReconcileKey[]> {
  const rt = typeFor(ctx.api, f.apiVersion, f.kind);
  return (await ctx.api.list(rt, { namespace: pod.metadata.namespace })).items
    .filter((o) => f.matcher(o)(pod.metadata.labels))
    .map((o) => ({ kind: f.kind, namespace: o.metadata.namespace, name: o.metadata.name! }));
}

/** Orphan pods may be adopted: requeue every controller of this kind whose selector matches. */
function orphanMapper(f: Flavour) {
  const byOwner = ownerKeys(f.kind);
  // Synchronous for an owned pod (nearly every change): no promise per pod change.
  return (pod: KObject, ctx: ControllerContext): ReconcileKey[] | Promise<ReconcileKey[]> => {
    const owned = byOwner(pod);
    if (owned.length || controllerOf(pod)) return owned;
    return orphanOwners(f, pod, ctx);
  };
}

export const replicaSetReconciler: Reconciler = {
  name: 'replicaset-controller',
  primary: ['apps/v1', 'ReplicaSet'],
  watches: [{ kind: 'Pod', map: orphanMapper(RS) }],
  reconcile: (key, ctx) => reconcileReplicas(RS, key, ctx),
};

export const replicationControllerReconciler: Reconciler = {
  name: 'replication-controller',
  primary: ['v1', 'ReplicationController'],
  watches: [{ kind: 'Pod', map: orphanMapper(RC) }],
  reconcile: (key, ctx) => reconcileReplicas(RC, key, ctx),
};
