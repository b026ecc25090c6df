// The `kubectl.kubernetes.io/last-applied-configuration` annotation: the manifest as kubectl
// serialised it at the last `apply` (or `create --save-config`). Its bytes matter: a
// re-apply compares them, and `get -o yaml` shows them.

import type { KObject } from '../types';
import { clone, isMap, type JsonMap } from './json-util';
import { goJson } from '../../util/go-format';
import { parseJson } from '../../util/exact-json';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// The annotation is Go's compact json.Marshal of a map[string]interface{} (keys sorted, HTML-safe).
export { goJson };

/**
 * The annotation value kubectl writes for `manifest`: the manifest without the annotation
 * itself (the annotations map stays, possibly as `{}`), compact, keys sorted, ending in `\n`.
 * The caller sets metadata.namespace first for namespaced kinds, as kubectl does.
 */
export function lastAppliedJson(manifest: object): string {
  const obj = clone(manifest) as JsonMap;
  if (!isMap(obj.metadata)) obj.metadata = {};
  const annotations = isMap(obj.metadata.annotations) ? obj.metadata.annotations : {};
  delete annotations[LAST_APPLIED];
  obj.metadata.annotations = annotations;
  return goJson(obj) + '\n';
}

/** The previous applied configuration stored on a live object, or undefined. Throws on bad JSON. */
export function getLastApplied(obj: KObject | JsonMap): JsonMap | undefined {
  const raw = (obj as JsonMap).metadata?.annotations?.[LAST_APPLIED];
  if (typeof raw !== 'string' || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = parseJson(raw);
  } catch {
    // apimachinery's mergepatch.ErrBadJSONDoc
    throw new Error('invalid JSON document');
  }
  return isMap(parsed) ? parsed : undefined;
}

/** A copy of `manifest` carrying its own last-applied annotation (kubectl's "modified"). */
export function withLastApplied<T extends object>(manifest: T): T {
  const value = lastAppliedJson(manifest);
  const obj = clone(manifest) as JsonMap;
  if (!isMap(obj.metadata)) obj.metadata = {};
  obj.metadata.annotations = { ...(isMap(obj.metadata.annotations) ? obj.metadata.annotations : {}), [LAST_APPLIED]: value };
  return obj as T;
}
