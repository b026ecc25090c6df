// Container logs of the simulated kubelet: the pods of a namespace share 64 files
// (`logs/<ns>/_logs-<hh>.log` under the cluster directory, the pod name's hash picking the
// file), each line the pod's name, the container's, its run (restart count) and the line in
// CRI format (`<RFC3339Nano> stdout F <text>`); a line `<pod> -` marks the pod's removal
// (its earlier lines are no longer its). A file per pod made a new inode per pod: 0.2-0.9 ms
// of system CPU each on this machine's ext4 under load, ~1.1 s of a 1,000-pod `reconcile
// --until-stable`. Older versions' files (`<pod>_pod.log`, a folder per pod) are still read
// and removed. In-memory stores keep them in memory.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimState } from '../api/sim-state';
import { warnOnce } from '../store/file-store-files';
import { fnv32a } from '../sim/rng';

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

/**
 * RFC 3339 with nanoseconds: toISOString ends in `.sssZ` whatever the year (every log line: no
 * regex). The last one is kept: a run's lines come in blocks at one instant (nginx's 17 start-up
 * lines, one Date and two strings each before).
 */
let lastNanoMs = NaN;
let lastNano = '';
function nanoTime(ms: number): string {
  if (ms === lastNanoMs) return lastNano;
  lastNano = new Date(ms).toISOString().slice(0, -1) + '000000Z';
  lastNanoMs = ms;
  return lastNano;
}

function parseLine(l: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) [FP] (.*)$/.exec(l);
  if (!m) return undefined;
  return { atMs: Date.parse(m[1]), text: m[3], stream: m[2] as 'stdout' | 'stderr' };
}

const SAFE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const { O_WRONLY, O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

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

/**
 * Opens a log file only if it is a regular file: a symlink is never followed (ELOOP), and a
 * FIFO or folder planted there is skipped with a warning too (O_NONBLOCK: opening a FIFO
 * would otherwise wait forever for its other end, under the store's lock).
 */
function openLog(f: string, flags: number): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(f, flags | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') warnOnce(f, `skipping ${f}: a symlink, never followed`);
    else if (code === 'EISDIR' || code === 'ENXIO') warnOnce(f, `skipping ${f}: not a regular file`);
    else throw e;
    return undefined;
  }
  if (fs.fstatSync(fd).isFile()) return fd;
  fs.closeSync(fd);
  warnOnce(f, `skipping ${f}: not a regular file`);
  return undefined;
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

/** Log files this process wrote, their folders checked (a bound, not a cache of everything). */
const knownFiles = new Set<string>();
const KNOWN_FILES_MAX = 10_000;

/** The file a pod's lines go to: one of a namespace's 64, by the pod name's FNV-1a hash. */
export function sharedFile(pod: string): string {
  return `_logs-${(fnv32a(pod) & 63).toString(16).padStart(2, '0')}.log`;
}

/** A shared file under this size is rewritten without a pod's lines when it is removed. */
const READ_BYTES = 64 * 1024;
/** A larger one gets a removal mark, and is rewritten so once past this size. */
const COMPACT_BYTES = 256 * 1024;

/** An older version's file of a pod's own (`<pod>_pod.log`, each line `<container> <restart> ` and the CRI line). */
const POD_FILE = '_pod.log';
/** A file name's limit (NAME_MAX): a pod name may be 253 characters, its older file's then too long. */
const NAME_MAX = 255;
const hasPodFile = (pod: string) => pod.length + POD_FILE.length <= NAME_MAX;

/** A pod's lines in a shared file's text: those after its last removal mark, without the pod's name. */
function podLines(text: string, pod: string): string[] {
  const head = `${pod} `;
  let own: string[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith(head)) continue;
    const rest = l.slice(head.length);
    if (rest === '-') own = [];
    else own.push(rest);
  }
  return own;
}

export class FileLogStore implements LogStore {
  constructor(private readonly dir: string) {}

  append(ns: string, pod: string, container: string, restart: number, lines: LogLine[]): void {
    if (!lines.length || ![ns, pod, container].every((s) => SAFE.test(s))) return;
    const nsDir = path.join(this.dir, ns);
    const head = `${pod} ${container} ${restart} `;
    const text = lines.map((l) => head + criLine(l)).join('');
    const f = path.join(nsDir, sharedFile(pod));
    // A file's first write here: its folders checked (made if missing), then the file made by the append.
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
    // A pod started by an older version has its first lines in its folder, then its own file.
    const older = this.readOlder(nsDir, pod, container, restart);
    const head = `${container} ${restart} `;
    const own: LogLine[] = [];
    const take = (rest: string) => {
      const p = rest.startsWith(head) ? parseLine(rest.slice(head.length)) : undefined;
      if (p) own.push(p);
    };
    for (const f of [hasPodFile(pod) ? pod + POD_FILE : undefined, sharedFile(pod)]) {
      let text: string | undefined;
      try {
        text = f === undefined ? undefined : readLog(path.join(nsDir, f));
      } catch {
        text = undefined;
      }
      if (text === undefined) continue;
      for (const rest of f === sharedFile(pod) ? podLines(text, pod) : text.split('\n')) take(rest);
    }
    if (!own.length) return older;
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
    // Through a planted symlink at logs/ or logs/<ns>, rm would delete outside (a symlink at
    // a pod's own file or folder is removed itself, never followed).
    if (!realDir(this.dir) || !realDir(nsDir)) return;
    this.markRemoved(path.join(nsDir, sharedFile(pod)), pod);
    if (hasPodFile(pod)) fs.rmSync(path.join(nsDir, pod + POD_FILE), { force: true }); // older versions' files
    fs.rmSync(path.join(nsDir, pod), { recursive: true, force: true });
  }

  /**
   * Ends the pod's lines in its shared file. A small file (under READ_BYTES) is read and
   * rewritten at once without the lines of pods removed (removed itself when none is left);
   * a larger one gets a removal mark (`<pod> -`), and is rewritten so once past
   * COMPACT_BYTES. Called under the store's lock (housekeeping), as every append is.
   */
  private markRemoved(f: string, pod: string): void {
    let fd: number | undefined;
    try {
      fd = openLog(f, O_RDWR | O_APPEND);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no pod of the file logged
      throw e;
    }
    if (fd === undefined) return;
    let text: string;
    try {
      let size = fs.fstatSync(fd).size;
      if (size >= READ_BYTES) {
        fs.writeSync(fd, `${pod} -\n`);
        size = fs.fstatSync(fd).size;
        if (size < COMPACT_BYTES) return;
      }
      const buf = Buffer.allocUnsafe(size);
      text = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, size, 0));
    } finally {
      fs.closeSync(fd);
    }
    const lines = text.split('\n');
    const nameOf = (l: string) => l.slice(0, l.indexOf(' '));
    // Each pod's last removal mark (this pod's: past the end, all its lines go).
    const removedAt = new Map<string, number>([[pod, lines.length]]);
    lines.forEach((l, i) => {
      if (l.endsWith(' -') && l.indexOf(' ') === l.length - 2) removedAt.set(nameOf(l), Math.max(i, removedAt.get(nameOf(l)) ?? -1));
    });
    const kept = lines.filter((l, i) => l !== '' && i > (removedAt.get(nameOf(l)) ?? -1));
    if (!kept.length) {
      fs.rmSync(f, { force: true });
      return;
    }
    const tmp = `${f}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true }); // a run killed mid-rewrite
    fs.writeFileSync(tmp, kept.map((l) => l + '\n').join(''), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, f);
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
