// Strategic merge patch, as k8s.io/apimachinery/pkg/util/strategicpatch does it:
//  * createThreeWayMergePatch — what `kubectl apply` sends (deletions from original→modified,
//    additions/changes from current→modified, merged into one patch);
//  * applyStrategicMergePatch — what the API server does with such a patch.
// The algorithm (sorting by the `%v` of merge keys, `$setElementOrder` handling, where deletion
// directives go) follows upstream closely, because the exact patch shape is visible behaviour
// (`unchanged` vs `configured`, what survives in the live object).

import { createThreeWayJsonMergePatch, applyJsonMergePatch } from './json-merge-patch';
import { EMPTY_SCHEMA, fieldMeta, patchSchemaFor, type FieldMeta, type PatchSchema } from './patch-meta';
import { clone, goFormat, isMap, jsonKind, type JsonMap } from './json-util';
import { deepEqual } from '../../util/json-equal';
import { ApiError } from '../errors';

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';

/** A malformed input or patch; the message is apimachinery's. */
export class PatchError extends Error {}

interface DiffOptions {
  ignoreDeletions: boolean;
  ignoreChangesAndAdditions: boolean;
  setElementOrder: boolean;
  buildRetainKeys: boolean;
}

interface MergeOptions {
  /** true when applying a patch; false when merging two patches into one. */
  mergeParallelList: boolean;
  ignoreUnmatchedNulls: boolean;
}

function noMergeKey(m: unknown, key: string): PatchError {
  return new PatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

function has(m: JsonMap, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, k);
}

// ---------------------------------------------------------------------------------------
// Diff

function diffMaps(original: JsonMap, modified: JsonMap, schema: PatchSchema, opts: DiffOptions): JsonMap {
  const patch: JsonMap = {};
  const retainKeys: string[] = [];
  for (const [key, modifiedValue] of Object.entries(modified)) {
    if (opts.buildRetainKeys && modifiedValue !== null) retainKeys.push(key);
    if (!has(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const originalValue = original[key];
    if (jsonKind(originalValue) !== jsonKind(modifiedValue)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    if (isMap(originalValue)) {
      handleMapDiff(key, originalValue, modifiedValue, patch, fieldMeta(schema, key), opts);
    } else if (Array.isArray(originalValue)) {
      handleSliceDiff(key, originalValue, modifiedValue, patch, fieldMeta(schema, key), opts);
    } else if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
      patch[key] = modifiedValue;
    }
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!has(modified, key)) patch[key] = null;
  }
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || hasAdditionalNewField(original, modified))) {
    patch[RETAIN_KEYS] = sortScalars(retainKeys);
  }
  return patch;
}

function hasAdditionalNewField(original: JsonMap, modified: JsonMap): boolean {
  return Object.entries(original).some(([k, v]) => v !== null && !has(modified, k));
}

function handleMapDiff(key: string, original: JsonMap, modified: JsonMap, patch: JsonMap, meta: FieldMeta, opts: DiffOptions): void {
  if (meta.strategy === 'replace') {
    if (!opts.ignoreChangesAndAdditions) patch[key] = modified;
    return;
  }
  const sub = diffMaps(original, modified, meta.schema ?? EMPTY_SCHEMA, { ...opts, buildRetainKeys: !!meta.retainKeys });
  if (Object.keys(sub).length > 0) patch[key] = sub;
}

