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


/** Where a persisted clock that runs stands at real time `realNow` (ms): its anchors' line at its speed. */
export function runningTime(state: ClockState, realNow: number): number {
  return Math.floor(state.virtualAnchor + (realNow - state.realAnchor) * state.speed);
}

/**
 * The cluster's clock, persisted in the store so every process (CLI, daemon) agrees:
 * cluster time = virtualAnchor + (real now - realAnchor) * speed while something runs the
 * cluster (a daemon, an API server), or `frozenAt` while nothing does (KUBESIM_NO_DAEMON:
 * then only what waits on the cluster moves it).
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
    return this.state.frozenAt ?? this.running();
  }

  /** Where the clock would be had it run all along at its speed (a frozen clock's anchors keep that line). */
  private running(): number {
    return runningTime(this.state, this.realNow());
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

  /** True while cluster time stands still between waits (nothing runs the cluster). */
  frozen(): boolean {
    return this.state.frozenAt !== undefined;
  }

  /**
   * Re-reads the persisted state (another process may have advanced the clock); returns the
   * jump when another process advanced it by more than a second.
   */
  async refresh(): Promise<{ from: number; to: number } | undefined> {
    const before = this.now();
    const old = this.state;
    this.state = (await this.persisted.clock()) ?? this.state;
    if (this.state.virtualAnchor === old.virtualAnchor && this.state.realAnchor === old.realAnchor && this.state.frozenAt === old.frozenAt) return undefined;
    const after = this.liveNow();
    return after - before > 1000 ? { from: before, to: after } : undefined;
  }

  /** Jumps cluster time forward by `ms` for every process (a frozen clock stays frozen there). */
  async advance(ms: number): Promise<number> {
    return this.persisted.atomically(async () => {
      await this.refresh();
      const to = this.now() + ms;
      this.state = this.frozen() ? { ...this.state, frozenAt: to } : { realAnchor: this.realNow(), virtualAnchor: to, speed: this.state.speed };
      await this.persisted.setClock(this.state);
      return to;
    });
  }

  async setSpeed(speed: number): Promise<void> {
    await this.persisted.atomically(async () => {
      await this.refresh();
      // Frozen, the speed applies to the line it rejoins when something runs it again.
      const from = this.frozen() ? this.running() : this.now();
      this.state = { realAnchor: this.realNow(), virtualAnchor: from, speed, ...(this.frozen() ? { frozenAt: this.state.frozenAt } : {}) };
      await this.persisted.setClock(this.state);
    });
  }

  /**
   * Stops cluster time where it is (a command without a daemon), unless `running()`, asked
   * under the clock's lock, says something runs the cluster (a daemon claims its pid file,
   * a server lists itself, before they unfreeze). Nothing is written when already frozen.
   */
  async freeze(running: () => Promise<boolean>): Promise<void> {
    await this.persisted.atomically(async () => {
      await this.refresh();
      if (this.frozen() || (await running())) return;
      this.state = { ...this.state, frozenAt: this.liveNow() };
      await this.persisted.setClock(this.state);
    });
  }

  /**
   * Lets cluster time follow real time again (a daemon or an API server starting): from
   * where it would be had it never stood still (at speed 1, the wall clock kubectl's ages
   * use), or from where the waits took it if that is later: it never goes back.
   */
  async unfreeze(): Promise<void> {
    await this.persisted.atomically(async () => {
      await this.refresh();
      if (!this.frozen()) return;
      this.state = { realAnchor: this.realNow(), virtualAnchor: Math.max(this.state.frozenAt!, this.running()), speed: this.state.speed };
      await this.persisted.setClock(this.state);
    });
  }
}
