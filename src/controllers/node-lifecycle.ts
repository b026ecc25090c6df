// Node lifecycle, keyed on Nodes: the kubelet's heartbeat (its Lease in kube-node-lease)
// and the node controller's view of it. A node whose kubelet stopped (`kubesim node stop`)
// goes Ready=Unknown after nodeMonitorGraceMs, gets the unreachable taints, its pods are
// marked not ready, and the taint-eviction controller deletes them once their
// tolerationSeconds (300 s by default) run out. Starting the node reverses it. Pods
// bound to a node that no longer exists are removed (pod GC).

import type { KObject } from '../api/types';
import type { ApiServer } from '../api/server';
import type { LeaseRenewal } from '../api/lease-renewal';
import { ApiError } from '../api/errors';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { stoppedSince } from '../kubelet/node-power';
import { microTime } from './scheduler';
import { toleratesTaint } from './scheduler-plugins';
import { fnv32a } from '../sim/rng';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const LEASE_DURATION_S = 40;
/** The kubelet posts an unchanged node status (lastHeartbeatTime) this often (nodeStatusReportFrequency). */
const STATUS_REPORT_MS = 5 * 60_000;

/**
 * When the kubelet of `node` next posts an unchanged status, its last post at `lastMs`. A
 * real kubelet adds a one-time random delay in [-0.5, 0.5] x nodeStatusReportFrequency to the
 * first interval after a change or its own start (delayAfterNodeStatusChange), so a fleet
 * started together does not post together; from then on every frequency. Here the delay is
 * the node's own phase (a hash of its name): due at the first instant of that phase at least
 * half a frequency after `lastMs` — one frequency after a post made on its phase, within
 * [0.5, 1.5] of it after any other. All 5,000 nodes of a cluster created at once posted in
 * the same 10-s beat every 5 minutes (a burst of 5,000 Node writes, docs/perf-issue-18.md
 * round 90); phased, ~17 a second.
 */
export function nextStatusReport(node: string, lastMs: number, everyMs = STATUS_REPORT_MS): number {
  const from = lastMs + everyMs / 2;
  const phase = fnv32a(node) % everyMs;
  return from + ((((phase - from) % everyMs) + everyMs) % everyMs);
}
/**
 * The kubelet's lease controller renews every renewInterval with a jitter of 0.04 of it
 * (wait.JitterUntil(sync, renewInterval, 0.04, ...)): a beat is due at the next multiple of
 * this much after the interval, within that jitter, so the beats of thousands of nodes fall
 * on a few clock steps and share one group commit each (5,000 nodes: 2.5 groups a second
 * instead of one per 50 ms tick).
 */
const LEASE_JITTER = 0.04;

/** Cluster ms until the next beat: `everyMs` rounded up to a step of `everyMs * LEASE_JITTER`. */
export function untilNextBeat(now: number, everyMs: number): number {
  const step = Math.max(1, Math.floor(everyMs * LEASE_JITTER));
  return Math.ceil((now + everyMs) / step) * step - now;
}

