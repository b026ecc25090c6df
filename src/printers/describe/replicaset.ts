// ReplicaSet (and ReplicationController) describer.
import type { KObject } from '../../api/types';
import { LEVEL_0, PrefixWriter } from './prefix-writer';
import { formatLabels, formatLabelSelector, printAnnotationsMultiline, printController, printLabelsMultiline, str } from './format';
import { describePodTemplate } from './pod-template';
import { describeEvents } from './events';
import { podStatusForController } from './related';
import { writeReasonConditions } from './deployment';
import type { DescribeContext } from './context';

export function describeReplicaSet(rs: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const rc = rs.kind === 'ReplicationController';
  const spec = rs.spec ?? {};
  const counts = podStatusForController(rs, spec.selector, ctx);
  w.write(LEVEL_0, `Name:\t${str(rs.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(rs.metadata.namespace)}\n`);
  w.write(LEVEL_0, `Selector:\t${rc ? formatLabels(spec.selector) : formatLabelSelector(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', rs.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', rs.metadata.annotations);
  const controlledBy = rc ? '' : printController(rs);
  if (controlledBy !== '') w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
  w.write(LEVEL_0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${spec.replicas ?? 1} desired\n`);
  w.write(LEVEL_0, `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`);
  describePodTemplate(spec.template, w);
  writeReasonConditions(w, rs.status?.conditions);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
