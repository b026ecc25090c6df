// The file store's meta documents (`meta/<name>.json`): the simulation's own records (the
// clock, container phases, IP allocations, ...), outside the registry and the journal.
// Inside a group (a reconcile pass) their writes are deferred to when the lock is given up,
// once per document, like the deferred object files.
//
// The kubelet's per-pod runtime records (`kubelet-pod-<uid>`, one per pod, rewritten at
// every lock release while the pod starts) are kept 256 to a file of records
// (`kubelet-runtime-<hh>.json`, the uid's hash picking the file): a release writes at most
// 256 files for any number of pods instead of a file per changed pod (file creation was
// the largest cost of a 1,000-replica start on a busy disk). A record file is only ever
// rewritten under the store's lock, so no process loses another's record; a record still in
// its own file (an older version's) is read from there until it is written or removed.
// A node's IP allocations (`kubelet-ipam-<node>`) and pulled images (`kubelet-images-<node>`)
// are records of these files too: each was a file of its own, rewritten (a new file renamed
// over it) at every release that changed it, ~100 renames per release at 10,000 pods.
// A file of records is a log of JSON lines: the first holds every record, each later one the
// records a release changed (null: removed), laid over those before it. A release appends
// one line to each file it changes (at 10,000 pods every file changes in every 3-s window,
// and a rename over an existing file makes ext4 start its write-back at once: the largest
// cost of a release); a file is rewritten whole, as one line, once its log has grown to a
// few times that size, or when it ends in a line cut short (a holder killed mid-append).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSmallFile } from './file-lock';
import { assertSafeKey, StoreError } from './store';
import { storeIoError, sameFile, type FileIdentity } from './file-store-support';
import { atomicWrite, warnOnce, OBJECT_MAX_BYTES } from './file-store-files';
import { cloneJson, deepFreeze } from './clone';
import { parseJson, stringifyJson } from '../util/exact-json';
import { JoinedPaths } from './joined-paths';

const CACHE_MAX_DOCS = 20_000;

const RECORD_PREFIX = 'kubelet-pod-';
/** A node's IP allocations and pulled images: records too, hashed by what follows `kubelet-`. */
const NODE_RECORD_PREFIXES = ['kubelet-ipam-', 'kubelet-images-'];
const KUBELET_PREFIX = 'kubelet-';
const RECORDS_PREFIX = 'kubelet-runtime-';
/** A deferred removal of a record (a pod gone): applied to its file at the release. */
const REMOVED = Symbol('removed');

/**
 * The file of records holding `name`'s (FNV-1a of the uid, or of a node document's name after
 * `kubelet-`; 256 files), or undefined for any other document.
 */
export function recordFileOf(name: string): string | undefined {
  let from: number;
  if (name.startsWith(RECORD_PREFIX)) from = RECORD_PREFIX.length;
  else if (NODE_RECORD_PREFIXES.some((p) => name.startsWith(p))) from = KUBELET_PREFIX.length;
  else return undefined;
  let h = 0x811c9dc5;
  for (let i = from; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return `${RECORDS_PREFIX}${((h >>> 0) & 0xff).toString(16).padStart(2, '0')}`;
}

/** One of the 256 files of records (a log of lines). */
function isRecordsFile(name: string): boolean {
  return name.length === RECORDS_PREFIX.length + 2 && name.startsWith(RECORDS_PREFIX) && /[0-9a-f]{2}$/.test(name);
}

/**
 * Documents written only under the store's lock (FileStore.writeMeta takes it for them): the
 * kubelet's (runtime records and their files, a node's IP allocations and images, the image
 * policy) and the powered-off nodes. The kubelet reads them at every sync; while this process
 * holds the lock, one checked or written in the hold is answered without an lstat.
 */
export function lockedDoc(name: string): boolean {
  return name.startsWith('kubelet-') || name === 'node-power';
}

/**
 * Why a document's text may not be written: past OBJECT_MAX_BYTES, which its readers take
 * at most, it would read as damaged from then on (a 100 MB `cp` did: round 97).
 */
function sizeError(name: string, text: string): StoreError | undefined {
  if (text.length * 3 <= OBJECT_MAX_BYTES) return undefined; // a UTF-16 unit is at most 3 bytes
  const bytes = Buffer.byteLength(text);
  if (bytes <= OBJECT_MAX_BYTES) return undefined;
  return new StoreError(`the simulation record ${name} would be ${bytes} bytes, more than the ${OBJECT_MAX_BYTES >> 20} MiB a record may hold; nothing was written`);
}

/** A node's IP allocations (IP → pod uid). */
function isIpamDoc(name: string): boolean {
  return name.startsWith('kubelet-ipam-');
}

/**
 * A shallow copy of a document whose member names are data (a file of records: pods' record
 * names; a node's IP allocations: IPs) as a dictionary-mode object, the same members in the
 * same order. A plain object literal or spread keeps its members in a hidden class, one per
 * set of names: names no other object shares made a chain of hidden classes, descriptor
 * arrays and enum caches for every such document, ~550 B an IP allocation and ~110 B a
 * record kept (12 of the 23 MB the meta cache held in a settled 20,000-pod daemon). An object
 * that had a member deleted keeps its members in a hash table instead, and stays so.
 */
export function dictionaryOf(src: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ' a': 0, ' b': 0 };
  delete out[' a']; // not the last member added: the object leaves hidden classes for good
  delete out[' b'];
  if (src) {
    for (const k of Object.keys(src)) {
      // JSON.parse makes "__proto__" an own member, not the prototype.
      if (k === '__proto__') Object.defineProperty(out, k, { value: src[k], enumerable: true, writable: true, configurable: true });
      else out[k] = src[k];
    }
  }
  return out;
}

