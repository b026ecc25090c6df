// Cross-object lint: what a cluster never reports but a reviewer would catch. Services
// and PDBs selecting no pod template, ports nobody exposes, Ingress backends and HPA targets
// that do not exist, PDBs that block every eviction, references to undefined objects.

import type { KObject } from '../api/types';
import type { RawFinding } from './types';
import { containersOf, labelSelectorMatches, mapSelectorMatches, podTemplate, replicasOf, type Path, type PodTemplateRef } from './pod-templates';

export interface LintInput {
  obj: KObject;
  /** Namespace the object lands in ('' for cluster-scoped kinds). */
  namespace: string;
}

/** Objects defined outside the inputs: in the throwaway cluster, or declared with --assume-exists. */
export type ExistsOutside = (kind: string, namespace: string, name: string) => boolean;

export interface LintFinding {
  index: number;
  finding: RawFinding;
}

const CLUSTER_SCOPED_REFS = new Set(['PriorityClass', 'StorageClass']);

function quoteSelector(sel: Record<string, string>): string {
  return Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');
}

interface Workload {
  index: number;
  obj: KObject;
  namespace: string;
  t: PodTemplateRef;
}

export function lintObjects(inputs: LintInput[], existsOutside: ExistsOutside): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (index: number, f: RawFinding) => out.push({ index, finding: f });
  const defined = new Set(inputs.map((i) => `${i.obj.kind}|${CLUSTER_SCOPED_REFS.has(i.obj.kind) ? '' : i.namespace}|${i.obj.metadata?.name}`));
  // Static binding: a PVC of class "manual" binds to a PV of class "manual" with no StorageClass object.
  const pvClasses = new Set(inputs.filter((i) => i.obj.kind === 'PersistentVolume').map((i) => i.obj.spec?.storageClassName).filter((c) => typeof c === 'string'));
  const exists = (kind: string, namespace: string, name: string) => {
    if (kind === 'StorageClass' && pvClasses.has(name)) return true;
    const ns = CLUSTER_SCOPED_REFS.has(kind) ? '' : namespace;
    return defined.has(`${kind}|${ns}|${name}`) || existsOutside(kind, ns, name);
  };
  const workloads: Workload[] = [];
  inputs.forEach((i, index) => {
    const t = podTemplate(i.obj);
    if (t && i.obj.kind !== 'PodTemplate') workloads.push({ index, obj: i.obj, namespace: i.namespace, t });
  });
  const inNs = (ns: string) => workloads.filter((w) => w.namespace === ns);

  inputs.forEach((input, index) => {
    const { obj, namespace: ns } = input;
    const name = obj.metadata?.name ?? '';
    switch (obj.kind) {
      case 'Service': lintService(obj, ns, index, inNs(ns), add); break;
      case 'Ingress': lintIngress(obj, ns, index, inputs, exists, add); break;
      case 'HorizontalPodAutoscaler': {
        const ref = obj.spec?.scaleTargetRef;
        if (ref?.kind && ref?.name && !exists(ref.kind, ns, ref.name)) {
          add(index, {
            ruleId: 'lint/hpa-target', severity: 'error', path: ['spec', 'scaleTargetRef', 'name'],
            message: `HorizontalPodAutoscaler "${name}" targets ${ref.kind} "${ref.name}", which is not defined in namespace "${ns}"`,
            hint: `define the ${ref.kind}, fix scaleTargetRef, or pass --assume-exists ${ref.kind.toLowerCase()}/${ref.name} if it already exists in the cluster`,
          });
        }
        break;
      }
      case 'PodDisruptionBudget': lintPdb(obj, ns, index, inNs(ns), add); break;
      case 'PersistentVolumeClaim': {
        const sc = obj.spec?.storageClassName;
        if (typeof sc === 'string' && sc !== '' && !exists('StorageClass', '', sc)) add(index, missing('StorageClass', sc, '', ['spec', 'storageClassName'], obj));
        break;
      }
    }
    if (obj.kind === 'StatefulSet') {
      (Array.isArray(obj.spec?.volumeClaimTemplates) ? obj.spec.volumeClaimTemplates : []).forEach((vct: any, i: number) => {
        const sc = vct?.spec?.storageClassName;
        if (typeof sc === 'string' && sc !== '' && !exists('StorageClass', '', sc)) add(index, missing('StorageClass', sc, '', ['spec', 'volumeClaimTemplates', i, 'spec', 'storageClassName'], obj));
      });
    }
    const t = podTemplate(obj);
    if (t && obj.kind !== 'PodTemplate') {
      for (const ref of podSpecRefs(t.spec, t.specPath, obj)) {
        if (ref.optional) continue;
        if (!exists(ref.kind, ns, ref.name)) add(index, missing(ref.kind, ref.name, ns, ref.path, obj));
      }
    }
  });
  return out;
}

