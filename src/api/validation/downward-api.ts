// The API server's checks of downward API references (pkg/apis/core/validation:
// validateEnvVarValueFrom, validateObjectFieldSelector, validateContainerResourceFieldSelector,
// validateDownwardAPIVolumeFile). An env variable and a downwardAPI volume file accept
// different field paths: a whole label map fits in a file, not in one variable.
import type { FieldError } from '../errors';
import { convertDownwardAPIFieldLabel, splitSubscript } from '../fieldpath';
import { canonical, parseQuantity } from '../quantity';
import { invalid, q, required } from './name-rules';
import { isConfigMapKey, isDns1123Subdomain, isQualifiedName } from './string-rules';

// sets.List order (sorted), as field.NotSupported prints them
const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const HUGEPAGES_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];

const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
const BYTE_DIVISOR_TEXT = "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the";

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function notSupported(field: string, value: string, values: string[]): FieldError {
  return { field, type: 'Unsupported value', value: q(value), detail: 'supported values: ' + values.map((v) => q(v)).join(', ') };
}

/** validateObjectFieldSelector; an unset apiVersion is the API server's default, v1. */
function objectFieldSelectorErrors(fs: Record<string, any>, paths: string[], f: string): FieldError[] {
  const fieldPath = text(fs.fieldPath);
  if (fieldPath === '') return [required(`${f}.fieldPath`)];
  let internal: string;
  try {
    internal = convertDownwardAPIFieldLabel(text(fs.apiVersion) || 'v1', fieldPath);
  } catch (e) {
    return [invalid(`${f}.fieldPath`, q(fieldPath), `error converting fieldPath: ${(e as Error).message}`)];
  }
  const sub = splitSubscript(internal);
  if (sub) {
    // annotation keys are checked lower-cased, label keys as they are
    const key = sub[0] === 'metadata.annotations' ? sub[1].toLowerCase() : sub[1];
    return isQualifiedName(key).map((m) => invalid(f, q(key), m));
  }
  return paths.includes(internal) ? [] : [notSupported(`${f}.fieldPath`, internal, paths)];
}

/** validateContainerResourceDivisor: a zero or unset divisor means 1. */
function divisorErrors(resource: string, divisor: unknown, f: string): FieldError[] {
  // Quantity.String(), exact; a divisor that is no quantity is the schema's to report
  const d = parseQuantity(divisor) ? canonical(divisor) : '0';
  if (d === '0') return [];
  const out: FieldError[] = [];
  const bad = (what: string) => invalid(`${f}.divisor`, q(resource), `${BYTE_DIVISOR_TEXT} ${what} resource`);
  if (resource === 'limits.cpu' || resource === 'requests.cpu') {
    if (d !== '1m' && d !== '1') out.push(invalid(`${f}.divisor`, q(resource), "only divisor's values 1m and 1 are supported with the cpu resource"));
  } else if (resource === 'limits.memory' || resource === 'requests.memory') {
    if (!BYTE_DIVISORS.includes(d)) out.push(bad('memory'));
  } else if (resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') {
    if (!BYTE_DIVISORS.includes(d)) out.push(bad('local ephemeral storage'));
  }
  if (HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p)) && !BYTE_DIVISORS.includes(d)) out.push(bad('hugepages'));
  return out;
}

/** validateContainerResourceFieldSelector: a volume file must name its container. */
function resourceFieldSelectorErrors(fs: Record<string, any>, f: string, volume: boolean): FieldError[] {
  const out: FieldError[] = [];
  const resource = text(fs.resource);
  if (volume && text(fs.containerName) === '') out.push(required(`${f}.containerName`));
  else if (resource === '') out.push(required(`${f}.resource`));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p))) {
    out.push(notSupported(`${f}.resource`, resource, RESOURCE_FIELD_PATHS));
  }
  return [...out, ...divisorErrors(resource, fs.divisor, f)];
}

/** validateConfigMapKeySelector / validateSecretKeySelector. */
function keySelectorErrors(s: Record<string, any>, f: string): FieldError[] {
  const out = isDns1123Subdomain(text(s.name)).map((m) => invalid(`${f}.name`, q(text(s.name)), m));
  if (text(s.key) === '') out.push(required(`${f}.key`));
  else for (const m of isConfigMapKey(String(s.key))) out.push(invalid(`${f}.key`, q(s.key), m));
  return out;
}

/** validateEnvVarValueFrom for `env[i]` at `f` (…env[i]). */
export function envVarValueFromErrors(ev: Record<string, any>, f: string): FieldError[] {
  const vf = ev.valueFrom;
  if (!isObj(vf)) return [];
  const at = `${f}.valueFrom`;
  const out: FieldError[] = [];
  let sources = 0;
  if (isObj(vf.fieldRef)) {
    sources++;
    out.push(...objectFieldSelectorErrors(vf.fieldRef, ENV_FIELD_PATHS, `${at}.fieldRef`));
  }
  if (isObj(vf.resourceFieldRef)) {
    sources++;
    out.push(...resourceFieldSelectorErrors(vf.resourceFieldRef, `${at}.resourceFieldRef`, false));
  }
  if (isObj(vf.configMapKeyRef)) {
    sources++;
    out.push(...keySelectorErrors(vf.configMapKeyRef, `${at}.configMapKeyRef`));
  }
  if (isObj(vf.secretKeyRef)) {
    sources++;
    out.push(...keySelectorErrors(vf.secretKeyRef, `${at}.secretKeyRef`));
  }
  if (sources === 0) out.push(invalid(at, '""', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (text(ev.value) !== '') out.push(invalid(at, '""', 'may not be specified when `value` is not empty'));
  else if (sources > 1) out.push(invalid(at, '""', 'may not have more than one field specified at a time'));
  return out;
}

/** ValidateLocalNonReservedPath. */
function localPathErrors(p: string, f: string): FieldError[] {
  const out: FieldError[] = [];
  if (p.startsWith('/')) out.push(invalid(f, q(p), 'must be a relative path'));
  if (p.split('/').includes('..')) out.push(invalid(f, q(p), "must not contain '..'"));
  else if (p.startsWith('..')) out.push(invalid(f, q(p), "must not start with '..'"));
  return out;
}

/**
 * validateDownwardAPIVolumeFile for each item of a downwardAPI volume or projected source;
 * `f` is the source's path (…volumes[i].downwardAPI): Kubernetes names no item index.
 */
export function downwardAPIItemsErrors(items: unknown, f: string): FieldError[] {
  const out: FieldError[] = [];
  for (const file of Array.isArray(items) ? items : []) {
    if (!isObj(file)) continue;
    const p = text(file.path);
    if (p === '') out.push(required(`${f}.path`));
    out.push(...localPathErrors(p, `${f}.path`));
    if (isObj(file.fieldRef)) {
      out.push(...objectFieldSelectorErrors(file.fieldRef, VOLUME_FIELD_PATHS, `${f}.fieldRef`));
      if (isObj(file.resourceFieldRef)) out.push(invalid(f, q('resource'), 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (isObj(file.resourceFieldRef)) {
      out.push(...resourceFieldSelectorErrors(file.resourceFieldRef, `${f}.resourceFieldRef`, true));
    } else out.push(required(f, 'one of fieldRef and resourceFieldRef is required'));
  }
  return out;
}
