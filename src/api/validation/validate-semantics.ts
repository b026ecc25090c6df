// The API server's per-kind validation (pkg/apis/*/validation), the checks users hit most.
// Returns FieldErrors with the apiserver's texts; an empty list means the object is valid.
import type { FieldError } from '../errors';
import type { ResourceType } from '../resources';
import type { KObject } from '../types';
import { annotationErrors, invalid, labelErrors, objectMetaErrors, q, required, type NameRule } from './name-rules';
import { isConfigMapKey, isDns1123Label, isQualifiedName, isValidPortName } from './string-rules';
import { validatePodSpec, portRangeError } from './pod-spec';
import { cronScheduleError } from './cron-schedule';
import { limitRangeErrors } from './limit-range';
import { resourceQuotaSpecErrors, resourceQuotaStatusErrors } from './resource-quota';
import { labelSelectorMatches } from '../selectors';
import { isJsonNumber } from '../../util/exact-json';

const NAME_RULES: Record<string, NameRule> = {
  Namespace: 'label',
  Service: 'dns1035',
  Role: 'path-segment',
  ClusterRole: 'path-segment',
  RoleBinding: 'path-segment',
  ClusterRoleBinding: 'path-segment',
  APIService: 'path-segment',
  // The Event strategy checks no name (a core Event's), or its own (events.k8s.io/v1's, ValidateEventCreate):
  // rest.BeforeCreate's common check is a path segment's.
  Event: 'path-segment',
};

export function validateSemantics(obj: KObject, rt: ResourceType): FieldError[] {
  const out: FieldError[] = [];
  const rule: NameRule = rt.crd ? 'subdomain' : NAME_RULES[rt.kind] ?? 'subdomain';
  // ValidateObjectMeta's whole list, ownerReferences, finalizers and managedFields among it.
  out.push(...objectMetaErrors(obj.metadata, rule, rt.namespaced, 'metadata', true));
  if (rt.kind === 'CronJob' && typeof obj.metadata?.name === 'string' && obj.metadata.name.length > 52) {
    out.push(invalid('metadata.name', q(obj.metadata.name), 'must be no more than 52 characters'));
  }
  if (rt.kind === 'APIService' && typeof obj.metadata?.name === 'string' && !out.some((e) => e.field === 'metadata.name')) {
    // kube-aggregator's ValidateAPIService: the name *must* be version.group
    const required = `${obj.spec?.version ?? ''}.${obj.spec?.group ?? ''}`;
    if (obj.metadata.name !== required) out.unshift(invalid('metadata.name', q(obj.metadata.name), `must be \`spec.version+"."+spec.group\`: ${q(required)}`));
  }
  if (rt.crd) return out;
  const spec = obj.spec;
  switch (rt.kind) {
    case 'Pod':
      out.push(...validatePodSpec(spec, 'spec'));
      break;
    case 'PodTemplate':
      out.push(...templateErrors(obj.template, 'template', {}));
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
      out.push(...workloadErrors(spec, rt.kind));
      break;
    case 'ReplicationController':
      out.push(...replicationControllerErrors(spec));
      break;
    case 'Job':
      out.push(...jobSpecErrors(spec, 'spec', true));
      break;
    case 'CronJob':
      out.push(...cronJobErrors(spec));
      break;
    case 'Service':
      out.push(...serviceErrors(spec));
      break;
    case 'ConfigMap':
      out.push(...configMapErrors(obj));
      break;
    case 'Secret':
      out.push(...secretErrors(obj));
      break;
    case 'LimitRange':
      out.push(...limitRangeErrors(spec));
      break;
    case 'ResourceQuota':
      if (!rt.group) out.push(...resourceQuotaSpecErrors(spec), ...resourceQuotaStatusErrors(obj.status));
      break;
  }
  return out;
}

function templateErrors(tpl: any, f: string, opts: Parameters<typeof validatePodSpec>[2]): FieldError[] {
  if (!tpl || typeof tpl !== 'object') return [required(f)];
  return [
    ...labelErrors(tpl.metadata?.labels, `${f}.metadata.labels`),
    ...annotationErrors(tpl.metadata?.annotations, `${f}.metadata.annotations`),
    ...validatePodSpec(tpl.spec, `${f}.spec`, opts),
  ];
}

