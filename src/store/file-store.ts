// The file backend: one JSON file per object under `registry/`, laid out like etcd's keys
// (`registry/pods/default/web`), readable with cat and jq.
//
// The journal is the commit point:
// - writers take an exclusive lock file (see file-lock.ts), so revisions are handed out one
//   at a time across processes;
// - a write first puts the object in a private temporary file, then appends one line to
//   `journal.log` carrying the revision AND the object (the commit), then renames the
//   temporary file into place; a failure before the rename undoes the journal line, so a
//   failed write leaves nothing behind;
// - `rev` records up to which revision every object file is in place; it is written at the
//   end of each batch. Readers read `rev`, then the files, then the journal entries after
//   `rev` and lay those over what the files said, so a reader never sees less than what is
//   committed, even while a writer is between the append and the rename (or was killed
//   there: the next writer replays the journal's tail into the files);
// - watchers read only the journal (changesSince never opens an object file), so every
//   event comes in revision order, once, with the object as of its revision;
// - readers take no lock. Nothing in the state directory is followed through a symlink
//   (O_NOFOLLOW, lstat, exclusive creation of temporary files).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KObject } from '../api/types';
import { cloneJson } from './clone';
import { FileLock, readSmallFile } from './file-lock';
import { processAlive } from './process-alive';
import { Journal, type JournalLine, journalLineText } from './journal';
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
import { storeFaultPoint } from './fault-points';
import { DamagedObjectError } from './damaged';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const LOCK_TIMEOUT_MS = 30_000;
const CACHE_MAX_OBJECTS = 250_000;
/** A group (see group()) gives the lock up after this many writes or milliseconds. */
const GROUP_MAX_WRITES = 100;
const GROUP_MAX_MS = 50;
/** An object file larger than this is damage (kube-apiserver accepts 3 MiB per request). */
const OBJECT_MAX_BYTES = 16 * 1024 * 1024;
export const TMP_PREFIX = '.tmp-';

export { DamagedObjectError };

const warned = new Set<string>();
function warnOnce(file: string, message: string): void {
  if (warned.has(file)) return;
  warned.add(file);
  process.stderr.write(`Warning: ${message}\n`);
}

export interface FileStoreOptions {
  /** fsync object files and the journal before acknowledging (default true). */
  fsync?: boolean;
}

let tmpCounter = 0;

