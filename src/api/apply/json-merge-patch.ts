// JSON merge patch (RFC 7386): the patch type for custom resources and `kubectl patch
// --type=merge`. Creation follows evanphx/json-patch's CreateMergePatch and the three-way
// variant follows k8s.io/apimachinery/pkg/util/jsonmergepatch.

import { clone, isMap, jsonKind, type JsonMap } from './json-util';
import { deepEqual } from '../../util/json-equal';

/** Apply an RFC 7386 merge patch. Does not modify its inputs. */
export function applyJsonMergePatch(target: unknown, patch: unknown): any {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyJsonMergePatch(out[k], v);
  }
  return out;
}

function diff(a: JsonMap, b: JsonMap): JsonMap {
  const into: JsonMap = {};
  for (const [k, bv] of Object.entries(b)) {
    if (!Object.prototype.hasOwnProperty.call(a, k) || jsonKind(a[k]) !== jsonKind(bv)) {
      into[k] = bv;
      continue;
    }
    const av = a[k];
    if (isMap(av)) {
      const sub = diff(av, bv);
      if (Object.keys(sub).length > 0) into[k] = sub;
    } else if (!deepEqual(av, bv)) {
      into[k] = bv;
    }
  }
  for (const k of Object.keys(a)) if (!Object.prototype.hasOwnProperty.call(b, k)) into[k] = null;
  return into;
}

/** The merge patch that turns `original` into `modified` (removed keys become null). */
export function createJsonMergePatch(original: unknown, modified: unknown): any {
  if (!isMap(original) || !isMap(modified)) return clone(modified);
  return clone(diff(original, modified));
}

/** Keep only the nulls (deletions) or only the non-null values (additions/changes). */
function keepOrDeleteNull(m: JsonMap, keepNull: boolean): JsonMap {
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null) {
      if (keepNull) out[k] = null;
    } else if (isMap(v)) {
      // An explicitly empty map is a value, not an empty patch.
      if (Object.keys(v).length === 0) {
        if (!keepNull) out[k] = v;
        continue;
      }
      const sub = keepOrDeleteNull(v, keepNull);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!keepNull) {
      out[k] = v;
    }
  }
  return out;
}

function union(doc: JsonMap, patch: JsonMap): JsonMap {
  for (const [k, v] of Object.entries(patch)) {
    doc[k] = isMap(doc[k]) && isMap(v) ? union(doc[k], v) : v;
  }
  return doc;
}

/**
 * What `kubectl apply` sends for a custom resource: deletions from original→modified,
 * additions and changes from current→modified.
 */
export function createThreeWayJsonMergePatch(original: object | undefined, modified: object, current: object): JsonMap {
  const addAndChange = keepOrDeleteNull(createJsonMergePatch(current, modified) as JsonMap, false);
  const deletions = keepOrDeleteNull(createJsonMergePatch(original ?? {}, modified) as JsonMap, true);
  return union(deletions, addAndChange);
}
