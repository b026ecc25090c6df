// The file backend: one JSON file per object under `registry/`, laid out like etcd's keys
// (`registry/pods/default/web`), readable with cat and jq (complete up to `rev`; newer
// writes may still be in the journal's tail, below).
//
// The journal is the commit point:
// - writers take an exclusive lock file (see file-lock.ts), so revisions are handed out one
//   at a time across processes;
// - a write first puts the object in a private temporary file, then appends one line to
//   `journal.log` carrying the revision AND the object (the commit), then renames the
//   temporary file into place; a failure before the rename undoes the journal line, so a
//   failed write leaves nothing behind;
// - `rev` records up to which revision every object file is in place. Readers read `rev`,
//   then the files, then the journal entries after `rev` (the tail) and lay those over what
//   the files said, so a reader never sees less than what is committed, even while a writer
//   is between the append and the rename (or was killed there);
// - inside a group (a reconcile pass, an apply) a write is its journal line only, and the
//   tail stays the store's newest state: the object files are brought up to it (compaction:
//   each key's file once) from when the group ends, the tail is small or the journal past
//   its limit, a bounded slice per release (file-store-compaction.ts), or all at once on
//   request (compact(), fsck --repair). A burst of thousands of
//   writes costs appends, one fsync per lock hold and one file per key, not a file per key
//   per lock hold (docs/decisions.md);
// - watchers read only the journal (changesSince never opens an object file), so every
//   event comes in revision order, once, with the object as of its revision;
// - readers take no lock. Nothing in the state directory is followed through a symlink
//   (O_NOFOLLOW, lstat, exclusive creation of temporary files).
//
// The object files themselves (reading, caching, listing folders) are in file-store-files.ts,
// bringing them up to the journal (deferred writes, the tail read at a take, replay, dead
// writers' temporary files) in file-store-materialise.ts, changesSince's answers in
// file-store-own-lines.ts, the meta documents in file-store-meta.ts, the lock in file-lock.ts (how long it is held: batches, groups,
// hand-over to a waiting process, in file-store-hold.ts), the journal in journal.ts
// (its trim, in short lock holds, in file-store-trim.ts; the files' compaction, a slice per release, in file-store-compaction.ts),
// the `rev` file, the objects' high-water mark and the power-loss marker in file-store-marks.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KObject } from '../api/types';
import { cloneJson, deepFreeze, frozenCopy, noteKeptCopy } from './clone';
import { LockHold, type HoldOwner } from './file-store-hold';
import { Journal, type JournalLine, journalLineText } from './journal';
import { ownWrite, type OwnWrite } from './journal-lines';
import {
  assertSafeKey,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StoreError,
  type ListReadOptions,
  type ListResult,
  type MetaWriteOptions,
  type SyncStore,
  type WatchEvent,
  type EventType,
  type StoreUpdate,
} from './store';
import { storeFaultPoint } from './fault-points';
import { DamagedObjectError } from './damaged';
import { parseObject, ensurePrivateDir, requireStoreDir, storeIoError, bootId, fsyncPathAsync, PendingWrites, statStamp } from './file-store-support';
import { RegistryFiles, TMP_PREFIX, keptParsed, writeTemp, sweepDeadTemporaries } from './file-store-files';
import { MetaDocs, lockedDoc } from './file-store-meta';
import { readRevFile, RevWriter, HighWaterMark, UnsyncedMarker } from './file-store-marks';
import { SharedLists } from './shared-lists';
import { consistentRead } from './file-store-read';
import { materialisePending, materialiseSlice, replayEntries, sweepStoreTemporaries, loadTail } from './file-store-materialise';
import { JournalTrim } from './file-store-trim';
import { OwnLines, changesFromJournal } from './file-store-own-lines';
import { Compaction, COMPACT_SMALL, type CompactionHolder } from './file-store-compaction';
import { isBeat } from './lease-beats';
import { stringifyJson } from '../util/exact-json';
import { span, spanTracing } from '../util/span-trace';
import type { KeyIndexedMap } from './key-index';

export { parseObject, ensurePrivateDir, storeIoError, TMP_PREFIX };

