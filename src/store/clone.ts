// A deep copy of JSON data with JSON's own semantics (what JSON.parse(JSON.stringify(v))
// gives), several times faster: the stores and the API server copy every object they hand
// out, so this is on the hot path of every read and write.

import { stringifyJson } from '../util/exact-json';

/** Deep-copies a JSON value: undefined/function/symbol members dropped (null in arrays), toJSON honoured, non-finite numbers become null, bigints (exact int64s) kept. */
export function cloneJson<T>(v: T): T {
  if (v === undefined) return v;
  return copyValue(v) as T;
}

/**
 * cloneJson's copy, deep-frozen as it is made: what a store keeps of a write (never changed
 * after, handed out shared as it is, copied for everyone else), one walk instead of a copy
 * now and a deepFreeze walk at the first shared read. Frozen parts of `v` (a store's own,
 * see copyValue) are shared, not copied.
 */
export function frozenCopy<T>(v: T): T {
  if (v === undefined) return v;
  return copyValue(v, true) as T;
}

/**
 * Members that repeat whole across stored objects: a pod template's containers and
 * tolerations, pods' conditions, a projected volume (the service account token's: 17 objects,
 * ~590 B a pod, the same in every pod of a namespace while the volume's name is the pod's
 * own), a pod's hostIPs (its node's: ~90 B), the ownerReferences of a controller's pods (with
 * the owner's uid, which is not interned), the last-applied annotation, and empty objects (most of a managedFields
 * entry's FieldsV1 set: its leaves). What a store keeps frozen holds one instance of each
 * (frozen values are never changed, so sharing an equal one is invisible): a kept pod went
 * from 8.9 to 5.2 KB of heap. Whole field sets are not shared: the kubelet's differ per pod
 * (they name its IP), and keying them by their text doubled the cost of a kept copy.
 */
const SHARED_MEMBERS = new Set(['containers', 'initContainers', 'tolerations', 'conditions', 'projected', 'hostIPs', 'ownerReferences']);
/**
 * Arrays of a shared member whose elements carry one of these members are one object's own,
 * not worth a table entry (nor the text of its key): a pod's conditions (five, ~370 B kept)
 * differ only by their transition times, whole-second times many pods share (125 distinct
 * arrays among 60,000 pod writes of a settled 20,000-pod journal), but a node's carry its
 * heartbeat, new at every status update; a kubelet runtime record's containers (a meta
 * document, kept frozen too) carry their container IDs, one per pod, which filled the table
 * and cleared the pods' shared values every ~8,000 records.
 */
const OWN_ELEMENT_MEMBERS = new Map([
  ['conditions', 'lastHeartbeatTime'],
  ['containers', 'containerID'],
]);

function hasOwnElements(k: string, v: unknown): boolean {
  const own = OWN_ELEMENT_MEMBERS.get(k);
  if (own === undefined || !Array.isArray(v)) return false;
  for (const e of v) if (typeof e === 'object' && e !== null && Object.prototype.hasOwnProperty.call(e, own)) return true;
  return false;
}
const SHARED_STRINGS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
/** Distinct values remembered (JSON text → frozen value; strings by themselves); cleared when full. */
const SHARED_MAX = 8192;
const sharedValues = new Map<string, unknown>();
const sharedStrings = new Map<string, string>();
const sharedInstances = new WeakSet<object>();
/**
 * Short string values, one instance each in what the stores keep (JSON.parse and every
 * copy source make their own): an image reference, a timestamp, a manager's or a
 * scheduler's name, a volume's, a field path repeat across pods, ~640 bytes a kept pod at
 * 20,000 pods. Bounded like the tables above; values that never repeat only pass through.
 */
const INTERNED_MAX = 65536;
const INTERNED_LENGTH_MAX = 128;
const interned = new Map<string, string>();
/** Members whose values are one object's own: not worth a table entry. */
const UNIQUE_MEMBERS = new Set(['uid', 'resourceVersion']);

function intern(k: string, v: string): string {
  if (v.length > INTERNED_LENGTH_MAX || UNIQUE_MEMBERS.has(k)) return v;
  const hit = interned.get(v);
  if (hit !== undefined) return hit;
  if (interned.size >= INTERNED_MAX) interned.clear();
  interned.set(v, v);
  return v;
}
const EMPTY = Object.freeze({});

