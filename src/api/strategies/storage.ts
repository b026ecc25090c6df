// PersistentVolumeClaims and PersistentVolumes: Pending status with the protection
// finalizer; a claim without a class gets the default StorageClass (DefaultStorageClass
// admission).

import { isObject, type KObject } from '../types';
import type { KindStrategy, StrategyHost } from './types';

function pendingWith(finalizer: string) {
  return (obj: KObject): void => {
    obj.status = { phase: 'Pending' };
    obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), finalizer])];
  };
}

export const pvcStrategy: KindStrategy = {
  prepareStatusOnCreate: pendingWith('kubernetes.io/pvc-protection'),
  async prepareForCreate(host: StrategyHost, pvc: KObject): Promise<void> {
    if (!isObject(pvc.spec) || pvc.spec.storageClassName !== undefined) return;
    const sc = host.registry.forKind('storage.k8s.io/v1', 'StorageClass');
    const def = (await host.list(sc)).items.find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    if (def) pvc.spec.storageClassName = def.metadata.name;
  },
};

export const pvStrategy: KindStrategy = {
  prepareStatusOnCreate: pendingWith('kubernetes.io/pv-protection'),
};
