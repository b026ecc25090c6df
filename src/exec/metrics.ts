// Simulated metrics-server: what `kubectl top` reads from metrics.k8s.io. A running
// container uses a stable, deterministic share of its requests (a hash of its identity
// picks the share), unless the pod's `kubesim.io/cpu-usage` / `kubesim.io/memory-usage`
// annotations say exactly what the pod uses (the HPA controller reads the same CPU one).

import { cpuMillis, bytes } from '../api/quantity';
import type { KObject } from '../api/types';

export const CPU_USAGE_ANNOTATION = 'kubesim.io/cpu-usage';
export const MEMORY_USAGE_ANNOTATION = 'kubesim.io/memory-usage';

const MI = 1024 * 1024;

/** Optional usage factors a cluster profile may carry (`usage: {cpu: 0.5, memory: 0.8}`). */
export interface UsageFactors {
  /** Share of the CPU request used (0..). Default: 10–40 %, per container. */
  cpu?: number;
  /** Share of the memory request used (0..). Default: 30–70 %, per container. */
  memory?: number;
}

export interface Usage {
  cpuMilli: number;
  memBytes: number;
}

export interface ContainerMetrics extends Usage {
  name: string;
}

export interface PodMetrics {
  namespace: string;
  name: string;
  containers: ContainerMetrics[];
}

/** FNV-1a: a stable number in [0, 1) from a string, so usage does not jump between runs. */
export function stableFraction(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // murmur3's finalizer, so names differing in their last letter land far apart
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 0x100000000;
}

function quantityOr(fn: (s: string) => number, v: unknown): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return fn(String(v));
  } catch {
    return undefined;
  }
}

/** Containers whose status says they are running (metrics-server only sees those). */
function runningContainers(pod: KObject): any[] {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  const running = new Set(statuses.filter((s) => s?.state?.running).map((s) => s.name));
  return (pod.spec?.containers ?? []).filter((c: any) => running.has(c.name));
}

/**
 * The pod's metrics, or undefined when metrics-server would have none (not running, or no
 * container running).
 */
export function podMetrics(pod: KObject, factors: UsageFactors = {}): PodMetrics | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const containers = runningContainers(pod);
  if (!containers.length) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const ann = pod.metadata.annotations ?? {};
  const cpuTotal = quantityOr(cpuMillis, ann[CPU_USAGE_ANNOTATION]);
  const memTotal = quantityOr(bytes, ann[MEMORY_USAGE_ANNOTATION]);
  const reqCpu = containers.map((c) => quantityOr(cpuMillis, c.resources?.requests?.cpu ?? c.resources?.limits?.cpu) ?? 0);
  const reqMem = containers.map((c) => quantityOr(bytes, c.resources?.requests?.memory ?? c.resources?.limits?.memory) ?? 0);
  // An annotation gives the pod's total: split by requests (evenly when there are none).
  const split = (total: number, reqs: number[], i: number, unit: number): number => {
    const sum = reqs.reduce((a, b) => a + b, 0);
    const share = sum > 0 ? reqs[i] / sum : 1 / reqs.length;
    return Math.round((total * share) / unit) * unit;
  };
  return {
    namespace: ns,
    name,
    containers: containers.map((c, i) => {
      const id = `${ns}/${name}/${c.name}`;
      const f = stableFraction(id);
      const g = stableFraction(id + '#mem');
      let cpuMilli: number;
      if (cpuTotal !== undefined) cpuMilli = split(cpuTotal, reqCpu, i, 1);
      else if (reqCpu[i] > 0) cpuMilli = Math.max(1, Math.round(reqCpu[i] * (factors.cpu ?? 0.1 + 0.3 * f)));
      else cpuMilli = 1 + Math.floor(f * 3); // an idle process: 1–3m
      let memBytes: number;
      if (memTotal !== undefined) memBytes = split(memTotal, reqMem, i, 1);
      else if (reqMem[i] > 0) memBytes = Math.round(reqMem[i] * (factors.memory ?? 0.3 + 0.4 * g));
      else memBytes = (2 + Math.floor(g * 14)) * MI + Math.floor(g * MI); // 2–15Mi
      return { name: c.name, cpuMilli, memBytes };
    }),
  };
}

export function podTotal(m: PodMetrics): Usage {
  return m.containers.reduce((a, c) => ({ cpuMilli: a.cpuMilli + c.cpuMilli, memBytes: a.memBytes + c.memBytes }), { cpuMilli: 0, memBytes: 0 });
}

function nodeReady(node: KObject): boolean {
  return (node.status?.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
}

/**
 * A node's usage: the system (kubelet, runtime, OS) plus its pods; undefined when the node
 * is not Ready (metrics-server cannot scrape its kubelet).
 */
export function nodeMetrics(node: KObject, podsOnNode: KObject[], factors: UsageFactors = {}): Usage | undefined {
  if (!nodeReady(node)) return undefined;
  const f = stableFraction(`node/${node.metadata.name}`);
  const usage: Usage = { cpuMilli: 40 + Math.floor(f * 60), memBytes: (500 + Math.floor(f * 300)) * MI };
  for (const p of podsOnNode) {
    const m = podMetrics(p, factors);
    if (!m) continue;
    const t = podTotal(m);
    usage.cpuMilli += t.cpuMilli;
    usage.memBytes += t.memBytes;
  }
  return usage;
}

/** Reads a profile's optional `usage` factors, ignoring anything malformed. */
export function usageFactors(profile: unknown): UsageFactors {
  const u = (profile as { usage?: unknown } | undefined)?.usage as Record<string, unknown> | undefined;
  const num = (v: unknown) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v : undefined);
  return { cpu: num(u?.cpu), memory: num(u?.memory) };
}

export function formatCpu(milli: number): string {
  return `${milli}m`;
}

export function formatMemory(b: number): string {
  return `${Math.floor(b / MI)}Mi`;
}
