// The in-memory backend: same contract as the file store, for `kubesim check` (a
// throwaway cluster) and for tests.

import type { KObject } from '../api/types';
import {
  assertSafeKey,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type ListResult,
  type Store,
  type WatchEvent,
} from './store';

const JOURNAL_LIMIT = 200_000;

export class MemoryStore implements Store {
  private readonly objects = new Map<string, string>(); // serialized: readers get copies
  private rev = 0;
  private journal: WatchEvent[] = [];
  private readonly meta = new Map<string, string>();

  currentRev(): number {
    return this.rev;
  }

  get(key: string): KObject | undefined {
    const s = this.objects.get(key);
    return s === undefined ? undefined : (JSON.parse(s) as KObject);
  }

  list(prefix: string): ListResult {
    const p = prefix + '/';
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(p)).sort();
    return { rev: this.rev, items: keys.map((k) => JSON.parse(this.objects.get(k)!) as KObject) };
  }

  create(key: string, obj: KObject): KObject {
    assertSafeKey(key);
    if (this.objects.has(key)) throw new KeyExistsError(key);
    return this.put(key, obj, 'ADDED');
  }

  update(key: string, obj: KObject, expectRev?: number): KObject {
    const current = this.get(key);
    if (!current) throw new KeyNotFoundError(key);
    if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
      throw new RevisionConflictError(key, current);
    }
    return this.put(key, obj, 'MODIFIED');
  }

  delete(key: string, expectRev?: number): KObject {
    const current = this.get(key);
    if (!current) throw new KeyNotFoundError(key);
    if (expectRev !== undefined && Number(current.metadata.resourceVersion) !== expectRev) {
      throw new RevisionConflictError(key, current);
    }
    const rev = ++this.rev;
    const last = { ...current, metadata: { ...current.metadata, resourceVersion: String(rev) } };
    this.objects.delete(key);
    this.record({ type: 'DELETED', key, rev, object: last });
    return last;
  }

  changesSince(afterRev: number): WatchEvent[] {
    // journal is rev-ordered: binary search would do, a scan from the end is enough here
    let i = this.journal.length;
    while (i > 0 && this.journal[i - 1].rev > afterRev) i--;
    return this.journal.slice(i).map((e) => ({ ...e, object: JSON.parse(JSON.stringify(e.object)) as KObject }));
  }

  batch<T>(fn: () => T): T {
    return fn();
  }

  readMeta<T>(name: string): T | undefined {
    const s = this.meta.get(name);
    return s === undefined ? undefined : (JSON.parse(s) as T);
  }

  writeMeta(name: string, value: unknown): void {
    this.meta.set(name, JSON.stringify(value));
  }

  close(): void {}

  private put(key: string, obj: KObject, type: 'ADDED' | 'MODIFIED'): KObject {
    const rev = ++this.rev;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
    const text = JSON.stringify(stored);
    this.objects.set(key, text);
    this.record({ type, key, rev, object: JSON.parse(text) as KObject });
    return JSON.parse(text) as KObject;
  }

  private record(e: WatchEvent): void {
    this.journal.push(e);
    if (this.journal.length > JOURNAL_LIMIT) this.journal = this.journal.slice(-JOURNAL_LIMIT / 2);
  }
}
