// Equality of JSON data regardless of key order, as the API server decides "no change" (and
// the one deep equality of the code base: managed fields, patches, schemas and CEL rules use
// it too). Kept apart from the API server so that CLI verbs can use it without loading the
// server (and everything it imports) at start-up.

/**
 * A key whose value is undefined counts as absent, as in the JSON the objects are written
 * as (a controller setting `x.foo = undefined` changes nothing); NaN equals NaN.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a !== a && b !== b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(x)) {
    const v = x[k];
    if (v === undefined) continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(y, k) || !deepEqual(v, y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) n--;
  return n === 0;
}
