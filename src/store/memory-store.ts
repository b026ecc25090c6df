// The in-memory backend: same contract as the file store, for `kubesim check` (a
// throwaway cluster) and for tests.

import type { KObject } from '../api/types';
import { cloneJson, deepFreeze, frozenCopy, noteKeptCopy } from './clone';
import { lowerBound } from '../util/sorted';
import {
  assertSafeKey,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type ListReadOptions,
  type ListResult,
  type SyncStore,
  type WatchEvent,
} from './store';

const JOURNAL_LIMIT = 200_000;

export class MemoryStore implements SyncStore {
  // Private copies, never mutated after being stored: handed out only frozen (a shared
  // list) or copied (everything else); the journal shares them.
  private readonly objects = new Map<string, KObject>();
  private rev = 0;
  private journal: WatchEvent[] = [];
  /** Meta documents as written (JSON semantics), frozen: a read copies (cloneJson, not a parse). */
  private readonly meta = new Map<string, unknown>();
  /** Keys by their first segment (resource, or group for custom resources): see KeyIndex. */
  private readonly buckets = new Map<string, KeyIndex>();

  currentRev(): number {
    return this.rev;
  }

  get(key: string, opts?: ListReadOptions): KObject | undefined {
    const o = this.objects.get(key);
    return o === undefined ? undefined : opts?.shared ? deepFreeze(o) : cloneJson(o);
  }

  list(prefix: string, filter?: (obj: KObject) => boolean, opts?: ListReadOptions): ListResult {
    const out = opts?.shared ? deepFreeze : cloneJson;
    const p = prefix + '/';
    const items: KObject[] = [];
    const bucket = this.buckets.get(firstSegment(prefix));
    if (bucket) {
      const sorted = bucket.sorted();
      // Keys under the prefix are contiguous in sorted order: binary search the first.
      for (let i = lowerBound(sorted.length, (j) => sorted[j] < p); i < sorted.length && sorted[i].startsWith(p); i++) {
        const o = this.objects.get(sorted[i])!;
        if (!filter || filter(o)) items.push(out(o));
      }
    }
    return { rev: this.rev, items };
  }

  create(key: string, obj: KObject): KObject {
    assertSafeKey(key);
    if (this.objects.has(key)) throw new KeyExistsError(key);
    return this.put(key, obj, 'ADDED');
  }

  update(key: string, obj: KObject, expectRev?: number, opts?: ListReadOptions): KObject {
    const current = this.objects.get(key);
    if (!current) throw new KeyNotFoundError(key);
    if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
      throw new RevisionConflictError(key, cloneJson(current));
    }
    return this.put(key, obj, 'MODIFIED', opts?.shared);
  }

  delete(key: string, expectRev?: number): KObject {
    const current = this.objects.get(key);
    if (!current) throw new KeyNotFoundError(key);
    if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
      throw new RevisionConflictError(key, cloneJson(current));
    }
    const rev = ++this.rev;
    const last = { ...current, metadata: { ...current.metadata, resourceVersion: String(rev) } };
    this.objects.delete(key);
    this.buckets.get(firstSegment(key))!.remove(key);
    this.record({ type: 'DELETED', key, rev, object: last });
    return cloneJson(last);
  }

  changesSince(afterRev: number, opts?: ListReadOptions): WatchEvent[] {
    // Trimmed past afterRev: nothing rather than a partial answer (callers re-list).
    if (this.journal.length && this.journal[0].rev > afterRev + 1) return [];
    // journal is rev-ordered: binary search would do, a scan from the end is enough here
    let i = this.journal.length;
    while (i > 0 && this.journal[i - 1].rev > afterRev) i--;
    const out = opts?.shared ? deepFreeze : cloneJson;
    return this.journal.slice(i).map((e) => ({ ...e, object: out(e.object) }));
  }

  batch<T>(fn: () => T): T {
    return fn();
  }

  beginBatch(): void {}

  endBatch(): void {}

  /** As FileStore's groups: one process, no lock to share. */
  beginGroup(): boolean {
    return false;
  }

  endGroup(): void {}

  readMeta<T>(name: string, shared?: boolean): T | undefined {
    return (shared ? this.meta.get(name) : cloneJson(this.meta.get(name))) as T | undefined;
  }

  writeMeta(name: string, value: unknown): void {
    this.meta.set(name, frozenCopy(value));
  }

  deleteMeta(name: string): void {
    this.meta.delete(name);
  }

  close(): void {}

  /** Every key, sorted (what a snapshot saves: see src/store/bundle.ts). */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  metaNames(): string[] {
    return [...this.meta.keys()].sort();
  }

  private put(key: string, obj: KObject, type: 'ADDED' | 'MODIFIED', shared = false): KObject {
    const rev = ++this.rev;
    const written = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
    // Kept frozen (shared reads hand it out as it is); the caller gets its own object back
    // with the new resourceVersion, as from the file store: no second copy.
    const stored = frozenCopy(written);
    if (type === 'ADDED') {
      const seg = firstSegment(key);
      let bucket = this.buckets.get(seg);
      if (!bucket) this.buckets.set(seg, (bucket = new KeyIndex()));
      bucket.add(key);
    }
    this.objects.set(key, stored);
    // The journal shares the stored copy: neither is ever mutated, changesSince copies.
    this.record({ type, key, rev, object: stored });
    if (shared) return stored;
    noteKeptCopy(written, stored);
    return written;
  }

  private record(e: WatchEvent): void {
    this.journal.push(e);
    if (this.journal.length > JOURNAL_LIMIT) this.journal = this.journal.slice(-JOURNAL_LIMIT / 2);
  }
}

function firstSegment(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? key : key.slice(0, i);
}

/**
 * Keys kept in sorted order for lists: additions and removals since the last list are merged
 * in by the next one (linear), so a list during churn does not sort 100,000 keys again.
 */
class KeyIndex {
  private keys: string[] = [];
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();

  add(key: string): void {
    if (!this.removed.delete(key)) this.added.add(key);
  }

  remove(key: string): void {
    if (!this.added.delete(key)) this.removed.add(key);
  }

  sorted(): string[] {
    if (!this.added.size && !this.removed.size) return this.keys;
    const add = [...this.added].sort();
    const out: string[] = [];
    let j = 0;
    for (const k of this.keys) {
      if (this.removed.has(k)) continue;
      while (j < add.length && add[j] < k) out.push(add[j++]);
      out.push(k);
    }
    while (j < add.length) out.push(add[j++]);
    this.added.clear();
    this.removed.clear();
    return (this.keys = out);
  }
}