function missing(kind: string, name: string, ns: string, path: Path, owner: KObject): RawFinding {
  const where = CLUSTER_SCOPED_REFS.has(kind) ? '' : ` in namespace "${ns}"`;
  return {
    ruleId: 'lint/missing-reference', severity: 'error', path,
    message: `${owner.kind} "${owner.metadata?.name}" references ${kind} "${name}", which is not defined${where}`,
    hint: `define the ${kind}, or pass --assume-exists ${kind.toLowerCase()}/${name} if it already exists in the cluster`,
  };
}

interface Ref {
  kind: string;
  name: string;
  path: Path;
  optional?: boolean;
}

/** ServiceAccount, PriorityClass, ConfigMaps, Secrets and PVCs a pod spec needs. */
export function podSpecRefs(spec: any, base: Path, owner?: KObject): Ref[] {
  const refs: Ref[] = [];
  if (typeof spec?.serviceAccountName === 'string' && spec.serviceAccountName !== 'default') refs.push({ kind: 'ServiceAccount', name: spec.serviceAccountName, path: [...base, 'serviceAccountName'] });
  else if (typeof spec?.serviceAccount === 'string' && spec.serviceAccount !== 'default' && spec.serviceAccountName === undefined) refs.push({ kind: 'ServiceAccount', name: spec.serviceAccount, path: [...base, 'serviceAccount'] });
  if (typeof spec?.priorityClassName === 'string' && spec.priorityClassName) refs.push({ kind: 'PriorityClass', name: spec.priorityClassName, path: [...base, 'priorityClassName'] });
  for (const { list, index, c } of containersOf(spec)) {
    const cp = [...base, list, index];
    (Array.isArray(c.envFrom) ? c.envFrom : []).forEach((e: any, i: number) => {
      if (e?.configMapRef?.name) refs.push({ kind: 'ConfigMap', name: e.configMapRef.name, path: [...cp, 'envFrom', i, 'configMapRef', 'name'], optional: e.configMapRef.optional === true });
      if (e?.secretRef?.name) refs.push({ kind: 'Secret', name: e.secretRef.name, path: [...cp, 'envFrom', i, 'secretRef', 'name'], optional: e.secretRef.optional === true });
    });
    (Array.isArray(c.env) ? c.env : []).forEach((e: any, i: number) => {
      const cm = e?.valueFrom?.configMapKeyRef;
      const s = e?.valueFrom?.secretKeyRef;
      if (cm?.name) refs.push({ kind: 'ConfigMap', name: cm.name, path: [...cp, 'env', i, 'valueFrom', 'configMapKeyRef', 'name'], optional: cm.optional === true });
      if (s?.name) refs.push({ kind: 'Secret', name: s.name, path: [...cp, 'env', i, 'valueFrom', 'secretKeyRef', 'name'], optional: s.optional === true });
    });
  }
  (Array.isArray(spec?.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    const vp = [...base, 'volumes', i];
    if (v?.configMap?.name) refs.push({ kind: 'ConfigMap', name: v.configMap.name, path: [...vp, 'configMap', 'name'], optional: v.configMap.optional === true });
    if (v?.secret?.secretName) refs.push({ kind: 'Secret', name: v.secret.secretName, path: [...vp, 'secret', 'secretName'], optional: v.secret.optional === true });
    if (v?.persistentVolumeClaim?.claimName) refs.push({ kind: 'PersistentVolumeClaim', name: v.persistentVolumeClaim.claimName, path: [...vp, 'persistentVolumeClaim', 'claimName'], optional: isStatefulClaim(owner, v.persistentVolumeClaim.claimName) });
    (Array.isArray(v?.projected?.sources) ? v.projected.sources : []).forEach((src: any, j: number) => {
      if (src?.configMap?.name) refs.push({ kind: 'ConfigMap', name: src.configMap.name, path: [...vp, 'projected', 'sources', j, 'configMap', 'name'], optional: src.configMap.optional === true });
      if (src?.secret?.name) refs.push({ kind: 'Secret', name: src.secret.name, path: [...vp, 'projected', 'sources', j, 'secret', 'name'], optional: src.secret.optional === true });
    });
  });
  return refs;
}

