// The watch cache: every change as it happened, in revision order, for watchers. Writes
// made in this process (REST requests, and the controllers when the daemon serves) are
// recorded the moment the store makes them, each with its own state, so a watcher sees
// every change in order; writes by other processes come from the store's change feed.
// Watchers read only up to the watermark below which the feed is known to be complete.

import type { ApiServer, ListOptions } from '../server';
import type { KObject } from '../types';
import type { ResourceType } from '../resources';
import { listPrefix } from '../keys';
import { isRevisionCompacted, type EventType, type Store, type WatchEvent } from '../../store/store';
import { frozenCopy, takeKeptCopy } from '../../store/clone';

const CAPACITY = 20_000;
// Trimmed in steps, not one event per add: shifting 20,000 entries on every write is O(n).
const TRIM_SLACK = 2_000;
const POLL_MS = 50;
/** How long a consistent list waits for the cache to reach etcd's revision before reading etcd itself. */
const FRESH_WAIT_MS = 3000;

/** The objects of one resource as of the watermark, kept from its first list on (etcd only). */
interface ResourceState {
  objects: Map<string, KObject>;
  sorted: KObject[] | undefined;
}

export class WatchCache {
  private events: WatchEvent[] = [];
  /** Revisions at or below this are all in `events` (or were before `startRev`). */
  private watermark = 0;
  /** Revisions above this are recorded here; older ones come from the store's feed. */
  private startRev = 0;
  /** The oldest revision still held after trimming. */
  private trimmedTo = 0;
  private readonly waiters = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  /** A poll was asked for while one ran: it runs again at once, not at the next tick. */
  private pollAgain = false;
  /** A poll is queued for after the current burst of this process's writes. */
  private pollQueued = false;
  private lastCurrent = -1;
  /** Current objects per resource prefix, as of the watermark (lists served from memory). */
  private readonly states = new Map<string, ResourceState>();

  constructor(private readonly api: ApiServer) {}

