// Small helpers shared by the per-kind cell functions (ports of printers.go helpers).
import { isObject, type KObject } from '../../api/types';
import { age } from '../duration';
import { canonical } from '../../api/quantity';
import { formatLabels, formatLabelSelector, selectorString } from '../describe/format';

export { formatLabels, formatLabelSelector, selectorString };

export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
export const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const obj = (v: unknown): Record<string, any> => (isObject(v) ? v : {});

export const ageOf = (o: KObject, now: number): string => age(o.metadata?.creationTimestamp, now);

/** Quantity.String() of a raw value; a missing quantity is the zero Quantity, "0". */
export function quantity(v: unknown): string {
  if (v === undefined || v === null || v === '') return '0';
  return canonical(v);
}

/** layoutContainerCells: names and images joined by ",". */
export function containerCells(podSpec: unknown): [string, string] {
  const cs = arr(obj(podSpec).containers);
  return [cs.map((c) => str(c?.name)).join(','), cs.map((c) => str(c?.image)).join(',')];
}

/** helper.GetAccessModesAsString: fixed order, duplicates removed. */
export function accessModes(modes: unknown): string {
  const m = new Set(arr(modes));
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** IntOrString.String(). */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : str(v);
}

/** printBoolPtr: True/False, `<unset>` when nil. */
export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** A bool cell printed with %v. */
export const goBool = (v: unknown): string => (v === true ? 'true' : 'false');

/** listWithMoreString of printers.go. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** Distinct LB ingress IPs (or hostnames), sorted; cut to 16 chars unless wide. */
export function loadBalancerStatus(status: unknown, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of arr(obj(status).ingress)) {
    if (str(ing?.ip) !== '') set.add(str(ing.ip));
    else if (str(ing?.hostname) !== '') set.add(str(ing.hostname));
  }
  let r = [...set].sort(byteCompare).join(',');
  if (!wide && r.length > 16) r = r.slice(0, 13) + '...';
  return r;
}

/** Go string comparison (byte order; equal to UTF-16 order for BMP text). */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hasCondition(conds: unknown, type: string, status = 'True'): boolean {
  const c = arr(conds).find((x) => x?.type === type);
  return c !== undefined && c.status === status;
}
