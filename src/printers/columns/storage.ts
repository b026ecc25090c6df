// PersistentVolumeClaims, PersistentVolumes, StorageClasses.
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { accessModes, ageOf, goBool, obj, quantity, str } from './util';

const BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName. */
function storageClass(o: any): string {
  const ann = o.metadata?.annotations ?? {};
  if (BETA_CLASS in ann) return str(ann[BETA_CLASS]);
  return str(obj(o.spec).storageClassName);
}

export const persistentvolumeclaims: KindTable = {
  columns: [
    nameCol,
    col('Status', doc('core/v1', 'PersistentVolumeClaimStatus', 'phase')),
    col('Volume', doc('core/v1', 'PersistentVolumeClaimSpec', 'volumeName')),
    col('Capacity', doc('core/v1', 'PersistentVolumeClaimStatus', 'capacity')),
    col('Access Modes', doc('core/v1', 'PersistentVolumeClaimStatus', 'accessModes')),
    col('StorageClass', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageCol,
    col('VolumeMode', doc('core/v1', 'PersistentVolumeClaimSpec', 'volumeMode'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    const bound = str(spec.volumeName) !== '';
    return [
      str(o.metadata.name),
      o.metadata.deletionTimestamp ? 'Terminating' : str(st.phase),
      str(spec.volumeName),
      bound ? quantity(obj(st.capacity).storage) : '',
      bound ? accessModes(st.accessModes) : '',
      storageClass(o),
      typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>',
      ageOf(o, now),
      typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>',
    ];
  },
};

export const persistentvolumes: KindTable = {
  columns: [
    nameCol,
    col('Capacity', doc('core/v1', 'PersistentVolumeSpec', 'capacity')),
    col('Access Modes', doc('core/v1', 'PersistentVolumeSpec', 'accessModes')),
    col('Reclaim Policy', doc('core/v1', 'PersistentVolumeSpec', 'persistentVolumeReclaimPolicy')),
    col('Status', doc('core/v1', 'PersistentVolumeStatus', 'phase')),
    col('Claim', doc('core/v1', 'PersistentVolumeSpec', 'claimRef')),
    col('StorageClass', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    col('Reason', doc('core/v1', 'PersistentVolumeStatus', 'reason')),
    ageCol,
    col('VolumeMode', doc('core/v1', 'PersistentVolumeSpec', 'volumeMode'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const claim = spec.claimRef ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : '';
    return [
      str(o.metadata.name),
      quantity(obj(spec.capacity).storage),
      accessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      o.metadata.deletionTimestamp ? 'Terminating' : str(obj(o.status).phase),
      claim,
      storageClass(o),
      typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>',
      str(obj(o.status).reason),
      ageOf(o, now),
      typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>',
    ];
  },
};

export const storageclasses: KindTable = {
  columns: [
    nameCol,
    col('Provisioner', doc('storage/v1', 'StorageClass', 'provisioner')),
    col('ReclaimPolicy', doc('storage/v1', 'StorageClass', 'reclaimPolicy')),
    col('VolumeBindingMode', doc('storage/v1', 'StorageClass', 'volumeBindingMode')),
    col('AllowVolumeExpansion', doc('storage/v1', 'StorageClass', 'allowVolumeExpansion'), { cell: 'boolean' }),
    ageCol,
  ],
  cells: (o, now) => {
    const ann = o.metadata.annotations ?? {};
    const isDefault =
      ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      str(o.metadata.name) + (isDefault ? ' (default)' : ''),
      str(o.provisioner),
      typeof o.reclaimPolicy === 'string' ? o.reclaimPolicy : 'Delete',
      typeof o.volumeBindingMode === 'string' ? o.volumeBindingMode : 'Immediate',
      goBool(o.allowVolumeExpansion),
      ageOf(o, now),
    ];
  },
};
