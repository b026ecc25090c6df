// The simulated kubelets as one reconciler keyed on Pods: a pod bound to a node is
// synced by that node's kubelet (src/kubelet/pod-worker.ts). Secret and ConfigMap
// changes requeue the pods that reference them, so CreateContainerConfigError and
// FailedMount recover as soon as the object exists.

import type { KObject } from '../api/types';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from '../controllers/types';
import { syncPod } from './pod-worker';
import { createHousekeeping } from './housekeeping';

function references(pod: KObject, kind: 'ConfigMap' | 'Secret', name: string): boolean {
  const spec = pod.spec ?? {};
  const cs = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const cm = kind === 'ConfigMap';
  for (const c of cs) {
    for (const e of c.env ?? []) if ((cm ? e.valueFrom?.configMapKeyRef : e.valueFrom?.secretKeyRef)?.name === name) return true;
    for (const e of c.envFrom ?? []) if ((cm ? e.configMapRef : e.secretRef)?.name === name) return true;
  }
  for (const v of spec.volumes ?? []) {
    if (cm ? v.configMap?.name === name : v.secret?.secretName === name) return true;
    for (const s of v.projected?.sources ?? []) if ((cm ? s.configMap : s.secret)?.name === name) return true;
  }
  return false;
}

function dependents(kind: 'ConfigMap' | 'Secret') {
  return async (obj: KObject, ctx: ControllerContext): Promise<ReconcileKey[]> =>
    (await ctx.api
      .list(ctx.api.registry.forKind('v1', 'Pod'), { namespace: obj.metadata.namespace, shared: true }))
      .items.filter((p) => p.spec?.nodeName && references(p, kind, obj.metadata.name!))
      .map((p) => ({ kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name! }));
}

export function createKubelet(): Reconciler {
  return {
    name: 'kubelet',
    primary: ['v1', 'Pod'],
    watches: [
      { kind: 'ConfigMap', map: dependents('ConfigMap') },
      { kind: 'Secret', map: dependents('Secret') },
    ],
    reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
      const api = ctx.api;
      // One pod's sync is one unit: without a daemon, two CLI processes may both move the
      // cluster (one advancing the clock, one following an attach), and a sync that read the
      // pod's runtime record before the other wrote it would act twice (a log line written
      // again) or undo the other's record (stdin an attach sent).
      return api.sim.atomically(async () => {
        // Only read (status is written whole through updateStatus): shared,
        // not copied for each of the pod's syncs.
        const pod = await api.tryGet(api.registry.forKind('v1', 'Pod'), key.namespace, key.name, { shared: true });
        if (!pod?.spec?.nodeName) return;
        // The node is only read (shared, not copied for each of its pods' syncs).
        const node = await api.tryGet(api.registry.forKind('v1', 'Node'), undefined, pod.spec.nodeName, { shared: true });
        if (!node) return; // the pod GC (node lifecycle) removes pods of deleted nodes
        return syncPod({ ctx, pod, node });
      });
    },
  };
}

export function kubeletReconcilers(): Reconciler[] {
  return [createKubelet(), createHousekeeping()];
}

export { readLogs, logStoreFor } from './logs';
export { setNodeStopped, isNodeStopped, stoppedSince } from './node-power';
