// The Kubernetes API server measured in one process (bench/run.mjs --only api): the same
// requests through the REST handler in-process (what KUBESIM_NO_DAEMON=1 uses, no socket)
// and through the HTTPS server (TLS, client-certificate authentication, RBAC), on a memory
// store holding <pods> pods. One JSON line per row.
//
//   node --import tsx bench/api-server.ts <pods> <gets> <watchEvents>

import * as https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../src/api/server';
import { openStore } from '../src/store/registry';
import { ManualClock } from '../src/sim/clock';
import { seededRng } from '../src/sim/rng';
import { apiValidator, loadValidation } from '../src/api/validator-adapter';
import { RestHandler } from '../src/api/rest/handler';
import { DEFAULT_ADMIN } from '../src/rbac';
import { startApiServer } from '../src/server/http-server';
import type { KObject } from '../src/api/types';

const [pods = 10_000, gets = 2000, watchEvents = 1000] = process.argv.slice(2).map(Number);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const out = (row: object) => console.log(JSON.stringify(row));

const pod = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${i}`, namespace: 'default', labels: { app: `a${i % 10}` } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

async function main(): Promise<void> {
  await loadValidation();
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-bench-api-'));
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2025-01-01T00:00:00Z')), seededRng(3), apiValidator());
  await api.bootstrap();
  const t0 = performance.now();
  for (let i = 0; i < pods; i++) await api.create(pod(i));
  out({ row: 'seed', pods, ms: performance.now() - t0 });

  const server = await startApiServer({ api, clusterDir: dir, port: 0 });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: server.pki.caCert, cert: server.pki.adminCert, key: server.pki.adminKey });
  const viaHttp = (path: string, accept = 'application/json'): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      https
        .get(new URL(path, server.url), { agent, headers: { accept } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  const handler = new RestHandler(api);
  const user = { name: DEFAULT_ADMIN.name, groups: DEFAULT_ADMIN.groups };
  const inProcess = async (path: string, accept = 'application/json') => {
    const [p, q = ''] = path.split('?');
    const r = await handler.handle({ method: 'GET', path: p, query: new URLSearchParams(q), headers: { accept }, user });
    return { status: r.status, body: typeof r.body === 'string' ? r.body : String(r.body ?? '') };
  };
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

  for (const [via, call] of [['in-process handler', inProcess], ['HTTPS server', viaHttp]] as const) {
    const lat: number[] = [];
    for (let i = 0; i < gets; i++) {
      const s = performance.now();
      const r = await call(`/api/v1/namespaces/default/pods/p-${(i * 7919) % pods}`);
      lat.push(performance.now() - s);
      if (r.status !== 200) throw new Error(`GET ${r.status}: ${r.body.slice(0, 200)}`);
    }
    out({ row: 'get', via, n: gets, p50: pct(lat, 50), p99: pct(lat, 99) });
    for (const [what, path, accept] of [
      ['LIST as Table', '/api/v1/namespaces/default/pods', TABLE],
      ['LIST as JSON', '/api/v1/namespaces/default/pods', 'application/json'],
      ['LIST, limit=500 (first page, as kubectl)', '/api/v1/namespaces/default/pods?limit=500', TABLE],
    ] as const) {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        const r = await call(path, accept);
        runs.push(performance.now() - s);
        if (r.status !== 200) throw new Error(`LIST ${r.status}: ${r.body.slice(0, 200)}`);
      }
      out({ row: 'list', what, via, pods, median: pct(runs, 50), min: Math.min(...runs) });
    }
  }

  // Watch delivery over HTTPS: a create's call start to its ADDED line on an open watch.
  const startRv = (await api.list(api.registry.forKind('v1', 'Pod'), { namespace: 'default' })).resourceVersion;
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const watchReq = https.get(new URL(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${startRv}`, server.url), { ca: server.pki.caCert, cert: server.pki.adminCert, key: server.pki.adminKey, agent: false }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        const at = sentAt.get(ev.object?.metadata?.name);
        if (ev.type === 'ADDED' && at !== undefined) delays.push(performance.now() - at);
        if (delays.length === watchEvents) done();
      }
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  const w0 = performance.now();
  for (let i = 0; i < watchEvents; i++) {
    const name = `w-${i}`;
    sentAt.set(name, performance.now());
    await api.create({ ...pod(pods + i), metadata: { ...pod(pods + i).metadata, name } });
    // One turn of the event loop per write, as writes arriving over sockets get: without it
    // a tight loop of memory-store writes would starve the watch stream until it ends.
    await new Promise((r) => setImmediate(r));
  }
  await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error(`watch saw ${delays.length}/${watchEvents}`)), 60_000))]);
  out({ row: 'watch', n: watchEvents, p50: pct(delays, 50), p99: pct(delays, 99), ms: performance.now() - w0 });
  watchReq.destroy();
  agent.destroy();
  await server.close();
  await api.store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
