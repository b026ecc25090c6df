// Loads at the sizes kubesim promises to survive, for npm run stress: a watch under 70
// concurrent writer processes (every acknowledged write seen once, in revision order), and
// what users wait (a process writing through the store, a user at the CLI) while the daemon
// creates the pods of a 1,000,000-replica Deployment.
import { readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { configMap, envFor, run, runAsync, start, stateDir } from './cli';
import { BIN, ROOT } from './corpus-util';
import { keptAliveClient, keptAliveRequests, timedSpread, type Timed, type TimedSpread } from './kept-alive';

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
  /** A user's CLI commands at the same time (beside the store writes above). */
  cli: CliFigures;
  /** A client already running, one request after another on a kept-alive connection, at the same time. */
  keptAlive: KeptAliveFigures;
  /** Requests the daemon logged as answered over 1 s in the run (anyone's: CLI, kept-alive). */
  slowRequests: string[];
  /** The same writes and commands with the daemon running and no Deployment being created (at the same load). */
  baseline: { writes: number; p50: number; p99: number; max: number; cli: CliFigures; keptAlive: KeptAliveFigures };
  /** /proc/loadavg's 1-minute figure at the start and end of the burst. */
  load: [number, number];
}

/** Round trip here, and the daemon's share of it (arrival to answer) with its parts. */
export interface KeptAliveFigures {
  rtt: TimedSpread;
  daemon: TimedSpread;
  queue: TimedSpread;
  lock: TimedSpread;
  handler: TimedSpread;
  failures: string[];
}

function keptAliveFigures(rs: Timed[]): KeptAliveFigures {
  return {
    rtt: timedSpread(rs, (t) => t.rttMs),
    daemon: timedSpread(rs, (t) => t.totalMs),
    queue: timedSpread(rs, (t) => t.queueMs),
    lock: timedSpread(rs, (t) => t.lockMs),
    handler: timedSpread(rs, (t) => t.handlerMs),
    failures: rs.filter((t) => t.status >= 300 || Number.isNaN(t.totalMs)).slice(0, 3).map((t) => `${t.kind}: ${t.status}`),
  };
}

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export type UserCommand = 'create' | 'get' | 'apply';

export interface CliFigures {
  commands: number;
  /** The first few commands that failed (exit code and stderr). */
  failures: string[];
  /** What the user waits for each kind of command (ms): start-up, lock wait and the command's own work. */
  wall: Record<UserCommand, Spread>;
  /** The part of create's and apply's time spent waiting for the store lock (get reads through the daemon: no lock). */
  lockWait: Spread;
}

function spread(values: number[]): Spread {
  const v = [...values].sort((x, y) => x - y);
  return { n: v.length, p50: v[v.length >> 1] ?? 0, p99: p99Of(v), max: v.at(-1) ?? 0 };
}

/**
 * How long each process waited for the store lock: the life of the `lock.want.<ticket>.<pid>`
 * file it queues with (src/store/file-lock.ts), seen by an inotify watch of the state
 * directory. A process that found the lock free announced nothing: it waited 0.
 */
export function lockWaitWatcher(dir: string): { waitedMs(pid: number): number; close(): void } {
  const since = new Map<string, number>();
  const waited = new Map<number, number>();
  const w = watch(dir, (_event, name) => {
    const m = name ? /^lock\.want\.\d+\.(\d+)$/.exec(String(name)) : null;
    if (!m) return;
    const t0 = since.get(m[0]);
    if (t0 === undefined) {
      since.set(m[0], performance.now());
      return;
    }
    since.delete(m[0]);
    waited.set(Number(m[1]), (waited.get(Number(m[1])) ?? 0) + performance.now() - t0);
  });
  return { waitedMs: (pid) => Math.round(waited.get(pid) ?? 0), close: () => w.close() };
}

/**
 * A user at the terminal with the daemon running (no KUBESIM_NO_DAEMON): `create configmap`,
 * `get pods`, `apply -f FILE` in turn, each started when the last one ended, while `more()`.
 */
export async function userCommands(home: string, tag: string, waits: ReturnType<typeof lockWaitWatcher>, more: () => boolean): Promise<CliFigures> {
  const env = envFor(home);
  delete env.KUBESIM_NO_DAEMON;
  const kinds: UserCommand[] = ['create', 'get', 'apply'];
  const wall: Record<UserCommand, number[]> = { create: [], get: [], apply: [] };
  const lock: number[] = [];
  const failures: string[] = [];
  for (let i = 0; more(); i++) {
    const kind = kinds[i % kinds.length];
    const name = `cli-${tag}-${i}`;
    let args: string[];
    if (kind === 'create') args = ['create', 'configmap', name, '--from-literal=k=v'];
    else if (kind === 'get') args = ['get', 'pods'];
    else {
      const file = join(home, `${name}.json`);
      writeFileSync(file, configMap(name, { k: 'v' }));
      args = ['apply', '-f', file];
    }
    const c = start(home, args, '', env);
    const r = await c.done;
    if (r.code !== 0) failures.push(`${args.join(' ')}: exit ${r.code ?? r.signal}: ${r.stderr.slice(0, 200)}`);
    wall[kind].push(r.ms);
    if (kind !== 'get') lock.push(waits.waitedMs(c.child.pid!));
  }
  return {
    commands: wall.create.length + wall.get.length + wall.apply.length,
    failures: failures.slice(0, 3),
    wall: { create: spread(wall.create), get: spread(wall.get), apply: spread(wall.apply) },
    lockWait: spread(lock),
  };
}

