// controller.ComputeHash: an FNV-32a hash of the pod template (plus the collision count
// when there was a clash), written with rand.SafeEncodeString's alphabet. Used for the
// Deployment's `pod-template-hash` label and for ControllerRevision names.

import { fnv32a, safeEncode } from '../sim/rng';
import { deepCopy, isObject } from '../api/types';
import { stringifyJson } from '../util/exact-json';
import { canonicalPodTemplate } from '../api/quantity-fields';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return stringifyJson(v ?? null);
}

export function computeHash(template: unknown, collisionCount?: number): string {
  let s = canonical(template);
  if (collisionCount) s += `#${collisionCount}`;
  return safeEncode(fnv32a(s));
}

/** A template without the pod-template-hash label (what EqualIgnoreHash compares). */
export function withoutHashLabel(template: any): any {
  const t = deepCopy(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  if (t.metadata && t.metadata.creationTimestamp === null) delete t.metadata.creationTimestamp;
  return t;
}

/**
 * Two pod templates equal as kube decodes them: one stored with quantities as written (an
 * older kubesim's `1000m`) equals its canonical form ("1"). Canonicalised only when they differ.
 */
export function equalDecoded(a: unknown, b: unknown): boolean {
  if (canonical(a) === canonical(b)) return true;
  const [x, y] = [canonicalPodTemplate(a), canonicalPodTemplate(b)];
  return (x !== a || y !== b) && canonical(x) === canonical(y);
}

/** deploymentutil.EqualIgnoreHash. */
export function equalIgnoreHash(a: any, b: any): boolean {
  return equalDecoded(withoutHashLabel(a), withoutHashLabel(b));
}
