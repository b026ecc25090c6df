// Starting, stopping and inspecting a cluster's background reconcile loop. One daemon per
// cluster directory: `daemon.pid` holds its pid and start time (the daemon itself claims the
// file, so two never run; a stale file never names another process), its output goes to `daemon.log`, and it writes a `daemon-status` meta doc.

import * as fs from 'node:fs';
import { processAlive, processIdentity, parseProcessIdentity } from '../store/process-alive';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { PID_FILE, runningDaemonPid } from './daemon-pid';

export { PID_FILE, runningDaemonPid } from './daemon-pid';

export type { DaemonStatusDoc } from '../api/sim-state';
import type { DaemonStatusDoc } from '../api/sim-state';

export interface DaemonStatus {
  running: boolean;
  pid?: number;
  uptimeMs?: number;
  loopLagMs?: number;
  lastError?: string;
  reconciles?: number;
}

export const LOG_FILE = 'daemon.log';

/** The daemon's state: its pid file, and the status document it writes (read through the API layer's SimState). */
export function daemonStatus(clusterDir: string, realNow: number, doc: DaemonStatusDoc | undefined): DaemonStatus {
  const pid = runningDaemonPid(clusterDir);
  if (!pid) return { running: false, lastError: doc?.lastError };
  return {
    running: true,
    pid,
    uptimeMs: doc && doc.pid === pid ? realNow - doc.startedAt : undefined,
    loopLagMs: doc?.pid === pid ? doc.loopLagMs : undefined,
    lastError: doc?.pid === pid ? doc.lastError : undefined,
    reconciles: doc?.pid === pid ? doc.reconciles : undefined,
  };
}

