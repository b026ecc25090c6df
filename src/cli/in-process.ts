// Running the cluster's controllers inside this CLI process until a condition holds,
// advancing the cluster clock over waits (when no daemon runs: tests, CI, scripts that
// want determinism). The clock only moves while something waits on the cluster.

import type { ApiServer } from '../api/server';
import type { CliContext } from './context';
import { defaultProfile, type ClusterProfile } from '../sim/profile';

/** Cluster time per step: the granularity at which `done()` is checked. */
const STEP_MS = 1000;

export async function runInProcessUntil(ctx: CliContext, api: ApiServer, done: () => boolean, timeoutMs: number): Promise<boolean> {
  const { createControllerManager } = await import('../controllers');
  const { advanceClock } = await import('../controllers/manager');
  const profile = api.store.readMeta<ClusterProfile>('profile') ?? defaultProfile(ctx.clusterName);
  const manager = createControllerManager({ api, clock: api.clock, rng: api.rng, profile, log: () => {} });
  const start = api.clock.now();
  for (;;) {
    if (done()) return true;
    if (api.clock.now() - start >= timeoutMs) return false;
    const r = manager.runUntilStable({ timeoutMs: Math.min(STEP_MS, timeoutMs) });
    if (done()) return true;
    // Settled with the condition still false: let cluster time pass (timeouts are in it).
    if (r.stable && !advanceClock(api.clock, STEP_MS)) return false;
  }
}
