// Job and CronJob describers.
import type { KObject } from '../../api/types';
import { LEVEL_0, PrefixWriter } from './prefix-writer';
import { printAnnotationsMultiline, printBoolPtr, printController, printLabelsMultiline, selectorString, str } from './format';
import { describePodTemplate } from './pod-template';
import { describeEvents } from './events';
import { between, rfc1123z } from './time';
import type { DescribeContext } from './context';

const has = (v: unknown) => v !== undefined && v !== null;

function capIndexesListOrNone(indexes: string, softLimit: number): string {
  if (indexes.length === 0) return '<none>';
  let ix = softLimit;
  for (; ix < indexes.length; ix++) if (indexes[ix] === ',') break;
  if (ix >= indexes.length) return indexes;
  return indexes.slice(0, ix + 1) + '...';
}

export function describeJob(job: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = job.spec ?? {};
  const st = job.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(job.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(job.metadata.namespace)}\n`);
  w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', job.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', job.metadata.annotations);
  const controlledBy = printController(job);
  if (controlledBy !== '') w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
  if (has(spec.parallelism)) w.write(LEVEL_0, `Parallelism:\t${spec.parallelism}\n`);
  w.write(LEVEL_0, `Completions:\t${has(spec.completions) ? spec.completions : '<unset>'}\n`);
  if (has(spec.completionMode)) w.write(LEVEL_0, `Completion Mode:\t${spec.completionMode}\n`);
  if (has(spec.suspend)) w.write(LEVEL_0, `Suspend:\t${spec.suspend}\n`);
  if (has(spec.backoffLimit)) w.write(LEVEL_0, `Backoff Limit:\t${spec.backoffLimit}\n`);
  if (has(spec.ttlSecondsAfterFinished)) w.write(LEVEL_0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
  if (has(st.startTime)) w.write(LEVEL_0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
  if (has(st.completionTime)) w.write(LEVEL_0, `Completed At:\t${rfc1123z(st.completionTime)}\n`);
  if (has(st.startTime) && has(st.completionTime)) w.write(LEVEL_0, `Duration:\t${between(st.startTime, st.completionTime)}\n`);
  if (has(spec.activeDeadlineSeconds)) w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  if (!has(st.ready)) w.write(LEVEL_0, `Pods Statuses:\t${st.active ?? 0} Active / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
  else w.write(LEVEL_0, `Pods Statuses:\t${st.active ?? 0} Active (${st.ready} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
  if (spec.completionMode === 'Indexed') w.write(LEVEL_0, `Completed Indexes:\t${capIndexesListOrNone(str(st.completedIndexes), 50)}\n`);
  describePodTemplate(spec.template, w);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}

export function describeCronJob(cj: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = cj.spec ?? {};
  w.write(LEVEL_0, `Name:\t${str(cj.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(cj.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', cj.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', cj.metadata.annotations);
  w.write(LEVEL_0, `Schedule:\t${str(spec.schedule)}\n`);
  w.write(LEVEL_0, `Concurrency Policy:\t${str(spec.concurrencyPolicy)}\n`);
  w.write(LEVEL_0, `Suspend:\t${printBoolPtr(spec.suspend)}\n`);
  w.write(LEVEL_0, `Successful Job History Limit:\t${has(spec.successfulJobsHistoryLimit) ? spec.successfulJobsHistoryLimit : '<unset>'}\n`);
  w.write(LEVEL_0, `Failed Job History Limit:\t${has(spec.failedJobsHistoryLimit) ? spec.failedJobsHistoryLimit : '<unset>'}\n`);
  w.write(LEVEL_0, `Starting Deadline Seconds:\t${has(spec.startingDeadlineSeconds) ? `${spec.startingDeadlineSeconds}s` : '<unset>'}\n`);
  const jt = spec.jobTemplate?.spec ?? {};
  w.write(LEVEL_0, `Selector:\t${has(jt.selector) ? selectorString(jt.selector) : '<unset>'}\n`);
  w.write(LEVEL_0, `Parallelism:\t${has(jt.parallelism) ? jt.parallelism : '<unset>'}\n`);
  w.write(LEVEL_0, `Completions:\t${has(jt.completions) ? jt.completions : '<unset>'}\n`);
  if (has(jt.activeDeadlineSeconds)) w.write(LEVEL_0, `Active Deadline Seconds:\t${jt.activeDeadlineSeconds}s\n`);
  describePodTemplate(jt.template, w);
  const st = cj.status ?? {};
  w.write(LEVEL_0, `Last Schedule Time:\t${has(st.lastScheduleTime) ? rfc1123z(st.lastScheduleTime) : '<unset>'}\n`);
  const active: any[] = Array.isArray(st.active) ? st.active : [];
  w.write(LEVEL_0, 'Active Jobs:\t');
  if (active.length === 0) w.writeLine('<none>');
  else w.writeLine(active.map((j) => str(j.name)).join(', '));
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
