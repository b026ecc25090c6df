// `kubesim proxy`: as `kubectl proxy`, a local HTTP port in front of the cluster's API server
// (the daemon's, or `kubesim serve`'s), adding the admin's credentials; with kubectl's
// host, path and method filters (exec and attach refused by default) and its messages.

import type { Command } from 'commander';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';

export interface ProxyFlags {
  port?: string;
  address?: string;
  apiPrefix?: string;
  acceptHosts?: string;
  acceptPaths?: string;
  rejectPaths?: string;
  rejectMethods?: string;
  disableFilter?: boolean;
  keepalive?: string;
  www?: string;
  unixSocket?: string;
}

const DEFAULT_ACCEPT_HOSTS = '^localhost$,^127\\.0\\.0\\.1$,^\\[::1\\]$';
const DEFAULT_REJECT_PATHS = '^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach';

function regexps(list: string, flag: string): RegExp[] {
  return list
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return new RegExp(s);
      } catch (e) {
        throw new CliError(`invalid --${flag} ${JSON.stringify(s)}: ${(e as Error).message}`);
      }
    });
}

export class ProxyOptions {
  port = 8001;
  address = '127.0.0.1';
  apiPrefix = '/';
  acceptHosts: RegExp[] = [];
  acceptPaths: RegExp[] = [];
  rejectPaths: RegExp[] = [];
  rejectMethods: RegExp[] = [];
  filter = true;

  complete(args: string[], flags: ProxyFlags): void {
    if (args.length) throw new CliError(`unknown command ${JSON.stringify(args[0])} for "kubesim proxy"`);
    if (flags.port !== undefined) {
      if (!/^\d+$/.test(flags.port)) throw new CliError(`invalid argument "${flags.port}" for "-p, --port" flag: strconv.ParseInt: parsing "${flags.port}": invalid syntax`);
      this.port = Number(flags.port);
    }
    this.address = flags.address ?? '127.0.0.1';
    const prefix = flags.apiPrefix ?? '/';
    this.apiPrefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.filter = !flags.disableFilter;
    this.acceptHosts = regexps(flags.acceptHosts ?? DEFAULT_ACCEPT_HOSTS, 'accept-hosts');
    this.acceptPaths = regexps(flags.acceptPaths ?? '^.*', 'accept-paths');
    this.rejectPaths = regexps(flags.rejectPaths ?? DEFAULT_REJECT_PATHS, 'reject-paths');
    this.rejectMethods = regexps(flags.rejectMethods ?? '^$', 'reject-methods');
  }

  validate(): void {
    if (this.port > 65535) throw new CliError(`listen tcp ${this.address}:${this.port}: address ${this.port}: invalid port`);
  }

  /** kubectl's FilterServer: host, path and method rules. */
  accepts(req: http.IncomingMessage, path: string): boolean {
    if (!this.filter) return true;
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const any = (res: RegExp[], s: string) => res.some((r) => r.test(s));
    return any(this.acceptHosts, host) && any(this.acceptPaths, path) && !any(this.rejectPaths, path) && !any(this.rejectMethods, req.method ?? '');
  }

  async run(ctx: CliContext): Promise<number> {
    await ctx.api(); // starts the cluster's daemon (and its API server) unless KUBESIM_NO_DAEMON=1
    const { readServerRecord } = await import('../kubeconfig/cluster-entry');
    const { ensurePki } = await import('../server/pki');
    const rec = readServerRecord(ctx.clusterDir);
    if (!rec?.url) throw new CliError(`the API server of cluster "${ctx.clusterName}" is not running (start it with: kubesim serve, or let the daemon run)`);
    const upstream = new URL(rec.url);
    const pki = ensurePki(ctx.clusterDir);
    const tls = upstream.protocol === 'https:';
    const server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      const path = url.split('?')[0];
      if (!this.accepts(req, path) || !path.startsWith(this.apiPrefix.replace(/\/$/, '') || '/')) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Forbidden\n');
        return;
      }
      const target = this.apiPrefix === '/' ? url : url.slice(this.apiPrefix.length - 1) || '/';
      const headers = { ...req.headers, host: upstream.host };
      delete headers.authorization;
      if (!tls) headers.authorization = `Bearer ${pki.token}`;
      const opts = { host: upstream.hostname, port: upstream.port, path: target, method: req.method, headers };
      const up = tls ? https.request({ ...opts, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, servername: 'localhost' }) : http.request(opts);
      up.on('response', (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${e.message}\n`);
        ctx.err(`E proxy.go] Error while proxying request: ${e.message}\n`);
      });
      res.on('close', () => up.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new CliError(`listen tcp ${this.address}:${this.port}: bind: address already in use`) : e));
      server.listen(this.port, this.address, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    ctx.out(`Starting to serve on ${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.close();
    server.closeAllConnections();
    return 0;
  }
}

export function register(program: Command, p: Program): void {
  program
    .command('proxy')
    .description('Run a proxy to the Kubernetes API server')
    .usage('[--port=PORT] [--www=static-dir] [--www-prefix=prefix] [--api-prefix=prefix] [options]')
    .argument('[args...]')
    .option('-p, --port <port>', 'The port on which to run the proxy. Set to 0 to pick a random port.', '8001')
    .option('--address <address>', 'The IP address on which to serve on.', '127.0.0.1')
    .option('--api-prefix <prefix>', 'Prefix to serve the proxied API under.', '/')
    .option('--accept-hosts <regexps>', 'Regular expression for hosts that the proxy should accept.', DEFAULT_ACCEPT_HOSTS)
    .option('--accept-paths <regexps>', 'Regular expression for paths that the proxy should accept.', '^.*')
    .option('--reject-paths <regexps>', 'Regular expression for paths that the proxy should reject. Paths specified here will be rejected even accepted by --accept-paths.', DEFAULT_REJECT_PATHS)
    .option('--reject-methods <regexps>', 'Regular expression for HTTP methods that the proxy should reject (example --reject-methods=\'POST,PUT,PATCH\').', '^$')
    .option('--disable-filter', 'If true, disable request filtering in the proxy. This is dangerous, and can leave you vulnerable to XSRF attacks, when used with an accessible port.')
    .option('--keepalive <duration>', 'keepalive specifies the keep-alive period for an active network connection (accepted; no effect).')
    .addHelpText('after', `
Examples:
  # To proxy all of the Kubernetes API and nothing else
  kubesim proxy --api-prefix=/

  # Run a proxy to the Kubernetes API server on port 8011
  kubesim proxy --port=8011

  # Run a proxy to the Kubernetes API server on an arbitrary local port
  kubesim proxy --port=0

  # Run a proxy to the Kubernetes API server, changing the API prefix to k8s-api
  # This makes e.g. the pods API available at localhost:8001/k8s-api/v1/pods/
  kubesim proxy --api-prefix=/k8s-api`)
    .action(
      p.action((ctx, args: string[], flags: ProxyFlags) => {
        const o = new ProxyOptions();
        o.complete(args, flags);
        o.validate();
        return o.run(ctx);
      }),
    );
}
