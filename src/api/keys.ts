// Storage keys, mirroring etcd's registry layout: `<resource>/<namespace>/<name>` for
// namespaced objects, `<resource>/<name>` for cluster-scoped ones; custom resources are
// kept under their group (`<group>/<plural>/...`) as the API server stores them.

import type { ResourceType } from './resources';

export function resourcePrefix(rt: ResourceType): string {
  return rt.crd ? `${rt.group}/${rt.plural}` : rt.plural;
}

export function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return rt.namespaced ? `${resourcePrefix(rt)}/${namespace}/${name}` : `${resourcePrefix(rt)}/${name}`;
}

export function listPrefix(rt: ResourceType, namespace?: string): string {
  return rt.namespaced && namespace ? `${resourcePrefix(rt)}/${namespace}` : resourcePrefix(rt);
}

const NAME_SEGMENT = /^[^/\\\0%]+$/;
/** Names that can never be valid keys (path traversal) never reach the store. */
export function validName(name: string): boolean {
  return NAME_SEGMENT.test(name) && name !== '.' && name !== '..' && name.length <= 253;
}

/** The store document listing the custom resource types the CRDs define (ApiServer.loadCustomTypes). */
export const CRD_INDEX = 'crd-index';
