// Garbage collection of an owner's dependents (ownerReferences), done synchronously within
// the owner's delete (ApiServer.delete): Background and Foreground delete the objects it
// alone owns and drop its reference from the others; Orphan only drops its reference.
// Dependents left by other means are the garbage collector's (controllers/garbage-collector.ts).

import type { ResourceRegistry, ResourceType } from './resources';
import type { KObject } from './types';
import type { ApiServer, PropagationPolicy } from './server';

/** Types whose objects may carry owner references worth following (Events are left to their TTL). */
export const mayHaveOwners = (t: ResourceType): boolean => t.kind !== 'Binding' && t.kind !== 'Event' && t.group !== 'events.k8s.io';

/** The owner's dependents, type by type, the store testing the filter before copying: only the dependents are copied. */
async function* dependentsOf(api: ApiServer, owner: KObject): AsyncGenerator<[ResourceType, KObject]> {
  const uid = owner.metadata.uid;
  for (const rt of dependentTypes(api.registry, owner)) {
    for (const dep of (await api.list(rt, { namespace: owner.metadata.namespace, fieldMatch: (o) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid) })).items) {
      if ((dep.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) yield [rt, dep];
    }
  }
}

export async function deleteDependents(api: ApiServer, owner: KObject, policy: PropagationPolicy): Promise<void> {
  const uid = owner.metadata.uid;
  for await (const [rt, dep] of dependentsOf(api, owner)) {
    try {
      if ((dep.metadata.ownerReferences ?? []).some((r) => r.uid !== uid)) {
        await api.mutate(rt, dep.metadata.namespace, dep.metadata.name!, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        });
      } else {
        await api.delete(rt, dep.metadata.namespace, dep.metadata.name!, { propagationPolicy: policy });
      }
    } catch {
      /* already gone */
    }
  }
}

export async function orphanDependents(api: ApiServer, owner: KObject): Promise<void> {
  const uid = owner.metadata.uid;
  for await (const [rt, dep] of dependentsOf(api, owner)) {
    try {
      await api.mutate(rt, dep.metadata.namespace, dep.metadata.name!, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences;
      });
    } catch {
      /* gone */
    }
  }
}

/** The kinds that can hold objects owned by each kind (kept small: scanning every type is slow). */
const DEPENDENT_KINDS: Record<string, string[]> = {
  Deployment: ['ReplicaSet'],
  ReplicaSet: ['Pod'],
  ReplicationController: ['Pod'],
  StatefulSet: ['Pod', 'ControllerRevision', 'PersistentVolumeClaim'],
  DaemonSet: ['Pod', 'ControllerRevision'],
  Job: ['Pod'],
  CronJob: ['Job'],
  Service: ['Endpoints', 'EndpointSlice'],
  Node: ['Pod', 'Lease'],
  Pod: [],
  // Nothing owns itself to an Event in practice; scanning every type on each Event-TTL
  // expiry was most of a long `clock advance`. The periodic garbage collector still
  // removes anything that did (real GC is asynchronous too).
  Event: [],
  CustomResourceDefinition: [],
};

function dependentTypes(registry: ResourceRegistry, owner: KObject): ResourceType[] {
  const kinds = DEPENDENT_KINDS[owner.kind];
  const types = registry.all().filter(mayHaveOwners);
  if (kinds) return types.filter((t) => kinds.includes(t.kind));
  return owner.metadata.namespace ? types.filter((t) => t.namespaced) : types;
}
