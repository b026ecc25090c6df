// Network requests of simulated scripts (wget, nc) answered from the cluster: service DNS
// names and cluster IPs resolve through Services and their Endpoints, pod IPs and
// `pod.service` names reach pods, and a pod answers on a port when one of its running
// containers is a server listening there (its containerPorts, or the image's default).

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { NetRequest, NetResponse } from './interp';
import { containerScript } from './run';

const NGINX_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

/** Default ports of well-known server images (when the pod declares none). */
const IMAGE_PORTS: Array<[RegExp, number]> = [
  [/(^|\/)nginx(:|@|$)/, 80],
  [/(^|\/)httpd(:|@|$)/, 80],
  [/(^|\/)http-echo(:|@|$)/, 5678],
  [/(^|\/)redis(:|@|$)/, 6379],
  [/(^|\/)(postgres)(:|@|$)/, 5432],
  [/(^|\/)(mysql|mariadb)(:|@|$)/, 3306],
];

interface Target {
  pod: KObject;
  port: number;
}

function imageName(image: string): string {
  return image.replace(/@.*$/, '');
}

/** The container of `pod` serving `port`, if one is running and is a server. */
function listener(pod: KObject, port: number): any | undefined {
  const running = new Set((pod.status?.containerStatuses ?? []).filter((s: any) => s.state?.running).map((s: any) => s.name));
  for (const c of pod.spec?.containers ?? []) {
    if (!running.has(c.name) || containerScript(c.command, c.args) !== undefined) continue;
    if ((c.ports ?? []).some((p: any) => p.containerPort === port)) return c;
    if (!(c.ports ?? []).length && IMAGE_PORTS.some(([re, p]) => p === port && re.test(imageName(c.image ?? '')))) return c;
    if (/(^|\/)http-echo(:|@|$)/.test(imageName(c.image ?? '')) && (c.args ?? []).some((a: string) => a === `-listen=:${port}`)) return c;
  }
  return undefined;
}

function httpAnswer(c: any, pod: KObject, path: string, port: number): NetResponse {
  const image = imageName(c.image ?? '');
  if (/(^|\/)nginx(:|@|$)/.test(image)) {
    if (path === '/' || path === '/index.html') return { ok: true, status: 200, body: NGINX_PAGE };
    return { ok: false, error: 'http-error', status: 404, reason: 'Not Found' };
  }
  if (/(^|\/)httpd(:|@|$)/.test(image)) return path === '/' ? { ok: true, status: 200, body: '<html><body><h1>It works!</h1></body></html>\n' } : { ok: false, error: 'http-error', status: 404, reason: 'Not Found' };
  if (/(^|\/)http-echo(:|@|$)/.test(image)) {
    const text = [...(c.command ?? []), ...(c.args ?? [])].find((a: string) => a.startsWith('-text='));
    return { ok: true, status: 200, body: `${text ? text.slice(6) : ''}\n` };
  }
  // an image kubesim knows nothing about: say who answered rather than invent a page
  return { ok: true, status: 200, body: `kubesim: simulated server ${pod.metadata.name} (${image}) answered GET ${path} on port ${port}\n` };
}

export function clusterNet(api: ApiServer, from: KObject): (req: NetRequest) => Promise<NetResponse> {
  const ns = from.metadata.namespace ?? 'default';
  return async (req) => {
    let resolvedAddr: string | undefined;
    const podsT = api.resolve('pods');
    const svcT = api.resolve('services');
    const resolvePods = async (): Promise<Target[] | NetResponse> => {
      const host = req.host.toLowerCase().replace(/\.$/, '');
      if (host === 'localhost' || host === '127.0.0.1' || host === from.metadata.name || host === from.status?.podIP) return [{ pod: from, port: req.port }];
      let svc: KObject | undefined;
      let podName: string | undefined;
      if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
        const services = (await api.list(svcT, {})).items;
        svc = services.find((s) => s.spec?.clusterIP === host);
        if (!svc) {
          const pod = (await api.list(podsT, {})).items.find((p) => p.status?.podIP === host);
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
          const found = await api.tryGet(svcT, n, s);
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
      const ep = await api.tryGet(api.resolve('endpoints'), svcNs, svc.metadata.name!);
      const out: Target[] = [];
      for (const subset of ep?.subsets ?? []) {
        for (const a of subset.addresses ?? []) {
          const ref = a.targetRef;
          if (ref?.kind !== 'Pod') continue;
          if (podName && ref.name !== podName && a.hostname !== podName) continue;
          const pod = await api.tryGet(podsT, ref.namespace ?? svcNs, ref.name);
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
    const targets = await resolvePods();
    if (!Array.isArray(targets)) return { ...targets, addr: resolvedAddr };
    const addr = resolvedAddr ?? targets[0].pod.status?.podIP;
    const withAddr = (r: NetResponse): NetResponse => ({ ...r, addr });
    // the first ready endpoint (kube-proxy picks at random; a simulation stays reproducible)
    const t = targets[0];
    const c = listener(t.pod, t.port);
    if (!c) return withAddr({ ok: false, error: 'refused' });
    if (req.kind === 'tcp') return withAddr(tcpAnswer(c, t, req.data));
    return withAddr(httpAnswer(c, t.pod, req.path ?? '/', t.port));
  };
}

/** A raw TCP exchange: an HTTP request line gets an HTTP response; anything else, nothing. */
function tcpAnswer(c: any, t: Target, data: string | undefined): NetResponse {
  const m = /^(GET|HEAD) (\S+) HTTP\/1\.[01]\r?\n/.exec(data ?? '');
  if (!m) return { ok: true, body: '' };
  const r = httpAnswer(c, t.pod, m[2], t.port);
  if (!r.ok) return { ok: true, body: `HTTP/1.1 ${r.status} ${r.reason}\r\nContent-Length: 0\r\n\r\n` };
  return { ok: true, body: `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\n\r\n${m[1] === 'HEAD' ? '' : r.body}` };
}