/** A journal this many times its limit starts the files' compaction too (its trim keeps every line after `rev`). */
const SLICES_PAST = 1.5;
/**
 * The daemon copies a journal aside for its trim only past this many times the limit: the copy
 * and the file system's sync come before its lock turn (0.2-0.8 s at load 15, with pods waiting
 * to be bound, issue #12), so while users write, one of them copies before its own turn.
 */
const DAEMON_TRIM_PAST = 1.25;

export { DamagedObjectError };
export { removeFileStore } from './file-store-hold';

/**
 * A deferred write's object as a read hands it out: shared reads get it frozen in place (it
 * is this store's private copy, never changed after the write: a later write replaces it),
 * so a reconcile listing thousands of pods written in the same group copies none of them.
 */
function handOut(obj: KObject, shared: boolean): KObject {
  return shared ? deepFreeze(obj) : cloneJson(obj);
}

export interface FileStoreOptions {
  /** fsync object files and the journal before acknowledging (default true). */
  fsync?: boolean;
  /**
   * Make the directory and its folders when missing (default true: a new store). False for
   * a store that must exist: the file:// driver unless its URL says `create=1`.
   */
  create?: boolean;
}

export class FileStore implements SyncStore {
  readonly registryDir: string;
  readonly journalPath: string;
  readonly revPath: string;
  /** The objects' high-water mark (see file-store-marks.ts). */
  readonly highWater: HighWaterMark;
  readonly lockPath: string;
  /** The power-loss marker (see file-store-marks.ts). */
  readonly unsyncedPath: string;
  private readonly unsynced: UnsyncedMarker;
  private readonly revWriter: RevWriter;
  /** Inside the daemon's release after its journal's off-loop sync: `rev`'s write is put off (RevWriter). */
  private deferRev = false;
  private readonly hold: LockHold;
  private readonly journal: Journal;
  private readonly trim: JournalTrim;
  private readonly compaction: Compaction;
  /**
   * Set for one read between holds that found the journal as this store left it (nobody
   * wrote since its last release): the object files are then what they were at that release,
   * so a list trusts what this hold generation checked, as under the lock (RegistryFiles):
   * the daemon's lists at rest (the garbage collector's minute over 100,000 pods) cost no
   * lstat per file. A file replaced by hand (no journal line) shows in them once another
   * process writes; `get` still checks its file.
   */
  private readingAsLeft = false;
  private heldStartRev = 0;
  /** The revision up to which this hold's journal lines are synced (syncWritten; the take's start). */
  private syncedRev = 0;
  private rev = 0;
  /** What `rev` says as this holder last read or wrote it: every entry up to it is in the files. */
  private committed = 0;
  /** compact() asked for the tail to go into the files at the next release. */
  private compactNext = false;
  private readonly fsync: boolean;
  /** The journal (inode, size) at which every entry was known to be in the files, and that revision. */
  private settled: { ino: number; size: number; rev: number } | undefined;
  /** Shared lists by prefix, kept up to date from the journal (see shared-lists.ts). */
  private readonly sharedLists: SharedLists;
  /**
   * The journal's tail after `committed` (newest entry per key) whose object files are not
   * written yet: committed in the journal, put in place at compaction. Kept across lock holds
   * while the journal is as this store left it; read again from the journal otherwise.
   */
  private readonly pending = new PendingWrites((key) => this.fileOf(key));
  /** The object files as this store read and wrote them (see file-store-files.ts). */
  private readonly files: RegistryFiles;
  private readonly meta: MetaDocs;
  /** The journal as this store left it at its last release. */
  private leftJournal: { ino: number; size: number } | undefined;
  /**
   * What the deferred writes stood for at that release: the newest entry per key after
   * `committed` up to `rev` (the holder's revision then). A take that finds the journal grown
   * adds only the entries after `rev` (loadTail).
   */
  private leftTail: { rev: number; committed: number } | undefined;
  /** This store's own latest journal lines, for changesSince (file-store-own-lines.ts). */
  private readonly own = new OwnLines();
  /** currentRev()'s last answer without the lock, and the journal's and `rev`'s stat stamps it was read at. */
  private revMemo: { seen: string; rev: number } | undefined;
  /** Past this many times its limit the journal is copied for its trim before a take (DAEMON_TRIM_PAST once beginBatchAsync is used). */
  private trimPast = 1;

