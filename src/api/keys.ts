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
