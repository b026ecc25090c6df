// Operations on JSON values under a Shape, as structured-merge-diff's typed package does
// them: the field set of a value (ToFieldSet), what changed between two values (Compare),
// the apply merge (Merge) and removing owned paths (RemoveItems).

import { FieldSet } from './fieldset';
import { ATOMIC, childShape, isObject, resolve, SCALAR, type Shape } from './shape';
import { deepEqual } from '../../util/json-equal';
import { stringifyJson } from '../../util/exact-json';
import { goSharpV, goSprint } from '../../util/go-format';

type ListShape = Extract<Shape, { k: 'list' }>;

function sortedJson(o: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return stringifyJson(out);
}

/** The path element of a list item ("k:{...}", "v:...", or "i:N" when it cannot be keyed). */
export function itemElement(t: ListShape, item: unknown, i: number): string {
  if (t.rel === 'set') return 'v:' + stringifyJson(item);
  if (!isObject(item)) return 'i:' + i;
  const key: Record<string, unknown> = {};
  for (const k of t.keys) {
    const v = item[k] ?? t.keyDefaults[k];
    if (v !== undefined) key[k] = v;
  }
  return 'k:' + sortedJson(key);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);
}

function leafLike(t: Shape, v: unknown): boolean {
  return t.k === 'scalar' || t.k === 'atomic' || (t.k === 'list' ? !Array.isArray(v) : !isObject(v));
}

/** ToFieldSet: every scalar leaf, atomic value, list item, free-map key and empty struct. */
export function toFieldSet(v: unknown, shape: Shape, path: string[] = [], set = new FieldSet()): FieldSet {
  const t = resolve(shape, v);
  if (leafLike(t, v)) {
    if (path.length) set.insert(path);
    return set;
  }
  if (t.k === 'list') {
    (v as unknown[]).forEach((item, i) => {
      const p = [...path, itemElement(t, item, i)];
      if (t.rel === 'map') toFieldSet(item, t.elem, p, set);
      set.insert(p);
    });
    return set;
  }
  for (const [key, val] of Object.entries(v as Record<string, unknown>)) {
    const { shape: cs, declared } = childShape(t, key);
    const p = [...path, 'f:' + key];
    toFieldSet(val, cs, p, set);
    if (!declared || val === null || (isObject(val) && Object.keys(val).length === 0)) set.insert(p);
  }
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}


/** Compare: paths added, modified and removed going from `lhs` to `rhs` (undefined = absent). */
export function compare(lhs: unknown, rhs: unknown, shape: Shape): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, shape, [], c);
  return c;
}

function leafRule(lhs: unknown, rhs: unknown, path: string[], c: Comparison): void {
  if (!path.length) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
}

// null is a wildcard: an empty list or map of whatever form the other side has.
function kindOf(v: unknown): 'none' | 'list' | 'map' | 'scalar' {
  return v === undefined || v === null ? 'none' : Array.isArray(v) ? 'list' : isObject(v) ? 'map' : 'scalar';
}