export class FileStore implements SyncStore {
  readonly registryDir: string;
  readonly journalPath: string;
  readonly revPath: string;
  readonly lockPath: string;
  private readonly metaDir: string;
  private readonly lock: FileLock;
  private readonly journal: Journal;
  private lockDepth = 0;
  /** Whether this store holds the lock (inside a batch, or between the batches of a group). */
  private held = false;
  private heldSince = 0;
  private heldStartRev = 0;
  private grouping = false;
  private rev = 0;
  private readonly verifiedDirs = new Set<string>();
  private readonly fsync: boolean;
  /** The journal (inode, size) at which every entry was known to be in the files, and that revision. */
  private settled: { ino: number; size: number; rev: number } | undefined;
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
    this.lock = new FileLock(this.lockPath, LOCK_TIMEOUT_MS);
    this.journal = new Journal(this.journalPath);
    // Temporary files a dead writer left next to the journal and the meta documents (cheap:
    // two small folders); those in the registry go when its stale lock is broken.
    for (const dir of [root, this.metaDir]) this.sweepDeadTemporaries(dir);
  }

  private sweepDeadTemporaries(dir: string): string[] {
    const removed: string[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return removed;
    }
    for (const n of names) {
      const m = /^(?:\.tmp-(\d+)-\d+|lock\.(\d+))$/.exec(n);
      if (!m) continue;
      const pid = Number(m[1] ?? m[2]);
      if (pid === process.pid || processAlive(pid)) continue;
      fs.rmSync(path.join(dir, n), { force: true });
      removed.push(path.join(dir, n));
    }
    return removed;
  }

  currentRev(): number {
    if (this.held) return this.rev;
    return Math.max(this.readRevFile(), this.journal.lastRev());
  }

  get(key: string): KObject | undefined {
    assertSafeKey(key);
    const file = path.join(this.registryDir, key);
    if (this.held) return this.readObject(key, file); // the holder's files are all in place
    const fromFiles = (): KObject | undefined => this.readObject(key, file);
    const { value, tail } = this.readConsistent(fromFiles);
    const pending = tail?.get(key);
    if (pending) return pending.type === 'DELETED' ? undefined : cloneJson(pending.object!);
    return value;
  }

  list(prefix: string, filter?: (obj: KObject) => boolean): ListResult {
    assertSafeKey(prefix);
    if (this.held) {
      const found = new Map<string, KObject>();
      this.collect(prefix, found);
      const items = [...found.values()];
      return { rev: this.rev, items: filter ? items.filter(filter) : items };
    }
    const { value: found, tail, rev } = this.readConsistent(() => {
      const m = new Map<string, KObject>();
      this.collect(prefix, m);
      return m;
    });
    let keys: string[] | undefined;
    if (tail) {
      for (const [key, e] of tail) {
        if (!key.startsWith(prefix + '/')) continue;
        if (e.type === 'DELETED') found.delete(key);
        else found.set(key, cloneJson(e.object!));
        keys = [...found.keys()].sort();
      }
    }
    const items = keys ? keys.map((k) => found.get(k)!) : [...found.values()];
    return { rev, items: filter ? items.filter(filter) : items };
  }

  create(key: string, obj: KObject): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      let exists: boolean;
      try {
        fs.lstatSync(file);
        exists = true;
      } catch {
        exists = false;
      }
      if (exists) throw new KeyExistsError(key);
      return this.write(key, file, obj, 'ADDED');
    });
  }

  update(key: string, obj: KObject, expectRev?: number): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      const current = this.readObject(key, file);
      if (!current) throw new KeyNotFoundError(key);
      this.checkNotAhead(file, current);
      if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
        throw new RevisionConflictError(key, current);
      }
      return this.write(key, file, obj, 'MODIFIED');
    });
  }

  /** Deletes an object; a damaged object file is removed too (without expectRev). */
  delete(key: string, expectRev?: number): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      let current: KObject | undefined;
      try {
        current = this.readObject(key, file);
      } catch (e) {
        if (!(e instanceof DamagedObjectError) || expectRev !== undefined) throw e;
        const parts = key.split('/');
        current = { apiVersion: '', kind: '', metadata: { name: parts[parts.length - 1], ...(parts.length >= 3 ? { namespace: parts[parts.length - 2] } : {}) } } as KObject;
      }
      if (!current) throw new KeyNotFoundError(key);
      this.checkNotAhead(file, current);
      if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
        throw new RevisionConflictError(key, current);
      }
      const rev = this.rev + 1;
      const last = { ...current, metadata: { ...current.metadata, resourceVersion: String(rev) } };
      const undo = this.journal.append(journalLineText({ rev, type: 'DELETED', key, object: last }));
      this.rev = rev;
      try {
        storeFaultPoint('after-journal', key);
        fs.rmSync(file, { force: true });
      } catch (e) {
        this.rev = rev - 1;
        undo();
        throw storeIoError(e, file);
      }
      this.cache.delete(file);
      return last;
    });
  }

  changesSince(afterRev: number): WatchEvent[] {
    const entries = this.journal.entriesAfter(afterRev);
    if (!entries) return []; // the journal no longer reaches back that far: callers re-list
    const events: WatchEvent[] = [];
    for (const entry of entries) {
      if (entry.type === 'DELETED') this.cache.delete(path.join(this.registryDir, entry.key));
      let object = entry.object;
      if (!object) {
        // A line written before journal lines carried objects: the file tells the newest state.
        try {
          object = this.readObject(entry.key, path.join(this.registryDir, entry.key));
        } catch {
          object = undefined;
        }
        if (!object || Number(object.metadata.resourceVersion) < entry.rev) continue;
        if (events.some((e) => e.key === entry.key && e.rev >= Number(object!.metadata.resourceVersion))) continue;
      }
      events.push({ type: entry.type, key: entry.key, rev: Math.max(entry.rev, Number(object.metadata.resourceVersion) || 0), object });
    }
    return events;
  }

  batch<T>(fn: () => T): T {
    this.beginBatch();
    try {
      return fn();
    } finally {
      this.endBatch();
    }
  }

  /** Opens a batch (the async adapter's `batch` holds it across awaits); nested calls join. */
  beginBatch(): void {
    if (this.lockDepth > 0) {
      this.lockDepth++;
      return;
    }
    if (!this.held) this.take();
    this.lockDepth = 1;
  }

  endBatch(): void {
    if (this.lockDepth > 1) {
      this.lockDepth--;
      return;
    }
    this.lockDepth = 0;
    if (!this.grouping || Date.now() - this.heldSince >= GROUP_MAX_MS || this.rev - this.heldStartRev >= GROUP_MAX_WRITES) this.releaseHeld();
  }

  /**
   * Runs `fn`, whose writes (each its own batch, as the API server makes them) share the lock
   * in small groups -- at most GROUP_MAX_WRITES writes or GROUP_MAX_MS -- instead of one batch
   * holding it for all of `fn`: a long reconcile stays cheap without locking users out.
   */
  group<T>(fn: () => T): T {
    const started = this.beginGroup();
    try {
      return fn();
    } finally {
      this.endGroup(started);
    }
  }

  /** Starts a group unless one (or a batch) is open; returns whether it did, for endGroup. */
  beginGroup(): boolean {
    if (this.lockDepth > 0 || this.grouping) return false;
    this.grouping = true;
    return true;
  }

  endGroup(started: boolean): void {
    if (!started) return;
    this.grouping = false;
    if (this.held && this.lockDepth === 0) this.releaseHeld();
  }

  private take(): void {
    const brokeStale = this.lock.acquire();
    this.held = true;
    this.heldSince = Date.now();
    try {
      this.heldStartRev = this.recover(brokeStale);
    } catch (e) {
      this.held = false;
      this.journal.closeWriter();
      this.lock.release();
      throw e;
    }
  }

  private releaseHeld(): void {
    try {
      if (this.rev !== this.heldStartRev) {
        if (this.fsync) this.journal.sync();
        this.writeRevFile(this.rev);
      }
      this.journal.maybeTrim(this.rev, (file, data) => this.atomicWrite(file, data));
    } finally {
      this.journal.closeWriter();
      this.held = false;
      this.lock.release();
    }
  }

  readMeta<T>(name: string): T | undefined {
    assertSafeKey(name);
    const file = path.join(this.metaDir, name + '.json');
    let text: string | undefined;
    try {
      text = readSmallFile(file, OBJECT_MAX_BYTES);
    } catch (e) {
      warnOnce(file, e instanceof Error ? e.message : String(e));
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      warnOnce(file, `ignoring the damaged file ${file} (not JSON)`);
      return undefined;
    }
  }

  writeMeta(name: string, value: unknown): void {
    assertSafeKey(name);
    this.atomicWrite(path.join(this.metaDir, name + '.json'), JSON.stringify(value, null, 2) + '\n');
  }

  deleteMeta(name: string): void {
    assertSafeKey(name);
    try {
      fs.unlinkSync(path.join(this.metaDir, name + '.json'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw storeIoError(e, path.join(this.metaDir, name + '.json'));
    }
  }

  close(): void {
    this.journal.closeWriter();
  }

  /** Removes temporary files left by writers that died, everywhere in the state directory. */
  sweepTemporaryFiles(): string[] {
    const removed: string[] = [];
    const walk = (dir: string) => {
      removed.push(...this.sweepDeadTemporaries(dir));
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
    };
    walk(this.registryDir);
    removed.push(...this.sweepDeadTemporaries(this.metaDir), ...this.sweepDeadTemporaries(this.root));
    return removed;
  }

  // --- internals ---

  /**
   * Runs `read` (which reads object files) so that its answer plus the returned journal tail
   * is the state at revision `rev`: `rev` is read first, then the files, then the journal
   * entries after it (a writer appends before it renames, so anything the files showed is in
   * the journal read after them). `tail` maps keys to their newest pending entry.
   */
  private readConsistent<T>(read: () => T): { value: T; tail?: Map<string, JournalLine>; rev: number } {
    const settled = this.settled;
    if (settled) {
      const value = read();
      const st = this.journal.stat();
      if (st && st.ino === settled.ino && st.size === settled.size) return { value, rev: settled.rev };
    }
    const committed = this.readRevFile();
    const value = read();
    const { tail, lastRev, ino, size } = this.journal.pendingAfter(committed);
    const rev = Math.max(committed, lastRev);
    if (tail.size === 0) {
      this.settled = ino === undefined ? undefined : { ino, size, rev };
      return { value, rev };
    }
    this.settled = undefined;
    return { value, tail, rev };
  }

  /**
   * After taking the lock: cuts a line torn by a writer that died mid-append, replays
   * committed entries whose files a dead writer did not put in place, and sweeps its
   * temporary files. Returns the revision the batch starts from.
   */
  private recover(brokeStale: boolean): number {
    this.journal.openWriter();
    if (brokeStale) this.sweepTemporaryFiles();
    const committed = this.readRevFile();
    const { entries, lastRev } = this.journal.entriesForReplay(committed);
    this.rev = Math.max(committed, lastRev);
    if (entries.length) {
      for (const e of entries) {
        const file = path.join(this.registryDir, e.key);
        if (e.type === 'DELETED') fs.rmSync(file, { force: true });
        else if (e.object) {
          this.ensureDir(path.dirname(file));
          this.atomicWrite(file, JSON.stringify(e.object, null, 2) + '\n');
        }
        this.cache.delete(file);
      }
    }
    if (this.rev !== committed) this.writeRevFile(this.rev);
    return this.rev;
  }

  private write(key: string, file: string, obj: KObject, type: EventType): KObject {
    const rev = this.rev + 1;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
    this.ensureDir(path.dirname(file));
    const data = JSON.stringify(stored, null, 2) + '\n';
    const tmp = this.writeTemp(file, data);
    let undo: () => void;
    try {
      undo = this.journal.append(journalLineText({ rev, type, key, object: stored }));
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    this.rev = rev;
    try {
      storeFaultPoint('after-journal', key);
      fs.renameSync(tmp, file);
    } catch (e) {
      this.rev = rev - 1;
      undo();
      fs.rmSync(tmp, { force: true });
      throw storeIoError(e, file);
    }
    return stored;
  }

  /** Writes `data` to a new private temporary file next to `file`; removes it on failure. */
  private writeTemp(file: string, data: string): string {
    // Short names (not derived from the object's name), so 253-character names still fit.
    const tmp = path.join(path.dirname(file), `${TMP_PREFIX}${process.pid}-${++tmpCounter}`);
    let fd: number;
    try {
      fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, FILE_MODE);
    } catch (e) {
      throw storeIoError(e, file);
    }
    try {
      const buf = Buffer.from(data);
      let off = 0;
      while (off < buf.length) {
        const n = fs.writeSync(fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        off += n;
      }
      if (this.fsync) fs.fdatasyncSync(fd);
      fs.closeSync(fd);
    } catch (e) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      fs.rmSync(tmp, { force: true });
      throw storeIoError(e, file);
    }
    return tmp;
  }

  private atomicWrite(file: string, data: string): void {
    const tmp = this.writeTemp(file, data);
    try {
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw storeIoError(e, file);
    }
  }

  /** A stored object newer than the revision counter means the counter is damaged: refuse. */
  private checkNotAhead(file: string, current: KObject): void {
    const rv = Number(current.metadata.resourceVersion);
    if (rv > this.rev) {
      throw new StoreError(`the revision counter (${this.rev}) is behind the object file ${file} (resourceVersion ${rv}); run "kubesim cluster fsck --repair"`);
    }
  }

  private readObject(key: string, file: string): KObject | undefined {
    if (!this.verifyParents(path.dirname(file))) return undefined;
    // A long-lived store (the daemon, reconcile in-process) re-reads the same files over
    // and over: a file whose inode, size and ns timestamps are unchanged is not read and
    // parsed again (every write renames a new file into place, so any write changes them).
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(file, { bigint: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.cache.delete(file);
        return undefined;
      }
      throw storeIoError(e, file);
    }
    if (st.isDirectory()) return undefined;
    if (!st.isFile()) throw new DamagedObjectError(key, file, st.isSymbolicLink() ? 'a symlink, never followed' : 'not a regular file');
    const hit = this.cache.get(file);
    if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeNs === st.mtimeNs && hit.ctimeNs === st.ctimeNs) return cloneJson(hit.obj);
    if (st.size > BigInt(OBJECT_MAX_BYTES)) throw new DamagedObjectError(key, file, `${st.size} bytes`);
    let text: string | undefined;
    try {
      text = readSmallFile(file, OBJECT_MAX_BYTES);
    } catch (e) {
      throw new DamagedObjectError(key, file, e instanceof Error ? e.message : String(e));
    }
    if (text === undefined) return undefined;
    const obj = parseObject(key, file, text);
    // Only what was read whole is remembered: the size must match what lstat saw.
    if (Buffer.byteLength(text) === Number(st.size)) {
      if (this.cache.size >= CACHE_MAX_OBJECTS) this.cache.clear(); // a bound, whatever others delete
      this.cache.set(file, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, obj });
      return cloneJson(obj);
    }
    this.cache.delete(file);
    return obj;
  }

  /** Collects the objects under a registry prefix into `out` (key -> object), in key order. */
  private collect(prefix: string, out: Map<string, KObject>): void {
    const dir = path.join(this.registryDir, prefix);
    if (!this.verifyParents(dir)) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      return;
    }
    if (!st.isDirectory()) {
      warnOnce(dir, `skipping ${dir}: a file where a folder belongs`);
      return;
    }
    this.collectDir(dir, prefix, out);
  }

  private collectDir(dir: string, prefix: string, out: Map<string, KObject>): void {
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
      if (entry.name.startsWith(TMP_PREFIX)) continue;
      const full = path.join(dir, entry.name);
      const key = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) this.collectDir(full, key, out);
      else if (entry.isFile()) {
        try {
          const obj = this.readObject(key, full);
          if (obj) out.set(key, obj);
        } catch (e) {
          if (!(e instanceof DamagedObjectError)) throw e;
          warnOnce(full, `skipping the damaged object file ${full} (${e.reason}); delete the object or run "kubesim cluster fsck --repair"`);
        }
      } else warnOnce(full, `skipping ${full}: ${entry.isSymbolicLink() ? 'a symlink, never followed' : 'not a regular file'}`);
    }
  }

  /** Whether every folder from the registry down to `dir` exists as a real folder (no symlink). */
  private verifyParents(dir: string): boolean {
    if (this.verifiedDirs.has(dir)) return true;
    const rel = path.relative(this.registryDir, dir);
    let cur = this.registryDir;
    for (const part of rel ? rel.split(path.sep) : []) {
      cur = path.join(cur, part);
      if (this.verifiedDirs.has(cur)) continue;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(cur);
      } catch {
        return false;
      }
      if (st.isSymbolicLink()) {
        warnOnce(cur, `skipping ${cur}: a symlink, never followed`);
        return false;
      }
      if (!st.isDirectory()) {
        warnOnce(cur, `skipping ${cur}: a file where a folder belongs; run "kubesim cluster fsck --repair"`);
        return false;
      }
      this.verifiedDirs.add(cur);
    }
    return true;
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
        throw new StoreError(`refusing to use ${cur}: ${st.isSymbolicLink() ? 'a symlink planted in the state directory' : 'a file where a folder belongs'}; run "kubesim cluster fsck"`);
      }
    }
    this.verifiedDirs.add(dir);
  }

  /** The `rev` file: absent is 0; anything but a safe integer is damage, refused. */
  readRevFile(): number {
    const text = readSmallFile(this.revPath, 64);
    if (text === undefined) return 0;
    const n = /^\d{1,16}\n?$/.test(text) ? Number(text.trim()) : NaN;
    if (!Number.isSafeInteger(n)) {
      throw new StoreError(`the revision counter ${this.revPath} is damaged (it holds ${JSON.stringify(text.slice(0, 40))}); run "kubesim cluster fsck --repair"`);
    }
    return n;
  }

  writeRevFile(rev: number): void {
    this.atomicWrite(this.revPath, String(rev) + '\n');
  }
}

/** Parses an object file's text; throws DamagedObjectError when it is not the object `key` names. */
export function parseObject(key: string, file: string, text: string): KObject {
  let obj: KObject;
  try {
    obj = JSON.parse(text) as KObject;
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
  return obj;
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