/** What a kubelet records when it starts on a node, and the node controller's RegisteredNode. */
async function announceStart(api: ApiServer, node: KObject, registered: boolean): Promise<void> {
  const name = node.metadata.name!;
  const kubelet = { component: 'kubelet', host: name };
  await api.recordEvent(node, 'Normal', 'Starting', 'Starting kubelet.', kubelet);
  for (const s of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) await api.recordEvent(node, 'Normal', s, `Node ${name} status is now: ${s}`, kubelet);
  await api.recordEvent(node, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods', kubelet);
  if (registered) await api.recordEvent(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`, { component: 'node-controller' });
}

function rt(api: ApiServer, apiVersion: string, kind: string) {
  return api.registry.forKind(apiVersion, kind);
}

async function podsOn(api: ApiServer, node: string): Promise<KObject[]> {
  return (await api.list(rt(api, 'v1', 'Pod'))).items.filter((p) => p.spec?.nodeName === node);
}

// The node's Lease is its kubelet's (nodelease controller): its managedFields name `kubelet`,
// as `kubectl get lease -n kube-node-lease NODE --show-managed-fields` shows on a real cluster.
const KUBELET_WRITE = { fieldManager: 'kubelet' };

/**
 * The node's beat: its Lease created when missing, else its renewal put in `due` when one is
 * due (the reconciler's flush writes a tick's renewals in one store call).
 */
async function beat(api: ApiServer, node: KObject, nowMs: number, everyMs: number, due: LeaseRenewal[]): Promise<void> {
  const leaseType = rt(api, 'coordination.k8s.io/v1', 'Lease');
  const name = node.metadata.name!;
  const renewTime = microTime(nowMs);
  // Read shared (the update copies what it is given): no copy of the Lease per beat.
  const lease = await api.tryGet(leaseType, 'kube-node-lease', name, { shared: true });
  if (!lease) {
    try {
      await api.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid! }] },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime },
      }, KUBELET_WRITE);
    } catch {
      /* namespace missing in a bare store: heartbeats are cosmetic then */
    }
    return;
  }
  if (lease.spec?.renewTime && nowMs - Date.parse(lease.spec.renewTime) < everyMs) return;
  // The pass's first renewal takes the store's lock (kept by its group, as a write would):
  // the other reconciles' reads are then under it (a file store trusts the files it checked
  // in this hold), not an lstat each until the flush's write.
  if (!due.length) await api.store.batch(() => undefined);
  due.push({ lease, renewTime });
}

function setConditions(node: KObject, status: string, ts: string, kind: 'unknown' | 'ready'): void {
  const texts: Record<string, [string, string]> = {
    MemoryPressure: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    DiskPressure: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    PIDPressure: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    Ready: ['KubeletReady', 'kubelet is posting ready status'],
  };
  node.status.conditions = (node.status.conditions ?? []).map((c: any) => {
    if (kind === 'unknown') {
      if (c.status === 'Unknown') return c;
      return { ...c, lastTransitionTime: ts, message: 'Kubelet stopped posting node status.', reason: 'NodeStatusUnknown', status: 'Unknown' };
    }
    const want = c.type === 'Ready' ? 'True' : 'False';
    const [reason, message] = texts[c.type] ?? [c.reason, c.message];
    return { ...c, lastHeartbeatTime: ts, lastTransitionTime: c.status === want ? c.lastTransitionTime : ts, message, reason, status: want };
  });
  void status;
}

export function createNodeLifecycle(): Reconciler {
  // Nodes whose start this process has seen recorded (name → uid): a beat need not copy the
  // whole record of every node (5,000 entries, each beat of each node) to find its own.
  const announcedSeen = new Map<string, string>();
  // Renewals due in this pass, written together at its flush.
  const due: LeaseRenewal[] = [];
  return {
    name: 'node-lifecycle',
    async flush(ctx: ControllerContext): Promise<void> {
      if (!due.length) return;
      try {
        // Each result is the Lease or its own error.
        await ctx.api.renewLeases(due.splice(0), KUBELET_WRITE);
      } catch {
        /* a failed or conflicting renew is retried on the next beat */
      }
    },
    primary: ['v1', 'Node'],
    watches: [
      {
        // A pod landing on a NotReady node must be marked/evicted too; pods of vanished nodes are collected.
        kind: 'Pod',
        map: (p: KObject) => (p.spec?.nodeName ? [{ kind: 'Node', name: p.spec.nodeName }] : []),
      },
    ],
    async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
      const api = ctx.api;
      const now = ctx.clock.now();
      const t = ctx.profile.timings;
      const nodeType = rt(api, 'v1', 'Node');
      // Only read here (writes go through mutate): shared, not copied at every beat.
      const node = await api.tryGet(nodeType, undefined, key.name, { shared: true });
      if (!node) return collectOrphans(api, key.name);
      const stoppedAt = await stoppedSince(api.sim, key.name);
      const ts = api.timestamp();
      const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');

      if (stoppedAt === undefined) {
        await beat(api, node, now, t.nodeHeartbeatMs, due);
        const announced = announcedSeen.get(key.name) === node.metadata.uid ? undefined : await api.sim.announcedNodes();
        for (const [name, uid] of Object.entries(announced ?? {})) announcedSeen.set(name, uid);
        if (announced && announced[key.name] !== node.metadata.uid) {
          // first sight of this node: its kubelet's start-up and the controller's registration
          await api.sim.setAnnouncedNodes({ ...announced, [key.name]: node.metadata.uid! });
          await announceStart(api, node, true);
          if (ready?.status === 'True') await api.recordEvent(node, 'Normal', 'NodeReady', `Node ${key.name} status is now: NodeReady`, { component: 'kubelet', host: key.name });
        }
        announcedSeen.set(key.name, node.metadata.uid!);
        if (ready && ready.status !== 'True') {
          await announceStart(api, node, false);
          // The kubelet is back: it posts Ready, the controller lifts the taints.
          await api.mutate(nodeType, undefined, key.name, (n) => {
            setConditions(n, 'True', ts, 'ready');
            const taints = (n.spec?.taints ?? []).filter((x: any) => x.key !== UNREACHABLE && x.key !== 'node.kubernetes.io/not-ready');
            if (taints.length) n.spec.taints = taints;
            else delete n.spec.taints;
            return n;
          }, { status: true });
          await api.recordEvent(node, 'Normal', 'NodeReady', `Node ${key.name} status is now: NodeReady`, { component: 'kubelet', host: key.name });
        } else if (ready && now >= nextStatusReport(key.name, Date.parse(ready.lastHeartbeatTime ?? 0) || 0)) {
          // an unchanged status is still posted every 5 minutes, on the node's phase: lastHeartbeatTime moves
          await api.mutate(nodeType, undefined, key.name, (n) => {
            n.status.conditions = (n.status.conditions ?? []).map((c: any) => ({ ...c, lastHeartbeatTime: ts }));
            return n;
          }, { status: true });
        }
        // A beat late leaves the same Lease and conditions: a clock jump need not stop for it.
        return { requeueAfterMs: untilNextBeat(now, t.nodeHeartbeatMs), periodic: true, sweep: true };
      }

      // Stopped: no heartbeat since stoppedAt.
      const unknownAt = stoppedAt + t.nodeMonitorGraceMs;
      if (now < unknownAt) return { requeueAfterMs: unknownAt - now };
      let current = node;
      if (!ready || ready.status !== 'Unknown') {
        current = await api.mutate(nodeType, undefined, key.name, (n) => {
          setConditions(n, 'Unknown', ts, 'unknown');
          const taints: any[] = (n.spec?.taints ?? []).filter((x: any) => x.key !== UNREACHABLE);
          taints.push({ effect: 'NoSchedule', key: UNREACHABLE, timeAdded: ts });
          taints.push({ effect: 'NoExecute', key: UNREACHABLE, timeAdded: ts });
          n.spec = { ...n.spec, taints };
          return n;
        }, { status: true });
        await api.recordEvent(current, 'Normal', 'NodeNotReady', `Node ${key.name} status is now: NodeNotReady`, { component: 'node-controller' });
      }
      const noExec = (current.spec?.taints ?? []).find((x: any) => x.key === UNREACHABLE && x.effect === 'NoExecute');
      const taintedAt = noExec?.timeAdded ? Date.parse(noExec.timeAdded) : now;
      let next: number | undefined;
      for (const pod of await podsOn(api, key.name)) {
        if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        await markPodNotReady(api, pod, ts);
        if (pod.metadata.deletionTimestamp) continue;
        const tol = (pod.spec?.tolerations ?? []).filter((x: any) => toleratesTaint([x], { key: UNREACHABLE, effect: 'NoExecute' }));
        if (tol.length && tol.every((x: any) => x.tolerationSeconds === undefined || x.tolerationSeconds === null)) continue; // tolerates forever
        const seconds = tol.length ? Math.min(...tol.map((x: any) => Number(x.tolerationSeconds ?? Infinity))) : 0;
        const evictAt = taintedAt + Math.max(0, seconds) * 1000;
        if (evictAt > now) {
          next = Math.min(next ?? Infinity, evictAt);
          continue;
        }
        await api.recordEvent(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, { component: 'taint-eviction-controller' });
        try {
          await api.delete(rt(api, 'v1', 'Pod'), pod.metadata.namespace, pod.metadata.name!);
        } catch (e) {
          if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
        }
      }
      if (next !== undefined) return { requeueAfterMs: next - now };
    },
  };
}

/** The node controller's MarkPodsNotReady: Ready=False, and the NodeNotReady event once. */
async function markPodNotReady(api: ApiServer, pod: KObject, ts: string): Promise<void> {
  const conds: any[] = pod.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return;
  await api.mutate(rt(api, 'v1', 'Pod'), pod.metadata.namespace, pod.metadata.name!, (p) => {
    p.status.conditions = (p.status.conditions ?? []).map((c: any) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: ts } : c));
    return p;
  }, { status: true });
  await api.recordEvent(pod, 'Warning', 'NodeNotReady', 'Node is not ready', { component: 'node-controller' });
}

/** Pod GC: pods bound to a node that is gone are deleted at once. */
async function collectOrphans(api: ApiServer, node: string): Promise<void> {
  for (const pod of await podsOn(api, node)) {
    try {
      await api.delete(rt(api, 'v1', 'Pod'), pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  }
}
