// A client already running, on one kept-alive connection to the daemon (as a controller or
// an IDE's client-go is): what a user's request waits where the daemon decides it, without a
// CLI process starting on loaded cores. Each request is timed at both ends: the round trip
// here, and the daemon's own share from its Server-Timing header (src/server/http-server.ts:
// `queue`, `lock`, `handler`, `total`).
import * as http from 'node:http';
import { daemonEndpoint } from '../../src/client/daemon-endpoint';

export type KeptAliveKind = 'create' | 'get' | 'apply' | 'count';

export interface Timed {
  kind: KeptAliveKind;
  status: number;
  /** Sent to answered, here (ms). */
  rttMs: number;
  /** The daemon's figures (ms). */
  queueMs: number;
  lockMs: number;
  handlerMs: number;
  totalMs: number;
  /** When answered (performance.now() of this process). */
  at: number;
  /** For `count`: the pods the daemon listed (items + remainingItemCount). */
  pods?: number;
}

export interface KeptAliveClient {
  request(kind: KeptAliveKind, name: string): Promise<Timed>;
  close(): void;
}

/** Parses `a;dur=1.5, b;dur=2` into { a: 1.5, b: 2 }. */
export function parseServerTiming(header: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+)\s*;\s*dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The daemon's socket and token, once it serves (`cluster start` returns before). */
async function socketOf(stateDir: string, deadline: number): Promise<{ token: string; socketPath: string }> {
  for (;;) {
    // The test processes run with KUBESIM_NO_DAEMON=1 (their CLI runs in-process): not this client.
    const saved = process.env.KUBESIM_NO_DAEMON;
    delete process.env.KUBESIM_NO_DAEMON;
    const ep = daemonEndpoint(stateDir);
    if (saved !== undefined) process.env.KUBESIM_NO_DAEMON = saved;
    if (ep && 'token' in ep.creds && ep.creds.socketPath) return { token: ep.creds.token, socketPath: ep.creds.socketPath };
    if (Date.now() > deadline) throw new Error(`no daemon serving ${stateDir} on its socket`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A client of the daemon serving `stateDir` (over its Unix socket with the admin token), once it serves. */
export async function keptAliveClient(stateDir: string, waitMs = 60_000): Promise<KeptAliveClient> {
  const { token, socketPath } = await socketOf(stateDir, Date.now() + waitMs);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (method: string, path: string, body: string | undefined, contentType: string): Promise<{ status: number; timing: Record<string, number>; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ socketPath, method, path, agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': contentType } : {}) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, timing: parseServerTiming(res.headers['server-timing'] as string | undefined), body: text }));
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on('error', reject);
      req.end(body);
    });
  const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v' } });
  return {
    async request(kind, name) {
      const t0 = performance.now();
      const r =
        kind === 'create'
          ? await send('POST', '/api/v1/namespaces/default/configmaps', cm(name), 'application/json')
          : kind === 'apply'
            ? await send('PATCH', `/api/v1/namespaces/default/configmaps/${name}?fieldManager=kubectl&force=true`, cm(name), 'application/apply-patch+yaml')
            : kind === 'get'
              ? await send('GET', `/api/v1/namespaces/default/configmaps/${name}`, undefined, '')
              : await send('GET', '/api/v1/namespaces/default/pods?limit=1', undefined, '');
      const at = performance.now();
      const t = r.timing;
      const timed: Timed = { kind, status: r.status, rttMs: at - t0, queueMs: t.queue ?? NaN, lockMs: t.lock ?? NaN, handlerMs: t.handler ?? NaN, totalMs: t.total ?? NaN, at };
      if (kind === 'count' && r.status === 200) {
        const list = JSON.parse(r.body) as { items: unknown[]; metadata?: { remainingItemCount?: number } };
        timed.pods = list.items.length + (list.metadata?.remainingItemCount ?? 0);
      }
      return timed;
    },
    close: () => agent.destroy(),
  };
}

/**
 * create, get, apply of one ConfigMap each in turn, one request after another, while
 * `more()`; every request timed.
 */
export async function keptAliveRequests(client: KeptAliveClient, tag: string, more: () => boolean): Promise<Timed[]> {
  const out: Timed[] = [];
  const kinds: KeptAliveKind[] = ['create', 'get', 'apply'];
  for (let i = 0; more(); i++) out.push(await client.request(kinds[i % 3], `ka-${tag}-${Math.floor(i / 3)}`));
  return out;
}

export interface TimedSpread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** p50/p99/max of one figure of the requests (rounded ms). */
export function timedSpread(requests: Timed[], figure: (t: Timed) => number): TimedSpread {
  const v = requests.map(figure).sort((a, b) => a - b);
  const r = (x: number | undefined) => Math.round(x ?? 0);
  return { n: v.length, p50: r(v[v.length >> 1]), p99: r(v[Math.floor(v.length * 0.99)]), max: r(v.at(-1)) };
}
