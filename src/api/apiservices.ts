// The APIService objects kube-aggregator's autoregister controller keeps: one per built-in
// group/version the API server serves (label automanaged=onstart, kube-apiserver's
// apiVersionPriorities), and one per group/version a CustomResourceDefinition serves
// (crdregistration: automanaged=true, priorities 1000/100), removed when no CRD serves it.
// Local (no spec.service), so Available at once (strategies/apiregistration.ts).

import type { ApiServer } from './server';
import type { KObject } from './types';
import { ApiError } from './errors';
import { deepEqual } from '../util/json-equal';
// (from the registry, not rest/reviews: that module brings the REST handlers, protobuf and its
// descriptor into every verb that opens a cluster)
import { REVIEW_GROUP_VERSIONS } from './resources';

const AUTOMANAGED = 'kube-aggregator.kubernetes.io/automanaged';

/** cmd/kube-apiserver's apiVersionPriorities (with the generic ones) for what kubesim serves: [group, version priority]. */
const PRIORITIES: Record<string, [number, number]> = {
  'v1': [18000, 1],
  'apps/v1': [17800, 15],
  'events.k8s.io/v1': [17750, 15],
  'authentication.k8s.io/v1': [17700, 15],
  'authorization.k8s.io/v1': [17600, 15],
  'autoscaling/v2': [17500, 30],
  'autoscaling/v1': [17500, 15],
  'batch/v1': [17400, 15],
  'certificates.k8s.io/v1': [17300, 15],
  'networking.k8s.io/v1': [17200, 15],
  'policy/v1': [17100, 15],
  'rbac.authorization.k8s.io/v1': [17000, 15],
  'storage.k8s.io/v1': [16800, 15],
  'apiextensions.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1': [16700, 15],
  'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15],
  'node.k8s.io/v1': [16300, 15],
  'discovery.k8s.io/v1': [16200, 15],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
  'flowcontrol.apiserver.k8s.io/v1beta3': [16100, 18],
};

/** An APIService's name: `<version>.<group>` (`v1.` for the core group). */
function nameOf(group: string, version: string): string {
  return `${version}.${group}`;
}

function apiService(group: string, version: string, managed: 'onstart' | 'true', [groupPriorityMinimum, versionPriority]: [number, number]): KObject {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: nameOf(group, version), labels: { [AUTOMANAGED]: managed } },
    spec: { ...(group ? { group } : {}), groupPriorityMinimum, version, versionPriority },
  };
}

/** The built-in group/versions the server lists (the aggregator's own apiregistration.k8s.io is not among them). */
function builtinGroupVersions(api: ApiServer): string[] {
  const gvs = new Set<string>();
  for (const t of api.registry.all()) {
    if (t.crd || t.group === 'apiregistration.k8s.io') continue;
    for (const v of t.versions) gvs.add(t.group ? `${t.group}/${v}` : v);
  }
  for (const gv of REVIEW_GROUP_VERSIONS) gvs.add(gv);
  return [...gvs];
}

/**
 * autoregister's checkAPIService for the APIServices one party keeps (`owner`: onstart, the
 * built-in ones at start; true, the CRD ones): a desired one missing is created, one found
 * automanaged (either label) with another spec gets the desired spec, and one labelled
 * `owner` that is no longer desired is deleted. One a user made (no such label) is left
 * alone. Nothing is written when all is in line; a write another server made first (a
 * cluster served by several) is taken as done.
 */
async function reconcileApiServices(api: ApiServer, owner: 'onstart' | 'true', desired: KObject[], othersWant: Set<string>): Promise<void> {
  const rt = api.registry.forKind('apiregistration.k8s.io/v1', 'APIService');
  const current = new Map((await api.list(rt, { shared: true })).items.map((o) => [o.metadata.name!, o]));
  const raced = (e: unknown) => {
    if (!(e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'NotFound' || e.reason === 'Conflict'))) throw e;
  };
  for (const want of desired) {
    const cur = current.get(want.metadata.name!);
    if (!cur) await api.create(want).catch(raced);
    else if (isAutomanaged(cur) && !deepEqual(cur.spec, want.spec)) await api.update({ ...structuredClone(cur), spec: want.spec }).catch(raced);
  }
  const names = new Set(desired.map((o) => o.metadata.name!));
  for (const [name, cur] of current) {
    // autoregister keeps one desired set: a built-in one a user relabelled `true` (or a CRD's
    // relabelled `onstart`) is still wanted, not deleted by the other party's pass
    if (cur.metadata.labels?.[AUTOMANAGED] === owner && !names.has(name) && !othersWant.has(name)) await api.delete(rt, undefined, name).catch(raced);
  }
}

function isAutomanaged(o: KObject): boolean {
  const v = o.metadata.labels?.[AUTOMANAGED];
  return v === 'onstart' || v === 'true';
}

/**
 * At the API server's start (cluster creation, and every serve: serve-cluster.ts), as
 * autoregister's and crdregistration's first syncs: the built-in APIServices and the CRDs'
 * brought in line, so a cluster made before they existed, or by a kubesim serving other
 * group/versions, gets them. One list of each when in line.
 */
