// The file backend: one JSON file per object under `registry/`, laid out like etcd's keys
// (`registry/pods/default/web`), readable with cat and jq.
//
// Crash and concurrency safety:
// - writers take an exclusive lock file (O_EXCL, holding the pid; a dead holder's lock is
//   broken), so revisions are handed out one at a time across processes;
// - each write first appends a line to `journal.log` (claiming its revision: after a crash
//   the next writer resumes from the journal's last revision, so no revision is reused),
//   then writes the object to a temporary file, fsyncs it and renames it into place, so a
//   reader never sees a torn file;
// - readers take no lock.

import * as fs from 'node:fs';
import { processAlive } from './process-alive';
import * as path from 'node:path';
import type { KObject } from '../api/types';
import { cloneJson } from './clone';
import {
  assertSafeKey,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StoreError,
  type ListResult,
  type SyncStore,
  type WatchEvent,
  type EventType,
} from './store';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const JOURNAL_MAX_BYTES = 16 * 1024 * 1024;
const LOCK_TIMEOUT_MS = 30_000;
const CACHE_MAX_OBJECTS = 250_000;

interface JournalLine {
  rev: number;
  type: EventType;
  key: string;
  /** Only for DELETED: the object as it was. */
  object?: KObject;
}

/** What changesSince has read of the journal file (identified by device and inode). */
interface JournalIndex {
  dev: number;
  ino: number;
  /** Byte offset just past the last complete line indexed. */
  end: number;
  revs: number[];
  offsets: number[];
}

/** The revision a journal line starts with (`{"rev":N,`), or undefined for a torn line. */
function lineRev(buf: Buffer, start: number, end: number): number | undefined {
  const PREFIX = '{"rev":';
  if (end - start < PREFIX.length + 2 || buf.toString('latin1', start, start + PREFIX.length) !== PREFIX) return undefined;
  let n = 0;
  let i = start + PREFIX.length;
  const first = i;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i > first && buf[i] === 44 ? n : undefined;
}

/** Reads buf.length bytes at `position` (fewer at end of file); returns how many. */
function readFully(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepBuffer, 0, 0, ms);
}

const pidAlive = processAlive;

export interface FileStoreOptions {
  /** fsync object files before renaming them into place (default true). */
  fsync?: boolean;
}

export class FileStore implements SyncStore {
  private readonly registryDir: string;
  private readonly journalPath: string;
  private readonly revPath: string;
  private readonly lockPath: string;
  private readonly metaDir: string;
  private lockDepth = 0;
  private batchStartRev = 0;
  private rev = 0;
  private journalFd: number | undefined;
  private readonly verifiedDirs = new Set<string>();
  private readonly fsync: boolean;
  private journalIndex: JournalIndex = { dev: -1, ino: -1, end: 0, revs: [], offsets: [] };
  /** Parsed object files, valid while the file's inode, size and times are unchanged. */
  private readonly cache = new Map<string, { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint; obj: KObject }>();

  constructor(
    readonly root: string,
    opts: FileStoreOptions = {},
  ) {
    this.fsync = opts.fsync ?? process.env.KUBESIM_FSYNC !== '0';
    ensurePrivateDir(root);
    this.registryDir = path.join(root, 'registry');
    this.metaDir = path.join(root, 'meta');
    ensurePrivateDir(this.registryDir);
    ensurePrivateDir(this.metaDir);
    this.journalPath = path.join(root, 'journal.log');
    this.revPath = path.join(root, 'rev');
    this.lockPath = path.join(root, 'lock');
  }

  currentRev(): number {
    if (this.lockDepth > 0) return this.rev;
    return this.readRev();
  }

  get(key: string): KObject | undefined {
    assertSafeKey(key);
    return this.readObject(path.join(this.registryDir, key));
  }

  list(prefix: string, filter?: (obj: KObject) => boolean): ListResult {
    assertSafeKey(prefix);
    const rev = this.currentRev();
    const items: KObject[] = [];
    this.collect(path.join(this.registryDir, prefix), items);
    return { rev, items: filter ? items.filter(filter) : items };
  }

