// Discovery documents from the resource registry: the legacy ones (/api, /apis, /api/v1,
// /apis/G/V) and the aggregated apidiscovery.k8s.io/v2 lists kubectl 1.32 asks for first.

import { atVersion, type ResourceRegistry, type ResourceType } from '../resources';
import { metricsDiscoveryItem, metricsGroup } from './metrics';
import { REVIEW_GROUP_VERSIONS, reviewDiscoveryItems } from './reviews';
import { compareKubeAwareVersions, groupPriority, type ProxiedGroupVersion } from '../apiservices';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface Sub {
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: string[];
}

const GPU = ['get', 'patch', 'update'];

/** The subresources each built-in kind serves (kube-apiserver's storage map). */
export function subresourcesOf(rt: ResourceType): Sub[] {
  const status: Sub = { name: 'status', kind: rt.kind, group: rt.group, version: rt.version, verbs: GPU };
  const scale: Sub = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: GPU };
  // apiextensions-apiserver's discovery: status, then scale, each only if the CRD declares it.
  if (rt.crd) return [...(rt.crdSubresources?.status ? [status] : []), ...(rt.crdSubresources?.scale ? [scale] : [])];
  const key = `${rt.group}/${rt.kind}`;
  switch (key) {
    case '/Pod':
      return [
        { name: 'attach', kind: 'PodAttachOptions', group: '', version: 'v1', verbs: ['create', 'get'] },
        { name: 'binding', kind: 'Binding', group: '', version: 'v1', verbs: ['create'] },
        { name: 'ephemeralcontainers', kind: 'Pod', group: '', version: 'v1', verbs: GPU },
        { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
        { name: 'exec', kind: 'PodExecOptions', group: '', version: 'v1', verbs: ['create', 'get'] },
        { name: 'log', kind: 'Pod', group: '', version: 'v1', verbs: ['get'] },
        { name: 'portforward', kind: 'PodPortForwardOptions', group: '', version: 'v1', verbs: ['create', 'get'] },
        { name: 'proxy', kind: 'PodProxyOptions', group: '', version: 'v1', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
        status,
      ];
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/StatefulSet':
    case '/ReplicationController':
      return [scale, status];
    case '/Namespace':
      return [{ name: 'finalize', kind: 'Namespace', group: '', version: 'v1', verbs: ['update'] }, status];
    case '/ConfigMap': case '/Secret': case '/Event': case '/Endpoints': case '/LimitRange': case '/PodTemplate':
    case '/Binding': case '/ComponentStatus':
    case 'apps/ControllerRevision': case 'events.k8s.io/Event': case 'coordination.k8s.io/Lease':
    case 'discovery.k8s.io/EndpointSlice': case 'networking.k8s.io/IngressClass': case 'networking.k8s.io/NetworkPolicy':
    case 'node.k8s.io/RuntimeClass': case 'scheduling.k8s.io/PriorityClass': case 'storage.k8s.io/StorageClass':
    case 'storage.k8s.io/CSIDriver': case 'storage.k8s.io/CSINode': case 'storage.k8s.io/CSIStorageCapacity':
    case 'admissionregistration.k8s.io/MutatingWebhookConfiguration': case 'admissionregistration.k8s.io/ValidatingWebhookConfiguration':
      return [];
    case 'certificates.k8s.io/CertificateSigningRequest':
      return [{ name: 'approval', kind: 'CertificateSigningRequest', group: 'certificates.k8s.io', version: 'v1', verbs: GPU }, status];
    case '/ServiceAccount':
      return [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }];
    case '/Service':
      return [{ name: 'proxy', kind: 'ServiceProxyOptions', group: '', version: 'v1', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, status];
    case '/Node':
      return [{ name: 'proxy', kind: 'NodeProxyOptions', group: '', version: 'v1', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, status];
    default:
      if (rt.group.startsWith('rbac.')) return [];
      return [status];
  }
}

function verbsOf(rt: ResourceType): string[] {
  return rt.verbs;
}

/** Groups of resources that are questions (reviews), not stored objects: not in the registry. */
export function reviewGroups(registry: ResourceRegistry): { name: string; versions: string[] }[] {
  const have = new Set(registry.all().map((t) => t.group));
  return REVIEW_GROUP_VERSIONS.map((gv) => gv.split('/')).filter(([g]) => !have.has(g)).map(([name, version]) => ({ name, versions: [version] }));
}

/** Groups in discovery order, each with its versions (preferred first). */
export function groupsOf(registry: ResourceRegistry): { name: string; versions: string[] }[] {
  const out: { name: string; versions: string[] }[] = [];
  for (const t of registry.all()) {
    if (!t.group) continue;
    let g = out.find((x) => x.name === t.group);
    if (!g) out.push((g = { name: t.group, versions: [] }));
    for (const v of t.versions) if (!g.versions.includes(v)) g.versions.push(v);
  }
  return out;
}

export function typesIn(registry: ResourceRegistry, group: string, version: string): ResourceType[] {
  return registry.all().filter((t) => t.group === group && t.versions.includes(version));
}

export function apiVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
}

type GroupDoc = ReturnType<typeof metricsGroup>;

function groupDoc(g: { name: string; versions: string[] }): GroupDoc {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0]! };
}

