// Container logs of the simulated kubelet, one file per container run as a real node
// keeps them (`logs/<ns>/<pod>/<container>_<restart>.log` under the cluster directory: one
// folder per pod, as creating folders was a fifth of a 1,000-pod start; container names
// have no `_`), in CRI format (`<RFC3339Nano> stdout F <text>`). In-memory stores keep them
// in memory.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimState } from '../api/sim-state';
import { warnOnce } from '../store/file-store-files';

export interface LogLine {
  atMs: number;
  text: string;
  /** stderr lines are kept apart in the file, as the runtime writes them; `logs` shows both. */
  stream?: 'stdout' | 'stderr';
}

export interface LogStore {
  append(ns: string, pod: string, container: string, restart: number, lines: LogLine[]): void;
  read(ns: string, pod: string, container: string, restart: number): LogLine[] | undefined;
  /** Removes a pod's logs (the pod was deleted). */
  remove(ns: string, pod: string): void;
}

/** RFC 3339 with nanoseconds: toISOString ends in `.sssZ` whatever the year (every log line: no regex). */
function nanoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, -1) + '000000Z';
}

function parseLine(l: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) [FP] (.*)$/.exec(l);
  if (!m) return undefined;
  return { atMs: Date.parse(m[1]), text: m[3], stream: m[2] as 'stdout' | 'stderr' };
}

const SAFE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const { O_WRONLY, O_APPEND, O_CREAT, O_RDONLY, O_NOFOLLOW } = fs.constants;

/**
 * Whether `d` is a real folder: a symlink or other file planted in the state directory is
 * never followed for reading, writing or removal (false, with a warning); missing is false.
 */
function realDir(d: string): boolean {
  const st = fs.lstatSync(d, { throwIfNoEntry: false });
  if (!st || st.isDirectory()) return !!st;
  warnOnce(d, `skipping ${d}: ${st.isSymbolicLink() ? 'a symlink, never followed' : 'a file where a folder belongs'}`);
  return false;
}

