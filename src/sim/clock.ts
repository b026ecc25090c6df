// Time for the simulated cluster. Everything that reads "now" (timestamps, ages, backoffs,
// CronJobs) asks a Clock, so the cluster can run in real time, sped up, or jump forward.

import type { Store } from '../store/store';

export interface Clock {
  /** Milliseconds since the epoch, in cluster time. */
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

/** A clock tests and in-process reconciles move by hand. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

interface ClockState {
  /** Real time (ms) at which `virtualAnchor` was cluster time. */
  realAnchor: number;
  virtualAnchor: number;
  /** Cluster seconds per real second. */
  speed: number;
}

/**
 * The cluster's clock, persisted in the store so every process (CLI, daemon) agrees:
 * cluster time = virtualAnchor + (real now - realAnchor) * speed.
 */
export class ClusterClock implements Clock {
  private state: ClockState;

  constructor(
    private readonly store: Store,
    private readonly realNow: () => number = Date.now,
  ) {
    this.state = store.readMeta<ClockState>('clock') ?? { realAnchor: this.realNow(), virtualAnchor: this.realNow(), speed: 1 };
  }

  now(): number {
    return Math.floor(this.state.virtualAnchor + (this.realNow() - this.state.realAnchor) * this.state.speed);
  }

  speed(): number {
    return this.state.speed;
  }

  /** Re-reads the persisted state (another process may have advanced the clock). */
  refresh(): void {
    this.state = this.store.readMeta<ClockState>('clock') ?? this.state;
  }

  /** Jumps cluster time forward by `ms` for every process. */
  advance(ms: number): number {
    return this.store.batch(() => {
      this.refresh();
      const now = this.now();
      this.state = { realAnchor: this.realNow(), virtualAnchor: now + ms, speed: this.state.speed };
      this.store.writeMeta('clock', this.state);
      return this.state.virtualAnchor;
    });
  }

  setSpeed(speed: number): void {
    this.store.batch(() => {
      this.refresh();
      const now = this.now();
      this.state = { realAnchor: this.realNow(), virtualAnchor: now, speed };
      this.store.writeMeta('clock', this.state);
    });
  }
}
