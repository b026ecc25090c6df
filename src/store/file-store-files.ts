// The file store's view of the object files under `registry/`: reading and parsing them
// (with a cache keyed by inode, size and times: FileIdentity), listing folders, and the lock
// holder's memory of what it already checked. While the store holds the lock nobody else
// changes the registry, and when it takes the lock back with the journal just as it left
// it, nobody did in between: then what it checked (files and folders) is still true and is
// not looked at again -- an informer's cache, not a file round trip per read. Any other
// writer's entry in the journal starts a new generation. Also the private temporary-file
// writes every file of the state directory goes through. Nothing is followed through a
// symlink (O_NOFOLLOW, lstat, exclusive creation).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KObject } from '../api/types';
import { cloneJson, deepFreeze } from './clone';
import { readSmallFile } from './file-lock';
import { processAlive } from './process-alive';
import { StoreError } from './store';
import { DamagedObjectError } from './damaged';
import { parseObject, storeIoError, entryIndex, kindOf, sameFile, type CachedFile, type EntryKind, type Listing } from './file-store-support';
import { JoinedPaths } from './joined-paths';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const CACHE_MAX_OBJECTS = 250_000;
/** An object file larger than this is damage (kube-apiserver accepts 3 MiB per request). */
export const OBJECT_MAX_BYTES = 16 * 1024 * 1024;
export const TMP_PREFIX = '.tmp-';

/**
 * Whether the objects under a registry key (or prefix) are kept parsed once read. Events are
 * not: five or so per pod (535,000 at 100,000 pods, most of the daemon's heap when kept),
 * written once and seldom read again (the TTL sweep and the correlator keep their own
 * indexes of names and times), so a read parses the file and keeps nothing.
 */
export function keptParsed(key: string): boolean {
  return !(key.startsWith('events/') || key === 'events');
}

const warned = new Set<string>();
export function warnOnce(file: string, message: string): void {
  if (warned.has(file)) return;
  warned.add(file);
  process.stderr.write(`Warning: ${message}\n`);
}

let tmpCounter = 0;

/** Writes `data` to a new private temporary file next to `file`; removes it on failure. */
/** A new temporary file's name in `dir`: short (not derived from the object's name, so 253-character names fit), swept once its writer is dead. */
export function tempPath(dir: string): string {
  return path.join(dir, `${TMP_PREFIX}${process.pid}-${++tmpCounter}`);
}

export function writeTemp(file: string, data: string, sync: boolean): string {
  const tmp = tempPath(path.dirname(file));
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

/** Puts `data` in place at `file` whole (a temporary file renamed over it). */
export function atomicWrite(file: string, data: string, sync: boolean): void {
  const tmp = writeTemp(file, data, sync);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw storeIoError(e, file);
  }
}

/**
 * atomicWrite for a file the journal still covers (an entry after `rev`): the old file is
 * unlinked before the rename. ext4 (auto_da_alloc) starts the new data's write-back on a
 * rename over an existing file, which made each materialised object cost a synchronous
 * flush (5,000 node Leases renewed every 10 s: most of an idle daemon's CPU). Until the
 * rename a reader finds no file and lays the journal's entry over it, as for any file not
 * yet in place; a power loss is covered by the unsynced marker's replay, not by this flush.
 */
export function replaceCoveredFile(file: string, data: string, sync: boolean): void {
  const tmp = writeTemp(file, data, sync);
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      fs.rmSync(tmp, { force: true });
      throw storeIoError(e, file);
    }
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw storeIoError(e, file);
  }
}

