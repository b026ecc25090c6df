// The kubelet's housekeeping (kubelet's HandlePodCleanups and container GC): once a pod is
// gone from the API, nothing of it stays on its node -- its runtime record, its IP
// allocation and its container logs are removed. The kubelet does this itself when it
// finishes a graceful deletion; pods deleted without passing through it (terminal pods are
// deleted at once, a node's pods force-deleted) are found by a periodic sweep per node, so a
// CronJob firing every minute for a year leaves no trail behind.

import type { ApiServer } from '../api/server';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from '../controllers/types';
import { logStoreFor } from './logs';
import { loadRuntime, saveRuntime } from './runtime-state';

/**
 * How often each node looks for orphaned records besides after a deletion of one of its
 * pods (cluster ms; aligned to the period, so all nodes sweep in one step). A sweep reads
 * every record and pod of the node: each minute, at 100,000 pods, it was the daemon's
 * largest cost at rest.
 */
export const HOUSEKEEPING_MS = 600_000;

export interface PodRef {
  uid: string;
  namespace?: string;
  name?: string;
  node?: string;
}

/** Removes what the kubelet kept of a pod that is gone: record, IP allocation, logs. */
export async function releasePod(api: ApiServer, ref: PodRef): Promise<void> {
  await saveRuntime(api, ref.uid, null);
  if (ref.node) {
    const owners = await api.sim.podIPs(ref.node);
    const ips = Object.keys(owners).filter((ip) => owners[ip] === ref.uid);
    if (ips.length) {
      await api.sim.atomically(async () => {
        const fresh = await api.sim.podIPs(ref.node!);
        for (const ip of ips) if (fresh[ip] === ref.uid) delete fresh[ip];
        await api.sim.setPodIPs(ref.node!, fresh);
      });
    }
  }
  if (ref.namespace && ref.name) {
    // Logs are kept per pod name: a newer pod of the same name (a StatefulSet's) keeps them.
    const live = await api.tryGet(api.registry.forKind('v1', 'Pod'), ref.namespace, ref.name, { shared: true });
    // Under the store's lock, as every append is: a shared file's rewrite loses no other pod's line.
    if (!live || live.metadata.uid === ref.uid) await api.sim.atomically(() => logStoreFor(api.sim).remove(ref.namespace!, ref.name!));
  }
}

/** One node's sweep: every pod with an IP allocation on it whose pod is gone is released. */
export async function sweepNode(api: ApiServer, node: string): Promise<number> {
  // The store's own map and records, read only (a sweep of every node at once, each 10 min:
  // a copy of each was most of its garbage), and no [ip, uid] pair per entry.
  const owners = await api.sim.podIPs(node, true);
  const podType = api.registry.forKind('v1', 'Pod');
  let livePods: Map<string, boolean> | undefined; // uid → live, for records without a name
  let released = 0;
  const stale: string[] = [];
  for (const ip in owners) {
    const uid = owners[ip];
    const rt = await loadRuntime(api, uid, true);
    if (!rt) {
      stale.push(ip); // a free address: drop the entry, the record is already gone
      continue;
    }
    let live: boolean;
    if (rt.namespace && rt.name) {
      // Only its uid is read: shared, not a copy of every pod of the node at each sweep.
      const pod = await api.tryGet(podType, rt.namespace, rt.name, { shared: true });
      live = pod?.metadata.uid === uid;
    } else {
      livePods ??= new Map((await api.list(podType, { fieldMatch: (o) => o.spec?.nodeName === node })).items.map((p) => [p.metadata.uid!, true]));
      live = livePods.has(uid);
    }
    if (live) continue;
    await releasePod(api, { uid, namespace: rt.namespace, name: rt.name, node });
    released++;
  }
  if (stale.length) {
    await api.sim.atomically(async () => {
      const fresh = await api.sim.podIPs(node);
      for (const ip of stale) if (fresh[ip] === owners[ip] && !(await loadRuntime(api, fresh[ip], true))) delete fresh[ip];
      await api.sim.setPodIPs(node, fresh);
    });
  }
  return released;
}

/** Cluster ms until the next multiple of `period` (so periodic sweeps share clock steps). */
export function untilAligned(now: number, period: number): number {
  return period - (now % period) || period;
}

export function createHousekeeping(): Reconciler {
  return {
    name: 'kubelet-housekeeping',
    primary: ['v1', 'Node'],
    // A pod deleted without passing through the kubelet (terminal, force-deleted): its node
    // sweeps at once.
    watches: [{ kind: 'Pod', map: (pod, _ctx, type) => (type === 'DELETED' && pod.spec?.nodeName ? [{ kind: 'Node', name: pod.spec.nodeName }] : []) }],
    async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
      const node = await ctx.api.tryGet(ctx.api.registry.forKind('v1', 'Node'), undefined, key.name, { shared: true });
      if (!node) return;
      await sweepNode(ctx.api, key.name);
      return { requeueAfterMs: untilAligned(ctx.clock.now(), HOUSEKEEPING_MS), periodic: true, sweep: true };
    },
  };
}
