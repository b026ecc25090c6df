// Small helpers over plain JSON data shared by the patch modules: deep equality (Go's
// reflect.DeepEqual on decoded JSON), Go's `%v` rendering (used by apimachinery to sort merge
// keys and in its error texts) and null stripping.
import { goSprint } from '../../util/go-format';
import { deepEqual } from '../../util/json-equal';

export type JsonMap = Record<string, any>;

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kind reflect.TypeOf would report for decoded JSON, which the merge code compares. */
export function jsonKind(v: unknown): 'map' | 'slice' | 'string' | 'number' | 'bool' | 'nil' {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  return 'bool';
}


export { deepCopy as clone } from '../types';

/** Go's fmt `%v` of decoded JSON: `map[k:v]` with sorted keys, `[a b]`, `<nil>`. */
export const goFormat = goSprint;

/** Byte-wise string comparison like Go's `<` on strings (UTF-16 order is fine for our keys). */
export function goLess(a: string, b: string): boolean {
  return a < b;
}

/** Drop null-valued keys from maps, recursively (what decoding into typed structs does). */
export function removeNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => removeNulls(x)) as T;
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = removeNulls(x);
    return out as T;
  }
  return v;
}
