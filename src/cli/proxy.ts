// `kubesim proxy`: as `kubectl proxy`, a local HTTP port in front of the cluster's API server
// (the daemon's, or `kubesim serve`'s), adding the admin's credentials; with kubectl's
// host, path and method filters (exec and attach refused by default) and its messages.

import type { Command } from 'commander';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from '../api/errors';
import { klogHeader } from './generate';
import { declareFlagTypes } from './flags/pflag';
import { parseGoDuration } from './flags/duration';
import { kubectlHelp } from './kubectl-help';
import { PROXY_EXAMPLE, serveFile } from './proxy-static';
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
  wwwPrefix?: string;
  unixSocket?: string;
  appendServerPath?: boolean;
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
  staticDir = '';
  staticPrefix = '/static/';
  unixSocket = '';
  /** --keepalive in ms (0: none). */
  keepalive = 0;
  appendServerPath = false;

  /** kubectl's Complete and Validate (cobra hands proxy's arguments to nobody: they are ignored). */
  complete(ctx: CliContext, flags: ProxyFlags): void {
    if (flags.port !== undefined) this.port = Number(flags.port);
    this.address = flags.address ?? '127.0.0.1';
    const prefix = flags.apiPrefix ?? '/';
    this.apiPrefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
    const staticPrefix = flags.wwwPrefix ?? '/static/';
    this.staticPrefix = staticPrefix.endsWith('/') ? staticPrefix : `${staticPrefix}/`;
    this.staticDir = flags.www ?? '';
    this.unixSocket = flags.unixSocket ?? '';
    this.keepalive = parseGoDuration(flags.keepalive ?? '0s');
    this.appendServerPath = !!flags.appendServerPath;
    this.filter = !flags.disableFilter;
    if (!this.filter && !this.unixSocket) ctx.err(`${klogHeader('W', 'proxy.go:177')} Request filter disabled, your proxy is vulnerable to XSRF attacks, please be cautious\n`);
    this.acceptHosts = regexps(flags.acceptHosts ?? DEFAULT_ACCEPT_HOSTS, 'accept-hosts');
    this.acceptPaths = regexps(flags.acceptPaths ?? '^.*', 'accept-paths');
    this.rejectPaths = regexps(flags.rejectPaths ?? DEFAULT_REJECT_PATHS, 'reject-paths');
    this.rejectMethods = regexps(flags.rejectMethods ?? '^$', 'reject-methods');
  }

  validate(ctx: CliContext): void {
    if (this.port !== 8001 && this.unixSocket) throw new CliError('cannot set --unix-socket and --port at the same time');
    if (this.staticDir) {
      try {
        if (!statSync(this.staticDir).isDirectory()) ctx.err(`${klogHeader('W', 'proxy.go:202')} Static file directory ${this.staticDir} is not a directory\n`);
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
        ctx.err(`${klogHeader('W', 'proxy.go:200')} Failed to stat static file directory ${this.staticDir}: stat ${this.staticDir}: ${why}\n`);
      }
    }
    if (!this.unixSocket && (this.port > 65535 || this.port < 0)) throw new CliError(`listen tcp: address ${this.port}: invalid port`);
  }

  /** net.Listen's error as Go words it (an *OpError: `listen tcp 127.0.0.1:8001: bind: ...`, `listen unix PATH: bind: ...`). */
  private listenError(e: NodeJS.ErrnoException): Error {
    if (this.unixSocket) {
      // Node reports a socket in a missing folder as EACCES; bind(2) says ENOENT.
      const missing = !existsSync(dirname(this.unixSocket));
      const why = missing || e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRINUSE' ? 'address already in use' : undefined;
      return why ? new CliError(`listen unix ${this.unixSocket}: bind: ${why}`) : e;
    }
    if (e.code === 'EADDRINUSE') return new CliError(`listen tcp ${this.address}:${this.port}: bind: address already in use`);
    if (e.code === 'EADDRNOTAVAIL') return new CliError(`listen tcp ${this.address}:${this.port}: bind: cannot assign requested address`);
    if (e.code === 'EACCES') return new CliError(`listen tcp ${this.address}:${this.port}: bind: permission denied`);
    // The resolver's answer: Go names the DNS server it asked (resolv.conf's first).
    if (e.code === 'ENOTFOUND') return new CliError(`listen tcp: lookup ${this.address}${nameserver() ? ` on ${nameserver()}:53` : ''}: no such host`);
    return e;
  }

  /** http.ServeMux's choice: the static files when --www is set and their prefix is the longer match. */
  private servesStatic(path: string): boolean {
    if (!this.staticDir || !path.startsWith(this.staticPrefix)) return false;
    return !(path.startsWith(this.apiPrefix) && this.apiPrefix.length > this.staticPrefix.length);
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
    const agentOptions = { keepAlive: this.keepalive > 0, keepAliveMsecs: this.keepalive || undefined };
    const agent = tls ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    // --append-server-path: the kubeconfig server's own path goes in front of every request.
    const serverPath = this.appendServerPath ? upstream.pathname.replace(/\/$/, '') : '';
    const server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      const path = url.split('?')[0];
      if (this.servesStatic(path)) {
        serveFile(this.staticDir, path.slice(this.staticPrefix.length - 1), req, res);
        return;
      }
      if (!this.accepts(req, path) || !path.startsWith(this.apiPrefix.replace(/\/$/, '') || '/')) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Forbidden\n');
        return;
      }
      const target = this.apiPrefix === '/' ? url : url.slice(this.apiPrefix.length - 1) || '/';
      const headers = { ...req.headers, host: upstream.host };
      delete headers.authorization;
      if (!tls) headers.authorization = `Bearer ${pki.token}`;
      const opts = { host: upstream.hostname, port: upstream.port, path: serverPath + target, method: req.method, headers, agent };
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
      server.once('error', (e: NodeJS.ErrnoException) => reject(this.listenError(e)));
      if (this.unixSocket) {
        // ListenUnix: a stale socket is removed first; the socket is for its user only (umask 077).
        try {
          if (statSync(this.unixSocket).isSocket()) rmSync(this.unixSocket);
        } catch {
          // nothing there
        }
        server.listen(this.unixSocket, () => {
          chmodSync(this.unixSocket, 0o700);
          resolve();
        });
      } else server.listen(this.port, this.address, () => resolve());
    });
    const addr = server.address();
    if (typeof addr === 'string') ctx.out(`Starting to serve on ${addr}\n`);
    else ctx.out(`Starting to serve on ${(addr as AddressInfo).family === 'IPv6' ? `[${(addr as AddressInfo).address}]` : (addr as AddressInfo).address}:${(addr as AddressInfo).port}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.close();
    server.closeAllConnections();
    agent.destroy();
    return 0;
  }
}

const PROXY_LONG = `Creates a proxy server or application-level gateway between localhost and the Kubernetes API server. It also allows serving static content over specified HTTP path. All incoming data enters through one port and gets forwarded to the remote Kubernetes API server port, except for the path matching the static content path.`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('proxy')
    .description('Run a proxy to the Kubernetes API server')
    .usage('[--port=PORT] [--www=static-dir] [--www-prefix=prefix] [--api-prefix=prefix]')
    .argument('[args...]')
    .option('-p, --port <port>', 'The port on which to run the proxy. Set to 0 to pick a random port.', '8001')
    .option('--address <address>', 'The IP address on which to serve on.', '127.0.0.1')
    .option('--api-prefix <prefix>', 'Prefix to serve the proxied API under.', '/')
    .option('--accept-hosts <regexps>', 'Regular expression for hosts that the proxy should accept.', DEFAULT_ACCEPT_HOSTS)
    .option('--accept-paths <regexps>', 'Regular expression for paths that the proxy should accept.', '^.*')
    .option('--reject-paths <regexps>', 'Regular expression for paths that the proxy should reject. Paths specified here will be rejected even accepted by --accept-paths.', DEFAULT_REJECT_PATHS)
    .option('--reject-methods <regexps>', "Regular expression for HTTP methods that the proxy should reject (example --reject-methods='POST,PUT,PATCH'). ", '^$')
    .option('--disable-filter', 'If true, disable request filtering in the proxy. This is dangerous, and can leave you vulnerable to XSRF attacks, when used with an accessible port.')
    .option('--keepalive <duration>', 'keepalive specifies the keep-alive period for an active network connection. Set to 0 to disable keepalive.', '0s')
    .option('--append-server-path', 'If true, enables automatic path appending of the kube context server path to each request.')
    .option('-u, --unix-socket <path>', 'Unix socket on which to run the proxy.')
    .option('-w, --www <dir>', 'Also serve static files from the given directory under the specified prefix.')
    .option('-P, --www-prefix <prefix>', 'Prefix to serve static files under, if static file directory is specified.', '/static/');
  declareFlagTypes(cmd, { port: 'int', keepalive: 'duration' });
  kubectlHelp(cmd, p.name, { long: PROXY_LONG, example: PROXY_EXAMPLE, use: `proxy ${cmd.usage()}` }, { port: '8001', keepalive: '0s', 'unix-socket': "''", www: "''" }).action(
    p.action((ctx, _args: string[], flags: ProxyFlags) => {
      const o = new ProxyOptions();
      o.complete(ctx, flags);
      o.validate(ctx);
      return o.run(ctx);
    }),
  );
}

/** The first nameserver of /etc/resolv.conf, as Go's resolver names it in a lookup error. */
function nameserver(): string | undefined {
  try {
    const m = /^nameserver\s+(\S+)/m.exec(readFileSync('/etc/resolv.conf', 'utf8'));
    return m ? (m[1].includes(':') ? `[${m[1]}]` : m[1]) : undefined;
  } catch {
    return undefined;
  }
}
