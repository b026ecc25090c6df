// Update rules (ValidateXUpdate): immutable fields, with the apiserver's messages.
import type { FieldError } from '../errors';
import type { ResourceType } from '../resources';
import type { KObject } from '../types';
import { goQuote } from '../../util/go-format';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
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
  if ((om.namespace ?? '') !== (nm.namespace ?? '') && nm.namespace !== undefined) out.push(immutable('metadata.namespace', JSON.stringify(nm.namespace)));
  if (om.name && nm.name && om.name !== nm.name) out.push(immutable('metadata.name', JSON.stringify(nm.name)));
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
      if (!same(strip(os), strip(ns))) out.push({ field: 'spec', type: 'Forbidden', detail: POD_MUTABLE_TEXT });
      const ot: any[] = os.tolerations ?? [];
      const nt: any[] = ns.tolerations ?? [];
      if (!ot.every((t) => nt.some((u) => same(t, u)))) out.push({ field: 'spec.tolerations', type: 'Forbidden', detail: 'existing toleration can not be modified except its tolerationSeconds' });
      break;
    }
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
