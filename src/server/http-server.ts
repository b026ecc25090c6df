// The HTTP(S) front end: TLS with the cluster's certificates (or plain HTTP behind an
// explicit flag), authentication, impersonation, RBAC authorization, the 3 MiB body limit,
// and the REST handler's responses written out, streamed ones (watch, log -f) chunk by
// chunk until the client goes away. WebSocket upgrades (exec, attach, port-forward, and a
// browser's watches and logs) go to ./upgrade.

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ApiServer } from '../api/server';
import { RestHandler } from '../api/rest/handler';
import { WatchCache } from '../api/rest/watch-cache';
import { errorResponse, RestError } from '../api/rest/status';
import { MAX_BODY_BYTES, type ApiRequest, type ApiResponse, type RequestUser } from '../api/rest/types';
import { ANONYMOUS, authenticate, impersonate, reviewBearerToken } from './authn';
import { authorizeRequest, RbacGate } from './authz';
import { ensurePki, type ClusterPki } from './pki';
import { DEFAULT_AUDIENCE, issueServiceAccountToken, fromServiceAccountToken, serviceAccountStillValid, type TokenSubject } from './sa-token';
import { dashboardAsset, isDashboardPath } from '../dashboard/assets';
import { handleSim, SIM_PREFIX } from '../dashboard/sim-api';
import { asUserRequest, type RequestWaits } from '../store/async-store';
import { apiValidator, loadValidation } from '../api/validator-adapter';

export interface ServeOptions {
  api: ApiServer;
  clusterDir: string;
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  insecureHttp?: boolean;
  /**
   * Also serve plain HTTP on this Unix socket (the cluster's own CLI: no TLS to load or
   * negotiate). Its folder must be private to the user; requests still authenticate.
   */
  socketPath?: string;
  log?: (line: string) => void;
  /** How long a request body may take to arrive (kube-apiserver's --request-timeout: 1 min). */
  bodyTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  pki: ClusterPki;
  close(): Promise<void>;
}

/** Paths anyone may read (kube-apiserver's system:public-info-viewer). */
const PUBLIC = new Set(['/healthz', '/livez', '/readyz', '/version']);