/** Reads or appends to a log file itself never through a symlink (ELOOP: warned, skipped). */
function openLog(f: string, flags: number): number | undefined {
  try {
    return fs.openSync(f, flags | O_NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    warnOnce(f, `skipping ${f}: a symlink, never followed`);
    return undefined;
  }
}

function appendLog(f: string, text: string): void {
  const fd = openLog(f, O_WRONLY | O_APPEND | O_CREAT);
  if (fd === undefined) return;
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

function readLog(f: string): string | undefined {
  const fd = openLog(f, O_RDONLY);
  if (fd === undefined) return undefined;
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Pods' log folders this process made or found (a bound, not a cache of everything). */
const knownDirs = new Set<string>();
const KNOWN_DIRS_MAX = 10_000;

export class FileLogStore implements LogStore {
  constructor(private readonly dir: string) {}

  private file(ns: string, pod: string, container: string, restart: number): string | undefined {
    if (![ns, pod, container].every((s) => SAFE.test(s))) return undefined;
    return path.join(this.dir, ns, pod, `${container}_${restart}.log`);
  }

  append(ns: string, pod: string, container: string, restart: number, lines: LogLine[]): void {
    const f = this.file(ns, pod, container, restart);
    if (!f || !lines.length) return;
    const text = lines.map((l) => `${nanoTime(l.atMs)} ${l.stream ?? 'stdout'} F ${l.text}\n`).join('');
    const podDir = path.dirname(f);
    // A pod's first log: its folder first (one mkdir, not a failed open and a mkdir per level).
    if (!knownDirs.has(podDir) && !this.makeDirs(ns, podDir, false)) return;
    try {
      appendLog(f, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      knownDirs.delete(podDir); // removed since: made again, level by level
      if (!this.makeDirs(ns, podDir, true)) return;
      appendLog(f, text);
    }
  }

  /**
   * Makes a pod's log folder: the folder alone (its parents are there but for the cluster's
   * first log), else level by level, not {recursive}: a cluster directory that was removed
   * under a running daemon must not be re-created by its last log lines. False when it is gone.
   */
  private makeDirs(ns: string, podDir: string, levels: boolean): boolean {
    // Each level must be a real folder before anything is made in it (mkdir's EEXIST also
    // answers for a planted symlink, and mkdir through one would make a folder outside).
    const nsDir = path.join(this.dir, ns);
    if (!levels && !(realDir(this.dir) && realDir(nsDir))) return this.makeDirs(ns, podDir, true);
    for (const d of levels ? [this.dir, nsDir, podDir] : [podDir]) {
      try {
        fs.mkdirSync(d, { mode: 0o700 });
        continue; // made here, so a real folder: no lstat
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return false; // the cluster's directory is gone
        if (code !== 'EEXIST') throw err;
      }
      if (!realDir(d)) return false;
    }
    if (knownDirs.size >= KNOWN_DIRS_MAX) knownDirs.clear();
    knownDirs.add(podDir);
    return true;
  }

  private realDirs(ns: string, podDir: string): boolean {
    return [this.dir, path.join(this.dir, ns), podDir].every(realDir);
  }

  read(ns: string, pod: string, container: string, restart: number): LogLine[] | undefined {
    const f = this.file(ns, pod, container, restart);
    if (!f || !this.realDirs(ns, path.dirname(f))) return undefined;
    let text: string | undefined;
    try {
      text = readLog(f);
    } catch {
      try {
        // written by a version that kept a folder per container
        const old = path.join(this.dir, ns, pod, container);
        text = realDir(old) ? readLog(path.join(old, `${restart}.log`)) : undefined;
      } catch {
        return undefined;
      }
    }
    if (text === undefined) return undefined;
    return text.split('\n').flatMap((l) => {
      const p = l ? parseLine(l) : undefined;
      return p ? [p] : [];
    });
  }

  remove(ns: string, pod: string): void {
    if (!SAFE.test(ns) || !SAFE.test(pod)) return;
    knownDirs.delete(path.join(this.dir, ns, pod));
    // Through a planted symlink at logs/ or logs/<ns>, rm would delete outside (a symlink at
    // the pod's own folder is removed itself, never followed).
    if (!realDir(this.dir) || !realDir(path.join(this.dir, ns))) return;
    fs.rmSync(path.join(this.dir, ns, pod), { recursive: true, force: true });
  }
}

export class MemoryLogStore implements LogStore {
  private readonly logs = new Map<string, LogLine[]>();
  append(ns: string, pod: string, container: string, restart: number, lines: LogLine[]): void {
    const k = `${ns}/${pod}/${container}/${restart}`;
    this.logs.set(k, [...(this.logs.get(k) ?? []), ...lines]);
  }
  read(ns: string, pod: string, container: string, restart: number): LogLine[] | undefined {
    return this.logs.get(`${ns}/${pod}/${container}/${restart}`);
  }
  remove(ns: string, pod: string): void {
    for (const k of [...this.logs.keys()]) if (k.startsWith(`${ns}/${pod}/`)) this.logs.delete(k);
  }
}

const memoryStores = new WeakMap<SimState, MemoryLogStore>();

/** The log store that goes with a cluster: files next to its data on disk, else memory. */
export function logStoreFor(sim: SimState): LogStore {
  const dir = sim.dataDir;
  if (dir !== undefined) return new FileLogStore(path.join(dir, 'logs'));
  let m = memoryStores.get(sim);
  if (!m) memoryStores.set(sim, (m = new MemoryLogStore()));
  return m;
}

/**
 * What `kubectl logs` prints for one container: the current run, or the previous one
 * (`--previous`); undefined when that run has no log (never started).
 */
export function readLogs(sim: SimState, ns: string, pod: string, container: string, restart: number, opts: { timestamps?: boolean; tail?: number; sinceMs?: number } = {}): string[] | undefined {
  let lines = logStoreFor(sim).read(ns, pod, container, restart);
  if (!lines) return undefined;
  if (opts.sinceMs !== undefined) lines = lines.filter((l) => l.atMs >= opts.sinceMs!);
  if (opts.tail !== undefined && opts.tail >= 0) lines = lines.slice(Math.max(0, lines.length - opts.tail));
  return lines.map((l) => (opts.timestamps ? `${nanoTime(l.atMs)} ${l.text}` : l.text));
}
