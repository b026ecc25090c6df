// Serving one cluster's API: the port recorded for the cluster (chosen at `cluster create`,
// kept across restarts so kubeconfig entries stay valid) unless told otherwise, and the
// URL recorded while the server runs.

import type { ApiServer } from '../api/server';
import { ensureServerRecord, readServerRecord, writeServerRecord } from '../kubeconfig/cluster-entry';
import { serverIdentity } from '../kubeconfig/server-record';
import { startApiServer, type RunningServer } from './http-server';
import { registerApiServer } from '../daemon/control';
import { localSocketPath } from './pki';
import { ClusterClock } from '../sim/clock';
import * as path from 'node:path';

/** Points an existing kubesim-<name> kubeconfig entry at the address actually served. */
async function refreshKubeconfig(clusterDir: string, url: string, log?: (m: string) => void): Promise<void> {
  const { contextName, clusterEntry, readServerRecord: read } = await import('../kubeconfig/cluster-entry');
  const kc = await import('../kubeconfig/kubeconfig');
  const name = contextName(path.basename(clusterDir));
  try {
    if (!kc.hasClusterEntry(name)) return;
    await kc.writeClusterEntry({ ...clusterEntry(path.basename(clusterDir), clusterDir, read(clusterDir)!), server: url }, { makeCurrent: false });
    log?.(`kubeconfig entry ${name} now points at ${url}`);
  } catch (e) {
    log?.(`could not update the kubeconfig: ${(e as Error).message}`);
  }
}

export async function serveCluster(api: ApiServer, clusterDir: string, opts: { port?: number; insecureHttp?: boolean; log?: (m: string) => void; secondary?: boolean } = {}): Promise<RunningServer> {
  if (opts.secondary) return serveSecondary(api, clusterDir, opts);
  const before = readServerRecord(clusterDir);
  const rec = await ensureServerRecord(clusterDir, { port: opts.port, insecureHttp: opts.insecureHttp });
  // --port or --insecure-http changed where (or how) the API is served: kubectl's entry follows
  let moved = !!before && (before.port !== rec.port || !!before.insecureHttp !== !!rec.insecureHttp);
  let server: RunningServer;
  try {
    server = await startApiServer({ api, clusterDir, port: rec.port, insecureHttp: rec.insecureHttp, socketPath: localSocketPath(clusterDir), log: opts.log });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port !== undefined) throw e;
    // The recorded port is taken by something else: serve on a free one (kubeconfig must be refreshed).
    opts.log?.(`port ${rec.port} is in use; serving on a free port (run "kubesim kubeconfig" for the new address)`);
    server = await startApiServer({ api, clusterDir, port: 0, insecureHttp: rec.insecureHttp, socketPath: localSocketPath(clusterDir), log: opts.log });
    moved = true;
  }
  // With the start time: a pid recycled after this server died never passes for it.
  writeServerRecord(clusterDir, { port: rec.port, insecureHttp: rec.insecureHttp, url: server.url, ...serverIdentity() });
  if (moved) await refreshKubeconfig(clusterDir, server.url, opts.log);
  const unregister = registerApiServer(clusterDir, server.url); // so that `cluster stop` finds every server
  await runClock(api);
  opts.log?.(`serving the Kubernetes API at ${server.url}`);
  const close = server.close;
  return {
    ...server,
    close: async () => {
      await close();
      unregister();
      const now = readServerRecord(clusterDir);
      if (now?.pid === process.pid) writeServerRecord(clusterDir, { port: now.port, insecureHttp: now.insecureHttp });
    },
  };
}

/**
 * A served cluster's time follows real time (its clients, kubectl, age objects against the
 * wall clock): a clock frozen without a daemon runs again, from the time it would have
 * reached. Called once the server is recorded, so that a command freezing it sees it.
 */
async function runClock(api: ApiServer): Promise<void> {
  if (api.clock instanceof ClusterClock) await api.clock.unfreeze();
}

/**
 * Another API server of a cluster kept in etcd (the pid-file daemon serves the recorded
 * port): on the port asked for, or a free one; the cluster's server record and kubeconfig
 * entry stay with the first. Each such server lists itself in `apiservers/<pid>.json`
 * while it runs (as the first does: `cluster stop` stops them all).
 */
async function serveSecondary(api: ApiServer, clusterDir: string, opts: { port?: number; insecureHttp?: boolean; log?: (m: string) => void }): Promise<RunningServer> {
  const rec = readServerRecord(clusterDir);
  const insecureHttp = opts.insecureHttp ?? rec?.insecureHttp ?? false;
  const server = await startApiServer({ api, clusterDir, port: opts.port ?? 0, insecureHttp, log: opts.log });
  const unregister = registerApiServer(clusterDir, server.url);
  await runClock(api);
  opts.log?.(`serving the Kubernetes API at ${server.url} (another API server of this cluster)`);
  const close = server.close;
  return {
    ...server,
    close: async () => {
      await close();
      unregister();
    },
  };
}
