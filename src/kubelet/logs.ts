// Container logs of the simulated kubelet: one file per pod (`logs/<ns>/<pod>_pod.log` under
// the cluster directory), each line the container's name, its run (restart count) and the
// line in CRI format (`<RFC3339Nano> stdout F <text>`). A file per container run in a folder
// per pod, as a real node keeps them, made a folder per pod besides its file: ~0.15 ms of
// CPU each here, ~3 % of a 1,000-pod `reconcile --until-stable`. Older versions' folders
// are still read and removed. In-memory stores keep them in memory.

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

/** A line as CRI writes it: `<RFC3339Nano> <stream> F <text>`. */
function criLine(l: LogLine): string {
  return `${nanoTime(l.atMs)} ${l.stream ?? 'stdout'} F ${l.text}\n`;
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

/** Pods' log files this process wrote, their folders checked (a bound, not a cache of everything). */
const knownFiles = new Set<string>();
const KNOWN_FILES_MAX = 10_000;

/**
 * A pod's file (`<pod>_pod.log`): `_` is in no pod name, so it is never an older version's
 * pod folder. Each line is `<container> <restart> ` and the CRI line.
 */
const POD_FILE = '_pod.log';
/** A file name's limit (NAME_MAX): a pod name may be 253 characters, its file's then too long. */
const NAME_MAX = 255;
/** Whether the pod's lines go to a file of its own; else to the older layout's folder (long names). */
const hasPodFile = (pod: string) => pod.length + POD_FILE.length <= NAME_MAX;

export class FileLogStore implements LogStore {
  constructor(private readonly dir: string) {}

  append(ns: string, pod: string, container: string, restart: number, lines: LogLine[]): void {
    if (!lines.length || ![ns, pod, container].every((s) => SAFE.test(s))) return;
    const nsDir = path.join(this.dir, ns);
    if (!hasPodFile(pod)) {
      // The older layout's file of the run, in a folder of the pod's (made level by level).
      const podDir = path.join(nsDir, pod);
      if (this.makeDirs([this.dir, nsDir, podDir], true)) appendLog(path.join(podDir, `${container}_${restart}.log`), lines.map(criLine).join(''));
      return;
    }
    const head = `${container} ${restart} `;
    const text = lines.map((l) => head + criLine(l)).join('');
    const f = path.join(nsDir, pod + POD_FILE);
    // A pod's first log: its folders checked (made if missing), then the file made by the append.
    if (!knownFiles.has(f) && !this.makeDirs([this.dir, nsDir], false)) return;
    try {
      appendLog(f, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!this.makeDirs([this.dir, nsDir], true)) return; // removed since: made again, level by level
      appendLog(f, text);
    }
    if (knownFiles.size >= KNOWN_FILES_MAX) knownFiles.clear();
    knownFiles.add(f);
  }

  /**
   * Makes sure the folders `dirs` (logs/, logs/<ns>, ...) are real folders: checked when there
   * (mkdir's EEXIST also answers for a planted symlink, and writing through one would write
   * outside), made level by level when not (`make`), never {recursive}: a cluster directory
   * that was removed under a running daemon must not be re-created by its last log lines.
   * False when one is not.
   */
  private makeDirs(dirs: string[], make: boolean): boolean {
    if (!make && dirs.every(realDir)) return true;
    for (const d of dirs) {
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
    return true;
  }

  read(ns: string, pod: string, container: string, restart: number): LogLine[] | undefined {
    if (![ns, pod, container].every((s) => SAFE.test(s))) return undefined;
    const nsDir = path.join(this.dir, ns);
    if (!realDir(this.dir) || !realDir(nsDir)) return undefined;
    // A pod started by a version that kept a folder per pod has its first lines there.
    const older = this.readOlder(nsDir, pod, container, restart);
    let text: string | undefined;
    try {
      text = hasPodFile(pod) ? readLog(path.join(nsDir, pod + POD_FILE)) : undefined;
    } catch {
      text = undefined;
    }
    const head = `${container} ${restart} `;
    const own = text?.split('\n').flatMap((l) => {
      const p = l.startsWith(head) ? parseLine(l.slice(head.length)) : undefined;
      return p ? [p] : [];
    });
    if (!own?.length) return older;
    return older ? [...older, ...own] : own;
  }

  /** A container's run as older versions kept it: `<pod>/<container>_<restart>.log`, before that `<pod>/<container>/<restart>.log`. */
  private readOlder(nsDir: string, pod: string, container: string, restart: number): LogLine[] | undefined {
    const podDir = path.join(nsDir, pod);
    if (!realDir(podDir)) return undefined;
    let text: string | undefined;
    try {
      text = readLog(path.join(podDir, `${container}_${restart}.log`));
    } catch {
      try {
        const old = path.join(podDir, container);
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
    const nsDir = path.join(this.dir, ns);
    knownFiles.delete(path.join(nsDir, pod + POD_FILE));
    // Through a planted symlink at logs/ or logs/<ns>, rm would delete outside (a symlink at
    // the pod's own file or folder is removed itself, never followed).
    if (!realDir(this.dir) || !realDir(nsDir)) return;
    if (hasPodFile(pod)) fs.rmSync(path.join(nsDir, pod + POD_FILE), { force: true });
    fs.rmSync(path.join(nsDir, pod), { recursive: true, force: true }); // an older version's folder
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