function walkCompare(lhs: unknown, rhs: unknown, shape: Shape, path: string[], c: Comparison): void {
  // An unchanged subtree adds nothing (most of an object, in a controller's write).
  if (lhs === rhs || (lhs !== undefined && rhs !== undefined && deepEqual(lhs, rhs))) return;
  if (lhs === undefined && path.length) {
    addedTree(rhs, shape, c.added.at(path));
    return;
  }
  const t = resolve(shape, rhs === undefined ? lhs : rhs);
  const kl = kindOf(lhs);
  const kr = kindOf(rhs);
  const sameKind = kl === 'none' || kr === 'none' || kl === kr;
  if (!sameKind || t.k === 'scalar' || t.k === 'atomic' || (isEmpty(lhs) && isEmpty(rhs)) || leafLike(t, rhs === undefined ? lhs : rhs)) {
    leafRule(lhs, rhs, path, c);
    return;
  }
  if (t.k === 'list') {
    const index = (l: unknown) => {
      const m = new Map<string, unknown>();
      (Array.isArray(l) ? l : []).forEach((item, i) => {
        const pe = itemElement(t, item, i);
        if (!m.has(pe)) m.set(pe, item);
      });
      return m;
    };
    const L = index(lhs);
    const R = index(rhs);
    for (const pe of new Set([...L.keys(), ...R.keys()])) {
      const p = [...path, pe];
      if (t.rel === 'set') leafRule(L.has(pe) ? L.get(pe) : undefined, R.has(pe) ? R.get(pe) : undefined, p, c);
      else walkCompare(L.has(pe) ? L.get(pe) : undefined, R.has(pe) ? R.get(pe) : undefined, t.elem, p, c);
    }
  } else {
    const l = (lhs ?? {}) as Record<string, unknown>;
    const r = (rhs ?? {}) as Record<string, unknown>;
    // Own keys only: a label named `constructor` is a field, not Object.prototype's member.
    for (const key in l) walkCompare(l[key], Object.hasOwn(r, key) ? r[key] : undefined, childShape(t, key).shape, [...path, 'f:' + key], c);
    for (const key in r) if (!Object.hasOwn(l, key)) walkCompare(undefined, r[key], childShape(t, key).shape, [...path, 'f:' + key], c);
  }
  // Non-leaf nodes: appearing or disappearing is a change of the node itself too.
  if (path.length && lhs === undefined) c.added.insert(path);
  else if (path.length && rhs === undefined) c.removed.insert(path);
}

/**
 * walkCompare of a value absent on the left (most of a create): every node of it is added.
 * The same set as the general walk, built node by node instead of inserting each path from
 * the root (and copying it at every level).
 */
function addedTree(rhs: unknown, shape: Shape, node: FieldSet): void {
  const t = resolve(shape, rhs);
  if (t.k !== 'scalar' && t.k !== 'atomic' && !isEmpty(rhs) && !leafLike(t, rhs)) {
    if (t.k === 'list') {
      const seen = new Set<string>();
      (rhs as unknown[]).forEach((item, i) => {
        const pe = itemElement(t, item, i);
        if (seen.has(pe)) return; // the first item with an element stands for it, as in walkCompare
        seen.add(pe);
        if (t.rel === 'set') node.child(pe).member = true;
        else if (item !== undefined) addedTree(item, t.elem, node.child(pe));
      });
    } else {
      const r = rhs as Record<string, unknown>;
      for (const key in r) {
        const v = r[key];
        if (v !== undefined) addedTree(v, childShape(t, key).shape, node.child('f:' + key));
      }
    }
  }
  node.member = true;
}

/** Merge: `rhs` (an applied configuration) laid over `lhs` (the live object). */
export function merge(lhs: unknown, rhs: unknown, shape: Shape): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const t = resolve(shape, rhs);
  if (t.k === 'scalar' || t.k === 'atomic') return rhs;
  if (t.k === 'list') {
    if (!Array.isArray(lhs) || !Array.isArray(rhs)) return rhs;
    const out = [...lhs];
    const at = new Map<string, number>();
    out.forEach((item, i) => at.set(itemElement(t, item, i), i));
    rhs.forEach((item, i) => {
      const pe = itemElement(t, item, i);
      const j = at.get(pe);
      if (j === undefined) {
        at.set(pe, out.length);
        out.push(item);
      } else if (t.rel === 'map') out[j] = merge(out[j], item, t.elem);
    });
    return out;
  }
  if (!isObject(lhs) || !isObject(rhs)) return rhs;
  const out: Record<string, unknown> = { ...lhs };
  for (const [k, v] of Object.entries(rhs)) out[k] = merge(Object.hasOwn(lhs, k) ? lhs[k] : undefined, v, childShape(t, k).shape);
  return out;
}

