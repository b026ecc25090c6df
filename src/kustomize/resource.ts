// A resource as kustomize's accumulator holds it: the object plus what kustomize tracks beside
// it (previous ids for name references, the prefixes/suffixes applied, generator options).

import type { FieldSpec } from './fieldspecs';
import { splitApiVersion } from '../api/resources';

export type Obj = Record<string, unknown>;

export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

export interface Resource {
  obj: Obj;
  /** Ids before each rename (kustomize's previous-id build annotations), oldest first. */
  prevIds: ResId[];
  prefixes: string[];
  suffixes: string[];
  needsHash: boolean;
  behavior: 'create' | 'merge' | 'replace' | '';
}

export class KustomizeError extends Error {}

export function isMap(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function meta(obj: Obj): Obj {
  if (!isMap(obj.metadata)) obj.metadata = {};
  return obj.metadata as Obj;
}

export function curId(r: Resource): ResId {
  const { group, version } = splitApiVersion(String(r.obj.apiVersion ?? ''));
  const m = isMap(r.obj.metadata) ? r.obj.metadata : {};
  return { group, version, kind: String(r.obj.kind ?? ''), name: String(m.name ?? ''), namespace: String(m.namespace ?? '') };
}

/** The id before any rename: the first previous id, else the current one. */
export function orgId(r: Resource): ResId {
  return r.prevIds[0] ?? curId(r);
}

export function storePreviousId(r: Resource): void {
  const id = curId(r);
  r.prevIds.push({ ...id, namespace: effectiveNamespace(id) });
}

/** kustomize's "default" namespace for namespaced ids without one; cluster-scoped stay empty. */
export function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id)) return '';
  return id.namespace === '' ? 'default' : id.namespace;
}

// kyaml's list of cluster-scoped built-in kinds (openapi "namespaced: false").
const CLUSTER_SCOPED = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus',
  'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration',
  'Namespace', 'Node', 'PersistentVolume', 'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration',
  'RuntimeClass', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'StorageClass', 'SubjectAccessReview',
  'TokenReview', 'ValidatingWebhookConfiguration', 'VolumeAttachment', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'IPAddress', 'ServiceCIDR', 'SelfSubjectReview', 'VolumeAttributesClass',
]);

export function isClusterScoped(id: { kind: string }): boolean {
  return CLUSTER_SCOPED.has(id.kind);
}

export function gvkString(id: { group: string; version: string; kind: string }): string {
  return [id.kind || '[noKind]', id.version || '[noVer]', id.group || '[noGrp]'].join('.');
}

/** ResId.String(): `Deployment.v1.apps/web.[noNs]`, as kustomize's messages print ids. */
export function idString(id: ResId): string {
  return `${gvkString(id)}/${id.name || '[noName]'}.${id.namespace || '[noNs]'}`;
}

export function sameId(a: ResId, b: ResId): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind && a.name === b.name && nsEq(a, b);
}

/** kustomize's IsNsEquals: "" and "default" are the same namespace for namespaced kinds. */
export function nsEq(a: ResId, b: ResId): boolean {
  return effectiveNamespace(a) === effectiveNamespace(b);
}

/** Gvk.IsSelected: every part the selector sets must match. */
export function gvkSelected(id: { group: string; version: string; kind: string }, sel: { group?: string; version?: string; kind?: string }): boolean {
  if (sel.group && sel.group !== id.group) return false;
  if (sel.version && sel.version !== id.version) return false;
  if (sel.kind && sel.kind !== id.kind) return false;
  return true;
}

export function cloneObj<T>(v: T): T {
  return structuredClone(v);
}

// ---- field specs: walk a path (`a/b[]/c`, sequences traversed) and act at its end ----

export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (path[i] === '/') {
      out.push(cur);
      cur = '';
    } else cur += path[i];
  }
  out.push(cur);
  return out;
}

export type CreateKind = 'map' | 'scalar' | undefined;

/**
 * Applies `set(container, key)` at every field the spec reaches in `obj` (kustomize's
 * fieldspec.Filter). With `create` and a createKind, missing fields are made on the way.
 */
export function applyFieldSpec(obj: Obj, fs: FieldSpec, createKind: CreateKind, set: (container: Obj, key: string) => void): void {
  const { group, version } = splitApiVersion(String(obj.apiVersion ?? ''));
  if (!gvkSelected({ group, version, kind: String(obj.kind ?? '') }, fs)) return;
  const path = splitPath(fs.path);
  const walk = (node: unknown, i: number, container: Obj | undefined, key: string | undefined): void => {
    if (i === path.length) {
      if (container && key !== undefined) set(container, key);
      return;
    }
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      node.forEach((el, j) => walk(el, i, node as unknown as Obj, String(j)));
      return;
    }
    if (!isMap(node)) throw new KustomizeError(`considering field '${fs.path}' of object: expected sequence or mapping node`);
    const seg = path[i];
    const isSeq = seg.endsWith('[]');
    const name = isSeq ? seg.slice(0, -2) : seg;
    let field = node[name];
    if (field === undefined || field === null) {
      if (!fs.create || !createKind || isSeq) {
        if (field === undefined) return;
      } else if (i === path.length - 1) {
        if (createKind === 'map' && field == null) node[name] = {};
        else if (field === undefined) node[name] = null;
        field = node[name];
      } else {
        node[name] = {};
        field = node[name];
      }
    }
    walk(field, i + 1, node, name);
  };
  walk(obj, 0, undefined, undefined);
}

// ---- kustomize's legacy kind order (output sort, and the order of field spec lists) ----

export const ORDER_FIRST = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role', 'ClusterRole',
  'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget',
];
export const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

export function typeOrder(kind: string, first = ORDER_FIRST, last = ORDER_LAST): number {
  const f = first.indexOf(kind);
  if (f >= 0) return -first.length + f;
  const l = last.indexOf(kind);
  return l >= 0 ? 1 + l : 0;
}


/** Gvk.IsLessThan, for sorting field spec lists as kustomize's config loader does. */
export function gvkLess(a: { group?: string; version?: string; kind?: string }, b: { group?: string; version?: string; kind?: string }): number {
  const [ia, ib] = [typeOrder(a.kind ?? ''), typeOrder(b.kind ?? '')];
  if (ia !== ib) return ia - ib;
  const s = (x: typeof a) => [x.group || '~G', x.version || '~V', x.kind || '~K'].join('_');
  return s(a) < s(b) ? -1 : s(a) > s(b) ? 1 : 0;
}
