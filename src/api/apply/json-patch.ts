// JSON patch (RFC 6902) as the API server applies it (gopkg.in/evanphx/json-patch.v4),
// including that library's quirks, because its error texts are what users see:
// `replace` of a missing object key adds it, `copy` from a missing key copies null, negative
// array indices count from the end, `-` appends for `add` only.

import { ApiError } from '../errors';
import { jsonText } from '../types';
import { clone, isMap, type JsonMap } from './json-util';
import { goJsonKind, goUnmarshalTypeError } from '../../util/go-format';

export interface JsonPatchOp {
  op: string;
  path?: string;
  from?: string;
  value?: unknown;
}

const ERR_MISSING = 'missing value';
const ERR_INVALID_INDEX = 'invalid index referenced';
const ERR_TEST_FAILED = 'test failed';

class OpError extends Error {}

/**
 * kube-apiserver arms evanphx's AccumulatedCopySizeLimit from JSONPatchMaxCopyBytes (3 MiB):
 * `copy` operations together may add at most that many bytes, so a patch that doubles a
 * value again and again ends with an error instead of exhausting memory.
 */
export const MAX_ACCUMULATED_COPY_BYTES = 3 * 1024 * 1024;

type Container = JsonMap | unknown[];

function decodeKey(k: string): string {
  return k.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** strconv.Atoi with Go's error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function get(con: Container, key: string): unknown {
  if (Array.isArray(con)) {
    const idx = atoi(key);
    if (idx >= con.length || idx < 0) throw new OpError(`Unable to access invalid index: ${idx}: ${ERR_INVALID_INDEX}`);
    return con[idx];
  }
  return Object.prototype.hasOwnProperty.call(con, key) ? con[key] : undefined;
}

/** The container holding the last path segment, or undefined (evanphx's findObject). */
function findObject(doc: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: Container = doc;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(cur, decodeKey(part));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null || typeof next !== 'object') return undefined;
    cur = next as Container;
  }
  return { con: cur, key: decodeKey(split[split.length - 1]) };
}

function add(con: Container, key: string, val: unknown): void {
  if (!Array.isArray(con)) {
    con[key] = val;
    return;
  }
  if (key === '-') {
    con.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new OpError(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = con.length + 1;
  if (idx >= size || idx < -size) throw new OpError(`Unable to access invalid index: ${idx}: ${ERR_INVALID_INDEX}`);
  if (idx < 0) idx += size;
  con.splice(idx, 0, val);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!Object.prototype.hasOwnProperty.call(con, key)) throw new OpError(`Unable to remove nonexistent key: ${key}: ${ERR_MISSING}`);
    delete con[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= con.length || idx < -con.length) throw new OpError(`Unable to access invalid index: ${idx}: ${ERR_INVALID_INDEX}`);
  if (idx < 0) idx += con.length;
  con.splice(idx, 1);
}

function wrap(prefix: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpError) throw new OpError(`${prefix}: ${e.message}`);
    throw e;
  }
}

function pathOf(op: JsonMap, field: 'path' | 'from'): string | undefined {
  const v = op[field];
  return typeof v === 'string' ? v : undefined;
}

function valueOf(op: JsonMap): unknown {
  return Object.prototype.hasOwnProperty.call(op, 'value') ? clone(op.value) : null;
}

