// CustomResourceDefinition (apiextensions-apiserver pkg/registry/customresourcedefinition/
// strategy.go): a new CRD's status is empty but for the storage version in storedVersions,
// and an update that moves the storage version adds it there (old versions stay listed
// until someone migrates and trims them through the status subresource).

import { crdStorageVersion } from '../crd';
import type { KObject } from '../types';
import type { KindStrategy } from './types';

export const crdStrategy: KindStrategy = {
  prepareStatusOnCreate(obj: KObject): void {
    const storage = crdStorageVersion(obj);
    // acceptedNames' plural and kind are not omitempty: an empty status still shows them.
    obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [storage] : [] };
  },
  prepareForUpdate(_host, _current: KObject, next: KObject): void {
    const storage = crdStorageVersion(next);
    if (!storage) return;
    next.status ??= { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    const stored: string[] = next.status.storedVersions ?? [];
    if (!stored.includes(storage)) next.status.storedVersions = [...stored, storage];
  },
};
