// The namespace controller: a namespace being deleted (phase Terminating, the `kubernetes`
// finalizer in spec.finalizers) has its contents deleted — pods terminate through their
// kubelet — and once nothing is left, the finalizer is dropped and the API server removes
// the namespace.

import type { KObject } from '../api/types';
import { ApiError } from '../api/errors';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';

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
    let remaining = 0;
    for (const rt of api.registry.all()) {
      if (!rt.namespaced || rt.kind === 'Binding' || rt.group === 'events.k8s.io') continue;
      for (const o of (await api.list(rt, { namespace: key.name })).items) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue; // terminating already (a pod's kubelet finishes it)
        try {
          await api.delete(rt, key.name, o.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
        }
        if (!(await api.tryGet(rt, key.name, o.metadata.name!))) remaining--;
      }
    }
    if (remaining > 0) return { requeueAfterMs: 1000 };
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
