// `kubesim dashboard`: the cluster as a live picture in the browser. Serves the page and
// the API through a loopback proxy (plain HTTP on 127.0.0.1, so no certificate warning)
// to the cluster's API server, prints the address with the cluster's token in its
// fragment (never sent to a server; the page keeps it in sessionStorage), and opens a
// browser when one is available. Runs until Ctrl-C, as `kubectl proxy` does.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';
import { sleep } from '../util/sleep';

interface DashboardFlags {
  port?: string;
  open: boolean;
}

export function register(program: Command, p: Program): void {
  program
    .command('dashboard')
    .description('Show the cluster as a live picture in the browser: nodes, pods, rollouts, events, the clock')
    .option('--port <n>', 'Port on 127.0.0.1 for the dashboard (default: a free one)')
    .option('--no-open', 'Print the address only; do not open a browser')
    .addHelpText('after', `
The address printed ends in #token=...: it lets the page use the cluster's API as its
admin, so treat it as you would the kubeconfig. The API server serves the same page at
https://127.0.0.1:PORT/dashboard/ for browsers that trust the cluster's CA.

Examples:
  # Open the current cluster's dashboard
  kubesim dashboard

  # On a fixed port, without opening a browser
  kubesim dashboard --port 8001 --no-open`)
    .action(p.action((ctx, flags: DashboardFlags) => runDashboard(ctx, flags)));
}

function parsePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new CliError(`invalid --port "${v}": must be a port number between 0 and 65535`);
  return n;
}

/** The URL the cluster's API is served at: the daemon's (waiting for it to listen), or one served here when no daemon runs. */
async function apiUrl(ctx: CliContext): Promise<{ url: string; close?: () => Promise<void> }> {
  const { readServerRecord, recordedServerRuns } = await import('../kubeconfig/server-record');
  // Already served (the daemon, or `kubesim serve` in the foreground, which the daemon
  // check does not recognise as one): use that server, start nothing.
  const served = readServerRecord(ctx.clusterDir);
  if (ctx.clusterExists() && recordedServerRuns(served)) return { url: served.url };
  const api = await ctx.api();
  if (process.env.KUBESIM_NO_DAEMON === '1') {
    const { loadValidation } = await import('../api/validator-adapter');
    await loadValidation();
    const { serveCluster } = await import('../server/serve-cluster');
    const server = await serveCluster(api, ctx.clusterDir, { log: () => {} });
    return { url: server.url, close: server.close };
  }
  const { runningDaemonPid } = await import('../daemon/control');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rec = readServerRecord(ctx.clusterDir);
    const pid = runningDaemonPid(ctx.clusterDir);
    if (pid !== undefined && recordedServerRuns(rec) && rec.pid === pid) return { url: rec.url };
    if (Date.now() > deadline) throw new CliError(`the daemon of cluster "${ctx.clusterName}" is not serving its API (see: kubesim cluster status)`);
    await sleep(100);
  }
}

/** Opens `url` in the user's browser if there is one; never fails. */
async function openBrowser(url: string): Promise<boolean> {
  const { spawn } = await import('node:child_process');
  const env = process.env;
  let cmd: string | undefined;
  let args: string[] = [url];
  if (env.BROWSER) cmd = env.BROWSER;
  else if (process.platform === 'darwin') cmd = 'open';
  else if (process.platform === 'win32') [cmd, args] = ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]];
  else if (env.DISPLAY || env.WAYLAND_DISPLAY) cmd = 'xdg-open';
  if (!cmd) return false;
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd!, args, { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

export async function runDashboard(ctx: CliContext, flags: DashboardFlags): Promise<number> {
  const port = parsePort(flags.port);
  const served = await apiUrl(ctx);
  const { ensurePki } = await import('../server/pki');
  const pki = ensurePki(ctx.clusterDir);
  const { startDashboardProxy } = await import('../dashboard/proxy');
  const { readServerRecord, recordedServerRuns } = await import('../kubeconfig/server-record');
  // A daemon restarted while the page is open (`cluster stop`, then any verb) may serve on
  // another port when its recorded one was taken: each request goes where it serves now.
  let last = served.url;
  const upstream = served.close
    ? served.url
    : () => {
        const rec = readServerRecord(ctx.clusterDir);
        if (recordedServerRuns(rec)) last = rec.url;
        return last;
      };
  const proxy = await startDashboardProxy({ upstream, ca: pki.caCert, port }).catch((e) => {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`listen tcp 127.0.0.1:${port}: bind: address already in use`);
    throw e;
  });
  const url = `${proxy.url}/dashboard/#token=${encodeURIComponent(pki.token)}`;
  ctx.out(`Dashboard of cluster "${ctx.clusterName}": ${url}\n`);
  ctx.out(`(a proxy to the cluster's API at ${served.url}; Ctrl-C to stop)\n`);
  if (flags.open && !(await openBrowser(url))) ctx.out('No browser to open here: open the address above in one.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  await served.close?.();
  return 0;
}
