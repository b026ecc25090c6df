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
import { parseObject, ensurePrivateDir, storeIoError, bootId, syncFileSystem, fsyncPath, PendingWrites, entryIndex, type CachedFile, type DirEntry } from './file-store-support';

export { parseObject, ensurePrivateDir, storeIoError };

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const LOCK_TIMEOUT_MS = 30_000;
const CACHE_MAX_OBJECTS = 250_000;
/** A group (see group()) gives the lock up after this many writes or milliseconds. */
const GROUP_MAX_WRITES = 100;
const GROUP_MAX_MS = 50;
/** ...unless nobody waits for it: then it keeps it for at most this long or this many deferred writes. */
const HOLD_MAX_MS = 3_000;
const HOLD_MAX_WRITES = 50_000;
const WAITER_CHECK_MS = 10;
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
  /** The power-loss marker (see markUnsynced). */
  readonly unsyncedPath: string;
  private readonly metaDir: string;
  private readonly lock: FileLock;
  private readonly journal: Journal;
  private lockDepth = 0;
  /** Whether this store holds the lock (inside a batch, or between the batches of a group). */
  private held = false;
  private heldSince = 0;
  private heldStartRev = 0;
  private grouping = false;
  private lastWaiterCheck = 0;
  private rev = 0;
  private readonly verifiedDirs = new Set<string>();
  private readonly fsync: boolean;
  /** The journal (inode, size) at which every entry was known to be in the files, and that revision. */
  private settled: { ino: number; size: number; rev: number } | undefined;
  /**
   * Writes made inside a group (a reconcile pass) whose object files are not written yet:
   * committed in the journal, put in place once per key when the lock is given up.
   */
  private readonly pending = new PendingWrites();
  /** Meta documents written inside a group: their JSON text, written when the lock is given up. */
  private readonly pendingMeta = new Map<string, string>();
  /** Parsed object files, valid while the file's inode, size and times are unchanged. */
  private readonly cache = new Map<string, CachedFile>();
  /**
   * Registry folders' sorted entries, and the hold generation that checked them. While this
   * store holds the lock nobody else changes the registry, and when it takes the lock back
   * with the journal just as it left it, nobody did in between: then what it checked (files
   * and folders) is still true and is not looked at again -- an informer's cache, not a
   * file round trip per read. Any other writer's entry in the journal starts a new generation.
   */
  private readonly dirs = new Map<string, { gen: number; entries: DirEntry[] }>();
  private holdGen = 1;
  /** Registry folders found missing, and in which hold generation. */
  private readonly missingDirs = new Map<string, number>();
  /** The journal as this store left it at its last release. */
  private leftJournal: { ino: number; size: number } | undefined;

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
    this.unsyncedPath = path.join(root, 'unsynced');
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
    if (this.held) {
      // The holder's files are all in place but for its own deferred writes.
      const p = this.pending.get(key);
      if (p) return p.type === 'DELETED' ? undefined : cloneJson(p.object);
      return this.readObject(key, file);
    }
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
      let sort = false;
      for (const [key, p] of this.pending.under(prefix)) {
        if (p.type === 'DELETED') found.delete(key);
        else {
          if (!found.has(key)) sort = true;
          found.set(key, cloneJson(p.object));
        }
      }
      const items = sort ? [...found.keys()].sort().map((k) => found.get(k)!) : [...found.values()];
      return { rev: this.rev, items: filter ? items.filter(filter) : items };
    }
    const { value: found, tail, rev } = this.readConsistent(() => {
      const m = new Map<string, KObject>();
      this.collect(prefix, m);
      return m;
    });
    let keys: string[] | undefined;
    if (tail) {
      let changed = false;
      for (const [key, e] of tail) {
        if (!key.startsWith(prefix + '/')) continue;
        if (e.type === 'DELETED') found.delete(key);
        else found.set(key, cloneJson(e.object!));
        changed = true;
      }
      if (changed) keys = [...found.keys()].sort();
    }
    const items = keys ? keys.map((k) => found.get(k)!) : [...found.values()];
    return { rev, items: filter ? items.filter(filter) : items };
  }

  create(key: string, obj: KObject): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      const p = this.pending.get(key);
      let exists: boolean;
      if (p) exists = p.type !== 'DELETED';
      else if (this.knownPresent(file) === false) exists = false;
      else {
        try {
          fs.lstatSync(file);
          exists = true;
        } catch {
          exists = false;
        }
      }
      if (exists) throw new KeyExistsError(key);
      return this.write(key, file, obj, 'ADDED');
    });
  }

  update(key: string, obj: KObject, expectRev?: number): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = path.join(this.registryDir, key);
      const current = this.currentObject(key, file);
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
        current = this.currentObject(key, file);
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
      if (this.grouping) {
        this.pending.set(key, { file, type: 'DELETED', object: cloneJson(last) });
        return last;
      }
      this.pending.delete(key);
      try {
        storeFaultPoint('after-journal', key);
        fs.rmSync(file, { force: true });
      } catch (e) {
        this.rev = rev - 1;
        undo();
        throw storeIoError(e, file);
      }
      this.noteWritten(file, null);
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
    if (!this.grouping) {
      this.releaseHeld();
      return;
    }
    const now = Date.now();
    if (now - this.heldSince < GROUP_MAX_MS && this.rev - this.heldStartRev < GROUP_MAX_WRITES) return;
    // Past a group's share: give the lock up if someone waits for it, or once the deferred
    // writes are many or old; otherwise keep it, so that a long pass writes each object file
    // once (group commit) instead of once per small group.
    if (this.pending.size >= HOLD_MAX_WRITES || now - this.heldSince >= HOLD_MAX_MS) this.releaseHeld();
    else if (now - this.lastWaiterCheck >= WAITER_CHECK_MS) {
      this.lastWaiterCheck = now;
      if (this.lock.othersWaiting()) this.releaseHeld();
    }
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
      const st = this.journal.stat();
      const left = this.leftJournal;
      if (brokeStale || !st || !left || st.ino !== left.ino || st.size !== left.size) this.holdGen++;
    } catch (e) {
      this.held = false;
      this.journal.closeWriter();
      this.lock.release();
      throw e;
    }
  }

  private releaseHeld(): void {
    try {
      this.writePendingMeta();
      let inFiles = true;
      if (this.rev !== this.heldStartRev) {
        if (this.fsync) this.journal.sync(); // the commit point of the deferred writes too
        inFiles = this.materialise();
        if (inFiles) this.writeRevFile(this.rev);
      }
      // Only when every entry is in the files (a failed materialise leaves them to the journal).
      if (inFiles) {
        this.journal.maybeTrim(this.rev, (file, data) => {
          this.syncUnsynced();
          this.atomicWrite(file, data);
        });
      }
      this.leftJournal = this.journal.stat();
    } finally {
      this.pending.clear();
      this.journal.closeWriter();
      this.held = false;
      this.lock.release();
    }
  }

  readMeta<T>(name: string): T | undefined {
    assertSafeKey(name);
    const file = path.join(this.metaDir, name + '.json');
    let text: string | undefined = this.pendingMeta.get(name);
    if (text !== undefined) return JSON.parse(text) as T;
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
    const text = JSON.stringify(value, null, 2) + '\n';
    if (this.grouping && this.held) {
      // Inside a group (the kubelet's runtime records, IP allocations): once per document
      // when the lock is given up, like the deferred object files.
      this.pendingMeta.set(name, text);
      return;
    }
    this.pendingMeta.delete(name);
    this.atomicWrite(path.join(this.metaDir, name + '.json'), text);
  }

  deleteMeta(name: string): void {
    assertSafeKey(name);
    this.pendingMeta.delete(name); // a write deferred by a group must not bring it back
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
    let committed = this.readRevFile();
    const mark = this.fsync ? this.readUnsynced() : undefined;
    const rebooted = mark !== undefined && mark.boot !== bootId();
    // After a reboot, files written without their own fsync since the marker may be lost:
    // rewrite them all from the journal (and make them durable before dropping the marker).
    if (rebooted) committed = Math.min(committed, mark.rev);
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
    if (entries.length) this.holdGen++; // files changed under what this store remembered
    if (rebooted) {
      if (!syncFileSystem(this.root)) for (const e of entries) if (e.type !== 'DELETED') fsyncPath(path.join(this.registryDir, e.key));
      this.writeRevFile(this.rev);
      fs.rmSync(this.unsyncedPath, { force: true });
    } else if (this.rev !== committed) this.writeRevFile(this.rev);
    return this.rev;
  }

  /** Before the journal drops old entries: the files they were replayed from must be durable. */
  private syncUnsynced(): void {
    if (!this.fsync || !this.readUnsynced()) return;
    if (!syncFileSystem(this.root)) {
      // No syncfs: fsync every object file (rare: the journal is trimmed every 16 MB).
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(dir, e.name));
          else if (e.isFile()) fsyncPath(path.join(dir, e.name));
        }
      };
      walk(this.registryDir);
    }
    fs.rmSync(this.unsyncedPath, { force: true });
  }

  private write(key: string, file: string, obj: KObject, type: EventType): KObject {
    const rev = this.rev + 1;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
    this.ensureDir(path.dirname(file));
    if (this.grouping) {
      // Inside a group the journal line is the whole write (it carries the object): the file
      // follows once per key when the lock is given up (materialise), so a pod written five
      // times in a reconcile pass costs one file, and no write waits for its own fsync.
      this.journal.append(journalLineText({ rev, type, key, object: stored }));
      this.rev = rev;
      // A copy: the caller may change what it gets back.
      this.pending.set(key, { file, type, object: cloneJson(stored) });
      return stored;
    }
    this.pending.delete(key);
    const data = JSON.stringify(stored, null, 2) + '\n';
    const tmp = this.writeTemp(file, data, this.fsync);
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
    this.noteWritten(file, cloneJson(stored));
    return stored;
  }

  /**
   * Writes the meta documents deferred by a group. Not fsync'd one by one: they are the
   * simulation's own records (container phases, IP allocations), and after a power loss a
   * lost one reads as a pod whose containers start again, as after a node's reboot.
   */
  private writePendingMeta(): void {
    if (this.pendingMeta.size === 0) return;
    try {
      for (const [name, text] of this.pendingMeta) this.atomicWrite(path.join(this.metaDir, name + '.json'), text, false);
    } catch (e) {
      warnOnce(this.root + '#meta', `could not write the simulation records in ${this.metaDir} (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      this.pendingMeta.clear();
    }
  }

  /** After this holder put a file in place (or removed it): what it now holds, trusted for this generation. */
  private noteWritten(file: string, obj: KObject | null): void {
    this.cache.set(file, { ino: -1n, size: -1n, mtimeNs: -1n, ctimeNs: -1n, obj, gen: this.holdGen });
    this.noteEntry(file, 'file', obj !== null);
  }

  /** Keeps a remembered folder listing in step with an entry this holder added or removed. */
  private noteEntry(p: string, kind: DirEntry['kind'], present: boolean): void {
    const dir = this.dirs.get(path.dirname(p));
    if (!dir || dir.gen !== this.holdGen) return;
    const name = path.basename(p);
    const es = dir.entries;
    const i = entryIndex(es, name);
    const found = i < es.length && es[i].name === name;
    if (present && !found) es.splice(i, 0, { name, kind });
    else if (!present && found) es.splice(i, 1);
  }

  /**
   * While holding the lock: whether `file` exists, from the folder's listing remembered for
   * this generation (read once, then kept in step), so that looking up names that do not
   * exist (a new event's) costs no lstat each. Undefined when not holding.
   */
  private knownPresent(file: string): boolean | undefined {
    if (!this.held) return undefined;
    const dirPath = path.dirname(file);
    if (this.missingDirs.get(dirPath) === this.holdGen) return false;
    const dir = this.dirs.get(dirPath);
    if (!dir || dir.gen !== this.holdGen) return undefined;
    const name = path.basename(file);
    const i = entryIndex(dir.entries, name);
    return i < dir.entries.length && dir.entries[i].name === name;
  }

  /** The object as this holder sees it: its deferred write, else the file. */
  private currentObject(key: string, file: string): KObject | undefined {
    const p = this.pending.get(key);
    if (p) return p.type === 'DELETED' ? undefined : cloneJson(p.object);
    return this.readObject(key, file);
  }

  /**
   * Puts the deferred writes' files in place (the newest state of each key), before `rev`
   * says they are. They are not fsync'd one by one: the journal, fsync'd first, holds them,
   * and the power-loss marker (see markUnsynced) makes the next lock holder after a reboot
   * rewrite every file written since. Without a boot id to tell a reboot, each is fsync'd.
   * Returns false when a file could not be written: the journal still holds every entry,
   * `rev` stays behind them, readers lay them over the files and the next holder replays.
   */
  private materialise(): boolean {
    if (this.pending.size === 0) return true;
    const perFileSync = this.fsync && !this.markUnsynced();
    try {
      for (const [key, p] of this.pending) {
        storeFaultPoint('materialise', key);
        if (p.type === 'DELETED') fs.rmSync(p.file, { force: true });
        else this.atomicWrite(p.file, JSON.stringify(p.object, null, 2) + '\n', perFileSync);
        this.noteWritten(p.file, p.type === 'DELETED' ? null : p.object);
      }
    } catch (e) {
      this.holdGen++; // what it remembered of the files it could not write is wrong
      warnOnce(this.root + '#materialise', `object files lag the journal in ${this.root} (${e instanceof Error ? e.message : String(e)}); reads are unaffected, the next writer retries`);
      this.pending.clear();
      return false;
    }
    this.pending.clear();
    return true;
  }

  /**
   * Files written without their own fsync are safe against a power loss only if someone
   * rewrites them after the reboot: `unsynced` holds this boot's id and a revision before
   * any such file, written (and fsync'd) once per boot. A lock holder that finds another
   * boot's id there replays the journal from that revision (recover). False when there is
   * no boot id to go by (not Linux): then every file is fsync'd.
   */
  private markUnsynced(): boolean {
    const boot = bootId();
    if (!boot) return false;
    const mark = this.readUnsynced();
    if (mark && mark.boot === boot) return true;
    this.atomicWrite(this.unsyncedPath, `${boot} ${this.heldStartRev}\n`);
    return true;
  }

  private readUnsynced(): { boot: string; rev: number } | undefined {
    let text: string | undefined;
    try {
      text = readSmallFile(this.unsyncedPath, 128);
    } catch {
      text = 'damaged';
    }
    if (text === undefined) return undefined;
    const m = /^([0-9a-f-]{1,64}) (\d{1,16})\n?$/.exec(text);
    // A damaged marker is read as "replay everything the journal holds".
    return m ? { boot: m[1], rev: Number(m[2]) } : { boot: '', rev: 0 };
  }

  /** Writes `data` to a new private temporary file next to `file`; removes it on failure. */
  private writeTemp(file: string, data: string, sync = this.fsync): string {
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
      if (sync) fs.fdatasyncSync(fd);
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

  private atomicWrite(file: string, data: string, sync = this.fsync): void {
    const tmp = this.writeTemp(file, data, sync);
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
    if (this.held) {
      const hit = this.cache.get(file);
      if (hit && hit.gen === this.holdGen) return hit.obj ? cloneJson(hit.obj) : undefined;
      let known = this.knownPresent(file);
      if (known === undefined && this.verifyParents(path.dirname(file))) {
        this.readDir(path.dirname(file)); // once per generation: later misses cost no lstat
        known = this.knownPresent(file);
      }
      if (known === false) return undefined;
    }
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
        if (this.held) this.cache.set(file, { ino: -1n, size: -1n, mtimeNs: -1n, ctimeNs: -1n, obj: null, gen: this.holdGen });
        else this.cache.delete(file);
        return undefined;
      }
      throw storeIoError(e, file);
    }
    if (st.isDirectory()) return undefined;
    if (!st.isFile()) throw new DamagedObjectError(key, file, st.isSymbolicLink() ? 'a symlink, never followed' : 'not a regular file');
    const hit = this.cache.get(file);
    if (hit && hit.obj && hit.ino === st.ino && hit.size === st.size && hit.mtimeNs === st.mtimeNs && hit.ctimeNs === st.ctimeNs) {
      if (this.held) hit.gen = this.holdGen;
      return cloneJson(hit.obj);
    }
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
      this.cache.set(file, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, obj, gen: this.held ? this.holdGen : 0 });
      return cloneJson(obj);
    }
    this.cache.delete(file);
    return obj;
  }

  /** Collects the objects under a registry prefix into `out` (key -> object), in key order. */
  private collect(prefix: string, out: Map<string, KObject>): void {
    const dir = path.join(this.registryDir, prefix);
    if (this.held && this.missingDirs.get(dir) === this.holdGen) return;
    if (!this.verifyParents(dir)) {
      if (this.held) this.missingDirs.set(dir, this.holdGen);
      return;
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      if (this.held) this.missingDirs.set(dir, this.holdGen);
      return;
    }
    if (!st.isDirectory()) {
      warnOnce(dir, `skipping ${dir}: a file where a folder belongs`);
      return;
    }
    this.collectDir(dir, prefix, out);
  }

  private collectDir(dir: string, prefix: string, out: Map<string, KObject>): void {
    for (const entry of this.readDir(dir)) {
      if (entry.name.startsWith(TMP_PREFIX)) continue;
      const full = path.join(dir, entry.name);
      const key = `${prefix}/${entry.name}`;
      if (entry.kind === 'dir') this.collectDir(full, key, out);
      else if (entry.kind === 'file') {
        try {
          const obj = this.readObject(key, full);
          if (obj) out.set(key, obj);
        } catch (e) {
          if (!(e instanceof DamagedObjectError)) throw e;
          warnOnce(full, `skipping the damaged object file ${full} (${e.reason}); delete the object or run "kubesim cluster fsck --repair"`);
        }
      } else warnOnce(full, `skipping ${full}: ${entry.kind === 'symlink' ? 'a symlink, never followed' : 'not a regular file'}`);
    }
  }

  /** A folder's entries in name order (remembered for this hold generation while holding the lock). */
  private readDir(dir: string): DirEntry[] {
    if (this.held) {
      const hit = this.dirs.get(dir);
      if (hit && hit.gen === this.holdGen) return hit.entries;
    }
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw storeIoError(e, dir);
    }
    const entries: DirEntry[] = dirents
      .filter((d) => !d.name.startsWith(TMP_PREFIX))
      .map((d) => ({ name: d.name, kind: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other' }));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (this.held) this.dirs.set(dir, { gen: this.holdGen, entries });
    return entries;
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
        this.missingDirs.delete(cur);
        this.noteEntry(cur, 'dir', true);
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
