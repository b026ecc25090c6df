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
import { setLockPriority } from '../store/file-lock';
import { setEventLoopTurns } from '../store/async-store';
import { claimPidFile, releasePidFile, PID_FILE, type DaemonStatusDoc } from './control';
import { fence, LeaderElector, LEASE_DEFAULTS } from '../controllers/leader-election';
import type { ControllerManager } from '../controllers/manager';
import { spanBegin, spanEnd, spanTracing } from '../util/span-trace';

/**
 * The daemon's full re-list (the manager's safety net: the journal carries every change and
 * timers the scheduled work). Every 10 minutes it re-read every object and reconciled every
 * key: at 20,000 pods ~3 s of CPU each time (~0.5 % of a core averaged, the node Leases' beats
 * late meanwhile), five times that at 100,000. kube-controller-manager's informers resync
 * between --min-resync-period (12h by default) and twice that.
 */
const DAEMON_RESYNC_MS = 12 * 60 * 60_000;

export interface DaemonOptions {
  signal?: AbortSignal;
  /** Where to serve the Kubernetes API (default: the cluster's recorded port). */
  serve?: { port?: number; insecureHttp?: boolean };
  /** Told the server's URL once it listens (`kubesim serve` prints it). */
  onServing?: (url: string) => void;
  /**
   * `--leader-elect` and its timings. On by default for a cluster kept in etcd (several
   * daemons may serve it; one reconciles), off for a directory (one daemon per directory).
   */
  leaderElect?: { enabled?: boolean; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
}

export async function runDaemon(clusterDir: string, opts: DaemonOptions = {}): Promise<number> {
  const pid = process.pid;
  const storeUrl = clusterStoreUrl(clusterDir);
  // A cluster kept in etcd may be served by several daemons (processes or machines): the
  // first one here holds the pid file (the one `cluster stop` stops and CLI verbs find);
  // the others serve too, on ports of their own, and wait for the lease.
  const shared = storeUrl.startsWith('etcd://');
  const primary = claimPidFile(clusterDir, pid);
  if (!primary && !shared) {
    process.stderr.write(`another daemon already runs for ${clusterDir}\n`);
    return 1;
  }
  const elect = opts.leaderElect?.enabled ?? shared;
  // The controllers' writes are served ahead of users' (see file-lock.ts): one daemon doing
  // the work of every user's objects must not wait behind each of them in turn.
  setLockPriority('workload-high');
  setEventLoopTurns(20); // requests are answered between a long reconcile's store calls
  const abort = new AbortController();
  const log = (m: string) => process.stdout.write(`${new Date().toISOString()} ${m}\n`);
  // Logged, so the log shows how long winding down took (`cluster stop` kills after 5 s).
  const stop = (why: string) => {
    if (!abort.signal.aborted) log(`${why}: stopping`);
    abort.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  opts.signal?.addEventListener('abort', () => stop('asked to stop'));
  const home = fs.statSync(clusterDir); // before anything slow: the directory we were started for
  // The directory this daemon serves: removed, or replaced by another (a deleted and
  // re-created cluster), it stops within a second or two rather than write into the void.
  const gone = (): string | undefined => {
    try {
      const now = fs.statSync(clusterDir);
      if (now.ino !== home.ino || now.dev !== home.dev) return 'replaced';
      if (!fs.existsSync(path.join(clusterDir, 'registry'))) return 'removed';
      if (!primary) return undefined;
      const id = parseProcessIdentity(fs.readFileSync(path.join(clusterDir, PID_FILE), 'utf8').trim());
      if (id?.pid !== pid) return 'claimed by another daemon';
    } catch {
      return 'removed';
    }
    return undefined;
  };
  // Watched from the start (opening the store may wait on a lock in a directory that is
  // gone), on a timer as well as between ticks; a daemon that does not wind down in a few
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
  try {
    await loadValidation();
    // `cluster start` returns once the pid file is claimed, before this point: a directory
    // removed or replaced meanwhile must not be re-created by opening its store.
    const early = gone();
    if (early) {
      log(`the state directory ${clusterDir} was ${early}: stopping`);
      return 1;
    }
    const { api, clock } = await openClusterApi(storeUrl, (rev) => defaultRng(RNG_SALT_DAEMON + rev + (primary ? 0 : pid)), apiValidator()); // several daemons opening at one revision must not generate the same names and uids
    const profile = (await api.sim.profile<ClusterProfile>()) ?? defaultProfile('kubesim');
    const ctx = { api, clock, rng: api.rng, profile, log, clusterDir };
    const { serveCluster } = await import('../server/serve-cluster');
    const server = await serveCluster(api, clusterDir, { ...opts.serve, log, secondary: !primary });
    opts.onServing?.(server.url);
    abort.signal.addEventListener('abort', () => void server.close());
    const startedAt = Date.now();
    let lag = 0;
    let lastWrite = 0;
    let steppedTo: number | undefined;
    log(`daemon started (pid ${pid})`);
    if (spanTracing) {
      // The event loop's lateness (a long synchronous step, or no core to run on).
      let tick = spanBegin()!;
      setInterval(() => {
        const now = spanBegin()!;
        if (now.t - tick.t > 30) spanEnd('loop.late', tick, Math.round(now.t - tick.t - 10));
        tick = now;
      }, 10).unref();
    }
    const reconcile = async (manager: ControllerManager, signal: AbortSignal) => {
      // A failure of the loop itself (the store unreachable while the clock is read) pauses
      // reconciling, it does not end it: this process may still hold the lease.
      while (!signal.aborted) {
        try {
          await runManager(manager, signal);
        } catch (e) {
          log(`error: the controllers stopped: ${e instanceof Error ? e.message : String(e)}; starting them again`);
          await new Promise<void>((r) => {
            const t = setTimeout(r, 1000);
            signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
          });
        }
      }
    };
    const runManager = async (manager: ControllerManager, signal: AbortSignal) => {
      await manager.runForever(signal, {
        resyncMs: DAEMON_RESYNC_MS,
        onTick: (spent, stepped) => {
          lag = spent;
          const now = Date.now();
          // The end of a jump is written at once: `clock advance` is waiting for it.
          if (stepped !== undefined) steppedTo = stepped;
          else if (now - lastWrite < 1000) return;
          lastWrite = now;
          const doc: DaemonStatusDoc = { pid, startedAt, lastTick: now, loopLagMs: lag, reconciles: manager.stats.reconciles, errors: manager.stats.errors, lastError: manager.stats.lastError, ...(steppedTo !== undefined ? { steppedTo } : {}) };
          manager.ctx.api.sim.setDaemonStatus(doc).catch(() => {
            /* status is best effort */
          });
        },
      });
    };
    if (!elect) {
      await reconcile(createControllerManager(ctx), abort.signal);
    } else {
      const le = opts.leaderElect ?? {};
      const elector = new LeaderElector({
        api,
        leaseDurationMs: le.leaseDurationMs ?? LEASE_DEFAULTS.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs ?? LEASE_DEFAULTS.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs ?? LEASE_DEFAULTS.retryPeriodMs,
        log,
      });
      log(`leader election: identity ${elector.identity}`);
      // Each term starts a fresh manager (reconcilers keep caches of what they saw) whose
      // writes are fenced by the lease; losing it aborts the term at once.
      await elector.run(abort.signal, (term) => reconcile(createControllerManager({ ...ctx, api: fence(api, elector) }), term));
    }
    await server.close();
    log('daemon stopped');
    return 0;
  } catch (e) {
    log(`fatal: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return 1;
  } finally {
    if (primary) releasePidFile(clusterDir, pid);
  }
}
