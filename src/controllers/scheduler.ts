// kube-scheduler as a reconciler keyed on Pods: pending pods (no nodeName, schedulerName
// default-scheduler) are filtered and scored against a snapshot of nodes and bound pods,
// then bound (spec.nodeName + PodScheduled=True + a `Scheduled` event) or marked
// Unschedulable with kube-scheduler's FailedScheduling message. The snapshot is rebuilt
// only when someone else wrote to the store, so a burst of pending pods costs one pass
// over nodes and pods, not one per pod.

import type { KObject } from '../api/types';
import type { ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import { ApiError } from '../api/errors';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { filterNode, findFeasibleNodes, fitErrorMessage, footprintOf, pickByFit, scoreNodes, type FilterContext, type NodeStatus } from './scheduler-plugins';
import { addPod, newNodeInfo, NodeTable, removePod, setNode, type NodeInfo, type PodFootprint } from './scheduler-nodes';

export const SCHEDULER_NAME = 'default-scheduler';
/** Unschedulable pods are retried on cluster changes, and at the latest after this long (podMaxInUnschedulablePodsDuration). */
const UNSCHEDULABLE_RETRY_MS = 5 * 60_000;
/**
 * Real ms without a scheduling attempt after which the snapshot is let go. It holds every
 * bound pod as it was at its binding (the kubelet's status writes replaced it in the store
 * since), so a settled cluster kept a second, stale copy of its pods (~3.8 KB each); the next
 * pending pod rebuilds it from one shared list.
 */
const SNAPSHOT_IDLE_MS = 30_000;

interface Snapshot {
  rev: number;
  nodes: Map<string, NodeInfo>;
  antiAffinityPods: Array<[KObject, NodeInfo]>;
  namespaces: Map<string, Record<string, string>>;
  nextStart: number;
  /** The nodes in list order, made once per snapshot (nodes added or removed rebuild it). */
  order?: NodeInfo[];
  /** Their numbers side by side, in the same order. */
  table?: NodeTable;
  /** Per-pod buffers as long as the node list (feasible nodes, their rows, their scores), reused pod after pod. */
  scratch?: { feasible: NodeInfo[]; rows: Int32Array; totals: Float64Array; count: { found: number } };
}

function isTerminal(p: KObject): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

function hasRequiredAnti(p: KObject): boolean {
  return !!p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length;
}

async function buildSnapshot(api: ApiServer): Promise<Snapshot> {
  const rev = await api.currentRev();
  const nodes = new Map<string, NodeInfo>();
  // Shared (frozen) objects: the snapshot only reads them, and copying 5,000 nodes and every
  // pod per rebuild cost more than the scheduling.
  for (const n of (await api.list(rt(api, 'v1', 'Node'), { shared: true })).items) nodes.set(n.metadata.name!, newNodeInfo(n));
  const antiAffinityPods: Array<[KObject, NodeInfo]> = [];
  for (const p of (await api.list(rt(api, 'v1', 'Pod'), { shared: true })).items) {
    const ni = p.spec?.nodeName ? nodes.get(p.spec.nodeName) : undefined;
    if (!ni || isTerminal(p)) continue;
    addPod(ni, p);
    if (hasRequiredAnti(p)) antiAffinityPods.push([p, ni]);
  }
  const namespaces = new Map<string, Record<string, string>>();
  for (const ns of (await api.list(rt(api, 'v1', 'Namespace'), { shared: true })).items) namespaces.set(ns.metadata.name!, ns.metadata.labels ?? {});
  return { rev, nodes, antiAffinityPods, namespaces, nextStart: 0 };
}

/**
 * Brings the snapshot up to date with the store's changes since it was taken, as the
 * scheduler's informer cache does, instead of re-reading every node and pod: with other
 * controllers writing between two pods, a rebuild per pod made a burst O(pods²).
 * Returns false when it cannot (journal compacted, nodes added or removed): rebuild then.
 */
async function refreshSnapshot(api: ApiServer, snap: Snapshot, current: number): Promise<boolean> {
  const changes = await api.changesSince(snap.rev);
  if (!changes.length) return false;
  for (const ch of changes) {
    const o = ch.object;
    if (o.apiVersion !== 'v1') continue;
    if (o.kind === 'Pod') {
      updatePod(snap, o, ch.type === 'DELETED');
    } else if (o.kind === 'Node') {
      const ni = snap.nodes.get(o.metadata.name!);
      // A node added or removed changes the node order: rebuild to keep it the list order.
      if (!ni || ch.type !== 'MODIFIED') return false;
      setNode(ni, o);
    } else if (o.kind === 'Namespace') {
      if (ch.type === 'DELETED') snap.namespaces.delete(o.metadata.name!);
      else snap.namespaces.set(o.metadata.name!, o.metadata.labels ?? {});
    }
  }
  snap.rev = Math.max(current, changes[changes.length - 1].rev);
  return true;
}

/**
 * Moves a changed pod in the snapshot: off its node, back on if it still counts. A bound
 * pod's node never changes (spec.nodeName is immutable once set, a DELETED change carries the
 * last state), so the node it names is the only one it can be on: no map of every bound pod
 * to its node (one entry per binding, ~1 % of scheduling a pod at 5,000 nodes).
 */
function updatePod(snap: Snapshot, p: KObject, deleted: boolean): void {
  const named = p.spec?.nodeName ? snap.nodes.get(p.spec.nodeName) : undefined;
  if (!named) return;
  const uid = p.metadata.uid;
  const ni = !deleted && !isTerminal(p) ? named : undefined;
  const at = named.pods.findIndex((x) => x.metadata.uid === uid);
  if (at >= 0) {
    removePod(named, named.pods[at]);
    const ai = snap.antiAffinityPods.findIndex(([x]) => x.metadata.uid === uid);
    if (ai >= 0) snap.antiAffinityPods.splice(ai, 1);
    if (!ni) return;
    // Still there: keep the pod's place among the node's pods.
    addPod(ni, p);
    ni.pods.splice(at, 0, ni.pods.pop()!);
  } else if (ni) addPod(ni, p);
  else return;
  if (hasRequiredAnti(p)) snap.antiAffinityPods.push([p, ni]);
}

function rt(api: ApiServer, apiVersion: string, kind: string): ResourceType {
  return api.registry.forKind(apiVersion, kind);
}

/** RFC3339 with microseconds, as events.k8s.io's eventTime (MicroTime). */
export function microTime(ms: number): string {
  // A burst of binds shares one clock reading: format it once.
  if (ms !== lastMicro.ms) lastMicro = { ms, text: new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') };
  return lastMicro.text;
}
let lastMicro = { ms: NaN, text: '' };

export interface SchedulerState {
  snapshot?: Snapshot;
  /** Real time of the snapshot's last use, and the timer that lets an idle one go. */
  snapshotUsedAt?: number;
  snapshotTimer?: NodeJS.Timeout;
  /** Pending pods that failed to schedule: retried when nodes or pods change. */
  unschedulable: Map<string, ReconcileKey>;
  /** Pod uid → name and message of its FailedScheduling event (series aggregation). */
  failedEvents: Map<string, { name: string; message: string }>;
  /** Namespaces whose FailedScheduling events failedEvents holds (read once; this scheduler's own writes keep it current). */
  failedEventsRead: Set<string>;
  /** Pod id → its resourceVersion after our last failed attempt, and when (own writes do not retry). */
  attempts: Map<string, { rv: string; at: number }>;
  /** Pods a cluster change made worth retrying. */
  retry: Set<string>;
}

/** Why a pending pod cannot be scheduled, and the scheduler's message for it. */
export interface ScheduleDecision {
  node?: string;
  message?: string;
  /** Per rejected node, its status (trace output: why the others were rejected). */
  rejected: Array<[node: string, status: NodeStatus]>;
  victims?: KObject[];
  nominatedNode?: string;
  /** With `node`: what the pod takes there (requests, host ports), as worked out to choose it. */
  footprint?: PodFootprint;
  /** With `node`: its entry in the snapshot. */
  nodeInfo?: NodeInfo;
}

/** Lets the snapshot go once it has not been used for SNAPSHOT_IDLE_MS (an unref'd timer: it never keeps a process alive). */
function releaseWhenIdle(state: SchedulerState): void {
  state.snapshotUsedAt = Date.now();
  if (state.snapshotTimer) return;
  const check = () => {
    const idle = Date.now() - (state.snapshotUsedAt ?? 0);
    if (idle >= SNAPSHOT_IDLE_MS) {
      state.snapshot = undefined;
      state.snapshotTimer = undefined;
      return;
    }
    state.snapshotTimer = setTimeout(check, SNAPSHOT_IDLE_MS - idle);
    state.snapshotTimer.unref();
  };
  state.snapshotTimer = setTimeout(check, SNAPSHOT_IDLE_MS);
  state.snapshotTimer.unref();
}

export function createScheduler(): Reconciler & { state: SchedulerState } {
  const state: SchedulerState = { unschedulable: new Map(), failedEvents: new Map(), failedEventsRead: new Set(), attempts: new Map(), retry: new Set() };

  const requeueUnschedulable = (): ReconcileKey[] => {
    for (const id of state.unschedulable.keys()) state.retry.add(id);
    return [...state.unschedulable.values()];
  };
  const retryAfterPodChange = async (obj: KObject, ctx: ControllerContext): Promise<ReconcileKey[]> => {
    const freed = obj.metadata.deletionTimestamp || isTerminal(obj) || !await ctx.api.tryGet(rt(ctx.api, 'v1', 'Pod'), obj.metadata.namespace, obj.metadata.name!);
    const justBound = !obj.status?.containerStatuses && !obj.status?.initContainerStatuses;
    return freed || justBound ? requeueUnschedulable() : [];
  };

  return {
    name: 'scheduler',
    primary: ['v1', 'Pod'],
    lane: 'first',
    // As kube-scheduler's queue: an assigned pod's change (its own binding among them) only
    // updates the snapshot, which follows the change feed; reconciling it did nothing.
    primaryFilter: (obj) => !obj.spec?.nodeName,
    state,
    watches: [
      { kind: 'Node', map: () => requeueUnschedulable() },
      { kind: 'PersistentVolumeClaim', map: () => requeueUnschedulable() },
      {
        kind: 'Pod',
        // A bound pod that goes away or finishes frees room; a newly bound one may satisfy affinity.
        // Nothing waiting (every pod of a burst that fits): answered without a promise.
        map: (obj, ctx) => (!state.unschedulable.size || !obj.spec?.nodeName ? NO_KEYS : retryAfterPodChange(obj, ctx)),
      },
    ],
    async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
      const api = ctx.api;
      const podType = rt(api, 'v1', 'Pod');
      const id = `${key.namespace}/${key.name}`;
      // Only read (writes go through bindPod and mutate, which read their own copies).
      const pod = await api.tryGet(podType, key.namespace, key.name, { shared: true });
      if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || isTerminal(pod) || (pod.spec?.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME) {
        state.unschedulable.delete(id);
        state.attempts.delete(id);
        if (pod?.metadata.uid) state.failedEvents.delete(pod.metadata.uid);
        return;
      }
      // Our own status write requeues the pod: nothing changed for it since the last attempt.
      const now = ctx.clock.now();
      const last = state.attempts.get(id);
      if (last && last.rv === pod.metadata.resourceVersion && !state.retry.has(id) && now - last.at < UNSCHEDULABLE_RETRY_MS) {
        return { requeueAfterMs: last.at + UNSCHEDULABLE_RETRY_MS - now, periodic: true };
      }
      state.retry.delete(id);
      if ((pod.spec?.schedulingGates ?? []).length) {
        await setScheduledCondition(api, pod, 'False', 'SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates');
        return;
      }
      // Up to date (nothing written since the last pod's bind) is the usual case: no call to refresh it.
      const current = state.snapshot ? await api.currentRev() : -1;
      if (!state.snapshot || (current !== state.snapshot.rev && !await refreshSnapshot(api, state.snapshot, current))) state.snapshot = await buildSnapshot(api);
      const snap = state.snapshot;
      releaseWhenIdle(state);
      // Most pods claim no volume (their service account token's is projected): no call (an await per pod) for them.
      const preFilter = claimsOf(pod).length ? await volumePreFilter(api, pod) : undefined;
      const decision = schedulePod(api, pod, snap, preFilter);
      if (decision.node) {
        // the stored pod itself (frozen, shared with the change feed): the snapshot keeps every bound pod
        // Bound, then the Scheduled event (no function of its own around them: each await is two promises).
        const before = snap.rev;
        const bound = await api.bindPod(pod.metadata.namespace ?? 'default', pod.metadata.name!, decision.node);
        const evented = await schedulerEvent(api, pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${decision.node}`);
        const ni = decision.nodeInfo!;
        addPod(ni, bound, decision.footprint);
        if (hasRequiredAnti(bound)) snap.antiAffinityPods.push([bound, ni]);
        // Skip our own two writes only when nobody else wrote in between (a user's request or
        // another controller can, in the daemon): otherwise the next pod's refresh replays them
        // all (ours again, harmlessly) rather than miss a deleted pod or a changed node. Read
        // here, not in a function of its own (an async call is one more promise per pod).
        const revNow = await api.currentRev();
        snap.rev = revNow === before + (evented ? 2 : 1) ? revNow : before;
        state.unschedulable.delete(id);
        state.attempts.delete(id);
        state.failedEvents.delete(pod.metadata.uid!);
        return;
      }
      for (const v of decision.victims ?? []) await preempt(api, v, pod, decision.nominatedNode!);
      await markUnschedulable(api, pod, decision.message!, decision.nominatedNode, state);
      state.unschedulable.set(id, { kind: 'Pod', namespace: key.namespace, name: key.name });
      const after = await api.tryGet(podType, key.namespace, key.name, { shared: true });
      if (after) state.attempts.set(id, { rv: after.metadata.resourceVersion!, at: now });
      if (decision.victims?.length) {
        // The victims' deletion frees room: until then the snapshot is stale for us.
        state.snapshot = undefined;
      }
      return { requeueAfterMs: UNSCHEDULABLE_RETRY_MS, periodic: true };
    },
  };
}

/**
 * Filters, scores, and (if nothing fits) looks for preemption victims. No writes, no reads:
 * `preFilter` is VolumeBinding's verdict on the pod's claims (volumePreFilter).
 */
function schedulePod(api: ApiServer, pod: KObject, snap: Snapshot, preFilter: string | undefined): ScheduleDecision {
  // Not a copy of 5,000 nodes per pod.
  const nodes = (snap.order ??= [...snap.nodes.values()]);
  const table = (snap.table ??= new NodeTable(nodes));
  const total = nodes.length;
  if (total === 0) return { message: 'no nodes available to schedule pods', rejected: [] };
  // Filled with a node first: a packed array of objects, not a holey one.
  const scratch = (snap.scratch ??= { feasible: new Array<NodeInfo>(total).fill(nodes[0]), rows: new Int32Array(total), totals: new Float64Array(total), count: { found: 0 } });

  if (preFilter) {
    const status: NodeStatus = { reasons: [preFilter], unresolvable: true };
    const msg = fitErrorMessage(total, [], preFilter) + ` preemption: ${fitErrorMessage(total, nodes.map(() => ({ reasons: ['Preemption is not helpful for scheduling'], unresolvable: true })))}`;
    return { message: msg, rejected: nodes.map((n) => [n.name, status]) };
  }

  const fctx: FilterContext = {
    nodes: snap.nodes,
    namespaceLabels: (ns) => snap.namespaces.get(ns),
    spreadCache: new Map(),
    antiAffinityPods: snap.antiAffinityPods,
  };
  // percentageOfNodesToScore (adaptive): big clusters stop filtering once enough nodes fit,
  // starting where the previous pod stopped so that all nodes get their turn.
  const want = numFeasibleNodesToFind(total);
  const { feasible, count } = scratch;
  const rejected: Array<[string, NodeStatus]> = [];
  const startAt = snap.nextStart % total;
  // A pod ordered by its fit score alone (most pods without a controller) is scored and its
  // node chosen inside the filter loop: same scores, same draws, one pass.
  const pick = pickByFit(pod, table, fctx, api.rng);
  const examined = findFeasibleNodes(pod, nodes, table, startAt, want, fctx, feasible, scratch.rows, rejected, count, pick);
  snap.nextStart = (startAt + examined) % total;
  const fit = count.found;
  if (fit && pick) return { node: nodes[pick.best].name, nodeInfo: nodes[pick.best], rejected, footprint: footprintOf(pod, fctx) };
  if (fit) {
    const scores = fit > 1 ? scoreNodes(pod, feasible, fctx, { table, index: scratch.rows, totals: scratch.totals, count: fit }) : [0];
    // selectHost: the highest integer total wins; nodes with exactly that total are sampled
    // one by one (reservoir sampling, each kept with probability 1/count), as kube-scheduler does.
    let best = 0;
    let ties = 1;
    for (let i = 1; i < fit; i++) {
      if (scores[i] > scores[best]) {
        best = i;
        ties = 1;
      } else if (scores[i] === scores[best]) {
        ties++;
        if (api.rng() * ties < 1) best = i;
      }
    }
    return { node: feasible[best].name, nodeInfo: feasible[best], rejected, footprint: footprintOf(pod, fctx) };
  }

  const statuses = rejected.map(([, s]) => s);
  let message = fitErrorMessage(total, statuses);
  if (pod.spec?.preemptionPolicy === 'Never') {
    return { message: `${message} preemption: not eligible due to preemptionPolicy=Never.`, rejected };
  }
  // PodEligibleToPreemptOthers: while victims on the nominated node are still terminating, wait for them.
  const nominated = pod.status?.nominatedNodeName ? snap.nodes.get(pod.status.nominatedNodeName) : undefined;
  if (nominated && nominated.pods.some((p) => p.metadata.deletionTimestamp && priorityOf(p) < priorityOf(pod))) {
    return { message: `${message} preemption: not eligible due to a terminating pod on the nominated node.`, rejected };
  }
  const found = findPreemption(pod, rejected, snap, fctx);
  if (found) return { message, rejected, victims: found.victims, nominatedNode: found.node };
  const pstat: NodeStatus[] = rejected.map(([, s]) => ({
    reasons: [s.unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod'],
    unresolvable: s.unresolvable,
  }));
  message += ` preemption: ${fitErrorMessage(total, pstat)}`;
  return { message, rejected };
}

/** kube-scheduler's numFeasibleNodesToFind with the default adaptive percentage. */
export function numFeasibleNodesToFind(numNodes: number): number {
  if (numNodes < 100) return numNodes;
  const pct = Math.max(5, 50 - Math.floor(numNodes / 125));
  return Math.max(100, Math.floor((numNodes * pct) / 100));
}

function priorityOf(p: KObject): number {
  return typeof p.spec?.priority === 'number' ? p.spec.priority : 0;
}

/** DefaultPreemption: on nodes preemption can help, remove lower-priority pods (fewest, lowest first). */
function findPreemption(pod: KObject, rejected: Array<[string, NodeStatus]>, snap: Snapshot, fctx: FilterContext): { node: string; victims: KObject[] } | undefined {
  const prio = priorityOf(pod);
  let best: { node: string; victims: KObject[]; key: number[] } | undefined;
  for (const [name, status] of rejected) {
    if (status.unresolvable) continue;
    const ni = snap.nodes.get(name)!;
    const lower = ni.pods.filter((p) => priorityOf(p) < prio && !p.metadata.deletionTimestamp);
    if (!lower.length) continue;
    // Not in the table (slot): a trial must not change what the snapshot's loops read.
    const trial: NodeInfo = { ...ni, slot: undefined, pods: [...ni.pods], owners: new Map(ni.owners), usedPorts: new Set(ni.usedPorts), requested: { ...ni.requested }, nonZero: { ...ni.nonZero } };
    for (const v of lower) removePod(trial, v);
    const nodesWithTrial = new Map(snap.nodes);
    nodesWithTrial.set(name, trial);
    const tctx: FilterContext = { ...fctx, nodes: nodesWithTrial, spreadCache: new Map(), allPods: undefined, affinity: undefined, plan: undefined, antiAffinityPods: fctx.antiAffinityPods?.filter(([p]) => !lower.includes(p)) };
    if (filterNode(pod, trial, tctx)) continue;
    // Reprieve as many victims as possible, highest priority first.
    const victims: KObject[] = [];
    for (const v of [...lower].sort((a, b) => priorityOf(b) - priorityOf(a))) {
      addPod(trial, v);
      if (filterNode(pod, trial, { ...tctx, spreadCache: new Map(), allPods: undefined, affinity: undefined, plan: undefined })) {
        removePod(trial, v);
        victims.push(v);
      }
    }
    const key = [Math.max(...victims.map(priorityOf)), victims.reduce((s, v) => s + priorityOf(v), 0), victims.length];
    if (!best || key[0] < best.key[0] || (key[0] === best.key[0] && (key[1] < best.key[1] || (key[1] === best.key[1] && key[2] < best.key[2])))) {
      best = { node: name, victims, key };
    }
  }
  return best && { node: best.node, victims: best.victims };
}

/** The pod's volumes that name a PersistentVolumeClaim. */
function claimsOf(pod: KObject): any[] {
  const volumes: any[] | undefined = pod.spec?.volumes;
  if (!volumes?.length || !volumes.some((v) => v.persistentVolumeClaim?.claimName)) return NO_CLAIMS;
  return volumes.filter((v) => v.persistentVolumeClaim?.claimName);
}
const NO_CLAIMS: any[] = [];
/** No key to queue (shared: the manager only reads it). */
const NO_KEYS: ReconcileKey[] = [];

/** VolumeBinding PreFilter: missing or unbound immediate claims block the pod everywhere. */
async function volumePreFilter(api: ApiServer, pod: KObject): Promise<string | undefined> {
  const claims = claimsOf(pod);
  if (!claims.length) return undefined;
  const pvcType = rt(api, 'v1', 'PersistentVolumeClaim');
  let unboundImmediate = false;
  for (const v of claims) {
    const name = v.persistentVolumeClaim.claimName;
    const pvc = await api.tryGet(pvcType, pod.metadata.namespace, name);
    if (!pvc) return `persistentvolumeclaim "${name}" not found`;
    if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    if (pvc.spec?.volumeName || pvc.status?.phase === 'Bound') continue;
    if (await bindingMode(api, pvc) === 'Immediate') unboundImmediate = true;
  }
  return unboundImmediate ? 'pod has unbound immediate PersistentVolumeClaims' : undefined;
}

async function bindingMode(api: ApiServer, pvc: KObject): Promise<string> {
  const scType = rt(api, 'storage.k8s.io/v1', 'StorageClass');
  let scName: string | undefined = pvc.spec?.storageClassName ?? undefined;
  if (scName === undefined) {
    const def = (await api.list(scType)).items.find((sc) => sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    scName = def?.metadata.name;
  }
  if (!scName) return 'Immediate';
  const sc = await api.tryGet(scType, undefined, scName);
  return sc?.volumeBindingMode ?? 'Immediate';
}

// ---------- writes ----------

async function setScheduledCondition(api: ApiServer, pod: KObject, status: string, reason?: string, message?: string, nominated?: string): Promise<void> {
  const podType = rt(api, 'v1', 'Pod');
  const now = api.timestamp();
  const cur = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
  if (cur && cur.status === status && cur.reason === reason && cur.message === message && (nominated === undefined || pod.status?.nominatedNodeName === nominated)) return;
  try {
    await api.mutate(
      podType,
      pod.metadata.namespace,
      pod.metadata.name!,
      (p) => {
        p.status ??= {};
        const conds: any[] = p.status.conditions ?? [];
        const i = conds.findIndex((c) => c.type === 'PodScheduled');
        const prev = i >= 0 ? conds[i] : undefined;
        if (prev && prev.status === status && prev.reason === reason && prev.message === message && (nominated === undefined || p.status.nominatedNodeName === nominated)) return p;
        const cond: any = { lastProbeTime: null, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now, status, type: 'PodScheduled' };
        if (reason) cond.reason = reason;
        if (message) cond.message = message;
        if (i >= 0) conds[i] = cond;
        else conds.push(cond);
        p.status.conditions = conds;
        if (nominated) p.status.nominatedNodeName = nominated;
        return p;
      },
      { status: true },
    );
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
  }
}

async function markUnschedulable(api: ApiServer, pod: KObject, message: string, nominated: string | undefined, state: SchedulerState): Promise<void> {
  await setScheduledCondition(api, pod, 'False', 'Unschedulable', message, nominated);
  const uid = pod.metadata.uid!;
  if (!state.failedEvents.has(uid)) await readFailedEvents(api, pod.metadata.namespace ?? 'default', state);
  const prev = state.failedEvents.get(uid);
  if (prev && prev.message === message) {
    const evType = rt(api, 'v1', 'Event');
    try {
      await api.mutate(evType, pod.metadata.namespace, prev.name, (e) => {
        e.series = { count: (e.series?.count ?? 1) + 1, lastObservedTime: microTime(api.clock.now()) };
        return e;
      });
      state.failedEvents.set(uid, prev);
      return;
    } catch {
      /* the event expired: record a new one */
    }
  }
  const name = await schedulerEvent(api, pod, 'Warning', 'FailedScheduling', 'Scheduling', message);
  if (name) state.failedEvents.set(uid, { name, message });
}

/**
 * The FailedScheduling events of a namespace (as events written before this scheduler
 * started, by an earlier process, are aggregated into), read once: a read per pending pod
 * read every event of the namespace each time, a synchronous list of seconds with
 * thousands of pods pending, during which the daemon answered no one.
 */
async function readFailedEvents(api: ApiServer, namespace: string, state: SchedulerState): Promise<void> {
  if (state.failedEventsRead.has(namespace)) return;
  const mine = (e: KObject) => e.reason === 'FailedScheduling' && e.reportingComponent === SCHEDULER_NAME && typeof e.involvedObject?.uid === 'string';
  // In name order, a pod's latest last (its events are named <pod>.<time in hex>).
  for (const e of (await api.list(rt(api, 'v1', 'Event'), { namespace, fieldMatch: mine, shared: true })).items) {
    state.failedEvents.set(e.involvedObject.uid, { name: e.metadata.name!, message: e.message });
  }
  state.failedEventsRead.add(namespace);
}

async function preempt(api: ApiServer, victim: KObject, pod: KObject, node: string): Promise<void> {
  await schedulerEvent(api, victim, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.metadata.uid} on node ${node}`);
  try {
    await api.delete(rt(api, 'v1', 'Pod'), victim.metadata.namespace, victim.metadata.name!);
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
  }
}

/**
 * An event as the scheduler's events.k8s.io recorder writes it (seen through core/v1):
 * eventTime in microseconds, no first/lastTimestamp, empty source, reporting fields.
 */
function schedulerEvent(api: ApiServer, pod: KObject, type: string, reason: string, action: string, message: string): Promise<string | undefined> {
  const nowMs = api.clock.now();
  const event: KObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: '', namespace: pod.metadata.namespace ?? 'default' },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      uid: pod.metadata.uid,
      resourceVersion: pod.metadata.resourceVersion,
    },
    reason,
    message,
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type,
    eventTime: microTime(nowMs),
    action,
    reportingComponent: SCHEDULER_NAME,
    reportingInstance: `${SCHEDULER_NAME}-kubesim-control-plane`,
  };
  return api.createEvent(event);
}

/** What the filters say about every node for this pod, as the cluster is now (for `kubesim trace`). */
export interface SchedulingExplanation {
  considered: number;
  /** A reason that rules out every node before the filters run (e.g. an unbound PVC). */
  preFilter?: string;
  rejected: Array<{ node: string; reasons: string[] }>;
  feasible: string[];
}

/**
 * Re-runs the filter chain for one pod against the current nodes, with the pod itself taken
 * out of the picture (so a bound pod does not count against its own node). Every node is
 * examined (no adaptive sampling), nothing is written, no randomness is used.
 */
export async function explainScheduling(api: ApiServer, pod: KObject): Promise<SchedulingExplanation> {
  const snap = await buildSnapshot(api);
  const ni = pod.spec?.nodeName ? snap.nodes.get(pod.spec.nodeName) : undefined;
  if (ni) removePod(ni, pod);
  snap.antiAffinityPods = snap.antiAffinityPods.filter(([p]) => p.metadata.uid !== pod.metadata.uid);
  const unbound: KObject = { ...pod, spec: { ...pod.spec, nodeName: undefined } };
  const nodes = [...snap.nodes.values()];
  const preFilter = await volumePreFilter(api, unbound);
  if (preFilter) return { considered: nodes.length, preFilter, rejected: [], feasible: [] };
  const fctx: FilterContext = { nodes: snap.nodes, namespaceLabels: (ns) => snap.namespaces.get(ns), spreadCache: new Map(), antiAffinityPods: snap.antiAffinityPods };
  const out: SchedulingExplanation = { considered: nodes.length, rejected: [], feasible: [] };
  for (const n of nodes) {
    const s = filterNode(unbound, n, fctx);
    if (s) out.rejected.push({ node: n.name, reasons: s.reasons });
    else out.feasible.push(n.name);
  }
  return out;
}
