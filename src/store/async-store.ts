// The Promise-based Store over a synchronous engine (the file and memory backends). The
// engines stay synchronous inside, which is what keeps them fast; this adapter adds what
// asynchrony needs: a batch whose body awaits holds the engine's lock until it settles,
// and batches of different tasks of this process take turns (an async mutex), so two
// interleaving tasks never share one batch by accident. Calls made from inside a batch
// (however deep, across awaits) are recognised through AsyncLocalStorage and join it.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { KObject } from '../api/types';
import type { ListReadOptions, ListResult, MetaWriteOptions, Store, StoreUpdate, SyncStore, WatchEvent } from './store';

/**
 * How long a task may keep this process's event loop before a store call lets it turn (0:
 * never, the default). The engines are synchronous, so a reconcile creating 500 pods never
 * waited on anything: the daemon answered no request (a user's `create`) for seconds. The
 * daemon sets it (setEventLoopTurns); in-process runs keep their order independent of time.
 */
let turnEveryMs = 0;
let lastTurn = 0;

export function setEventLoopTurns(ms: number): void {
  turnEveryMs = ms;
}

async function turn(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  lastTurn = performance.now();
}

/**
 * Two flows, as kube-apiserver's API Priority and Fairness keeps one queue per flow so that
 * one flow's burst cannot starve another: users' requests served by the daemon
 * (asUserRequest) and everything else in the process (the controllers, scheduler and
 * kubelets). While a user's request is in progress, the others' store calls outside a batch
 * wait for it (their reconciles pause at their next store call), for at most USER_TURN_MS;
 * then they get as long a turn without waiting, so a stream of requests cannot stop them.
 * Only where event-loop turns are on (the daemon).
 */
const userFlow = new AsyncLocalStorage<RequestWaits>();
let usersActive = 0;
let othersTurnUntil = 0;
let usersDone: { promise: Promise<void>; resolve: () => void } | undefined;
const USER_TURN_MS = 100;

/**
 * What a user's request waited for in this process (ms): its turn at the store (the batch of
 * another task in progress, the group commit before its own) and another process's store
 * lock. The HTTP front end reports them (Server-Timing) beside the request's whole time.
 */
export interface RequestWaits {
  queueMs: number;
  lockMs: number;
}

/** The waits of the user's request this call runs in, if any (to add a wait of its own to). */
export function requestWaits(): RequestWaits | undefined {
  return userFlow.getStore();
}

/** Runs a user's request in the user flow (see userFlow); a nested call joins the request it runs in. */
export async function asUserRequest<T>(fn: () => Promise<T>, waits: RequestWaits = { queueMs: 0, lockMs: 0 }): Promise<T> {
  if (turnEveryMs <= 0 || userFlow.getStore()) return fn();
  usersActive++;
  try {
    return await userFlow.run(waits, fn);
  } finally {
    if (--usersActive === 0) {
      usersDone?.resolve();
      usersDone = undefined;
    }
  }
}

/** Waits while users' requests are in progress, up to USER_TURN_MS (then the others' turn). */
async function waitForUsers(): Promise<void> {
  const deadline = performance.now() + USER_TURN_MS;
  while (usersActive > 0) {
    const left = deadline - performance.now();
    if (left <= 0) {
      othersTurnUntil = performance.now() + USER_TURN_MS;
      break;
    }
    if (!usersDone) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      usersDone = { promise, resolve };
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([usersDone.promise, new Promise<void>((r) => (timer = setTimeout(r, left)))]);
    clearTimeout(timer);
  }
  lastTurn = performance.now();
}

export class EngineStore implements Store {
  /** The batch the current async context runs in, if any. */
  private readonly context = new AsyncLocalStorage<symbol>();
  /** The batch that holds the engine's lock, if any. */
  private active: symbol | undefined;
  private waiters: (() => void)[] = [];
  /** Waiters of the user flow (see userFlow), woken first. */
  private userWaiters: (() => void)[] = [];

  constructor(
    readonly engine: SyncStore,
    opts: { dataDir?: string } = {},
  ) {
    this.dataDir = opts.dataDir;
  }

  readonly dataDir: string | undefined;
  /** The engines write synchronously under one lock: concurrent writers gain from sharing a hold. */
  readonly groupCommits = true;

  async currentRev(): Promise<number> {
    return this.engine.currentRev();
  }

  async get(key: string, opts?: ListReadOptions): Promise<KObject | undefined> {
    if (this.turnDue()) await this.turn();
    const releasing = this.engine.releaseInFlight?.(true);
    if (releasing) await releasing; // not `await undefined`: a promise and a microtask per read
    return this.engine.get(key, opts);
  }

  async list(prefix: string, filter?: (obj: KObject) => boolean, opts?: ListReadOptions): Promise<ListResult> {
    if (this.turnDue()) await this.turn();
    const releasing = this.engine.releaseInFlight?.(true);
    if (releasing) await releasing; // not `await undefined`: a promise and a microtask per read
    return this.engine.list(prefix, filter, opts);
  }

  // Writes outside the open batch wait for it: a write of another task must not land
  // inside (and under the lock of) a batch it is not part of.
  async create(key: string, obj: KObject): Promise<KObject> {
    if (this.turnDue()) await this.turn();
    await this.writable();
    return this.engine.create(key, obj);
  }

