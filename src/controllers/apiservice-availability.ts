// kube-aggregator's availability controllers (pkg/controllers/status/local and remote, as in
// v1.32): an APIService without spec.service is served by kube-apiserver itself and is
// Available (Local); one backed by a Service is Available only once that Service exists,
// listens on the APIService's port and (a ClusterIP Service) has a ready address for it in
// its Endpoints; otherwise Available=False with the reason and message kube writes. The
// remote controller then GETs the group/version's discovery document through the Service:
// kubesim runs no aggregated servers, so only the groups it serves itself (metrics.k8s.io,
// as metrics-server would) pass; any other fails as a pod with nothing listening on its
// port would (connection refused). A group/version whose APIService is not Available gets the
// aggregator's 503 and is Stale in discovery (api/apiservices.ts proxiedGroupVersions).

import { ApiError } from '../api/errors';
import { LOCAL_AVAILABLE_MESSAGE } from '../api/strategies/apiregistration';
import type { KObject } from '../api/types';
import { mapperRead, typeFor } from './controller-utils';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';

const APISERVICE: [string, string] = ['apiregistration.k8s.io/v1', 'APIService'];

/** The group/versions kubesim itself answers as an aggregated server would (api/rest/metrics.ts: metrics-server's). */
const SERVED_HERE = new Set(['v1beta1.metrics.k8s.io']);

interface Availability {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** What the remote controller's sync finds for a Service-backed APIService. */
async function remoteAvailability(ctx: ControllerContext, apiService: KObject): Promise<Availability> {
  const ref = apiService.spec.service;
  const [ns, name] = [String(ref.namespace ?? ''), String(ref.name ?? '')];
  const port = Number(ref.port ?? 443);
  const where = `service/${name} in "${ns}"`;
  const svc = await ctx.api.tryGet(typeFor(ctx.api, 'v1', 'Service'), ns, name);
  if (!svc) return { status: 'False', reason: 'ServiceNotFound', message: `${where} is not present` };
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ClusterIP') {
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => Number(p?.port) === port);
    if (!svcPort) return { status: 'False', reason: 'ServicePortError', message: `${where} is not listening on port ${port}` };
    const portName = String(svcPort.name ?? '');
    const ep = await ctx.api.tryGet(typeFor(ctx.api, 'v1', 'Endpoints'), ns, name);
    if (!ep) return { status: 'False', reason: 'EndpointsNotFound', message: `cannot find endpoints for ${where}` };
    const active = (ep.subsets ?? []).some((s: any) => (s?.addresses ?? []).length > 0 && (s?.ports ?? []).some((p: any) => String(p?.name ?? '') === portName));
    if (!active) return { status: 'False', reason: 'MissingEndpoints', message: `endpoints for ${where} have no addresses with port name "${portName}"` };
  }
  // The discovery check, through the Service's cluster IP (the aggregator's ClusterIP resolver).
  if (SERVED_HERE.has(apiService.metadata.name!)) return { status: 'True', reason: 'Passed', message: 'all checks passed' };
  return { status: 'False', reason: 'FailedDiscoveryCheck', message: discoveryFailure(apiService, svc, port) };
}

function discoveryFailure(apiService: KObject, svc: KObject, port: number): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') {
    const host = `${svc.spec?.externalName ?? ''}:${port}`;
    const url = `https://${host}${discoveryPath(apiService)}`;
    return `failing or missing response from ${url}: Get "${url}": dial tcp: lookup ${svc.spec?.externalName ?? ''}: no such host`;
  }
  const ip = String(svc.spec?.clusterIP ?? '');
  if (ip === 'None') return 'cannot route to service with ClusterIP None';
  const host = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  const url = `https://${host}${discoveryPath(apiService)}`;
  return `failing or missing response from ${url}: Get "${url}": dial tcp ${host}: connect: connection refused`;
}

function discoveryPath(apiService: KObject): string {
  return apiService.metadata.name === 'v1.' ? `/api/${apiService.spec.version}` : `/apis/${apiService.spec.group}/${apiService.spec.version}`;
}

/** The APIServices backed by the Service `namespace/name` (the remote controller's cache). */
function apiServicesFor(obj: KObject, ctx: ControllerContext): ReconcileKey[] | Promise<ReconcileKey[]> {
  const { namespace, name } = obj.metadata;
  return mapperRead(
    ctx,
    'apiservices',
    () => ctx.api.list(typeFor(ctx.api, ...APISERVICE), { shared: true }).then((l) => l.items),
    (items: KObject[]) => items.filter((a) => a.spec?.service?.namespace === namespace && a.spec?.service?.name === name).map((a) => ({ kind: 'APIService', name: a.metadata.name! })),
  );
}

export const apiServiceAvailabilityReconciler: Reconciler = {
  name: 'apiservice-availability-controller',
  primary: APISERVICE,
  watches: [
    { kind: 'Service', map: apiServicesFor },
    { kind: 'Endpoints', map: apiServicesFor },
  ],
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<void> {
    const rt = typeFor(ctx.api, ...APISERVICE);
    const apiService = await ctx.api.tryGet(rt, undefined, key.name);
    if (!apiService) return;
    const want: Availability = apiService.spec?.service ? await remoteAvailability(ctx, apiService) : { status: 'True', reason: 'Local', message: LOCAL_AVAILABLE_MESSAGE };
    const conditions: any[] = (apiService.status?.conditions ?? []).map((c: any) => ({ ...c }));
    const cur = conditions.find((c) => c.type === 'Available');
    if (cur && cur.status === want.status && cur.reason === want.reason && cur.message === want.message) return;
    // SetAPIServiceCondition: the transition time moves only when the status does.
    if (!cur) conditions.push({ lastTransitionTime: ctx.api.timestamp(), ...want, type: 'Available' });
    else {
      if (cur.status !== want.status) cur.lastTransitionTime = ctx.api.timestamp();
      Object.assign(cur, want);
    }
    try {
      await ctx.api.updateStatus({ ...apiService, status: { ...apiService.status, conditions } }, { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  },
};