/** A StatefulSet's claim templates are created by the controller, not defined by hand. */
function isStatefulClaim(owner: KObject | undefined, claim: string): boolean {
  return owner?.kind === 'StatefulSet' && (owner.spec?.volumeClaimTemplates ?? []).some((t: any) => t?.metadata?.name === claim);
}

/** Key references to a ConfigMap/Secret (for placeholders of --assume-exists objects). */
export function keyRefs(spec: any): { kind: 'ConfigMap' | 'Secret'; name: string; key: string }[] {
  const out: { kind: 'ConfigMap' | 'Secret'; name: string; key: string }[] = [];
  for (const { c } of containersOf(spec)) {
    for (const e of Array.isArray(c.env) ? c.env : []) {
      const cm = e?.valueFrom?.configMapKeyRef;
      const s = e?.valueFrom?.secretKeyRef;
      if (cm?.name && cm.key) out.push({ kind: 'ConfigMap', name: cm.name, key: cm.key });
      if (s?.name && s.key) out.push({ kind: 'Secret', name: s.name, key: s.key });
    }
  }
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    for (const it of v?.configMap?.items ?? []) if (v.configMap.name && it?.key) out.push({ kind: 'ConfigMap', name: v.configMap.name, key: it.key });
    for (const it of v?.secret?.items ?? []) if (v.secret.secretName && it?.key) out.push({ kind: 'Secret', name: v.secret.secretName, key: it.key });
  }
  return out;
}

function lintService(svc: KObject, ns: string, index: number, workloads: Workload[], add: (i: number, f: RawFinding) => void): void {
  const sel = svc.spec?.selector;
  if (svc.spec?.type === 'ExternalName' || !sel || typeof sel !== 'object' || !Object.keys(sel).length) return;
  const selected = workloads.filter((w) => mapSelectorMatches(sel, w.t.labels));
  const name = svc.metadata?.name;
  if (!selected.length) {
    add(index, {
      ruleId: 'lint/service-selector', severity: 'error', path: ['spec', 'selector'],
      message: `Service "${name}" selects ${quoteSelector(sel)}, but no pod template in namespace "${ns}" has these labels`,
      hint: 'the Service gets no endpoints; make the selector match the labels of a workload\'s pod template',
    });
    return;
  }
  const containers = selected.flatMap((w) => containersOf(w.t.spec).filter((x) => x.list === 'containers').map((x) => x.c));
  const declared = containers.flatMap((c) => (Array.isArray(c.ports) ? c.ports : []));
  (Array.isArray(svc.spec?.ports) ? svc.spec.ports : []).forEach((p: any, i: number) => {
    const target = p?.targetPort ?? p?.port;
    if (target === undefined) return;
    const path = ['spec', 'ports', i, p?.targetPort !== undefined ? 'targetPort' : 'port'];
    const proto = p?.protocol ?? 'TCP';
    const isNamed = typeof target === 'string' && !/^\d+$/.test(target);
    if (isNamed) {
      if (!declared.some((cp: any) => cp?.name === target && (cp.protocol ?? 'TCP') === proto)) {
        add(index, {
          ruleId: 'lint/service-target-port', severity: 'error', path,
          message: `Service "${name}" port ${p?.port}: targetPort "${target}" is not the name of a ${proto} port of any selected container (${selectedNames(selected)})`,
          hint: declared.length ? `named ports of the selected containers: ${[...new Set(declared.map((cp: any) => cp?.name).filter(Boolean))].join(', ') || '(none)'}` : 'the selected containers declare no ports',
        });
      }
    } else {
      const n = Number(target);
      if (!declared.some((cp: any) => cp?.containerPort === n && (cp.protocol ?? 'TCP') === proto)) {
        add(index, {
          ruleId: 'lint/service-target-port', severity: declared.length ? 'error' : 'warning', path,
          message: `Service "${name}" port ${p?.port}: targetPort ${n} is not a ${proto} containerPort of any selected container (${selectedNames(selected)})`,
          hint: declared.length ? `container ports of the selected containers: ${[...new Set(declared.map((cp: any) => cp?.containerPort))].join(', ')}` : 'the selected containers declare no ports; declare the port the application listens on',
        });
      }
    }
  });
}

function selectedNames(ws: Workload[]): string {
  return ws.map((w) => `${w.obj.kind}/${w.obj.metadata?.name}`).join(', ');
}