export interface EnsureOptions {
  /** The script to run as `node <entry> __daemon <clusterDir>` (default: this process's main script). */
  entry?: string;
  /** Extra node flags (e.g. a TypeScript loader in development). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

const START_DEADLINE_MS = 30_000;

/**
 * V8 flags of every daemon, before the caller's own (a later one wins). The old generation
 * grows to 1.5x what the last full GC kept, not V8's default of up to 4x on a fast machine:
 * a settled daemon allocates little, so the full GC that would return the garbage of the
 * start-up burst comes late, and until then it is resident (20,000 pods: 536-677 MiB at
 * rest for ~270 MB live; docs/perf-issue-18.md round 68). Round 99 tried more, none kept: a
 * lower factor or a smaller young generation left the RSS at rest as it was;
 * `--compact-on-every-full-gc` copies the whole live heap at every full GC (10x the pauses);
 * `--optimize-for-size` cost 83 % more CPU to settle, 30 % more at rest.
 */
export const DAEMON_V8_FLAGS = ['--heap-growing-percent=50'];

/**
 * Starts the daemon if none runs; returns its pid, or undefined when auto-start is
 * disabled (KUBESIM_NO_DAEMON=1).
 */
export async function ensureDaemon(clusterDir: string, opts: EnsureOptions = {}): Promise<number | undefined> {
  const running = runningDaemonPid(clusterDir);
  if (running) return running;
  if ((opts.env ?? process.env).KUBESIM_NO_DAEMON === '1') return undefined;
  const entry = opts.entry ?? process.argv[1];
  const log = fs.openSync(path.join(clusterDir, LOG_FILE), 'a', 0o600);
  const child = spawn(process.execPath, [...DAEMON_V8_FLAGS, ...(opts.execArgv ?? process.execArgv), entry, '__daemon', clusterDir], {
    detached: true,
    stdio: ['ignore', log, log],
    env: opts.env ?? process.env,
  });
  child.unref();
  fs.closeSync(log);
  // Wait until it claimed the pid file (its first step) or died. Loading the bundle takes
  // 0.1 s on an idle machine but several seconds on a loaded one (CI, 2 cores): the deadline
  // is for a child that neither claims nor exits, not for a slow start.
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    const pid = runningDaemonPid(clusterDir);
    if (pid) return pid;
    if (child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return runningDaemonPid(clusterDir);
}

/** Stops the daemon and every other API server of the cluster; true if any was running. */
export async function stopDaemon(clusterDir: string, timeoutMs = 5000): Promise<boolean> {
  const r = await stopCluster(clusterDir, timeoutMs);
  return r.daemon !== undefined || r.servers.length > 0;
}

export interface StoppedCluster {
  /** The pid of the daemon named by daemon.pid, if one ran. */
  daemon?: number;
  /** The other `kubesim serve` processes of the cluster (apiservers/<pid>.json) that ran. */
  servers: ApiServerEntry[];
}

/**
 * Stops every process serving the cluster: the daemon of daemon.pid and each API server
 * listed in apiservers/ (several `kubesim serve` over one etcd). Each is signalled only
 * while it is verifiably that process (pid, start time and command line): SIGTERM to all
 * at once, then SIGKILL to any still there after `timeoutMs`. Stale entries are removed.
 */
export async function stopCluster(clusterDir: string, timeoutMs = 5000): Promise<StoppedCluster> {
  const daemon = runningDaemonPid(clusterDir);
  const servers = runningApiServers(clusterDir).filter((s) => s.pid !== daemon);
  const targets: { still: () => boolean; pid: number }[] = [];
  if (daemon) targets.push({ pid: daemon, still: () => runningDaemonPid(clusterDir) === daemon });
  for (const s of servers) targets.push({ pid: s.pid, still: () => isOurServer(clusterDir, s.pid, s.startTime) });
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  };
  for (const t of targets) signal(t.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (targets.some((t) => t.still()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // Checked again right before the signal: a process that exited meanwhile is not signalled.
  for (const t of targets) if (t.still()) signal(t.pid, 'SIGKILL');
  const killedUntil = Date.now() + 2000;
  while (targets.some((t) => t.still()) && Date.now() < killedUntil) await new Promise((r) => setTimeout(r, 20));
  if (daemon) releasePidFile(clusterDir, daemon);
  for (const s of servers) fs.rmSync(s.file, { force: true });
  return { daemon, servers };
}

export const APISERVERS_DIR = 'apiservers';

export interface ApiServerEntry {
  pid: number;
  startTime?: string;
  url?: string;
  file: string;
}

/**
 * Lists this process in apiservers/<pid>.json while it serves the cluster's API (with its
 * start time, so `cluster stop` can tell it from a later process with the same pid).
 * Returns the function that removes the entry.
 */
export function registerApiServer(clusterDir: string, url: string): () => void {
  const dir = path.join(clusterDir, APISERVERS_DIR);
  const file = path.join(dir, `${process.pid}.json`);
  const id = parseProcessIdentity(processIdentity());
  try {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o700 }); // not {recursive}: never re-create a removed cluster
    fs.writeFileSync(file, JSON.stringify({ url, pid: process.pid, ...(id?.startTime ? { startTime: id.startTime } : {}) }) + '\n', { mode: 0o600 });
  } catch {
    /* without the entry, cluster stop finds this server through the daemon's pid file only */
  }
  return () => {
    try {
      const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; startTime?: string };
      if (cur.pid === process.pid && cur.startTime === id?.startTime) fs.rmSync(file, { force: true });
    } catch {
      /* gone */
    }
  };
}

/** The API servers listed in apiservers/ that verifiably run; entries of anything else are removed. */
export function runningApiServers(clusterDir: string): ApiServerEntry[] {
  const dir = path.join(clusterDir, APISERVERS_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: ApiServerEntry[] = [];
  for (const name of names) {
    if (!/^\d{1,10}\.json$/.test(name)) continue;
    const file = path.join(dir, name);
    let entry: { pid?: unknown; startTime?: unknown; url?: unknown };
    try {
      const st = fs.lstatSync(file);
      if (!st.isFile() || st.size > 4096) continue;
      entry = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof entry;
    } catch {
      entry = {};
    }
    const pid = typeof entry.pid === 'number' && String(entry.pid) + '.json' === name ? entry.pid : 0;
    const startTime = typeof entry.startTime === 'string' && /^\d{1,20}$/.test(entry.startTime) ? entry.startTime : undefined;
    if (pid && pid !== process.pid && isOurServer(clusterDir, pid, startTime)) {
      out.push({ pid, startTime, url: typeof entry.url === 'string' ? entry.url : undefined, file });
    } else if (pid !== process.pid) {
      fs.rmSync(file, { force: true }); // stale: its process is gone, or the pid is someone else's now
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * Whether `pid` is a kubesim process serving this cluster: alive with the recorded start
 * time (required where the kernel tells start times) and running `serve` or this
 * cluster's `__daemon`. Anything less and it is never signalled.
 */
function isOurServer(clusterDir: string, pid: number, startTime: string | undefined): boolean {
  if (process.platform === 'linux' && startTime === undefined) return false;
  if (!processAlive(pid, startTime)) return false;
  if (process.platform !== 'linux') return true;
  let args: string[];
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const i = args.indexOf('__daemon');
  if (i >= 0) return path.resolve(args[i + 1] ?? '') === path.resolve(clusterDir);
  return args.includes('serve');
}

/** Claims the pid file for this process; false when another live daemon holds it. */
export function claimPidFile(clusterDir: string, pid: number): boolean {
  const file = path.join(clusterDir, PID_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, pid === process.pid ? processIdentity(pid) : String(pid));
      fs.closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const other = runningDaemonPid(clusterDir);
      if (other && other !== pid) return false;
      fs.rmSync(file, { force: true }); // stale
    }
  }
  return false;
}

export function releasePidFile(clusterDir: string, pid: number): void {
  const file = path.join(clusterDir, PID_FILE);
  try {
    if (parseProcessIdentity(fs.readFileSync(file, 'utf8').trim())?.pid === pid) fs.rmSync(file);
  } catch {
    /* gone */
  }
}
