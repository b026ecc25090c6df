// The daemon process: runs every controller against one cluster directory on the
// cluster clock (real time, or sped up with `clock speed`), until SIGTERM. Started by
// ensureDaemon as `node <main> __daemon <clusterDir>`; the CLI wires the hidden verb here.

import { ApiServer } from '../api/server';
import { openStore, fileStoreUrl } from '../store/registry';
import { ClusterClock } from '../sim/clock';
import { defaultRng } from '../sim/rng';
import { defaultProfile, type ClusterProfile } from '../sim/profile';
import { apiValidator, loadValidation } from '../api/validator-adapter';
import { createControllerManager } from '../controllers/index';
import { claimPidFile, releasePidFile, type DaemonStatusDoc } from './control';

export interface DaemonOptions {
  signal?: AbortSignal;
  /** Where to serve the Kubernetes API (default: the cluster's recorded port). */
  serve?: { port?: number; insecureHttp?: boolean };
  /** Told the server's URL once it listens (`kubesim serve` prints it). */
  onServing?: (url: string) => void;
}

export async function runDaemon(clusterDir: string, opts: DaemonOptions = {}): Promise<number> {
  const pid = process.pid;
  if (!claimPidFile(clusterDir, pid)) {
    process.stderr.write(`another daemon already runs for ${clusterDir}\n`);
    return 1;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  opts.signal?.addEventListener('abort', stop);
  const log = (m: string) => process.stdout.write(`${new Date().toISOString()} ${m}\n`);
  try {
    await loadValidation();
    const store = await openStore(fileStoreUrl(clusterDir));
    const clock = await ClusterClock.open(store);
    const api = await ApiServer.open(store, clock, defaultRng(), apiValidator());
    const profile = (await store.readMeta<ClusterProfile>('profile')) ?? defaultProfile('kubesim');
    const ctx = { api, clock, rng: api.rng, profile, log };
    const manager = createControllerManager(ctx);
    const { serveCluster } = await import('../server/serve-cluster');
    const server = await serveCluster(api, clusterDir, { ...opts.serve, log });
    opts.onServing?.(server.url);
    abort.signal.addEventListener('abort', () => void server.close());
    const startedAt = Date.now();
    let lag = 0;
    let lastWrite = 0;
    log(`daemon started (pid ${pid})`);
    await manager.runForever(abort.signal, {
      onTick: (spent) => {
        lag = spent;
        const now = Date.now();
        if (now - lastWrite < 1000) return;
        lastWrite = now;
        const doc: DaemonStatusDoc = { pid, startedAt, lastTick: now, loopLagMs: lag, reconciles: manager.stats.reconciles, errors: manager.stats.errors, lastError: manager.stats.lastError };
        store.writeMeta('daemon-status', doc).catch(() => {
          /* status is best effort */
        });
      },
    });
    await server.close();
    log('daemon stopped');
    return 0;
  } catch (e) {
    log(`fatal: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return 1;
  } finally {
    releasePidFile(clusterDir, pid);
  }
}
