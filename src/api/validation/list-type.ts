// The uniqueness of x-kubernetes-list-type `set` and `map` lists in a custom resource, as
// apiextensions-apiserver 1.32 checks it outside the schema validator and CEL
// (pkg/apiserver/schema/listtype/validation.go, ValidateListSetsAndMaps): a set's repeated
// element, a map list's repeated key, each a `Duplicate value` at its second appearance.
import type { FieldError } from '../errors';
import { goJson } from '../../util/go-format';
import { badValue } from './embedded-meta';

type S = Record<string, any>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const sub = (s: unknown): S | undefined => (isObject(s) ? (s as S) : undefined);
const child = (path: string, k: string) => (path ? `${path}.${k}` : k);

/** ValidateListSetsAndMaps: the errors of `obj` (an object) under structural schema `s`; `path` '' is the root. */
export function listSetAndMapErrors(s: S | undefined, obj: unknown, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  if (!s || !isObject(obj)) return errs;
  const additional = sub(s.additionalProperties);
  if (additional) for (const [k, v] of Object.entries(obj)) errs.push(...valueErrors(additional, v, `${path}[${k}]`));
  const props = sub(s.properties);
  if (props) for (const [k, v] of Object.entries(obj)) if (Object.prototype.hasOwnProperty.call(props, k)) errs.push(...valueErrors(props[k], v, child(path, k)));
  return errs;
}

function valueErrors(s: S | undefined, v: unknown, path: string): FieldError[] {
  if (Array.isArray(v)) return arrayErrors(s, v, path);
  return isObject(v) ? listSetAndMapErrors(s, v, path) : [];
}

function arrayErrors(s: S | undefined, list: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const dup = (i: number, value: unknown): FieldError => ({ field: `${path}[${i}]`, type: 'Duplicate value', value: badValue(value) });
  if (s?.['x-kubernetes-list-type'] === 'set') for (const i of nonUnique(list)) errs.push(dup(i, list[i]));
  else if (s?.['x-kubernetes-list-type'] === 'map') errs.push(...mapListErrors(s, list, path, dup));
  const items = sub(s?.items);
  if (items) list.forEach((x, i) => errs.push(...valueErrors(items, x, `${path}[${i}]`)));
  return errs;
}

/** A marker for a map list item without its key (or a null item): equal only to itself, printed as an empty map. */
const UNSPECIFIED = Symbol('unspecifiedKeyValue');

/**
 * validateListSet: the index of each value's second appearance (a third is not reported
 * again). Scalars compare by type and value, compound values by their JSON (keys sorted).
 */
function nonUnique(list: unknown[]): number[] {
  const out: number[] = [];
  if (list.length <= 1) return out;
  const seen = new Map<string, number>();
  list.forEach((x, i) => {
    const key = x === UNSPECIFIED ? '\u0000unspecified' : goJson(x ?? null);
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function mapListErrors(s: S, list: unknown[], path: string, dup: (i: number, value: unknown) => FieldError): FieldError[] {
  // Only objects and nulls are items of a map list; the first other item is the only error.
  const bad = list.findIndex((x) => x !== null && x !== undefined && !isObject(x));
  if (bad >= 0) return [{ field: `${path}[${bad}]`, type: 'Invalid value', value: badValue(list[bad]), detail: 'must be an object for an array of list-type map' }];
  if (list.length <= 1) return [];
  const keyFields: string[] = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
  if (keyFields.length === 1) {
    const f = keyFields[0]!;
    const keys = list.map((x) => (isObject(x) && Object.prototype.hasOwnProperty.call(x, f) ? x[f] : UNSPECIFIED));
    return nonUnique(keys).map((i) => dup(i, keys[i] === UNSPECIFIED ? {} : { [f]: keys[i] }));
  }
  // Several key fields: an item's key is the map of those it sets.
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isObject(x)) for (const f of keyFields) if (Object.prototype.hasOwnProperty.call(x, f)) key[f] = x[f];
    return key;
  });
  return nonUnique(keys).map((i) => dup(i, keys[i]));
}
