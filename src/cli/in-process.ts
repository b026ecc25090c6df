// Running the cluster's controllers inside this CLI process (when no daemon runs: tests,
// CI, scripts that want determinism). The cluster clock only moves while something waits
// on the cluster: `reconcile --until-stable`, `clock advance`, waiting verbs.

import type { ApiServer } from '../api/server';
import type { CliContext } from './context';
import type { ControllerManager } from '../controllers/manager';
import { defaultProfile, type ClusterProfile } from '../sim/profile';

/** Cluster time per step: the granularity at which `done()` is checked. */
const STEP_MS = 1000;

export function inProcessManager(ctx: CliContext, api: ApiServer): Promise<ControllerManager> {
  return clusterManager(api, ctx.clusterName, ctx.clusterDir);
}

/**
 * The cluster's controllers over `api`, in this process (`clusterName` names the default
 * profile; `clusterDir`'s CA signs approved CSRs).
 */
export async function clusterManager(api: ApiServer, clusterName: string, clusterDir?: string): Promise<ControllerManager> {
  const { createControllerManager } = await import('../controllers');
  const { loadValidation } = await import('../api/validator-adapter');
  await loadValidation();
  const profile = (await api.sim.profile<ClusterProfile>()) ?? defaultProfile(clusterName);
  return createControllerManager({ api, clock: api.clock, rng: api.rng, profile, log: () => {}, clusterDir });
}

export async function runInProcessUntil(ctx: CliContext, api: ApiServer, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const { advanceClock } = await import('../controllers/manager');
  const manager = await inProcessManager(ctx, api);
  const start = api.clock.now();
  for (;;) {
    if (await done()) return true;
    if (api.clock.now() - start >= timeoutMs) return false;
    const r = await manager.runUntilStable({ timeoutMs: Math.min(STEP_MS, timeoutMs) });
    if (await done()) return true;
    // Settled with the condition still false: let cluster time pass (timeouts are in it).
    if (r.stable && !await advanceClock(api.clock, STEP_MS)) return false;
  }
}

/**
 * Moves cluster time forward by `ms`, running every timer that falls due on the way
 * (CronJob schedules, back-offs, heartbeats, evictions) at its own time.
 */
export function advanceInProcess(ctx: CliContext, api: ApiServer, ms: number): Promise<void> {
  return advanceClusterInProcess(api, ctx.clusterName, ms, ctx.clusterDir);
}

/** advanceInProcess for callers without a CLI context (the API server's kubesim endpoint). */
export async function advanceClusterInProcess(api: ApiServer, clusterName: string, ms: number, clusterDir?: string): Promise<void> {
  return advanceManager(api, await clusterManager(api, clusterName, clusterDir), ms);
}

/** `clock advance` by `ms` with `manager`'s reconcilers (the cluster's, or the few a test runs). */
export async function advanceManager(api: ApiServer, manager: ControllerManager, ms: number): Promise<void> {
  const { advanceClock } = await import('../controllers/manager');
  const clock = api.clock as { hold?: (t: number | undefined) => void };
  // One lock group for the whole jump (released every few writes for other processes, as
  // the store's groups are), not one lock hold per step.
  await api.group(async () => {
    await manager.processReady();
    const from = api.clock.now();
    // The shared clock is at the end of the jump for everyone at once (as with the daemon,
    // which then steps through it): no reader's clock is behind what a stop stamps, and the
    // clock is written once, not at every stop. This process runs each stop at its time.
    if (!await advanceClock(api.clock, ms)) return;
    if (!clock.hold) return void (await manager.processReady()); // a clock that cannot hold a view: everything at the end
    // Cluster time also passed while the jump ran (speed 1 follows real time): step through
    // that too, so no CronJob minute is skipped as missed at the end of a long jump.
    for (let jump = { from, to: from + ms }; ; jump = { from: jump.to, to: api.clock.now() }) {
      await manager.stepThrough(jump, (t) => clock.hold!(t), { onError: (e) => { throw e; } });
      if (api.clock.now() - jump.to < 1000) break;
    }
    await manager.processReady();
  });
}