export async function syncApiServices(api: ApiServer): Promise<void> {
  await api.batch(async () => {
    const crds = await api.list(api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), { shared: true });
    await syncBuiltinApiServices(api, crdApiServices(crds.items));
    await syncCrdApiServices(api, crds.items);
  });
}

function builtinApiServices(api: ApiServer): KObject[] {
  const desired: KObject[] = [];
  for (const gv of builtinGroupVersions(api)) {
    const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
    const priority = PRIORITIES[gv];
    // a group kube has no priority for would be a guess: none is made up
    if (priority) desired.push(apiService(group!, version!, 'onstart', priority));
  }
  return desired;
}

async function syncBuiltinApiServices(api: ApiServer, crdOnes: KObject[]): Promise<void> {
  await reconcileApiServices(api, 'onstart', builtinApiServices(api), new Set(crdOnes.map((o) => o.metadata.name!)));
}

/** An APIService for each group/version the CRDs serve. */
function crdApiServices(crds: KObject[]): KObject[] {
  const wanted = new Map<string, KObject>();
  // (a CRD being deleted still counts, as crdregistration's lookup has it)
  for (const crd of crds) {
    for (const v of crd.spec?.versions ?? []) if (v?.served) wanted.set(nameOf(crd.spec.group, v.name), apiService(crd.spec.group, v.name, 'true', [1000, 100]));
  }
  return [...wanted.values()];
}

/** After a CRD write, and at start: an APIService for each group/version CRDs serve, none left for one they no longer do. */
export async function syncCrdApiServices(api: ApiServer, crds: KObject[]): Promise<void> {
  await reconcileApiServices(api, 'true', crdApiServices(crds), new Set(builtinApiServices(api).map((o) => o.metadata.name!)));
}

/** A group/version kube-aggregator proxies to a Service (an APIService with spec.service) that kubesim does not serve itself. */
export interface ProxiedGroupVersion {
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  /** The APIService's name (the legacy /apis list breaks priority ties with it). */
  name: string;
  /** Whether the request gets an answer: only metrics.k8s.io's, when its APIService is Available (kubesim is that server). */
  answered: boolean;
}

/** The groups kubesim answers itself as aggregated ones (api/rest/metrics.ts), when their APIService is Available. */
const ANSWERED_HERE = new Set(['metrics.k8s.io/v1beta1']);

/**
 * The Service-backed APIServices of group/versions kubesim serves no API for (and metrics.k8s.io's):
 * the aggregator's proxy handlers. One not Available answers `service unavailable`
 * (handler_proxy.go); one that is would be proxied, and kubesim runs no server behind it.
 */
export async function proxiedGroupVersions(api: ApiServer): Promise<ProxiedGroupVersion[]> {
  const served = new Set(REVIEW_GROUP_VERSIONS);
  for (const t of api.registry.all()) for (const v of t.versions) served.add(t.group ? `${t.group}/${v}` : v);
  const list = await api.list(api.registry.forKind('apiregistration.k8s.io/v1', 'APIService'), { shared: true });
  const out: ProxiedGroupVersion[] = [];
  for (const o of list.items) {
    const { group, version, service } = o.spec ?? {};
    // (the legacy group's APIService is skipped, as the aggregator's /apis skips it)
    if (!service || !group || !version || served.has(`${group}/${version}`)) continue;
    const available = (o.status?.conditions ?? []).some((c: any) => c?.type === 'Available' && c?.status === 'True');
    out.push({ group, version, groupPriorityMinimum: Number(o.spec.groupPriorityMinimum ?? 0), versionPriority: Number(o.spec.versionPriority ?? 0), name: o.metadata.name!, answered: available && ANSWERED_HERE.has(`${group}/${version}`) });
  }
  return out;
}

/** The group's priority in discovery (the highest groupPriorityMinimum of its APIServices): built-in ones from kube-apiserver's table, a CRD's 1000, metrics-server's 100. */
export function groupPriority(group: string, isCrdGroup: boolean): number {
  if (group === 'metrics.k8s.io') return 100;
  let best = isCrdGroup ? 1000 : 0;
  for (const [gv, [p]] of Object.entries(PRIORITIES)) if (gv.startsWith(`${group}/`) && p > best) best = p;
  return best;
}

/** version.CompareKubeAwareVersionStrings: GA before beta before alpha, higher numbers first, others last by name. Negative when `a` sorts first. */
export function compareKubeAwareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    return m ? { major: Number(m[1]), rank: m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, minor: Number(m[3] ?? 0) } : undefined;
  };
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  return y.rank - x.rank || y.major - x.major || y.minor - x.minor;
}

/** Whether discovery lists metrics.k8s.io/v1beta1 with its resources: no APIService for it that kubesim does not answer (kubectl's SupportedMetricsAPIVersionAvailable then holds). */
export async function metricsApiListed(api: ApiServer): Promise<boolean> {
  return !(await proxiedGroupVersions(api)).some((p) => `${p.group}/${p.version}` === 'metrics.k8s.io/v1beta1' && !p.answered);
}
