// The Promise-based Store over a synchronous engine (the file and memory backends). The
// engines stay synchronous inside, which is what keeps them fast; this adapter adds what
// asynchrony needs: a batch whose body awaits holds the engine's lock until it settles,
// and batches of different tasks of this process take turns (an async mutex), so two
// interleaving tasks never share one batch by accident. Calls made from inside a batch
// (however deep, across awaits) are recognised through AsyncLocalStorage and join it.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { KObject } from '../api/types';
import type { ListReadOptions, ListResult, MetaWriteOptions, Store, SyncStore, WatchEvent } from './store';

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

const turnDue = () => turnEveryMs > 0 && performance.now() - lastTurn >= turnEveryMs;

async function turn(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  lastTurn = performance.now();
}

export class EngineStore implements Store {
  /** The batch the current async context runs in, if any. */
  private readonly context = new AsyncLocalStorage<symbol>();
  /** The batch that holds the engine's lock, if any. */
  private active: symbol | undefined;
  private waiters: (() => void)[] = [];

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
    if (turnDue()) await turn();
    return this.engine.get(key, opts);
  }

  async list(prefix: string, filter?: (obj: KObject) => boolean, opts?: ListReadOptions): Promise<ListResult> {
    if (turnDue()) await turn();
    return this.engine.list(prefix, filter, opts);
  }

  // Writes outside the open batch wait for it: a write of another task must not land
  // inside (and under the lock of) a batch it is not part of.
  async create(key: string, obj: KObject): Promise<KObject> {
    if (turnDue()) await turn();
    // Checked again right before writing, in the same synchronous step as the write.
    while (!this.mayWrite()) await this.wakeUp();
    return this.engine.create(key, obj);
  }

  async update(key: string, obj: KObject, expectRev?: number, opts?: ListReadOptions): Promise<KObject> {
    if (turnDue()) await turn();
    // Checked again right before writing, in the same synchronous step as the write.
    while (!this.mayWrite()) await this.wakeUp();
    return this.engine.update(key, obj, expectRev, opts);
  }

  async delete(key: string, expectRev?: number): Promise<KObject> {
    if (turnDue()) await turn();
    // Checked again right before writing, in the same synchronous step as the write.
    while (!this.mayWrite()) await this.wakeUp();
    return this.engine.delete(key, expectRev);
  }

  async changesSince(afterRev: number, opts?: ListReadOptions): Promise<WatchEvent[]> {
    if (turnDue()) await turn();
    return this.engine.changesSince(afterRev, opts);
  }

  async batch<T>(fn: () => Promise<T> | T): Promise<T> {
    if (turnDue()) await turn();
    if (this.active !== undefined && this.context.getStore() === this.active) return fn(); // nested: join
    // Wait, then take the turn in the same synchronous step as the last check: two tasks
    // that both saw the store free must not both open a batch.
    while (this.active !== undefined) await this.wakeUp();
    const token = Symbol('batch');
    this.active = token;
    try {
      this.engine.beginBatch();
    } catch (e) {
      this.release();
      throw e;
    }
    try {
      return await this.context.run(token, fn);
    } finally {
      try {
        this.engine.endBatch();
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
    }
  }

  async readMeta<T>(name: string): Promise<T | undefined> {
    return this.engine.readMeta<T>(name);
  }

  async writeMeta(name: string, value: unknown, opts?: MetaWriteOptions): Promise<void> {
    while (!this.mayWrite()) await this.wakeUp();
    this.engine.writeMeta(name, value, opts);
  }

  async deleteMeta(name: string): Promise<void> {
    while (!this.mayWrite()) await this.wakeUp();
    if (this.engine.deleteMeta) this.engine.deleteMeta(name);
    else this.engine.writeMeta(name, null);
  }

  async close(): Promise<void> {
    this.engine.close();
  }

  private mayWrite(): boolean {
    return this.active === undefined || this.context.getStore() === this.active;
  }

  /** Resolves when the open batch ends (callers check again: another may have started). */
  private wakeUp(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    this.active = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
