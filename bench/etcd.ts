// The etcd driver beside the file and memory drivers, measured the same way in one process
// (bench/run.mjs --only etcd starts the etcd member and runs each case). One JSON line per
// case.
//
//   node --import tsx bench/etcd.ts create <url> <n>         create throughput (ApiServer.create, validator on)
//   node --import tsx bench/etcd.ts watch <url> <n>          watch delivery latency (a second client follows the feed)
//   node --import tsx bench/etcd.ts deployment <url> <replicas> <nodes>   controllers until all Running (virtual clock)
//   node --import tsx bench/etcd.ts seed <endpoints> <n>     writes n pods straight into etcd (for the two-server row)

import { ApiServer } from '../src/api/server';
import { openStore } from '../src/store/registry';
import { ManualClock } from '../src/sim/clock';
import { seededRng } from '../src/sim/rng';
import { defaultProfile } from '../src/sim/profile';
import { nodeObject } from '../src/cluster/cluster';
import { createControllerManager } from '../src/controllers';
import { apiValidator, loadValidation } from '../src/api/validator-adapter';
import type { Store } from '../src/store/store';
import type { KObject } from '../src/api/types';

const T0 = Date.parse('2025-01-01T00:00:00Z');

const driver = (url: string) => url.split(':')[0];

async function open(url: string, store?: Store): Promise<ApiServer> {
  const api = await ApiServer.open(store ?? (await openStore(url)), new ManualClock(T0), seededRng(7), apiValidator());
  await api.bootstrap();
  return api;
}

const cm = (i: number): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { k: `v${i}` } });

async function create(url: string, n: number): Promise<void> {
  const api = await open(url);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await api.create(cm(i));
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ case: 'create', driver: driver(url), n, ms, perSec: (n / ms) * 1000 }));
  await api.store.close();
}

/** A writer creates objects one at a time; a second client of the same store URL (another connection; the same engine for memory://) polls the feed. */
async function watch(url: string, n: number): Promise<void> {
  const writer = await open(url);
  const reader = url.startsWith('memory:') ? writer.store : await openStore(url);
  let rev = await reader.currentRev();
  // Keyed by name and stamped before the call: a watch event may arrive before the
  // writer has its answer, so this is create-to-delivery time.
  const writtenAt = new Map<string, number>();
  const latencies: number[] = [];
  let stop = false;
  const follow = (async () => {
    while (!stop || latencies.length < n) {
      await reader.currentRev();
      for (const ev of await reader.changesSince(rev)) {
        rev = ev.rev;
        const at = writtenAt.get(ev.object.metadata.name ?? '');
        if (at !== undefined) latencies.push(performance.now() - at);
      }
      await new Promise((r) => setTimeout(r, 1));
      if (stop && latencies.length >= n) break;
    }
  })();
  for (let i = 0; i < n; i++) {
    writtenAt.set(`cm-${i}`, performance.now());
    await writer.create(cm(i));
    await new Promise((r) => setTimeout(r, 5));
  }
  stop = true;
  await Promise.race([follow, new Promise((r) => setTimeout(r, 30_000))]);
  const s = [...latencies].sort((a, b) => a - b);
  console.log(JSON.stringify({ case: 'watch', driver: driver(url), n, delivered: s.length, p50: s[Math.floor(s.length / 2)], p99: s[Math.floor(s.length * 0.99)] }));
  if (reader !== writer.store) await reader.close();
  await writer.store.close();
}

async function deployment(url: string, replicas: number, nodes: number): Promise<void> {
  const api = await open(url);
  const profile = defaultProfile('bench', { nodes, pods: 110 });
  for (const [i, node] of profile.nodes.entries()) await api.create(nodeObject(node, i, api.timestamp()));
  const manager = createControllerManager({ api, clock: api.clock as ManualClock, rng: api.rng, profile, log: () => {} });
  await api.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
  });
  const t0 = performance.now();
  const r = await manager.runUntilStable({ timeoutMs: 60 * 60_000 });
  const ms = performance.now() - t0;
  const running = (await api.list(api.registry.forKind('v1', 'Pod'))).items.filter((p) => p.status?.phase === 'Running').length;
  console.log(JSON.stringify({ case: 'deployment', driver: driver(url), replicas, nodes, ms, running, stable: r.stable, reconciles: r.reconciles }));
  await api.store.close();
}

/** n pods written as kubesim writes them (a template created through the API, copied under new names), 100 puts per transaction. */
async function seed(endpoints: string, n: number): Promise<void> {
  const { openEtcdStore, REGISTRY_PREFIX } = await import('../src/store/etcd-store');
  const store = await openEtcdStore(endpoints, new URLSearchParams('timeout=30s'));
  const api = await open('etcd://' + endpoints, store);
  const tpl = await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'template', namespace: 'default', labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  await api.delete(api.registry.forKind('v1', 'Pod'), 'default', 'template', { gracePeriodSeconds: 0 });
  const t0 = performance.now();
  const { resourceVersion: _rv, ...meta } = tpl.metadata;
  for (let i = 0; i < n; i += 100) {
    const ops = [];
    for (let j = i; j < Math.min(n, i + 100); j++) {
      const obj = { ...tpl, metadata: { ...meta, name: `p-${j}`, uid: `00000000-0000-4000-8000-${String(j).padStart(12, '0')}`, labels: { app: j % 10 === 0 ? 'x' : 'y' } } };
      ops.push({ request_put: { key: Buffer.from(`${REGISTRY_PREFIX}pods/default/p-${j}`), value: Buffer.from(JSON.stringify(obj)) } });
    }
    await store.client.kv.txn({ compare: [], success: ops, failure: [] });
  }
  console.log(JSON.stringify({ case: 'seed', n, ms: performance.now() - t0 }));
  await store.close();
}

async function main(): Promise<void> {
  const [what, url, a, b] = process.argv.slice(2);
  await loadValidation();
  if (what === 'create') await create(url, Number(a));
  else if (what === 'watch') await watch(url, Number(a));
  else if (what === 'deployment') await deployment(url, Number(a), Number(b));
  else if (what === 'seed') await seed(url, Number(a));
  else throw new Error(`unknown case ${what}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
