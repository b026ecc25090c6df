// LimitRanger admission (plugin/pkg/admission/limitranger in kube-apiserver): a namespace's
// LimitRanges give a new pod's containers their default requests and limits (mutating, first
// of the chain, so ServiceAccount and ResourceQuota see them), and bound what pods and PVCs
// may ask for (validating, before ResourceQuota), with the plugin's messages. Pod updates
// are left alone (their containers' resources cannot change); PVCs are checked on update too.

import { isObject, type KObject } from '../types';
import { podResourceTotal } from '../pod-resources';
import { formatQuantity, MAX_MILLI_VALUE as MAX_MILLI, milliValue, parseQuantity, quantityString as shown, value, ZERO, type Quantity } from '../quantity';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';


type ResourceList = Record<string, unknown>;

/** The LimitRanges of a namespace in a stable order (kube's lister has none: by name). */
export function sortedRanges(ranges: KObject[]): KObject[] {
  return [...ranges].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}

function items(lr: KObject): any[] {
  return Array.isArray(lr.spec?.limits) ? lr.spec.limits.filter(isObject) : [];
}

function entries(list: unknown): Array<[string, unknown]> {
  return isObject(list) ? Object.keys(list).sort().map((k) => [k, list[k]]) : [];
}

/** PodMutateLimitFunc for each LimitRange in turn: fill what a container leaves out, and say so in the annotation. */
export function defaultPodResources(pod: KObject, ranges: KObject[]): void {
  for (const lr of ranges) {
    const requests: ResourceList = {};
    const limits: ResourceList = {};
    for (const item of items(lr)) {
      if (item.type !== 'Container') continue;
      for (const [k, v] of entries(item.defaultRequest)) requests[k] = v;
      for (const [k, v] of entries(item.default)) limits[k] = v;
    }
    const notes: string[] = [];
    for (const [list, label] of [['containers', 'container'], ['initContainers', 'init container']] as const) {
      for (const c of Array.isArray(pod.spec?.[list]) ? pod.spec[list] : []) {
        if (!isObject(c)) continue;
        const set = (defaults: ResourceList, which: 'requests' | 'limits'): string[] => {
          const added = Object.keys(defaults).filter((k) => !isObject(c.resources?.[which]) || !(k in c.resources[which])).sort();
          if (added.length) {
            c.resources = isObject(c.resources) ? c.resources : {};
            const into = (c.resources[which] = isObject(c.resources[which]) ? c.resources[which] : {});
            for (const k of added) into[k] = defaults[k];
          }
          return added;
        };
        const addedLimits = set(limits, 'limits');
        const addedRequests = set(requests, 'requests');
        if (addedRequests.length) notes.push(`${addedRequests.join(', ')} request for ${label} ${c.name}`);
        if (addedLimits.length) notes.push(`${addedLimits.join(', ')} limit for ${label} ${c.name}`);
      }
    }
    if (notes.length) (pod.metadata.annotations ??= {})[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${notes.join('; ')}`;
  }
}

function quantity(raw: unknown): Quantity {
  return parseQuantity(raw) ?? ZERO;
}


/** requestLimitEnforcedValues: the three at a common precision (thousandths unless that overflows). */
function common(...qs: Quantity[]): number[] {
  const whole = qs.map(value);
  return whole.every((v) => v <= MAX_MILLI) ? qs.map(milliValue) : whole;
}

function has(list: ResourceList | undefined, k: string): boolean {
  return isObject(list) && list[k] !== undefined;
}

function minConstraint(type: string, k: string, enforced: unknown, request: ResourceList | undefined, limit: ResourceList | undefined): string | undefined {
  const [req, lim, min] = common(quantity(request?.[k]), quantity(limit?.[k]), quantity(enforced));
  const e = shown(enforced);
  if (!has(request, k)) return `minimum ${k} usage per ${type} is ${e}.  No request is specified`;
  if (req < min) return `minimum ${k} usage per ${type} is ${e}, but request is ${shown(request![k])}`;
  if (has(limit, k) && lim < min) return `minimum ${k} usage per ${type} is ${e}, but limit is ${shown(limit![k])}`;
  return undefined;
}

function maxConstraint(type: string, k: string, enforced: unknown, request: ResourceList | undefined, limit: ResourceList | undefined): string | undefined {
  const [req, lim, max] = common(quantity(request?.[k]), quantity(limit?.[k]), quantity(enforced));
  const e = shown(enforced);
  if (!has(limit, k)) return `maximum ${k} usage per ${type} is ${e}.  No limit is specified`;
  if (lim > max) return `maximum ${k} usage per ${type} is ${e}, but limit is ${shown(limit![k])}`;
  if (has(request, k) && req > max) return `maximum ${k} usage per ${type} is ${e}, but request is ${shown(request![k])}`;
  return undefined;
}

/** maxRequestConstraint: a PVC's max is held against its request (a claim has no limit). */
function maxRequestConstraint(type: string, k: string, enforced: unknown, request: ResourceList | undefined): string | undefined {
  const [req, , max] = common(quantity(request?.[k]), ZERO, quantity(enforced));
  const e = shown(enforced);
  if (!has(request, k)) return `maximum ${k} usage per ${type} is ${e}.  No request is specified`;
  if (req > max) return `maximum ${k} usage per ${type} is ${e}, but request is ${shown(request![k])}`;
  return undefined;
}

function ratioConstraint(type: string, k: string, enforced: unknown, request: ResourceList | undefined, limit: ResourceList | undefined): string | undefined {
  const q = quantity(enforced);
  const [req, lim] = common(quantity(request?.[k]), quantity(limit?.[k]), q);
  const e = shown(enforced);
  if (!has(request, k) || req === 0) return `${k} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (!has(limit, k) || lim === 0) return `${k} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const ratio = lim / req;
  const [observed, allowed] = value(q) <= MAX_MILLI ? [ratio * 1000, milliValue(q)] : [ratio, value(q)];
  // Go's %f: six decimals.
  return observed > allowed ? `${k} max limit to request ratio per ${type} is ${e}, but provided ratio is ${ratio.toFixed(6)}` : undefined;
}

/** min, max and maxLimitRequestRatio of one LimitRange item against requests and limits. */
function bounded(item: any, request: ResourceList | undefined, limit: ResourceList | undefined, errs: string[]): void {
  const push = (e: string | undefined) => e !== undefined && errs.push(e);
  for (const [k, v] of entries(item.min)) push(minConstraint(item.type, k, v, request, limit));
  for (const [k, v] of entries(item.max)) push(maxConstraint(item.type, k, v, request, limit));
  for (const [k, v] of entries(item.maxLimitRequestRatio)) push(ratioConstraint(item.type, k, v, request, limit));
}

/** The limitranger's podRequests/podLimits: the pod's total without its overhead. */
function podTotal(pod: KObject, which: 'requests' | 'limits'): ResourceList {
  return Object.fromEntries([...podResourceTotal(pod, which, false)].map(([k, q]) => [k, formatQuantity(q)]));
}

/** utilerrors.NewAggregate(errs).Error(): one message as it is, several (deduplicated) in brackets. */
function aggregate(errs: string[]): string | undefined {
  const seen = [...new Set(errs)];
  if (!seen.length) return undefined;
  return seen.length === 1 ? seen[0] : `[${seen.join(', ')}]`;
}

/**
 * Why the first LimitRange that refuses `obj` (a Pod or a PersistentVolumeClaim) does, in the
 * plugin's words (`maximum cpu usage per Container is 500m, but limit is 1`), or undefined.
 */
export function limitRangeViolation(obj: KObject, kind: 'Pod' | 'PersistentVolumeClaim', ranges: KObject[]): string | undefined {
  // The pod's totals, summed at the first Pod item (kube sums again per item; the result is
  // the same, and a namespace of 3,000 LimitRanges cost 3,000 sums, round 114).
  let totals: { requests: ResourceList; limits: ResourceList } | undefined;
  for (const lr of ranges) {
    const errs: string[] = [];
    for (const item of items(lr)) {
      if (kind === 'PersistentVolumeClaim') {
        if (item.type !== 'PersistentVolumeClaim') continue;
        const requests = obj.spec?.resources?.requests;
        for (const [k, v] of entries(item.min)) {
          const e = minConstraint(item.type, k, v, requests, {});
          if (e !== undefined) errs.push(e);
        }
        for (const [k, v] of entries(item.max)) {
          const e = maxRequestConstraint(item.type, k, v, requests);
          if (e !== undefined) errs.push(e);
        }
      } else if (item.type === 'Container') {
        for (const c of [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])]) bounded(item, c?.resources?.requests, c?.resources?.limits, errs);
      } else if (item.type === 'Pod') {
        totals ??= { requests: podTotal(obj, 'requests'), limits: podTotal(obj, 'limits') };
        bounded(item, totals.requests, totals.limits, errs);
      }
    }
    const why = aggregate(errs);
    if (why) return why;
  }
  return undefined;
}
