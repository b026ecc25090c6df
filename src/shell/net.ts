// Network requests of simulated scripts (wget, nc) answered from the cluster: service DNS
// names and cluster IPs resolve through Services and their Endpoints, pod IPs and
// `pod.service` names reach pods, and a pod answers on a port when one of its running
// containers is a server listening there: what the registry catalog says its image serves
// (ports, statuses, pages), the same answers the kubelet's probes get.

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { NetRequest, NetResponse } from './interp';
import { containerCourse } from '../kubelet/run-plan';
import { httpBody, httpStatus, type PortSpec } from '../sim/catalog';

/** A running container accepting connections on a port, and the catalog's description of that port. */
interface Server {
  c: any;
  /** The catalog's port (its answers); undefined for an image the catalog does not know. */
  spec?: PortSpec;
  startedAt: number;
}

interface Target {
  pod: KObject;
  port: number;
}

/**
 * The running container of `pod` serving `port`, as the probes see it (run-plan's course):
 * a catalog image where its image listens, once it listens; a script where the server it
 * starts listens; an image the catalog does not know on the ports the pod declares.
 */
function listener(pod: KObject, port: number, now: number): Server | undefined {
  for (const st of pod.status?.containerStatuses ?? []) {
    if (!st.state?.running) continue;
    const c = (pod.spec?.containers ?? []).find((x: any) => x.name === st.name);
    if (!c) continue;
    const startedAt = Date.parse(st.state.running.startedAt ?? '') || now;
    const { listeners } = containerCourse(c, startedAt);
    if (!listeners.known) {
      if ((c.ports ?? []).some((p: any) => p.containerPort === port)) return { c, startedAt };
      continue;
    }
    if (now < listeners.from) continue;
    const spec = listeners.ports.find((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
    if (spec) return { c, spec, startedAt };
  }
  return undefined;
}

const REASONS: Record<number, string> = { 200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function httpAnswer(s: Server, pod: KObject, path: string, port: number, now: number): NetResponse {
  const image = String(s.c.image ?? '').replace(/@.*$/, '');
  // an image kubesim knows nothing about: say who answered rather than invent a page
  const generic = `kubesim: simulated server ${pod.metadata.name} (${image}) answered GET ${path} on port ${port}\n`;
  if (!s.spec) return { ok: true, status: 200, body: generic };
  const status = httpStatus(s.spec, path, now - s.startedAt);
  if (status < 200 || status >= 300) return { ok: false, error: 'http-error', status, reason: REASONS[status] ?? '' };
  return { ok: true, status, body: status === 204 ? '' : (httpBody(s.spec, path) ?? generic) };
}

/** The objects a request is answered from: the Services, Endpoints and Pods of the cluster at one moment. */
export interface ClusterView {
  services: KObject[];
  endpoints: KObject[];
  pods: KObject[];
}

export async function clusterView(api: ApiServer): Promise<ClusterView> {
  const all = async (r: string) => (await api.list(api.resolve(r), {})).items;
  const [services, endpoints, pods] = await Promise.all([all('services'), all('endpoints'), all('pods')]);
  return { services, endpoints, pods };
}

/** `exec`'s network: each request answered from the cluster as it is when it is made. */
export function clusterNet(api: ApiServer, from: KObject): (req: NetRequest) => Promise<NetResponse> {
  return async (req) => answerFrom(await clusterView(api), from, req, api.clock.now());
}

/** One request from the pod `from`, answered from `view` at cluster time `now`. */
export function answerFrom(view: ClusterView, from: KObject, req: NetRequest, now: number): NetResponse {
  const ns = from.metadata.namespace ?? 'default';
  const find = (list: KObject[], namespace: string, name: string) => list.find((o) => o.metadata.name === name && (o.metadata.namespace ?? 'default') === namespace);
  let resolvedAddr: string | undefined;
  const resolvePods = (): Target[] | NetResponse => {
    const host = req.host.toLowerCase().replace(/\.$/, '');
    if (host === 'localhost' || host === '127.0.0.1' || host === from.metadata.name || host === from.status?.podIP) return [{ pod: from, port: req.port }];
    let svc: KObject | undefined;
    let podName: string | undefined;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      svc = view.services.find((s) => s.spec?.clusterIP === host);
      if (!svc) {
        const pod = view.pods.find((p) => p.status?.podIP === host);
        return pod ? [{ pod, port: req.port }] : { ok: false, error: 'timeout' };
      }
    } else {
      const labels = host.replace(/\.svc\.cluster\.local$|\.svc$/, '').split('.');
      // name, name.ns, pod.name, pod.name.ns
      const tries: Array<[string | undefined, string, string]> = [];
      if (labels.length === 1) tries.push([undefined, labels[0], ns]);
      else if (labels.length === 2) tries.push([undefined, labels[0], labels[1]], [labels[0], labels[1], ns]);
      else if (labels.length === 3) tries.push([labels[0], labels[1], labels[2]]);
      for (const [p, s, n] of tries) {
        const found = find(view.services, n, s);
        if (found) {
          svc = found;
          podName = p;
          break;
        }
      }
      if (!svc) return { ok: false, error: 'bad-address' };
    }
    if (svc.spec?.type === 'ExternalName') return { ok: false, error: 'bad-address' };
    resolvedAddr = svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? svc.spec.clusterIP : undefined;
    const svcNs = svc.metadata.namespace ?? 'default';
    const ports: any[] = svc.spec?.ports ?? [];
    const sp = podName ? undefined : ports.find((p) => p.port === req.port);
    if (!podName && !sp) return { ok: false, error: 'timeout' };
    const ep = find(view.endpoints, svcNs, svc.metadata.name!);
    const out: Target[] = [];
    for (const subset of ep?.subsets ?? []) {
      for (const a of subset.addresses ?? []) {
        const ref = a.targetRef;
        if (ref?.kind !== 'Pod') continue;
        if (podName && ref.name !== podName && a.hostname !== podName) continue;
        const pod = find(view.pods, ref.namespace ?? svcNs, ref.name);
        if (!pod) continue;
        let port = req.port;
        if (sp) {
          const tp = sp.targetPort ?? sp.port;
          if (typeof tp === 'number') port = tp;
          else {
            const named = (pod.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []).find((p: any) => p.name === tp);
            if (!named) continue;
            port = named.containerPort;
          }
        }
        out.push({ pod, port });
      }
    }
    if (podName && !out.length) return { ok: false, error: 'bad-address' };
    // no ready endpoint: kube-proxy rejects the connection
    return out.length ? out : { ok: false, error: 'refused' };
  };
  const targets = resolvePods();
  if (!Array.isArray(targets)) return { ...targets, addr: resolvedAddr };
  const addr = resolvedAddr ?? targets[0].pod.status?.podIP;
  const withAddr = (r: NetResponse): NetResponse => ({ ...r, addr });
  // the first ready endpoint (kube-proxy picks at random; a simulation stays reproducible)
  const t = targets[0];
  const server = listener(t.pod, t.port, now);
  if (!server) return withAddr({ ok: false, error: 'refused' });
  if (req.kind === 'tcp') return withAddr(tcpAnswer(server, t, req.data, now));
  return withAddr(httpAnswer(server, t.pod, req.path ?? '/', t.port, now));
}

/** A raw TCP exchange: an HTTP request line gets an HTTP response; anything else, nothing. */
function tcpAnswer(s: Server, t: Target, data: string | undefined, now: number): NetResponse {
  const m = /^(GET|HEAD) (\S+) HTTP\/1\.[01]\r?\n/.exec(data ?? '');
  if (!m) return { ok: true, body: '' };
  const r = httpAnswer(s, t.pod, m[2], t.port, now);
  if (!r.ok) return { ok: true, body: `HTTP/1.1 ${r.status} ${r.reason}\r\nContent-Length: 0\r\n\r\n` };
  return { ok: true, body: `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\n\r\n${m[1] === 'HEAD' ? '' : r.body}` };
}