/** Removes the value at `path` from `obj` in place (a missing path is nothing to do). */
export function removePath(obj: unknown, path: readonly string[], shape: Shape): void {
  if (!path.length) return;
  const [pe, ...rest] = path;
  const t = resolve(shape, obj);
  if (t.k === 'list' && Array.isArray(obj)) {
    const i = obj.findIndex((item, idx) => itemElement(t, item, idx) === pe);
    if (i < 0) return;
    if (!rest.length) obj.splice(i, 1);
    else removePath(obj[i], rest, t.rel === 'map' ? t.elem : SCALAR);
    return;
  }
  if (!isObject(obj) || pe[0] !== 'f') return;
  const key = pe.slice(2);
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return;
  if (!rest.length) delete obj[key];
  else removePath(obj[key], rest, t.k === 'struct' || t.k === 'map' ? childShape(t, key).shape : ATOMIC);
}

/** value.ToString of a key's value: strings quoted, numbers and booleans as they are. */
function keyValueText(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : typeof v === 'object' ? stringifyJson(v) : String(v);
}

/** PathElement.String() of a list item: `[k1="a",k2=1]` (keys sorted), `[=value]` in a set, else `[i]`. */
function itemText(t: ListShape, item: unknown, i: number): string {
  if (t.rel === 'set') return `[=${keyValueText(item)}]`;
  if (!isObject(item)) return `[${i}]`;
  const parts = [...t.keys].sort().flatMap((k) => {
    const v = item[k] ?? t.keyDefaults[k];
    return v === undefined ? [] : [`${k}=${keyValueText(v)}`];
  });
  return `[${parts.join(',')}]`;
}

/** %T of a value decoded from JSON (structured-merge-diff's Unstructured()); numbers are float64 (sigs.k8s.io/yaml). */
const goTypeOf = (v: unknown): string => (Array.isArray(v) ? '[]interface {}' : typeof v === 'object' ? 'map[string]interface {}' : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'string' : 'float64');

/** structured-merge-diff v4.4 validateScalar, mapValue, listValue: a value.Value prints as the pointer it is (`&{x}`). */
function typeError(t: Shape, v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (t.k === 'scalar') {
    if (t.t === 'numeric' && typeof v !== 'number' && typeof v !== 'bigint') return `expected numeric (int or float), got ${goTypeOf(v)}`;
    if (t.t === 'string' && typeof v !== 'string') return `expected string, got &value.valueUnstructured{Value:${goSharpV(v)}}`;
    if (t.t === 'boolean' && typeof v !== 'boolean') return `expected boolean, got &{${goSprint(v)}}`;
  } else if ((t.k === 'struct' || t.k === 'map') && !isObject(v)) return `expected map, got &{${goSprint(v)}}`;
  else if (t.k === 'list' && !Array.isArray(v)) return `expected list, got &{${goSprint(v)}}`;
  return undefined;
}

/**
 * What ObjectToTyped refuses in an applied configuration: a value not of its field's type
 * (`.spec.replicas: expected numeric (int or float), got string`), the same key twice in an
 * associative list or set (`.metadata.ownerReferences: duplicate entries for key [uid="..."]`),
 * each as structured-merge-diff's validation error.
 */
export function typedValueErrors(v: unknown, shape: Shape, path = '', out: string[] = []): string[] {
  const t = resolve(shape, v);
  const wrong = typeError(t, v);
  if (wrong) out.push(`${path}: ${wrong}`);
  else if (t.k === 'list' && Array.isArray(v)) {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const pe = itemElement(t, item, i);
      if (seen.has(pe)) out.push(`${path}: duplicate entries for key ${itemText(t, item, i)}`);
      seen.add(pe);
      if (t.rel === 'map') typedValueErrors(item, t.elem, path + itemText(t, item, i), out);
    });
  } else if ((t.k === 'struct' || t.k === 'map') && isObject(v)) {
    for (const [k, x] of Object.entries(v)) typedValueErrors(x, childShape(t, k).shape, `${path}.${k}`, out);
  }
  return out;
}
