// The controller manager: a level-triggered loop over the reconcilers. It enqueues every
// primary object once (resync), then follows the store's change journal, mapping each
// changed object to the keys to look at again (the object itself for reconcilers keyed on
// its kind, plus each reconciler's `watches` mappers). A missed notification only delays
// work: every reconcile re-reads the state it needs.

import { spanBegin, spanEnd } from '../util/span-trace';
import type { KObject } from '../api/types';
import { componentOf, withFieldManager } from '../api/managed-fields/index';
import { ManualClock, ClusterClock } from '../sim/clock';
import { WorkQueue, type QueueItem } from './queue';
import { isRevisionCompacted, type EventType } from '../store/store';
import { TerminalError, type ControllerContext, type ReconcileKey, type Reconciler } from './types';
import { sleep } from '../util/sleep';

export interface StableOptions {
  /** Cluster time the clock may be advanced over waits (default 10 min). */
  timeoutMs?: number;
  /** Safety net against reconcilers that write on every pass. */
  maxReconciles?: number;
  /**
   * A wait under way when the timeout passes (a progress deadline, a back-off) is followed
   * to its end, once, if that comes within this much more cluster time (default 0).
   */
  graceMs?: number;
}

export interface StableResult {
  /** True when nothing but steady-state timers is left. */
  stable: boolean;
  /** Cluster milliseconds the clock was advanced. */
  advancedMs: number;
  reconciles: number;
}

export interface ManagerStats {
  reconciles: number;
  errors: number;
  lastError?: string;
  lastErrorAt?: number;
  queued: number;
  delayed: number;
  /** Full re-lists because the change feed had lost history (compaction, a trimmed journal). */
  relists: number;
}

/** Reconciles between two looks at the change feed while a long queue drains. */
const POLL_EVERY_ITEMS = 500;

type Mapper = (obj: KObject, ctx: ControllerContext, type?: EventType) => ReconcileKey[] | Promise<ReconcileKey[]>;