  constructor(
    readonly root: string,
    opts: FileStoreOptions = {},
  ) {
    this.fsync = opts.fsync ?? process.env.KUBESIM_FSYNC !== '0';
    this.registryDir = path.join(root, 'registry');
    const metaDir = path.join(root, 'meta');
    storeFaultPoint('open', root); // a test deletes the cluster here, after the CLI's own check
    if (opts.create === false) requireStoreDir(root);
    else for (const d of [root, this.registryDir, metaDir]) ensurePrivateDir(d);
    this.files = new RegistryFiles(this.registryDir, () => this.hold.held || this.readingAsLeft);
    this.meta = new MetaDocs(metaDir, this.fsync);
    this.journalPath = path.join(root, 'journal.log');
    this.revPath = path.join(root, 'rev');
    this.highWater = new HighWaterMark(path.join(root, 'objects-rev'));
    this.revWriter = new RevWriter(this.revPath, this.fsync, this.highWater);
    this.lockPath = path.join(root, 'lock');
    this.unsyncedPath = path.join(root, 'unsynced');
    this.unsynced = new UnsyncedMarker(this.unsyncedPath, this.fsync);
    this.hold = new LockHold(root, this.holdOwner());
    this.journal = new Journal(this.journalPath);
    this.sharedLists = new SharedLists(this.journal);
    this.trim = new JournalTrim(root, this.registryDir, this.revPath, this.journal, this.unsynced);
    this.compaction = new Compaction(root);
    // Temporary files a dead writer left next to the journal and the meta documents (cheap:
    // two small folders); those in the registry go when its stale lock is broken.
    for (const dir of [root, metaDir]) sweepDeadTemporaries(dir);
  }

  currentRev(): number {
    if (this.hold.held) return this.rev;
    // Followers ask every 50 ms (the controller manager, the watch cache): while neither the
    // journal nor `rev` changed (two lstats), the answer is the last one, not a re-read of both.
    const seen = `${statStamp(this.journalPath)} ${statStamp(this.revPath)}`;
    if (this.revMemo?.seen === seen) return this.revMemo.rev;
    const rev = Math.max(this.readRevFile(), this.journal.lastRev());
    this.revMemo = { seen, rev };
    return rev;
  }

  get(key: string, opts?: ListReadOptions): KObject | undefined {
    assertSafeKey(key);
    this.hold.yieldBetweenBatches();
    const file = this.fileOf(key);
    const fromFiles = (): KObject | undefined => (opts?.shared ? this.files.readFrozen(key, file) : this.files.readObject(key, file));
    if (this.hold.held || this.journalAsLeft()) {
      // The files are all in place but for the tail this store holds.
      const p = this.pending.get(key);
      if (p) return p.type === 'DELETED' ? undefined : handOut(this.pending.objectOf(p), opts?.shared === true);
      return fromFiles(); // checked by an lstat: a file replaced by hand shows at once
    }
    const { value, tail } = this.readConsistent(fromFiles);
    const pending = tail?.get(key);
    if (pending) return pending.type === 'DELETED' ? undefined : cloneJson(pending.object!);
    return value;
  }

