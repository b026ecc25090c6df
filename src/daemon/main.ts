// The daemon process: runs every controller against one cluster directory on the
// cluster clock (real time, or sped up with `clock speed`), until SIGTERM. Started by
// ensureDaemon as `node <main> __daemon <clusterDir>`; the CLI wires the hidden verb here.

import { openClusterApi } from '../api/open';
import { clusterStoreUrl } from '../cluster/store-url';
import { defaultRng, RNG_SALT_DAEMON } from '../sim/rng';
import { defaultProfile, type ClusterProfile } from '../sim/profile';
import { apiValidator, loadValidation } from '../api/validator-adapter';
import { createControllerManager } from '../controllers/index';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProcessIdentity } from '../store/process-alive';
import { claimPidFile, releasePidFile, PID_FILE, type DaemonStatusDoc } from './control';

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
  const home = fs.statSync(clusterDir); // before anything slow: the directory we were started for
  try {
    await loadValidation();
    const { api, clock } = await openClusterApi(clusterStoreUrl(clusterDir), (rev) => defaultRng(RNG_SALT_DAEMON + rev), apiValidator());
    const profile = (await api.sim.profile<ClusterProfile>()) ?? defaultProfile('kubesim');
    const ctx = { api, clock, rng: api.rng, profile, log };
    const manager = createControllerManager(ctx);
    const { serveCluster } = await import('../server/serve-cluster');
    const server = await serveCluster(api, clusterDir, { ...opts.serve, log });
    opts.onServing?.(server.url);
    abort.signal.addEventListener('abort', () => void server.close());
    const startedAt = Date.now();
    let lag = 0;
    let lastWrite = 0;
    // The directory this daemon serves: removed, or replaced by another (a deleted and
    // re-created cluster), it stops within a second or two rather than write into the void.
    const gone = (): string | undefined => {
      try {
        const now = fs.statSync(clusterDir);
        if (now.ino !== home.ino || now.dev !== home.dev) return 'replaced';
        if (!fs.existsSync(path.join(clusterDir, 'registry'))) return 'removed';
        const id = parseProcessIdentity(fs.readFileSync(path.join(clusterDir, PID_FILE), 'utf8').trim());
        if (id?.pid !== pid) return 'claimed by another daemon';
      } catch {
        return 'removed';
      }
      return undefined;
    };
    // Checked on a timer as well as between ticks; a daemon that does not wind down in a few
    // seconds (a long reconcile) exits anyway: its directory is gone.
    const watchdog = setInterval(() => {
      const why = gone();
      if (!why) return;
      clearInterval(watchdog);
      log(`the state directory ${clusterDir} was ${why}: stopping`);
      abort.abort();
      setTimeout(() => process.exit(1), 3000).unref();
    }, 500);
    watchdog.unref();
    abort.signal.addEventListener('abort', () => clearInterval(watchdog));
    log(`daemon started (pid ${pid})`);
    await manager.runForever(abort.signal, {
      onTick: (spent) => {
        lag = spent;
        const now = Date.now();
        if (now - lastWrite < 1000) return;
        lastWrite = now;
        const doc: DaemonStatusDoc = { pid, startedAt, lastTick: now, loopLagMs: lag, reconciles: manager.stats.reconciles, errors: manager.stats.errors, lastError: manager.stats.lastError };
        api.sim.setDaemonStatus(doc).catch(() => {
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