/** Go's %#v of map[string]string, as the selector mismatch message prints it. */
function goMap(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  if (!m) return 'map[string]string(nil)';
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

function labelSelectorErrors(sel: any, f: string): FieldError[] {
  const out: FieldError[] = [];
  out.push(...labelErrors(sel?.matchLabels, `${f}.matchLabels`));
  (sel?.matchExpressions ?? []).forEach((e: any, i: number) => {
    const ef = `${f}.matchExpressions[${i}]`;
    const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    if (!ops.includes(e?.operator)) out.push({ field: `${ef}.operator`, type: 'Invalid value', value: q(e?.operator), detail: 'not a valid selector operator' });
    else if ((e.operator === 'In' || e.operator === 'NotIn') && !(e.values ?? []).length) out.push(required(`${ef}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && (e.values ?? []).length) out.push({ field: `${ef}.values`, type: 'Forbidden', detail: 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'' });
    for (const m of isQualifiedName(String(e?.key ?? ''))) out.push(invalid(`${ef}.key`, q(e?.key), m));
  });
  return out;
}

function isEmptySelector(sel: any): boolean {
  return !Object.keys(sel?.matchLabels ?? {}).length && !(sel?.matchExpressions ?? []).length;
}

function nonNegative(v: unknown, f: string): FieldError[] {
  return isJsonNumber(v) && v < 0 ? [invalid(f, String(v), 'must be greater than or equal to 0')] : [];
}

function workloadErrors(spec: any, kind: string): FieldError[] {
  const out: FieldError[] = [];
  if (!spec || typeof spec !== 'object') return [required('spec')];
  if (kind !== 'DaemonSet') out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const sel = spec.selector;
  if (!sel) out.push(required('spec.selector'));
  else if (isEmptySelector(sel)) {
    out.push(invalid('spec.selector', 'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}', `empty selector is invalid for ${kind.toLowerCase()}`));
  } else out.push(...labelSelectorErrors(sel, 'spec.selector'));
  const tpl = spec.template;
  const claims = (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).map((c: any) => c?.metadata?.name).filter(Boolean);
  out.push(...templateErrors(tpl, 'spec.template', { restartPolicies: ['Always'], extraVolumes: claims }));
  if (sel && !isEmptySelector(sel) && tpl && typeof tpl === 'object') {
    const labels = tpl.metadata?.labels ?? {};
    if (!labelSelectorMatches(sel, labels)) out.push(invalid('spec.template.metadata.labels', goMap(tpl.metadata?.labels), '`selector` does not match template `labels`'));
  }
  if (kind === 'StatefulSet') {
    const pmp = spec.podManagementPolicy;
    if (pmp !== undefined && !['OrderedReady', 'Parallel'].includes(pmp)) out.push({ field: 'spec.podManagementPolicy', type: 'Invalid value', value: q(pmp), detail: 'must be \'OrderedReady\' or \'Parallel\'' });
  }
  if (kind === 'Deployment') {
    const t = spec.strategy?.type;
    if (t !== undefined && !['Recreate', 'RollingUpdate'].includes(t)) out.push({ field: 'spec.strategy.type', type: 'Unsupported value', value: q(t), detail: 'supported values: "Recreate", "RollingUpdate"' });
    if (t === 'Recreate' && spec.strategy?.rollingUpdate) out.push({ field: 'spec.strategy.rollingUpdate', type: 'Forbidden', detail: "may not be specified when strategy `type` is 'Recreate'" });
  }
  return out;
}

function replicationControllerErrors(spec: any): FieldError[] {
  const out: FieldError[] = [];
  if (!spec) return [required('spec')];
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  const tpl = spec.template;
  const sel: Record<string, string> | undefined = spec.selector ?? tpl?.metadata?.labels;
  if (!sel || !Object.keys(sel).length) out.push(required('spec.selector'));
  out.push(...templateErrors(tpl, 'spec.template', { restartPolicies: ['Always'] }));
  if (sel && tpl?.metadata?.labels) {
    if (!labelSelectorMatches({ matchLabels: sel }, tpl.metadata.labels)) out.push(invalid('spec.template.metadata.labels', goMap(tpl.metadata.labels), '`selector` does not match template `labels`'));
  }
  return out;
}

function jobSpecErrors(spec: any, f: string, topLevel: boolean): FieldError[] {
  const out: FieldError[] = [];
  if (!spec) return [required(f)];
  for (const k of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished']) out.push(...nonNegative(spec[k], `${f}.${k}`));
  if (isJsonNumber(spec.activeDeadlineSeconds) && spec.activeDeadlineSeconds <= 0) out.push(invalid(`${f}.activeDeadlineSeconds`, String(spec.activeDeadlineSeconds), 'must be greater than or equal to 0'));
  out.push(...templateErrors(spec.template, `${f}.template`, { restartPolicies: ['OnFailure', 'Never'] }));
  // A user-set selector must match (manualSelector); generated ones are added by the server.
  if (topLevel && spec.selector && spec.manualSelector && spec.template?.metadata) {
    if (!labelSelectorMatches(spec.selector, spec.template.metadata.labels ?? {})) out.push(invalid(`${f}.template.metadata.labels`, goMap(spec.template.metadata.labels), '`selector` does not match template `labels`'));
  }
  return out;
}

function cronJobErrors(spec: any): FieldError[] {
  const out: FieldError[] = [];
  if (!spec) return [required('spec')];
  if (!spec.schedule) out.push(required('spec.schedule'));
  else {
    const e = cronScheduleError(String(spec.schedule));
    if (e) out.push(invalid('spec.schedule', q(spec.schedule), e));
  }
  const cp = spec.concurrencyPolicy;
  if (cp !== undefined && !['Allow', 'Forbid', 'Replace'].includes(cp)) out.push({ field: 'spec.concurrencyPolicy', type: 'Unsupported value', value: q(cp), detail: 'supported values: "Allow", "Forbid", "Replace"' });
  out.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  out.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  out.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jt = spec.jobTemplate;
  if (!jt) out.push(required('spec.jobTemplate'));
  else out.push(...jobSpecErrors(jt.spec, 'spec.jobTemplate.spec', false));
  return out;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function serviceErrors(spec: any): FieldError[] {
  const out: FieldError[] = [];
  if (!spec) return [required('spec')];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) out.push({ field: 'spec.type', type: 'Unsupported value', value: q(type), detail: 'supported values: ' + SERVICE_TYPES.map((t) => q(t)).join(', ') });
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) out.push(required('spec.externalName'));
  } else if (!ports.length && !headless) out.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pf = `spec.ports[${i}]`;
    if (!p) return;
    if (ports.length > 1 && !p.name) out.push(required(`${pf}.name`));
    if (p.name) {
      for (const m of isDns1123Label(String(p.name))) out.push(invalid(`${pf}.name`, q(p.name), m));
      if (names.has(p.name)) out.push({ field: `${pf}.name`, type: 'Duplicate value', value: q(p.name) });
      names.add(p.name);
    }
    if (p.port === undefined || p.port === 0) out.push(required(`${pf}.port`));
    else {
      const e = portRangeError(`${pf}.port`, p.port);
      if (e) out.push(e);
    }
    if (p.protocol !== undefined && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) out.push({ field: `${pf}.protocol`, type: 'Unsupported value', value: q(p.protocol), detail: 'supported values: "SCTP", "TCP", "UDP"' });
    if (typeof p.targetPort === 'number' && p.targetPort !== 0) {
      const e = portRangeError(`${pf}.targetPort`, p.targetPort);
      if (e) out.push(e);
    } else if (typeof p.targetPort === 'string') {
      for (const m of isValidPortName(p.targetPort)) out.push(invalid(`${pf}.targetPort`, q(p.targetPort), m));
    }
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') out.push({ field: `${pf}.nodePort`, type: 'Forbidden', detail: `may not be used when \`type\` is '${type}'` });
      else if (typeof p.nodePort === 'number' && (p.nodePort < 30000 || p.nodePort > 32767)) {
        out.push(invalid(`${pf}.nodePort`, String(p.nodePort), 'provided port is not in the valid range. The range of valid ports is 30000-32767'));
      }
    }
  });
  // A node port once per protocol (ValidateService's (protocol, nodePort) pairs).
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p?.nodePort) return;
    const key = `${p.protocol ?? 'TCP'}/${p.nodePort}`;
    if (nodePorts.has(key)) out.push({ field: `spec.ports[${i}].nodePort`, type: 'Duplicate value', value: String(p.nodePort) });
    nodePorts.add(key);
  });
  out.push(...labelErrors(spec.selector, 'spec.selector'));
  const sa = spec.sessionAffinity;
  if (sa !== undefined && !['ClientIP', 'None'].includes(sa)) out.push({ field: 'spec.sessionAffinity', type: 'Unsupported value', value: q(sa), detail: 'supported values: "ClientIP", "None"' });
  return out;
}