  async update(key: string, obj: KObject, expectRev?: number, opts?: ListReadOptions): Promise<KObject> {
    if (this.turnDue()) await this.turn();
    await this.writable();
    return this.engine.update(key, obj, expectRev, opts);
  }

  async delete(key: string, expectRev?: number): Promise<KObject> {
    if (this.turnDue()) await this.turn();
    await this.writable();
    return this.engine.delete(key, expectRev);
  }

  async updateMany(writes: readonly StoreUpdate[], opts?: ListReadOptions): Promise<Array<KObject | Error>> {
    if (this.turnDue()) await this.turn();
    // Checked again right before writing, in the same synchronous step as the write.
    while (!this.mayWrite()) await this.wakeUp();
    if (this.engine.updateMany) return this.engine.updateMany(writes, opts);
    return this.engine.batch(() =>
      writes.map((w) => {
        try {
          return this.engine.update(w.key, w.obj, w.expectRev, opts);
        } catch (e) {
          return e as Error;
        }
      }),
    );
  }

  async changesSince(afterRev: number, opts?: ListReadOptions): Promise<WatchEvent[]> {
    if (this.turnDue()) await this.turn();
    const releasing = this.engine.releaseInFlight?.(true);
    if (releasing) await releasing; // not `await undefined`: a promise and a microtask per read
    return this.engine.changesSince(afterRev, opts);
  }

  async batch<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.turnDue()) await this.turn();
    if (this.active !== undefined && this.context.getStore() === this.active) return fn(); // nested: join
    // Wait, then take the turn in the same synchronous step as the last check: two tasks
    // that both saw the store free must not both open a batch.
    while (this.active !== undefined) await this.wakeUp();
    const token = Symbol('batch');
    this.active = token;
    try {
      // The daemon waits for another process's lock without blocking its event loop.
      if (turnEveryMs > 0 && this.engine.beginBatchAsync) {
        const waits = userFlow.getStore();
        const t0 = waits ? performance.now() : 0;
        await this.engine.beginBatchAsync();
        if (waits) waits.lockMs += performance.now() - t0;
      } else this.engine.beginBatch();
    } catch (e) {
      this.release();
      throw e;
    }
    try {
      return await this.context.run(token, fn);
    } finally {
      try {
        this.engine.endBatch();
        await this.engine.releaseInFlight?.(); // its writes acknowledged once synced
      } finally {
        this.release();
      }
    }
  }

  async group<T>(fn: () => Promise<T> | T): Promise<T> {
    const started = this.engine.beginGroup();
    try {
      return await fn();
    } finally {
      this.engine.endGroup(started);
      if (started) await this.engine.releaseInFlight?.();
    }
  }

  async syncWritten(): Promise<void> {
    await this.engine.syncWritten?.();
  }

  async readMeta<T>(name: string, shared?: boolean): Promise<T | undefined> {
    return this.engine.readMeta<T>(name, shared);
  }

  async writeMeta(name: string, value: unknown, opts?: MetaWriteOptions): Promise<void> {
    await this.writable();
    this.engine.writeMeta(name, value, opts);
  }

  async deleteMeta(name: string): Promise<void> {
    await this.writable();
    if (this.engine.deleteMeta) this.engine.deleteMeta(name);
    else this.engine.writeMeta(name, null);
  }

  async close(): Promise<void> {
    this.engine.close();
  }

  /** Whether this call lets the event loop turn (or waits for users' requests) first. */
  private turnDue(): boolean {
    if (turnEveryMs <= 0) return false;
    return performance.now() - lastTurn >= turnEveryMs || (usersActive > 0 && this.waitsForUsers());
  }

  private turn(): Promise<void> {
    return usersActive > 0 && this.waitsForUsers() ? waitForUsers() : turn();
  }

  /** Calls of the other flow, outside a batch (one holding the batch would hold users up), out of their turn. */
  private waitsForUsers(): boolean {
    return userFlow.getStore() === undefined && !(this.active !== undefined && this.context.getStore() === this.active) && performance.now() >= othersTurnUntil;
  }

  private mayWrite(): boolean {
    return this.active === undefined || this.context.getStore() === this.active;
  }

  /**
   * Waits until this task may write: no other task's batch open, no release's journal sync in
   * flight (the lock is still held for it). Reads wait for such a release too: the daemon's
   * reconciles running on meanwhile kept the lock held for their CPU time after the sync (at
   * 10-20 % of a core, 5-10 times that in wall time), users waiting behind it. Checked again right before writing, in the same
   * synchronous step as the write.
   */
  private async writable(): Promise<void> {
    for (;;) {
      if (!this.mayWrite()) {
        await this.wakeUp();
        continue;
      }
      const releasing = this.engine.releaseInFlight?.(true);
      if (!releasing) return;
      await releasing;
    }
  }

  /** Resolves when the open batch ends (callers check again: another may have started). */
  private wakeUp(): Promise<void> {
    const waits = userFlow.getStore();
    if (!waits) return new Promise<void>((resolve) => this.waiters.push(resolve));
    const t0 = performance.now();
    return new Promise<void>((resolve) => this.userWaiters.push(() => ((waits.queueMs += performance.now() - t0), resolve())));
  }

  private release(): void {
    this.active = undefined;
    // Users' requests first: the first one woken takes the next batch.
    const waiters = [...this.userWaiters, ...this.waiters];
    this.waiters = [];
    this.userWaiters = [];
    for (const wake of waiters) wake();
  }
}
