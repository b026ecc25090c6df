#!/usr/bin/env node
// The dashboard's bench (run by bench/run.mjs's `dashboard` section, or alone): the page
// from dist/dashboard/ in Debian's chromium, headless (playwright-core, no browser
// download), in its bench mode (no cluster: ?bench). Synthetic but realistic objects (the
// shape the API server returns: owners, requests, statuses, conditions) are fed through
// the page's own update path (App.load / App.feed, then App.render) and timed with
// performance.now() in the page, layout included (offsetHeight forces it).
//
//   node bench/dashboard.mjs [--runs N] [--nodes 1000] [--pods 10000] [--burst 1000] [--idle]
// Prints one JSON object: { render: [ms...], burst: [ms...], socketBurst: [ms...],
// socketBurstCpu: [the browser's CPU ms during each socket burst...], shelves, blocks };
// --idle adds socketIdle and socketIdleCpu: the same burst received by a page that does
// nothing with it (the floor: what the browser's WebSocket costs alone).

import * as http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = arg('--runs', 5);
const NODES = arg('--nodes', 1000);
const PODS = arg('--pods', 10000);
const BURST = arg('--burst', 1000);
const IDLE = args.includes('--idle');

const dir = join(ROOT, 'dist', 'dashboard');
const types = { 'index.html': 'text/html', 'app.js': 'text/javascript', 'app.css': 'text/css' };
// The next burst, posted by the page (untimed), then sent to its watch socket one event a message.
let pending = [];
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/bench-events') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      pending = JSON.parse(body).map((e) => JSON.stringify(e) + '\n');
      res.writeHead(204).end();
    });
    return;
  }
  const name = (req.url ?? '/').split('?')[0].replace(/^\/dashboard\/?/, '') || 'index.html';
  if (!types[name]) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': types[name] }).end(readFileSync(join(dir, name)));
});
// A watch as the API server sends it over WebSocket: one JSON event per text message.
const { WebSocketServer } = await import('ws');
const wss = new WebSocketServer({ server, path: '/bench-watch', perMessageDeflate: false, handleProtocols: (ps) => [...ps][0] ?? false });
wss.on('connection', (ws) => {
  for (const line of pending) ws.send(line);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/dashboard/?bench`;

/**
 * CPU time (ms, user + system) of every process under this one (chromium's browser,
 * renderer, GPU and network processes): steadier than wall time on a loaded machine.
 */
function browserCpuMs() {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      /* gone meanwhile */
    }
  }
  const mine = new Set([process.pid]);
  let ticks = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) if (!mine.has(pid) && mine.has(p.ppid)) (mine.add(pid), (ticks += p.ticks), (grew = true));
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const errors = [];

/** Runs in the page: builds the cluster's objects (not timed), then times load + render. */
function renderCase({ nodes, pods }) {
  const app = window.kubesimDashboard;
  const ts = '2026-01-01T00:00:00Z';
  const nodeObjs = [];
  for (let i = 0; i < nodes; i++) {
    const name = `node-${String(i).padStart(4, '0')}`;
    nodeObjs.push({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, uid: `n-${i}`, resourceVersion: String(i + 1), creationTimestamp: ts, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      spec: { podCIDR: `10.244.${i % 256}.0/24` },
      status: {
        allocatable: { cpu: '8', memory: '32Gi', pods: '110' }, capacity: { cpu: '8', memory: '32Gi', pods: '110' },
        conditions: [
          { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ],
        nodeInfo: { kubeletVersion: 'v1.32.0' },
      },
    });
  }
  const deployments = [];
  const replicasets = [];
  const podObjs = [];
  const perRs = 10;
  for (let d = 0; d < pods / perRs; d++) {
    const app = `app-${d}`;
    deployments.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: `ns-${d % 10}`, uid: `d-${d}`, resourceVersion: '1', generation: 1 }, spec: { replicas: perRs }, status: { replicas: perRs, readyReplicas: perRs, updatedReplicas: perRs } });
    const rs = `${app}-7d4b9c8f6`;
    replicasets.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace: `ns-${d % 10}`, uid: `rs-${d}`, resourceVersion: '1', annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: `d-${d}`, controller: true }] }, spec: { replicas: perRs } });
    for (let k = 0; k < perRs; k++) {
      const i = d * perRs + k;
      podObjs.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${rs}-${String(i).padStart(5, '0')}`, namespace: `ns-${d % 10}`, uid: `p-${i}`, resourceVersion: String(10000 + i), creationTimestamp: ts, labels: { app, 'pod-template-hash': '7d4b9c8f6' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${d}`, controller: true }] },
        spec: { nodeName: `node-${String(i % nodes).padStart(4, '0')}`, containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
        status: {
          phase: 'Running', podIP: `10.244.${i % 256}.${i % 250}`, startTime: ts,
          conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Initialized', status: 'True' }, { type: 'ContainersReady', status: 'True' }, { type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'web', ready: true, started: true, restartCount: 0, image: 'nginx:1.27', state: { running: { startedAt: ts } } }],
        },
      });
    }
  }
  const t0 = performance.now();
  app.load('nodes', nodeObjs);
  app.load('replicasets', replicasets);
  app.load('deployments', deployments);
  app.load('pods', podObjs);
  app.render();
  void document.body.offsetHeight;
  const ms = performance.now() - t0;
  window.__benchPods = podObjs;
  return { ms, shelves: document.querySelectorAll('[data-shelf]').length, blocks: document.querySelectorAll('#shelves [data-pod]').length };
}

/** Runs in the page: a burst of watch events (status changes, crash loops, new and deleted pods), applied and drawn. */
function burstCase({ burst, round, socket }) {
  const app = window.kubesimDashboard;
  const pods = window.__benchPods;
  const ts = '2026-01-01T00:05:00Z';
  const events = [];
  for (let j = 0; j < burst; j++) {
    const idx = (j * 7919 + round * 104729) % pods.length;
    const p = structuredClone(pods[idx]);
    p.metadata.resourceVersion = String(100000 + round * burst + j);
    if (j % 10 === 0) {
      events.push({ type: 'DELETED', object: p });
      continue;
    }
    if (j % 10 === 1) {
      p.metadata.name += `-new${round}`;
      p.metadata.uid += `-new${round}`;
      p.spec.nodeName = undefined;
      p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1000 nodes are available: 1000 Insufficient cpu.' }] };
      events.push({ type: 'ADDED', object: p });
      continue;
    }
    p.status.containerStatuses = [{ name: 'web', ready: false, started: false, restartCount: 3 + round, image: 'nginx:1.27', lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ts } }, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } } }];
    p.status.conditions = p.status.conditions.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' } : c));
    events.push({ type: 'MODIFIED', object: p });
  }
  // Over the socket: the burst goes to the server now (untimed); socketCase receives it.
  if (socket) return fetch('/bench-events', { method: 'POST', body: JSON.stringify(events) }).then(() => events.length);
  const t0 = performance.now();
  app.feed('pods', events);
  app.render();
  void document.body.offsetHeight;
  return performance.now() - t0;
}

/**
 * Runs in the page: the burst posted by burstCase through the page's real watch path: its
 * WebSocket client (a message per event, parsed and fed as it arrives) and its drawing;
 * timed from the socket's opening to the drawing of the last event, layout included.
 * With `idle` the page does nothing with the events (what receiving them costs alone).
 */
async function socketCase({ count, idle }) {
  const app = window.kubesimDashboard;
  const abort = new AbortController();
  let t0 = 0;
  let n = 0;
  const ms = await new Promise((resolve, reject) => {
    app.client
      .watchSocket('/bench-watch', (e) => {
        if (!idle) app.feed('pods', [e]);
        if (++n === count) void app.drawn().then(() => {
          void document.body.offsetHeight;
          resolve(performance.now() - t0);
        });
      }, () => (t0 = performance.now()), abort.signal)
      .catch(reject);
  });
  abort.abort();
  return ms;
}

const out = { render: [], burst: [], socketBurst: [], socketBurstCpu: [], ...(IDLE ? { socketIdle: [], socketIdleCpu: [] } : {}), shelves: 0, blocks: 0, errors };
try {
  for (let r = 0; r < RUNS; r++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);
    const r1 = await page.evaluate(renderCase, { nodes: NODES, pods: PODS });
    out.render.push(r1.ms);
    out.shelves = r1.shelves;
    out.blocks = r1.blocks;
    out.burst.push(await page.evaluate(burstCase, { burst: BURST, round: r }));
    for (const idle of IDLE ? [true, false] : [false]) {
      const count = await page.evaluate(burstCase, { burst: BURST, round: r + RUNS + (idle ? RUNS : 0), socket: true });
      const cpu0 = browserCpuMs();
      const ms = await page.evaluate(socketCase, { count, idle });
      const cpu = browserCpuMs() - cpu0;
      out[idle ? 'socketIdle' : 'socketBurst'].push(ms);
      out[idle ? 'socketIdleCpu' : 'socketBurstCpu'].push(cpu);
    }
    await page.close();
  }
} finally {
  await browser.close();
  wss.close();
  server.close();
}
console.log(JSON.stringify(out));
