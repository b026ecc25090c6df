// The file store's meta documents (`meta/<name>.json`): the simulation's own records (the
// clock, container phases, IP allocations, ...), outside the registry and the journal.
// Inside a group (a reconcile pass) their writes are deferred to when the lock is given up,
// once per document, like the deferred object files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSmallFile } from './file-lock';
import { assertSafeKey } from './store';
import { storeIoError } from './file-store-support';
import { atomicWrite, warnOnce, OBJECT_MAX_BYTES } from './file-store-files';
import { cloneJson } from './clone';

const CACHE_MAX_DOCS = 20_000;

export class MetaDocs {
  /** Meta documents written inside a group: a private copy, written when the lock is given up. */
  private readonly pending = new Map<string, unknown>();
  /**
   * Parsed documents, valid while the file's inode, size and ns times are unchanged (every
   * write renames a new file into place): a reconcile pass asks for the same records (stopped
   * nodes, IP allocations, image lists) for every pod, and an lstat is cheaper than a read.
   */
  private readonly cache = new Map<string, { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint; value: unknown }>();

  constructor(
    readonly metaDir: string,
    private readonly fsync: boolean,
  ) {}

  private file(name: string): string {
    return path.join(this.metaDir, name + '.json');
  }

  read<T>(name: string): T | undefined {
    assertSafeKey(name);
    const file = this.file(name);
    // A copy, not a parse of the text: the kubelet reads its IP allocations and runtime
    // records once per pod in a pass, and they grow with the pods.
    if (this.pending.has(name)) return cloneJson(this.pending.get(name)) as T;
    let text: string | undefined;
    let st: fs.BigIntStats | undefined;
    try {
      // Absent is the common case for some (a node never stopped): no exception for it.
      st = fs.lstatSync(file, { bigint: true, throwIfNoEntry: false });
      if (!st) {
        this.cache.delete(name);
        return undefined;
      }
    } catch {
      st = undefined; // unreadable: readSmallFile below says why
    }
    if (!st) this.cache.delete(name);
    else {
      const hit = this.cache.get(name);
      if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeNs === st.mtimeNs && hit.ctimeNs === st.ctimeNs) return cloneJson(hit.value) as T;
    }
    try {
      text = readSmallFile(file, OBJECT_MAX_BYTES);
    } catch (e) {
      warnOnce(file, e instanceof Error ? e.message : String(e));
      return undefined;
    }
    if (text === undefined) return undefined;
    let value: T;
    try {
      value = JSON.parse(text) as T;
    } catch {
      warnOnce(file, `ignoring the damaged file ${file} (not JSON)`);
      return undefined;
    }
    // Only what was read whole, from a regular file, is remembered.
    if (st && st.isFile() && Buffer.byteLength(text) === Number(st.size)) {
      if (this.cache.size >= CACHE_MAX_DOCS) this.cache.clear();
      this.cache.set(name, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, value: cloneJson(value) });
    }
    return value;
  }

  /**
   * Writes a document now, or (`defer`, inside a group holding the lock) when the lock is
   * given up. `unsynced`: now, but without its own fsync, as the group's deferred documents
   * are written (the clock, written at every step of a jump).
   */
  write(name: string, value: unknown, defer: boolean, unsynced = false): void {
    assertSafeKey(name);
    if (defer) {
      this.pending.set(name, cloneJson(value));
      return;
    }
    const text = JSON.stringify(value, null, 2) + '\n';
    this.pending.delete(name);
    this.cache.delete(name);
    atomicWrite(this.file(name), text, this.fsync && !unsynced);
    this.remember(name, text, cloneJson(value));
  }

  /**
   * Caches what was just written (a private copy) under the new file's identity, so the next
   * read is an lstat, not a read and parse of what this process wrote itself.
   */
  private remember(name: string, text: string, value: unknown): void {
    let st: fs.BigIntStats | undefined;
    try {
      st = fs.lstatSync(this.file(name), { bigint: true, throwIfNoEntry: false });
    } catch {
      return;
    }
    if (!st || !st.isFile() || Number(st.size) !== Buffer.byteLength(text)) return;
    if (this.cache.size >= CACHE_MAX_DOCS) this.cache.clear();
    this.cache.set(name, { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, value });
  }

  delete(name: string): void {
    assertSafeKey(name);
    this.pending.delete(name); // a write deferred by a group must not bring it back
    this.cache.delete(name);
    try {
      fs.unlinkSync(this.file(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw storeIoError(e, this.file(name));
    }
  }

  /**
   * Writes the documents deferred by a group. Not fsync'd one by one: they are the
   * simulation's own records (container phases, IP allocations), and after a power loss a
   * lost one reads as a pod whose containers start again, as after a node's reboot.
   */
  writePending(root: string): void {
    if (this.pending.size === 0) return;
    try {
      for (const [name, value] of this.pending) {
        this.cache.delete(name);
        const text = JSON.stringify(value, null, 2) + '\n';
        atomicWrite(this.file(name), text, false);
        this.remember(name, text, value); // pending values are private copies already
      }
    } catch (e) {
      warnOnce(root + '#meta', `could not write the simulation records in ${this.metaDir} (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      this.pending.clear();
    }
  }
}