export function apiGroupList(registry: ResourceRegistry, proxied: ProxiedGroupVersion[] = []): Record<string, unknown> {
  // metrics.k8s.io is an aggregated group (metrics-server's APIService): listed last
  const groups: GroupDoc[] = [...groupsOf(registry).map(groupDoc), ...reviewGroups(registry).map(groupDoc), metricsGroup()];
  // the aggregator's /apis lists every APIService's group, Available or not (handler_apis.go)
  const crdGroups = new Set(registry.all().filter((t) => t.crd).map((t) => t.group));
  const key = (name: string, tie: string, priority = groupPriority(name, crdGroups.has(name))) => ({ priority, tie });
  for (const g of proxiedGroups(proxied, (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const have = groups.find((x) => x.name === g.name);
    if (have) {
      for (const v of g.versions) if (!have.versions.some((x) => x.version === v.version)) have.versions.push({ groupVersion: `${g.name}/${v.version}`, version: v.version });
      continue;
    }
    const at = lastBefore(groups, (x) => !before(key(g.name, g.versions[0]!.name, g.priority), key(x.name, `${x.preferredVersion.version}.${x.name}`)));
    groups.splice(at + 1, 0, groupDoc({ name: g.name, versions: g.versions.map((v) => v.version) }));
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/**
 * Where a proxied group goes: after the last group that sorts before it (kubesim's own groups
 * are not all in kube's priority order, so not before the first that sorts after it).
 */
function lastBefore<T>(list: T[], sortsBefore: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (sortsBefore(list[i]!)) return i;
  return -1;
}

/** Whether a group of priority/tie `a` sorts before `b` (priority high first, then the tie-breaking name). */
function before(a: { priority: number; tie: string }, b: { priority: number; tie: string }): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.tie < b.tie);
}

/** The proxied group/versions by group, in the aggregator's order (SortedByGroupAndVersion): group priority, then `tie`; versions by priority, then kube's version order. */
function proxiedGroups(proxied: ProxiedGroupVersion[], tie: (a: ProxiedGroupVersion, b: ProxiedGroupVersion) => number): { name: string; priority: number; versions: ProxiedGroupVersion[] }[] {
  const sorted = [...proxied].sort((a, b) => b.groupPriorityMinimum - a.groupPriorityMinimum || tie(a, b));
  const out: { name: string; priority: number; versions: ProxiedGroupVersion[] }[] = [];
  for (const gv of sorted) {
    const g = out.find((x) => x.name === gv.group);
    if (g) g.versions.push(gv);
    else out.push({ name: gv.group, priority: gv.groupPriorityMinimum, versions: [gv] });
  }
  for (const g of out) g.versions.sort((a, b) => b.versionPriority - a.versionPriority || compareKubeAwareVersions(a.version, b.version));
  return out;
}

export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  const g = [...groupsOf(registry), ...reviewGroups(registry)].find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) } : undefined;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = typesIn(registry, group, version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: verbsOf(t) };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const s of subresourcesOf(atVersion(t, version))) {
      // A subresource of another group names its group and version (kubectl's drain finds the Eviction by them), as kube-apiserver's installer.
      const gv = s.group !== t.group || s.version !== version ? { group: s.group, version: s.version } : {};
      resources.push({ name: `${t.plural}/${s.name}`, singularName: '', namespaced: t.namespaced, ...gv, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function discoveryResource(t: ResourceType, version: string): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: verbsOf(t),
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  const subs = subresourcesOf(atVersion(t, version));
  if (subs.length) r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
  return r;
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (legacy) or /apis. */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, proxied: ProxiedGroupVersion[] = []): Record<string, unknown> {
  const groups = legacy ? [{ name: '', versions: ['v1'] }] : groupsOf(registry);
  const items: { metadata: Record<string, unknown>; versions: Record<string, unknown>[] }[] = groups.map((g) => ({
    metadata: legacy ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
    versions: g.versions.map((v) => ({ version: v, resources: typesIn(registry, g.name, v).map((t) => discoveryResource(t, v)), freshness: 'Current' })),
  }));
  if (!legacy) {
    const have = new Set(groups.map((g) => g.name));
    for (const item of reviewDiscoveryItems()) if (!have.has((item.metadata as { name: string }).name)) items.push(item as (typeof items)[number]);
    items.push(metricsDiscoveryItem() as (typeof items)[number]);
    addStaleVersions(items, registry, proxied);
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

/**
 * kube-aggregator's discovery manager (handler_discovery.go, syncAPIService): a proxied
 * group/version whose discovery GET fails (its APIService not Available: the proxy's 503) is
 * listed with no resources, freshness Stale; kubectl counts it a failed group/version.
 */
function addStaleVersions(items: { metadata: Record<string, unknown>; versions: Record<string, unknown>[] }[], registry: ResourceRegistry, proxied: ProxiedGroupVersion[]): void {
  const crdGroups = new Set(registry.all().filter((t) => t.crd).map((t) => t.group));
  const nameOf = (item: (typeof items)[number]) => String(item.metadata.name);
  for (const g of proxiedGroups(proxied, (a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))) {
    const versions = g.versions.filter((v) => !v.answered).map((v) => ({ version: v.version, freshness: 'Stale' }));
    const item = items.find((x) => nameOf(x) === g.name);
    if (item) {
      for (const v of versions) {
        const i = item.versions.findIndex((x) => x.version === v.version);
        if (i >= 0) item.versions[i] = v;
        else item.versions.push(v);
      }
      continue;
    }
    if (!versions.length) continue;
    const at = lastBefore(items, (x) => !before({ priority: g.priority, tie: g.name }, { priority: groupPriority(nameOf(x), crdGroups.has(nameOf(x))), tie: nameOf(x) }));
    items.splice(at + 1, 0, { metadata: { name: g.name, creationTimestamp: null }, versions });
  }
}