  list(prefix: string, filter?: (obj: KObject) => boolean, opts?: ListReadOptions): ListResult {
    assertSafeKey(prefix);
    this.hold.yieldBetweenBatches();
    const shared = opts?.shared === true;
    const hit = shared && !this.hold.held ? this.sharedLists.get(prefix) : undefined;
    if (hit) return { rev: hit.rev, items: filter ? hit.items.filter(filter) : hit.items };
    const left = this.hold.held ? undefined : this.leftJournal;
    if (this.hold.held || this.journalAsLeft()) {
      // Between its holds, a shared list of what this store left is remembered as a whole (not Events: keptParsed).
      const whole = shared && left !== undefined && keptParsed(prefix);
      const found = new Map<string, KObject>();
      // Keys with a deferred write: their files are not read (their parsed copies are let go).
      this.asLeft(() => this.files.collect(prefix, found, whole ? undefined : filter, shared, (key) => this.pending.get(key) !== undefined));
      let sort = false;
      for (const [key, p] of this.pending.under(prefix)) {
        // The filter before the copy: a long clock jump defers many writes a list skips.
        const obj = p.type === 'DELETED' ? undefined : this.pending.objectOf(p);
        if (!obj || (!whole && filter && !filter(obj))) found.delete(key);
        else {
          if (!found.has(key)) sort = true;
          found.set(key, handOut(obj, shared));
        }
      }
      const keys = sort ? [...found.keys()].sort() : [...found.keys()];
      const items = sort ? keys.map((k) => found.get(k)!) : [...found.values()];
      if (!whole) return { rev: this.rev, items };
      this.sharedLists.remember(prefix, left, this.rev, keys, items);
      return { rev: this.rev, items: filter ? items.filter(filter) : items };
    }
    // A shared list of the whole prefix is remembered (see sharedLists), so it reads every object.
    const remember = shared && keptParsed(prefix) && this.journal.stat() !== undefined;
    const { value: found, tail, rev } = this.readConsistent(() => {
      const m = new Map<string, KObject>();
      this.files.collect(prefix, m, remember ? undefined : filter, shared);
      return m;
    });
    let keys: string[] | undefined;
    if (tail) {
      let changed = false;
      for (const [key, e] of tail.under(prefix)) {
        if (e.type === 'DELETED') found.delete(key);
        else found.set(key, cloneJson(e.object!));
        changed = true;
      }
      if (changed) keys = [...found.keys()].sort();
    }
    const items = keys ? keys.map((k) => found.get(k)!) : [...found.values()];
    // Read with nothing past `rev` in the journal: the files were exactly revision `rev`.
    if (remember && !tail && this.settled?.rev === rev) this.sharedLists.remember(prefix, this.settled, rev, [...found.keys()], items);
    return { rev, items: filter ? items.filter(filter) : items };
  }

  create(key: string, obj: KObject): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = this.fileOf(key);
      const p = this.pending.typeOf(key);
      let exists: boolean;
      if (p) exists = p !== 'DELETED';
      else if (this.files.knownPresent(file) === false) exists = false;
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

