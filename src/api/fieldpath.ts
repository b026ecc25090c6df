// The one reader of downward API values: a field path of an object (apimachinery's
// fieldpath.ExtractFieldPathAsString, which kubectl's `set env --resolve` copies) and a
// container's resource value (pkg/api/v1/resource's ExtractContainerResourceValue and
// MergeContainerResourceLimits). The kubelet (env, downwardAPI volumes) and `set env
// --resolve` both read through here, so they cannot disagree.

import { byteOrder, goQuote } from '../util/go-format';
import { bytes, cpuMillis, isZero, mustParseQuantity } from './quantity';
import type { KObject } from './types';
import { isQualifiedName } from './validation/string-rules';

/** fieldpath.FormatMap: `key="value"` lines in key order, values quoted as Go's %q. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort(byteOrder)
    .map((k) => `${k}=${goQuote(String(m![k]))}`)
    .join('\n');
}

/** fieldpath.SplitMaybeSubscriptedPath: `metadata.labels['a']` → ['metadata.labels', 'a']. */
export function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

// pods.ConvertDownwardAPIFieldLabel: the paths a pod's downward API may name at all.
const POD_FIELD_LABELS = new Set(['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']);

/**
 * pods.ConvertDownwardAPIFieldLabel: the internal path for a pod field selector (`spec.host`
 * is the old name of `spec.nodeName`); throws with Kubernetes' message. The API server's
 * validation and the kubelet both convert through here.
 */
export function convertDownwardAPIFieldLabel(version: string, label: string): string {
  if (version !== 'v1') throw new Error(`unsupported pod version: ${version}`);
  const sub = splitSubscript(label);
  if (sub) {
    if (sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels') return label;
    throw new Error(`field label does not support subscript: ${label}`);
  }
  if (label === 'spec.host') return 'spec.nodeName';
  if (!POD_FIELD_LABELS.has(label)) throw new Error(`field label not supported: ${label}`);
  return label;
}

/** fieldpath.ExtractFieldPathAsString: the metadata fields any object has; throws with Kubernetes' message otherwise. */
export function extractFieldPathAsString(obj: KObject, fieldPath: string): string {
  const sub = splitSubscript(fieldPath);
  if (sub) {
    const [path, key] = sub;
    if (path !== 'metadata.annotations' && path !== 'metadata.labels') throw new Error(`fieldPath ${goQuote(fieldPath)} does not support subscript`);
    // annotation keys are case-insensitive in their check, label keys are not
    const errs = isQualifiedName(path === 'metadata.annotations' ? key.toLowerCase() : key);
    if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
    return (path === 'metadata.annotations' ? obj.metadata.annotations : obj.metadata.labels)?.[key] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(obj.metadata.annotations);
    case 'metadata.labels':
      return formatMap(obj.metadata.labels);
    case 'metadata.name':
      return obj.metadata.name ?? '';
    case 'metadata.namespace':
      return obj.metadata.namespace ?? '';
    case 'metadata.uid':
      return obj.metadata.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** ExtractContainerResourceValue: the container's limit or request over the divisor (default 1), rounded up; 0 when unset. */
export function extractContainerResourceValue(fs: { resource?: string; divisor?: string | number }, container: { resources?: any }): string {
  const resource = String(fs.resource ?? '');
  const dot = resource.indexOf('.');
  const [where, name] = [resource.slice(0, dot), resource.slice(dot + 1)];
  const known = ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-');
  if (dot < 0 || (where !== 'limits' && where !== 'requests') || !known) throw new Error(`Unsupported container resource : ${resource}`);
  const divisor = fs.divisor === undefined || isZero(mustParseQuantity(fs.divisor)) ? '1' : fs.divisor;
  const value = container.resources?.[where]?.[name] ?? '0';
  const n = name === 'cpu' ? cpuMillis(value) / cpuMillis(divisor) : bytes(value) / bytes(divisor);
  return String(Math.ceil(n));
}

/**
 * MergeContainerResourceLimits: a copy of the container whose missing or zero cpu, memory and
 * ephemeral-storage limits are the node's allocatable (what the kubelet's downward API reports
 * for a container without a limit; hugepages always have one).
 */
export function withAllocatableLimits<C extends { resources?: any }>(container: C, allocatable: Record<string, string | number> | undefined): C {
  const limits: Record<string, string | number> = { ...(container.resources?.limits ?? {}) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const zero = limits[r] === undefined || isZero(mustParseQuantity(limits[r]));
    if (zero && allocatable?.[r] !== undefined) limits[r] = allocatable[r];
  }
  return { ...container, resources: { ...(container.resources ?? {}), limits } };
}