/**
 * Field sets (managedFields[].fieldsV1) hash-consed bottom up: a set is keyed by its member
 * names and the ids of its (already shared) members, so equal subtrees are one frozen
 * instance without making any JSON text. Most of a pod's sets repeat whole (a template's
 * spec fields, the kubelet's conditions); the kubelet's differs per pod only along the path
 * to its IP, and the rest of that set is shared too.
 */
const FIELD_SETS_MAX = 65536;
const fieldSets = new Map<string, object>();
const fieldSetIds = new WeakMap<object, number>();
let nextFieldSetId = 1;

function idOf(set: object): number {
  let id = fieldSetIds.get(set);
  if (id === undefined) fieldSetIds.set(set, (id = nextFieldSetId++));
  return id;
}

/** The one frozen instance of the field set equal to `v` (frozen, or not a field set: as it is). */
function shareFieldSet(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v === EMPTY) return v;
  const o = v as Record<string, unknown>;
  if (fieldSetIds.has(o)) return o; // a shared instance already (an unchanged entry of a stored object)
  let key = '';
  let changed: Record<string, unknown> | undefined;
  for (const k in o) {
    if (k === '__proto__') return o; // never a field name; kept as it is rather than assigned
    const c = o[k];
    const one = shareFieldSet(c);
    if (one !== c) (changed ??= { ...o })[k] = one;
    // Leaves are `{}` (EMPTY once shared); anything else in a set (not FieldsV1) goes by its
    // text. Names are length-prefixed, so no name can fake a boundary.
    if (typeof one === 'object' && one !== null && !Array.isArray(one)) key += `${k.length}:${k}#${one === EMPTY ? 0 : idOf(one)};`;
    else {
      const text = stringifyJson(one) ?? '';
      key += `${k.length}:${k}=${text.length}:${text}`;
    }
  }
  if (!key) return Object.getPrototypeOf(o) === Object.prototype ? EMPTY : o;
  const hit = fieldSets.get(key);
  if (hit) return hit;
  const one = changed ? Object.freeze(changed) : o;
  if (fieldSets.size >= FIELD_SETS_MAX) fieldSets.clear();
  // The key as one flat string (V8's charCodeAt flattens a rope in place): built by `+=`, it
  // is a rope of a node per part, ~450 B a key (29.5 MB for the 65,536 of a settled
  // 20,000-pod daemon); flat, its characters.
  key.charCodeAt(0);
  fieldSets.set(key, one);
  idOf(one);
  return one;
}

/**
 * The frozen instance of a FieldsV1 set equal to `v` that a store's copy keeps (frozenCopy
 * shares it as it is): for a set written again and again (every Event's create records the
 * same one), handed to each write instead of a copy that the store's copy would walk again.
 */
export function sharedFieldSet<T>(v: T): T {
  return shareFieldSet(copyValue(v, true)) as T;
}

/** The one frozen instance of a member value equal to `v` (already frozen). */
function shareMember(k: string, v: unknown): unknown {
  if (k === 'fieldsV1') return shareFieldSet(v);
  if (typeof v === 'string') {
    if (!SHARED_STRINGS.has(k)) return intern(k, v);
    const hit = sharedStrings.get(v);
    if (hit !== undefined) return hit;
    if (sharedStrings.size >= SHARED_MAX) sharedStrings.clear();
    sharedStrings.set(v, v);
    return v;
  }
  if (typeof v !== 'object' || v === null) return v;
  // Empty objects: most members of a FieldsV1 set (its leaves), one object for all.
  if (!Array.isArray(v)) {
    let empty = true;
    for (const _ in v) {
      empty = false;
      break;
    }
    if (empty && Object.getPrototypeOf(v) === Object.prototype) return EMPTY;
  }
  if (!SHARED_MEMBERS.has(k)) return v;
  // Already the shared instance (a write built from a shared read keeps its members): no text to make.
  if (sharedInstances.has(v)) return v;
  if (hasOwnElements(k, v)) return v;
  const text = stringifyJson(v);
  const hit = sharedValues.get(text);
  if (hit !== undefined) return hit;
  if (sharedValues.size >= SHARED_MAX) sharedValues.clear();
  sharedValues.set(text, v);
  sharedInstances.add(v);
  return v;
}

