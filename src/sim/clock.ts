// Time for the simulated cluster. Everything that reads "now" (timestamps, ages, backoffs,
// CronJobs) asks a Clock, so the cluster can run in real time, sped up, or jump forward.

import type { ClockState } from '../api/sim-state';

/** Where the cluster clock is persisted (the API layer's SimState). */
export interface ClockStore {
  clock(): Promise<ClockState | undefined>;
  setClock(state: ClockState): Promise<void>;
  atomically<T>(fn: () => Promise<T> | T): Promise<T>;
}

export interface Clock {
  /** Milliseconds since the epoch, in cluster time. */
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

/** A clock tests and in-process reconciles move by hand. */
export class ManualClock implements Clock {
  private held: number | undefined;
  constructor(private t: number) {}
  now(): number {
    return this.held ?? this.t;
  }
  /** As ClusterClock.hold: this view stays at `t` while a jump is stepped through. */
  hold(t: number | undefined): void {
    this.held = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}


/**
 * The cluster's clock, persisted in the store so every process (CLI, daemon) agrees:
 * cluster time = virtualAnchor + (real now - realAnchor) * speed.
 */
export class ClusterClock implements Clock {
  private state: ClockState;
  /** This process's view held at a cluster time while it steps through a jump (the daemon). */
  private held: number | undefined;

  /** Use ClusterClock.open: the persisted state is read asynchronously. */
  constructor(
    private readonly persisted: ClockStore,
    private readonly realNow: () => number = Date.now,
    state?: ClockState,
  ) {
    this.state = state ?? { realAnchor: this.realNow(), virtualAnchor: this.realNow(), speed: 1 };
  }

  static async open(store: ClockStore, realNow: () => number = Date.now): Promise<ClusterClock> {
    return new ClusterClock(store, realNow, await store.clock());
  }

  now(): number {
    return this.held ?? this.liveNow();
  }

  private liveNow(): number {
    return Math.floor(this.state.virtualAnchor + (this.realNow() - this.state.realAnchor) * this.state.speed);
  }

  /**
   * Holds this process's cluster time at `t` (undefined: follow the shared clock again), so
   * a daemon can run every timer of a `clock advance` jump at its own time, in order.
   */
  hold(t: number | undefined): void {
    this.held = t;
  }

  speed(): number {
    return this.state.speed;
  }

  /**
   * Re-reads the persisted state (another process may have advanced the clock); returns the
   * jump when another process advanced it by more than a second.
   */
  async refresh(): Promise<{ from: number; to: number } | undefined> {
    const before = this.now();
    const old = this.state;
    this.state = (await this.persisted.clock()) ?? this.state;
    if (this.state.virtualAnchor === old.virtualAnchor && this.state.realAnchor === old.realAnchor) return undefined;
    const after = this.liveNow();
    return after - before > 1000 ? { from: before, to: after } : undefined;
  }

  /** Jumps cluster time forward by `ms` for every process. */
  async advance(ms: number): Promise<number> {
    return this.persisted.atomically(async () => {
      await this.refresh();
      const now = this.now();
      this.state = { realAnchor: this.realNow(), virtualAnchor: now + ms, speed: this.state.speed };
      await this.persisted.setClock(this.state);
      return this.state.virtualAnchor;
    });
  }

  async setSpeed(speed: number): Promise<void> {
    await this.persisted.atomically(async () => {
      await this.refresh();
      const now = this.now();
      this.state = { realAnchor: this.realNow(), virtualAnchor: now, speed };
      await this.persisted.setClock(this.state);
    });
  }
}
