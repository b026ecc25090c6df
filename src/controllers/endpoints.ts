// The Endpoints and EndpointSlice controllers: for every Service with a selector, the
// addresses of its pods (ready ones in `addresses`, others in `notReadyAddresses`) with
// ports resolved from each service port's targetPort (a number or a container port name).

import type { KObject } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';
import { POD, controllerOf, isPodReady, isPodTerminal, mapMatcher, mapperRead, typeFor } from './controller-utils';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const MANAGED_BY = 'endpointslice-controller.k8s.io';
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
}

/** podutil.FindPort: a numeric targetPort is used as is; a name is looked up in the pod's containers. */
export function findPort(pod: KObject, svcPort: any): number | undefined {
  const tp = svcPort.targetPort ?? svcPort.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(String(tp))) return Number(tp);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === (svcPort.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

function resolvedPorts(pod: KObject, svc: KObject): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' });
  }
  return out;
}

function ipKey(ip: string): string {
  return ip
    .split('.')
    .map((x) => x.padStart(3, '0'))
    .join('.');
}

function targetRef(pod: KObject): any {
  return { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid };
}

async function reconcileEndpoints(key: ReconcileKey, ctx: ControllerContext): Promise<void> {
  const api = ctx.api;
  const svcType = typeFor(api, 'v1', 'Service');
  const epType = typeFor(api, 'v1', 'Endpoints');
  const sliceType = typeFor(api, 'discovery.k8s.io/v1', 'EndpointSlice');
  const svc = await api.tryGet(svcType, key.namespace, key.name);
  const ep = await api.tryGet(epType, key.namespace, key.name);
  if (!svc || svc.metadata.deletionTimestamp) {
    // Endpoints have no owner reference: the controller removes them with their Service.
    if (ep && !svc) {
      try {
        await api.delete(epType, key.namespace, key.name);
      } catch {
        /* gone */
      }
    }
    return;
  }
  if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') return apiServerEndpoints(ctx, svc, ep);
  const selector = svc.spec?.selector;
  if (!selector || !Object.keys(selector).length || svc.spec?.type === 'ExternalName') return;
  const matches = mapMatcher(selector);
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const pods = (await api
    .list(POD(api), { namespace: svc.metadata.namespace }))
    .items.filter((p) => matches(p.metadata.labels) && p.status?.podIP && !isPodTerminal(p))
    .sort((a, b) => (ipKey(a.status.podIP) < ipKey(b.status.podIP) ? -1 : 1));
  const nodes = new Map((await api.list(typeFor(api, 'v1', 'Node'))).items.map((n) => [n.metadata.name!, n]));

  // ---- Endpoints: subsets grouped by identical port lists ----
  const subsets = new Map<string, { addresses: any[]; notReadyAddresses: any[]; ports: ResolvedPort[] }>();
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp && !publishNotReady) continue;
    const ports = resolvedPorts(pod, svc);
    if (!ports.length && (svc.spec?.ports ?? []).length) continue;
    const k = JSON.stringify(ports);
    const sub = subsets.get(k) ?? { addresses: [], notReadyAddresses: [], ports };
    subsets.set(k, sub);
    const addr: any = { ip: pod.status.podIP, ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}), targetRef: targetRef(pod) };
    if (svc.spec?.clusterIP === 'None' && pod.spec?.hostname) addr.hostname = pod.spec.hostname;
    if (isPodReady(pod) || publishNotReady) sub.addresses.push(addr);
    else sub.notReadyAddresses.push(addr);
  }
  const subsetList = [...subsets.values()].map((s) => {
    const o: any = {};
    if (s.addresses.length) o.addresses = s.addresses;
    if (s.notReadyAddresses.length) o.notReadyAddresses = s.notReadyAddresses;
    o.ports = s.ports;
    return o;
  });
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  const desired: KObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, ...(Object.keys(labels).length ? { labels } : {}) },
    ...(subsetList.length ? { subsets: subsetList } : {}),
  };
  const ts = api.timestamp();
  if (!ep) {
    desired.metadata.annotations = { [TRIGGER_TIME]: ts };
    try {
      await api.create(desired);
    } catch {
      /* created concurrently */
    }
  } else if (!deepEqual(ep.subsets ?? [], desired.subsets ?? []) || !deepEqual(ep.metadata.labels ?? {}, labels)) {
    await api.mutate(epType, ep.metadata.namespace, ep.metadata.name!, (o) => {
      o.metadata.labels = desired.metadata.labels;
      if (!o.metadata.labels) delete o.metadata.labels;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [TRIGGER_TIME]: ts };
      if (desired.subsets) o.subsets = desired.subsets;
      else delete o.subsets;
    });
  }

  // ---- EndpointSlices: one per distinct port list ----
  const groups = new Map<string, { ports: ResolvedPort[]; endpoints: any[] }>();
  for (const pod of pods) {
    const ports = resolvedPorts(pod, svc);
    const k = JSON.stringify(ports);
    const g = groups.get(k) ?? { ports, endpoints: [] };
    groups.set(k, g);
    const terminating = !!pod.metadata.deletionTimestamp;
    const ready = isPodReady(pod);
    const e: any = {
      addresses: [pod.status.podIP],
      conditions: { ready: ready && !terminating, serving: ready, terminating },
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: targetRef(pod),
    };
    if (svc.spec?.clusterIP === 'None' && pod.spec?.hostname) e.hostname = pod.spec.hostname;
    const zone = nodes.get(pod.spec?.nodeName)?.metadata.labels?.['topology.kubernetes.io/zone'];
    if (zone) e.zone = zone;
    g.endpoints.push(e);
  }
  // A Service without pods still gets one (empty) slice.
  if (!groups.size) groups.set('[]', { ports: [], endpoints: [] });
  const existing = (await api
    .list(sliceType, { namespace: svc.metadata.namespace }))
    .items.filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY)
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const sliceLabels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_NAME_LABEL]: svc.metadata.name! };
  if (svc.spec?.clusterIP === 'None') sliceLabels['service.kubernetes.io/headless'] = '';
  const wanted = [...groups.values()];
  const unused = [...existing];
  for (const g of wanted) {
    const ports = g.ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol }));
    const endpoints = g.endpoints;
    const idx = unused.findIndex((s) => deepEqual(s.ports ?? [], ports));
    const current = idx >= 0 ? unused.splice(idx, 1)[0] : unused.shift();
    if (current) {
      if (!deepEqual(current.endpoints ?? [], endpoints) || !deepEqual(current.ports ?? [], ports) || !deepEqual(current.metadata.labels, sliceLabels)) {
        await api.mutate(sliceType, current.metadata.namespace, current.metadata.name!, (o) => {
          o.endpoints = endpoints;
          o.ports = ports;
          o.metadata.labels = sliceLabels;
          o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [TRIGGER_TIME]: ts };
        });
      }
      continue;
    }
    try {
      await api.create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${svc.metadata.name}-`,
          namespace: svc.metadata.namespace,
          labels: sliceLabels,
          annotations: { [TRIGGER_TIME]: ts },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        addressType: 'IPv4',
        endpoints,
        ports,
      });
    } catch {
      /* retried on the next change */
    }
  }
  for (const s of unused) {
    try {
      await api.delete(sliceType, s.metadata.namespace, s.metadata.name!);
    } catch {
      /* gone */
    }
  }
}

/**
 * The `kubernetes` Service's endpoints, which kube-apiserver itself maintains: the control
 * plane's address on port 6443 (the first node stands in for kind's control-plane node).
 */
async function apiServerEndpoints(ctx: ControllerContext, svc: KObject, ep: KObject | undefined): Promise<void> {
  const api = ctx.api;
  const node = (await api.list(typeFor(api, 'v1', 'Node'))).items[0];
  const ip: string = node?.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address ?? '172.18.0.2';
  const port = { name: 'https', port: 6443, protocol: 'TCP' };
  const subsets = [{ addresses: [{ ip }], ports: [port] }];
  const epType = typeFor(api, 'v1', 'Endpoints');
  const labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
  if (!ep) await api.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels }, subsets });
  else if (!deepEqual(ep.subsets, subsets)) await api.mutate(epType, 'default', 'kubernetes', (o) => void (o.subsets = subsets));
  const sliceType = typeFor(api, 'discovery.k8s.io/v1', 'EndpointSlice');
  const slice = await api.tryGet(sliceType, 'default', 'kubernetes');
  const endpoints = [{ addresses: [ip], conditions: { ready: true } }];
  if (!slice) {
    await api.create({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { [SERVICE_NAME_LABEL]: 'kubernetes' } }, addressType: 'IPv4', endpoints, ports: [port] });
  } else if (!deepEqual(slice.endpoints, endpoints)) await api.mutate(sliceType, 'default', 'kubernetes', (o) => void (o.endpoints = endpoints));
  void svc;
}

/** Every Service with a selector in the pod's namespace: cheap enough, and catches label changes. */
function podToServices(pod: KObject, ctx: ControllerContext): ReconcileKey[] | Promise<ReconcileKey[]> {
  const namespace = pod.metadata.namespace;
  return mapperRead(
    ctx,
    `services/${namespace ?? ''}`,
    async () => (await ctx.api.list(typeFor(ctx.api, 'v1', 'Service'), { namespace, shared: true })).items,
    (services) =>
      services.filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length).map((s) => ({ kind: 'Service', namespace: s.metadata.namespace, name: s.metadata.name! })),
  );
}

export const endpointsReconciler: Reconciler = {
  name: 'endpoints-controller',
  primary: ['v1', 'Service'],
  watches: [
    { kind: 'Pod', map: podToServices },
    { kind: 'Endpoints', map: (ep) => [{ kind: 'Service', namespace: ep.metadata.namespace, name: ep.metadata.name! }] },
    {
      kind: 'EndpointSlice',
      map: (s) => {
        const name = s.metadata.labels?.[SERVICE_NAME_LABEL] ?? controllerOf(s)?.name;
        return name ? [{ kind: 'Service', namespace: s.metadata.namespace, name }] : [];
      },
    },
  ],
  reconcile: reconcileEndpoints,
};
