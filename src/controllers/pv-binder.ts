// The PersistentVolume controller and a local-path provisioner, as a kind cluster has
// them: claims bind to matching static volumes (class, access modes, size, selector) or
// get a volume `pvc-<uid>` provisioned from their StorageClass; WaitForFirstConsumer
// classes wait for a pod. Also the pvc/pv-protection finalizers and Released volumes.

import type { KObject } from '../api/types';
import type { ApiServer } from '../api/server';
import { deepEqual } from '../util/json-equal';
import { bytes } from '../api/quantity';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { POD, isPodTerminal, recordOnce, selectorMatcher, typeFor } from './controller-utils';

const PV_CONTROLLER = { component: 'persistentvolume-controller' };
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const BOOTSTRAP_FLAG = 'default-storageclass';

/** kind's default StorageClass, created once per cluster (a user may delete it later). */
export async function ensureDefaultStorageClass(api: ApiServer): Promise<void> {
  if (await api.sim.flag(BOOTSTRAP_FLAG)) return;
  const scType = typeFor(api, 'storage.k8s.io/v1', 'StorageClass');
  if (!(await api.list(scType)).items.length) {
    await api.create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  }
  await api.sim.setFlag(BOOTSTRAP_FLAG);
}

async function defaultClass(api: ApiServer): Promise<KObject | undefined> {
  const scType = typeFor(api, 'storage.k8s.io/v1', 'StorageClass');
  return (await api
    .list(scType))
    .items.filter((s) => s.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
    .sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? 1 : -1))[0];
}

function size(q: unknown): number {
  try {
    return bytes(q as string);
  } catch {
    return 0;
  }
}

/** Whether a PV can satisfy a claim (pv_controller's findMatchingVolume), ignoring its phase. */
export function volumeMatches(pv: KObject, pvc: KObject): boolean {
  const cls = pvc.spec?.storageClassName ?? '';
  if ((pv.spec?.storageClassName ?? '') !== cls) return false;
  const modes: string[] = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m: string) => modes.includes(m))) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  if (size(pv.spec?.capacity?.storage) < size(pvc.spec?.resources?.requests?.storage ?? 0)) return false;
  if (pvc.spec?.selector && !selectorMatcher(pvc.spec.selector)(pv.metadata.labels)) return false;
  return true;
}

async function podsUsing(api: ApiServer, pvc: KObject): Promise<KObject[]> {
  return (await api
    .list(POD(api), { namespace: pvc.metadata.namespace }))
    .items.filter((p) => !isPodTerminal(p) && (p.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === pvc.metadata.name));
}

function claimRef(pvc: KObject): any {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: pvc.metadata.name, namespace: pvc.metadata.namespace, resourceVersion: pvc.metadata.resourceVersion, uid: pvc.metadata.uid };
}

async function bind(ctx: ControllerContext, pvc: KObject, pv: KObject, dynamic: boolean): Promise<void> {
  const api = ctx.api;
  const pvType = typeFor(api, 'v1', 'PersistentVolume');
  const pvcType = typeFor(api, 'v1', 'PersistentVolumeClaim');
  const boundPv = await api.mutate(pvType, undefined, pv.metadata.name!, (o) => {
    o.spec.claimRef = claimRef(pvc);
    if (!dynamic) o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' };
  });
  await api.mutate(pvType, undefined, pv.metadata.name!, (o) => void (o.status = { phase: 'Bound' }), { status: true });
  const preBound = pvc.spec?.volumeName === pv.metadata.name;
  const updated = await api.mutate(pvcType, pvc.metadata.namespace, pvc.metadata.name!, (o) => {
    o.spec.volumeName = pv.metadata.name;
    o.metadata.annotations = {
      ...(o.metadata.annotations ?? {}),
      'pv.kubernetes.io/bind-completed': 'yes',
      ...(preBound ? {} : { 'pv.kubernetes.io/bound-by-controller': 'yes' }),
    };
  });
  await api.mutate(pvcType, updated.metadata.namespace, updated.metadata.name!, (o) => {
    o.status = { phase: 'Bound', accessModes: boundPv.spec?.accessModes, capacity: { ...(boundPv.spec?.capacity ?? {}) } };
  }, { status: true });
}

