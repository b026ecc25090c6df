// JSON text of stored objects, encoded once per object and form. The objects are the
// store's shared ones (frozen, and replaced by a new object on every change), so an entry
// is one revision's text: GETs of the same pod, the items of every list, and each event's
// line for every watcher reuse it instead of serialising the object again.

import type { KObject } from '../types';
import { stringifyJson } from '../../util/exact-json';
import { asVersion } from '../conversion/events';

const texts = new WeakMap<KObject, Map<string, string>>();

/**
 * How much text the cache keeps (UTF-16 code units): an object at rest lives as long as the
 * daemon, so without a bound one `get pods -A -o json` of 100,000 pods left ~500 MB of their
 * text behind for good. The oldest entries go first; what is evicted is encoded again when
 * asked for. The queue holds its objects weakly (an object gone takes its entry with it; its
 * length still counts until the queue reaches it, so the cache then keeps a little less).
 */
const BUDGET = 32 * 2 ** 20;
let held = 0;
let queue: { obj: WeakRef<KObject>; form: string; length: number }[] = [];
let head = 0;

function remember(obj: KObject, form: string, text: string): void {
  let byForm = texts.get(obj);
  if (!byForm) texts.set(obj, (byForm = new Map()));
  byForm.set(form, text);
  queue.push({ obj: new WeakRef(obj), form, length: text.length });
  held += text.length;
  while (held > BUDGET && head < queue.length) {
    const e = queue[head++];
    held -= e.length;
    const o = e.obj.deref();
    const m = o && texts.get(o);
    if (m?.delete(e.form) && !m.size) texts.delete(o!);
  }
  if (head > 1024 && head * 2 > queue.length) {
    queue = queue.slice(head);
    head = 0;
  }
}

/**
 * `encode()`'s text for `obj` in `form` (what else goes into the text: apiVersion, event
 * type), from the cache when known. `obj` must never change: a store's shared object, or
 * the watch cache's copy.
 */
export function encodedOnce(obj: KObject, form: string, encode: () => string): string {
  const known = texts.get(obj)?.get(form);
  if (known !== undefined) return known;
  const text = encode();
  remember(obj, form, text);
  return text;
}

/** What the cache holds now, in code units (for tests). */
export function encodedHeld(): number {
  return held;
}

/** The object as `apiVersion`/`kind` name it (what RestHandler.external returns), as JSON; remembered for a store's shared (frozen) objects. */
export function externalJson(obj: KObject, apiVersion: string, kind: string): string {
  const encode = () => stringifyJson(asVersion(obj, apiVersion, kind));
  return Object.isFrozen(obj) ? encodedOnce(obj, `${apiVersion} ${kind}`, encode) : encode();
}

/** `{"kind":...,"apiVersion":...,"metadata":...,"items":[...]}` with each item's text already encoded, as JSON.stringify would write it. */
export function listJson(head: Record<string, unknown>, items: string[]): string {
  const open = JSON.stringify({ ...head, items: [] });
  return `${open.slice(0, -3)}[${items.join(',')}]}`;
}
