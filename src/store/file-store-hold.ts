// How long a file store holds its lock (see file-store.ts): a batch takes it and gives it up;
// inside a group the batches share one hold (group commit), which is handed to a waiting
// process once its slice is used, after HOLD_MAX_MS or HOLD_MAX_WRITES, or at the group's end.
// What a take and a release do to the store (recovery, the journal's tail, the files' slice)
// is the store's: HoldOwner.
//
// The daemon's releases (a store that took the lock with beginBatchAsync) sync the journal
// off the event loop: the lock stays held until the sync is done, the process's own writers
// wait for it (the async store awaits releaseInFlight() before writing, and before answering
// a batch or a group), and a synchronous call needing the hold settles it at once
// (settleNow). A disk stall of seconds in that sync (1.9 s seen, issue #12) froze every
// request, timer and reconcile of the daemon as long.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { warnOnce } from './file-store-files';
import { FileLock, lockPriority } from './file-lock';
import { StoreNotFoundError } from './store';
import { storeFaultPoint } from './fault-points';
import { requireStoreDir } from './file-store-support';
import { span, spanBegin, spanEnd, type SpanStart } from '../util/span-trace';

export const LOCK_TIMEOUT_MS = 30_000;
/** A group (see group()) gives the lock up when another process waits for it, or else after this long or this many deferred writes. */
const HOLD_MAX_MS = 3_000;
const HOLD_MAX_WRITES = 50_000;
const WAITER_CHECK_MS = 10;
/**
 * How long a workload-high holder (the daemon) keeps the lock once others wait: its level's
 * larger share of the lock (APF's concurrency shares), so the controllers keep up with ten
 * users creating at once; a user's wait stays bounded (one such slice per turn of theirs).
 */
const HIGH_SLICE_MS = 100;
/**
 * How long a user's group (one `apply -f` of many documents) keeps the lock once others wait:
 * long enough that a hand-over (the journal's sync and the small tail's files on release, the
 * journal's new tail read by the next holder, the next waiter's wake-up: tens of ms on a loaded
 * machine) is not paid every write or two; short enough that 70 writers each get a turn soon.
 */
const USER_SLICE_MS = 50;

/** What the store does when the hold starts and ends. */
export interface HoldOwner {
  /** Before waiting for the lock, outside it (the journal trim's copy); `asyncTake` from beginBatchAsync (the daemon's). */
  beforeTake(asyncTake?: boolean): void;
  /** The lock was just taken: make the store's state the journal's. A throw gives the lock back (the store undoes its own part). */
  taken(brokeStale: boolean): void;
  /**
   * The lock is about to be given up (see FileStore.releaseBegin): the store's work before the
   * journal's sync; returns whether that sync is needed. Its own part undone when this throws.
   */
  releaseBegin(): boolean;
  /** The journal's sync, on this thread or on the thread pool. */
  sync(): void;
  syncAsync(): Promise<void>;
  /**
   * The rest, after the sync (`synced` false: it failed): its own part undone even when this
   * throws. `deferRev`: `rev`'s write put off (its file written, not synced: revBegun), to be
   * synced (revSync, revSyncAsync) and renamed (revEnd) before the lock is given up.
   */
  releaseEnd(groupEnd: boolean, handOver: boolean | undefined, synced: boolean, deferRev: boolean): void;
  revBegun(): boolean;
  revSync(): void;
  revSyncAsync(): Promise<void>;
  revEnd(synced: boolean): void;
  /** Writes since the hold started. */
  writesThisHold(): number;
}

