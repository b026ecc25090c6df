// The work queue of the controller manager (client-go's workqueue, "stingy"): a key added
// several times before it runs is processed once; delayed keys wait on the cluster clock;
// a key that fails is retried with exponential backoff.

import type { ReconcileKey } from './types';

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
  /** No delayed key is due before this (a lower bound): the daemon looks every 50 ms, and a scan of 100,000 timers each time is most of its CPU at rest. */
  private earliest = Infinity;

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
    this.delayed.set(id, endsAt === undefined ? { item, dueMs, periodic: periodic || sweep, sweep } : { item, dueMs, periodic: periodic || sweep, sweep, endsAt });
    if (dueMs < this.earliest) this.earliest = dueMs;
  }

  /** Moves every delayed key due at or before `nowMs` to the ready list. */
  promote(nowMs: number): void {
    if (nowMs < this.earliest) return;
    let earliest = Infinity;
    for (const [id, d] of this.delayed) {
      if (d.dueMs <= nowMs) {
        this.delayed.delete(id);
        this.makeReady(id, d.item);
      } else if (d.dueMs < earliest) earliest = d.dueMs;
    }
    this.earliest = earliest;
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