/**
 * A user's write through the daemon whose start-up is done before it is measured: `create -f -`
 * or `apply -f -` started now, reading its manifest from stdin; send() gives it the manifest
 * and resolves with the milliseconds from then to its exit, and `during()` as the command
 * ended. So what is timed is the request (the daemon's part), not a node process starting
 * on a loaded machine.
 */
export function gatedWrite(home: string, verb: 'create' | 'apply', name: string, during: () => number): { send(): Promise<{ ms: number; at: number; code: number | null; stderr: string }>; cancel(): void } {
  const env = envFor(home);
  delete env.KUBESIM_NO_DAEMON;
  const child = spawn(process.execPath, [BIN, verb, '-f', '-'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.on('error', () => {});
  const closed = new Promise<number | null>((r) => child.on('close', r));
  return {
    async send() {
      const t = Date.now();
      let at = 0;
      child.on('exit', () => (at = during()));
      child.stdin!.end(configMap(name, { k: 'v' }));
      const code = await closed;
      return { ms: Date.now() - t, at, code, stderr };
    },
    /** Ends a command never given its input (a test that failed before). */
    cancel() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

const STORE = JSON.stringify(join(__dirname, '../../src/store/file-store.ts'));

/**
 * A process creating ConfigMaps straight through the store (as a CLI write takes the lock),
 * one every `gapMs` (0: one after another), until stopped; stop() gives its lock waits in
 * ms, sorted. A process of its own, so that its waits never stall the measuring process's
 * event loop (the CLI commands' times and the lock watch).
 */
export function storeWriter(dir: string, prefix: string, gapMs: number): { stop(): Promise<number[]> } {
  const script = `
    const { FileStore } = require(${STORE});
    const store = new FileStore(process.argv[1], { fsync: false });
    const waits = [];
    let stopped = false;
    process.stdin.on('end', () => (stopped = true)).resume();
    (async () => {
      for (let i = 0; !stopped; i++) {
        const name = process.argv[2] + '-' + i;
        const t0 = Date.now();
        store.create('configmaps/default/' + name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
        waits.push(Date.now() - t0);
        await new Promise((r) => (Number(process.argv[3]) ? setTimeout(r, Number(process.argv[3])) : setImmediate(r)));
      }
      process.stdout.write(JSON.stringify(waits));
    })();
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, prefix, String(gapMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number | null>((r) => child.on('close', r));
  return {
    async stop() {
      child.stdin!.end();
      const code = await done;
      if (code !== 0) throw new Error(`the store writer failed (exit ${code}): ${err.slice(0, 500)}`);
      return (JSON.parse(out) as number[]).sort((x, y) => x - y);
    },
  };
}

const p99Of = (w: number[]) => w[Math.floor(w.length * 0.99)] ?? 0;

/**
 * User writes and CLI commands for `measureMs` while the daemon creates a huge Deployment's
 * pods, after the same for `baselineMs` with the daemon idle, so the figures can be judged
 * against the machine's load.
 */
export async function fairnessRun(home: string, replicas: number, measureMs: number, baselineMs = 30_000): Promise<FairnessFigures> {
  const dir = stateDir(home);
  const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: c, image: nginx:1.27}]}\n`;
  const s = run(home, ['cluster', 'start'], '', 30_000);
  if (s.code !== 0) throw new Error(s.stderr);
  const store = new FileStore(dir, { fsync: false });
  const waits = lockWaitWatcher(dir);
  const client = await keptAliveClient(dir);
  // Three users at once: one writing through the store every 50 ms, one at the CLI, one
  // client already running.
  let writer = storeWriter(dir, 'idle', 50);
  let until = Date.now() + baselineMs;
  const [idleCli, idleKept] = await Promise.all([userCommands(home, 'idle', waits, () => Date.now() < until), keptAliveRequests(client, 'idle', () => Date.now() < until)]);
  const idle = await writer.stop();
  const a = run(home, ['apply', '-f', '-'], deploy);
  if (a.code !== 0) throw new Error(a.stderr);
  const pid = Number(/pid (\d+)/.exec(s.stdout + s.stderr)?.[1] ?? 0);
  // Through the store: the newest pods may still be in the journal's tail only.
  const pods = () => store.list('pods/default').items.length;
  const startDeadline = Date.now() + 120_000;
  while (pods() < 50 && Date.now() < startDeadline) await new Promise((r) => setTimeout(r, 50));
  const podsAtStart = pods();
  writer = storeWriter(dir, 'user', 50);
  until = Date.now() + measureMs;
  const loadAtStart = load1();
  const [cli, kept] = await Promise.all([userCommands(home, 'user', waits, () => Date.now() < until), keptAliveRequests(client, 'user', () => Date.now() < until)]);
  const writes = await writer.stop();
  waits.close();
  client.close();
  const peak = rssMb(pid);
  const slowRequests = readFileSync(join(dir, 'daemon.log'), 'utf8').split('\n').filter((l) => l.includes(' slow request: '));
  return {
    replicas,
    podsAtStart,
    podsAtEnd: pods(),
    writes: writes.length,
    p50: writes[writes.length >> 1] ?? 0,
    p99: p99Of(writes),
    max: writes.at(-1) ?? 0,
    daemonPeakRssMb: peak,
    cli,
    keptAlive: keptAliveFigures(kept),
    slowRequests: slowRequests.slice(0, 10),
    baseline: { writes: idle.length, p50: idle[idle.length >> 1] ?? 0, p99: p99Of(idle), max: idle.at(-1) ?? 0, cli: idleCli, keptAlive: keptAliveFigures(idleKept) },
    load: [loadAtStart, load1()],
  };
}