const MAX_DATA_SIZE = 1024 * 1024;

function configMapErrors(obj: KObject): FieldError[] {
  const out: FieldError[] = [];
  let total = 0;
  const data = obj.data ?? {};
  const bin = obj.binaryData ?? {};
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) out.push(invalid(`data[${k}]`, q(k), m));
    if (Object.prototype.hasOwnProperty.call(bin, k)) out.push(invalid(`data[${k}]`, q(k), 'duplicate of key present in binaryData'));
    total += typeof v === 'string' ? Buffer.byteLength(v) : 0;
  }
  for (const [k, v] of Object.entries(bin)) {
    for (const m of isConfigMapKey(k)) out.push(invalid(`binaryData[${k}]`, q(k), m));
    const e = base64Error(v);
    if (e) out.push(invalid(`binaryData[${k}]`, q(v), e));
    total += typeof v === 'string' ? Math.floor((v.length * 3) / 4) : 0;
  }
  if (total > MAX_DATA_SIZE) out.push({ field: '', type: 'Too long', detail: `must have at most ${MAX_DATA_SIZE} bytes` });
  return out;
}

/** encoding/base64 (StdEncoding) error text, or undefined when valid. */
export function base64Error(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/[\r\n]/g, ''); // Go's decoder skips newlines
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (!/[A-Za-z0-9+/=]/.test(c)) return `illegal base64 data at input byte ${i}`;
    if (c === '=' && !/^=*$/.test(s.slice(i))) return `illegal base64 data at input byte ${i}`;
  }
  if (s.length % 4 !== 0) return `illegal base64 data at input byte ${s.length - (s.length % 4)}`;
  if (/={3,}$/.test(s)) return `illegal base64 data at input byte ${s.length - 3}`;
  return undefined;
}

