// `--sort-by=<jsonpath>` (kubectl get/sorter.go): ascending; rows without the field first.
import type { KObject } from '../api/types';
import { parseQuantity } from '../api/quantity';
import { JsonPath, relaxedJsonPath } from './jsonpath';

/** No object has the field: kubectl's table sorter fails (and `get` then prints nothing). */
export class SortFieldNotFoundError extends Error {
  constructor(readonly field: string) {
    super(`couldn't find any field with path "${field}" in the list of objects`);
  }
}

function quantityOf(s: string): number | undefined {
  try {
    return parseQuantity(s);
  } catch {
    return undefined;
  }
}

/** isLess of sorter.go for decoded JSON values. */
function isLess(a: unknown, b: unknown): boolean {
  if (a === null && b === null) return false;
  if (a === null) return true;
  if (b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return !a && b;
  if (typeof a === 'string' && typeof b === 'string') {
    const qa = quantityOf(a);
    const qb = qa === undefined ? undefined : quantityOf(b);
    if (qa !== undefined && qb !== undefined) return qa < qb;
    return a < b;
  }
  return false; // kubectl exits on unsortable types; keep the order instead
}

/**
 * Sorts like kubectl: Go's sort.Sort, which is an insertion sort for up to 12 rows (so the
 * result, including the reversal of rows that lack the field, is exactly kubectl's); larger
 * inputs use a stable sort with the same comparison. Throws SortFieldNotFoundError when no
 * object has the field.
 */
export function sortObjects(objs: KObject[], sortBy: string): KObject[] {
  let field: string;
  try {
    field = relaxedJsonPath(sortBy);
  } catch {
    field = sortBy;
  }
  const jp = new JsonPath(field);
  jp.allowMissingKeys = true;
  const keyed = objs.map((o) => {
    let r: unknown[][];
    try {
      r = jp.findResults(o);
    } catch {
      r = [];
    }
    const has = r.length > 0 && r[0].length > 0;
    return { o, has, v: has ? r[0][0] : undefined };
  });
  if (objs.length > 0 && !keyed.some((k) => k.has)) throw new SortFieldNotFoundError(field);
  type K = (typeof keyed)[number];
  const less = (x: K, y: K): boolean => {
    if (!x.has) return true;
    if (!y.has) return false;
    return isLess(x.v, y.v);
  };
  if (keyed.length <= 12) {
    for (let i = 1; i < keyed.length; i++) {
      for (let j = i; j > 0 && less(keyed[j], keyed[j - 1]); j--) [keyed[j], keyed[j - 1]] = [keyed[j - 1], keyed[j]];
    }
  } else {
    keyed.sort((x, y) => (less(x, y) ? -1 : less(y, x) ? 1 : 0));
  }
  return keyed.map((k) => k.o);
}
