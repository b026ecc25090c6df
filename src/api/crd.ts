// CustomResourceDefinitions register kinds: a stored CRD becomes a ResourceType that
// `get`, `apply` and validation resolve like a built-in one.

import type { ResourceType } from './resources';
import type { KObject } from './types';

export function crdResourceType(crd: KObject): ResourceType | undefined {
  const spec = crd.spec;
  if (!spec?.group || !spec?.names?.kind || !spec?.names?.plural) return undefined;
  const served: any[] = (spec.versions ?? []).filter((v: any) => v?.served !== false);
  if (!served.length) return undefined;
  const storage = served.find((v) => v.storage) ?? served[0];
  const versions = [storage.name, ...served.map((v) => v.name).filter((n: string) => n !== storage.name)];
  return {
    group: spec.group,
    version: versions[0],
    versions,
    kind: spec.names.kind,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    shortNames: spec.names.shortNames ?? [],
    namespaced: spec.scope !== 'Cluster',
    categories: spec.names.categories ?? [],
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    crd: crd.metadata.name,
  };
}

/** The schema of one served version of a CRD (openAPIV3Schema), if any. */
export function crdVersionSchema(crd: KObject, version: string): object | undefined {
  const v = (crd.spec?.versions ?? []).find((x: any) => x?.name === version);
  return v?.schema?.openAPIV3Schema;
}