function secretErrors(obj: KObject): FieldError[] {
  const out: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(obj.data ?? {})) {
    for (const m of isConfigMapKey(k)) out.push(invalid(`data[${k}]`, q(k), m));
    const e = base64Error(v);
    if (e) out.push(invalid(`data[${k}]`, '"<secret contents redacted>"', e));
    total += typeof v === 'string' ? Math.floor((v.length * 3) / 4) : 0;
  }
  for (const k of Object.keys(obj.stringData ?? {})) for (const m of isConfigMapKey(k)) out.push(invalid(`stringData[${k}]`, q(k), m));
  if (total > MAX_DATA_SIZE) out.push({ field: 'data', type: 'Too long', detail: `must have at most ${MAX_DATA_SIZE} bytes` });
  const type = obj.type;
  if (type === 'kubernetes.io/tls') {
    const keys = { ...(obj.data ?? {}), ...(obj.stringData ?? {}) };
    if (!('tls.crt' in keys)) out.push(required('data[tls.crt]'));
    if (!('tls.key' in keys)) out.push(required('data[tls.key]'));
  } else if (type === 'kubernetes.io/dockerconfigjson') {
    const keys = { ...(obj.data ?? {}), ...(obj.stringData ?? {}) };
    if (!('.dockerconfigjson' in keys)) out.push(required('data[.dockerconfigjson]'));
  } else if (type === 'kubernetes.io/service-account-token') {
    if (!obj.metadata?.annotations?.['kubernetes.io/service-account.name']) out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return out;
}
