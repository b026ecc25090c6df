// The admission plugins' reads (LimitRanger's LimitRanges, ServiceAccount's account,
// ResourceQuota's quotas, NamespaceLifecycle's namespace, the policy plugin's bindings). kube's
// plugins read them from informer caches, not storage; here a store read answered again while
// the store says nothing under its resource changed: at each read, the store's revision, and
// when it moved, the keys of the changes since (a pod's create after a pod's create: one
// line to look at). Answers are the store's own shared objects, as the uncached reads were.
// Only for stores whose changes are local to read (file, memory): etcd's go to the store (and
// its watchedList). Every caller reads inside a store batch (a create, update or delete), in
// which no other writer, in this process or another, can change the store between the check
// and the read.

import type { KObject } from '../types';
import type { Store } from '../../store/store';

/** Past this many writes since the last check, the cache is dropped rather than the changes read (the store keeps only so many in memory). */
const MAX_GAP = 2000;

export class AdmissionListers {
  private rev: number | undefined;
  /** Answers by resource (a key's first segment: `limitranges`), then by prefix (`list:`) or key (`get:`). */
  private readonly byResource = new Map<string, Map<string, unknown>>();
  /** Reads answered from memory and from the store (tests). */
  readonly counts = { hits: 0, reads: 0, drops: 0 };

  /** Whether reads are remembered: not for a store with an informer of its own (etcd: changes are a round trip). */
  private readonly remember: boolean;

  constructor(private readonly store: Store) {
    this.remember = !store.watchedList;
  }

  /** The objects under `prefix` (`limitranges/ns`), shared: the store's list, or the one read since which nothing under its resource changed. */
  list(prefix: string): Promise<KObject[]> {
    return this.answer(prefix, `list:${prefix}`, async () => (await this.store.list(prefix, undefined, { shared: true })).items);
  }

  /** The object at `key`, shared, or undefined: as list(). */
  get(key: string): Promise<KObject | undefined> {
    return this.answer(key, `get:${key}`, () => this.store.get(key, { shared: true }));
  }

  private async answer<T>(key: string, id: string, read: () => Promise<T>): Promise<T> {
    if (!this.remember) return read();
    const resource = resourceOf(key);
    await this.check();
    let answers = this.byResource.get(resource);
    if (answers?.has(id)) {
      this.counts.hits++;
      return answers.get(id) as T;
    }
    const rev = this.rev;
    const value = await read();
    this.counts.reads++;
    // Kept only if nothing was written while it was read (a reader outside a batch: not kept).
    if (rev === (await this.store.currentRev())) {
      if (!answers) this.byResource.set(resource, (answers = new Map()));
      answers.set(id, value);
    }
    return value;
  }

  /** Drops the answers of each resource written since the last check (all of them when the changes cannot be read whole). */
  private async check(): Promise<void> {
    const now = await this.store.currentRev();
    const from = this.rev;
    if (now === from) return;
    this.rev = now;
    if (!this.byResource.size) return;
    if (from === undefined || now < from || now - from > MAX_GAP) return this.dropAll();
    const changes = await this.store.changesSince(from, { shared: true });
    // Revisions count every write by one: a gap (a trimmed journal) means unseen writes.
    let next = from + 1;
    for (const c of changes) {
      if (c.rev > now) break;
      if (c.rev !== next++) return this.dropAll();
      if (this.byResource.delete(resourceOf(c.key))) this.counts.drops++;
    }
    if (next !== now + 1) this.dropAll();
  }

  private dropAll(): void {
    this.byResource.clear();
    this.counts.drops++;
  }
}

function resourceOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}
