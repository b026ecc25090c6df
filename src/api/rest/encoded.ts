// JSON text of stored objects, encoded once per object and form. The objects are the
// store's shared ones (frozen, and replaced by a new object on every change), so an entry
// is one revision's text: GETs of the same pod, the items of every list, and each event's
// line for every watcher reuse it instead of serialising the object again.

import type { KObject } from '../types';
import { stringifyJson } from '../../util/exact-json';

const texts = new WeakMap<KObject, Map<string, string>>();

/**
 * `encode()`'s text for `obj` in `form` (what else goes into the text: apiVersion, event
 * type), from the cache when known. `obj` must never change: a store's shared object, or
 * the watch cache's copy.
 */
export function encodedOnce(obj: KObject, form: string, encode: () => string): string {
  let byForm = texts.get(obj);
  const known = byForm?.get(form);
  if (known !== undefined) return known;
  const text = encode();
  if (!byForm) texts.set(obj, (byForm = new Map()));
  byForm.set(form, text);
  return text;
}

/** The object as `apiVersion`/`kind` name it (what RestHandler.external returns), as JSON; remembered for a store's shared (frozen) objects. */
export function externalJson(obj: KObject, apiVersion: string, kind: string): string {
  const encode = () => stringifyJson({ ...obj, apiVersion, kind });
  return Object.isFrozen(obj) ? encodedOnce(obj, `${apiVersion} ${kind}`, encode) : encode();
}

/** `{"kind":...,"apiVersion":...,"metadata":...,"items":[...]}` with each item's text already encoded, as JSON.stringify would write it. */
export function listJson(head: Record<string, unknown>, items: string[]): string {
  const open = JSON.stringify({ ...head, items: [] });
  return `${open.slice(0, -3)}[${items.join(',')}]}`;
}
