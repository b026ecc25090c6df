// Waiting on the cluster from a CLI verb (delete --wait, wait, rollout status): until
// `done()` holds or the timeout (cluster time) passes. With a daemon running, the cluster
// moves by itself and this only polls; without one, the controllers run in-process.

import type { ApiServer } from '../api/server';
import type { CliContext } from './context';
import { sleep } from '../util/sleep';

export async function driveCluster(ctx: CliContext, api: ApiServer, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const { ensureDaemonFor } = await import('./daemon-control');
  const daemon = await ensureDaemonFor(ctx);
  if (!daemon) {
    const { runInProcessUntil } = await import('./in-process');
    return runInProcessUntil(ctx, api, done, timeoutMs);
  }
  const start = api.clock.now();
  for (;;) {
    if (await done()) return true;
    if (api.clock.now() - start > timeoutMs) return false;
    await sleep(50);
  }
}