function lintIngress(ing: KObject, ns: string, index: number, inputs: LintInput[], exists: (k: string, ns: string, n: string) => boolean, add: (i: number, f: RawFinding) => void): void {
  const backends: { b: any; path: Path }[] = [];
  if (ing.spec?.defaultBackend) backends.push({ b: ing.spec.defaultBackend, path: ['spec', 'defaultBackend'] });
  (Array.isArray(ing.spec?.rules) ? ing.spec.rules : []).forEach((r: any, i: number) => {
    (Array.isArray(r?.http?.paths) ? r.http.paths : []).forEach((p: any, j: number) => {
      if (p?.backend) backends.push({ b: p.backend, path: ['spec', 'rules', i, 'http', 'paths', j, 'backend'] });
    });
  });
  for (const { b, path } of backends) {
    const s = b?.service;
    if (!s?.name) continue;
    const svc = inputs.find((x) => x.obj.kind === 'Service' && x.namespace === ns && x.obj.metadata?.name === s.name)?.obj;
    if (!svc) {
      if (!exists('Service', ns, s.name)) {
        add(index, {
          ruleId: 'lint/ingress-backend', severity: 'error', path: [...path, 'service', 'name'],
          message: `Ingress "${ing.metadata?.name}" routes to Service "${s.name}", which is not defined in namespace "${ns}"`,
          hint: `define the Service, or pass --assume-exists service/${s.name} if it already exists in the cluster`,
        });
      }
      continue;
    }
    const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    const port = s.port ?? {};
    if (port.number !== undefined && !ports.some((p) => p?.port === port.number)) {
      add(index, {
        ruleId: 'lint/ingress-backend', severity: 'error', path: [...path, 'service', 'port', 'number'],
        message: `Ingress "${ing.metadata?.name}" routes to port ${port.number} of Service "${s.name}", which has no such port (ports: ${ports.map((p) => p?.port).join(', ') || 'none'})`,
      });
    } else if (port.name !== undefined && !ports.some((p) => p?.name === port.name)) {
      add(index, {
        ruleId: 'lint/ingress-backend', severity: 'error', path: [...path, 'service', 'port', 'name'],
        message: `Ingress "${ing.metadata?.name}" routes to port "${port.name}" of Service "${s.name}", which has no port of that name (names: ${ports.map((p) => p?.name).filter(Boolean).join(', ') || 'none'})`,
      });
    }
  }
}

function lintPdb(pdb: KObject, ns: string, index: number, workloads: Workload[], add: (i: number, f: RawFinding) => void): void {
  const name = pdb.metadata?.name;
  const sel = pdb.spec?.selector;
  if (!sel) return;
  const selected = workloads.filter((w) => labelSelectorMatches(sel, w.t.labels));
  if (!selected.length) {
    add(index, {
      ruleId: 'lint/pdb-selector', severity: 'error', path: ['spec', 'selector'],
      message: `PodDisruptionBudget "${name}" selects no pod template in namespace "${ns}"`,
      hint: 'the budget protects nothing; make the selector match the labels of a workload\'s pod template',
    });
    return;
  }
  const mu = pdb.spec?.maxUnavailable;
  const ma = pdb.spec?.minAvailable;
  const counts = selected.map((w) => replicasOf(w.obj));
  const total = counts.every((c) => c !== undefined) ? counts.reduce((a: number, b) => a + (b ?? 0), 0) : undefined;
  let why: string | undefined;
  let path: Path = ['spec'];
  if (mu === 0 || mu === '0%') {
    why = `maxUnavailable is ${JSON.stringify(mu)}`;
    path = ['spec', 'maxUnavailable'];
  } else if (ma === '100%') {
    why = 'minAvailable is "100%"';
    path = ['spec', 'minAvailable'];
  } else if (typeof ma === 'number' && total !== undefined && ma >= total) {
    why = `minAvailable ${ma} >= ${total} replica${total === 1 ? '' : 's'} of ${selectedNames(selected)}`;
    path = ['spec', 'minAvailable'];
  }
  if (why) {
    add(index, {
      ruleId: 'lint/pdb-blocks-eviction', severity: 'warning', path,
      message: `PodDisruptionBudget "${name}" allows no voluntary eviction (${why}): node drains and cluster upgrades will block`,
      hint: 'allow at least one disruption: lower minAvailable below the replica count, or set maxUnavailable to 1',
    });
  }
}
