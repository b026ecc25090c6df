// The garbage collector, for leftovers: the API server already deletes dependents when
// their owner is deleted, so this pass only catches objects whose owners vanished another
// way (a crash between writes, an owner removed from the store directly, a CRD dropped).
// An object whose every ownerReference is dangling is deleted; one that still has a live
// owner only loses its dangling references. Runs per namespace, periodically.

import type { KObject } from '../api/types';
import type { ResourceType } from '../api/resources';
import { mayHaveOwners } from '../api/dependents';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';

const PERIOD_MS = 60_000;

type OwnerRef = { apiVersion: string; kind: string; name: string; uid: string };
const refId = (r: OwnerRef) => `${r.apiVersion}/${r.kind}/${r.name}/${r.uid}`;

async function ownerExists(ctx: ControllerContext, dep: KObject, ref: OwnerRef, cache: Map<string, boolean>): Promise<boolean> {
  const id = `${ref.apiVersion}/${ref.kind}/${dep.metadata.namespace ?? ''}/${ref.name}/${ref.uid}`;
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  let rt: ResourceType;
  let found = false;
  try {
    rt = ctx.api.registry.forKind(ref.apiVersion, ref.kind);
    // Only its uid is looked at: read shared, not copied (each minute, every Lease's Node).
    const owner = await ctx.api.tryGet(rt, rt.namespaced ? dep.metadata.namespace : undefined, ref.name, { shared: true });
    found = !!owner && owner.metadata.uid === ref.uid;
  } catch {
    found = false; // a kind that no longer exists
  }
  cache.set(id, found);
  return found;
}

/** Collects the dangling dependents of one namespace (cluster-scoped ones with the "" key). */
export async function collectGarbage(ctx: ControllerContext, namespace: string | undefined): Promise<{ deleted: string[]; orphaned: string[] }> {
  const api = ctx.api;
  const out = { deleted: [] as string[], orphaned: [] as string[] };
  const cache = new Map<string, boolean>();
  const types = api.registry.all().filter((t) => mayHaveOwners(t) && t.namespaced === (namespace !== undefined));
  for (const rt of types) {
    let items: KObject[];
    try {
      const where = namespace !== undefined ? { namespace } : {};
      const dependent = (o: KObject) => !!o.metadata.ownerReferences?.length && !o.metadata.deletionTimestamp;
      // First the owners the dependents name, looked at without copying any object out of
      // the store (every pod of a ReplicaSet is a dependent, and this runs each minute);
      // then only the dependents with a dangling reference are read.
      const owners = new Map<string, OwnerRef>();
      await api.list(rt, { ...where, fieldMatch: (o) => {
        if (dependent(o)) for (const r of o.metadata.ownerReferences!) owners.set(refId(r), r);
        return false;
      } });
      const gone = new Set<string>();
      const stub = { metadata: { namespace } } as KObject;
      for (const [id, r] of owners) if (!(await ownerExists(ctx, stub, r, cache))) gone.add(id);
      if (!gone.size) continue;
      items = (await api.list(rt, { ...where, fieldMatch: (o) => dependent(o) && o.metadata.ownerReferences!.some((r) => gone.has(refId(r))) })).items;
    } catch {
      continue;
    }
    for (const obj of items) {
      const refs = obj.metadata.ownerReferences ?? [];
      if (!refs.length || obj.metadata.deletionTimestamp) continue;
      const dangling: typeof refs = [];
      for (const r of refs) if (!(await ownerExists(ctx, obj, r, cache))) dangling.push(r);
      if (!dangling.length) continue;
      const id = `${rt.plural}/${obj.metadata.name}`;
      try {
        if (dangling.length === refs.length) {
          await api.delete(rt, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: 'Background' });
          out.deleted.push(id);
        } else {
          const gone = new Set(dangling.map((r) => r.uid));
          await api.mutate(rt, obj.metadata.namespace, obj.metadata.name!, (o) => {
            o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !gone.has(r.uid));
          });
          out.orphaned.push(id);
        }
      } catch {
        /* raced with another delete */
      }
    }
  }
  return out;
}

export const garbageCollectorReconciler: Reconciler = {
  name: 'garbage-collector',
  primary: ['v1', 'Namespace'],
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
    const ns = await ctx.api.tryGet(ctx.api.registry.forKind('v1', 'Namespace'), undefined, key.name);
    if (!ns) return;
    const r = await collectGarbage(ctx, key.name);
    // Cluster-scoped dependents (rare) are looked at with the default namespace's pass.
    if (key.name === 'default') await collectGarbage(ctx, undefined);
    for (const d of r.deleted) ctx.log(`garbage-collector: deleted ${key.name}/${d} (owner gone)`);
    return { requeueAfterMs: PERIOD_MS, periodic: true, sweep: true };
  },
};