function groupOf(apiVersion: string | undefined): string {
  return apiVersion && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function kindId(apiVersion: string | undefined, kind: string | undefined): string {
  return `${groupOf(apiVersion)}/${kind ?? ''}`;
}

/** Advances a clock that can be moved (ManualClock, ClusterClock); false for the real clock. */
export async function advanceClock(clock: unknown, ms: number): Promise<boolean> {
  if (clock instanceof ManualClock || clock instanceof ClusterClock) {
    await clock.advance(ms);
    return true;
  }
  const c = clock as { advance?: (ms: number) => unknown };
  if (typeof c.advance === 'function') {
    await c.advance(ms);
    return true;
  }
  return false;
}

function seenId(reconciler: string, key: ReconcileKey): string {
  return `${reconciler}\0${key.namespace ?? ''}\0${key.name}`;
}

export class ControllerManager {
  readonly queue = new WorkQueue();
  private readonly byName = new Map<string, Reconciler>();
  /** The reconcilers with a flush (see flushPass). */
  private readonly flushing: Reconciler[];
  /** kind id → reconcilers keyed on it. */
  private readonly primaries = new Map<string, Reconciler[]>();
  /** kind (any group) → [reconciler, mapper]. */
  private readonly watchers = new Map<string, Array<[Reconciler, Mapper]>>();
  private lastRev = -1;
  /** reconciler + key → the versions of the key's object its last reconcile read and wrote (Result). */
  private readonly seen = new Map<string, { read: number; wrote: number }>();
  readonly stats: ManagerStats = { reconciles: 0, errors: 0, queued: 0, delayed: 0, relists: 0 };

  constructor(
    readonly reconcilers: Reconciler[],
    readonly ctx: ControllerContext,
  ) {
    this.flushing = reconcilers.filter((r) => r.flush);
    for (const r of reconcilers) {
      if (this.byName.has(r.name)) throw new Error(`duplicate reconciler name ${r.name}`);
      this.byName.set(r.name, r);
      if (r.lane === 'first') this.queue.runFirst(r.name);
      const id = kindId(r.primary[0], r.primary[1]);
      this.primaries.set(id, [...(this.primaries.get(id) ?? []), r]);
      for (const w of r.watches ?? []) this.watchers.set(w.kind, [...(this.watchers.get(w.kind) ?? []), [r, w.map]]);
    }
  }

  /** Enqueues every primary object of every reconciler (start-up, or after a journal gap). */
  async resync(opts: { keepFeed?: boolean } = {}): Promise<void> {
    const api = this.ctx.api;
    // The periodic safety net keeps its place in the feed, so `watches` still see the changes
    // since the last poll; otherwise those changes are skipped and reconcilers are told.
    if (!opts.keepFeed || this.lastRev < 0) {
      this.lastRev = await api.currentRev();
      this.seen.clear();
      for (const r of this.reconcilers) r.relisted?.(this.ctx);
    }
    for (const r of this.reconcilers) {
      let rt;
      try {
        rt = api.registry.forKind(r.primary[0], r.primary[1]);
      } catch {
        continue; // a CRD-backed primary that is not installed
      }
      // Keys only: the matcher sees each stored object where it lies and keeps none, so a
      // re-list of 10,000 pods copies nothing.
      const keys: ReconcileKey[] = [];
      const filter = r.primaryFilter;
      await api.list(rt, {
        fieldMatch: (obj) => {
          if (!filter || filter(obj)) keys.push({ kind: r.primary[1], namespace: obj.metadata.namespace, name: obj.metadata.name! });
          return false;
        },
      });
      for (const key of keys) this.queue.add({ reconciler: r.name, key });
    }
  }

  /** Maps the journal's changes since the last poll to keys; returns how many changes were seen. */
  async pollChanges(): Promise<number> {
    const s = spanBegin();
    const n = await this.pollChangesTraced();
    spanEnd('poll', s, n);
    return n;
  }

  private async pollChangesTraced(): Promise<number> {
    if (this.lastRev < 0) {
      // First look: everything is new (callers keep processing what this queued).
      await this.resync();
      return 1;
    }
    const current = await this.ctx.api.currentRev();
    if (current === this.lastRev) return 0;
    let changes: Awaited<ReturnType<ControllerContext['api']['changesSince']>>;
    try {
      // Only read (mapped to keys): shared, not copied.
      changes = await this.ctx.api.changesSince(this.lastRev, { shared: true });
    } catch (e) {
      if (!isRevisionCompacted(e)) throw e;
      // etcd compacted the history we had not read yet: re-list (an informer's relist).
      this.ctx.log(`the change feed was compacted past revision ${this.lastRev}: listing everything again`);
      this.stats.relists++;
      await this.resync();
      return 1;
    }
    if (!changes.length) {
      // etcd: the revision also moves for writes outside the registry (the clock, status
      // documents); nothing of the registry changed up to `current`.
      if (this.ctx.api.feedReportsCompaction) {
        this.lastRev = Math.max(this.lastRev, current);
        return 0;
      }
      // A journal that no longer holds the writes (trimmed): re-read everything.
      this.stats.relists++;
      await this.resync();
      return 1;
    }
    const outer = this.ctx.mapperReads;
    this.ctx.mapperReads = new Map();
    try {
      for (const ch of changes) {
        const pending = this.enqueueFor(ch.object, ch.type);
        if (pending) await pending;
      }
    } finally {
      this.ctx.mapperReads = outer;
    }
    this.lastRev = changes[changes.length - 1].rev;
    return changes.length;
  }

  /**
   * Queues the keys a changed object maps to. Synchronous unless a mapper answers with a
   * promise (most map from the object alone): a change costs no promise per watcher.
   */
  enqueueFor(obj: KObject, type?: EventType): Promise<void> | undefined {
    const kind = obj.kind;
    for (const r of this.primaries.get(kindId(obj.apiVersion, kind)) ?? []) {
      if (r.primaryFilter && !r.primaryFilter(obj)) continue;
      const key = { kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' };
      const id = this.seen.size ? seenId(r.name, key) : '';
      const seen = id ? this.seen.get(id) : undefined;
      if (seen) {
        const v = Number(obj.metadata?.resourceVersion);
        // Nothing older follows in the feed (a deleted object's entry goes with it: at most one per object).
        if (type === 'DELETED' || v >= Math.max(seen.read, seen.wrote)) this.seen.delete(id);
        if (type !== 'DELETED' && (v === seen.wrote || v <= seen.read)) continue;
      }
      this.queue.add({ reconciler: r.name, key });
    }
    const watchers = this.watchers.get(kind);
    return watchers && this.mapWatchers(watchers, 0, obj, type);
  }

  /** The watchers' mappers from `from` on, in order; a promise once one answers with one. */
  private mapWatchers(watchers: Array<[Reconciler, Mapper]>, from: number, obj: KObject, type: EventType | undefined): Promise<void> | undefined {
    for (let i = from; i < watchers.length; i++) {
      const [r, map] = watchers[i];
      let keys: ReconcileKey[] | Promise<ReconcileKey[]>;
      try {
        keys = map(obj, this.ctx, type);
      } catch (e) {
        this.noteError(r.name, e);
        continue;
      }
      if (!Array.isArray(keys)) {
        return keys.then(
          (ks) => this.queueAll(r, ks),
          (e) => this.noteError(r.name, e),
        ).then(() => this.mapWatchers(watchers, i + 1, obj, type));
      }
      this.queueAll(r, keys);
    }
    return undefined;
  }

  private queueAll(r: Reconciler, keys: ReconcileKey[]): void {
    for (const key of keys) this.queue.add({ reconciler: r.name, key });
  }

  /** Queues one key directly (CLI verbs that want a prompt look, tests). */
  enqueue(reconciler: string, key: ReconcileKey, afterMs = 0): void {
    if (afterMs > 0) this.queue.addAt({ reconciler, key }, this.ctx.clock.now() + afterMs);
    else this.queue.add({ reconciler, key });
  }

  /** Runs one queued key: success forgets its failures, a thrown error backs off, TerminalError drops it. */
  async runItem(item: QueueItem): Promise<void> {
    const r = this.byName.get(item.reconciler);
    if (!r) return;
    this.stats.reconciles++;
    const s = spanBegin();
    try {
      // A reconcile's writes share the lock in small groups (cheap, and a reconcile that
      // creates thousands of pods never locks users out for all of it).
      const result = await this.ctx.api.group(() => withFieldManager(componentOf(r.name), () => r.reconcile(item.key, this.ctx)));
      spanEnd('rc', s, r.name);
      this.queue.forget(item);
      if (result && (result.readVersion !== undefined || result.wroteVersion !== undefined)) {
        this.seen.set(seenId(r.name, item.key), { read: Number(result.readVersion ?? -1), wrote: Number(result.wroteVersion ?? -1) });
      } else if (this.seen.size) this.seen.delete(seenId(r.name, item.key));
      if (result && result.requeueAfterMs !== undefined && result.requeueAfterMs >= 0) {
        const now = this.ctx.clock.now();
        const endsAt = result.periodic && result.endsAfterMs !== undefined ? now + Math.max(1, Math.ceil(result.endsAfterMs)) : undefined;
        this.queue.addAt(item, now + Math.max(1, Math.ceil(result.requeueAfterMs)), result.periodic === true, result.sweep === true, endsAt);
      }
    } catch (e) {
      this.noteError(item.reconciler, e, item.key);
      if (e instanceof TerminalError) {
        this.queue.forget(item);
        return;
      }
      this.queue.addAt(item, this.ctx.clock.now() + this.queue.fail(item));
    }
  }

  private noteError(reconciler: string, e: unknown, key?: ReconcileKey): void {
    this.stats.errors++;
    const where = key ? ` ${key.kind} ${key.namespace ? key.namespace + '/' : ''}${key.name}` : '';
    this.stats.lastError = `${reconciler}${where}: ${e instanceof Error ? e.message : String(e)}`;
    this.stats.lastErrorAt = this.ctx.clock.now();
    this.ctx.log(`error: ${this.stats.lastError}`);
  }

  /**
   * Processes ready keys (and keys due by now) until none is left, `limit` ran or `signal`
   * aborts (checked between keys: a daemon told to stop during a 1,000,000-replica burst
   * ran its pass of 5,000 keys to the end first, over 90 s on a loaded machine).
   */
  async processReady(limit = Infinity, signal?: AbortSignal): Promise<number> {
    // One group for the whole pass: its writes share the lock and one journal fsync per
    // hold (handed to a waiting user at the next write or read), and their object files
    // are written once per key when the lock is given up (group commit).
    return this.ctx.api.group(() => this.processReadyGrouped(limit, signal));
  }

  /**
   * The daemon (runForever) also follows the feed every this many ms of a long drain: writes
   * by other processes (a user's new pod) are seen then, not after hundreds of keys. In-process
   * runs poll by count only, so the order keys run in does not depend on the machine's speed.
   */
  private pollEveryMs = Infinity;

  private async processReadyGrouped(limit: number, signal: AbortSignal | undefined): Promise<number> {
    let n = 0;
    let sincePoll = 0;
    let polledAt = Date.now();
    this.queue.promote(this.ctx.clock.now());
    for (;;) {
      if (n >= limit || signal?.aborted) break;
      const item = this.queue.pop();
      if (!item) {
        // Follow what the batch just wrote before declaring the queue empty.
        await this.flushPass();
        if (await this.pollChanges() === 0) break;
        this.queue.promote(this.ctx.clock.now());
        continue;
      }
      await this.runItem(item);
      n++;
      // Follow the feed during a long drain too, as an informer does: looking only once the
      // queue is empty, the manager fell behind a journal trimmed meanwhile and re-listed
      // everything (a 3,000-pod roll-out fell 12,000 revisions behind; at 10,000 pods each
      // re-list's drain fell behind again).
      if (++sincePoll >= POLL_EVERY_ITEMS || Date.now() - polledAt >= this.pollEveryMs) {
        sincePoll = 0;
        polledAt = Date.now();
        await this.flushPass();
        await this.pollChanges();
        // Timers that came due meanwhile (a pull finished) join the queue too, rather than
        // waiting for the whole backlog to drain.
        this.queue.promote(this.ctx.clock.now());
      }
    }
    await this.flushPass(); // a pass cut short by its limit or a stop
    this.stats.queued = this.queue.readyCount();
    this.stats.delayed = this.queue.delayedCount();
    return n;
  }

  /** The reconcilers' writes left to go together (Reconciler.flush), in the pass's group. */
  private async flushPass(): Promise<void> {
    for (const r of this.flushing) {
      try {
        await r.flush!(this.ctx);
      } catch (e) {
        this.noteError(r.name, e);
      }
    }
  }

  /**
   * Runs in-process until nothing more changes: drains the queue and, when only timers
   * remain, advances the clock to the next one that waits for progress (steady-state
   * timers due before it run once at that time). Deterministic: the clock only moves here.
   */
  async runUntilStable(opts: StableOptions = {}): Promise<StableResult> {
    // One group for the whole run: the store keeps its lock (and defers object files) while
    // nobody else waits for it, so a roll-out writes each object file once.
    return this.ctx.api.group(() => this.runUntilStableGrouped(opts));
  }

  /**
   * The settle window of `reconcile --until-stable` and `check`: `timeoutMs` of cluster time,
   * and a wait under way when it closes (a progress deadline: a Deployment refused pods by a
   * quota times out 10m04s in) followed to its end once if that comes within as long again.
   */
  settle(timeoutMs: number, opts: { maxReconciles?: number } = {}): Promise<StableResult> {
    return this.runUntilStable({ timeoutMs, graceMs: timeoutMs, maxReconciles: opts.maxReconciles });
  }

  private async runUntilStableGrouped(opts: StableOptions): Promise<StableResult> {
    const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
    const maxReconciles = opts.maxReconciles ?? 5_000_000;
    const start = this.ctx.clock.now();
    const startReconciles = this.stats.reconciles;
    let end = start + timeoutMs;
    let graceLeft = (opts.graceMs ?? 0) > 0;
    const result = (stable: boolean) => ({ stable, advancedMs: this.ctx.clock.now() - start, reconciles: this.stats.reconciles - startReconciles });
    await this.pollChanges();
    for (;;) {
      await this.processReady(maxReconciles - (this.stats.reconciles - startReconciles));
      if (this.stats.reconciles - startReconciles >= maxReconciles) return result(false);
      const now = this.ctx.clock.now();
      // A running command that ends by itself is waited for only within a window from now.
      const due = this.queue.nextDue({ progressOnly: true, endsBy: now + timeoutMs });
      if (due === undefined) return result(true);
      if (due > end && graceLeft && due <= end + opts.graceMs!) {
        // Followed once: a Deployment stuck on a quota times out 10m04s after its last
        // progress and nothing changes after it; a crash loop's next back-off finds the
        // window closed, so it still ends.
        graceLeft = false;
        end = due;
      }
      if (due > end) {
        // The next wait ends after the deadline: the whole window passes, as it would have.
        const gap = end - now;
        if (gap > 0 && await advanceClock(this.ctx.clock, gap)) await this.processReady(maxReconciles - (this.stats.reconciles - startReconciles));
        return result(false);
      }
      if (due > now && !await advanceClock(this.ctx.clock, due - now)) return result(false);
    }
  }

  /**
   * After the shared clock jumped (`clock advance`, by another process or this one): runs
   * every timer due on the way at its own time, in order, with this process's view of the
   * clock held there, rather than all of them at the end of the jump -- a stopped node turns
   * NotReady at +40 s and is evicted 5 minutes later, in one advance. Housekeeping sweeps
   * make no stop of their own. Yields to the event loop now and then (signals, status).
   * Errors outside a reconcile are noted and stepping goes on (the daemon), or `onError`
   * decides (the CLI's in-process advance rethrows them). Reconcilers see the jump in
   * `ctx.jump` (`exact`: no fast-forward, every firing stepped).
   */
  async stepThrough(jump: { from: number; to: number }, hold: (t: number | undefined) => void, opts: { signal?: AbortSignal; onError?: (e: unknown) => void; exact?: boolean } = {}): Promise<void> {
    const { signal, onError = (e: unknown) => this.noteError('manager', e) } = opts;
    this.ctx.jump = { from: jump.from, to: jump.to, ...(opts.exact ? { exact: true } : {}) };
    hold(jump.from);
    // A jump skips housekeeping beats; run each once at its start, so that one which no
    // longer is a beat (`node stop` since: the node turns NotReady on the way) is seen.
    this.queue.promoteSweeps();
    try {
      for (let step = 1; !signal?.aborted; step++) {
        try {
          await this.processReady(5000, signal); // it follows the journal once the queue is empty
        } catch (e) {
          onError(e);
        }
        if (step % 100 === 0) await new Promise((r) => setImmediate(r));
        if (this.queue.readyCount() > 0) continue; // a long pass: finish it at this time
        const due = this.queue.nextDue({ skipSweeps: true });
        if (due === undefined || due > jump.to) break;
        hold(Math.max(due, this.ctx.clock.now()));
      }
    } finally {
      hold(undefined);
      delete this.ctx.jump;
    }
  }

  /**
   * Runs until `signal` aborts, on a clock that moves by itself (the daemon): polls the
   * journal every `pollMs` of real time, runs due timers, resyncs fully now and then.
   */
  async runForever(signal: AbortSignal, opts: { pollMs?: number; resyncMs?: number; onTick?: (lagMs: number, steppedTo?: number) => void } = {}): Promise<void> {
    const pollMs = opts.pollMs ?? 50;
    this.pollEveryMs = pollMs;
    // The journal carries every change and timers carry scheduled work, so the full resync is
    // only a safety net (informers resync rarely too); each one re-reads every object.
    const resyncMs = opts.resyncMs ?? 10 * 60_000;
    let lastResync = Date.now();
    await this.resync();
    while (!signal.aborted) {
      const tickStart = Date.now();
      const clock = this.ctx.clock as { refresh?: () => Promise<{ from: number; to: number } | void> | void; hold?: (t: number | undefined) => void };
      const jump = await clock.refresh?.(); // another process may have advanced or sped up the clock
      const stepped = jump && clock.hold ? jump : undefined;
      if (stepped) await this.stepThrough(stepped, (t) => clock.hold!(t), { signal });
      if (tickStart - lastResync > resyncMs) {
        lastResync = tickStart;
        await this.resync({ keepFeed: true });
      }
      try {
        await this.pollChanges();
        await this.processReady(5000, signal);
      } catch (e) {
        this.noteError('manager', e);
      }
      const spent = Date.now() - tickStart;
      opts.onTick?.(spent, stepped && !signal.aborted ? stepped.to : undefined);
      await sleep(Math.max(1, pollMs - spent));
    }
  }
}