function handleSliceDiff(key: string, original: any[], modified: any[], patch: JsonMap, meta: FieldMeta, opts: DiffOptions): void {
  if (meta.strategy !== 'merge') {
    if (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)) patch[key] = modified;
    return;
  }
  const { add, del, order } = diffLists(original, modified, meta.schema ?? EMPTY_SCHEMA, meta.mergeKey ?? '', {
    ...opts,
    buildRetainKeys: !!meta.retainKeys,
  });
  if (add.length > 0) patch[key] = add;
  if (del.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/${key}`] = del;
  if (order.length > 0) patch[`${SET_ELEMENT_ORDER_PREFIX}/${key}`] = order;
}

type ElementKind = 'map' | 'scalar';

function sliceElementKind(...slices: any[][]): ElementKind | undefined {
  let kind: string | undefined;
  for (const s of slices) {
    for (const v of s) {
      const k = jsonKind(v);
      if (kind === undefined) {
        if (k === 'slice') throw new PatchError('lists of lists are not supported');
        kind = k;
      } else if (kind !== k) {
        throw new PatchError(`list element types are not identical: ${goFormat(slices)}`);
      }
    }
  }
  if (kind === undefined) return undefined;
  return kind === 'map' ? 'map' : 'scalar';
}

function diffLists(original: any[], modified: any[], schema: PatchSchema, mergeKey: string, opts: DiffOptions): { add: any[]; del: any[]; order: any[] } {
  const none = { add: [], del: [], order: [] };
  if (original.length === 0) {
    if (modified.length === 0 || opts.ignoreChangesAndAdditions) return none;
    return { add: modified, del: [], order: [] };
  }
  const kind = sliceElementKind(original, modified);
  if (kind === 'map') {
    if (!mergeKey) throw new PatchError('cannot merge lists without merge key');
    const { patch, deletions } = diffListsOfMaps(original, modified, schema, mergeKey, opts);
    let patchList = normalizeSliceOrder(patch, modified, mergeKey, 'map');
    const orderSame = isOrderSame(original, modified, mergeKey);
    patchList = [...patchList, ...deletions];
    let order: any[] = [];
    if (
      opts.setElementOrder &&
      ((!opts.ignoreChangesAndAdditions && (patchList.length > 0 || !orderSame)) || (!opts.ignoreDeletions && patchList.length > 0))
    ) {
      order = modified.map((v) => ({ [mergeKey]: (v as JsonMap)[mergeKey] }));
    }
    return { add: patchList, del: [], order };
  }
  const { add, del } = diffListsOfScalars(original, modified, opts);
  const addList = normalizeSliceOrder(add, modified, '', 'scalar');
  let order: any[] = [];
  if (opts.setElementOrder && ((!opts.ignoreDeletions && del.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)))) {
    order = modified;
  }
  return { add: addList, del, order };
}

function mergeKeyString(m: unknown, mergeKey: string): string {
  if (!isMap(m) || !has(m, mergeKey)) throw noMergeKey(m, mergeKey);
  return goFormat(m[mergeKey]);
}

/**
 * Go's sort.Sort of SortableSliceOfMaps, whose Less is "<=" (sort.StringsAreSorted of the
 * pair): its insertion sort (every list up to 12 items) reverses items with equal keys, so
 * `kubectl debug -c NAME` naming an existing container pairs the new one with the old one.
 * Longer lists with equal keys go through pdqsort, not reproduced: reversed as well.
 */
function sortByMergeKey(list: any[], mergeKey: string): any[] {
  return list
    .map((v, i) => ({ v, i, k: isMap(v) ? goFormat(v[mergeKey]) : '' }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : b.i - a.i))
    .map((x) => x.v);
}

function diffListsOfMaps(original: any[], modified: any[], schema: PatchSchema, mergeKey: string, opts: DiffOptions): { patch: any[]; deletions: any[] } {
  const patch: any[] = [];
  const deletions: any[] = [];
  const o = sortByMergeKey(original, mergeKey);
  const m = sortByMergeKey(modified, mergeKey);
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const oIn = i < o.length;
    const mIn = j < m.length;
    const oKey = oIn ? mergeKeyString(o[i], mergeKey) : '';
    const mKey = mIn ? mergeKeyString(m[j], mergeKey) : '';
    if (oIn && mIn && oKey === mKey) {
      const sub = diffMaps(o[i], m[j], schema, opts);
      if (Object.keys(sub).length > 0) {
        sub[mergeKey] = m[j][mergeKey];
        patch.push(sub);
      }
      i++;
      j++;
    } else if (!oIn || (mIn && oKey > mKey)) {
      if (!opts.ignoreChangesAndAdditions) patch.push(m[j]);
      j++;
    } else {
      if (!opts.ignoreDeletions) deletions.push({ [DIRECTIVE]: 'delete', [mergeKey]: o[i][mergeKey] });
      i++;
    }
  }
  return { patch, deletions };
}

function sortScalars<T>(list: T[]): T[] {
  return [...list].sort((a, b) => {
    const x = goFormat(a);
    const y = goFormat(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function deduplicateScalars(list: any[]): any[] {
  const out: any[] = [];
  for (const v of list) if (!out.some((x) => x === v)) out.push(v);
  return out;
}

function diffListsOfScalars(original: any[], modified: any[], opts: DiffOptions): { add: any[]; del: any[] } {
  const o = sortScalars(original);
  const m = sortScalars(modified);
  const add: any[] = [];
  const del: any[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const oIn = i < o.length;
    const mIn = j < m.length;
    const os = oIn ? goFormat(o[i]) : '';
    const ms = mIn ? goFormat(m[j]) : '';
    if (oIn && mIn && os === ms) {
      i++;
      j++;
    } else if (oIn && (!mIn || os < ms)) {
      if (!opts.ignoreDeletions) del.push(o[i]);
      i++;
    } else {
      if (!opts.ignoreChangesAndAdditions) add.push(m[j]);
      j++;
    }
  }
  return { add, del: deduplicateScalars(del) };
}

function isOrderSame(original: any[], modified: any[], mergeKey: string): boolean {
  if (original.length !== modified.length) return false;
  return modified.every((m, i) => isMap(m) && isMap(original[i]) && original[i][mergeKey] === m[mergeKey]);
}

// ---------------------------------------------------------------------------------------
// Ordering helpers shared by diff and merge

function indexIn(order: any[], item: any, mergeKey: string, kind: ElementKind): number {
  if (kind === 'map') {
    if (!isMap(item)) return -1;
    return order.findIndex((o) => isMap(o) && deepEqual(o[mergeKey], item[mergeKey]));
  }
  return order.findIndex((o) => deepEqual(o, item));
}

function isDeleteItem(v: unknown): boolean {
  return isMap(v) && v[DIRECTIVE] === 'delete';
}

/** Sort `toSort` by the positions of its items in `order`; delete directives go last. */
function normalizeSliceOrder(toSort: any[], order: any[], mergeKey: string, kind: ElementKind): any[] {
  let items = toSort;
  let toDelete: any[] = [];
  if (kind === 'map') {
    for (const v of [...toSort, ...order]) if (!isMap(v) || !has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    items = toSort.filter((v) => !isDeleteItem(v));
    toDelete = toSort.filter(isDeleteItem);
  }
  const pos = (v: any) => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = items.map((v, i) => ({ v, i, p: pos(v) })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.v);
  return [...sorted, ...toDelete];
}

/** Interleave server-only items (kept in server order) with patch items. */
function mergeSortedSlice(left: any[], right: any[], serverOrder: any[], mergeKey: string, kind: ElementKind): any[] {
  const out: any[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(patch: any[], serverOnly: any[], patchOrder: any[], serverOrder: any[], mergeKey: string, kind: ElementKind): any[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function partitionByPresence(list: any[], by: any[], mergeKey: string, kind: ElementKind): { inPatch: any[]; serverOnly: any[] } {
  const inPatch: any[] = [];
  const serverOnly: any[] = [];
  for (const v of list) {
    if (kind === 'map' && (!isMap(v) || !has(v, mergeKey))) throw noMergeKey(v, mergeKey);
    (indexIn(by, v, mergeKey, kind) >= 0 ? inPatch : serverOnly).push(v);
  }
  return { inPatch, serverOnly };
}

// ---------------------------------------------------------------------------------------
// Merge (apply a patch, or merge two patches)

/** Remove directive keys/items from a value that lands where nothing existed before. */
function stripDirectives(v: any, dropNulls: boolean): any {
  if (Array.isArray(v)) return v.filter((x) => !(isMap(x) && has(x, DIRECTIVE))).map((x) => stripDirectives(x, dropNulls));
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) continue;
      if (x === null && dropNulls) continue;
      out[k] = stripDirectives(x, dropNulls);
    }
    return out;
  }
  return v;
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: PatchSchema, opts: MergeOptions): JsonMap {
  if (has(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      const out = { ...patch };
      delete out[DIRECTIVE];
      return opts.mergeParallelList ? stripDirectives(out, true) : out;
    }
    if (directive === 'delete') return {};
    throw new PatchError(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }
  patch = { ...patch };
  applyRetainKeys(original, patch, opts);
  mergeSetElementOrder(original, patch, schema, opts);

  for (let [k, patchV] of Object.entries(patch)) {
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX + '/')) {
      if (!opts.mergeParallelList) {
        original[k] = patchV;
        continue;
      }
      k = k.slice(DELETE_FROM_PRIMITIVE_LIST_PREFIX.length + 1);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[k];
      if (opts.ignoreUnmatchedNulls) continue;
    }
    if (!has(original, k)) {
      if (!isDeleteList) original[k] = opts.ignoreUnmatchedNulls ? stripDirectives(patchV, true) : patchV;
      continue;
    }
    if (jsonKind(original[k]) !== jsonKind(patchV)) {
      if (!isDeleteList) original[k] = opts.ignoreUnmatchedNulls ? stripDirectives(patchV, true) : patchV;
      continue;
    }
    const meta = fieldMeta(schema, k);
    if (isMap(patchV)) {
      original[k] = meta.strategy === 'replace' ? patchV : mergeMap(original[k], patchV, meta.schema ?? EMPTY_SCHEMA, opts);
    } else if (Array.isArray(patchV)) {
      original[k] =
        meta.strategy === 'merge' || isDeleteList
          ? mergeSlice(original[k], patchV, meta.schema ?? EMPTY_SCHEMA, meta.mergeKey ?? '', opts, isDeleteList)
          : patchV;
    } else {
      original[k] = patchV;
    }
  }
  return original;
}

function applyRetainKeys(original: JsonMap, patch: JsonMap, opts: MergeOptions): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!opts.mergeParallelList) {
    if (has(original, RETAIN_KEYS) && !deepEqual(original[RETAIN_KEYS], retain)) {
      throw new PatchError(`${goFormat(original[RETAIN_KEYS])} and ${goFormat(retain)} are not deep equal: this may happen when calculating the 3-way diff patch`);
    }
    original[RETAIN_KEYS] = retain;
    return;
  }
  if (!Array.isArray(retain)) throw new PatchError(`invalid patch: ${RETAIN_KEYS} must be a list`);
  for (const k of Object.keys(patch)) {
    if (k.startsWith('$') || patch[k] === null) continue;
    if (!retain.includes(k)) throw new PatchError('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!retain.includes(k)) delete original[k];
}

function mergeSetElementOrder(original: JsonMap, patch: JsonMap, schema: PatchSchema, opts: MergeOptions): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX + '/')) continue;
    const order = patch[key];
    if (!opts.mergeParallelList) {
      if (has(original, key) && !deepEqual(original[key], order)) {
        throw new PatchError('invalid patch: the $setElementOrder lists of the two patches differ');
      }
      original[key] = order;
    }
    delete patch[key];
    if (!Array.isArray(order)) throw new PatchError(`invalid patch: ${key} must be a list`);
    const field = key.slice(SET_ELEMENT_ORDER_PREFIX.length + 1);
    const meta = fieldMeta(schema, field);
    const mergeKey = meta.mergeKey ?? '';
    const foundOriginal = has(original, field) && Array.isArray(original[field]);
    const foundPatch = has(patch, field) && Array.isArray(patch[field]);
    const originalList: any[] = foundOriginal ? original[field] : [];
    const patchList: any[] = foundPatch ? patch[field] : [];
    let merged: any[];
    if (foundOriginal && foundPatch) {
      merged =
        meta.strategy === 'merge'
          ? mergeSlice(originalList, patchList, meta.schema ?? EMPTY_SCHEMA, mergeKey, opts, false)
          : patchList;
    } else if (foundPatch) {
      merged = opts.ignoreUnmatchedNulls ? stripDirectives(patchList, true) : patchList.filter((x) => !(isMap(x) && has(x, DIRECTIVE)));
    } else if (foundOriginal) {
      merged = originalList;
    } else {
      continue;
    }
    const kind: ElementKind = sliceElementKind(originalList, patchList) ?? (mergeKey ? 'map' : 'scalar');
    const { inPatch, serverOnly } = partitionByPresence(merged, order, mergeKey, mergeKey ? 'map' : 'scalar');
    original[field] = normalizeElementOrder(inPatch, serverOnly, order, originalList, mergeKey, kind);
    delete patch[field];
  }
}

function deleteFromSlice(current: any[], toDelete: any[]): any[] {
  return current.filter((v) => !toDelete.some((d) => d === v));
}

function mergeSlice(original: any[], patch: any[], schema: PatchSchema, mergeKey: string, opts: MergeOptions, isDeleteList: boolean): any[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch) ?? 'scalar';
  let merged: any[];
  if (kind !== 'map') {
    if (opts.mergeParallelList && isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw new PatchError('cannot merge lists without merge key');
    ({ original, patch } = mergeSliceWithSpecialElements(original, patch, mergeKey));
    merged = mergeSliceWithoutSpecialElements(original, patch, mergeKey, schema, opts);
  }
  const { inPatch, serverOnly } = partitionByPresence(merged, patch, mergeKey, kind);
  return normalizeElementOrder(inPatch, serverOnly, patch, original, mergeKey, kind);
}

function mergeSliceWithSpecialElements(original: any[], patch: any[], mergeKey: string): { original: any[]; patch: any[] } {
  const plain: any[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isMap(v) || !has(v, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    switch (v[DIRECTIVE]) {
      case 'delete':
        if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
        original = original.filter((o) => !(isMap(o) && deepEqual(o[mergeKey], v[mergeKey])));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw new PatchError('merging lists cannot yet be specified in the patch');
      default:
        throw new PatchError(`unknown patch type: ${goFormat(v[DIRECTIVE])} in map: ${goFormat(v)}`);
    }
  }
  return replace ? { original: plain, patch: [] } : { original, patch: plain };
}

function mergeSliceWithoutSpecialElements(original: any[], patch: any[], mergeKey: string, schema: PatchSchema, opts: MergeOptions): any[] {
  const out = [...original];
  for (const v of patch) {
    if (!isMap(v) || !has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    const i = out.findIndex((o) => isMap(o) && deepEqual(o[mergeKey], v[mergeKey]));
    if (i >= 0) out[i] = mergeMap(clone(out[i]), v, schema, opts);
    else out.push(opts.ignoreUnmatchedNulls ? stripDirectives(v, true) : v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Public API

/**
 * The patch `kubectl apply` sends for a built-in kind: deletions come from original vs
 * modified only, additions and changes from current vs modified. `original` is the previous
 * last-applied configuration (undefined when the live object has none). For kinds without a
 * strategic-merge schema (custom resources) this is the three-way JSON merge patch instead.
 */
export function createThreeWayMergePatch(original: object | undefined, modified: object, current: object, kind: string, apiVersion?: string, overwrite = true): JsonMap {
  const schema = patchSchemaFor(kind, apiVersion);
  // CreateThreeWayJSONMergePatch has no overwrite: custom resources never conflict.
  if (!schema) return createThreeWayJsonMergePatch(original, modified, current);
  const o = (original ?? {}) as JsonMap;
  const m = modified as JsonMap;
  const c = current as JsonMap;
  const delta = diffMaps(c, m, schema, { ignoreDeletions: true, ignoreChangesAndAdditions: false, setElementOrder: true, buildRetainKeys: false });
  const deletions = diffMaps(o, m, schema, { ignoreDeletions: false, ignoreChangesAndAdditions: true, setElementOrder: true, buildRetainKeys: false });
  const patch = mergeMap(clone(deletions), clone(delta), schema, { mergeParallelList: false, ignoreUnmatchedNulls: false });
  if (!overwrite) {
    // `apply --overwrite=false`: what the patch sets must not differ from what someone else
    // changed since the last apply (original to current).
    const changed = diffMaps(o, c, schema, { ignoreDeletions: false, ignoreChangesAndAdditions: false, setElementOrder: false, buildRetainKeys: false });
    if (fieldsConflict(patch, changed, { schema })) throw new MergeConflictError(patch, changed);
  }
  return patch;
}

/** mergepatch.ErrConflict: the patch, and the changes from original to current it collides with. */
export class MergeConflictError extends PatchError {
  constructor(
    readonly patch: JsonMap,
    readonly changed: JsonMap,
  ) {
    super('merge conflict');
  }
}

/** mergingMapFieldsHaveConflicts: the two overlap with different values somewhere. */
function fieldsConflict(left: unknown, right: unknown, meta: FieldMeta): boolean {
  if (isMap(left)) {
    if (!isMap(right)) return true;
    // A directive works on the whole map: one side's alone, or two different ones, collide.
    if (has(left, DIRECTIVE) !== has(right, DIRECTIVE) || left[DIRECTIVE] !== right[DIRECTIVE]) return true;
    if (meta.strategy === 'replace') return false;
    const schema = meta.schema ?? EMPTY_SCHEMA;
    return Object.entries(left).some(([k, v]) => k !== DIRECTIVE && k !== RETAIN_KEYS && has(right, k) && fieldsConflict(v, right[k], fieldMeta(schema, k)));
  }
  if (Array.isArray(left)) {
    if (!Array.isArray(right)) return true;
    return slicesConflict(left, right, meta);
  }
  return !deepEqual(left, right);
}

function slicesConflict(left: any[], right: any[], meta: FieldMeta): boolean {
  const kind = sliceElementKind(left, right);
  if (kind === undefined) throw new PatchError('no elements in any of the given slices');
  const element: FieldMeta = { schema: meta.schema };
  if (meta.strategy === 'merge') {
    // Merging lists of scalars cannot conflict; lists of maps are compared by merge key.
    if (kind !== 'map') return false;
    const byKey = (list: any[]) => new Map(list.map((m) => [goFormat(m[meta.mergeKey ?? '']), m]));
    const r = byKey(right);
    return [...byKey(left)].some(([k, v]) => r.has(k) && fieldsConflict(v, r.get(k), element));
  }
  if (left.length !== right.length) return true;
  const [l, r] = kind === 'map' ? [left, right] : [sortScalars(deduplicateScalars(left)), sortScalars(deduplicateScalars(right))];
  return l.some((v, i) => fieldsConflict(v, r[i], element));
}

/** Two-way strategic merge patch from original to modified (what `kubectl edit`/`label` send). */
export function createTwoWayMergePatch(original: object, modified: object, kind: string, apiVersion?: string): JsonMap {
  const schema = patchSchemaFor(kind, apiVersion) ?? EMPTY_SCHEMA;
  return diffMaps(original as JsonMap, modified as JsonMap, schema, {
    ignoreDeletions: false,
    ignoreChangesAndAdditions: false,
    setElementOrder: true,
    buildRetainKeys: false,
  });
}

/**
 * Apply a strategic merge patch the way the API server does (`$patch`, `$retainKeys`,
 * `$setElementOrder/…`, `$deleteFromPrimitiveList/…`, nulls delete). Kinds without a schema get
 * the generic behaviour (maps merge, lists replaced). Throws ApiError(BadRequest) on a bad patch.
 * Does not modify its inputs.
 */
export function applyStrategicMergePatch<T extends object>(current: T, patch: object, kind: string, apiVersion?: string): T {
  if (!isMap(patch)) throw ApiError.badRequest('invalid patch: a strategic merge patch must be a JSON object');
  const schema = patchSchemaFor(kind, apiVersion) ?? EMPTY_SCHEMA;
  try {
    return mergeMap(clone(current) as JsonMap, clone(patch), schema, { mergeParallelList: true, ignoreUnmatchedNulls: true }) as T;
  } catch (e) {
    if (e instanceof PatchError) throw ApiError.badRequest(e.message);
    throw e;
  }
}

/** Apply whichever patch kind the API server would use for this object's kind. */
export function applyApplyPatch<T extends object>(current: T, patch: object, kind: string, apiVersion?: string): T {
  const schema = patchSchemaFor(kind, apiVersion);
  return schema ? applyStrategicMergePatch(current, patch, kind, apiVersion) : (applyJsonMergePatch(current, patch) as T);
}
