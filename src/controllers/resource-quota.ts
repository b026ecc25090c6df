// The ResourceQuota controller: keeps status.hard (a copy of spec.hard) and status.used (what
// the namespace holds now, measured as the admission plugin measures it) current, so `get
// quota` and `describe quota` show usage. Level-triggered: any change to a counted kind in
// the namespace requeues that namespace's quotas.

import type { KObject } from '../api/types';
import { countedObjects, formatAmount, usedIn } from '../api/admission/resource-quota';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';
import { mapperRead } from './controller-utils';

const COUNTED_KINDS = ['Pod', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ReplicationController', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

function quotasOf(obj: KObject, ctx: ControllerContext): ReconcileKey[] | Promise<ReconcileKey[]> {
  const namespace = obj.metadata.namespace;
  if (!namespace) return [];
  return mapperRead(
    ctx,
    `quotas/${namespace}`,
    async () => (await ctx.api.list(ctx.api.registry.forKind('v1', 'ResourceQuota'), { namespace, shared: true })).items,
    (quotas) => quotas.map((q) => ({ kind: 'ResourceQuota', namespace, name: q.metadata.name! })),
  );
}

export const resourceQuotaReconciler: Reconciler = {
  name: 'resourcequota',
  primary: ['v1', 'ResourceQuota'],
  watches: COUNTED_KINDS.map((kind) => ({ kind, map: quotasOf })),
  async reconcile(key, ctx) {
    const api = ctx.api;
    const rt = api.registry.forKind('v1', 'ResourceQuota');
    const quota = await api.tryGet(rt, key.namespace, key.name);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hard: Record<string, string> = quota.spec?.hard ?? {};
    const existing = async (plural: string, group: string): Promise<KObject[]> => {
      try {
        const t = api.registry.resolve(group ? `${plural}.${group}` : plural);
        return t.namespaced ? (await api.list(t, { namespace: key.namespace })).items : [];
      } catch {
        return [];
      }
    };
    const counted = await countedObjects([quota], existing);
    const used: Record<string, string> = {};
    for (const name of Object.keys(hard)) used[name] = formatAmount(name, usedIn(name, counted, quota));
    const status = { hard: { ...hard }, used };
    if (deepEqual(status, quota.status ?? {})) return;
    try {
      await api.mutate(rt, key.namespace, key.name, (o) => void (o.status = status), { status: true });
    } catch {
      /* deleted meanwhile */
    }
  },
};