async function reconcileClaim(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  await ensureDefaultStorageClass(api);
  const pvcType = typeFor(api, 'v1', 'PersistentVolumeClaim');
  const pvType = typeFor(api, 'v1', 'PersistentVolume');
  let pvc = await api.tryGet(pvcType, key.namespace, key.name);
  if (!pvc) return;

  // pvc-protection: a claim in use by a pod is only removed once no pod uses it.
  if (pvc.metadata.deletionTimestamp) {
    if ((pvc.metadata.finalizers ?? []).includes('kubernetes.io/pvc-protection') && !(await podsUsing(api, pvc)).length) {
      await api.mutate(pvcType, pvc.metadata.namespace, pvc.metadata.name!, (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== 'kubernetes.io/pvc-protection')));
    }
    return;
  }
  // DefaultStorageClass admission, applied late.
  // (Upstream this is the DefaultStorageClass admission plugin at create; setting it from
  // nil later is allowed too — RetroactiveDefaultStorageClass. If the API layer refuses the
  // write, the claim is still treated as being of the default class.)
  let effectiveClass: string | undefined = pvc.spec?.storageClassName;
  if (effectiveClass === undefined || effectiveClass === null) {
    const def = await defaultClass(api);
    if (def) {
      effectiveClass = def.metadata.name;
      try {
        pvc = await api.mutate(pvcType, pvc.metadata.namespace, pvc.metadata.name!, (o) => void (o.spec.storageClassName = def.metadata.name));
      } catch {
        pvc = { ...pvc, spec: { ...pvc.spec, storageClassName: def.metadata.name } };
      }
    }
  }
  const pvs = (await api.list(pvType)).items;
  if (pvc.spec?.volumeName) {
    const pv = pvs.find((v) => v.metadata.name === pvc!.spec.volumeName);
    if (!pv) {
      if (pvc.status?.phase === 'Bound') await api.mutate(pvcType, pvc.metadata.namespace, pvc.metadata.name!, (o) => void (o.status = { phase: 'Lost' }), { status: true });
      return;
    }
    if (pv.spec?.claimRef?.uid === pvc.metadata.uid) {
      if (pvc.status?.phase !== 'Bound' || pv.status?.phase !== 'Bound') await bind(ctx, pvc, pv, !!pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by']);
      return;
    }
    if (!pv.spec?.claimRef) await bind(ctx, pvc, pv, false);
    return;
  }

  const cls = effectiveClass ?? '';
  const sc = cls ? await api.tryGet(typeFor(api, 'storage.k8s.io/v1', 'StorageClass'), undefined, cls) : undefined;
  const available = pvs
    .filter((v) => !v.metadata.deletionTimestamp && (!v.spec?.claimRef || (v.spec.claimRef.name === pvc!.metadata.name && v.spec.claimRef.namespace === pvc!.metadata.namespace && !v.spec.claimRef.uid)))
    .filter((v) => volumeMatches(v, pvc!))
    .sort((a, b) => size(a.spec?.capacity?.storage) - size(b.spec?.capacity?.storage));

  if (sc?.volumeBindingMode === 'WaitForFirstConsumer') {
    const users = await podsUsing(api, pvc);
    const node = pvc.metadata.annotations?.[SELECTED_NODE] ?? users.find((p) => p.spec?.nodeName)?.spec.nodeName;
    if (!users.length && !node) {
      await recordOnce(ctx, pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding', PV_CONTROLLER);
      return;
    }
    if (available.length) return bind(ctx, pvc, available[0], false);
    return provision(ctx, pvc, sc, node ?? await firstNode(api));
  }
  if (available.length) return bind(ctx, pvc, available[0], false);
  if (sc && sc.provisioner && sc.provisioner !== 'kubernetes.io/no-provisioner') return provision(ctx, pvc, sc, undefined);
  const msg = cls
    ? sc
      ? `no persistent volumes available for this claim and no storage class is set`
      : `storageclass.storage.k8s.io "${cls}" not found`
    : 'no persistent volumes available for this claim and no storage class is set';
  await recordOnce(ctx, pvc, sc || !cls ? 'Normal' : 'Warning', sc || !cls ? 'FailedBinding' : 'ProvisioningFailed', msg, PV_CONTROLLER);
  // Static volumes may appear: the PV watch requeues claims.
}

async function firstNode(api: ApiServer): Promise<string | undefined> {
  return (await api.list(typeFor(api, 'v1', 'Node'))).items[0]?.metadata.name;
}

async function provision(ctx: ControllerContext, pvc: KObject, sc: KObject, node: string | undefined): Promise<void> {
  const api = ctx.api;
  const pvcType = typeFor(api, 'v1', 'PersistentVolumeClaim');
  const provisioner: string = sc.provisioner;
  const provisionerComponent = { component: `${provisioner}_local-path-provisioner` };
  const name = `pvc-${pvc.metadata.uid}`;
  pvc = await api.mutate(pvcType, pvc.metadata.namespace, pvc.metadata.name!, (o) => {
    o.metadata.annotations = {
      ...(o.metadata.annotations ?? {}),
      'volume.beta.kubernetes.io/storage-provisioner': provisioner,
      'volume.kubernetes.io/storage-provisioner': provisioner,
      ...(node && sc.volumeBindingMode === 'WaitForFirstConsumer' ? { [SELECTED_NODE]: node } : {}),
    };
  });
  await api.recordEvent(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`, PV_CONTROLLER);
  await api.recordEvent(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${pvc.metadata.namespace}/${pvc.metadata.name}"`, provisionerComponent);
  const pvType = typeFor(api, 'v1', 'PersistentVolume');
  let pv = await api.tryGet(pvType, undefined, name);
  if (!pv) {
    pv = await api.create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name,
        annotations: { 'pv.kubernetes.io/provisioned-by': provisioner, ...(node ? { 'local.path.provisioner/selected-node': node } : {}) },
      },
      spec: {
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
        claimRef: claimRef(pvc),
        hostPath: { path: `/var/local-path-provisioner/${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`, type: 'DirectoryOrCreate' },
        ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      },
    });
  }
  await api.recordEvent(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`, provisionerComponent);
  await bind(ctx, pvc, pv, true);
}

async function reconcileVolume(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const pvType = typeFor(api, 'v1', 'PersistentVolume');
  const pvcType = typeFor(api, 'v1', 'PersistentVolumeClaim');
  const pv = await api.tryGet(pvType, undefined, key.name);
  if (!pv) return;
  const ref = pv.spec?.claimRef;
  const claim = ref ? await api.tryGet(pvcType, ref.namespace, ref.name) : undefined;
  const bound = !!ref?.uid && claim?.metadata.uid === ref.uid;
  if (pv.metadata.deletionTimestamp) {
    if (!bound && (pv.metadata.finalizers ?? []).includes('kubernetes.io/pv-protection')) {
      await api.mutate(pvType, undefined, pv.metadata.name!, (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== 'kubernetes.io/pv-protection')));
    }
    return;
  }
  let phase: string;
  if (!ref) phase = 'Available';
  else if (!ref.uid) phase = 'Available'; // pre-bound to a claim name, waiting for it
  else if (bound) phase = 'Bound';
  else phase = 'Released';
  if (phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    try {
      await api.delete(pvType, undefined, pv.metadata.name!);
    } catch {
      /* gone */
    }
    return;
  }
  if (!deepEqual(pv.status ?? {}, { phase })) {
    await api.mutate(pvType, undefined, pv.metadata.name!, (o) => void (o.status = { phase }), { status: true });
  }
}

export const pvcBinderReconciler: Reconciler = {
  name: 'persistentvolume-binder',
  primary: ['v1', 'PersistentVolumeClaim'],
  watches: [
    // A new consumer pod wakes WaitForFirstConsumer claims; a deleted one releases pvc-protection.
    {
      kind: 'Pod',
      map: (pod) =>
        (pod.spec?.volumes ?? [])
          .filter((v: any) => v.persistentVolumeClaim?.claimName)
          .map((v: any) => ({ kind: 'PersistentVolumeClaim', namespace: pod.metadata.namespace, name: v.persistentVolumeClaim.claimName })),
    },
    // A new static volume may satisfy pending claims.
    {
      kind: 'PersistentVolume',
      map: async (_pv, ctx) =>
        (await ctx.api
          .list(typeFor(ctx.api, 'v1', 'PersistentVolumeClaim')))
          .items.filter((c) => c.status?.phase === 'Pending')
          .map((c) => ({ kind: 'PersistentVolumeClaim', namespace: c.metadata.namespace, name: c.metadata.name! })),
    },
  ],
  reconcile: reconcileClaim,
};

export const pvReconciler: Reconciler = {
  name: 'persistentvolume-controller',
  primary: ['v1', 'PersistentVolume'],
  watches: [
    {
      kind: 'PersistentVolumeClaim',
      map: (pvc) => (pvc.spec?.volumeName ? [{ kind: 'PersistentVolume', name: pvc.spec.volumeName }] : []),
    },
  ],
  reconcile: reconcileVolume,
};
