// The admission steps of the write path that read other objects of the namespace:
// NamespaceLifecycle (the namespace must exist and not be terminating), LimitRanger's
// LimitRanges and its validating half, ResourceQuota on create. The plugins' own rules are
// in limit-ranger.ts and resource-quota.ts; server.ts calls these in kube's plugin order.

import { ApiError } from '../errors';
import { listPrefix } from '../keys';
import { pluralGroup, type ResourceType } from '../resources';
import type { KObject } from '../types';
import type { ApiServer } from '../server';
import { countedObjects, quotaViolation, usageOf } from './resource-quota';
import { limitRangeViolation, sortedRanges } from './limit-ranger';

/** NamespaceLifecycle: no namespace is NotFound; a terminating one takes no new content but Events. */
export async function checkNamespaceWritable(api: ApiServer, namespace: string, rt: ResourceType): Promise<void> {
  const ns = await api.tryGet(api.registry.forKind('v1', 'Namespace'), undefined, namespace, { shared: true }); // only read: not copied on every write
  if (!ns) throw ApiError.notFound('namespaces', namespace);
  if (ns.metadata.deletionTimestamp && rt.kind !== 'Event') {
    throw new ApiError('Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

/** The LimitRanges of a pod's or PVC's namespace, by name (none for other kinds): LimitRanger's input. */
export async function limitRangesFor(api: ApiServer, obj: KObject, rt: ResourceType): Promise<KObject[]> {
  if (rt.group !== '' || (rt.kind !== 'Pod' && rt.kind !== 'PersistentVolumeClaim')) return [];
  // Only read: shared, not copied.
  const ranges = (await api.store.list(listPrefix(api.registry.forKind('v1', 'LimitRange'), obj.metadata.namespace!), undefined, { shared: true })).items;
  return ranges.length ? sortedRanges(ranges) : ranges;
}

/** LimitRanger's validating half: a pod or PVC outside a LimitRange of its namespace is forbidden. */
export function checkLimitRanges(obj: KObject, rt: ResourceType, ranges: KObject[]): void {
  const why = ranges.length ? limitRangeViolation(obj, rt.kind as 'Pod' | 'PersistentVolumeClaim', ranges) : undefined;
  if (why) throw forbidden(obj, rt, why);
}

/** ResourceQuota admission: a create that would exceed a quota of its namespace is forbidden. */
export async function checkQuota(api: ApiServer, obj: KObject, rt: ResourceType): Promise<void> {
  const namespace = obj.metadata.namespace!;
  // Only read (counted, compared): shared lists, not a copy of the namespace per create;
  // from the store itself (a built-in kind, a namespace that exists: nothing for list() to add).
  const quotas = (await api.store.list(listPrefix(api.registry.forKind('v1', 'ResourceQuota'), namespace), undefined, { shared: true })).items;
  if (!quotas.length) return;
  const existing = async (plural: string, group: string): Promise<KObject[]> => {
    let t: ResourceType;
    try {
      t = api.registry.resolve(group ? `${plural}.${group}` : plural);
    } catch {
      return [];
    }
    return t.namespaced ? (await api.list(t, { namespace, shared: true })).items : [];
  };
  const counted = await countedObjects(quotas, existing, (name) => usageOf(obj, rt.plural, rt.group, name) > 0);
  const why = quotaViolation(obj, rt.plural, rt.group, quotas, counted);
  if (why) throw forbidden(obj, rt, why);
}

function forbidden(obj: KObject, rt: ResourceType, why: string): ApiError {
  return new ApiError('Forbidden', `${pluralGroup(rt)} "${obj.metadata.name}" is forbidden: ${why}`, { name: obj.metadata.name, kind: rt.plural });
}
