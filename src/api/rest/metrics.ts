// metrics.k8s.io/v1beta1 as metrics-server serves it behind kube-apiserver's aggregation:
// NodeMetrics and PodMetrics (get, list with label/field selectors, all namespaces), from
// the same simulated readings `kubesim top` prints (src/exec/metrics-source.ts), so that
// the real `kubectl top` shows what `kubesim top` shows.

import { ApiError } from '../errors';
import { selectorListOptions } from '../list-options';
import type { KObject } from '../types';
import type { Route } from './route';
import { jsonResponse, methodNotAllowed } from './status';
import type { ApiRequest, ApiResponse } from './types';
import type { RestHandler } from './handler';
import type { Usage } from '../../exec/metrics';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_GV = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** The two resources metrics-server serves, as discovery lists them. */
export const METRICS_RESOURCES = [
  { plural: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
  { plural: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
] as const;

/** metrics-server's scrape window (its default resolution). */
const WINDOW = '10s';

export function metricsResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: METRICS_GV,
    resources: METRICS_RESOURCES.map((r) => ({ name: r.plural, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] })),
  };
}

export function metricsGroup(): { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } } {
  const v = { groupVersion: METRICS_GV, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [v], preferredVersion: v };
}

/** The group in apidiscovery.k8s.io/v2 form. */
export function metricsDiscoveryItem(): Record<string, unknown> {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: METRICS_VERSION,
        resources: METRICS_RESOURCES.map((r) => ({
          resource: r.plural,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: '',
          verbs: [...r.verbs],
        })),
        freshness: 'Current',
      },
    ],
  };
}

/** Quantities as metrics-server writes them: CPU in nanocores, memory in Ki when whole. */
function usageOf(u: Usage): { cpu: string; memory: string } {
  return { cpu: `${u.cpuMilli * 1_000_000}n`, memory: u.memBytes % 1024 === 0 ? `${u.memBytes / 1024}Ki` : String(u.memBytes) };
}

function meta(obj: KObject, now: string): Record<string, unknown> {
  const m: Record<string, unknown> = { name: obj.metadata.name };
  if (obj.metadata.namespace) m.namespace = obj.metadata.namespace;
  m.creationTimestamp = now;
  if (obj.metadata.labels && Object.keys(obj.metadata.labels).length) m.labels = obj.metadata.labels;
  return m;
}

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export async function metricsRoutes(h: RestHandler, req: ApiRequest, r: Route, method: string): Promise<ApiResponse> {
  const { notFoundPath } = await import('./handler');
  if (r.kind === 'group') return jsonResponse(200, { kind: 'APIGroup', apiVersion: 'v1', ...metricsGroup() });
  if (r.kind === 'resource-list') {
    if (r.version !== METRICS_VERSION) throw notFoundPath();
    return jsonResponse(200, metricsResourceList());
  }
  if (r.kind !== 'resource' || r.version !== METRICS_VERSION || r.subresource !== undefined) throw notFoundPath();
  const res = METRICS_RESOURCES.find((x) => x.plural === r.resource);
  if (!res || (r.namespace !== undefined && !res.namespaced) || (res.namespaced && r.name !== undefined && r.namespace === undefined)) throw notFoundPath();
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const { nodeUsages, podUsages } = await import('../../exec/metrics-source');
  const api = h.api;
  const nowMs = api.clock.now();
  const now = rfc3339(nowMs);
  const stamp = { timestamp: rfc3339(nowMs - 5000), window: WINDOW };
  const rt = api.resolve(res.plural);
  let objs: KObject[];
  if (r.name !== undefined) {
    const one = await api.tryGet(rt, r.namespace, r.name);
    objs = one ? [one] : [];
  } else objs = (await api.list(rt, selectorListOptions(rt, req.query.get('labelSelector') ?? '', req.query.get('fieldSelector') ?? '', r.namespace))).items;
  const items: Record<string, unknown>[] = [];
  if (res.kind === 'NodeMetrics') {
    for (const { node, usage } of await nodeUsages(api, objs)) {
      if (usage) items.push({ metadata: meta(node, now), ...stamp, usage: usageOf(usage) });
    }
  } else {
    const byKey = new Map(objs.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    for (const m of await podUsages(api, objs)) {
      const pod = byKey.get(`${m.namespace}/${m.name}`)!;
      items.push({ metadata: meta(pod, now), ...stamp, containers: m.containers.map((c) => ({ name: c.name, usage: usageOf(c) })) });
    }
  }
  if (r.name !== undefined) {
    if (!items.length) {
      const what = res.kind === 'NodeMetrics' ? 'nodemetrics' : 'podmetrics';
      const name = r.namespace !== undefined ? `${r.namespace}/${r.name}` : r.name;
      throw new ApiError('NotFound', `${what}.${METRICS_GROUP} "${name}" not found`, { name: r.name, group: METRICS_GROUP, kind: what });
    }
    return jsonResponse(200, { kind: res.kind, apiVersion: METRICS_GV, ...items[0] });
  }
  return jsonResponse(200, { kind: `${res.kind}List`, apiVersion: METRICS_GV, metadata: {}, items });
}
