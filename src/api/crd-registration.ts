// What a CRD write does to the API server itself, as kube-apiserver's crdregistration and
// apiextensions' naming and establishing controllers: the served custom resource types
// (the registry and its store document, CRD_INDEX), the CRDs' accepted names and
// conditions, their APIServices; and a deleted CRD's custom resources removed with it.

import { ApiError } from './errors';
import { objectKey, CRD_INDEX } from './keys';
import type { ResourceType } from './resources';
import type { KObject } from './types';
import type { ApiServer } from './server';
import { crdNamingStatus, crdResourceType, servedCrdType } from './crd';
import { syncCrdApiServices } from './apiservices';
import { deepEqual } from '../util/json-equal';

/** Brings the registry, its store document and the CRDs' status and APIServices in line with the stored CRDs. */
export async function syncCrdIndex(api: ApiServer): Promise<void> {
  const crds = (await api.list(api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'))).items;
  const types: ResourceType[] = [];
  for (const crd of crds) {
    if (crd.metadata.deletionTimestamp) continue;
    const t = servedCrdType(crd);
    if (t) types.push(t);
  }
  for (const t of api.registry.all().filter((x) => x.crd)) api.registry.unregister(t.group, t.plural);
  for (const t of types) api.registry.register(t);
  await api.store.writeMeta(CRD_INDEX, types);
  if (!naming.has(api)) await nameCrds(api);
  await syncCrdApiServices(api, crds);
}

/** The API servers naming their CRDs now: the status writes nameCrds makes come back to syncCrdIndex. */
const naming = new WeakSet<ApiServer>();

/**
 * kube-apiserver's naming and establishing controllers (crd.ts crdNamingStatus). They are
 * the API server's own, not kube-controller-manager's, so they run after every CRD write,
 * as CRD registration does, with or without the controller manager. Oldest CRD first, so
 * an earlier claim on a name wins; a CRD deleted frees its names for the rest.
 */
async function nameCrds(api: ApiServer): Promise<void> {
  naming.add(api);
  try {
    const crds = (await api.list(api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'))).items
      .filter((c) => !c.metadata.deletionTimestamp)
      .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || a.metadata.name!.localeCompare(b.metadata.name!));
    for (let i = 0; i < crds.length; i++) {
      const status = crdNamingStatus(crds[i]!, crds, api.timestamp());
      if (deepEqual(status, crds[i]!.status)) continue;
      try {
        crds[i] = await api.updateStatus({ ...crds[i]!, status }, { fieldManager: 'kube-apiserver' });
      } catch (e) {
        // Another API server wrote it meanwhile: that write names it (the user's write stands).
        if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
      }
    }
  } finally {
    naming.delete(api);
  }
}

/** A deleted CRD: its custom resources go with their definition, and its types with them. */
export async function removeCrd(api: ApiServer, crd: KObject): Promise<void> {
  const t = crdResourceType(crd);
  if (t) {
    for (const o of (await api.list(t)).items) {
      try {
        await api.store.delete(objectKey(t, o.metadata.namespace, o.metadata.name!));
      } catch {
        /* gone */
      }
    }
  }
  await syncCrdIndex(api);
}
