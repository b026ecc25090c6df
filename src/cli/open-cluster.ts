// Opening the selected cluster's state for a CLI verb: the file store, its clock, and the
// API server with validation. Kept out of context.ts so that verbs needing no cluster
// never load the store or the validators.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ApiServer } from '../api/server';
import { openClusterApi } from '../api/open';
import { clusterStoreUrl } from '../cluster/store-url';
import type { ClusterClock } from '../sim/clock';
import { defaultRng } from '../sim/rng';
import { DEFAULT_CLUSTER, type CliContext } from './context';
import { defaultProfile } from '../sim/profile';
import { apiValidator } from '../api/validator-adapter';

export async function openOrCreateCluster(ctx: CliContext, startDaemon = true): Promise<{ api: ApiServer; clock: ClusterClock }> {
  if (!fs.existsSync(path.join(ctx.clusterDir, 'registry'))) {
    if (ctx.clusterName !== DEFAULT_CLUSTER) throw ctx.missingCluster();
    const { createCluster, ClusterExistsError } = await import('../cluster/cluster');
    try {
      await createCluster(ctx.home, ctx.clusterName, defaultProfile(ctx.clusterName));
    } catch (e) {
      // A command started alongside this one created it first: use theirs.
      if (!(e instanceof ClusterExistsError)) throw e;
    }
  }
  const { api, clock } = await openClusterApi(clusterStoreUrl(ctx.clusterDir), (rev) => defaultRng(rev + 1), apiValidator()).catch((e: unknown) => {
    // Deleted since the check above (`cluster delete` in another command).
    throw ctx.storeGoneAsMissing(e);
  });
  if (process.env.KUBESIM_NO_DAEMON === '1') {
    // Nothing runs the cluster between commands: its time stands still until a command
    // waits on it (deterministic scripts), unless a daemon or an API server runs it.
    if (!clock.frozen()) {
      const { clusterRunning } = await import('./daemon-control');
      if (!(await clusterRunning(ctx, api))) await clock.freeze(() => clusterRunning(ctx, api));
    }
  } else if (startDaemon) {
    const { ensureDaemonFor } = await import('./daemon-control');
    // The daemon starting lets a frozen clock run again; so does this process (whichever is
    // first), so that its own view is not left standing behind the daemon's.
    if ((await ensureDaemonFor(ctx, api)) && clock.frozen()) await clock.unfreeze();
  }
  return { api, clock };
}
