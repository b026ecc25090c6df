// `kubesim dashboard`'s loopback proxy, as `kubectl proxy` is for the API: plain HTTP on
// 127.0.0.1 (a secure context for browsers, no certificate warning) in front of the
// cluster's API server (HTTPS with the per-cluster CA, verified here). It forwards requests
// as they come and adds no credentials of its own: the page sends the cluster's bearer
// token, so the API server authenticates and authorizes every request exactly as it
// would a direct one. Requests naming another Host are refused (DNS rebinding). WebSocket
// upgrades (the page's watches) are forwarded too, and then the two sockets are joined.
// A client or the API server going away ends that one connection, never the proxy.

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface DashboardProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/**
 * `upstream`: the API server's URL, or a function giving it for each request (a restarted
 * daemon may serve on another port when its recorded one was taken).
 */
export async function startDashboardProxy(opts: { upstream: string | (() => string); ca: string; port?: number; host?: string }): Promise<DashboardProxy> {
  const host = opts.host ?? '127.0.0.1';
  const upstreamUrl = typeof opts.upstream === 'string' ? () => opts.upstream as string : opts.upstream;
  let port = 0;
  const allowed = () => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const refusal = () => `the dashboard proxy answers only requests for ${allowed()[0]}\n`;
  const upstreamRequest = (req: http.IncomingMessage, extra: http.OutgoingHttpHeaders = {}) => {
    const up = new URL(upstreamUrl());
    const secure = up.protocol === 'https:';
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    const options: https.RequestOptions = { protocol: up.protocol, hostname: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...headers, ...extra }, ...(secure ? { ca: opts.ca, servername: 'localhost' } : {}) };
    return Object.assign((secure ? https : http).request(options), { upstream: up.origin });
  };
  const server = http.createServer((req, res) => {
    if (!allowed().includes(String(req.headers.host ?? ''))) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(refusal());
      return;
    }
    const upstream = upstreamRequest(req);
    upstream.on('response', (ures) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(ures.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
      res.writeHead(ures.statusCode ?? 502, out);
      res.flushHeaders();
      ures.pipe(res);
      // The API server gone mid-answer (its process killed): cut the page's answer too, as
      // the page then retries; a piped source that aborts never ends its destination.
      ures.on('close', () => ures.complete || res.destroy());
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`the cluster's API server at ${upstream.upstream} did not answer: ${e.message}\n`);
      } else res.destroy();
    });
    // A browser that goes away (a closed log panel, a reload) ends the upstream watch too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  // Upgraded sockets are the proxy's own to end on close (the server no longer tracks them).
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    if (!allowed().includes(String(req.headers.host ?? ''))) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(refusal())}\r\nConnection: close\r\n\r\n${refusal()}`);
      return;
    }
    const upstream = upstreamRequest(req, { connection: 'Upgrade', upgrade: String(req.headers.upgrade ?? '') });
    const head1 = (code: number | undefined, message: string | undefined, raw: string[]) => {
      let text = `HTTP/1.1 ${code} ${message ?? ''}\r\n`;
      for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
      return `${text}\r\n`;
    };
    upstream.on('upgrade', (ures, usocket, uhead) => {
      usocket.on('error', () => socket.destroy());
      socket.write(head1(ures.statusCode, ures.statusMessage, ures.rawHeaders));
      if (uhead.length) socket.write(uhead);
      usocket.pipe(socket);
      socket.pipe(usocket);
      socket.on('close', () => usocket.destroy());
      usocket.on('close', () => socket.destroy());
    });
    // Refused before the upgrade (401, 403, ...): the answer as it came, its body decoded
    // (so no chunked framing) and the connection closed after it.
    upstream.on('response', (ures) => {
      const kept: string[] = [];
      for (let i = 0; i < ures.rawHeaders.length; i += 2) if (!/^(transfer-encoding|connection)$/i.test(ures.rawHeaders[i])) kept.push(ures.rawHeaders[i], ures.rawHeaders[i + 1]);
      socket.write(head1(ures.statusCode, ures.statusMessage, [...kept, 'Connection', 'close']));
      ures.pipe(socket);
      ures.on('close', () => ures.complete || socket.destroy());
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    if (head.length) upstream.write(head);
    upstream.end();
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
        for (const s of upgraded) s.destroy();
      }),
  };
}
