#!/usr/bin/env node
// The REST API server under load: `kubesim serve` over a file store holding
// 100,000 pods (10,000 in `default`, the rest in `bulk`), measured by clients on this
// machine over TLS with the admin's client certificate. Prints one JSON line; bench/run.mjs
// (section `serve`) turns it into rows.
//
//   node bench/serve.mjs [--quick]
//
// The pods name a scheduler that does not run (`schedulerName: bench-external`), so they stay
// Pending and untouched, as on a real cluster whose external scheduler is down: the server
// holds them at rest, and the figures are the API server's, not the controllers'.
// The registry is seeded by writing object files in the store's format (one pod created
// through the CLI is the template), as the `get` section does; the server must then list
// every one of them, or the run fails.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'kubesim');
const QUICK = process.argv.includes('--quick');
const IN_DEFAULT = QUICK ? 2_000 : 10_000;
const TOTAL = QUICK ? 10_000 : 100_000;
const CLUSTER = 'bench';

const home = mkdtempSync(join(tmpdir(), 'kubesim-bench-api-'));
const env = { ...process.env, KUBESIM_HOME: join(home, 'state'), KUBESIM_NO_DAEMON: '1', KUBECONFIG: join(home, 'kubeconfig'), HOME: home, NO_COLOR: '1' };
let server;
process.on('exit', () => {
  server?.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

function kubesim(args, input) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);

/** Writes `count` pods into namespace `ns` by copying the template's file (new name, uid, revision). */
function seed(clusterDir, template, ns, count, first, rev) {
  const dir = join(clusterDir, 'registry', 'pods', ns);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const name = `p-${n}`;
    const obj = { ...template, metadata: { ...template.metadata, name, namespace: ns, uid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, labels: { app: n % 10 === 0 ? 'x' : 'y' }, resourceVersion: String(++rev) } };
    writeFileSync(join(dir, name), JSON.stringify(obj, null, 2) + '\n', { mode: 0o600 });
  }
  return rev;
}

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}
function memoryMiB(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

// --- the cluster, seeded ---
kubesim(['cluster', 'create', CLUSTER, '--nodes', '1']);
kubesim(['create', 'namespace', 'bulk']);
kubesim(['create', 'namespace', 'watch']);
kubesim(['run', 'template', '--image=nginx:1.27', '--overrides={"spec":{"schedulerName":"bench-external"}}']);
const clusterDir = join(env.KUBESIM_HOME, 'clusters', CLUSTER);
const templateFile = join(clusterDir, 'registry', 'pods', 'default', 'template');
const template = JSON.parse(readFileSync(templateFile, 'utf8'));
rmSync(templateFile);
let rev = Number(readFileSync(join(clusterDir, 'rev'), 'utf8').trim());
const t0 = Date.now();
rev = seed(clusterDir, template, 'default', IN_DEFAULT, 0, rev);
rev = seed(clusterDir, template, 'bulk', TOTAL - IN_DEFAULT, IN_DEFAULT, rev);
writeFileSync(join(clusterDir, 'rev'), `${rev}\n`, { mode: 0o600 });
const seedMs = Date.now() - t0;

// --- the server ---
server = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
server.stdout.on('data', (d) => (out += d));
server.stderr.on('data', (d) => (out += d));
const startT = Date.now();
while (!/ at (https?:\/\/\S+)/.test(out)) {
  if (server.exitCode !== null) throw new Error(`kubesim serve exited ${server.exitCode}: ${out}`);
  if (Date.now() - startT > 120_000) throw new Error(`kubesim serve did not start: ${out}`);
  await sleep(50);
}
const url = / at (https?:\/\/\S+)/.exec(out)[1];
const pki = (f) => readFileSync(join(clusterDir, 'pki', f), 'utf8');
const agent = new https.Agent({ keepAlive: true, maxSockets: 200, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key') });

/** One request; resolves with status, body and its latency in ms. */
function request(method, path, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = https.request(new URL(path, url), { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
async function ok(method, path, opts) {
  const r = await request(method, path, opts);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return r;
}

while ((await request('GET', '/readyz').catch(() => ({ body: '' }))).body !== 'ok') {
  if (Date.now() - startT > 120_000) throw new Error(`/readyz never answered ok: ${out}`);
  await sleep(50);
}
const readyMs = Date.now() - startT;
const all = JSON.parse((await ok('GET', '/api/v1/pods?limit=1')).body);
const stored = 1 + (all.metadata.remainingItemCount ?? 0);
if (stored !== TOTAL) throw new Error(`the server lists ${stored} pods, ${TOTAL} were seeded`);

// At rest: until the server's CPU use stays under 5 % of a core for 2 s (at most 5 min).
let cpu = cpuSeconds(server.pid);
let calm = 0;
const restT = Date.now();
while (calm < 2 && Date.now() - restT < 300_000) {
  await sleep(1000);
  const now = cpuSeconds(server.pid);
  calm = now - cpu < 0.05 ? calm + 1 : 0;
  cpu = now;
}
const restCpu0 = cpuSeconds(server.pid);
await sleep(5000);
const restPercent = ((cpuSeconds(server.pid) - restCpu0) / 5) * 100;
const memAtRest = memoryMiB(server.pid);

// --- single-object GET, sequential ---
for (let i = 0; i < 50; i++) await ok('GET', `/api/v1/namespaces/default/pods/p-${i}`); // warm
const gets = [];
for (let i = 0; i < 2000; i++) gets.push((await ok('GET', `/api/v1/namespaces/default/pods/p-${(i * 7919) % IN_DEFAULT}`)).ms);

// --- LIST of the namespace's pods, as a Table (what kubectl asks for) and as JSON ---
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const tables = [];
const jsons = [];
for (let i = 0; i < 7; i++) {
  const t = await ok('GET', '/api/v1/namespaces/default/pods?limit=500', { headers: { accept: TABLE } }); // kubectl's first chunk
  void t;
  tables.push((await ok('GET', '/api/v1/namespaces/default/pods', { headers: { accept: TABLE } })).ms);
  jsons.push((await ok('GET', '/api/v1/namespaces/default/pods')).ms);
}
const rows = JSON.parse((await ok('GET', '/api/v1/namespaces/default/pods', { headers: { accept: TABLE } })).body).rows.length;
if (rows !== IN_DEFAULT) throw new Error(`the Table has ${rows} rows, ${IN_DEFAULT} expected`);

// --- 20 concurrent clients mixing reads and writes for 5 s ---
const verbs = { get: [], list: [], create: [], patch: [] };
let made = 0;
const mixEnd = Date.now() + 5000;
await Promise.all(
  Array.from({ length: 20 }, async (_, c) => {
    for (let i = 0; Date.now() < mixEnd; i++) {
      switch ((c + i) % 4) {
        case 0:
          verbs.get.push((await ok('GET', `/api/v1/namespaces/default/pods/p-${(c * 131 + i) % IN_DEFAULT}`)).ms);
          break;
        case 1:
          verbs.list.push((await ok('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dx&limit=100')).ms);
          break;
        case 2: {
          const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `mix-${c}-${i}` }, data: { k: 'v' } });
          verbs.create.push((await ok('POST', '/api/v1/namespaces/default/configmaps', { body, headers: { 'content-type': 'application/json' } })).ms);
          made++;
          break;
        }
        default:
          verbs.patch.push((await ok('PATCH', `/api/v1/namespaces/default/pods/p-${(c * 17 + i) % IN_DEFAULT}`, { body: JSON.stringify({ metadata: { labels: { touched: String(i) } } }), headers: { 'content-type': 'application/merge-patch+json' } })).ms);
      }
    }
  }),
);
const mix = Object.fromEntries(Object.entries(verbs).map(([v, xs]) => [v, { n: xs.length, p50: median(xs), p99: pct(xs, 99) }]));

// --- watch fan-out: 100 watchers of one namespace, one writer ---
const WATCHERS = 100;
const EVENTS = QUICK ? 200 : 1000;
const startRv = JSON.parse((await ok('GET', '/api/v1/namespaces/watch/configmaps')).body).metadata.resourceVersion;
const sentAt = new Map();
const latencies = [];
let received = 0;
let lastAt = 0;
const watchers = [];
for (let w = 0; w < WATCHERS; w++) {
  watchers.push(
    new Promise((resolve, reject) => {
      let seen = 0;
      const req = https.request(new URL(`/api/v1/namespaces/watch/configmaps?watch=1&resourceVersion=${startRv}&timeoutSeconds=300`, url), { agent }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          buf += d;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const ev = JSON.parse(buf.slice(0, i));
            buf = buf.slice(i + 1);
            if (ev.type !== 'ADDED') continue;
            const now = performance.now();
            latencies.push(now - sentAt.get(ev.object.metadata.name));
            received++;
            lastAt = now;
            if (++seen === EVENTS) {
              req.destroy();
              resolve();
            }
          }
        });
        res.on('error', () => {});
      });
      req.on('error', (e) => (seen === EVENTS ? resolve() : reject(e)));
      req.end();
    }),
  );
}
await sleep(1000); // every watch registered (they start from startRv, so none would miss an event anyway)
const writeStart = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (next < EVENTS) {
      const name = `w-${next++}`;
      sentAt.set(name, performance.now());
      await ok('POST', '/api/v1/namespaces/watch/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }), headers: { 'content-type': 'application/json' } });
    }
  }),
);
const writeMs = performance.now() - writeStart;
await Promise.race([Promise.all(watchers), sleep(120_000)]);
const fanOutMs = lastAt - writeStart;