export async function startApiServer(opts: ServeOptions): Promise<RunningServer> {
  // What is served decodes and validates as kube-apiserver, whoever opened the API: one
  // opened without a Validator (tests, tools) took a ConfigMap's `data: {a: yes}` (a bool),
  // which `kubesim serve` refused.
  await loadValidation();
  opts.api.validator ??= apiValidator();
  const pki = ensurePki(opts.clusterDir);
  const gate = opts.api.rbac;
  const watchCache = new WatchCache(opts.api);
  await watchCache.start();
  const tokens = { audiences: [DEFAULT_AUDIENCE], issue: (sub: TokenSubject, o: { audiences: string[]; expirationSeconds: number; nowSec: number }) => issueServiceAccountToken(pki.serverKey, sub, o) };
  const handler = new RestHandler(opts.api, { watchCache, authorize: (user, attrs) => gate.decide(user, attrs), rules: (user, ns) => gate.rules(user, ns), tokens, reviewToken: (token, audiences) => reviewBearerToken(token, audiences, pki, opts.api) });
  // The CRDs OpenAPI is built from, held from the start (served while etcd is down).
  await handler.crdsInMemory();
  const log = opts.log ?? (() => {});
  // An admitted request's answer: the kubesim endpoint's, or the Kubernetes API's.
  const respond = (apiReq: ApiRequest): Promise<ApiResponse> =>
    apiReq.path.startsWith(SIM_PREFIX) ? handleSim(apiReq, { api: opts.api, clusterDir: opts.clusterDir, allows: (u, a) => gate.allows(u, a) }).catch(errorResponse) : handler.handle(apiReq);
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    serveRequest(req, res, { respond, gate, pki, log, bodyTimeoutMs: opts.bodyTimeoutMs ?? 60_000 }).catch((e) => {
      log(`request failed: ${(e as Error)?.stack ?? e}`);
      // A client gone mid-answer must not become an unhandled rejection in the daemon.
      if (!res.headersSent) writeResponse(res, errorResponse(e)).catch(() => res.destroy());
      else res.destroy();
    });
  };
  const server = opts.insecureHttp
    ? http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, listener)
    : https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2', maxHeaderSize: MAX_HEADER_BYTES }, listener);
  // Slow or silent clients do not hold a connection forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // watches and follows run long; bodies are bounded below
  server.keepAliveTimeout = 30_000;
  const { attachUpgrades } = await import('./upgrade');
  const endUpgraded = attachUpgrades(server, { api: opts.api, gate, pki, log, respond });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const local = opts.socketPath ? await listenLocal(opts.socketPath, listener, log) : undefined;
  const host = opts.host ?? '127.0.0.1';
  const url = `${opts.insecureHttp ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    pki,
    close: () =>
      new Promise<void>((resolve) => {
        watchCache.stop();
        local?.close();
        server.close(() => resolve());
        server.closeAllConnections();
        endUpgraded();
      }),
  };
}

/**
 * Request line and headers together, as Go's http.Server (DefaultMaxHeaderBytes) takes them
 * for kube-apiserver: Node's default of 16 KiB refused a 20 KB label selector (431).
 */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * The CLI's Unix socket: plain HTTP for the requests of the cluster's own `kubesim` (the
 * same authentication: its bearer token; no upgrades, which the CLI's client never asks
 * for). Not served (the CLI then uses HTTPS) when the path is too long for a socket
 * address or cannot be bound. Gone when the server closes.
 */
async function listenLocal(socketPath: string, listener: http.RequestListener, log: (line: string) => void): Promise<{ close(): void } | undefined> {
  // sun_path holds 108 bytes with its NUL on Linux (104 on macOS); Windows has named pipes instead.
  if (Buffer.byteLength(socketPath) > 103 || process.platform === 'win32') return undefined;
  const fs = await import('node:fs');
  try {
    // One left by a server that did not clean up (only a socket is removed).
    if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch {
    /* none */
  }
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, listener);
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: socketPath, readableAll: false, writableAll: false }, () => resolve());
    });
    fs.chmodSync(socketPath, 0o600);
  } catch (e) {
    log(`not serving on ${socketPath}: ${(e as Error).message}`);
    server.close();
    return undefined;
  }
  return {
    close() {
      // libuv removes the socket's file when a bound pipe closes.
      server.close();
      server.closeAllConnections();
    },
  };
}

interface Deps {
  respond: (req: ApiRequest) => Promise<ApiResponse>;
  gate: RbacGate;
  pki: ClusterPki;
  log: (line: string) => void;
  bodyTimeoutMs: number;
}

/**
 * Reads the body, up to the limit (413 beyond it) and within `timeoutMs` (504 after it, as
 * kube-apiserver's request timeout): a client dribbling a body byte by byte (slow loris)
 * does not hold its connection and buffer for ever.
 */
function readBody(req: http.IncomingMessage, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: Error) => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      reject(e);
    };
    const timer = setTimeout(() => fail(new RestError(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {})), timeoutMs);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) return fail(tooLarge());
      chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('client aborted')));
  });
}

const tooLarge = () => new RestError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);

/** Authenticates, authorizes, and turns an HTTP request into an ApiRequest. */
export async function admit(req: http.IncomingMessage, deps: { gate: RbacGate; pki: ClusterPki }): Promise<{ user: RequestUser; path: string; query: URLSearchParams }> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
  let user = authenticate(req, deps.pki.token, deps.pki.serverKey);
  // A service account token stops working once its account (or bound object) is gone.
  if (fromServiceAccountToken(user) && !(await serviceAccountStillValid(deps.gate.api, user))) throw new RestError(401, 'Unauthorized', 'Unauthorized');
  const publicPath = PUBLIC.has(path.replace(/\/$/, '')) || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/');
  if (user === ANONYMOUS && !publicPath) throw new RestError(401, 'Unauthorized', 'Unauthorized');
  user = await impersonate(req, user, deps.gate);
  if (!publicPath) await authorizeRequest(deps.gate, user, req.method ?? 'GET', path, query);
  return { user, path, query };
}

/** A request answered later than this is logged with where its time went (kube's traces log past 500 ms). */
const SLOW_REQUEST_MS = 1000;

/**
 * The daemon's share of a request's wait, from its arrival (its headers read) to its answer,
 * on every response as `Server-Timing` (W3C): `queue` for its turn at the store, `lock` for
 * another process's store lock, `handler` the rest (its own work and the turns the event loop
 * gave other work meanwhile), `total`. Clients ignore the header; tests and browsers read it.
 */
function serverTiming(waits: RequestWaits, totalMs: number): string {
  const ms = (v: number) => Math.round(v * 10) / 10;
  return `queue;dur=${ms(waits.queueMs)}, lock;dur=${ms(waits.lockMs)}, handler;dur=${ms(Math.max(0, totalMs - waits.queueMs - waits.lockMs))}, total;dur=${ms(totalMs)}`;
}

async function serveRequest(req: http.IncomingMessage, res: http.ServerResponse, deps: Deps): Promise<void> {
  const arrived = performance.now();
  const abort = new AbortController();
  // Only a client gone before the end is news to anyone (watches, follows): aborting every
  // finished response would build an AbortError for nobody on each request.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  // The dashboard's files (no cluster data in them: public); its data comes through the API.
  if (isDashboardPath((req.url ?? '/').split('?')[0])) {
    await writeResponse(res, dashboardAsset((req.url ?? '/').split('?')[0], req.method ?? 'GET'));
    return;
  }
  const waits: RequestWaits = { queueMs: 0, lockMs: 0 };
  let response = await answer(req, res, deps, abort.signal, waits);
  if (req.method === 'HEAD') response = { ...response, body: undefined, stream: undefined };
  const total = performance.now() - arrived;
  const timing = serverTiming(waits, total);
  if (total > SLOW_REQUEST_MS) deps.log(`slow request: ${req.method} ${(req.url ?? '/').split('?')[0]} ${response.status} in ${Math.round(total)} ms (${timing})`);
  await writeResponse(res, { ...response, headers: { ...response.headers, 'server-timing': timing } }, abort.signal);
}

/**
 * The request's answer. Its store calls run in the user flow (authentication and
 * authorization read the store too); its body's arrival (a slow client's) and a stream's
 * chunks (a watch), written after, do not hold the controllers back.
 */
async function answer(req: http.IncomingMessage, res: http.ServerResponse, deps: Deps, signal: AbortSignal, waits: RequestWaits): Promise<ApiResponse> {
  try {
    const { user, path, query } = await asUserRequest(() => admit(req, deps), waits);
    const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '') ? await readBody(req, deps.bodyTimeoutMs) : undefined;
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const apiReq: ApiRequest = { method: req.method ?? 'GET', path, query, headers, body, user, signal };
    return await asUserRequest(() => deps.respond(apiReq), waits);
  } catch (e) {
    // The rest of a refused body is not read: the connection ends with the answer.
    if ((e as RestError)?.code === 413 || (e as RestError)?.code === 504) res.setHeader('connection', 'close');
    return errorResponse(e);
  }
}

const EMPTY = Buffer.alloc(0);

async function writeResponse(res: http.ServerResponse, r: ApiResponse, signal?: AbortSignal): Promise<void> {
  const headers = { 'cache-control': 'no-cache, private', 'x-content-type-options': 'nosniff', ...r.headers };
  if (!r.stream) {
    // Encoded to bytes once: measuring a string's length and then writing it would encode it twice.
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : (r.body ?? EMPTY);
    delete (headers as Record<string, string>)['transfer-encoding'];
    res.writeHead(r.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  delete (headers as Record<string, string>)['transfer-encoding'];
  res.writeHead(r.status, headers);
  res.flushHeaders();
  const it = r.stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (signal?.aborted || res.destroyed) break;
      const { value, done } = await it.next();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    }
  } finally {
    await it.return?.(undefined);
    if (!res.destroyed) res.end();
  }
}
