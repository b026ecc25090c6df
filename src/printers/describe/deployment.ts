// Deployment describer.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { printAnnotationsMultiline, printLabelsMultiline, selectorString, str } from './format';
import { describePodTemplate } from './pod-template';
import { describeEvents } from './events';
import { replicaSetsOf } from './related';
import { rfc1123z } from './time';
import type { DescribeContext } from './context';

function replicaSetList(rss: KObject[]): string {
  const list = rss.map((rs) => `${str(rs.metadata.name)} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 1} replicas created)`).join(', ');
  return list === '' ? '<none>' : list;
}

/** Writes a `Conditions:` table with Type/Status/Reason columns (Deployment, ReplicaSet). */
export function writeReasonConditions(w: PrefixWriter, conditions: any[] | undefined): void {
  if (!Array.isArray(conditions) || conditions.length === 0) return;
  w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
  w.write(LEVEL_1, '----\t------\t------\n');
  for (const c of conditions) w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)}\t${str(c.reason)}\n`);
}

export function describeDeployment(d: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = d.spec ?? {};
  const status = d.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(d.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(d.metadata.namespace)}\n`);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', d.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', d.metadata.annotations);
  w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector)}\n`);
  w.write(
    LEVEL_0,
    `Replicas:\t${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`,
  );
  w.write(LEVEL_0, `StrategyType:\t${str(spec.strategy?.type)}\n`);
  w.write(LEVEL_0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.write(LEVEL_0, `RollingUpdateStrategy:\t${str(ru.maxUnavailable ?? 0)} max unavailable, ${str(ru.maxSurge ?? 0)} max surge\n`);
  describePodTemplate(spec.template, w);
  writeReasonConditions(w, status.conditions);
  const { old, new: newRS } = replicaSetsOf(d, ctx);
  if (old.length > 0 || newRS) {
    w.write(LEVEL_0, `OldReplicaSets:\t${replicaSetList(old)}\n`);
    w.write(LEVEL_0, `NewReplicaSet:\t${replicaSetList(newRS ? [newRS] : [])}\n`);
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