export class LockHold {
  /** Whether the store holds the lock (inside a batch, or between the batches of a group). */
  held = false;
  /** Inside a group (see group()). */
  grouping = false;
  private readonly lock: FileLock;
  private depth = 0;
  private since = 0;
  private lastWaiterCheck = 0;
  /** The hold's span (util/span-trace.ts), when tracing. */
  private holdSpan: SpanStart | undefined;
  /** A store of the daemon's (beginBatchAsync): a release syncs the journal off the event loop. */
  private syncOffLoop = false;
  /** A release waiting for its journal sync, the lock still held (see releaseOffLoop). */
  private inFlight: InFlight | undefined;
  /** A release in flight that failed with nobody awaiting it (a timer's): given to the next caller of releaseInFlight. */
  private unreported: { e: unknown } | undefined;
  /**
   * Between the batches of a group, while its task awaits something else (the daemon: other
   * tasks' reconciles, requests being answered, a user's turn), no store call comes to hand
   * the lock over: a writer waited up to 400 ms for a lock nobody was using. A timer looks.
   */
  private idleCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: string,
    private readonly owner: HoldOwner,
  ) {
    this.lock = new FileLock(path.join(root, 'lock'), LOCK_TIMEOUT_MS);
  }

  othersWaiting(): boolean {
    return this.lock.othersWaiting();
  }

  batch<T>(fn: () => T): T {
    this.beginBatch();
    try {
      return fn();
    } finally {
      this.endBatch();
    }
  }

  /** Opens a batch (the async adapter's `batch` holds it across awaits); nested calls join. */
  beginBatch(): void {
    if (this.depth > 0) {
      this.depth++;
      return;
    }
    this.settleNow();
    if (!this.held) this.take();
    this.depth = 1;
  }

  /**
   * beginBatch whose wait for another process's lock lets the event loop turn (the daemon
   * answers requests meanwhile instead of sleeping on the lock). The async store calls it
   * holding its own batch turn, so nothing else of this process takes the lock meanwhile.
   */
  async beginBatchAsync(): Promise<void> {
    this.syncOffLoop = true;
    while (this.inFlight) await this.inFlight.over;
    if (this.depth > 0 || this.held) return this.beginBatch();
    storeFaultPoint('take', this.root);
    let s = spanBegin();
    this.owner.beforeTake(true); // outside the lock, as in take
    spanEnd('beforeTake', s);
    s = spanBegin();
    let broke: boolean;
    try {
      broke = await this.lock.acquireAsync();
    } catch (e) {
      throw this.gone() ? new StoreNotFoundError(this.root) : e;
    }
    spanEnd('lock.wait', s);
    this.take(broke);
    this.depth = 1;
  }

  endBatch(): void {
    if (this.depth > 1) {
      this.depth--;
      return;
    }
    this.depth = 0;
    if (!this.grouping) {
      this.release();
      return;
    }
    // Give the lock up once the deferred writes are many or old, or as soon as someone waits
    // for it; otherwise keep it, so that a long pass writes each object file once (group
    // commit) instead of once per small group.
    if (this.owner.writesThisHold() >= HOLD_MAX_WRITES || Date.now() - this.since >= HOLD_MAX_MS) this.release();
    else this.yieldIfWaited();
    if (this.held && !this.idleCheck) this.idleCheck = setTimeout(() => this.checkIdle(), WAITER_CHECK_MS).unref();
  }

  private checkIdle(): void {
    this.idleCheck = undefined;
    if (!this.held || this.depth > 0) return;
    this.yieldBetweenBatches();
    if (this.held) this.idleCheck = setTimeout(() => this.checkIdle(), WAITER_CHECK_MS).unref();
  }

  /**
   * Hands the lock to a waiting process, looking at most every WAITER_CHECK_MS (a hold makes
   * that much progress at least). Waiting for a share of 50 ms or 100 writes before looking,
   * and looking only at the end of a write, made a user's write wait 100-300 ms (seconds at
   * times) behind a daemon creating pods: its reconciles compute between writes.
   */
  private yieldIfWaited(): void {
    const now = Date.now();
    if (now - Math.max(this.since, this.lastWaiterCheck) < WAITER_CHECK_MS) return;
    if (now - this.since < (lockPriority() === 'workload-high' ? HIGH_SLICE_MS : USER_SLICE_MS)) return;
    this.lastWaiterCheck = now;
    if (this.lock.othersWaiting()) this.release(false, true);
  }

  /** A read between the batches of a group (the lock kept only for group commit) yields it too. */
  yieldBetweenBatches(): void {
    if (this.held && this.grouping && this.depth === 0) this.yieldIfWaited();
  }

  /**
   * Runs `fn`, whose writes (each its own batch, as the API server makes them) share the lock
   * until another process waits for it (see yieldIfWaited) instead of one batch holding it
   * for all of `fn`: a long reconcile stays cheap without locking users out.
   */
  group<T>(fn: () => T): T {
    const started = this.beginGroup();
    try {
      return fn();
    } finally {
      this.endGroup(started);
    }
  }

  /** Starts a group unless one (or a batch) is open; returns whether it did, for endGroup. */
  beginGroup(): boolean {
    if (this.depth > 0 || this.grouping) return false;
    this.grouping = true;
    return true;
  }

  endGroup(started: boolean): void {
    if (!started) return;
    this.grouping = false;
    if (this.held && this.depth === 0) this.release(true);
  }

  /** Takes the lock (`tookLock`: already taken by acquireAsync, which broke a stale one or not). */
  private take(tookLock?: boolean): void {
    if (tookLock === undefined) storeFaultPoint('take', this.root); // a test deletes the cluster here, between a command's open and its write
    let brokeStale = tookLock ?? false;
    let acquired = tookLock !== undefined;
    let s = spanBegin();
    if (!acquired) {
      this.owner.beforeTake(); // copies a journal past its limit aside, outside the lock
      spanEnd('beforeTake', s);
      s = spanBegin();
    }
    try {
      if (!acquired) {
        brokeStale = this.lock.acquire();
        spanEnd('lock.wait', s);
      }
      acquired = true;
      // `cluster delete` removes the store holding its lock: taken after that, the lock is in
      // a directory that is gone (or going). Nothing is written, nothing made again.
      requireStoreDir(this.root);
    } catch (e) {
      if (acquired) this.lock.release();
      throw this.gone() ? new StoreNotFoundError(this.root) : e;
    }
    this.held = true;
    this.since = Date.now();
    this.holdSpan = spanBegin();
    const t = spanBegin();
    try {
      this.owner.taken(brokeStale);
      spanEnd('taken', t);
    } catch (e) {
      this.held = false;
      this.lock.release();
      throw e;
    }
    // The daemon's turn (HIGH_SLICE_MS) counts from here: a take that read a trimmed journal
    // again (tens to hundreds of ms under load) had left it a pod or two to bind. A user's
    // turn still counts its take: it is what the daemon waits behind.
    if (lockPriority() === 'workload-high') this.since = Date.now();
  }

  /** Whether the store's directory is no longer there (removed by `cluster delete`). */
  private gone(): boolean {
    try {
      requireStoreDir(this.root);
      return false;
    } catch (e) {
      return e instanceof StoreNotFoundError;
    }
  }

  /**
   * The release whose journal sync is in flight, if any: settles once the lock is given up,
   * rejecting when the sync (or the rest of the release) failed: the caller acknowledges the
   * hold's writes only after it. `quiet`: only to wait for the lock to be given up (never
   * rejects; a failure stays for those whose writes it held).
   */
  releaseInFlight(quiet = false): Promise<void> | undefined {
    const f = this.inFlight;
    if (quiet) return f?.over;
    if (!f) {
      if (!this.unreported) return undefined;
      const { e } = this.unreported;
      this.unreported = undefined;
      return Promise.reject(e);
    }
    f.observed = true;
    return f.over.then(() => {
      if (f.error !== undefined) throw f.error;
    });
  }

  /** Finishes a release in flight now, its sync on this thread (a synchronous caller needs the hold settled). */
  settleNow(): void {
    const f = this.inFlight;
    if (!f) return;
    f.observed = true;
    let failed: { e: unknown } | undefined;
    f.now = true;
    try {
      // The thread pool's sync of the same file may still run: both are harmless.
      if (f.revPhase) this.owner.revSync();
      else this.owner.sync();
    } catch (e) {
      failed = { e };
    }
    f.finish(failed);
    if (f.error !== undefined) throw f.error;
  }

  /** Gives the lock up after the store's release work (HoldOwner.releaseBegin, the journal's sync, releaseEnd). */
  private release(groupEnd = false, handOver?: boolean): void {
    if (this.inFlight) {
      // Being given up already: a group that ended meanwhile still starts its files' round.
      this.inFlight.groupEnd ||= groupEnd;
      return;
    }
    const s = spanBegin();
    let needsSync: boolean;
    try {
      needsSync = this.owner.releaseBegin();
    } catch (e) {
      this.unlock(s, groupEnd, handOver);
      throw e;
    }
    if (needsSync && this.syncOffLoop) return this.releaseOffLoop(s, groupEnd, handOver);
    let synced = !needsSync;
    try {
      if (needsSync) span('rel.sync', () => this.owner.sync());
      synced = true;
    } finally {
      try {
        this.owner.releaseEnd(groupEnd, handOver, synced, false);
      } finally {
        this.unlock(s, groupEnd, handOver);
      }
    }
  }

  /**
   * The journal's sync on the thread pool, then the rest of the release, then `rev`'s own file
   * synced on the thread pool too when the release wrote one (HoldOwner.revBegun), and the
   * lock given up. A failure nobody awaited (a timer's release) goes to the next caller of
   * releaseInFlight (the async store's next batch or group end): the hold's writes must not be
   * acknowledged.
   */
  private releaseOffLoop(s: SpanStart | undefined, groupEnd: boolean, handOver: boolean | undefined): void {
    const sync = spanBegin();
    let over!: () => void;
    let revSync: SpanStart | undefined;
    const f: InFlight = {
      over: new Promise<void>((r) => (over = r)),
      groupEnd,
      observed: false,
      error: undefined,
      now: false,
      revPhase: false,
      finish: (failed) => {
        if (this.inFlight !== f) return; // settled already (settleNow)
        // Nothing here may throw past over(): those waiting for the release would wait forever.
        if (f.revPhase) {
          spanEnd('rel.revsync', revSync);
          try {
            this.owner.revEnd(!failed);
          } catch (e) {
            failed ??= { e };
          }
        } else {
          spanEnd('rel.sync', sync);
          let begun = false;
          try {
            this.owner.releaseEnd(f.groupEnd, handOver, !failed, !f.now);
            begun = this.owner.revBegun();
          } catch (e) {
            failed ??= { e };
          }
          if (begun && !failed) {
            f.revPhase = true;
            revSync = spanBegin();
            this.owner.revSyncAsync().then(
              () => f.finish(undefined),
              (e: unknown) => f.finish({ e }),
            );
            return;
          }
        }
        this.inFlight = undefined;
        try {
          this.unlock(s, f.groupEnd, handOver);
        } catch (e) {
          failed ??= { e };
        }
        if (failed) f.error = failed.e ?? new Error('the journal could not be synced');
        if (failed && !f.observed) {
          this.unreported = { e: f.error };
          warnOnce(`${this.root}#sync`, `the store's release failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
        }
        over();
      },
    };
    this.inFlight = f;
    this.owner.syncAsync().then(
      () => f.finish(undefined),
      (e: unknown) => f.finish({ e }),
    );
  }

  private unlock(s: SpanStart | undefined, groupEnd: boolean, handOver: boolean | undefined): void {
    spanEnd('releasing', s, { groupEnd, handOver: handOver ?? null });
    this.held = false;
    clearTimeout(this.idleCheck);
    this.idleCheck = undefined;
    this.lock.release();
    spanEnd('hold', this.holdSpan, this.owner.writesThisHold());
  }
}

/** A release waiting for its journal's sync (LockHold.releaseOffLoop). */
interface InFlight {
  /** Resolves once the lock is given up, whatever happened. */
  over: Promise<void>;
  groupEnd: boolean;
  /** Someone awaits the outcome (releaseInFlight, settleNow). */
  observed: boolean;
  error: unknown;
  /** Settled by settleNow: nothing more put on the thread pool. */
  now: boolean;
  /** The journal is synced and the rest done; `rev`'s file is being synced (HoldOwner.revBegun). */
  revPhase: boolean;
  finish(failed: { e: unknown } | undefined): void;
}

/**
 * Removes a file store (`cluster delete`) holding its lock, so that no write is half done in
 * it: its registry goes first, so a command that opened the store and writes later finds no
 * store (StoreNotFoundError) rather than writing into a directory being removed. A lock
 * that cannot be taken (damaged) does not keep a cluster from being deleted.
 */
export function removeFileStore(root: string): void {
  const lock = new FileLock(path.join(root, 'lock'), LOCK_TIMEOUT_MS);
  try {
    lock.acquire();
  } catch {
    /* removed all the same */
  }
  fs.rmSync(path.join(root, 'registry'), { recursive: true, force: true, maxRetries: 5 });
  fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
}
