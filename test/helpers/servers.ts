// Several `kubesim serve` processes for one cluster kept in etcd (the tests of leader
// election and failover): a state directory with the cluster, each server a real child
// process that can be killed with SIGKILL, and HTTPS requests as the cluster's admin.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, TEST_CACHE_HOME, type RunResult } from '../e2e/helpers';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined), or fails after `ms` saying what was awaited. */
export async function until<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms}ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export class Server {
  out = '';
  url = '';
  /** The connections kept open for request(..., keepAlive); closed with the server. */
  agent?: https.Agent;
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d) => (this.out += d));
    proc.stderr!.on('data', (d) => (this.out += d));
  }

  /** The holderIdentity this server campaigns with (from its log). */
  get identity(): string {
    return /leader election: identity (\S+)/.exec(this.out)?.[1] ?? '';
  }

  get exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.agent?.destroy();
    if (this.exited) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(signal);
    await Promise.race([gone, sleep(10_000)]);
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

export class EtcdBackedCluster {
  readonly dir: string;
  readonly home: string;
  readonly servers: Server[] = [];

  constructor(readonly name = 'lab') {
    this.dir = mkdtempSync(join(tmpdir(), 'kubesim-servers-test-'));
    this.home = join(this.dir, 'state');
  }

  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CACHE_HOME: TEST_CACHE_HOME,
      KUBESIM_HOME: this.home,
      KUBESIM_NO_DAEMON: '1',
      KUBECONFIG: join(this.dir, 'kubeconfig'),
      HOME: this.dir,
      NO_COLOR: '1',
      TZ: 'UTC',
      ...extra,
    };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    return env;
  }

  kubesim(args: string[]): RunResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: this.env(), encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** The CLI without blocking this process (watchers in it keep reading meanwhile). */
  kubesimAsync(args: string[], timeoutMs = 90_000, env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<RunResult> {
    return this.runAsync(process.execPath, [BIN, ...args], timeoutMs, env, cwd);
  }

  /** Any program (the real kubectl) with this cluster's environment, without blocking. */
  runAsync(cmd: string, args: string[], timeoutMs = 90_000, env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<RunResult> {
    return new Promise((resolve) => {
      const p = spawn(cmd, args, { cwd, env: this.env(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout!.on('data', (d) => (stdout += d));
      p.stderr!.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  async okAsync(args: string[]): Promise<string> {
    const r = await this.kubesimAsync(args);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  ok(args: string[]): string {
    const r = this.kubesim(args);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** `kubesim serve ARGS` with the daemon enabled; resolves once it announced its URL. */
  async serve(args: string[]): Promise<Server> {
    const proc = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: this.env({ KUBESIM_NO_DAEMON: undefined }), stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new Server(proc);
    this.servers.push(s);
    await until(`kubesim serve ${args.join(' ')} to serve`, 30_000, () => {
      if (s.exited) throw new Error(`kubesim serve exited: ${s.out}`);
      return / at (https?:\/\/\S+) \(context/.exec(s.out)?.[1];
    }).then((url) => (s.url = url));
    return s;
  }

  private pki(file: string): string {
    return readFileSync(join(this.home, 'clusters', this.name, 'pki', file), 'utf8');
  }

  /**
   * One HTTPS request to `server` as the admin; the status and parsed JSON body. A new
   * connection each time, unless `keepAlive` (a steady stream of writes: a TLS handshake
   * with client certificates per request was most of what the writer cost both ends).
   */
  request(server: Server, method: string, path: string, body?: unknown, timeoutMs = 15_000, keepAlive = false): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const tls = { ca: this.pki('ca.crt'), cert: this.pki('admin.crt'), key: this.pki('admin.key') };
      const agent = keepAlive ? (server.agent ??= new https.Agent({ keepAlive: true, ...tls })) : false;
      const req = https.request(
        new URL(path, server.url),
        { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, ...tls, agent, timeout: timeoutMs },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from ${server.url} within ${timeoutMs}ms`)));
      req.on('error', reject);
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
  }

  async close(): Promise<void> {
    for (const s of this.servers) await s.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