  create(key: string, obj: KObject): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      if (fs.existsSync(file)) throw new KeyExistsError(key);
      return this.write(key, file, obj, 'ADDED');
    });
  }

  update(key: string, obj: KObject, expectRev?: number): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      const current = this.readObject(file);
      if (!current) throw new KeyNotFoundError(key);
      if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
        throw new RevisionConflictError(key, current);
      }
      return this.write(key, file, obj, 'MODIFIED');
    });
  }

  delete(key: string, expectRev?: number): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      const current = this.readObject(file);
      if (!current) throw new KeyNotFoundError(key);
      if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
        throw new RevisionConflictError(key, current);
      }
      const rev = ++this.rev;
      const last = { ...current, metadata: { ...current.metadata, resourceVersion: String(rev) } };
      this.appendJournal({ rev, type: 'DELETED', key, object: last });
      fs.rmSync(file, { force: true });
      this.cache.delete(file);
      return last;
    });
  }

  changesSince(afterRev: number): WatchEvent[] {
    let fd: number;
    try {
      fd = fs.openSync(this.journalPath, 'r');
    } catch {
      return [];
    }
    let text: string;
    try {
      const from = this.indexJournal(fd, afterRev);
      if (from >= this.journalIndex.end) return [];
      const buf = Buffer.allocUnsafe(this.journalIndex.end - from);
      readFully(fd, buf, from);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    const events: WatchEvent[] = [];
    const seen = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: JournalLine;
      try {
        entry = JSON.parse(line) as JournalLine;
      } catch {
        continue; // a line torn by a crash mid-append: its object file tells the truth
      }
      if (entry.rev <= afterRev) continue;
      if ((seen.get(entry.key) ?? 0) >= entry.rev) continue;
      let object = entry.object;
      if (entry.type === 'DELETED') this.cache.delete(path.join(this.registryDir, entry.key)); // deleted by another process
      if (!object) {
        object = this.readObject(path.join(this.registryDir, entry.key));
        if (!object) continue; // deleted later; its DELETED line follows
      }
      const objRev = Number(object.metadata.resourceVersion);
      seen.set(entry.key, Math.max(objRev, entry.rev));
      events.push({ type: entry.type, key: entry.key, rev: Math.max(objRev, entry.rev), object });
    }
    return events;
  }

  /**
   * Brings the in-memory index of the journal (each complete line's revision and byte
   * offset) up to date by reading only what was appended since the last call, and returns
   * the offset of the first line after `afterRev`. A journal replaced by a trim (another
   * inode) or cut shorter is indexed again from the start.
   */
  private indexJournal(fd: number, afterRev: number): number {
    const st = fs.fstatSync(fd);
    let ix = this.journalIndex;
    if (st.ino !== ix.ino || st.dev !== ix.dev || st.size < ix.end) {
      ix = this.journalIndex = { dev: st.dev, ino: st.ino, end: 0, revs: [], offsets: [] };
    }
    if (st.size > ix.end) {
      const buf = Buffer.allocUnsafe(st.size - ix.end);
      const got = readFully(fd, buf, ix.end);
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0 || nl >= got) break; // an incomplete last line is read again next time
        const rev = lineRev(buf, pos, nl);
        if (rev !== undefined) {
          ix.revs.push(rev);
          ix.offsets.push(ix.end + pos);
        }
        pos = nl + 1;
      }
      ix.end += pos;
    }
    // Revisions only grow along the journal: walk back from the end over the new lines.
    let i = ix.revs.length;
    while (i > 0 && ix.revs[i - 1] > afterRev) i--;
    return i < ix.revs.length ? ix.offsets[i] : ix.end;
  }

  batch<T>(fn: () => T): T {
    this.beginBatch();
    try {
      return fn();
    } finally {
      this.endBatch();
    }
  }

  beginBatch(): void {
    if (this.lockDepth > 0) {
      this.lockDepth++;
      return;
    }
    this.acquireLock();
    this.lockDepth = 1;
    this.batchStartRev = this.rev;
  }

  endBatch(): void {
    if (this.lockDepth > 1) {
      this.lockDepth--;
      return;
    }
    try {
      if (this.rev !== this.batchStartRev) this.writeRev();
      this.maybeTrimJournal();
    } finally {
      if (this.journalFd !== undefined) {
        fs.closeSync(this.journalFd);
        this.journalFd = undefined;
      }
      this.lockDepth = 0;
      this.releaseLock();
    }
  }

  readMeta<T>(name: string): T | undefined {
    assertSafeKey(name);
    try {
      return JSON.parse(fs.readFileSync(path.join(this.metaDir, name + '.json'), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  writeMeta(name: string, value: unknown): void {
    assertSafeKey(name);
    this.atomicWrite(path.join(this.metaDir, name + '.json'), JSON.stringify(value, null, 2) + '\n');
  }

  close(): void {
    if (this.journalFd !== undefined) fs.closeSync(this.journalFd);
    this.journalFd = undefined;
  }

  // --- internals ---

  private write(key: string, file: string, obj: KObject, type: EventType): KObject {
    const rev = ++this.rev;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
    this.appendJournal({ rev, type, key });
    this.ensureDir(path.dirname(file));
    this.atomicWrite(file, JSON.stringify(stored, null, 2) + '\n');
    return stored;
  }

  private atomicWrite(file: string, data: string): void {
    const tmp = `${path.dirname(file)}/.tmp-${process.pid}-${path.basename(file)}`;
    let fd: number;
    try {
      fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, FILE_MODE);
    } catch (e) {
      throw storeIoError(e, tmp);
    }
    try {
      fs.writeSync(fd, data);
      if (this.fsync) fs.fdatasyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw storeIoError(e, file);
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  }

  private readObject(file: string): KObject | undefined {
    // A long-lived store (the daemon, reconcile in-process) re-reads the same files over
    // and over: a file whose inode, size and ns timestamps are unchanged is not read and
    // parsed again (every write renames a new file into place, so any write changes them).
    let st: fs.BigIntStats | undefined;
    try {
      st = fs.statSync(file, { bigint: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.cache.delete(file);
        return undefined;
      }
      throw storeIoError(e, file);
    }
    if (st.isDirectory()) return undefined;
    const hit = this.cache.get(file);
    if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeNs === st.mtimeNs && hit.ctimeNs === st.ctimeNs) return cloneJson(hit.obj);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw storeIoError(e, file);
    }
    let obj: KObject;
    try {
      obj = JSON.parse(text) as KObject;
    } catch {
      throw new StoreError(`corrupt object file ${file}`);
    }
    // Only what was read whole is remembered: the size must match what stat saw.
    if (Buffer.byteLength(text) === Number(st.size)) {
      if (this.cache.size >= CACHE_MAX_OBJECTS) this.cache.clear(); // a bound, whatever others delete
      this.cache.set(file, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, obj });
      return cloneJson(obj);
    }
    this.cache.delete(file);
    return obj;
  }

  private collect(dir: string, out: KObject[]): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw storeIoError(e, dir);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.tmp-')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) this.collect(full, out);
      else if (entry.isFile()) {
        const obj = this.readObject(full);
        if (obj) out.push(obj);
      }
      // symlinks are never followed: nothing planted in the state directory is read
    }
  }

  /** Creates a directory below the registry, refusing to go through symlinks. */
  private ensureDir(dir: string): void {
    if (this.verifiedDirs.has(dir)) return;
    const rel = path.relative(this.registryDir, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new StoreError(`path escapes the state directory: ${dir}`);
    let cur = this.registryDir;
    for (const part of rel.split(path.sep)) {
      if (!part) continue;
      cur = path.join(cur, part);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(cur);
      } catch {
        st = undefined;
      }
      if (!st) {
        try {
          fs.mkdirSync(cur, { mode: DIR_MODE });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw storeIoError(e, cur);
        }
      } else if (!st.isDirectory()) {
        throw new StoreError(`refusing to use ${cur}: not a directory (symlink planted in the state directory?)`);
      }
    }
    this.verifiedDirs.add(dir);
  }

  private appendJournal(line: JournalLine): void {
    if (this.journalFd === undefined) {
      this.journalFd = fs.openSync(this.journalPath, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, FILE_MODE);
    }
    try {
      fs.writeSync(this.journalFd, JSON.stringify(line) + '\n');
    } catch (e) {
      throw storeIoError(e, this.journalPath);
    }
  }

  private readRev(): number {
    let rev = 0;
    try {
      rev = Number(fs.readFileSync(this.revPath, 'utf8').trim()) || 0;
    } catch {
      rev = 0;
    }
    return Math.max(rev, this.lastJournalRev());
  }

  /** The revision of the journal's last complete line (covers a crash before `rev` was written). */
  private lastJournalRev(): number {
    let fd: number;
    try {
      fd = fs.openSync(this.journalPath, 'r');
    } catch {
      return 0;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size === 0) return 0;
      let chunk = 4 * 1024; // the last line is short unless it carries a deleted object
      for (;;) {
        const len = Math.min(chunk, size);
        const buf = Buffer.alloc(len);
        fs.readSync(fd, buf, 0, len, size - len);
        const lines = buf.toString('utf8').split('\n');
        for (let i = lines.length - 1; i >= (len === size ? 0 : 1); i--) {
          const m = /^\{"rev":(\d+),/.exec(lines[i]);
          if (m) return Number(m[1]);
        }
        if (len === size) return 0;
        chunk *= 4;
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  private writeRev(): void {
    this.atomicWrite(this.revPath, String(this.rev) + '\n');
  }

  private maybeTrimJournal(): void {
    let size = 0;
    try {
      size = fs.statSync(this.journalPath).size;
    } catch {
      return;
    }
    if (size <= JOURNAL_MAX_BYTES) return;
    // Keep the newer half; watchers that fall behind the trimmed part re-list (as with
    // etcd compaction), which level-triggered consumers handle by design.
    if (this.journalFd !== undefined) {
      fs.closeSync(this.journalFd);
      this.journalFd = undefined;
    }
    const text = fs.readFileSync(this.journalPath, 'utf8');
    const cut = text.indexOf('\n', Math.floor(text.length / 2));
    this.atomicWrite(this.journalPath, text.slice(cut + 1));
  }

  private acquireLock(): void {
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    let wait = 1;
    for (;;) {
      if (this.tryCreateLock()) break;
      this.breakStaleLock();
      if (Date.now() > deadline) throw new StoreError(`timed out waiting for the state lock ${this.lockPath}`);
      sleepSync(wait);
      wait = Math.min(wait * 2, 20);
    }
    this.rev = this.readRev();
  }

  /**
   * Creates the lock file with our pid already in it: the pid goes to a private temporary
   * file that is then hard-linked into place, so nobody ever sees an empty lock (a full
   * disk fails before the link, leaving no lock behind).
   */
  private tryCreateLock(): boolean {
    const tmp = `${this.lockPath}.${process.pid}`;
    try {
      fs.writeFileSync(tmp, `${process.pid}\n`, { mode: FILE_MODE });
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw storeIoError(e, this.lockPath);
    }
    try {
      fs.linkSync(tmp, this.lockPath);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw storeIoError(e, this.lockPath);
      return false;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /**
   * Removes the lock of a writer that died. Breakers take turns (a `lock.break` file), so a
   * breaker can never delete a lock that another breaker already replaced with a live one;
   * a breaker that died itself leaves a `lock.break` that expires after a second.
   */
  private breakStaleLock(): void {
    let holder: number;
    try {
      holder = Number(fs.readFileSync(this.lockPath, 'utf8').trim());
    } catch {
      return;
    }
    if (holder && pidAlive(holder)) return;
    const breakPath = `${this.lockPath}.break`;
    try {
      fs.writeFileSync(breakPath, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
    } catch {
      try {
        if (Date.now() - fs.statSync(breakPath).mtimeMs > 1000) fs.rmSync(breakPath, { force: true });
      } catch {
        /* gone */
      }
      return;
    }
    try {
      const again = Number(fs.readFileSync(this.lockPath, 'utf8').trim());
      if (again === holder && !(again && pidAlive(again))) fs.rmSync(this.lockPath, { force: true });
    } catch {
      /* already broken */
    } finally {
      fs.rmSync(breakPath, { force: true });
    }
  }

  private releaseLock(): void {
    fs.rmSync(this.lockPath, { force: true });
  }
}

export function ensurePrivateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (e) {
    throw storeIoError(e, dir);
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new StoreError(`${dir} is not a directory`);
}

function storeIoError(e: unknown, file: string): StoreError {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOSPC':
      return new StoreError(`no space left on device while writing ${file}; the state directory was left unchanged`);
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new StoreError(`cannot write ${file}: ${err.code === 'EROFS' ? 'read-only file system' : 'permission denied'}`);
    case 'ELOOP':
      return new StoreError(`refusing to follow a symlink at ${file}`);
    default:
      return new StoreError(`${err.message ?? String(e)}`);
  }
}
