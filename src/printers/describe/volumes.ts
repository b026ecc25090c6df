// describeVolumes and the per-source printers shared with the PersistentVolume describer.
import { isObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, NestedPrefixWriter, type PrefixWriter } from './prefix-writer';
import { goValue, sortedKeys, str } from './format';
import { canonical, parseQuantity } from '../../api/quantity';
import { printPersistentVolumeClaim } from './pvc';

// Go prints a non-nil *bool with %v as its address; any stable pointer-looking text will do.
const GO_POINTER = '0xc000a1b2c8';

function ptr(v: unknown): string {
  return v === undefined || v === null ? '<nil>' : GO_POINTER;
}

/** Writes `Type:\t<desc>` then `    <Label>:\t<value>` lines (describe.go's layout). */
function block(w: PrefixWriter, type: string, rows: [string, unknown][]): void {
  let text = `Type:\t${type}\n`;
  for (const [label, v] of rows) text += `    ${label}:\t${typeof v === 'string' ? v : goValue(v)}\n`;
  w.write(LEVEL_2, text);
}

const b = (v: unknown) => v === true;
const n = (v: unknown) => (typeof v === 'number' ? v : 0);
const s = (v: unknown) => str(v);

/** Sources that are only a fixed list of fields, keyed by the volume-source field name. */
const SIMPLE: Record<string, (v: any) => [string, [string, unknown][]]> = {
  gcePersistentDisk: (v) => ['GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)', [['PDName', s(v.pdName)], ['FSType', s(v.fsType)], ['Partition', n(v.partition)], ['ReadOnly', b(v.readOnly)]]],
  awsElasticBlockStore: (v) => ['AWSElasticBlockStore (a Persistent Disk resource in AWS)', [['VolumeID', s(v.volumeID)], ['FSType', s(v.fsType)], ['Partition', n(v.partition)], ['ReadOnly', b(v.readOnly)]]],
  gitRepo: (v) => ['GitRepo (a volume that is pulled from git when the pod is created)', [['Repository', s(v.repository)], ['Revision', s(v.revision)]]],
  nfs: (v) => ['NFS (an NFS mount that lasts the lifetime of a pod)', [['Server', s(v.server)], ['Path', s(v.path)], ['ReadOnly', b(v.readOnly)]]],
  glusterfs: (v) => ['Glusterfs (a Glusterfs mount on the host that shares a pod\'s lifetime)', [['EndpointsName', s(v.endpoints)], ['Path', s(v.path)], ['ReadOnly', b(v.readOnly)]]],
  quobyte: (v) => ['Quobyte (a Quobyte mount on the host that shares a pod\'s lifetime)', [['Registry', s(v.registry)], ['Volume', s(v.volume)], ['ReadOnly', b(v.readOnly)]]],
  portworxVolume: (v) => ['PortworxVolume (a Portworx Volume resource)', [['VolumeID', s(v.volumeID)]]],
  vsphereVolume: (v) => ['vSphereVolume (a Persistent Disk resource in vSphere)', [['VolumePath', s(v.volumePath)], ['FSType', s(v.fsType)], ['StoragePolicyName', s(v.storagePolicyName)]]],
  photonPersistentDisk: (v) => ['PhotonPersistentDisk (a Persistent Disk resource in photon platform)', [['PdID', s(v.pdID)], ['FSType', s(v.fsType)]]],
  cinder: (v) => ['Cinder (a Persistent Disk resource in OpenStack)', [['VolumeID', s(v.volumeID)], ['FSType', s(v.fsType)], ['ReadOnly', b(v.readOnly)], ['SecretRef', v.secretRef ? `&LocalObjectReference{Name:${s(v.secretRef.name)},}` : '<nil>']]],
  cephfs: (v) => ['CephFS (a CephFS mount on the host that shares a pod\'s lifetime)', [['Monitors', v.monitors ?? []], ['Path', s(v.path)], ['User', s(v.user)], ['SecretFile', s(v.secretFile)], ['SecretRef', v.secretRef ? `&LocalObjectReference{Name:${s(v.secretRef.name)},}` : '<nil>'], ['ReadOnly', b(v.readOnly)]]],
  storageos: (v) => ['StorageOS (a StorageOS Persistent Disk resource)', [['VolumeName', s(v.volumeName)], ['VolumeNamespace', s(v.volumeNamespace)], ['FSType', s(v.fsType)], ['ReadOnly', b(v.readOnly)]]],
  fc: (v) => ['FC (a Fibre Channel disk)', [['TargetWWNs', (v.targetWWNs ?? []).join(', ')], ['LUN', v.lun === undefined ? '<none>' : String(v.lun)], ['FSType', s(v.fsType)], ['ReadOnly', b(v.readOnly)]]],
  azureFile: (v) => ['AzureFile (an Azure File Service mount on the host and bind mount to the pod)', [['SecretName', s(v.secretName)], ['ShareName', s(v.shareName)], ['ReadOnly', b(v.readOnly)]]],
  flocker: (v) => ['Flocker (a Flocker volume mounted by the Flocker agent)', [['DatasetName', s(v.datasetName)], ['DatasetUUID', s(v.datasetUUID)]]],
  flexVolume: (v) => ['FlexVolume (a generic volume resource that is provisioned/attached using an exec based plugin)', [['Driver', s(v.driver)], ['FSType', s(v.fsType)], ['SecretRef', v.secretRef ? `&LocalObjectReference{Name:${s(v.secretRef.name)},}` : '<nil>'], ['ReadOnly', b(v.readOnly)], ['Options', { ...(v.options ?? {}) }]]],
  rbd: (v) => ['RBD (a Rados Block Device mount on the host that shares a pod\'s lifetime)', [['CephMonitors', v.monitors ?? []], ['RBDImage', s(v.image)], ['FSType', s(v.fsType)], ['RBDPool', s(v.pool ?? 'rbd')], ['RadosUser', s(v.user ?? 'admin')], ['Keyring', s(v.keyring ?? '/etc/ceph/keyring')], ['SecretRef', v.secretRef ? `&LocalObjectReference{Name:${s(v.secretRef.name)},}` : '<nil>'], ['ReadOnly', b(v.readOnly)]]],
  scaleIO: (v) => ['ScaleIO (a persistent volume backed by a block device in ScaleIO)', [['Gateway', s(v.gateway)], ['System', s(v.system)], ['Protection Domain', s(v.protectionDomain)], ['Storage Pool', s(v.storagePool)], ['Storage Mode', s(v.storageMode)], ['VolumeName', s(v.volumeName)], ['FSType', s(v.fsType)], ['ReadOnly', b(v.readOnly)]]],
  local: (v) => ['LocalVolume (a persistent volume backed by local storage on a node)', [['Path', s(v.path)]]],
  image: (v) => ['Image (a container image or OCI artifact)', [['Reference', s(v.reference)], ['PullPolicy', s(v.pullPolicy)]]],
};

