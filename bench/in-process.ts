// In-process control-loop benchmarks (MemoryStore, virtual clock): scheduling throughput,
// a 10,000-replica Deployment until every pod is Running. Prints one JSON line per case so
// that bench/run.mjs can collect the figures.
//
//   node --import tsx bench/in-process.ts schedule <nodes> <pods> [--no-validator] [--owned]
//   node --import tsx bench/in-process.ts deployment <replicas> <nodes> [--no-validator]
//
// The API server validates every write as the CLI's does (schemas loaded first), unless
// --no-validator; each JSON line says which, so a row can say how it was measured.

import { createHash } from 'node:crypto';
import { ApiServer } from '../src/api/server';
import { openStore } from '../src/store/registry';
import { ManualClock } from '../src/sim/clock';
import { seededRng } from '../src/sim/rng';
import { defaultProfile } from '../src/sim/profile';
import { nodeObject } from '../src/cluster/cluster';
import { createScheduler } from '../src/controllers/scheduler';
import { createControllerManager } from '../src/controllers';
import { ControllerManager } from '../src/controllers/manager';
import type { KObject } from '../src/api/types';
import { apiValidator, loadValidation } from '../src/api/validator-adapter';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const VALIDATOR = !process.argv.includes('--no-validator');
// --owned: the pods name a controlling ReplicaSet, as a Deployment's do (the scheduler then
// also scores the default spreading of the owner's pods over nodes).
const OWNED = process.argv.includes('--owned');
const HOW = { store: 'memory', validator: VALIDATOR, clock: 'virtual' };

async function cluster(nodes: number) {
  const store = await openStore('memory://');
  const clock = new ManualClock(T0);
  const rng = seededRng(42);
  const api = await ApiServer.open(store, clock, rng, VALIDATOR ? apiValidator() : undefined);
  await api.bootstrap();
  const profile = defaultProfile('bench', { nodes, pods: 110 });
  await store.batch(async () => {
    for (const [i, n] of profile.nodes.entries()) await api.create(nodeObject(n, i, api.timestamp()));
  });
  return { store, clock, rng, api, profile };
}

function pod(i: number): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `p-${i}`,
      namespace: 'default',
      labels: { app: i % 10 === 0 ? 'x' : 'y' },
      ...(OWNED ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d4cf56db6', uid: `rs-${i % 10 === 0 ? 'x' : 'y'}`, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

/**
 * With BENCH_CPU_PROFILE=file, a CPU profile of the measured part only (`node --cpu-prof`
 * would also take in start-up and the setup of nodes and pods).
 */
async function profileWindow(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return async () => {};
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function schedule(nodes: number, pods: number): Promise<void> {
  const c = await cluster(nodes);
  const podType = c.api.registry.forKind('v1', 'Pod');
  await c.store.batch(async () => {
    for (let i = 0; i < pods; i++) await c.api.create(pod(i));
  });
  const manager = new ControllerManager([createScheduler()], { api: c.api, clock: c.clock, rng: c.rng, profile: c.profile, log: () => {} });
  const stopProfile = await profileWindow();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await manager.runUntilStable({ timeoutMs: 0 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await stopProfile();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const items = (await c.api.list(podType)).items;
  const bound = items.filter((p) => p.spec?.nodeName).length;
  // Which pod went to which node, hashed: a faster scheduler must place every pod as before
  // (same seed, same filters, scores and tie-breaks).
  const placement = createHash('sha256').update(items.map((p) => `${p.metadata.name}=${p.spec?.nodeName ?? ''}`).sort().join('\n')).digest('hex').slice(0, 16);
  if (bound !== pods) throw new Error(`only ${bound} of ${pods} pods bound (${manager.stats.lastError ?? ''})`);
  // CPU time beside wall time: on a shared machine the wall figure mostly measures the load.
  console.log(JSON.stringify({ case: 'schedule', ...HOW, ...(OWNED ? { owned: true } : {}), nodes, pods, ms, podsPerSec: (pods / ms) * 1000, cpuMs, podsPerCpuSec: (pods / cpuMs) * 1000, placement }));
}

async function deployment(replicas: number, nodes: number): Promise<void> {
  const c = await cluster(nodes);
  const manager = createControllerManager({ api: c.api, clock: c.clock, rng: c.rng, profile: c.profile, log: () => {} });
  await c.api.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  });
  const podType = c.api.registry.forKind('v1', 'Pod');
  const stopProfile = await profileWindow();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await manager.runUntilStable({ timeoutMs: 60 * 60_000 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await stopProfile();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const pods = (await c.api.list(podType)).items;
  const running = pods.filter((p) => p.status?.phase === 'Running').length;
  if (running !== replicas) throw new Error(`only ${running} of ${replicas} pods Running (stable=${r.stable}, ${manager.stats.lastError ?? ''})`);
  console.log(JSON.stringify({ case: 'deployment', ...HOW, replicas, nodes, ms, cpuMs, clusterMs: r.advancedMs, reconciles: r.reconciles }));
}

// No top-level await: tsx runs this file as CommonJS (the package has no "type").
async function main(): Promise<void> {
  const [what, a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
  if (VALIDATOR) await loadValidation();
  if (what === 'schedule') await schedule(Number(a), Number(b));
  else if (what === 'deployment') await deployment(Number(a), Number(b));
  else throw new Error(`unknown case ${what}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