/** A file of records may grow by appended lines to this many times its first line's bytes (plus LOG_SLACK_BYTES) before it is rewritten whole. */
const LOG_GROWTH = 4;
const LOG_SLACK_BYTES = 16 * 1024;

/**
 * A file of records' lines folded (later lines over earlier ones, null removing), with the
 * first line's bytes and whether the text ends at a line's end (false: an append cut short,
 * its line left out and the file not to be appended to). Undefined for a line not JSON.
 */
function parseRecordLines(text: string): { value: Record<string, unknown>; firstBytes: number; whole: boolean } | undefined {
  const lines = text.split('\n');
  const tail = lines.pop()!; // '' after the last newline; else a line cut short
  const value = dictionaryOf(undefined);
  for (const line of lines) {
    let changes: unknown;
    try {
      changes = parseJson(line);
    } catch {
      return undefined;
    }
    if (!changes || typeof changes !== 'object' || Array.isArray(changes)) return undefined;
    for (const [name, record] of Object.entries(changes)) {
      if (record === null) delete value[name];
      else value[name] = record;
    }
  }
  return { value, firstBytes: lines.length ? Buffer.byteLength(lines[0]) + 1 : 0, whole: tail === '' };
}

interface CacheEntry extends FileIdentity {
  value: unknown;
  hold?: number;
  /** A file of records: its first line's bytes, and whether a line may be appended (it ends at a line's end). */
  log?: { firstBytes: number; appendable: boolean };
}

export class MetaDocs {
  /** Meta documents written inside a group: a private copy, written when the lock is given up. */
  private readonly pending = new Map<string, unknown>();
  /**
   * Parsed documents, valid while the file's inode, size and times (FileIdentity) are unchanged (every
   * write renames a new file into place): a reconcile pass asks for the same records (stopped
   * nodes, IP allocations, image lists) for every pod, and an lstat is cheaper than a read.
   */
  private readonly cache = new Map<string, CacheEntry>();
  /**
   * The store's current lock hold (a number per hold), undefined while the lock is not held.
   * Runtime records (their files of records, and an older version's file of one record) are
   * only ever written under the lock: one checked or written in the current hold is read
   * from the cache without an lstat (the kubelet reads a pod's record at each of its syncs).
   */
  private hold: number | undefined;
  /** Record documents found absent in `hold` (an older version's file of one record, mostly). */
  private readonly absentInHold = new Set<string>();

  private holds = 0;

  /** The store took the lock (a new hold) or gave it up. */
  setHeld(held: boolean): void {
    this.hold = held ? ++this.holds : undefined;
    this.absentInHold.clear();
  }

  constructor(
    readonly metaDir: string,
    private readonly fsync: boolean,
  ) {
    this.files = new JoinedPaths(metaDir, '.json');
  }

  /** Documents' files by name. */
  private readonly files: JoinedPaths;

  private file(name: string): string {
    return this.files.of(name);
  }

  /** A copy, or (`shared`: the caller changes nothing of it) the store's own value. */
  read<T>(name: string, shared = false): T | undefined {
    assertSafeKey(name);
    // A copy, not a parse of the text: the kubelet reads its IP allocations and runtime
    // records once per pod in a pass, and they grow with the pods.
    let value: unknown;
    if (this.pending.has(name)) {
      const v = this.pending.get(name);
      value = v === REMOVED ? undefined : v;
    } else {
      const records = recordFileOf(name);
      if (records) value = (this.readShared(records) as Record<string, unknown> | undefined)?.[name];
      if (value === undefined) value = this.readShared(name);
    }
    return (value === undefined || shared ? value : cloneJson(value)) as T | undefined;
  }

