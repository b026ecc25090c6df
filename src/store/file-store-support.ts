// The file store's helpers: object file parsing, private folders, I/O error texts, the
// power-loss helpers (boot id, syncfs), and the holder's bookkeeping (deferred writes,
// remembered files and folder listings).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KObject } from '../api/types';
import { StoreError, StoreNotFoundError, type EventType } from './store';
import { DamagedObjectError } from './damaged';
import { parseJson } from '../util/exact-json';
import { KeyIndexedMap } from './key-index';
import type { JournalLine } from './journal-lines';
import { beatsSpan } from './lease-beats';
import { decodeStored } from './stored-decoder';

const DIR_MODE = 0o700;

/** Parses an object file's text; throws DamagedObjectError when it is not the object `key` names. */
export function parseObject(key: string, file: string, text: string): KObject {
  let obj: KObject;
  try {
    obj = parseJson(text) as KObject;
  } catch {
    throw new DamagedObjectError(key, file, 'not valid JSON');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj) || !obj.metadata || typeof obj.metadata !== 'object') {
    throw new DamagedObjectError(key, file, 'not an object with metadata');
  }
  const parts = key.split('/');
  const name = parts[parts.length - 1];
  if (obj.metadata.name !== name) {
    throw new DamagedObjectError(key, file, `it holds the object named ${JSON.stringify(obj.metadata.name ?? null)}`);
  }
  if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== parts[parts.length - 2]) {
    throw new DamagedObjectError(key, file, `it holds an object of namespace ${JSON.stringify(obj.metadata.namespace)}`);
  }
  return decodeStored(obj);
}

export function ensurePrivateDir(dir: string): void {
  // Not mkdirSync({recursive}): under /proc it retries forever (ENOENT on a parent that exists).
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    try {
      fs.lstatSync(cur);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StoreError(`cannot use ${dir} as a state directory: ${code === 'ENOTDIR' ? 'a file is in the way' : code}`);
    }
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode: DIR_MODE });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new StoreError(`cannot use ${dir} as a state directory: cannot create ${d} (${code === 'EROFS' ? 'read-only file system' : code === 'ENOENT' ? 'not a place for folders' : 'permission denied'})`);
      }
      throw storeIoError(e, d);
    }
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new StoreError(`${dir} is not a directory`);
}

export { StoreNotFoundError };

/**
 * Checks that `root` holds a store (it and its registry/ and meta/ folders, none a symlink)
 * without creating anything: a command racing `cluster delete` must not bring back an empty
 * cluster, nor leave the deletion a folder it cannot remove.
 */
export function requireStoreDir(root: string): void {
  for (const d of [root, path.join(root, 'registry'), path.join(root, 'meta')]) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new StoreNotFoundError(root);
      throw storeIoError(e, d);
    }
    if (!st.isDirectory()) throw new StoreError(`${d} is not a directory`);
  }
}

export function storeIoError(e: unknown, file: string): StoreError {
  if (e instanceof StoreError) return e;
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOSPC':
      return new StoreError(`no space left on device while writing ${file}; the state directory was left unchanged`);
    case 'EDQUOT':
      return new StoreError(`disk quota exceeded while writing ${file}; the state directory was left unchanged`);
    case 'EIO':
      return new StoreError(`input/output error while writing ${file}; the state directory was left unchanged`);
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new StoreError(`cannot write ${file}: ${err.code === 'EROFS' ? 'read-only file system' : 'permission denied'}`);
    case 'ELOOP':
      return new StoreError(`refusing to follow a symlink at ${file}`);
    case 'ENAMETOOLONG':
      return new StoreError(`cannot write ${file}: file name too long`);
    case 'EEXIST':
      return new StoreError(`cannot write ${file}: a leftover temporary file is in the way`);
    case 'EISDIR':
      return new StoreError(`cannot write ${file}: a folder is in the way; run "kubesim cluster fsck"`);
    case 'ENOTDIR':
      return new StoreError(`cannot write ${file}: a file is where a folder belongs; run "kubesim cluster fsck"`);
    default:
      return new StoreError(`cannot write ${file}: ${err.code ?? err.message ?? String(e)}`);
  }
}