/** Removes the temporary files (and lock candidates) that writers now dead left in `dir`; returns their paths. */
export function sweepDeadTemporaries(dir: string): string[] {
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

/** A key's place in collect's answer, for its caller's own object (never handed out). */
export const SUPERSEDED = Object.freeze({}) as KObject;

export class RegistryFiles {
  /** Parsed object files, valid while the file's inode, size and times are unchanged. */
  private readonly cache = new Map<string, CachedFile>();
  /** Registry folders' sorted entries, and the hold generation that checked them. */
  private readonly dirs = new Map<string, Listing & { gen: number }>();
  /** Registry folders found missing, and in which hold generation. */
  private readonly missingDirs = new Map<string, number>();
  private readonly verifiedDirs = new Set<string>();
  /** Listed prefixes' folders (a list of the same few per write: quotas, budgets, services). */
  private readonly prefixDirs: JoinedPaths;
  /** The hold generation: what was checked in an older one is looked at again. */
  gen = 1;

  constructor(
    readonly registryDir: string,
    /** Whether the store holds the lock (then what this generation checked is trusted). */
    private readonly held: () => boolean,
  ) {
    this.prefixDirs = new JoinedPaths(registryDir);
  }

  /** The registry key of an object file under this registry. */
  private keyOf(file: string): string {
    return file.slice(this.registryDir.length + 1);
  }

  /**
   * Forgets the parsed copy of `file` (a replay or a watched delete changed it, or the holder
   * deferred a newer write of it: read from the deferred write while it lags, a stale copy
   * kept beside it was ~500 B a pod, the seeded versions of most pods in a settled daemon).
   */
  forget(file: string): void {
    this.cache.delete(file);
  }

  /** After this holder put a file in place (or removed it): what it now holds, trusted for this generation. */
  noteWritten(file: string, obj: KObject | null, statNow = false): void {
    // `statNow`: the file as written is remembered by its inode, size and times, so reads
    // without the lock (the daemon between its holds) find it too instead of parsing it again
    // (the 5,000 Leases an idle daemon renews, at each list of them).
    if (obj && !keptParsed(this.keyOf(file))) {
      this.cache.delete(file);
      this.noteEntry(file, 'file', true, obj.metadata?.name);
      return;
    }
    let st: fs.Stats | undefined;
    if (statNow && obj) {
      try {
        st = fs.lstatSync(file);
      } catch {
        st = undefined;
      }
    }
    this.cache.set(file, st ? { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, obj, gen: this.gen } : { ino: -1, size: -1, mtimeMs: -1, ctimeMs: -1, obj, gen: this.gen });
    this.noteEntry(file, 'file', obj !== null, obj?.metadata?.name);
  }

  /**
   * Keeps a remembered folder listing in step with an entry this holder added or removed.
   * `objectName`, the written object's name, is kept as the entry's name when it is the
   * file's: `path.basename` gives a slice of the whole path, which keeps that path alive
   * (~100 bytes more per entry: the events folder holds five or so per pod), and the
   * object's name is the string the Event-TTL and correlator indexes already hold.
   */
  private noteEntry(p: string, kind: EntryKind, present: boolean, objectName?: string): void {
    const dir = this.dirs.get(path.dirname(p));
    if (!dir || dir.gen !== this.gen) return;
    const base = path.basename(p);
    const name = objectName === base ? objectName : base;
    const names = dir.names;
    const i = entryIndex(names, name);
    const found = i < names.length && names[i] === name;
    if (present && !found) {
      names.splice(i, 0, name);
      if (kind !== 'file') (dir.others ??= new Map()).set(name, kind);
    } else if (!present && found) {
      names.splice(i, 1);
      dir.others?.delete(name);
    }
  }

  /**
   * While holding the lock: whether `file` exists, from the folder's listing remembered for
   * this generation (read once, then kept in step), so that looking up names that do not
   * exist (a new event's) costs no lstat each. Undefined when not holding.
   */
  knownPresent(file: string): boolean | undefined {
    if (!this.held()) return undefined;
    const dirPath = path.dirname(file);
    if (this.missingDirs.get(dirPath) === this.gen) return false;
    const dir = this.dirs.get(dirPath);
    if (!dir || dir.gen !== this.gen) return undefined;
    const name = path.basename(file);
    const i = entryIndex(dir.names, name);
    return i < dir.names.length && dir.names[i] === name;
  }

  /** The object in `file`: a copy the caller may change. */
  readObject(key: string, file: string): KObject | undefined {
    const obj = this.readShared(key, file);
    return obj && cloneJson(obj);
  }

  /** The object in `file` as remembered, neither copied nor frozen: the caller only reads it, at once. */
  readUnshared(key: string, file: string): KObject | undefined {
    return this.readShared(key, file);
  }

  /** The object in `file` as remembered, frozen (ListReadOptions.shared): the same object until the file changes. */
  readFrozen(key: string, file: string): KObject | undefined {
    const obj = this.readShared(key, file);
    return obj && deepFreeze(obj);
  }

  /** The object in `file` as remembered: the caller must not change it (copy what it keeps). */
  private readShared(key: string, file: string): KObject | undefined {
    const held = this.held();
    if (held) {
      const hit = this.cache.get(file);
      if (hit && hit.gen === this.gen) return hit.obj ?? undefined;
      let known = this.knownPresent(file);
      if (known === undefined && this.verifyParents(path.dirname(file))) {
        this.readDir(path.dirname(file)); // once per generation: later misses cost no lstat
        known = this.knownPresent(file);
      }
      if (known === false) return undefined;
    }
    if (!this.verifyParents(path.dirname(file))) return undefined;
    // A long-lived store (the daemon, reconcile in-process) re-reads the same files over
    // and over: a file whose inode, size and times (FileIdentity) are unchanged is not read and
    // parsed again (every write renames a new file into place, so any write changes them).
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (held) this.cache.set(file, { ino: -1, size: -1, mtimeMs: -1, ctimeMs: -1, obj: null, gen: this.gen });
        else this.cache.delete(file);
        return undefined;
      }
      throw storeIoError(e, file);
    }
    if (st.isDirectory()) return undefined;
    if (!st.isFile()) throw new DamagedObjectError(key, file, st.isSymbolicLink() ? 'a symlink, never followed' : 'not a regular file');
    const hit = this.cache.get(file);
    if (hit && hit.obj && sameFile(hit, st)) {
      if (held) hit.gen = this.gen;
      return hit.obj;
    }
    if (st.size > OBJECT_MAX_BYTES) throw new DamagedObjectError(key, file, `${st.size} bytes`);
    let text: string | undefined;
    try {
      text = readSmallFile(file, OBJECT_MAX_BYTES);
    } catch (e) {
      throw new DamagedObjectError(key, file, e instanceof Error ? e.message : String(e));
    }
    if (text === undefined) return undefined;
    const obj = parseObject(key, file, text);
    // Only what was read whole is remembered: the size must match what lstat saw.
    if (Buffer.byteLength(text) === st.size && keptParsed(key)) {
      if (this.cache.size >= CACHE_MAX_OBJECTS) this.cache.clear(); // a bound, whatever others delete
      this.cache.set(file, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, obj, gen: held ? this.gen : 0 });
      return obj;
    }
    this.cache.delete(file);
    return obj;
  }

  /**
   * Collects copies of the objects under a registry prefix into `out` (key -> object), in key
   * order; with `filter`, only those it accepts (tested before copying: a selector's list of
   * a few pods among thousands copies only those few). `shared`: the remembered objects
   * themselves, frozen, instead of copies (ListReadOptions.shared). Keys `superseded` says
   * the caller lays its own object over (the holder's deferred writes) get `SUPERSEDED` in
   * their place, their files not read: the holder forgets their parsed copies (see forget).
   */
  collect(prefix: string, out: Map<string, KObject>, filter?: (obj: KObject) => boolean, shared = false, superseded?: (key: string) => boolean): void {
    const dir = this.prefixDirs.of(prefix);
    const held = this.held();
    if (held && this.missingDirs.get(dir) === this.gen) return;
    if (!this.verifyParents(dir)) {
      if (held) this.missingDirs.set(dir, this.gen);
      return;
    }
    // A folder listed in this hold generation is still that folder (nobody else writes).
    if (held && this.dirs.get(dir)?.gen === this.gen) {
      this.collectDir(dir, prefix, out, filter, shared ? deepFreeze : cloneJson, superseded);
      return;
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      if (held) this.missingDirs.set(dir, this.gen);
      return;
    }
    if (!st.isDirectory()) {
      warnOnce(dir, `skipping ${dir}: a file where a folder belongs`);
      return;
    }
    this.collectDir(dir, prefix, out, filter, shared ? deepFreeze : cloneJson, superseded);
  }

  private collectDir(dir: string, prefix: string, out: Map<string, KObject>, filter: ((obj: KObject) => boolean) | undefined, hand: (obj: KObject) => KObject, superseded?: (key: string) => boolean): void {
    const listing = this.readDir(dir);
    // Key (etcd) order: a folder's keys all start with its name + '/', so folders sort by that
    // ("a-b/x" before "a/x"); name order alone would put "a" first.
    const others = listing.others;
    const sortName = (n: string) => (others?.get(n) === 'dir' ? n + '/' : n);
    const ordered = others && [...others.values()].includes('dir') ? [...listing.names].sort((a, b) => cmp(sortName(a), sortName(b))) : listing.names;
    for (const name of ordered) {
      if (name.startsWith(TMP_PREFIX)) continue;
      // `dir` is a joined (normalised) path and a listed name has no separator: what path.join
      // would give, without its normalising pass and its copies (7 % of what a settled
      // 20,000-pod daemon allocated at rest: what keeps V8's memory reducer from running).
      const full = dir + path.sep + name;
      const key = `${prefix}/${name}`;
      const kind = kindOf(listing, name);
      if (kind === 'dir') this.collectDir(full, key, out, filter, hand, superseded);
      else if (superseded?.(key)) out.set(key, SUPERSEDED); // its place in key order kept
      else if (kind === 'file') {
        try {
          const obj = this.readShared(key, full);
          if (obj && (!filter || filter(obj))) out.set(key, hand(obj));
        } catch (e) {
          if (!(e instanceof DamagedObjectError)) throw e;
          warnOnce(full, `skipping the damaged object file ${full} (${e.reason}); delete the object or run "kubesim cluster fsck --repair"`);
        }
      } else warnOnce(full, `skipping ${full}: ${kind === 'symlink' ? 'a symlink, never followed' : 'not a regular file'}`);
    }
  }

  /** A folder's entries in name order (remembered for this hold generation while holding the lock). */
  private readDir(dir: string): Listing {
    const held = this.held();
    if (held) {
      const hit = this.dirs.get(dir);
      if (hit && hit.gen === this.gen) return hit;
    }
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { names: [] };
      throw storeIoError(e, dir);
    }
    const names: string[] = [];
    let others: Listing['others'];
    for (const d of dirents) {
      if (d.name.startsWith(TMP_PREFIX)) continue;
      names.push(d.name);
      if (!d.isFile()) (others ??= new Map()).set(d.name, d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'other');
    }
    names.sort(cmp);
    const listing = { gen: this.gen, names, others };
    if (held) this.dirs.set(dir, listing);
    return listing;
  }

  /** Whether every folder from the registry down to `dir` exists as a real folder (no symlink). */
  private verifyParents(dir: string): boolean {
    if (this.verifiedDirs.has(dir)) return true;
    // A folder below the registry by its name (every caller's: path.join of it and a key) is
    // cut from it: path.relative resolves both against the cwd, and its first call compiles
    // 2.3 kB of Node's source, for `get pod X`'s one object read (round 119).
    const under = dir.startsWith(this.registryDir) && dir[this.registryDir.length] === path.sep;
    const rel = under ? dir.slice(this.registryDir.length + 1) : path.relative(this.registryDir, dir);
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
  ensureDir(dir: string): void {
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
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
