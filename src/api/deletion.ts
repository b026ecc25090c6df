// The delete path (DELETE, and an update that removed the last finalizer): graceful
// deletion, finalizers and deletionTimestamp, propagationPolicy's Foreground and Orphan
// with the dependents (dependents.ts), the object's removal, a CRD's custom resources
// with it (crd-registration.ts).

import { ApiError } from './errors';
import { objectKey } from './keys';
import type { ResourceType } from './resources';
import type { KObject } from './types';
import type { ApiServer, DeleteOptions, PropagationPolicy } from './server';
import { policyAdmission } from './admission/validating-policy';
import { strategyFor } from './strategies';
import { deleteDependents, orphanDependents } from './dependents';
import { removeCrd } from './crd-registration';
import { cloneJson as deepCopy } from '../store/clone';
import { KeyNotFoundError } from '../store/store';
import { DamagedObjectError } from '../store/damaged';

/** ApiServer.delete. */
export function deleteObject(api: ApiServer, rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject> {
  return api.store.batch(async () => {
    let current: KObject;
    try {
      current = await api.get(rt, rt.namespaced ? namespace ?? 'default' : undefined, name);
    } catch (e) {
      // A damaged object file must not block its own removal.
      if (!(e instanceof DamagedObjectError) || opts.dryRun) throw e;
      await api.store.delete(e.key);
      return { apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind, metadata: { name, ...(rt.namespaced ? { namespace: namespace ?? 'default' } : {}) } };
    }
    const policy = opts.propagationPolicy ?? 'Background';
    await policyAdmission(api, rt, 'DELETE', null, current, opts);
    if (opts.dryRun) return current;

    const strategy = strategyFor(rt);
    // Graceful deletion (bound pods): something else (the kubelet) finishes it.
    const grace = strategy.gracefulDelete?.(current, opts);
    if (grace !== undefined) {
      if (current.metadata.deletionTimestamp) return current;
      return markDeleting(api, rt, current, grace, policy);
    }
    // A terminating namespace whose controller emptied it and dropped its finalizer goes.
    if (strategy.finalizedByController && current.metadata.deletionTimestamp && !(current.spec?.finalizers ?? []).length && !(current.metadata.finalizers ?? []).length) {
      return finishDelete(api, rt, current);
    }
    if ((current.metadata.finalizers ?? []).length || policy === 'Foreground' || strategy.finalizedByController) {
      const forbidden = strategy.deletionForbidden?.(name);
      if (forbidden) throw new ApiError('Forbidden', forbidden);
      if (!current.metadata.deletionTimestamp) {
        // A namespace goes Terminating; the namespace controller deletes its contents.
        const marked = await markDeleting(api, rt, current, 0, policy);
        if (strategy.finalizedByController) return marked;
        if (policy === 'Foreground') return finishForeground(api, rt, marked);
        return marked;
      }
      return current;
    }
    return finishDelete(api, rt, current, policy);
  });
}

async function markDeleting(api: ApiServer, rt: ResourceType, current: KObject, graceSeconds: number | bigint, policy: PropagationPolicy): Promise<KObject> {
  const next = deepCopy(current);
  // A grace period past 2^53 (an exact int64) is kept as given; its deadline stops at Date's last instant.
  const at = Math.min(Math.floor(api.clock.now() / 1000) * 1000 + Number(graceSeconds) * 1000, 8.64e15);
  next.metadata.deletionTimestamp = new Date(at).toISOString().replace('.000Z', 'Z');
  next.metadata.deletionGracePeriodSeconds = graceSeconds as number; // an int64: a bigint past 2^53
  if (policy === 'Foreground') next.metadata.finalizers = [...new Set([...(next.metadata.finalizers ?? []), 'foregroundDeletion'])];
  if (policy === 'Orphan') next.metadata.finalizers = [...new Set([...(next.metadata.finalizers ?? []), 'orphan'])];
  if (rt.kind === 'Namespace') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
  if (rt.kind === 'Pod' && policy === 'Orphan') await orphanDependents(api, current);
  return api.store.update(objectKey(rt, current.metadata.namespace, current.metadata.name!), next);
}

async function finishForeground(api: ApiServer, rt: ResourceType, owner: KObject): Promise<KObject> {
  await deleteDependents(api, owner, 'Foreground');
  const latest = await api.tryGet(rt, owner.metadata.namespace, owner.metadata.name!) ?? owner;
  latest.metadata.finalizers = (latest.metadata.finalizers ?? []).filter((f: string) => f !== 'foregroundDeletion');
  if (latest.metadata.finalizers.length) return api.store.update(objectKey(rt, owner.metadata.namespace, owner.metadata.name!), latest);
  return finishDelete(api, rt, latest);
}

/** Removes `current` for good: its dependents deleted (Background) or orphaned, a CRD's custom resources with it. */
export async function finishDelete(api: ApiServer, rt: ResourceType, current: KObject, policy: PropagationPolicy = 'Background'): Promise<KObject> {
  const key = objectKey(rt, current.metadata.namespace, current.metadata.name!);
  let last: KObject;
  try {
    last = await api.store.delete(key);
  } catch (e) {
    if (e instanceof KeyNotFoundError) return current;
    throw e;
  }
  const finalizers: string[] = current.metadata.finalizers ?? [];
  if (policy === 'Orphan' || finalizers.includes('orphan')) await orphanDependents(api, current);
  else await deleteDependents(api, current, 'Background');
  if (rt.kind === 'CustomResourceDefinition') await removeCrd(api, current);
  return last;
}
