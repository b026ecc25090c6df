// `kubesim serve`: the cluster's daemon in the foreground, serving the Kubernetes API
// (HTTPS with the cluster's certificates, or plain HTTP with --insecure-http) so that the
// real kubectl and client libraries can use it. With KUBESIM_NO_DAEMON=1 it serves the API
// only: no controllers run and cluster time moves only when a CLI verb drives it.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { parseDuration } from './flags/duration';
import type { CliContext } from './context';
import type { Program } from './root';

interface ServeFlags {
  port?: string;
  insecureHttp?: boolean;
  leaderElect?: boolean | string;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
}

export function register(program: Command, p: Program): void {
  program
    .command('serve')
    .description("Serve the cluster's Kubernetes API in the foreground (for kubectl and client libraries)")
    .option('--port <n>', "Port on 127.0.0.1 to serve on (default: the cluster's recorded port, chosen at create)")
    .option('--insecure-http', 'Serve plain HTTP instead of HTTPS (clients then authenticate with the bearer token)')
    .option('--leader-elect [bool]', 'Start a leader election client and gain leadership before running the controllers (kube-system/kube-controller-manager Lease). Default true for a cluster kept in etcd, false otherwise.')
    .option('--leader-elect-lease-duration <duration>', 'The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership of a led but unrenewed leader slot.', '15s')
    .option('--leader-elect-renew-deadline <duration>', 'The interval between attempts by the acting master to renew a leadership slot before it stops leading. This must be less than the lease duration.', '10s')
    .option('--leader-elect-retry-period <duration>', 'The duration the clients should wait between attempting acquisition and renewal of a leadership.', '2s')
    .addHelpText('after', `
Examples:
  # Serve the current cluster and use it with kubectl
  kubesim serve &
  kubectl --context kubesim-kubesim get pods

  # Serve on a chosen port
  kubesim serve --port 6443

  # A cluster kept in etcd: several API servers, one elected leader reconciling
  kubesim serve --port 6443 &
  kubesim serve --port 6444 &`)
    .action(p.action((ctx, flags: ServeFlags) => runServe(ctx, flags)));
}

function parsePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new CliError(`invalid --port "${v}": must be a port number between 1 and 65535`);
  return n;
}

function parseBool(name: string, v: boolean | string | undefined): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (/^(true|1|t)$/i.test(v)) return true;
  if (/^(false|0|f)$/i.test(v)) return false;
  throw new CliError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

/** The election's timings, checked as kube-controller-manager checks them. */
function leaderElectFlags(flags: ServeFlags): NonNullable<import('../daemon/main').DaemonOptions['leaderElect']> {
  const le = {
    enabled: parseBool('leader-elect', flags.leaderElect),
    leaseDurationMs: parseDuration(flags.leaderElectLeaseDuration ?? '15s'),
    renewDeadlineMs: parseDuration(flags.leaderElectRenewDeadline ?? '10s'),
    retryPeriodMs: parseDuration(flags.leaderElectRetryPeriod ?? '2s'),
  };
  if (le.leaseDurationMs <= le.renewDeadlineMs) throw new CliError(`leaderElection.leaseDuration: Invalid value: "${flags.leaderElectLeaseDuration ?? '15s'}": must be greater than renewDeadline`);
  if (le.renewDeadlineMs < le.retryPeriodMs) throw new CliError(`leaderElection.renewDeadline: Invalid value: "${flags.leaderElectRenewDeadline ?? '10s'}": must be greater than or equal to retryPeriod`);
  if (le.retryPeriodMs <= 0) throw new CliError(`leaderElection.retryPeriod: Invalid value: "${flags.leaderElectRetryPeriod ?? '2s'}": must be greater than zero`);
  if (le.renewDeadlineMs <= 1.2 * le.retryPeriodMs) throw new CliError(`leaderElection.renewDeadline: Invalid value: "${flags.leaderElectRenewDeadline ?? '10s'}": must be greater than retryPeriod*1.2`);
  return le;
}

export async function runServe(ctx: CliContext, flags: ServeFlags): Promise<number> {
  const port = parsePort(flags.port);
  const leaderElect = leaderElectFlags(flags);
  const serve = { port, insecureHttp: flags.insecureHttp };
  const announce = (url: string) => ctx.out(`Serving the Kubernetes API of cluster "${ctx.clusterName}" at ${url} (context ${'kubesim-' + ctx.clusterName}; Ctrl-C to stop)\n`);
  if (process.env.KUBESIM_NO_DAEMON === '1') {
    const api = await ctx.api({ startDaemon: false }); // startApiServer loads the validation
    const { serveCluster } = await import('../server/serve-cluster');
    const server = await serveCluster(api, ctx.clusterDir, { ...serve, log: (m) => ctx.err(`${m}\n`) }).catch(listenError(port));
    announce(server.url);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  }
  await ctx.api({ startDaemon: false }); // creates the default cluster on first use
  const { runningDaemonPid } = await import('../daemon/control');
  const { clusterStoreUrl } = await import('../cluster/store-url');
  const pid = runningDaemonPid(ctx.clusterDir);
  // A cluster kept in etcd takes several servers (one elected leader reconciles); a
  // directory, one daemon.
  if (pid && !clusterStoreUrl(ctx.clusterDir).startsWith('etcd://')) {
    const { readServerRecord, serverUrl } = await import('../kubeconfig/cluster-entry');
    const rec = readServerRecord(ctx.clusterDir);
    throw new CliError(`the daemon of cluster "${ctx.clusterName}" (pid ${pid}) already serves its API${rec ? ` at ${serverUrl(rec)}` : ''}; stop it first with: kubesim cluster stop`);
  }
  const { runDaemon } = await import('../daemon/main');
  return runDaemon(ctx.clusterDir, { serve, onServing: announce, leaderElect });
}

function listenError(port: number | undefined): (e: unknown) => never {
  return (e) => {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`listen tcp 127.0.0.1:${port ?? ''}: bind: address already in use`);
    throw e;
  };
}
