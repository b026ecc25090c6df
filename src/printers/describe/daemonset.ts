// DaemonSet describer.
import type { KObject } from '../../api/types';
import { LEVEL_0, PrefixWriter } from './prefix-writer';
import { formatLabels, printAnnotationsMultiline, printLabelsMultiline, selectorString, str } from './format';
import { describePodTemplate } from './pod-template';
import { describeEvents } from './events';
import { podStatusForController } from './related';
import type { DescribeContext } from './context';

export function describeDaemonSet(ds: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = ds.spec ?? {};
  const st = ds.status ?? {};
  const counts = podStatusForController(ds, spec.selector, ctx);
  w.write(LEVEL_0, `Name:\t${str(ds.metadata.name)}\n`);
  w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector)}\n`);
  w.write(LEVEL_0, `Node-Selector:\t${formatLabels(spec.template?.spec?.nodeSelector)}\n`);
  printLabelsMultiline(w, 'Labels', ds.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', ds.metadata.annotations);
  w.write(LEVEL_0, `Desired Number of Nodes Scheduled: ${st.desiredNumberScheduled ?? 0}\n`);
  w.write(LEVEL_0, `Current Number of Nodes Scheduled: ${st.currentNumberScheduled ?? 0}\n`);
  w.write(LEVEL_0, `Number of Nodes Scheduled with Up-to-date Pods: ${st.updatedNumberScheduled ?? 0}\n`);
  w.write(LEVEL_0, `Number of Nodes Scheduled with Available Pods: ${st.numberAvailable ?? 0}\n`);
  w.write(LEVEL_0, `Number of Nodes Misscheduled: ${st.numberMisscheduled ?? 0}\n`);
  w.write(LEVEL_0, `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`);
  describePodTemplate(spec.template, w);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
