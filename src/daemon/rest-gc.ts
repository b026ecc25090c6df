// A daemon that comes to rest after a burst collects its garbage once. At rest it allocates
// little, so V8's next full GC comes late and the burst's garbage stays resident until then:
// a settled 20,000-pod daemon held ~425 MiB at rest for ~245 MB live, ~350 MiB after a full
// GC (docs/perf-issue-18.md round 74). One GC per burst, never at steady rest (V8's own).

import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the daemon's CPU is looked at. */
export const REST_CHECK_MS = 10_000;
/** A burst: an interval with at least this much of a core... */
const BUSY_SHARE = 0.5;
/**
 * ...then at rest: an interval with at most this share of the burst's busiest interval, and
 * at most QUIET_MAX of a core (a settled 100,000-pod daemon takes ~9 % at rest: a fixed 5 %
 * was never reached on a loaded machine).
 */
const QUIET_OF_PEAK = 0.25;
const QUIET_MAX = 0.25;
/** A collection only when the heap grew this much since the last one (the burst left garbage). */
const GROWN = 1.1;

/** The decision, apart from the process: fed each interval's CPU and the heap in use. */
export class RestCollector {
  /** The busiest interval's share of a core since the last collection. */
  private peak = 0;
  private keptAfterLast = 0;

  /** One interval of `intervalMs` in which the process used `cpuMs`; whether to collect now. */
  interval(cpuMs: number, intervalMs: number, heapUsed: number): boolean {
    const share = cpuMs / intervalMs;
    this.peak = Math.max(this.peak, share);
    if (this.peak < BUSY_SHARE || share > Math.min(QUIET_MAX, this.peak * QUIET_OF_PEAK) || heapUsed < this.keptAfterLast * GROWN) return false;
    this.peak = 0;
    return true;
  }

  /** What a collection kept. */
  collected(heapUsed: number): void {
    this.keptAfterLast = heapUsed;
  }
}

/** Collects the daemon's garbage once each time it comes to rest after a burst, until `signal`. */
export function collectAtRest(signal: AbortSignal): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const decide = new RestCollector();
  let cpu = process.cpuUsage();
  const timer = setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    if (!decide.interval((used.user + used.system) / 1000, REST_CHECK_MS, v8.getHeapStatistics().used_heap_size)) return;
    gc();
    decide.collected(v8.getHeapStatistics().used_heap_size);
    cpu = process.cpuUsage(); // the collection's own CPU is not the next interval's
  }, REST_CHECK_MS).unref();
  signal.addEventListener('abort', () => clearInterval(timer));
}