function applyOp(doc: Container, op: JsonMap, copied: { bytes: number }): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  switch (kind) {
    case 'add': {
      const path = pathOf(op, 'path');
      if (path === undefined) throw new OpError(`add operation failed to decode path: ${ERR_MISSING}`);
      const f = findObject(doc, path);
      if (!f) throw new OpError(`add operation does not apply: doc is missing path: "${path}": ${ERR_MISSING}`);
      wrap(`error in add for path: '${path}'`, () => add(f.con, f.key, valueOf(op)));
      return;
    }
    case 'remove': {
      const path = pathOf(op, 'path');
      if (path === undefined) throw new OpError(`remove operation failed to decode path: ${ERR_MISSING}`);
      const f = findObject(doc, path);
      if (!f) throw new OpError(`remove operation does not apply: doc is missing path: "${path}": ${ERR_MISSING}`);
      wrap(`error in remove for path: '${path}'`, () => remove(f.con, f.key));
      return;
    }
    case 'replace': {
      const path = pathOf(op, 'path');
      if (path === undefined) throw new OpError(`replace operation failed to decode path: operation missing path field: ${ERR_MISSING}`);
      const f = findObject(doc, path);
      if (!f) throw new OpError(`replace operation does not apply: doc is missing path: ${path}: ${ERR_MISSING}`);
      try {
        get(f.con, f.key);
      } catch {
        throw new OpError(`replace operation does not apply: doc is missing key: ${path}: ${ERR_MISSING}`);
      }
      if (Array.isArray(f.con)) f.con[atoi(f.key)] = valueOf(op);
      else f.con[f.key] = valueOf(op);
      return;
    }
    case 'move':
    case 'copy': {
      const from = pathOf(op, 'from');
      if (from === undefined) throw new OpError(`${kind} operation failed to decode from: operation, missing from field: ${ERR_MISSING}`);
      const src = findObject(doc, from);
      if (!src) throw new OpError(`${kind} operation does not apply: doc is missing from path: ${from}: ${ERR_MISSING}`);
      let val: unknown;
      wrap(kind === 'move' ? `error in move for path: '${src.key}'` : `error in copy for from: '${from}'`, () => {
        val = get(src.con, src.key);
      });
      if (kind === 'move') wrap(`error in move for path: '${src.key}'`, () => remove(src.con, src.key));
      const path = pathOf(op, 'path');
      if (path === undefined) {
        throw new OpError(kind === 'move' ? `move operation failed to decode path: operation missing path field: ${ERR_MISSING}` : `copy operation failed to decode path: ${ERR_MISSING}`);
      }
      const dst = findObject(doc, path);
      if (!dst) throw new OpError(`${kind} operation does not apply: doc is missing destination path: ${path}: ${ERR_MISSING}`);
      if (kind === 'copy') {
        copied.bytes += Buffer.byteLength(jsonText(val ?? null));
        if (copied.bytes > MAX_ACCUMULATED_COPY_BYTES) {
          throw new OpError(`Unable to complete the copy, the accumulated size increase of copy is ${copied.bytes}, exceeding the limit ${MAX_ACCUMULATED_COPY_BYTES}`);
        }
      }
      const v = kind === 'copy' ? clone(val ?? null) : (val ?? null);
      wrap(kind === 'move' ? `error in move for path: '${path}'` : 'error while adding value during copy', () => add(dst.con, dst.key, v));
      return;
    }
    case 'test': {
      const path = pathOf(op, 'path');
      if (path === undefined) throw new OpError(`test operation failed to decode path: operation missing path field: ${ERR_MISSING}`);
      const f = findObject(doc, path);
      if (!f) throw new OpError(`test operation does not apply: is missing path: ${path}: ${ERR_MISSING}`);
      let val: unknown;
      wrap(`error in test for path: '${path}'`, () => {
        val = get(f.con, f.key);
      });
      const expected = Object.prototype.hasOwnProperty.call(op, 'value') ? op.value : undefined;
      if ((val ?? null) === null && (expected ?? null) === null) return;
      if (jsonText(sortDeep(val)) !== jsonText(sortDeep(expected))) throw new OpError(`testing value ${path} failed: ${ERR_TEST_FAILED}`);
      return;
    }
    default:
      throw new OpError(`Unexpected kind: ${kind}`);
  }
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (isMap(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])]));
  return v;
}

/** kube-apiserver's words for a JSON patch whose operation fails: NewGenericServerResponse(422), evanphx's text left out. */
export const JSON_PATCH_REFUSED = 'the server rejected our request due to an error in our request';

/**
 * Apply RFC 6902 operations. A patch that is not a JSON array of objects is a BadRequest
 * (Go's decoding error text); a failing operation is Invalid (422) with evanphx's message.
 * Does not modify its inputs.
 */
export function applyJsonPatch<T>(target: T, ops: unknown): T {
  if (!Array.isArray(ops)) {
    throw ApiError.badRequest(goUnmarshalTypeError(goJsonKind(ops), 'jsonpatch.Patch'));
  }
  for (const op of ops) {
    if (!isMap(op) && op !== null) {
      throw ApiError.badRequest(goUnmarshalTypeError(goJsonKind(op), 'jsonpatch.Operation'));
    }
  }
  const doc = clone(target) as unknown as Container;
  try {
    const copied = { bytes: 0 };
    for (const op of ops) applyOp(doc, (op ?? {}) as JsonMap, copied);
  } catch (e) {
    if (e instanceof OpError) throw new ApiError('Invalid', e.message);
    throw e;
  }
  return doc as unknown as T;
}
