// `--sort-by=<jsonpath>` (kubectl get/sorter.go): ascending; rows without the field first.
import type { KObject } from '../api/types';
import { cmp, goParseQuantity, type Quantity } from '../api/quantity';
import { JsonPath, JsonPathLimitError, relaxedJsonPath } from './jsonpath';
import { goSort } from '../util/go-sort';

/** No object has the field: kubectl's table sorter fails (and `get` then prints nothing). */
export class SortFieldNotFoundError extends Error {
  constructor(readonly field: string) {
    super(`couldn't find any field with path "${field}" in the list of objects`);
  }
}

function quantityOf(s: string): Quantity | undefined {
  const parsed = goParseQuantity(s);
  return 'error' in parsed ? undefined : parsed.quantity;
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
    if (qa !== undefined && qb !== undefined) return cmp(qa, qb) < 0;
    return a < b;
  }
  return false; // kubectl exits on unsortable types; keep the order instead
}

/**
 * Sorts like kubectl: Go's sort.Sort with sorter.go's Less, step for step (src/util/go-sort.ts),
 * so rows with equal keys, and rows that lack the field, come out in kubectl's order. Throws
 * SortFieldNotFoundError when no object has the field.
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
    } catch (e) {
      // a bound hit is an error to report, not "No resources found" (a missing field)
      if (e instanceof JsonPathLimitError) throw e;
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
  return goSort(keyed, less).map((k) => k.o);
}
