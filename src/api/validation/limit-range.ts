// ValidateLimitRange (pkg/apis/core/validation): a LimitRange's item types and resource names,
// and min <= defaultRequest <= default <= max with 1 <= maxLimitRequestRatio <= max/min, with
// kube's field paths and messages. It runs after SetDefaults_LimitRangeItem, so a Container
// item's default taken from its max is checked too. Quantities a message holds by value print
// as Go's %#v of the struct (goQuantitySyntax), as kube-apiserver's do; Go's map order is
// random, kubesim's is by key.

import type { FieldError } from '../errors';
import { cmp, MAX_MILLI_VALUE, milliValue, parseQuantity, quantityString, value, goQuantitySyntax, writtenValues, ZERO } from '../quantity';
import { isObject } from '../types';
import { invalid, q, required } from './name-rules';
import { isQualifiedName } from './string-rules';

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);
// helper.IsStandardResourceName's set (hugepages- and requests.hugepages- names besides).
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

const isHugePages = (name: string) => name.startsWith('hugepages-');
/** helper.IsNativeResource: no domain, or one under kubernetes.io/. */
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');

/** validateResourceName: a qualified name, and a standard resource unless it has a domain. */
export function resourceNameErrors(name: string, f: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(f, q(name), m));
  if (errs.length) return errs;
  const standard = STANDARD_RESOURCES.has(name) || isHugePages(name) || name.startsWith('requests.hugepages-');
  return name.includes('/') || standard ? [] : [invalid(f, q(name), 'must be a standard resource type or fully qualified')];
}

/** validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-*, or an extended resource. */
function containerResourceNameErrors(name: string, f: string): FieldError[] {
  const errs = resourceNameErrors(name, f);
  if (!name.includes('/')) {
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(f, q(name), 'must be a standard resource for containers'));
  } else if (!isNative(name) && (name.startsWith('requests.') || isQualifiedName(`requests.${name}`).length)) {
    errs.push(invalid(f, q(name), "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** validateLimitRangeTypeName: Pod, Container, PersistentVolumeClaim or a qualified name with a domain. */
function typeErrors(type: string, f: string): FieldError[] {
  const errs = isQualifiedName(type).map((m) => invalid(f, q(type), m));
  if (errs.length || type.includes('/') || LIMIT_TYPES.has(type)) return errs;
  return [invalid(f, q(type), 'must be a standard limit type or fully qualified')];
}

function list(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

/** `spec.limits` of a LimitRange: ValidateLimitRange's checks after the metadata's. */
export function limitRangeErrors(spec: any): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const limits: unknown[] = Array.isArray(spec?.limits) ? spec.limits : [];
  limits.forEach((raw, i) => {
    const item = list(raw);
    const at = `spec.limits[${i}]`;
    const type = typeof item.type === 'string' ? item.type : '';
    out.push(...typeErrors(type, `${at}.type`));
    if (seen.has(type)) out.push({ field: `${at}.type`, type: 'Duplicate value', value: q(type) });
    seen.add(type);
    const nameErrors = type === 'Pod' || type === 'Container' ? containerResourceNameErrors : resourceNameErrors;
    const keys = new Set<string>();
    const take = (part: string): Record<string, unknown> => {
      // As written: the %#v of a bound's error shows the Quantity decoded from the request.
      const m = writtenValues(list(item[part]));
      for (const k of Object.keys(m).sort()) {
        out.push(...nameErrors(k, `${at}.${part}[${k}]`));
        keys.add(k);
      }
      return m;
    };
    const max = take('max');
    const min = take('min');
    let defaults: Record<string, unknown> = {};
    let defaultRequests: Record<string, unknown> = {};
    if (type === 'Pod') {
      if (Object.keys(list(item.default)).length) out.push({ field: `${at}.default`, type: 'Forbidden', detail: "may not be specified when `type` is 'Pod'" });
      if (Object.keys(list(item.defaultRequest)).length) out.push({ field: `${at}.defaultRequest`, type: 'Forbidden', detail: "may not be specified when `type` is 'Pod'" });
    } else {
      defaults = take('default');
      defaultRequests = take('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !('storage' in min) && !('storage' in max)) {
      out.push(required(`${at}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratios = take('maxLimitRequestRatio');
    for (const k of [...keys].sort()) out.push(...boundErrors(at, k, { min: min[k], max: max[k], def: defaults[k], defReq: defaultRequests[k], ratio: ratios[k] }));
  });
  return out;
}

type Bounds = { min: unknown; max: unknown; def: unknown; defReq: unknown; ratio: unknown };

/** ValidateLimitRange's checks of one resource of one item, in its order. */
function boundErrors(at: string, k: string, raw: Bounds): FieldError[] {
  const out: FieldError[] = [];
  const has = (v: unknown) => v !== undefined;
  const n = (v: unknown) => parseQuantity(v) ?? ZERO;
  const s = quantityString;
  const bad = (part: string, v: unknown, detail: string) => out.push(invalid(`${at}.${part}[${k}]`, goQuantitySyntax(v), detail));
  const { min, max, def, defReq, ratio } = raw;
  if (has(min) && has(max) && cmp(n(min), n(max)) > 0) bad('min', min, `min value ${s(min)} is greater than max value ${s(max)}`);
  if (has(defReq) && has(min) && cmp(n(min), n(defReq)) > 0) bad('defaultRequest', defReq, `min value ${s(min)} is greater than default request value ${s(defReq)}`);
  if (has(defReq) && has(max) && cmp(n(defReq), n(max)) > 0) bad('defaultRequest', defReq, `default request value ${s(defReq)} is greater than max value ${s(max)}`);
  if (has(defReq) && has(def) && cmp(n(defReq), n(def)) > 0) bad('defaultRequest', defReq, `default request value ${s(defReq)} is greater than default limit value ${s(def)}`);
  // Kube's own slips kept: these two hold min and max as the value, not the default.
  if (has(def) && has(min) && cmp(n(min), n(def)) > 0) bad('default', min, `min value ${s(min)} is greater than default value ${s(def)}`);
  if (has(def) && has(max) && cmp(n(def), n(max)) > 0) bad('default', max, `default value ${s(def)} is greater than max value ${s(max)}`);
  if (has(ratio) && cmp(n(ratio), { mantissa: 1n, scale: 0, format: 'DecimalSI' }) < 0) bad('maxLimitRequestRatio', ratio, `ratio ${s(ratio)} is less than 1`);
  if (has(ratio) && has(min) && has(max)) {
    const [r, lo, hi] = [n(ratio), n(min), n(max)];
    const milli = value(r) < MAX_MILLI_VALUE && value(lo) < MAX_MILLI_VALUE && value(hi) < MAX_MILLI_VALUE;
    const ratioValue = milli ? milliValue(r) / 1000 : value(r);
    const limit = milli ? milliValue(hi) / milliValue(lo) : value(hi) / value(lo);
    // Go's %f: six decimals (+Inf when min is 0, which no ratio exceeds).
    if (ratioValue > limit) bad('maxLimitRequestRatio', ratio, `ratio ${s(ratio)} is greater than max/min = ${limit.toFixed(6)}`);
  }
  // Resources that may not be overcommitted (hugepages, extended ones): default and defaultRequest equal.
  if (!(isNative(k) && !isHugePages(k)) && has(def) && has(defReq) && cmp(n(def), n(defReq)) !== 0) {
    bad('defaultRequest', defReq, `default value ${s(def)} must equal to defaultRequest value ${s(defReq)} in ${k}`);
  }
  return out;
}