/**
 * An empty plain object laid out for `n` members, as JSON.parse lays out what it parses.
 * `{}` has room for four members in the object itself (an object of one or two wastes the
 * rest), a fifth and later go into a separate property array (its header and spare slots:
 * ~32 B an object; 660,000 of them, 39 MB, in a settled 20,000-pod daemon), and past ~17
 * members added one by one V8 turns the object into a hash table (~5x the bytes). An object
 * made by `new C()` gets the room C's body announces (its `this.x =` assignments, never run)
 * and keeps what its first instances used, so one C per member count gives each copy exactly
 * its members' room, at the same or less CPU than `{}`. C's prototype is Object.prototype: the
 * copy is a plain object (`Object.getPrototypeOf`, `constructor`, JSON as before).
 */
const SIZED_MAX = 128;
const sizedObjects: (new () => Record<string, unknown>)[] = [];
function newObject(n: number): Record<string, unknown> {
  if (n === 0 || n > SIZED_MAX) return {};
  let C = sizedObjects[n];
  if (C === undefined) {
    const room = Array.from({ length: n }, (_, i) => `this.m${i} = 0;`).join(' ');
    C = new Function(`if (this === undefined) { ${room} }`) as unknown as new () => Record<string, unknown>;
    C.prototype = Object.prototype;
    sizedObjects[n] = C;
  }
  return new C();
}

function copyValue(v: unknown, freeze = false): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'object':
      break;
    case 'bigint':
      return v; // an exact int64 (util/exact-json.ts), immutable as a number is
    default:
      return undefined; // function, symbol, undefined: dropped by the caller
  }
  const o = v as Record<string, unknown> & { toJSON?: () => unknown };
  // A frozen object or array is one a store made (frozenCopy, deepFreeze: nothing else in
  // kubesim freezes), JSON-clean and never changed: kept as it is. A write built from a
  // shared read (a binding: new spec and status, the rest the stored pod's) copies only
  // what it changed.
  if (freeze && Object.isFrozen(o) && typeof o.toJSON !== 'function') return o;
  if (typeof o.toJSON === 'function') return copyValue(o.toJSON(), freeze);
  if (Array.isArray(o)) {
    const n = o.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const c = copyValue(o[i], freeze);
      out[i] = c === undefined ? null : c;
    }
    return freeze ? Object.freeze(out) : out;
  }
  if (o instanceof Boolean || o instanceof Number || o instanceof String) return copyValue(o.valueOf(), freeze);
  let n = 0;
  for (const _ in o) n++;
  const out = newObject(n);
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    let c = copyValue(o[k], freeze);
    if (freeze) c = shareMember(k, c);
    if (c !== undefined) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
      else out[k] = c;
    }
  }
  return freeze ? Object.freeze(out) : out;
}

/**
 * The frozen copy a store keeps of a write, by the object it hands back to the writer: the
 * watch cache, which records each write of its process as the store returns it (before the
 * writer can change what it got), takes the store's copy instead of making a second one.
 * Taken once; an object never handed back by a store has none.
 */
const keptCopies = new WeakMap<object, object>();

export function noteKeptCopy(handed: object, kept: object): void {
  keptCopies.set(handed, kept);
}

export function takeKeptCopy<T extends object>(handed: T): T | undefined {
  const kept = keptCopies.get(handed) as T | undefined;
  if (kept !== undefined) keptCopies.delete(handed);
  return kept;
}

/**
 * Freezes a JSON value and everything in it, in place (what a store hands out shared, see
 * ListReadOptions.shared). A frozen object's members were frozen with it, so an already
 * frozen subtree (shared with an earlier version of the object) is not walked again.
 */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) deepFreeze(v[i]);
  } else {
    // Members first, so that a repeated one is swapped for its shared instance before the freeze.
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const c = o[k];
      const frozen = deepFreeze(c);
      const one = shareMember(k, frozen);
      // An interned string is equal to the member it replaces (=== cannot tell them apart).
      if (one !== c || typeof one === 'string') o[k] = one;
    }
  }
  return Object.freeze(v);
}
