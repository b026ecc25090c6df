// A daemon that comes to rest after a burst collects its garbage once. At rest it allocates
// little, so V8's next full GC comes late and the burst's garbage stays resident until then:
// a settled 20,000-pod daemon held ~425 MiB at rest for ~245 MB live, ~350 MiB after a full
// GC (docs/perf-issue-18.md round 74). One GC per burst, never at steady rest (V8's own).

import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the daemon's CPU is looked at. */
export const REST_CHECK_MS = 10_000;
/** An interval with more of a core than this was busy (a burst)... */
const BUSY_SHARE = 0.2;
/** ...and one with less than this, quiet. */
const QUIET_SHARE = 0.05;
/** A collection only when the heap grew this much since the last one (the burst left garbage). */
const GROWN = 1.1;

/** The decision, apart from the process: fed each interval's CPU and the heap in use. */
export class RestCollector {
  private busySince = false;
  private keptAfterLast = 0;

  /** One interval of `intervalMs` in which the process used `cpuMs`; whether to collect now. */
  interval(cpuMs: number, intervalMs: number, heapUsed: number): boolean {
    if (cpuMs > intervalMs * BUSY_SHARE) {
      this.busySince = true;
      return false;
    }
    if (!this.busySince || cpuMs > intervalMs * QUIET_SHARE || heapUsed < this.keptAfterLast * GROWN) return false;
    this.busySince = false;
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
