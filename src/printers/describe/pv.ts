// PersistentVolume describer.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter } from './prefix-writer';
import { accessModesAsString, goList, printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { printVolumeSource } from './volumes';
import { describeEvents } from './events';
import { canonical } from '../../api/quantity';
import { since } from './time';
import type { DescribeContext } from './context';

function printNodeAffinity(w: PrefixWriter, affinity: any): void {
  w.write(LEVEL_0, 'Node Affinity:\t');
  if (!affinity?.required) {
    w.writeLine('<none>');
    return;
  }
  w.writeLine('');
  w.write(LEVEL_1, 'Required Terms:\t');
  const terms: any[] = affinity.required.nodeSelectorTerms ?? [];
  if (terms.length === 0) {
    w.writeLine('<none>');
    return;
  }
  w.writeLine('');
  terms.forEach((term, i) => {
    w.write(LEVEL_2, `Term ${i}:\t`);
    const reqs: any[] = term.matchExpressions ?? [];
    if (reqs.length === 0) {
      w.writeLine('<none>');
      return;
    }
    reqs.forEach((r, j) => {
      if (j !== 0) w.write(LEVEL_2, '\t');
      let expr = `${str(r.key)} ${str(r.operator).toLowerCase()}`;
      if (Array.isArray(r.values) && r.values.length > 0) expr += ` [${r.values.join(', ')}]`;
      w.write(LEVEL_0, expr + '\n');
    });
  });
}

export function describePersistentVolume(pv: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = pv.spec ?? {};
  w.write(LEVEL_0, `Name:\t${str(pv.metadata.name)}\n`);
  printLabelsMultiline(w, 'Labels', pv.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', pv.metadata.annotations);
  w.write(LEVEL_0, `Finalizers:\t${goList(pv.metadata.finalizers)}\n`);
  const cls = pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(spec.storageClassName);
  w.write(LEVEL_0, `StorageClass:\t${cls}\n`);
  if (pv.metadata.deletionTimestamp) w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(pv.metadata.deletionTimestamp, ctx.now)})\n`);
  else w.write(LEVEL_0, `Status:\t${str(pv.status?.phase)}\n`);
  w.write(LEVEL_0, `Claim:\t${spec.claimRef ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : ''}\n`);
  w.write(LEVEL_0, `Reclaim Policy:\t${str(spec.persistentVolumeReclaimPolicy)}\n`);
  w.write(LEVEL_0, `Access Modes:\t${accessModesAsString(spec.accessModes)}\n`);
  if (spec.volumeMode !== undefined) w.write(LEVEL_0, `VolumeMode:\t${str(spec.volumeMode)}\n`);
  w.write(LEVEL_0, `Capacity:\t${spec.capacity?.storage !== undefined ? canonical(spec.capacity.storage) : '0'}\n`);
  printNodeAffinity(w, spec.nodeAffinity);
  w.write(LEVEL_0, `Message:\t${str(pv.status?.message)}\n`);
  w.write(LEVEL_0, 'Source:\n');
  if (!printVolumeSource(spec, w, true)) w.write(LEVEL_1, '<unknown>\n');
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
