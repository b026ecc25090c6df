// Serving one cluster's API: the port recorded for the cluster (chosen at `cluster create`,
// kept across restarts so kubeconfig entries stay valid) unless told otherwise, and the
// URL recorded while the server runs.

import type { ApiServer } from '../api/server';
import { ensureServerRecord, readServerRecord, writeServerRecord } from '../kubeconfig/cluster-entry';
import { serverIdentity } from '../kubeconfig/server-record';
import { startApiServer, type RunningServer } from './http-server';
import { registerApiServer, runningApiServers, runningDaemonPid } from '../daemon/control';
import { localSocketPath } from './pki';
import { ClusterClock } from '../sim/clock';
import { syncApiServices } from '../api/apiservices';
import * as path from 'node:path';

/**
 * Points an existing kubesim-<name> kubeconfig entry at `url` (with `from`, only an entry
 * pointing there now). Every server that starts does this: one that started earlier on
 * another port (the recorded one was taken) may have left the entry there.
 */
async function pointKubeconfig(clusterDir: string, url: string, log?: (m: string) => void, from?: string): Promise<void> {
  const { contextName, clusterEntry } = await import('../kubeconfig/cluster-entry');
  const kc = await import('../kubeconfig/kubeconfig');
  const cluster = path.basename(clusterDir);
  try {
    const u = new URL(url);
    const entry = { ...clusterEntry(cluster, clusterDir, { port: Number(u.port), insecureHttp: u.protocol === 'http:' }), server: url };
    if (kc.repointClusterEntry(entry, { from })) log?.(`kubeconfig entry ${contextName(cluster)} now points at ${url}`);
  } catch (e) {
    log?.(`could not update the kubeconfig: ${(e as Error).message}`);
  }
}

/**
 * A server stopping: the record and the kubeconfig entry that name it go to another server
 * of the cluster that still runs (the daemon first), so that they keep naming one that
 * answers; with none, the record keeps only the port.
 */
async function handOver(clusterDir: string, url: string, log?: (m: string) => void): Promise<void> {
  const others = runningApiServers(clusterDir).filter((s) => s.url !== undefined);
  const daemon = runningDaemonPid(clusterDir);
  const next = others.find((s) => s.pid === daemon) ?? others[others.length - 1];
  const now = readServerRecord(clusterDir);
  if (now?.pid === process.pid) {
    const base = { port: now.port, insecureHttp: now.insecureHttp };
    writeServerRecord(clusterDir, next ? { ...base, url: next.url, pid: next.pid, ...(next.startTime ? { startTime: next.startTime } : {}) } : base);
  }
  if (next) await pointKubeconfig(clusterDir, next.url!, log, url);
}

export async function serveCluster(api: ApiServer, clusterDir: string, opts: { port?: number; insecureHttp?: boolean; log?: (m: string) => void; secondary?: boolean } = {}): Promise<RunningServer> {
  // kube-apiserver's autoregister at start: a cluster made by an older kubesim gets its APIServices.
  await syncApiServices(api);
  if (opts.secondary) return serveSecondary(api, clusterDir, opts);
  const rec = await ensureServerRecord(clusterDir, { port: opts.port, insecureHttp: opts.insecureHttp });
  let server: RunningServer;
  try {
    server = await startApiServer({ api, clusterDir, port: rec.port, insecureHttp: rec.insecureHttp, socketPath: localSocketPath(clusterDir), log: opts.log });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port !== undefined) throw e;
    // The recorded port is taken by something else: serve on a free one.
    opts.log?.(`port ${rec.port} is in use; serving on a free port (the kubeconfig entry follows it)`);
    server = await startApiServer({ api, clusterDir, port: 0, insecureHttp: rec.insecureHttp, socketPath: localSocketPath(clusterDir), log: opts.log });
  }
  // With the start time: a pid recycled after this server died never passes for it.
  writeServerRecord(clusterDir, { port: rec.port, insecureHttp: rec.insecureHttp, url: server.url, ...serverIdentity() });
  // Whatever moved it (--port, --insecure-http, the recorded port taken now or last time), kubectl's entry names this server.
  await pointKubeconfig(clusterDir, server.url, opts.log);
  return serving(api, clusterDir, server, opts.log, '');
}

/**
 * A started server listed in `apiservers/` (so that `cluster stop` finds every server), its
 * clock running; its close unlists it and hands the cluster's record over to another.
 */
async function serving(api: ApiServer, clusterDir: string, server: RunningServer, log: ((m: string) => void) | undefined, what: string): Promise<RunningServer> {
  const unregister = registerApiServer(clusterDir, server.url);
  await runClock(api);
  log?.(`serving the Kubernetes API at ${server.url}${what}`);
  const close = server.close;
  return {
    ...server,
    close: async () => {
      await close();
      unregister();
      await handOver(clusterDir, server.url, log);
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
  return serving(api, clusterDir, server, opts.log, ' (another API server of this cluster)');
}
