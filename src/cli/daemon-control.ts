// Whether a background reconcile loop drives the selected cluster, and starting it: the
// first command that opens a cluster starts its daemon (one per cluster, pid file), unless
// KUBESIM_NO_DAEMON=1 (tests, CI scripts that use `reconcile --until-stable`).

import type { CliContext } from './context';

/** True when a daemon runs (or was just started) for the context's cluster. */
export async function ensureDaemonFor(ctx: CliContext): Promise<boolean> {
  const { ensureDaemon } = await import('../daemon/control');
  return (await ensureDaemon(ctx.clusterDir)) !== undefined;
}

export async function daemonRunning(ctx: CliContext): Promise<boolean> {
  const { runningDaemonPid } = await import('../daemon/control');
  return runningDaemonPid(ctx.clusterDir) !== undefined;
}
