// The work queue of the controller manager (client-go's workqueue, "stingy"): a key added
// several times before it runs is processed once; delayed keys wait on the cluster clock;
// a key that fails is retried with exponential backoff.

import type { ReconcileKey } from './types';
import { MinHeap } from '../util/min-heap';

export interface QueueItem {
  reconciler: string;
  key: ReconcileKey;
}

interface Delayed {
  item: QueueItem;
  dueMs: number;
  periodic: boolean;
  /** A housekeeping beat a clock jump need not stop for (Result.sweep). */
  sweep: boolean;
  /** A periodic key's running command ends by itself then (Result.endsAfterMs). */
  endsAt?: number;
  /** When its key was first delayed (kept when an earlier time replaces it): due keys go ready in this order, the map's. */
  order: number;
}

export function itemId(reconciler: string, key: ReconcileKey): string {
  return `${reconciler}|${key.kind}|${key.namespace ?? ''}|${key.name}`;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 60_000;

export class WorkQueue {
  /** Ready keys of the first lane (Reconciler.lane), taken before the others. */
  private readonly readyFirst = new Map<string, QueueItem>();
  private readonly ready = new Map<string, QueueItem>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  /** Reconcilers whose keys go in the first lane. */
  private readonly firstLane = new Set<string>();
  /**
   * The delayed keys by due time: the daemon looks every 50 ms, and a scan of every timer
   * whenever one was due (a node's beat every 0.4 s at 5,000 nodes, 25,000 timers with
   * 20,000 pods) was ~10 % of a settled daemon's busy samples (docs/perf-issue-18.md round 90).
   */
  private readonly byDue = new MinHeap<Delayed>();
  private readonly live = (id: string, d: Delayed) => this.delayed.get(id) === d;
  private order = 0;

  /** Puts `reconciler`'s keys in the first lane from now on. */
  runFirst(reconciler: string): void {
    this.firstLane.add(reconciler);
  }

  private readyOf(item: QueueItem): Map<string, QueueItem> {
    return this.firstLane.has(item.reconciler) ? this.readyFirst : this.ready;
  }

  private makeReady(id: string, item: QueueItem): void {
    const ready = this.readyOf(item);
    if (!ready.has(id)) ready.set(id, item);
  }

  /** Queues a key to run now; a pending delayed entry for it is superseded. */
  add(item: QueueItem): void {
    const id = itemId(item.reconciler, item.key);
    this.delayed.delete(id);
    this.makeReady(id, item);
  }

  /** Queues a key for `dueMs` (cluster time); an earlier existing due time wins. */
  addAt(item: QueueItem, dueMs: number, periodic = false, sweep = false, endsAt?: number): void {
    const id = itemId(item.reconciler, item.key);
    if (this.readyOf(item).has(id)) return;
    const cur = this.delayed.get(id);
    if (cur && cur.dueMs < dueMs) return;
    if (cur && cur.dueMs === dueMs) {
      cur.periodic = cur.periodic && periodic;
      cur.sweep = cur.sweep && sweep;
      if (endsAt !== undefined && !(cur.endsAt! <= endsAt)) cur.endsAt = endsAt;
      return;
    }
    const order = cur ? cur.order : ++this.order;
    const d: Delayed = endsAt === undefined ? { item, dueMs, periodic: periodic || sweep, sweep, order } : { item, dueMs, periodic: periodic || sweep, sweep, endsAt, order };
    this.delayed.set(id, d);
    // Superseded and removed entries stay in the heap until they reach its top.
    if (this.byDue.size > 2 * this.delayed.size + 1024) {
      this.byDue.clear();
      for (const [k, e] of this.delayed) this.byDue.push(e.dueMs, k, e);
    } else this.byDue.push(dueMs, id, d);
  }

  /** Moves every delayed key due at or before `nowMs` to the ready list (in the order they were delayed). */
  promote(nowMs: number): void {
    const due: Array<[string, Delayed]> = [];
    while (this.byDue.min(this.live) <= nowMs) {
      const [id, d] = this.byDue.take();
      this.delayed.delete(id);
      due.push([id, d]);
    }
    if (due.length > 1) due.sort((a, b) => a[1].order - b[1].order);
    for (const [id, d] of due) this.makeReady(id, d.item);
  }

  /**
   * Makes every housekeeping sweep ready now, whatever its due time: at the start of a clock
   * jump, so that a beat whose object changed outside the API since it was queued (a node
   * powered off: no longer a live node's renewal) is seen before the jump skips its beats.
   */
  promoteSweeps(): void {
    for (const [id, d] of this.delayed) {
      if (!d.sweep) continue;
      this.delayed.delete(id);
      this.makeReady(id, d.item);
    }
  }

  /** Takes the oldest ready key of the first lane, else the oldest ready key. */
  pop(): QueueItem | undefined {
    const ready = this.readyFirst.size ? this.readyFirst : this.ready;
    const first = ready.entries().next();
    if (first.done) return undefined;
    ready.delete(first.value[0]);
    return first.value[1];
  }

  /** Records a failure; returns the backoff before the next try (5 ms · 2^n in client-go, coarser here). */
  fail(item: QueueItem): number {
    const id = itemId(item.reconciler, item.key);
    const n = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, n);
    return Math.min(BACKOFF_BASE_MS * 2 ** (n - 1), BACKOFF_MAX_MS);
  }

  failureCount(item: QueueItem): number {
    return this.failures.get(itemId(item.reconciler, item.key)) ?? 0;
  }

  forget(item: QueueItem): void {
    this.failures.delete(itemId(item.reconciler, item.key));
  }

  readyCount(): number {
    return this.readyFirst.size + this.ready.size;
  }

  delayedCount(): number {
    return this.delayed.size;
  }

  /**
   * The earliest due time among delayed keys (optionally only those waiting for progress,
   * or all but housekeeping sweeps: the stops of a clock jump). With `progressOnly`, a
   * periodic key whose command ends by `endsBy` waits for progress until that end.
   */
  nextDue(opts: { progressOnly?: boolean; skipSweeps?: boolean; endsBy?: number } = {}): number | undefined {
    let min: number | undefined;
    for (const d of this.delayed.values()) {
      let due = d.dueMs;
      if (opts.progressOnly && d.periodic) {
        if (d.endsAt === undefined || !(d.endsAt <= opts.endsBy!)) continue;
        due = d.endsAt;
      }
      if (opts.skipSweeps && d.sweep) continue;
      if (min === undefined || due < min) min = due;
    }
    return min;
  }
}