  /** A document as cached (never to be changed: callers copy what they hand out). */
  private readShared(name: string): unknown {
    const trusted = this.hold !== undefined && lockedDoc(name);
    if (trusted) {
      if (this.absentInHold.has(name)) return undefined;
      const hit = this.cache.get(name);
      if (hit && hit.hold === this.hold) return hit.value;
    }
    const file = this.file(name);
    let text: string | undefined;
    let st: fs.Stats | undefined;
    try {
      // Absent is the common case for some (a node never stopped): no exception for it.
      st = fs.lstatSync(file, { throwIfNoEntry: false });
      if (!st) {
        this.cache.delete(name);
        if (trusted) this.absentInHold.add(name);
        return undefined;
      }
    } catch {
      st = undefined; // unreadable: readSmallFile below says why
    }
    if (!st) this.cache.delete(name);
    else {
      const hit = this.cache.get(name);
      if (hit && sameFile(hit, st)) {
        if (trusted) hit.hold = this.hold;
        return hit.value;
      }
    }
    try {
      text = readSmallFile(file, OBJECT_MAX_BYTES);
    } catch (e) {
      warnOnce(file, e instanceof Error ? e.message : String(e));
      return undefined;
    }
    if (text === undefined) return undefined;
    let value: unknown;
    let log: CacheEntry['log'];
    if (isRecordsFile(name)) {
      const parsed = parseRecordLines(text);
      if (!parsed) {
        warnOnce(file, `ignoring the damaged file ${file} (not JSON lines)`);
        return undefined;
      }
      value = parsed.value;
      log = { firstBytes: parsed.firstBytes, appendable: parsed.whole };
    } else {
      try {
        value = parseJson(text);
        if (isIpamDoc(name) && value && typeof value === 'object' && !Array.isArray(value)) value = dictionaryOf(value as Record<string, unknown>);
      } catch {
        warnOnce(file, `ignoring the damaged file ${file} (not JSON)`);
        return undefined;
      }
    }
    // Only what was read whole, from a regular file, is remembered; frozen, so that its short
    // strings are one instance each (clone.ts): a file of runtime records holds 256 pods' image
    // references and times, and at 100,000 pods every record file is kept.
    if (st && st.isFile() && Buffer.byteLength(text) === st.size) {
      value = deepFreeze(value);
      if (this.cache.size >= CACHE_MAX_DOCS) this.cache.clear();
      this.cache.set(name, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, value, hold: trusted ? this.hold : undefined, log });
    }
    return value;
  }

  /**
   * Writes a document now, or (`defer`, inside a group holding the lock) when the lock is
   * given up. `unsynced`: now, but without its own fsync, as the group's deferred documents
   * are written (the clock, written at every step of a jump). `handOver`: the caller changes
   * `value` no more, so it is kept uncopied (and frozen once written).
   */
  write(name: string, value: unknown, defer: boolean, unsynced = false, handOver = false): void {
    assertSafeKey(name);
    const records = recordFileOf(name);
    // Refused past the size limit before anything changes. The kubelet's deferred documents
    // are checked when written (writePending): a text each at every write would cost its passes.
    const text = records || (defer && lockedDoc(name)) ? undefined : stringifyJson(value, 2) + '\n';
    const tooLarge = text === undefined ? undefined : sizeError(name, text);
    if (tooLarge) throw tooLarge;
    let own = handOver ? value : cloneJson(value);
    // A null-prototype map handed over is a dictionary already (the kubelet's IP allocations,
    // runtime-state.ts withOwner): not copied a second time.
    if (isIpamDoc(name) && own && typeof own === 'object' && !Array.isArray(own) && !(handOver && Object.getPrototypeOf(own) === null)) own = dictionaryOf(own as Record<string, unknown>);
    if (defer) {
      this.pending.set(name, own);
      return;
    }
    this.pending.delete(name);
    if (records) {
      this.writeRecords(records, [[name, own]], this.fsync && !unsynced);
      return;
    }
    this.cache.delete(name);
    atomicWrite(this.file(name), text!, this.fsync && !unsynced); // a text: neither records nor deferred
    this.remember(name, text!, own);
  }

  /**
   * Applies records (REMOVED: taken out) to their file, read afresh: the caller holds the
   * store's lock, so no other process rewrites it meanwhile. A record removed is also removed
   * from its own file, an older version's, which would otherwise be read again.
   */
  private writeRecords(records: string, entries: Array<[string, unknown]>, sync: boolean): void {
    const current = this.readShared(records) as Record<string, unknown> | undefined;
    // What was just read (or written) for this file, unless the read was not cached.
    const known = current === undefined ? undefined : this.cache.get(records);
    const next = dictionaryOf(current);
    const changes: Record<string, unknown> = {};
    for (const [name, value] of entries) {
      if (value !== REMOVED) next[name] = changes[name] = value;
      else {
        delete next[name];
        changes[name] = null;
        this.unlinkDoc(name);
      }
    }
    this.cache.delete(records);
    if (Object.keys(next).length === 0) {
      this.unlinkDoc(records);
      return;
    }
    // Compact: a file of records is read by the store, not by people.
    if (known?.log?.appendable && known.value === current) {
      const line = stringifyJson(changes) + '\n';
      const size = Number(known.size) + Buffer.byteLength(line);
      if (size <= LOG_GROWTH * known.log.firstBytes + LOG_SLACK_BYTES && size <= OBJECT_MAX_BYTES) {
        this.appendRecords(records, line, next, known.log.firstBytes, sync);
        return;
      }
    }
    const text = stringifyJson(next) + '\n';
    const tooLarge = sizeError(records, text);
    if (tooLarge) throw tooLarge;
    atomicWrite(this.file(records), text, sync);
    this.remember(records, text, next, { firstBytes: Buffer.byteLength(text), appendable: true });
  }

  /** Appends one line of changed records to their file (which ends at a line's end), and caches `next` as its content. */
  private appendRecords(records: string, line: string, next: Record<string, unknown>, firstBytes: number, sync: boolean): void {
    const file = this.file(records);
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
    } catch (e) {
      throw storeIoError(e, file);
    }
    let st: fs.Stats;
    try {
      // One write: a failure leaves at most this line cut short, which readers leave out
      // and the next writer replaces by a whole rewrite (the cache entry is gone).
      const buf = Buffer.from(line);
      if (fs.writeSync(fd, buf) !== buf.length) throw Object.assign(new Error('short write'), { code: 'EIO' });
      if (sync) fs.fdatasyncSync(fd);
      st = fs.fstatSync(fd);
    } catch (e) {
      throw storeIoError(e, file);
    } finally {
      fs.closeSync(fd);
    }
    this.absentInHold.delete(records);
    if (this.cache.size >= CACHE_MAX_DOCS) this.cache.clear();
    this.cache.set(records, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, value: deepFreeze(next), hold: this.hold, log: { firstBytes, appendable: true } });
  }

  private unlinkDoc(name: string): void {
    this.cache.delete(name);
    if (this.hold !== undefined && lockedDoc(name)) this.absentInHold.add(name);
    try {
      fs.unlinkSync(this.file(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw storeIoError(e, this.file(name));
    }
  }

  /**
   * Caches what was just written (a private copy) under the new file's identity, so the next
   * read is an lstat, not a read and parse of what this process wrote itself.
   */
  private remember(name: string, text: string, value: unknown, log?: CacheEntry['log']): void {
    this.absentInHold.delete(name);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(this.file(name), { throwIfNoEntry: false });
    } catch {
      return;
    }
    if (!st || !st.isFile() || st.size !== Buffer.byteLength(text)) return;
    if (this.cache.size >= CACHE_MAX_DOCS) this.cache.clear();
    // Frozen as a read keeps it (the records unchanged since are frozen already: not walked again).
    this.cache.set(name, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, value: deepFreeze(value), hold: this.hold !== undefined && lockedDoc(name) ? this.hold : undefined, log });
  }

  /** Removes a document; a runtime record inside a group (`defer`) when the lock is given up. */
  delete(name: string, defer = false): void {
    assertSafeKey(name);
    const records = recordFileOf(name);
    if (records) {
      if (defer) this.pending.set(name, REMOVED);
      else {
        this.pending.delete(name);
        this.writeRecords(records, [[name, REMOVED]], false);
      }
      return;
    }
    this.pending.delete(name); // a write deferred by a group must not bring it back
    this.unlinkDoc(name);
  }

  /**
   * Writes the documents deferred by a group. Not fsync'd one by one: they are the
   * simulation's own records (container phases, IP allocations), and after a power loss a
   * lost one reads as a pod whose containers start again, as after a node's reboot.
   */
  /** The names of the deferred documents (the span trace's detail). */
  pendingNames(): string[] {
    return [...this.pending.keys()];
  }

  writePending(root: string): void {
    if (this.pending.size === 0) return;
    try {
      const byFile = new Map<string, Array<[string, unknown]>>();
      for (const [name, value] of this.pending) {
        const records = recordFileOf(name);
        if (records) {
          const list = byFile.get(records);
          if (list) list.push([name, value]);
          else byFile.set(records, [[name, value]]);
          continue;
        }
        const text = stringifyJson(value, 2) + '\n';
        const tooLarge = sizeError(name, text);
        if (tooLarge) {
          warnOnce(this.file(name), tooLarge.message);
          continue;
        }
        this.cache.delete(name);
        atomicWrite(this.file(name), text, false);
        this.remember(name, text, value); // pending values are private copies already
      }
      for (const [records, entries] of byFile) this.writeRecords(records, entries, false);
    } catch (e) {
      warnOnce(root + '#meta', `could not write the simulation records in ${this.metaDir} (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      this.pending.clear();
    }
  }
}
