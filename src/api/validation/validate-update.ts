// Update rules (ValidateXUpdate): immutable fields, with the apiserver's messages.
import { resourceQuotaUpdateErrors } from './resource-quota';
import type { FieldError } from '../errors';
import type { ResourceType } from '../resources';
import type { KObject } from '../types';
import { byteOrder, goQuote, goStringSlice } from '../../util/go-format';
import { stringifyJson } from '../../util/exact-json';

function same(a: unknown, b: unknown): boolean {
  return stringifyJson(canon(a)) === stringifyJson(canon(b));
}

function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if ((v as any)[k] !== undefined && (v as any)[k] !== null) o[k] = canon((v as any)[k]);
    return o;
  }
  return v;
}

const immutable = (field: string, value: string): FieldError => ({ field, type: 'Invalid value', value, detail: 'field is immutable' });

function goValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (v && typeof v === 'object' && 'matchLabels' in (v as any)) {
    const ml = (v as any).matchLabels as Record<string, string> | undefined;
    const m = ml ? `map[string]string{${Object.keys(ml).sort().map((k) => `${goQuote(k)}:${goQuote(ml[k])}`).join(', ')}}` : 'map[string]string(nil)';
    return `v1.LabelSelector{MatchLabels:${m}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`;
  }
  return JSON.stringify(v);
}

const STS_MUTABLE = ['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals'];
const POD_MUTABLE_TEXT =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

