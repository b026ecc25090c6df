// Namespace describer (with resource quotas and limit ranges), plus ResourceQuota and LimitRange.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { compareStrings, printAnnotationsMultiline, printLabelsMultiline, sortedKeys, str } from './format';
import { canonical } from '../../api/quantity';
import { rfc1123z } from './time';
import type { DescribeContext } from './context';

const SCOPE_HELP: Record<string, string> = {
  Terminating: 'Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.',
  NotTerminating: 'Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.',
  BestEffort: 'Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.',
  NotBestEffort: 'Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.',
};

function describeLimitRangeSpec(spec: any, prefix: string, w: PrefixWriter): void {
  for (const item of Array.isArray(spec?.limits) ? spec.limits : []) {
    const fields = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];
    const names = new Set<string>();
    for (const f of fields) for (const k of Object.keys(item[f] ?? {})) names.add(k);
    const v = (f: string, k: string) => (item[f]?.[k] !== undefined ? canonical(item[f][k]) : '-');
    for (const k of [...names].sort(compareStrings)) {
      w.write(LEVEL_0, `${prefix}${str(item.type)}\t${k}\t${v('min', k)}\t${v('max', k)}\t${v('defaultRequest', k)}\t${v('default', k)}\t${v('maxLimitRequestRatio', k)}\n`);
    }
  }
}

export function describeNamespace(ns: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const name = str(ns.metadata.name);
  w.write(LEVEL_0, `Name:\t${name}\n`);
  printLabelsMultiline(w, 'Labels', ns.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', ns.metadata.annotations);
  w.write(LEVEL_0, `Status:\t${str(ns.status?.phase)}\n`);
  const conds: any[] = Array.isArray(ns.status?.conditions) ? ns.status.conditions : [];
  if (conds.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n');
    w.write(LEVEL_1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage\n');
    w.write(LEVEL_1, '----\t------\t------------------\t------\t-------\n');
    for (const c of conds) w.write(LEVEL_1, `${str(c.type)}\t${str(c.status)}\t${rfc1123z(c.lastTransitionTime)}\t${str(c.reason)}\t${str(c.message)}\n`);
  }
  w.write(LEVEL_0, '\n');
  const quotas = [...ctx.list('ResourceQuota', name)].sort((a, b) => compareStrings(str(a.metadata.name), str(b.metadata.name)));
  if (quotas.length === 0) w.write(LEVEL_0, 'No resource quota.\n');
  else {
    w.write(LEVEL_0, 'Resource Quotas\n');
    for (const q of quotas) {
      w.write(LEVEL_1, `Name:\t${str(q.metadata.name)}\n`);
      const scopes: string[] = [...(q.spec?.scopes ?? [])].sort(compareStrings);
      if (scopes.length > 0) {
        w.write(LEVEL_1, `Scopes:\t${scopes.join(', ')}\n`);
        for (const s of scopes) if (SCOPE_HELP[s]) w.write(LEVEL_1, `* ${SCOPE_HELP[s]}\n`);
      }
      w.write(LEVEL_1, 'Resource\tUsed\tHard\n');
      w.write(LEVEL_1, '--------\t---\t---\n');
      for (const r of sortedKeys(q.status?.hard)) {
        w.write(LEVEL_1, `${r}\t${canonical(q.status?.used?.[r] ?? '0')}\t${canonical(q.status.hard[r])}\n`);
      }
    }
  }
  w.write(LEVEL_0, '\n');
  const limitRanges = ctx.list('LimitRange', name);
  if (limitRanges.length === 0) w.write(LEVEL_0, 'No LimitRange resource.\n');
  else {
    w.write(LEVEL_0, 'Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n');
    w.write(LEVEL_0, ' ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
    for (const lr of limitRanges) describeLimitRangeSpec(lr.spec, ' ', w);
  }
  return w.toString();
}

export function describeResourceQuota(q: KObject): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(q.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(q.metadata.namespace)}\n`);
  const scopes: string[] = [...(q.spec?.scopes ?? [])].sort(compareStrings);
  if (scopes.length > 0) {
    w.write(LEVEL_0, `Scopes:\t${scopes.join(', ')}\n`);
    for (const s of scopes) if (SCOPE_HELP[s]) w.write(LEVEL_0, ` * ${SCOPE_HELP[s]}\n`);
  }
  w.write(LEVEL_0, 'Resource\tUsed\tHard\n');
  w.write(LEVEL_0, '--------\t----\t----\n');
  for (const r of sortedKeys(q.status?.hard)) w.write(LEVEL_0, `${r}\t${canonical(q.status?.used?.[r] ?? '0')}\t${canonical(q.status.hard[r])}\n`);
  return w.toString();
}

export function describeLimitRange(lr: KObject): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(lr.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(lr.metadata.namespace)}\n`);
  w.write(LEVEL_0, 'Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n');
  w.write(LEVEL_0, '----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
  describeLimitRangeSpec(lr.spec, '', w);
  return w.toString();
}
