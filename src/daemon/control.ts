// Starting, stopping and inspecting a cluster's background reconcile loop. One daemon per
// cluster directory: `daemon.pid` holds its pid and start time (the daemon itself claims the
// file, so two never run; a stale file never names another process), its output goes to `daemon.log`, and it writes a `daemon-status` meta doc.

import * as fs from 'node:fs';
import { processAlive, processIdentity, parseProcessIdentity } from '../store/process-alive';
import * as path from 'node:path';
import { spawn } from 'node:child_process';

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

export const PID_FILE = 'daemon.pid';
export const LOG_FILE = 'daemon.log';

const alive = processAlive;

/**
 * Whether the pid file's process is this cluster's daemon: the pid must run with the start
 * time recorded next to it and (where /proc tells) be a kubesim daemon for this directory,
 * so a stale pid file never names someone else's process.
 */
function isOurDaemon(clusterDir: string, pid: number, startTime: string | undefined): boolean {
  if (!alive(pid, startTime)) return false;
  if (pid === process.pid || process.platform !== 'linux') return true;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return startTime !== undefined;
  }
  const args = cmdline.split('\0');
  const i = args.indexOf('__daemon');
  if (i >= 0) return path.resolve(args[i + 1] ?? '') === path.resolve(clusterDir);
  // `kubesim serve` (the daemon in the foreground) names its cluster through the context,
  // not the command line: the recorded start time identifies it.
  return args.includes('serve') && startTime !== undefined;
}

/** The pid of the cluster's running daemon, if any (a stale pid file counts as none). */
export function runningDaemonPid(clusterDir: string): number | undefined {
  let text: string;
  try {
    const fd = fs.openSync(path.join(clusterDir, PID_FILE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    try {
      if (!fs.fstatSync(fd).isFile()) return undefined;
      const buf = Buffer.alloc(128);
      text = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, 128, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const id = parseProcessIdentity(text.trim());
  return id && isOurDaemon(clusterDir, id.pid, id.startTime) ? id.pid : undefined;
}


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
  const child = spawn(process.execPath, [...(opts.execArgv ?? process.execArgv), entry, '__daemon', clusterDir], {
    detached: true,
    stdio: ['ignore', log, log],
    env: opts.env ?? process.env,
  });
  child.unref();
  fs.closeSync(log);
  // Wait until it claimed the pid file (or died).
  for (let i = 0; i < 100; i++) {
    const pid = runningDaemonPid(clusterDir);
    if (pid) return pid;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return runningDaemonPid(clusterDir);
}

/** Stops the daemon (SIGTERM, then SIGKILL after `timeoutMs`); true if one was running. */
export async function stopDaemon(clusterDir: string, timeoutMs = 5000): Promise<boolean> {
  const pid = runningDaemonPid(clusterDir);
  if (!pid) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + timeoutMs;
  const still = () => runningDaemonPid(clusterDir) === pid;
  while (still() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (still()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  try {
    if (parseProcessIdentity(fs.readFileSync(path.join(clusterDir, PID_FILE), 'utf8').trim())?.pid === pid) fs.rmSync(path.join(clusterDir, PID_FILE));
  } catch {
    /* removed by the daemon */
  }
  return true;
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