  update(key: string, obj: KObject, expectRev?: number, opts?: ListReadOptions): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const current = this.currentForUpdate(key, expectRev);
      return this.write(key, this.fileOf(key), obj, 'MODIFIED', opts?.shared, this.hold.grouping && isBeat(key, current, obj));
    });
  }

  /** The object an update of `key` replaces (shared: not to be changed), its precondition checked. */
  private currentForUpdate(key: string, expectRev: number | undefined): KObject {
    const file = this.fileOf(key);
    // Only its revision is looked at (no copy): a copy only for a Conflict's error.
    const current = this.peekObject(key, file);
    if (!current) throw new KeyNotFoundError(key);
    this.checkNotAhead(file, current);
    if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
      throw new RevisionConflictError(key, cloneJson(current));
    }
    return current;
  }

  /**
   * Store.updateMany. Inside a group their journal lines go in one append (one syscall for
   * a tick's node Lease renewals), each its own revision, event and precondition (a
   * Conflict is that write's alone); outside one, each is update(). A key twice is refused.
   */
  updateMany(writes: readonly StoreUpdate[], opts?: ListReadOptions): Array<KObject | Error> {
    return this.batch(() => {
      const each = (w: StoreUpdate): KObject | Error => {
        try {
          return this.update(w.key, w.obj, w.expectRev, opts);
        } catch (e) {
          return e as Error;
        }
      };
      if (!this.hold.grouping) return writes.map(each);
      const out: Array<KObject | Error> = [];
      const made: Array<{ at: number; line: OwnWrite; beat: boolean }> = [];
      const keys = new Set<string>();
      for (const w of writes) {
        try {
          assertSafeKey(w.key);
          if (keys.has(w.key)) throw new StoreError(`${w.key} written twice in one updateMany`);
          const current = this.currentForUpdate(w.key, w.expectRev);
          keys.add(w.key);
          made.push({ at: out.length, line: ownWrite('MODIFIED', w.key, w.obj, this.rev + made.length + 1), beat: isBeat(w.key, current, w.obj) });
          out.push(w.obj); // replaced below once appended
        } catch (e) {
          out.push(e as Error);
        }
      }
      if (!made.length) return out;
      // As write() inside a group: the journal lines are the writes, the files follow.
      this.journal.appendLines(
        made.map((m) => m.line.text),
        made.map((m) => m.line.own),
      );
      this.rev += made.length;
      made.forEach((m, i) => (out[m.at] = this.deferOwn(m.line, opts?.shared, m.beat, i)));
      return out;
    });
  }

  /** Deletes an object; a damaged object file is removed too (without expectRev). */
  delete(key: string, expectRev?: number): KObject {
    assertSafeKey(key);
    return this.batch(() => {
      const file = this.fileOf(key);
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
      const own: WatchEvent = { type: 'DELETED', key, rev, object: cloneJson(last) };
      const undo = this.journal.append(journalLineText({ rev, type: 'DELETED', key, object: last }), own);
      this.rev = rev;
      if (this.hold.grouping) {
        this.defer(key, 'DELETED', own.object!, rev);
        this.own.note(own);
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
      this.files.noteWritten(file, null);
      this.own.note(own);
      return last;
    });
  }

  /** `opts.shared`: this store's own lines frozen, not copied (lines read back are fresh objects anyway). */
  changesSince(afterRev: number, opts?: ListReadOptions): WatchEvent[] {
    this.hold.yieldBetweenBatches();
    const mine = this.own.after(afterRev, () => this.hold.held || this.journalAsLeft(), opts?.shared === true);
    return mine ?? changesFromJournal(this.journal, this.files, this.registryDir, afterRev);
  }

  batch<T>(fn: () => T): T {
    return this.hold.batch(fn);
  }

  /** Opens a batch (the async adapter's `batch` holds it across awaits); nested calls join. */
  beginBatch(): void {
    this.hold.beginBatch();
  }

  /** beginBatch whose wait for another process's lock lets the event loop turn (see file-store-hold.ts). */
  beginBatchAsync(): Promise<void> {
    return this.hold.beginBatchAsync();
  }

  releaseInFlight = (quiet?: boolean): Promise<void> | undefined => this.hold.releaseInFlight(quiet);

  /** This holder's journal lines so far made durable, the lock kept (a REST write inside the controllers' group). */
  async syncWritten(): Promise<void> {
    const releasing = this.hold.releaseInFlight();
    if (releasing) return releasing;
    if (!this.fsync || !this.hold.held || this.rev === this.syncedRev) return;
    const upTo = this.rev;
    await fsyncPathAsync(this.journalPath);
    if (upTo > this.syncedRev) this.syncedRev = upTo;
  }

  endBatch(): void {
    this.hold.endBatch();
  }

  /** Runs `fn`, whose writes share the lock until another process waits for it (group commit, see file-store-hold.ts). */
  group<T>(fn: () => T): T {
    return this.hold.group(fn);
  }

  /** Starts a group unless one (or a batch) is open; returns whether it did, for endGroup. */
  beginGroup(): boolean {
    return this.hold.beginGroup();
  }

  endGroup(started: boolean): void {
    this.hold.endGroup(started);
  }

  /** Writes the journal's tail into the object files now (fsck --repair; tools that read the files). */
  compact(): void {
    this.beginBatch();
    this.compactNext = true;
    this.endBatch();
  }

  /** What the lock's taking and giving up do to this store (file-store-hold.ts). */
  private holdOwner(): HoldOwner {
    return {
      beforeTake: (asyncTake) => {
        if (asyncTake) this.trimPast = DAEMON_TRIM_PAST; // the daemon's store (beginBatchAsync): its sync takes too
        this.trim.beforeTake(this.trimPast);
      },
      taken: (brokeStale) => this.taken(brokeStale),
      releaseBegin: () => this.releaseBegin(),
      sync: () => this.journal.sync(),
      syncAsync: () => this.journal.syncAsync(),
      releaseEnd: (groupEnd, handOver, synced, deferRev) => this.releaseEnd(groupEnd, handOver, synced, deferRev),
      revBegun: () => this.revWriter.begun(),
      revSync: () => this.revWriter.sync(),
      revSyncAsync: () => this.revWriter.syncAsync(),
      // Failed, `rev` only lags the files in place (what this store holds of them stays true).
      revEnd: (synced) => this.revWriter.end(synced),
      writesThisHold: () => this.rev - this.heldStartRev,
    };
  }

  /** The lock was just taken: recovery, and the journal's tail unless it is as this store left it. */
  private taken(brokeStale: boolean): void {
    try {
      this.meta.setHeld(true);
      this.heldStartRev = this.syncedRev = this.recover(brokeStale);
      const st = this.journal.stat();
      const left = this.leftJournal;
      const others = brokeStale || !st || !left || st.ino !== left.ino || st.size !== left.size;
      this.own.taken(this.heldStartRev, others);
      if (others) {
        this.files.gen++;
        span('loadTail', () => loadTail(this.pending, this.journal, this.committed, this.rev, brokeStale ? undefined : this.leftTail), () => this.pending.size);
      }
    } catch (e) {
      this.own.forget();
      this.meta.setHeld(false);
      this.journal.closeWriter();
      throw e;
    }
  }

  /** A release's first part (meta documents); whether the journal needs its sync (the commit point), run before releaseEnd (file-store-hold.ts). */
  private releaseBegin(): boolean {
    // Until the end: the tail this store holds is what the journal says.
    this.leftJournal = undefined;
    this.leftTail = undefined;
    try {
      const metaNames = spanTracing ? this.meta.pendingNames().join(' ') : undefined;
      span('rel.meta', () => this.meta.writePending(this.root), () => metaNames);
      return this.rev !== this.syncedRev && this.fsync;
    } catch (e) {
      this.releaseDone();
      throw e;
    }
  }

  /**
   * The rest of a release, once the journal is synced (`synced` false: it failed, nothing more
   * is written). `groupEnd`: the group that wrote the tail is over (a round of its files
   * starts, file-store-compaction.ts). `handOver`: another process waits for the lock (looked
   * up when unknown and there are files to write), so the files get a bounded slice only.
   */
  private releaseEnd(groupEnd: boolean, handOver: boolean | undefined, synced: boolean, deferRev: boolean): void {
    this.deferRev = deferRev;
    try {
      if (!synced) return;
      // The files, a slice per release (file-store-compaction.ts); all of them for compact().
      // A failed write leaves the entries to the journal (and its tail to be read again).
      const start = groupEnd || this.pending.filesDue <= COMPACT_SMALL || this.journal.pastLimit(SLICES_PAST);
      const waited = handOver ?? (this.pending.size > 0 && this.hold.othersWaiting());
      const written = span('rel.compact', () => (this.compactNext ? this.materialise() && this.compaction.done() : this.compaction.step(this.compactionHolder(), start, waited)), () => this.pending.size);
      this.compactNext = false;
      if (written && this.pending.size === 0 && this.committed < this.rev) {
        this.writeRevFile(this.rev);
        this.committed = this.rev;
      }
      // The journal's trim swapped in (file-store-trim.ts); not after a failed write.
      if (written) {
        span('rel.trim', () => this.trim.atRelease());
        this.leftJournal = this.journal.stat();
        this.leftTail = { rev: this.rev, committed: this.committed };
      }
      if (deferRev) this.revWriter.begin(); // `rev`'s own write, put off: synced like the journal (RevWriter)
    } finally {
      this.deferRev = false;
      if (deferRev && !this.revWriter.begun()) this.revWriter.end(false); // nothing put off stays for a later release
      this.releaseDone();
    }
  }

  private releaseDone(): void {
    this.journal.closeWriter();
    this.meta.setHeld(false);
  }

  /** What the compaction needs of this holder at a release. */
  private compactionHolder(): CompactionHolder {
    return {
      rev: () => this.rev,
      committed: () => this.committed,
      pending: this.pending,
      writeSlice: (keys, slice) => materialiseSlice(this.pending, keys, slice, this.files, this.fsync && !this.unsynced.mark(this.committed), this.root),
      othersWaiting: () => this.hold.othersWaiting(),
      advance: (upTo) => {
        // Not past a beat the round left in the journal only (lease-beats.ts).
        const to = Math.min(upTo, this.pending.floor());
        if (this.committed >= to) return;
        this.writeRevFile(to);
        this.committed = to;
        this.pending.dropThrough(to);
      },
    };
  }

  /** Runs a list of the files that journalAsLeft() allowed (see readingAsLeft); under the lock, as it is. */
  private asLeft<T>(read: () => T): T {
    if (this.hold.held) return read();
    this.readingAsLeft = true;
    try {
      return read();
    } finally {
      this.readingAsLeft = false;
    }
  }

  /** Whether the journal is as this store left it at its last release (nobody wrote since). */
  private journalAsLeft(): boolean {
    const left = this.leftJournal;
    if (!left) return false;
    const st = this.journal.stat();
    return st !== undefined && st.ino === left.ino && st.size === left.size;
  }

  readMeta<T>(name: string, shared?: boolean): T | undefined {
    return this.meta.read<T>(name, shared);
  }

  writeMeta(name: string, value: unknown, opts?: MetaWriteOptions): void {
    // Inside a group (the kubelet's runtime records, IP allocations): once per document
    // when the lock is given up, like the deferred object files.
    // `immediate` (the clock) is written now; inside a group without its own fsync, as the
    // deferred documents are (a jump writes it at every step).
    // The kubelet's documents (a runtime record shares its file with others) only under the lock (lockedDoc).
    if (lockedDoc(name)) return this.batch(() => this.meta.write(name, value, this.hold.grouping && !opts?.immediate, this.hold.grouping, opts?.handOver));
    const grouped = this.hold.grouping && this.hold.held;
    this.meta.write(name, value, grouped && !opts?.immediate, grouped, opts?.handOver);
  }

  deleteMeta(name: string): void {
    if (lockedDoc(name)) return this.batch(() => this.meta.delete(name, this.hold.grouping));
    this.meta.delete(name);
  }

  close(): void {
    this.hold.settleNow();
    this.journal.closeWriter();
    this.trim.close();
    // The deferred writes let go (and the journal files their lines are read from, closed):
    // a later use reads the tail from the journal again.
    this.leftJournal = undefined;
    this.leftTail = undefined;
    this.pending.clear();
  }

  /** Removes temporary files left by writers that died, everywhere in the state directory. */
  sweepTemporaryFiles(): string[] {
    return sweepStoreTemporaries(this.registryDir, [this.meta.metaDir, this.root]);
  }

  // --- internals ---

  /** The object file of a key assertSafeKey passed: path.join's answer without its normalising pass (every read and write). */
  private fileOf(key: string): string {
    return path.sep === '/' ? this.registryDir + '/' + key : path.join(this.registryDir, key);
  }

  /**
   * Runs `read` (which reads object files) so that its answer plus the returned journal tail
   * is the state at revision `rev` (consistentRead), remembering when the journal had no tail.
   */
  private readConsistent<T>(read: () => T): { value: T; tail?: KeyIndexedMap<JournalLine>; rev: number } {
    const settled = this.settled;
    if (settled) {
      const value = read();
      const st = this.journal.stat();
      if (st && st.ino === settled.ino && st.size === settled.size) return { value, rev: settled.rev };
    }
    const { value, committed, tail, lastRev, ino, size } = consistentRead(this.revPath, this.journal, read);
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
    const mark = this.fsync ? this.unsynced.read() : undefined;
    const rebooted = mark !== undefined && mark.boot !== bootId();
    // After a reboot, files written without their own fsync since the marker may be lost:
    // rewrite them all from the journal (and make them durable before dropping the marker).
    if (rebooted) committed = Math.min(committed, mark.rev);
    if (!rebooted) {
      // The tail after `rev` is the store's newest state as it is (see loadTail).
      this.committed = committed;
      this.rev = Math.max(committed, this.journal.lastRev());
      this.highWater.check(this.rev);
      return this.rev;
    }
    const { entries, lastRev } = this.journal.entriesForReplay(committed);
    this.rev = Math.max(committed, lastRev);
    this.highWater.check(this.rev);
    replayEntries(entries, this.registryDir, this.files, this.fsync, this.root);
    this.writeRevFile(this.rev);
    this.committed = this.rev;
    this.unsynced.clear();
    return this.rev;
  }

  /** Writes `obj` at the next revision; returns it with that resourceVersion, or (`shared`) the frozen copy this store keeps. */
  private write(key: string, file: string, obj: KObject, type: EventType, shared = false, beat = false): KObject {
    const rev = this.rev + 1;
    this.files.ensureDir(path.dirname(file));
    if (this.hold.grouping) {
      // Inside a group the journal line is the whole write (it carries the object): the file
      // follows once per key when the lock is given up (materialise), so a pod written five
      // times in a reconcile pass costs one file, and no write waits for its own fsync.
      const line = ownWrite(type, key, obj, rev);
      this.journal.append(line.text, line.own);
      this.rev = rev;
      return this.deferOwn(line, shared, beat);
    }
    this.pending.delete(key);
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
    const data = stringifyJson(stored, 2) + '\n';
    const tmp = writeTemp(file, data, this.fsync);
    const copy = frozenCopy(stored);
    const own: WatchEvent = { type, key, rev, object: copy };
    let undo: () => void;
    try {
      undo = this.journal.append(journalLineText({ rev, type, key, object: stored }), own);
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
    this.files.noteWritten(file, copy);
    this.own.note(own);
    if (shared) return copy;
    noteKeptCopy(stored, copy);
    return stored;
  }

  /**
   * Defers the file of the write just appended to the journal. An Event's (not kept parsed:
   * keptParsed) is kept as its line's place in the journal, read back when asked for: a
   * settled daemon's lagging tail held ~500 B an Event (docs/perf-issue-18.md round 74).
   */
  private defer(key: string, type: EventType, object: KObject, rev: number, beat = false, appended?: number): void {
    this.files.forget(this.fileOf(key)); // read from the deferred write until its file is written
    const line = keptParsed(key) ? undefined : { path: this.journalPath, rev, ...this.journal.lastAppended(appended) };
    if (!line || !this.pending.setLine(key, type, rev, line, beat)) this.pending.set(key, { type, object, first: rev, beat });
  }

  /** A grouped write appended (line `appended` of the last append): deferred, noted as this holder's own; what write() returns. */
  private deferOwn({ stored, own }: OwnWrite, shared: boolean | undefined, beat: boolean, appended?: number): KObject {
    this.defer(own.key, own.type, own.object!, own.rev, beat, appended);
    this.own.note(own);
    if (shared) return own.object!;
    noteKeptCopy(stored, own.object!);
    return stored;
  }

  /** The object as this holder sees it: its deferred write, else the file. */
  private currentObject(key: string, file: string): KObject | undefined {
    const p = this.peekObject(key, file);
    return p && cloneJson(p);
  }

  /** currentObject without the copy: the caller must not change it (nor keep it). */
  private peekObject(key: string, file: string): KObject | undefined {
    const p = this.pending.get(key);
    if (p) return p.type === 'DELETED' ? undefined : this.pending.objectOf(p);
    return this.files.readUnshared(key, file);
  }

  /** Puts the deferred writes' files in place (file-store-materialise.ts); false when one could not be written. */
  private materialise(): boolean {
    if (this.pending.size === 0) return true;
    return materialisePending(this.pending, this.files, this.fsync && !this.unsynced.mark(this.committed), this.root);
  }

  /** A stored object newer than the revision counter means the counter is damaged: refuse. */
  private checkNotAhead(file: string, current: KObject): void {
    const rv = Number(current.metadata.resourceVersion);
    if (rv > this.rev) {
      throw new StoreError(`the revision counter (${this.rev}) is behind the object file ${file} (resourceVersion ${rv}); run "kubesim cluster fsck --repair"`);
    }
  }

  /** The `rev` file (see file-store-marks.ts): absent is 0, damage refused. */
  readRevFile(): number {
    return readRevFile(this.revPath);
  }

  writeRevFile(rev: number): void {
    this.revWriter.write(rev, this.deferRev);
    // The journal's parsed tail lets go of what is in the files now (it keeps this holder's
    // lines as written: without this, every key's newest state until the next read of it).
    this.journal.committedTo(rev);
  }
}

