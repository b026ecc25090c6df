// A pod's total requests or limits as kube computes them (k8s.io/component-helpers resource
// PodRequests/PodLimits): the containers summed, restartable init containers (sidecars) added,
// and the largest need of any init container (with the sidecars started before it) if more.
// One computation for `describe node` and the LimitRanger admission plugin.

import type { KObject } from './types';
import { add, cmp, parseQuantity, type Quantity } from './quantity';

export type ResourceList = Map<string, Quantity>;

/** A container's requests or limits as quantities (what does not parse is left out). */
export function resourceList(raw: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of Object.entries(raw ?? {})) {
    const q = parseQuantity(v);
    if (q) out.set(k, q);
  }
  return out;
}

/** Adds `from` into `into`, resource by resource. */
export function addList(into: ResourceList, from: ResourceList): void {
  for (const [k, q] of from) into.set(k, into.has(k) ? add(into.get(k)!, q) : q);
}

function maxList(into: ResourceList, from: ResourceList): void {
  for (const [k, q] of from) if (!into.has(k) || cmp(q, into.get(k)!) > 0) into.set(k, q);
}

/**
 * The pod's total `field`; with `overhead`, spec.overhead added (describe's
 * PodRequestsAndLimits does, the LimitRanger's podRequests/podLimits leave it out).
 */
export function podResourceTotal(pod: KObject, field: 'requests' | 'limits', overhead: boolean): ResourceList {
  const total: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addList(total, resourceList(c?.resources?.[field]));
  const restartable: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    let r = resourceList(c?.resources?.[field]);
    if (c?.restartPolicy === 'Always') {
      addList(total, r);
      addList(restartable, r);
      r = new Map(restartable);
    } else {
      const tmp: ResourceList = new Map();
      addList(tmp, r);
      addList(tmp, restartable);
      r = tmp;
    }
    maxList(initMax, r);
  }
  maxList(total, initMax);
  if (overhead && pod.spec?.overhead) addList(total, resourceList(pod.spec.overhead));
  return total;
}