let bootIdValue: string | null | undefined;
/** This boot's id (Linux), to tell whether the machine restarted since files were written. */
export function bootId(): string | undefined {
  if (bootIdValue === undefined) {
    try {
      const t = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      bootIdValue = /^[0-9a-f-]{8,64}$/.test(t) ? t : null;
    } catch {
      bootIdValue = null;
    }
  }
  return bootIdValue ?? undefined;
}

/** syncfs(2) of the file system holding `dir` (coreutils `sync -f`); false when unavailable. */
export function syncFileSystem(dir: string): boolean {
  try {
    // Loaded here, not at start-up: only a reboot's replay and a journal trim need it.
    const { spawnSync } = process.getBuiltinModule('node:child_process');
    const r = spawnSync('sync', ['-f', dir], { stdio: 'ignore', timeout: 60_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

/**
 * `file` synced on the thread pool through a descriptor of its own (the journal, while its
 * writer may go on appending and a release close the writer's descriptor meanwhile).
 */
export function fsyncPathAsync(file: string): Promise<void> {
  return new Promise((resolve, reject) =>
    fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW, (e, fd) => {
      if (e) return reject(e);
      fs.fdatasync(fd, (err) => fs.close(fd, () => (err ? reject(err) : resolve())));
    }),
  );
}

/** fdatasync of `file` (not followed if a symlink); its error thrown. */
export function fdatasyncPath(file: string): void {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncPath(file: string): void {
  try {
    fdatasyncPath(file);
  } catch {
    /* gone or not ours: nothing to make durable */
  }
}

export interface PendingWrite {
  type: EventType;
  object: KObject;
  /**
   * The revision since which the key's file lags (its first deferred entry; for a tail read
   * from the journal, just after `rev`): a compaction round up to a revision before it does
   * not need the file (file-store-compaction.ts). Kept from the entry it replaces.
   */
  first: number;
  /** Only node Lease renewals since its file (lease-beats.ts): the compaction may leave the file as it is. */
  beat?: boolean;
}

/**
 * A deferred write as PendingWrites keeps it: with its object, or (`src`) with only where
 * its journal line is, the object read back from it when asked for (objectOf, see setLine),
 * or (`line`) as the journal's parsed tail holds it, its object parsed when first asked for
 * (another process's line, see setTailLine). One shape for all, so the map's values share
 * one hidden class.
 */
export interface Deferred {
  type: EventType;
  object: KObject | undefined;
  first: number;
  src: LineSource | undefined;
  at: number;
  len: number;
  rev: number;
  line: JournalLine | undefined;
  beat: boolean;
}

/** A journal file the deferred writes' lines are read from: its own descriptor, so a trim's rename over it does not move them. */
interface LineSource {
  fd: number;
  ino: number;
  path: string;
}

/**
 * A holder's deferred writes by key, indexed by resource and namespace (KeyIndexedMap) for
 * lists: a namespaced list of pods must not walk every event the journal's tail holds.
 * An Event's write is kept as its journal line's place, not its object (setLine): five or
 * so per pod, seldom read again, they were most of what a settled daemon's lagging tail held
 * (~500 B each kept, ~600,000 keys at 100,000 pods; docs/perf-issue-18.md round 74).
 */
export class PendingWrites {
  private readonly byKey = new KeyIndexedMap<Deferred>();

  /**
   * `fileOf`: a key's object file, made when a file is written rather than kept per entry
   * (~100 B a key, 12 MB of a settled 20,000-pod daemon's lagging tail; round 83).
   */
  constructor(readonly fileOf: (key: string) => string) {}
  /** The journal files lines are kept in, newest last (an older one stays open while a line in it is deferred). */
  private sources: LineSource[] = [];
  /**
   * Counts clear()s: after one (the tail read again) a key may be deferred since an earlier
   * revision than when it was first set, so what was derived from the keys is stale.
   */
  epoch = 0;
  /** How many deferred writes are beats (lease-beats.ts). */
  private beatCount = 0;
  /**
   * The oldest deferred write's revision (revOrFirst), undefined once the entry holding it is
   * replaced or dropped (found again by a pass at the next floor()): a round's end at rest
   * walked every deferred beat for it (no heap: ~20 B more a deferred write).
   */
  private oldest: number | undefined = Infinity;

  get size(): number {
    return this.byKey.size;
  }

  /** The deferred writes whose files a round writes (beats left out). */
  get filesDue(): number {
    return this.byKey.size - this.beatCount;
  }

  /** The revision of the deferred write's entry (its object's resourceVersion). */
  revOf(d: Deferred): number {
    return d.src || d.line ? d.rev : Number(d.object!.metadata?.resourceVersion);
  }

  /** Whether a round up to `upTo` leaves `key`'s file as it is: a beat newer than beatsSpan revisions before `upTo`. */
  skips(key: string, upTo: number): boolean {
    const d = this.byKey.get(key);
    return d !== undefined && d.beat && this.revOf(d) > upTo - beatsSpan(this.beatCount);
  }

  /** Whether a round up to `upTo` has no file to write: every deferred write a beat it skips (no pass over them at rest). */
  nothingDue(upTo: number): boolean {
    return this.filesDue === 0 && this.floor() + 1 > upTo - beatsSpan(this.beatCount);
  }

  /** The highest revision `rev` may move to: just before every deferred write's entry (the beats a round left). */
  floor(): number {
    if (this.oldest === undefined) {
      let min = Infinity;
      for (const d of this.byKey.values()) min = Math.min(min, this.revOrFirst(d));
      this.oldest = min;
    }
    return this.oldest - 1;
  }

  get(key: string): Deferred | undefined {
    return this.byKey.get(key);
  }

  /** The deferred write's type, without reading its object back. */
  typeOf(key: string): EventType | undefined {
    return this.byKey.get(key)?.type;
  }

  /** The revision since which the key's file lags (PendingWrite.first); Infinity when it does not. */
  firstOf(key: string): number {
    return this.byKey.get(key)?.first ?? Infinity;
  }

  set(key: string, w: PendingWrite): void {
    this.put(key, { type: w.type, object: w.object, first: w.first, src: undefined, at: 0, len: 0, rev: 0, line: undefined, beat: w.beat === true });
  }

  /**
   * Defers the write of `key` as the line [at, at + len) of the journal `journalPath` (inode
   * `ino`, the holder's: under the lock it cannot change), which holds its object at `rev`.
   * False, nothing deferred, when that journal cannot be opened as that file.
   */
  setLine(key: string, type: EventType, first: number, journal: { path: string; ino: number; at: number; len: number; rev: number }, beat = false): boolean {
    const src = this.source(journal.path, journal.ino);
    if (!src) return false;
    this.put(key, { type, object: undefined, first, src, at: journal.at, len: journal.len, rev: journal.rev, line: undefined, beat });
    return true;
  }

  /** Defers the write of `line`'s key as the journal's tail holds it (a lazily parsed line: journal-lines.ts). */
  setTailLine(key: string, line: JournalLine, first: number, beat: boolean): void {
    this.put(key, { type: line.type, object: undefined, first, src: undefined, at: 0, len: 0, rev: line.rev, line, beat });
  }

  private put(key: string, d: Deferred): void {
    const prev = this.byKey.get(key);
    this.noteGone(prev);
    if (prev) {
      d.first = prev.first;
      // A beat since the file: every change since it was one (a create or a label change is written).
      d.beat &&= prev.beat;
      if (prev.beat) this.beatCount--;
    }
    if (d.beat) this.beatCount++;
    if (this.oldest !== undefined) this.oldest = Math.min(this.oldest, this.revOrFirst(d));
    this.byKey.set(key, d);
  }

  /** The oldest revision is to be found again if `d`, replaced or dropped, held it. */
  private noteGone(d: Deferred | undefined): void {
    if (d && this.revOrFirst(d) === this.oldest) this.oldest = undefined;
  }

  /** revOf, or `first` for an entry without a revision (a DELETED tail line without its object): never later than its line. */
  private revOrFirst(d: Deferred): number {
    const rev = this.revOf(d);
    return Number.isFinite(rev) ? rev : d.first;
  }

  delete(key: string): void {
    const d = this.byKey.get(key);
    this.noteGone(d);
    if (d?.beat) this.beatCount--;
    this.byKey.delete(key);
  }

  /** Forgets the deferred writes at or before `rev` (their files are in place, and `rev` says so). */
  dropThrough(rev: number): void {
    // None at or before `rev` (a round's end at rest: `rev` stops before the oldest beat): no pass.
    if (this.floor() < rev) for (const [key, d] of this.byKey) if (this.revOf(d) <= rev) this.delete(key);
    this.closeUnused();
  }

  clear(): void {
    this.epoch++;
    this.beatCount = 0;
    this.byKey.clear();
    this.oldest = Infinity;
    this.closeUnused();
  }

  [Symbol.iterator](): IterableIterator<[string, Deferred]> {
    return this.byKey.entries();
  }

  /** Each deferred key and the revision since which its file lags (no object read back). */
  *firsts(): IterableIterator<[string, number]> {
    for (const [key, d] of this.byKey) yield [key, d.first];
  }

  /** The deferred writes of keys under `prefix`. */
  under(prefix: string): IterableIterator<[string, Deferred]> {
    return this.byKey.under(prefix);
  }

  /** The write's object: kept, or its journal line read back and parsed (a fresh object), or the tail's line's. */
  objectOf(d: Deferred): KObject {
    if (d.line) return d.line.object!;
    if (!d.src) return d.object!;
    const buf = Buffer.allocUnsafe(d.len);
    let got = 0;
    try {
      while (got < d.len) {
        const n = fs.readSync(d.src.fd, buf, got, d.len - got, d.at + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      throw storeIoError(e, d.src.path);
    }
    let line: { rev?: unknown; object?: KObject } | undefined;
    try {
      line = got === d.len ? (parseJson(buf.toString('utf8')) as typeof line) : undefined;
    } catch {
      line = undefined;
    }
    if (!line || line.rev !== d.rev || !line.object) throw new StoreError(`the journal line of revision ${d.rev} could not be read back from ${d.src.path}; run "kubesim cluster fsck"`);
    return line.object;
  }

  /** The open journal file `ino` at `file`, opened when new (and the sources no entry uses closed). */
  private source(file: string, ino: number): LineSource | undefined {
    const last = this.sources.at(-1);
    if (last?.ino === ino) return last;
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    if (fs.fstatSync(fd).ino !== ino) {
      fs.closeSync(fd);
      return undefined;
    }
    const src = { fd, ino, path: file };
    this.closeUnused(src);
    this.sources.push(src);
    return src;
  }

  /**
   * Closes the journal files no deferred write is read from (but `keep`): a trimmed journal's
   * old file stays on disk while open. A pass over the keys, at a clear, a drop, a new file.
   */
  private closeUnused(keep?: LineSource): void {
    if (this.sources.length === 0) return;
    const used = new Set<LineSource>();
    if (keep) used.add(keep);
    for (const d of this.byKey.values()) if (d.src) used.add(d.src);
    for (const s of this.sources) if (!used.has(s)) fs.closeSync(s.fd);
    this.sources = this.sources.filter((s) => used.has(s));
  }
}

/**
 * A file as the read caches know it: inode, size and times from a Number stat. A BigInt stat
 * made ~1,450 B of garbage per check against a Number stat's ~940 (a settled daemon's lstats
 * were one of its largest allocations at rest, round 117) and kept four BigInts per cached
 * file. The ms times as doubles keep ~0.25 us, finer than the kernel's coarse file-time clock;
 * an inode past 2^53 is rounded, but a stale hit needs inode, size and both times to agree,
 * and every rewrite is a new file (renamed into place) with new times.
 */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Whether `st` is the file `known` was read from (unchanged since). */
export function sameFile(known: FileIdentity, st: fs.Stats): boolean {
  return known.ino === st.ino && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ctimeMs === st.ctimeMs;
}

export interface CachedFile extends FileIdentity {
  /** null: no such file (known while holding the lock). */
  obj: KObject | null;
  /** The hold generation in which it was last checked (0: never while holding). */
  gen: number;
}

export type EntryKind = 'dir' | 'file' | 'symlink' | 'other';

/**
 * A folder's entries: their names sorted, and the kind of those that are not regular files
 * (most folders hold only files). Not an object per entry: that was ~20 B of the ~60 an entry
 * of the events folder kept (five or so per pod).
 */
export interface Listing {
  names: string[];
  others?: Map<string, Exclude<EntryKind, 'file'>>;
}

export const kindOf = (l: Listing, name: string): EntryKind => l.others?.get(name) ?? 'file';

/** Where `name` is, or would go, in names sorted. */
export function entryIndex(names: string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (names[mid] < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A file's identity and content stamp (inode, size, times: FileIdentity), '-' when absent.
 * Every write to the journal grows it or renames a new one into place, every write of `rev`
 * renames one.
 */
export function statStamp(file: string): string {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : '-';
}