export function validateUpdate(oldObj: KObject, newObj: KObject, rt: ResourceType): FieldError[] {
  const out: FieldError[] = [];
  const om = oldObj.metadata ?? {};
  const nm = newObj.metadata ?? {};
  // ValidateObjectMetaAccessorUpdate: an object being deleted takes no new finalizers (sets.String's sorted List).
  if (om.deletionTimestamp) {
    const added = [...new Set<string>(nm.finalizers ?? [])].filter((f) => !(om.finalizers ?? []).includes(f)).sort(byteOrder);
    if (added.length) out.push({ field: 'metadata.finalizers', type: 'Forbidden', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}` });
  }
  if (om.name && nm.name && om.name !== nm.name) out.push(immutable('metadata.name', JSON.stringify(nm.name)));
  if ((om.namespace ?? '') !== (nm.namespace ?? '') && nm.namespace !== undefined) out.push(immutable('metadata.namespace', JSON.stringify(nm.namespace)));
  if (om.uid && nm.uid && om.uid !== nm.uid) out.push(immutable('metadata.uid', JSON.stringify(nm.uid)));
  if (rt.crd) return out;
  const os = oldObj.spec ?? {};
  const ns = newObj.spec ?? {};
  switch (rt.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      if (!same(os.selector, ns.selector)) out.push(immutable('spec.selector', goValue(ns.selector)));
      break;
    case 'StatefulSet': {
      const strip = (s: any) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !STS_MUTABLE.includes(k)));
      if (!same(strip(os), strip(ns))) {
        out.push({ field: 'spec', type: 'Forbidden', detail: "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" });
      }
      break;
    }
    case 'Job':
      if (!same(os.selector, ns.selector)) out.push(immutable('spec.selector', goValue(ns.selector)));
      if (!same(os.template, ns.template)) out.push(immutable('spec.template', 'core.PodTemplateSpec{...}'));
      if (os.completions !== ns.completions && !(os.completionMode === 'Indexed' && ns.completions === ns.parallelism)) {
        out.push(immutable('spec.completions', String(ns.completions)));
      }
      break;
    case 'Service':
      if (os.clusterIP && os.clusterIP !== '' && ns.clusterIP !== undefined && ns.clusterIP !== os.clusterIP && os.type !== 'ExternalName' && ns.type !== 'ExternalName') {
        out.push(immutable('spec.clusterIP', JSON.stringify(ns.clusterIP)));
      }
      break;
    case 'PersistentVolumeClaim': {
      const strip = (s: any) => ({ ...s, resources: { ...(s?.resources ?? {}), requests: undefined }, volumeName: s?.volumeName && undefined, volumeAttributesClassName: undefined });
      if (!same(strip(os), strip(ns))) out.push({ field: 'spec', type: 'Forbidden', detail: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' });
      const oldReq = os.resources?.requests?.storage;
      const newReq = ns.resources?.requests?.storage;
      if (oldReq && newReq && String(newReq) !== String(oldReq) && !os.volumeName) {
        out.push({ field: 'spec.resources.requests.storage', type: 'Forbidden', detail: 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize' });
      }
      break;
    }
    case 'Pod': {
      const strip = (s: any) => ({
        ...s,
        containers: (s?.containers ?? []).map((c: any) => ({ ...c, image: undefined })),
        initContainers: (s?.initContainers ?? []).map((c: any) => ({ ...c, image: undefined })),
        activeDeadlineSeconds: undefined,
        tolerations: undefined,
        terminationGracePeriodSeconds: undefined,
        nodeName: s?.nodeName && undefined, // set by binding
      });
      // validateOnlyAddedTolerations, before the rest of the spec is compared.
      const ot: any[] = os.tolerations ?? [];
      const nt: any[] = ns.tolerations ?? [];
      if (!ot.every((t) => nt.some((u) => same(t, u)))) out.push({ field: 'spec.tolerations', type: 'Forbidden', detail: 'existing toleration can not be modified except its tolerationSeconds' });
      if (!same(strip(os), strip(ns))) out.push({ field: 'spec', type: 'Forbidden', detail: POD_MUTABLE_TEXT });
      break;
    }
    case 'ResourceQuota':
      if (!rt.group) out.push(...resourceQuotaUpdateErrors(os, ns));
      break;
    case 'ConfigMap':
    case 'Secret':
      if (oldObj.immutable === true) {
        if (newObj.immutable !== true) out.push({ field: 'immutable', type: 'Forbidden', detail: 'field is immutable when `immutable` is set' });
        if (!same(oldObj.data, newObj.data)) out.push({ field: 'data', type: 'Forbidden', detail: 'field is immutable when `immutable` is set' });
        if (rt.kind === 'ConfigMap' && !same(oldObj.binaryData, newObj.binaryData)) out.push({ field: 'binaryData', type: 'Forbidden', detail: 'field is immutable when `immutable` is set' });
      }
      if (rt.kind === 'Secret' && (oldObj.type ?? 'Opaque') !== (newObj.type ?? 'Opaque')) out.push(immutable('type', JSON.stringify(newObj.type)));
      break;
  }
  return out;
}

/**
 * ValidatePodEphemeralContainersUpdate (pods/ephemeralcontainers): ephemeral containers may be
 * added, never removed or changed (checked by name: a patch need not keep their order). The
 * messages end in a newline, and a change's in go-cmp's diff, as kube-apiserver's do. newPod
 * differs from oldPod in its ephemeral containers only (the subresource's strategy dropped the rest).
 */
export function validateEphemeralContainersUpdate(oldPod: KObject, newPod: KObject): FieldError[] {
  const out: FieldError[] = [];
  if (oldPod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return [{ field: '', type: 'Forbidden', detail: 'static pods do not support ephemeral containers' }];
  const byName = new Map<string, any>();
  for (const c of newPod.spec?.ephemeralContainers ?? []) byName.set(c?.name, c);
  for (const old of oldPod.spec?.ephemeralContainers ?? []) {
    const now = byName.get(old.name);
    if (now === undefined) out.push({ field: 'spec.ephemeralContainers', type: 'Forbidden', detail: `existing ephemeral containers ${goQuote(old.name)} may not be removed\n` });
    else if (!same(old, now)) out.push({ field: 'spec.ephemeralContainers', type: 'Forbidden', detail: `existing ephemeral containers ${goQuote(old.name)} may not be changed\n${ephemeralDiff(old, now)}` });
  }
  return out;
}

// core.EphemeralContainerCommon's fields in Go's order (JSON name, Go name).
const COMMON_FIELDS = 'name image command args workingDir ports envFrom env resources resizePolicy restartPolicy volumeMounts volumeDevices livenessProbe readinessProbe startupProbe lifecycle terminationMessagePath terminationMessagePolicy imagePullPolicy securityContext stdin stdinOnce tty'.split(' ');
const goName = (f: string) => (f === 'tty' ? 'TTY' : f[0].toUpperCase() + f.slice(1));

/** go-cmp's report of two containers, abridged: changed fields as -/+ lines, the rest counted (go-cmp's own layout varies by design). */
function ephemeralDiff(a: any, b: any): string {
  const lines = ['  core.EphemeralContainer{', '  \tEphemeralContainerCommon: core.EphemeralContainerCommon{'];
  let same_ = 0;
  for (const f of COMMON_FIELDS) {
    if (same(a[f], b[f])) same_++;
    else {
      if (a[f] !== undefined) lines.push(`- \t\t${goName(f)}: ${goLiteral(a[f])},`);
      if (b[f] !== undefined) lines.push(`+ \t\t${goName(f)}: ${goLiteral(b[f])},`);
    }
  }
  if (same_) lines.push(`  \t\t... // ${same_} identical fields`);
  lines.push('  \t},');
  if (!same(a.targetContainerName, b.targetContainerName)) {
    lines.push(`- \tTargetContainerName: ${goLiteral(a.targetContainerName ?? '')},`, `+ \tTargetContainerName: ${goLiteral(b.targetContainerName ?? '')},`);
  }
  lines.push('  }', '');
  return lines.join('\n');
}

function goLiteral(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => goQuote(x)).join(', ')}}`;
  if (v === undefined || v === null) return 'nil';
  return typeof v === 'object' ? `{${JSON.stringify(v).slice(1, -1)}}` : String(v);
}