  /** Starts recording this process's writes and following other processes' (an unref'd timer). */
  async start(): Promise<void> {
    this.startRev = Number(await this.api.store.currentRev());
    this.watermark = this.startRev;
    this.trimmedTo = this.startRev;
    this.capture(this.api.store);
    this.timer ??= setInterval(() => void this.poll().catch(ignore), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Records each write of this process's store as it returns (sync or async stores alike). */
  private capture(store: Store): void {
    const wrap = (name: 'create' | 'update' | 'delete', type: EventType) => {
      const orig = (store[name] as (...a: unknown[]) => unknown).bind(store);
      (store as unknown as Record<string, unknown>)[name] = (key: string, ...rest: unknown[]) => {
        const r = orig(key, ...rest);
        const note = (obj: unknown) => {
          const o = obj as KObject;
          const rev = Number(o?.metadata?.resourceVersion);
          // The store's own frozen copy of the write when it kept one (clone.ts: takeKeptCopy),
          // else one frozen as copied: watchers only read it.
          if (Number.isFinite(rev)) this.add({ type, key, rev, object: takeKeptCopy(o) ?? frozenCopy(o) });
          // One poll after a burst of writes (a reconcile pass makes hundreds without giving
          // the event loop a turn), not one each: the write is recorded above already.
          if (!this.pollQueued) {
            this.pollQueued = true;
            setImmediate(() => {
              this.pollQueued = false;
              void this.poll().catch(ignore);
            });
          }
        };
        if (r && typeof (r as Promise<unknown>).then === 'function') return (r as Promise<unknown>).then((v) => (note(v), v));
        note(r);
        return r;
      };
    };
    wrap('create', 'ADDED');
    wrap('update', 'MODIFIED');
    wrap('delete', 'DELETED');
  }

  /** The index of the first held event with a revision above `rev` (events are in revision order). */
  private firstAfter(rev: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private add(ev: WatchEvent): void {
    if (ev.rev <= this.startRev) return;
    // Kept in revision order; a revision is recorded once. The feed's events carry the
    // object as of their revision, so one older than a write this process already recorded
    // for the same key (another process's create, then the daemon's bind) is inserted
    // before it, not dropped.
    let i = this.events.length;
    while (i > 0 && this.events[i - 1].rev > ev.rev) i--;
    if (i > 0 && this.events[i - 1].rev === ev.rev) return;
    this.events.splice(i, 0, ev);
    if (this.events.length > CAPACITY + TRIM_SLACK) {
      const cut = this.events.length - CAPACITY;
      this.trimmedTo = this.events[cut - 1].rev;
      this.events.splice(0, cut);
    }
  }

  /**
   * Reads the store's feed and wakes the watchers. The watermark moves to the newest event
   * the feed returned, not to the store's current revision: a change whose journal line is
   * written but whose object is not yet is left out of the feed for now, and must not be
   * skipped over.
   */
  async poll(): Promise<void> {
    if (this.polling) {
      // A write recorded while the feed was being read (or its sync awaited) is not in this
      // poll's answer: dropping the request left its watchers waiting for the next tick (50 ms).
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      const current = Number(await this.api.store.currentRev());
      let evs: WatchEvent[];
      try {
        // Shared: the cache keeps events frozen and watchers only read them. Copied, each of
        // this process's batched writes (a tick's node Lease renewals, 500 a second at 5,000
        // nodes; capture() sees no updateMany) was cloned here at every poll.
        evs = await this.api.changesSince(this.watermark, { shared: true });
      } catch (e) {
        if (!isRevisionCompacted(e)) throw e;
        // etcd compacted what this cache had not read: everything older than now is gone
        // for watchers (410 Expired: they list again), as kube-apiserver's cache re-lists.
        this.events = [];
        this.states.clear(); // listed again from etcd on the next list
        this.trimmedTo = this.watermark = Math.max(current, this.startRev);
        for (const w of [...this.waiters]) w();
        return;
      }
      let top = this.watermark;
      for (const ev of evs) {
        this.add(ev);
        top = Math.max(top, ev.rev);
      }
      // A store revision seen on two polls in a row is complete (its object is written by then).
      if (current === this.lastCurrent) top = Math.max(top, current);
      this.lastCurrent = current;
      if (top > this.watermark) {
        if (this.states.size) this.applyStates(this.watermark, top);
        this.watermark = top;
        for (const w of [...this.waiters]) w();
      }
    } finally {
      this.polling = false;
      if (this.pollAgain) {
        this.pollAgain = false;
        void this.poll().catch(ignore);
      }
    }
  }

  /**
   * Events after `rev` up to the watermark, oldest first; undefined when `rev` is older
   * than what this cache or the store's feed still holds (410 Expired).
   */
  async since(rev: number): Promise<{ events: WatchEvent[]; upTo: number } | undefined> {
    const upTo = this.watermark;
    const trimmed = this.trimmedTo > this.startRev;
    if (rev >= this.startRev) {
      if (trimmed && rev < this.trimmedTo) return undefined;
      // Every watcher asks on every change: a search, not a scan of the 20,000 held.
      return { events: this.events.slice(this.firstAfter(rev), this.firstAfter(upTo)), upTo };
    }
    if (trimmed) return undefined;
    // Before this cache started: the store's feed (if it still reaches back), then ours.
    let older: WatchEvent[];
    try {
      older = (await this.api.changesSince(rev)).filter((e) => e.rev <= this.startRev);
    } catch (e) {
      if (isRevisionCompacted(e)) return undefined;
      throw e;
    }
    // A feed that reports compaction (etcd) has gaps between object events (other keys'
    // writes), so only the file store's trimmed journal needs the gap check.
    if (!this.api.feedReportsCompaction && older.length && older[0].rev > rev + 1) {
      const all = await this.api.changesSince(0);
      if (!all.length || all[0].rev > rev + 1) return undefined;
    }
    return { events: [...older, ...this.events.filter((e) => e.rev <= upTo)], upTo };
  }

  /**
   * A list served from memory, as kube-apiserver serves lists from its watch cache: for a
   * store whose reads cost a network round trip and a decode per object (etcd). Consistent:
   * it waits until the cache has every change up to etcd's current revision (as
   * ConsistentListFromCache does), or up to `notOlderThan`. The first list of a resource
   * reads it from the store; later changes are applied as the watermark moves. Undefined
   * when the cache cannot answer (another store, or not fresh in time): read the store.
   * The objects are shared: callers must only read them.
   */
  async list(rt: ResourceType, opts: ListOptions, notOlderThan?: number): Promise<{ items: KObject[]; resourceVersion: string } | undefined> {
    if (!this.api.feedReportsCompaction || !this.timer) return undefined;
    const want = notOlderThan ?? Number(await this.api.store.currentRev());
    if (!(await this.fresh(want))) return undefined;
    const prefix = listPrefix(rt);
    let state = this.states.get(prefix);
    if (!state) {
      const res = await this.api.store.list(prefix);
      // The store's list may be newer than the watermark: catch up, then apply what came after it.
      if (!(await this.fresh(res.rev))) return undefined;
      if (res.rev < this.trimmedTo || this.states.has(prefix)) return this.list(rt, opts, notOlderThan);
      state = { objects: new Map(), sorted: undefined };
      for (const o of res.items) state.objects.set(this.keyOf(prefix, o), o);
      this.states.set(prefix, state);
      this.applyTo(prefix, state, this.events.filter((e) => e.rev > res.rev && e.rev <= this.watermark));
    }
    state.sorted ??= [...state.objects.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    const ns = rt.namespaced && opts.namespace ? opts.namespace : undefined;
    const { labelMatch, fieldMatch } = opts;
    const items = ns || labelMatch || fieldMatch ? state.sorted.filter((o) => (!ns || o.metadata.namespace === ns) && (!labelMatch || labelMatch(o.metadata.labels ?? {})) && (!fieldMatch || fieldMatch(o))) : state.sorted.slice();
    return { items, resourceVersion: String(this.watermark) };
  }

  /**
   * Whether no object under `prefix` changed in (rev, upTo]: known only when this cache holds
   * every change of that range (recorded after it started, not trimmed, up to the watermark).
   */
  async unchangedSince(prefix: string, rev: number, upTo: number): Promise<boolean> {
    if (rev === upTo) return true;
    if (rev < this.startRev || rev < this.trimmedTo || rev > upTo) return false;
    if (this.watermark < upTo) await this.poll().catch(ignore);
    if (this.watermark < upTo) return false;
    const p = prefix + '/';
    for (let i = this.firstAfter(rev); i < this.events.length && this.events[i].rev <= upTo; i++) if (this.events[i].key.startsWith(p)) return false;
    return true;
  }

  /** Waits until the watermark reaches `rev`; false when it does not in time. */
  private async fresh(rev: number): Promise<boolean> {
    const end = Date.now() + FRESH_WAIT_MS;
    while (this.watermark < rev) {
      if (Date.now() >= end) return false;
      void this.poll().catch(ignore);
      await this.wait(POLL_MS);
    }
    return true;
  }

  private keyOf(prefix: string, o: KObject): string {
    return o.metadata.namespace ? `${prefix}/${o.metadata.namespace}/${o.metadata.name}` : `${prefix}/${o.metadata.name}`;
  }

  /** Applies the events in (from, to] to every resource state (in revision order: the log's). */
  private applyStates(from: number, to: number): void {
    // The log is in revision order: start at the first event after `from`.
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rev <= from) lo = mid + 1;
      else hi = mid;
    }
    const evs: WatchEvent[] = [];
    for (let i = lo; i < this.events.length && this.events[i].rev <= to; i++) evs.push(this.events[i]);
    for (const [prefix, state] of this.states) this.applyTo(prefix, state, evs);
  }

  private applyTo(prefix: string, state: ResourceState, evs: WatchEvent[]): void {
    const p = prefix + '/';
    for (const ev of evs) {
      if (!ev.key.startsWith(p)) continue;
      const had = state.objects.get(ev.key);
      if (had && Number(had.metadata.resourceVersion) >= ev.rev) continue;
      if (ev.type === 'DELETED') state.objects.delete(ev.key);
      else state.objects.set(ev.key, ev.object);
      state.sorted = undefined;
    }
  }

  /**
   * One watcher's waits (see wait()): a watch waits after every batch of changes, and adding
   * and removing an abort listener each time cost more than the wait itself with a hundred
   * watchers; this listens once for the watch's life. close() when the watch ends.
   * `sentUpTo`: the watermark the watcher's last since() answered; a poll that moved it
   * while the watcher was writing (not waiting) is not missed: the wait returns at once.
   */
  sleeper(signal?: AbortSignal): { wait(ms: number, sentUpTo: number): Promise<void>; close(): void } {
    let wake: (() => void) | undefined;
    const abort = () => wake?.();
    signal?.addEventListener('abort', abort, { once: true });
    return {
      wait: (ms, sentUpTo) =>
        new Promise<void>((resolve) => {
          if (signal?.aborted || this.watermark > sentUpTo) return resolve();
          const done = () => {
            clearTimeout(timer);
            this.waiters.delete(done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, ms);
          wake = done;
          this.waiters.add(done);
        }),
      close: () => signal?.removeEventListener('abort', abort),
    };
  }

  /** Resolves when new events may be there, after `ms` at the latest, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** A poll that failed (the store unreachable for a moment: etcd without quorum) is retried by the next one. */
function ignore(): void {}
