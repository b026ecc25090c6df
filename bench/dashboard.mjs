#!/usr/bin/env node
// The dashboard's bench (run by bench/run.mjs's `dashboard` section, or alone): the page
// from dist/dashboard/ in Debian's chromium, headless (driven over the DevTools protocol, no browser
// download), in its bench mode (no cluster: ?bench). Synthetic but realistic objects (the
// shape the API server returns: owners, requests, statuses, conditions) are fed through
// the page's own update path (App.load / App.feed, then App.render) and timed with
// performance.now() in the page, layout included (offsetHeight forces it).
//
//   node bench/dashboard.mjs [--runs N] [--nodes 1000] [--pods 10000] [--burst 1000] [--idle]
// Prints one JSON object: { render: [ms...], burst: [ms...], socketBurst: [ms...],
// socketBurstCpu: [the browser's CPU ms during each socket burst...], socketBurstMainCpu:
// [the page's main thread's CPU ms during each...], shelves, blocks };
// --idle adds socketIdle, socketIdleCpu and socketIdleMainCpu: the same burst received by a page that does
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
// The next burst, posted by the page (untimed), then sent to its watch socket.
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
// A watch as the API server sends it over WebSocket (one JSON event per text message): its
// own code (src/server/stream-ws.ts), handed the burst as the watch hands it what one
// wake-up found, one chunk of lines.
const { tsImport } = await import('tsx/esm/api');
const { serveStreamSocket } = await tsImport('../src/server/stream-ws.ts', import.meta.url);
const sockets = new Set();
server.on('upgrade', (req, socket, head) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  const burst = pending.join('');
  const stream = (async function* () {
    yield burst;
    await new Promise((r) => socket.once('close', r)); // a watch stays open until the client goes
  })();
  const u = new URL(req.url, 'http://localhost');
  void serveStreamSocket(req, socket, head, { respond: async () => ({ status: 200, headers: {}, stream }), user: { name: 'bench', groups: [] }, path: u.pathname, query: u.searchParams, watch: true });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/dashboard/?bench`;

/**
 * CPU time (ms, user + system) of every process under this one (chromium's browser,
 * renderer, GPU and network processes), and of the renderers' main threads alone (where
 * the page runs: on an idle machine its wall time follows that one): steadier than wall
 * time on a loaded machine.
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
  let main = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) {
      if (mine.has(pid) || !mine.has(p.ppid)) continue;
      mine.add(pid);
      ticks += p.ticks;
      grew = true;
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
        const t = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
        const rest = t.slice(t.lastIndexOf(')') + 2).split(' ');
        main += Number(rest[11]) + Number(rest[12]);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return { all: (ticks * 1000) / 100, main: (main * 1000) / 100 }; // USER_HZ is 100 on Linux
}

/**
 * Debian's chromium, headless, driven over the DevTools protocol with the Runtime domain
 * only. Not playwright here: it enables the Network domain, which copies every WebSocket
 * message to its client (a browser with no DevTools open pays nothing of the kind); on
 * this machine that was ~150 ms of the browser's CPU for a burst of 1,000 messages.
 */
async function launchChromium() {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { WebSocket } = await import('ws');
  const profile = mkdtempSync(join(tmpdir(), 'kubesim-bench-chromium-'));
  const proc = spawn('/usr/bin/chromium', ['--headless', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${text}`)), 30_000);
    proc.stderr.on('data', (d) => {
      const m = /DevTools listening on (ws:\S+)/.exec((text += d));
      if (m) (clearTimeout(timer), resolve(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${text}`)));
  });
  const ws = new WebSocket(endpoint, { perMessageDeflate: false });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  let id = 0;
  const waiting = new Map();
  const listeners = new Set();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.id === undefined) return void listeners.forEach((f) => f(m));
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w.reject(new Error(m.error.message));
    else w.resolve(m.result);
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    waiting.set(++id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params, sessionId }));
  });
  return {
    async newPage(pageUrl, errors) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      listeners.add((m) => {
        if (m.sessionId !== sessionId) return;
        if (m.method === 'Runtime.exceptionThrown') errors.push(m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text);
        if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error') errors.push(m.params.args.map((a) => a.value ?? a.description).join(' '));
      });
      await send('Runtime.enable', {}, sessionId);
      await send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false }, sessionId);
      await send('Page.navigate', { url: pageUrl }, sessionId);
      const evaluate = async (fn, arg) => {
        const r = await send('Runtime.evaluate', { expression: `(${fn})(${JSON.stringify(arg)})`, awaitPromise: true, returnByValue: true }, sessionId);
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
        return r.result.value;
      };
      const deadline = Date.now() + 30_000;
      while (!(await evaluate(() => document.readyState === 'complete' && !!window.kubesimDashboard))) {
        if (Date.now() > deadline) throw new Error(`${pageUrl} did not load`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return { evaluate, close: () => send('Target.closeTarget', { targetId }) };
    },
    async close() {
      // Browser.close lets chromium shut its helper processes down; killed, its network
      // service still wrote the profile after the browser had exited (ENOTEMPTY at rmdir).
      const exited = new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      await Promise.race([send('Browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
      if (await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))])) ws.close();
      else (ws.close(), proc.kill(), await exited);
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

const browser = await launchChromium();
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

const out = { render: [], burst: [], socketBurst: [], socketBurstCpu: [], socketBurstMainCpu: [], ...(IDLE ? { socketIdle: [], socketIdleCpu: [], socketIdleMainCpu: [] } : {}), shelves: 0, blocks: 0, errors };
try {
  for (let r = 0; r < RUNS; r++) {
    const page = await browser.newPage(url, errors);
    const r1 = await page.evaluate(renderCase, { nodes: NODES, pods: PODS });
    out.render.push(r1.ms);
    out.shelves = r1.shelves;
    out.blocks = r1.blocks;
    out.burst.push(await page.evaluate(burstCase, { burst: BURST, round: r }));
    for (const idle of IDLE ? [true, false] : [false]) {
      const count = await page.evaluate(burstCase, { burst: BURST, round: r + RUNS + (idle ? RUNS : 0), socket: true });
      const cpu0 = browserCpuMs();
      const ms = await page.evaluate(socketCase, { count, idle });
      const cpu1 = browserCpuMs();
      out[idle ? 'socketIdle' : 'socketBurst'].push(ms);
      out[idle ? 'socketIdleCpu' : 'socketBurstCpu'].push(cpu1.all - cpu0.all);
      out[idle ? 'socketIdleMainCpu' : 'socketBurstMainCpu'].push(cpu1.main - cpu0.main);
    }
    await page.close();
  }
} finally {
  // a failure to clean up must not hide the case's own error
  await browser.close().catch((e) => console.error(`chromium clean-up: ${e.message}`));
  for (const s of sockets) s.destroy();
  server.close();
}
console.log(JSON.stringify(out));
