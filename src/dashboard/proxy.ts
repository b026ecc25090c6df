// `kubesim dashboard`'s loopback proxy, as `kubectl proxy` is for the API: plain HTTP on
// 127.0.0.1 (a secure context for browsers, no certificate warning) in front of the
// cluster's API server (HTTPS with the per-cluster CA, verified here). It forwards requests
// as they come and adds no credentials of its own: the page sends the cluster's bearer
// token, so the API server authenticates and authorizes every request exactly as it
// would a direct one. Requests naming another Host are refused (DNS rebinding).

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface DashboardProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export async function startDashboardProxy(opts: { upstream: string; ca: string; port?: number; host?: string }): Promise<DashboardProxy> {
  const host = opts.host ?? '127.0.0.1';
  const up = new URL(opts.upstream);
  const secure = up.protocol === 'https:';
  let port = 0;
  const server = http.createServer((req, res) => {
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!allowed.includes(String(req.headers.host ?? ''))) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`the dashboard proxy answers only requests for ${allowed[0]}\n`);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    const options: https.RequestOptions = { protocol: up.protocol, hostname: up.hostname, port: up.port, method: req.method, path: req.url, headers, ...(secure ? { ca: opts.ca, servername: 'localhost' } : {}) };
    const upstream = (secure ? https : http).request(options, (ures) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(ures.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
      res.writeHead(ures.statusCode ?? 502, out);
      res.flushHeaders();
      ures.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`the cluster's API server at ${opts.upstream} did not answer: ${e.message}\n`);
      } else res.destroy();
    });
    // A browser that goes away (a closed log panel, a reload) ends the upstream watch too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
