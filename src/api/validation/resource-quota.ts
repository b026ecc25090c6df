// ValidateResourceQuotaSpec and ValidateResourceQuotaStatus (pkg/apis/core/validation, v1.32):
// the hard (and used) resource names and values, the scopes and the scope selector, with
// kube's field paths and messages. A whole value a message holds (the scopes, the selector,
// a Quantity) prints as Go's %#v; Go's map order is random, kubesim's is by key.

import type { FieldError } from '../errors';
import { cmp, goQuantitySyntax, milliValue, parseQuantity, quantityString, writtenValues, ZERO } from '../quantity';
import { isObject } from '../types';
import { goQuote } from '../../util/go-format';
import { invalid, q, required } from './name-rules';
import { isQualifiedName } from './string-rules';
import { resourceNameErrors } from './limit-range';

// helper.IsStandardQuotaResourceName's set (hugepages- and requests.hugepages- names besides).
const QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers',
  'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers',
]);
const isStandardQuota = (name: string) => QUOTA_RESOURCES.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
const INTEGER_RESOURCES = new Set(['pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
/** helper.IsExtendedResourceName: not native, not `requests.`, and a qualified name behind `requests.`. */
const isExtended = (name: string) =>
  name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const isInteger = (name: string) => INTEGER_RESOURCES.has(name) || isExtended(name);

const SCOPES = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity']);
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);
/** helper.IsResourceQuotaScopeValidForResource. */
function scopeFits(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (SCOPES.has(scope)) return resource === 'pods' || POD_COMPUTE.has(resource);
  return true;
}
const CONFLICTS: [string, string][] = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];
/** Scopes that take no values (the operator must be Exists). */
const EXISTS_ONLY = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : []);
/** %#v of a Go slice of strings (nil when absent). */
const goSlice = (type: string, v: unknown): string => (Array.isArray(v) ? `${type}{${strings(v).map(goQuote).join(', ')}}` : `${type}(nil)`);

/** A map of quantities: each name and value as ValidateResourceQuotaResourceName and ValidateResourceQuantityValue. */
function quantityMapErrors(raw: unknown, at: string): FieldError[] {
  const out: FieldError[] = [];
  if (!isObject(raw)) return out;
  const m = writtenValues(raw as Record<string, unknown>);
  for (const k of Object.keys(m).sort()) {
    const f = `${at}[${k}]`;
    out.push(...resourceNameErrors(k, f));
    if (!k.includes('/') && !isStandardQuota(k)) out.push(invalid(f, q(k), 'must be a standard resource for quota'));
    const value = parseQuantity(m[k]);
    if (!value) continue;
    if (cmp(value, ZERO) < 0) out.push(invalid(f, q(quantityString(m[k])), 'must be greater than or equal to 0'));
    if (isInteger(k) && milliValue(value) % 1000 !== 0) out.push(invalid(f, goQuantitySyntax(m[k]), 'must be an integer'));
  }
  return out;
}

/** %#v of the *core.ScopeSelector a field error holds (ErrorBody prints what the pointer points to). */
function goScopeSelector(sel: Record<string, unknown>): string {
  const reqs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : undefined;
  const one = (r: unknown) => {
    const o = isObject(r) ? (r as Record<string, unknown>) : {};
    const s = (x: unknown) => goQuote(typeof x === 'string' ? x : '');
    return `core.ScopedResourceSelectorRequirement{ScopeName:${s(o.scopeName)}, Operator:${s(o.operator)}, Values:${goSlice('[]string', o.values)}}`;
  };
  const list = reqs ? `[]core.ScopedResourceSelectorRequirement{${reqs.map(one).join(', ')}}` : '[]core.ScopedResourceSelectorRequirement(nil)';
  return `core.ScopeSelector{MatchExpressions:${list}}`;
}

/** ValidateResourceQuotaSpec. */
export function resourceQuotaSpecErrors(spec: any): FieldError[] {
  const out = quantityMapErrors(spec?.hard, 'spec.hard');
  const hard = isObject(spec?.hard) ? Object.keys(spec.hard).sort() : [];
  const conflicts = (names: Set<string>, f: string, value: string) => {
    for (const [a, b] of CONFLICTS) if (names.has(a) && names.has(b)) out.push(invalid(f, value, 'conflicting scopes'));
  };
  // validateResourceQuotaScopes
  const scopes = strings(spec?.scopes);
  if (scopes.length) {
    const value = goSlice('[]core.ResourceQuotaScope', spec.scopes);
    for (const scope of scopes) {
      if (!SCOPES.has(scope)) out.push(invalid('spec.scopes', value, 'unsupported scope'));
      for (const k of hard) if (isStandardQuota(k) && !scopeFits(scope, k)) out.push(invalid('spec.scopes', value, 'unsupported scope applied to resource'));
    }
    conflicts(new Set(scopes), 'spec.scopes', value);
  }
  // validateScopeSelector
  if (isObject(spec?.scopeSelector)) {
    const sel = spec.scopeSelector as Record<string, unknown>;
    const at = 'spec.scopeSelector.matchExpressions';
    const seen = new Set<string>();
    for (const r of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
      const req = isObject(r) ? (r as Record<string, unknown>) : {};
      const scope = typeof req.scopeName === 'string' ? req.scopeName : '';
      const op = typeof req.operator === 'string' ? req.operator : '';
      const values = Array.isArray(req.values) ? req.values : [];
      if (!SCOPES.has(scope)) out.push(invalid(`${at}.scopeName`, q(scope), 'unsupported scope'));
      for (const k of hard) if (isStandardQuota(k) && !scopeFits(scope, k)) out.push(invalid(at, goScopeSelector(sel), 'unsupported scope applied to resource'));
      if (EXISTS_ONLY.has(scope) && op !== 'Exists') {
        out.push(invalid(`${at}.operator`, q(op), "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
      }
      if (op === 'In' || op === 'NotIn') {
        if (!values.length) out.push(required(`${at}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if (op === 'Exists' || op === 'DoesNotExist') {
        if (values.length) out.push(invalid(`${at}.values`, goSlice('[]string', req.values), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      } else out.push(invalid(`${at}.operator`, q(op), 'not a valid selector operator'));
      seen.add(scope);
    }
    // kube's value here is the spec's scopes, not the selector
    conflicts(seen, at, goSlice('[]core.ResourceQuotaScope', spec.scopes));
  }
  return out;
}

/** ValidateResourceQuotaStatus. */
export function resourceQuotaStatusErrors(status: any): FieldError[] {
  return [...quantityMapErrors(status?.hard, 'status.hard'), ...quantityMapErrors(status?.used, 'status.used')];
}

/** ValidateResourceQuotaUpdate's own check: the scopes cannot change (as sets). */
export function resourceQuotaUpdateErrors(oldSpec: any, newSpec: any): FieldError[] {
  const a = new Set(strings(oldSpec?.scopes));
  const b = new Set(strings(newSpec?.scopes));
  const same = a.size === b.size && [...a].every((s) => b.has(s));
  return same ? [] : [invalid('spec.scopes', goSlice('[]core.ResourceQuotaScope', newSpec?.scopes), 'field is immutable')];
}
