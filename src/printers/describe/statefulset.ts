// StatefulSet describer.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { goList, printAnnotationsMultiline, printLabelsMultiline, selectorString, str } from './format';
import { describePodTemplate } from './pod-template';
import { describeEvents } from './events';
import { podStatusForController } from './related';
import { canonical } from '../../api/quantity';
import { rfc1123z } from './time';
import type { DescribeContext } from './context';

function describeVolumeClaimTemplates(templates: any[] | undefined, w: PrefixWriter): void {
  if (!Array.isArray(templates) || templates.length === 0) {
    w.write(LEVEL_0, 'Volume Claims:\t<none>\n');
    return;
  }
  w.write(LEVEL_0, 'Volume Claims:\n');
  for (const pvc of templates) {
    const meta = pvc.metadata ?? {};
    const cls = meta.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(pvc.spec?.storageClassName);
    w.write(LEVEL_1, `Name:\t${str(meta.name)}\n`);
    w.write(LEVEL_1, `StorageClass:\t${cls}\n`);
    printLabelsMultiline(w, 'Labels', meta.labels, '  ');
    printLabelsMultiline(w, 'Annotations', meta.annotations, '  ');
    const storage = pvc.spec?.resources?.requests?.storage;
    w.write(LEVEL_1, `Capacity:\t${storage !== undefined ? canonical(storage) : '<default>'}\n`);
    w.write(LEVEL_1, `Access Modes:\t${goList(pvc.spec?.accessModes)}\n`);
  }
}

export function describeStatefulSet(ss: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = ss.spec ?? {};
  const counts = podStatusForController(ss, spec.selector, ctx);
  w.write(LEVEL_0, `Name:\t${str(ss.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(ss.metadata.namespace)}\n`);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(ss.metadata.creationTimestamp)}\n`);
  w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', ss.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', ss.metadata.annotations);
  w.write(LEVEL_0, `Replicas:\t${spec.replicas ?? 1} desired | ${ss.status?.replicas ?? 0} total\n`);
  w.write(LEVEL_0, `Update Strategy:\t${str(spec.updateStrategy?.type)}\n`);
  const ru = spec.updateStrategy?.rollingUpdate;
  if (ru && ru.partition !== undefined && ru.partition !== null) {
    w.write(LEVEL_1, `Partition:\t${ru.partition}\n`);
    if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) w.write(LEVEL_1, `MaxUnavailable:\t${str(ru.maxUnavailable)}\n`);
  }
  w.write(LEVEL_0, `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`);
  describePodTemplate(spec.template, w);
  describeVolumeClaimTemplates(spec.volumeClaimTemplates, w);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
