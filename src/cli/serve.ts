// `kubesim serve`: the cluster's daemon in the foreground, serving the Kubernetes API
// (HTTPS with the cluster's certificates, or plain HTTP with --insecure-http) so that the
// real kubectl and client libraries can use it. With KUBESIM_NO_DAEMON=1 it serves the API
// only: no controllers run and cluster time moves only when a CLI verb drives it.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';

interface ServeFlags {
  port?: string;
  insecureHttp?: boolean;
}

export function register(program: Command, p: Program): void {
  program
    .command('serve')
    .description("Serve the cluster's Kubernetes API in the foreground (for kubectl and client libraries)")
    .option('--port <n>', "Port on 127.0.0.1 to serve on (default: the cluster's recorded port, chosen at create)")
    .option('--insecure-http', 'Serve plain HTTP instead of HTTPS (clients then authenticate with the bearer token)')
    .addHelpText('after', `
Examples:
  # Serve the current cluster and use it with kubectl
  kubesim serve &
  kubectl --context kubesim-kubesim get pods

  # Serve on a chosen port
  kubesim serve --port 6443`)
    .action(p.action((ctx, flags: ServeFlags) => runServe(ctx, flags)));
}

function parsePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new CliError(`invalid --port "${v}": must be a port number between 1 and 65535`);
  return n;
}

export async function runServe(ctx: CliContext, flags: ServeFlags): Promise<number> {
  const port = parsePort(flags.port);
  const serve = { port, insecureHttp: flags.insecureHttp };
  const announce = (url: string) => ctx.out(`Serving the Kubernetes API of cluster "${ctx.clusterName}" at ${url} (context ${'kubesim-' + ctx.clusterName}; Ctrl-C to stop)\n`);
  if (process.env.KUBESIM_NO_DAEMON === '1') {
    const api = await ctx.api({ startDaemon: false });
    const { loadValidation } = await import('../api/validator-adapter');
    await loadValidation();
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
  const pid = runningDaemonPid(ctx.clusterDir);
  if (pid) {
    const { readServerRecord, serverUrl } = await import('../kubeconfig/cluster-entry');
    const rec = readServerRecord(ctx.clusterDir);
    throw new CliError(`the daemon of cluster "${ctx.clusterName}" (pid ${pid}) already serves its API${rec ? ` at ${serverUrl(rec)}` : ''}; stop it first with: kubesim cluster stop`);
  }
  const { runDaemon } = await import('../daemon/main');
  return runDaemon(ctx.clusterDir, { serve, onServing: announce });
}

function listenError(port: number | undefined): (e: unknown) => never {
  return (e) => {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`listen tcp 127.0.0.1:${port ?? ''}: bind: address already in use`);
    throw e;
  };
}
