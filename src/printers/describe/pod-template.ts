// DescribePodTemplate: the `Pod Template:` section of workload describers.
import { LEVEL_0, LEVEL_1, type PrefixWriter } from './prefix-writer';
import { printAnnotationsMultiline, printLabelsMultiline, printTolerationsMultiline, str } from './format';
import { describeContainers } from './containers';
import { describeVolumes } from './volumes';
import { describeTopologySpreadConstraints } from './pod';

export function describePodTemplate(template: any, w: PrefixWriter): void {
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!template) {
    w.write(LEVEL_1, '<unset>');
    return;
  }
  const meta = template.metadata ?? {};
  const spec = template.spec ?? {};
  printLabelsMultiline(w, '  Labels', meta.labels);
  if (Object.keys(meta.annotations ?? {}).length > 0) printAnnotationsMultiline(w, '  Annotations', meta.annotations);
  if (str(spec.serviceAccountName) !== '') w.write(LEVEL_1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (Array.isArray(spec.initContainers) && spec.initContainers.length > 0) {
    describeContainers('Init Containers', spec.initContainers, undefined, undefined, w, '  ');
  }
  describeContainers('Containers', Array.isArray(spec.containers) ? spec.containers : [], undefined, undefined, w, '  ');
  describeVolumes(spec.volumes, w, '  ');
  describeTopologySpreadConstraints(spec.topologySpreadConstraints, w, '  ');
  if (str(spec.priorityClassName) !== '') w.write(LEVEL_1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, '  Tolerations', spec.tolerations);
}
