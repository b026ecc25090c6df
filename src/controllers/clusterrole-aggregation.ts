// The ClusterRole aggregation controller (kube-controller-manager's
// clusterrole-aggregation): a ClusterRole with an aggregationRule gets the rules of every
// ClusterRole its selectors match (src/rbac/aggregation.ts). Any ClusterRole's change
// requeues the aggregated ones, so a role labelled aggregate-to-view after the fact widens
// `view`, and `edit`/`admin` after it (they aggregate `view` and `edit`).

import { ApiError } from '../api/errors';
import type { KObject } from '../api/types';
import { aggregationChanged, isAggregated } from '../rbac/aggregation';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';

const CLUSTER_ROLE: [string, string] = ['rbac.authorization.k8s.io/v1', 'ClusterRole'];
const roleType = (ctx: ControllerContext) => ctx.api.registry.forKind(...CLUSTER_ROLE);

export const clusterRoleAggregationReconciler: Reconciler = {
  name: 'clusterrole-aggregation',
  primary: CLUSTER_ROLE,
  watches: [
    {
      kind: 'ClusterRole',
      map: async (_changed: KObject, ctx: ControllerContext): Promise<ReconcileKey[]> =>
        (await ctx.api.list(roleType(ctx))).items.filter(isAggregated).map((r) => ({ kind: 'ClusterRole', name: r.metadata.name! })),
    },
  ],
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<void> {
    const rt = roleType(ctx);
    const role = await ctx.api.tryGet(rt, undefined, key.name);
    if (!role || !isAggregated(role)) return;
    const rules = aggregationChanged(role, (await ctx.api.list(rt)).items);
    if (!rules) return;
    try {
      await ctx.api.update({ ...role, rules }, { fieldManager: 'clusterrole-aggregation-controller' });
    } catch (e) {
      // Changed meanwhile: its own change requeues it.
      if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
    }
  },
};
