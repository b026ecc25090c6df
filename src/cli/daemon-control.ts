// Whether a background reconcile loop drives the selected cluster, and starting it: the
// first command that opens a cluster starts its daemon (one per cluster, pid file), unless
// KUBESIM_NO_DAEMON=1 (tests, CI scripts that use `reconcile --until-stable`).

import type { ApiServer } from '../api/server';
import type { CliContext } from './context';

/**
 * A cluster kept in etcd may be reconciled by a daemon of another process or machine: the
 * holder of a live controller-manager Lease. Then no daemon is started here and no verb
 * runs the controllers in-process (that would be a second, unelected controller manager).
 */
async function leaderReconciles(ctx: CliContext, api?: ApiServer): Promise<boolean> {
  const { clusterStoreUrl } = await import('../cluster/store-url');
  if (!clusterStoreUrl(ctx.clusterDir).startsWith('etcd://')) return false;
  const { leaseHeld } = await import('../controllers/leader-election');
  return leaseHeld(api ?? (await ctx.api({ startDaemon: false })));
}

/** True when a daemon runs (or was just started) for the context's cluster. */
export async function ensureDaemonFor(ctx: CliContext, api?: ApiServer): Promise<boolean> {
  if (await leaderReconciles(ctx, api)) return true;
  const { ensureDaemon } = await import('../daemon/control');
  return (await ensureDaemon(ctx.clusterDir)) !== undefined;
}

export async function daemonRunning(ctx: CliContext, api?: ApiServer): Promise<boolean> {
  const { runningDaemonPid } = await import('../daemon/control');
  return runningDaemonPid(ctx.clusterDir) !== undefined || (await leaderReconciles(ctx, api));
}

/**
 * Whether something runs the cluster's clock in real time: a daemon, an elected leader, or
 * an API server (`kubesim serve`, a dashboard serving it without a daemon), whose clients
 * age objects against the wall clock. Without any, a command freezes it (ClusterClock.freeze).
 */
export async function clusterRunning(ctx: CliContext, api?: ApiServer): Promise<boolean> {
  const { localServerRuns } = await import('../daemon/daemon-pid');
  return localServerRuns(ctx.clusterDir) || (await leaderReconciles(ctx, api));
}
