// Loads at the sizes kubesim promises to survive, for npm run stress: a watch under 70
// concurrent writer processes (every acknowledged write seen once, in revision order), and
// user-write latency while the daemon creates the pods of a 1,000,000-replica Deployment.
import { readFileSync } from 'node:fs';
import { FileStore } from '../../src/store/file-store';
import { configMap, run, runAsync, start, stateDir } from './cli';

export interface WatchFigures {
  writers: number;
  acknowledged: number;
  seen: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
  ms: number;
  failedWriters: number;
  failures: string[];
}

/** The ConfigMap watchRun touches to see its watch running (left out of the figures). */
const MARKER = 'watch-ready';

/** `get configmaps --watch-only` while `writers` processes each apply `each` ConfigMaps. */
export async function watchRun(home: string, writers: number, each: number, deadlineMs: number): Promise<WatchFigures> {
  const w = start(home, ['get', 'configmaps', '--watch-only', '-o', 'jsonpath={.metadata.name} {.metadata.resourceVersion}{"\\n"}']);
  let out = '';
  w.child.stdout!.on('data', (d) => (out += d));
  // The watch starts from the revision it read first: touch a marker until the watch shows
  // it (then it runs), and only then write.
  const ready = Date.now() + 60_000;
  for (let i = 0; !out.includes(`${MARKER} `); i++) {
    if (Date.now() > ready) throw new Error(`the watch showed no change in 60 s: ${out}`);
    await runAsync(home, ['apply', '-f', '-'], configMap(MARKER, { touch: String(i) }));
    await new Promise((r) => setTimeout(r, 200));
  }
  const t0 = Date.now();
  const runs = await Promise.all(
    Array.from({ length: writers }, (_, p) => runAsync(home, ['apply', '-f', '-'], Array.from({ length: each }, (_, i) => configMap(`w${p}-${i}`, { p: String(p) })).join('\n---\n'))),
  );
  const acknowledged = new Set<string>();
  const failures = runs.filter((r) => r.code !== 0).map((r) => `exit ${r.code ?? r.signal}: ${r.stderr.slice(0, 200)}`);
  runs.forEach((r, p) => {
    for (let i = 0; i < each; i++) if (r.stdout.includes(`configmap/w${p}-${i} created`)) acknowledged.add(`w${p}-${i}`);
  });
  const lines = () => out.split('\n').filter((l) => l && !l.startsWith(`${MARKER} `)).map((l) => l.split(' ')) as [string, string][];
  const end = Date.now() + deadlineMs;
  while (Date.now() < end && [...acknowledged].some((n) => !lines().some(([name]) => name === n))) await new Promise((r) => setTimeout(r, 200));
  w.child.kill('SIGINT');
  const done = await w.done;
  out = done.stdout;
  const seenNames = new Map<string, number>();
  let outOfOrder = 0;
  let last = 0;
  for (const [name, rv] of lines()) {
    seenNames.set(name, (seenNames.get(name) ?? 0) + 1);
    if (Number(rv) <= last) outOfOrder++;
    last = Number(rv);
  }
  return {
    writers,
    acknowledged: acknowledged.size,
    seen: [...acknowledged].filter((n) => seenNames.has(n)).length,
    missed: [...acknowledged].filter((n) => !seenNames.has(n)).length,
    duplicates: [...seenNames.values()].filter((c) => c > 1).length,
    outOfOrder,
    ms: Date.now() - t0,
    failedWriters: failures.length,
    failures: [...new Set(failures)].slice(0, 3),
  };
}

export interface FairnessFigures {
  replicas: number;
  podsAtStart: number;
  podsAtEnd: number;
  writes: number;
  p50: number;
  p99: number;
  max: number;
  daemonPeakRssMb: number;
  /** The same writes with the daemon running and no Deployment being created (at the same load). */
  baseline: { writes: number; p50: number; p99: number; max: number };
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** Store creates (as a CLI write takes the lock) every 50 ms until `until`; their lock waits in ms, sorted. */
async function userWrites(store: FileStore, prefix: string, until: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; Date.now() < until; i++) {
    const t0 = Date.now();
    store.create(`configmaps/default/${prefix}-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i}`, namespace: 'default' } });
    waits.push(Date.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return waits.sort((x, y) => x - y);
}

const p99Of = (w: number[]) => w[Math.floor(w.length * 0.99)] ?? 0;

/**
 * User writes for `measureMs` while the daemon creates a huge Deployment's pods, after the
 * same writes for `baselineMs` with the daemon idle, so the figure can be judged against
 * the machine's load.
 */
export async function fairnessRun(home: string, replicas: number, measureMs: number, baselineMs = 30_000): Promise<FairnessFigures> {
  const dir = stateDir(home);
  const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: c, image: nginx:1.27}]}\n`;
  const s = run(home, ['cluster', 'start'], '', 30_000);
  if (s.code !== 0) throw new Error(s.stderr);
  const store = new FileStore(dir, { fsync: false });
  const idle = await userWrites(store, 'idle', Date.now() + baselineMs);
  const a = run(home, ['apply', '-f', '-'], deploy);
  if (a.code !== 0) throw new Error(a.stderr);
  const pid = Number(/pid (\d+)/.exec(s.stdout + s.stderr)?.[1] ?? 0);
  // Through the store: the newest pods may still be in the journal's tail only.
  const pods = () => store.list('pods/default').items.length;
  const startDeadline = Date.now() + 120_000;
  while (pods() < 50 && Date.now() < startDeadline) await new Promise((r) => setTimeout(r, 50));
  const podsAtStart = pods();
  const waits = await userWrites(store, 'user', Date.now() + measureMs);
  const peak = rssMb(pid);
  return {
    replicas,
    podsAtStart,
    podsAtEnd: pods(),
    writes: waits.length,
    p50: waits[waits.length >> 1] ?? 0,
    p99: p99Of(waits),
    max: waits.at(-1) ?? 0,
    daemonPeakRssMb: peak,
    baseline: { writes: idle.length, p50: idle[idle.length >> 1] ?? 0, p99: p99Of(idle), max: idle.at(-1) ?? 0 },
  };
}