function printCSIAttributes(w: PrefixWriter, attrs: Record<string, string> | undefined): void {
  w.write(LEVEL_2, 'VolumeAttributes:\t');
  const keys = sortedKeys(attrs);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, '');
      w.write(LEVEL_2, '\t');
    }
    const line = `${k}=${attrs![k]}`;
    w.write(LEVEL_2, line.length > 140 ? `${line.slice(0, 140)}...\n` : `${line}\n`);
  });
}

/** Prints one volume source (the part under the volume's name). Returns false if unknown. */
export function printVolumeSource(src: Record<string, any>, w: PrefixWriter, persistent = false): boolean {
  if (isObject(src.hostPath)) {
    block(w, 'HostPath (bare host directory volume)', [['Path', s(src.hostPath.path)], ['HostPathType', src.hostPath.type === undefined ? '<none>' : s(src.hostPath.type)]]);
  } else if (isObject(src.emptyDir)) {
    const q = parseQuantity(src.emptyDir.sizeLimit);
    const size = q && q.mantissa > 0n ? canonical(src.emptyDir.sizeLimit) : '<unset>';
    block(w, 'EmptyDir (a temporary directory that shares a pod\'s lifetime)', [['Medium', s(src.emptyDir.medium)], ['SizeLimit', size]]);
  } else if (isObject(src.secret)) {
    block(w, 'Secret (a volume populated by a Secret)', [['SecretName', s(src.secret.secretName)], ['Optional', b(src.secret.optional)]]);
  } else if (isObject(src.configMap)) {
    block(w, 'ConfigMap (a volume populated by a ConfigMap)', [['Name', s(src.configMap.name)], ['Optional', b(src.configMap.optional)]]);
  } else if (isObject(src.persistentVolumeClaim)) {
    block(w, 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)', [['ClaimName', s(src.persistentVolumeClaim.claimName)], ['ReadOnly', b(src.persistentVolumeClaim.readOnly)]]);
  } else if (isObject(src.projected)) {
    w.write(LEVEL_2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    for (const p of Array.isArray(src.projected.sources) ? src.projected.sources : []) {
      if (isObject(p.secret)) w.write(LEVEL_2, `SecretName:\t${s(p.secret.name)}\n    SecretOptionalName:\t${ptr(p.secret.optional)}\n`);
      else if (isObject(p.downwardAPI)) w.write(LEVEL_2, 'DownwardAPI:\ttrue\n');
      else if (isObject(p.configMap)) w.write(LEVEL_2, `ConfigMapName:\t${s(p.configMap.name)}\n    ConfigMapOptional:\t${ptr(p.configMap.optional)}\n`);
      else if (isObject(p.serviceAccountToken)) w.write(LEVEL_2, `TokenExpirationSeconds:\t${n(p.serviceAccountToken.expirationSeconds)}\n`);
    }
  } else if (isObject(src.downwardAPI)) {
    w.write(LEVEL_2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
    for (const item of Array.isArray(src.downwardAPI.items) ? src.downwardAPI.items : []) {
      if (isObject(item.fieldRef)) w.write(LEVEL_3, `${s(item.fieldRef.fieldPath)} -> ${s(item.path)}\n`);
      if (isObject(item.resourceFieldRef)) w.write(LEVEL_3, `${s(item.resourceFieldRef.resource)} -> ${s(item.path)}\n`);
    }
  } else if (isObject(src.csi)) {
    const rows: [string, unknown][] = [['Driver', s(src.csi.driver)], ['FSType', s(src.csi.fsType)]];
    if (persistent) rows.push(['VolumeHandle', s(src.csi.volumeHandle)]);
    rows.push(['ReadOnly', b(src.csi.readOnly)]);
    block(w, 'CSI (a Container Storage Interface (CSI) volume source)', rows);
    printCSIAttributes(w, src.csi.volumeAttributes);
  } else if (isObject(src.ephemeral)) {
    w.write(LEVEL_2, 'Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n');
    const tpl = src.ephemeral.volumeClaimTemplate;
    if (isObject(tpl)) {
      const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: tpl.metadata ?? {}, spec: tpl.spec ?? {} };
      printPersistentVolumeClaim(new NestedPrefixWriter(w, LEVEL_2), pvc, false);
    }
  } else if (isObject(src.azureDisk)) {
    const d = src.azureDisk;
    w.write(LEVEL_2, `Type:\tAzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)\n    DiskName:\t${s(d.diskName)}\n    DiskURI:\t${s(d.diskURI)}\n    Kind: \t${s(d.kind ?? 'Shared')}\n    FSType:\t${s(d.fsType ?? 'ext4')}\n    CachingMode:\t${s(d.cachingMode ?? 'ReadWrite')}\n    ReadOnly:\t${b(d.readOnly)}\n`);
  } else {
    const key = Object.keys(SIMPLE).find((k) => isObject(src[k]));
    if (!key) return false;
    const [type, rows] = SIMPLE[key](src[key]);
    block(w, type, rows);
  }
  return true;
}

export function describeVolumes(volumes: any[] | undefined, w: PrefixWriter, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.write(LEVEL_0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(LEVEL_0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(LEVEL_1, `${space.length > 0 ? ' ' : ''}${str(v.name)}:\n`);
    if (!printVolumeSource(v, w)) w.write(LEVEL_1, '<unknown>\n');
  }
}
