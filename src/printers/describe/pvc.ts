// PersistentVolumeClaim describer (also used for ephemeral volume claim templates).
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { accessModesAsString, compareStrings, goList, printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { canonical } from '../../api/quantity';
import { rfc1123z, since } from './time';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

/** storageutil.GetPersistentVolumeClaimClass: spec field, else the beta annotation. */
function claimClass(pvc: KObject): string {
  const ann = pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (ann !== undefined) return ann;
  return str(pvc.spec?.storageClassName);
}

export function printPersistentVolumeClaim(w: PrefixWriter, pvc: KObject, isFull: boolean, now = 0): void {
  if (isFull) {
    w.write(LEVEL_0, `Name:\t${str(pvc.metadata.name)}\n`);
    w.write(LEVEL_0, `Namespace:\t${str(pvc.metadata.namespace)}\n`);
  }
  w.write(LEVEL_0, `StorageClass:\t${claimClass(pvc)}\n`);
  if (isFull) {
    if (pvc.metadata.deletionTimestamp) w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(pvc.metadata.deletionTimestamp, now)})\n`);
    else w.write(LEVEL_0, `Status:\t${str(pvc.status?.phase)}\n`);
  }
  const volumeName = str(pvc.spec?.volumeName);
  w.write(LEVEL_0, `Volume:\t${volumeName}\n`);
  printLabelsMultiline(w, 'Labels', pvc.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', pvc.metadata.annotations);
  if (isFull) w.write(LEVEL_0, `Finalizers:\t${goList(pvc.metadata.finalizers)}\n`);
  let capacity = '';
  let accessModes = '';
  if (volumeName !== '') {
    accessModes = accessModesAsString(pvc.status?.accessModes);
    capacity = pvc.status?.capacity?.storage !== undefined ? canonical(pvc.status.capacity.storage) : '0';
  }
  w.write(LEVEL_0, `Capacity:\t${capacity}\n`);
  w.write(LEVEL_0, `Access Modes:\t${accessModes}\n`);
  if (pvc.spec?.volumeMode !== undefined) w.write(LEVEL_0, `VolumeMode:\t${str(pvc.spec.volumeMode)}\n`);
  const ds = pvc.spec?.dataSource;
  if (ds) {
    w.write(LEVEL_0, 'DataSource:\n');
    if (ds.apiGroup !== undefined && ds.apiGroup !== null) w.write(LEVEL_1, `APIGroup:\t${str(ds.apiGroup)}\n`);
    w.write(LEVEL_1, `Kind:\t${str(ds.kind)}\n`);
    w.write(LEVEL_1, `Name:\t${str(ds.name)}\n`);
  }
}

/** Pods that mount the claim, or own it. */
function podsForPVC(pvc: KObject, ctx: DescribeContext): KObject[] {
  const pods = ctx.list('Pod', pvc.metadata.namespace);
  const out: KObject[] = [];
  for (const pod of pods) {
    for (const v of pod.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === pvc.metadata.name) out.push(pod);
    }
  }
  for (const ref of pvc.metadata.ownerReferences ?? []) {
    if (ref.kind !== 'Pod') continue;
    const pod = pods.find((p) => p.metadata.uid === ref.uid);
    if (pod && !out.some((p) => p.metadata.uid === pod.metadata.uid)) out.push(pod);
  }
  return out;
}

export function describePersistentVolumeClaim(pvc: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  printPersistentVolumeClaim(w, pvc, true, ctx.now);
  const pods = podsForPVC(pvc, ctx).sort((a, b) => compareStrings(str(a.metadata.name), str(b.metadata.name)));
  w.write(LEVEL_0, 'Used By:\t');
  if (pods.length === 0) w.writeLine('<none>');
  else pods.forEach((p, i) => w.write(LEVEL_0, `${i === 0 ? '' : '\t'}${str(p.metadata.name)}\n`));
  const conds: any[] = pvc.status?.conditions ?? [];
  if (conds.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n');
    w.write(LEVEL_1, 'Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) {
      w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)} \t${rfc1123z(c.lastProbeTime)} \t${rfc1123z(c.lastTransitionTime)} \t${str(c.reason)} \t${str(c.message)}\n`);
    }
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