// --- real kubectl and kubesim's CLI, 10,000 pods, side by side ---
function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms: performance.now() - t, lines: r.stdout.trim().split('\n').length };
}
const kubectlRuns = [];
const kubesimRuns = [];
let kubectlLines = 0;
const kctx = ['--context', `kubesim-${CLUSTER}`];
timed('/usr/bin/kubectl', [...kctx, 'get', 'pods', '-n', 'default']); // discovery cache
for (let i = 0; i < 5; i++) {
  const a = timed('/usr/bin/kubectl', [...kctx, 'get', 'pods', '-n', 'default']);
  kubectlRuns.push(a.ms);
  kubectlLines = a.lines;
  kubesimRuns.push(timed(process.execPath, [BIN, 'get', 'pods', '-n', 'default']).ms);
}
if (kubectlLines !== IN_DEFAULT + 1) throw new Error(`kubectl printed ${kubectlLines} lines, ${IN_DEFAULT + 1} expected`);
// `kubesim get pod X` against `node -e 0`, alternating. With this file's KUBESIM_NO_DAEMON=1
// the CLI reads in-process (it asks only a cluster's daemon, never this `serve`), on the clock
// this `serve` runs: the start-up fast path reads the pod from the store without the bundle
// (docs/perf-issue-18.md, rounds 27 and 95).
const one = [];
const floor = [];
for (let i = 0; i < 15; i++) {
  one.push(timed(process.execPath, [BIN, 'get', 'pod', 'p-5', '-n', 'default']).ms);
  floor.push(timed(process.execPath, ['-e', '0']).ms);
}
const memAfter = memoryMiB(server.pid);

server.kill('SIGTERM');
console.log(
  JSON.stringify({
    quick: QUICK,
    pods: TOTAL,
    inDefault: IN_DEFAULT,
    seedMs,
    readyMs,
    restPercent,
    memAtRest,
    memAfter,
    get: { n: gets.length, p50: median(gets), p99: pct(gets, 99) },
    table: { median: median(tables), runs: tables.length },
    json: { median: median(jsons), runs: jsons.length },
    mix,
    made,
    watch: { watchers: WATCHERS, events: EVENTS, delivered: received, perSec: (received / fanOutMs) * 1000, p50: median(latencies), p99: pct(latencies, 99), writeMs },
    kubectl: median(kubectlRuns),
    kubesimGet: median(kubesimRuns),
    getOne: median(one),
    nodeFloor: median(floor),
  }),
);
process.exit(0);
