// A real etcd for tests: one member or a 3-member cluster of /usr/bin/etcd on free loopback
// ports, each with its own temporary data directory. Members can be stopped and started
// again (same data directory, so they rejoin); close() kills every process and removes the
// directories. There is no fallback: when etcd is not installed the test fails, saying how
// to install it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = process.env.KUBESIM_ETCD_BIN ?? '/usr/bin/etcd';
export const ETCDCTL_BIN = process.env.KUBESIM_ETCDCTL_BIN ?? '/usr/bin/etcdctl';

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  /** host:port, as in a store URL */
  endpoint: string;
  dataDir: string;
  logFile: string;
  proc?: ChildProcess;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** A port nothing listens on right now (bound and released; etcd binds it a moment later). */
/**
 * `n` distinct free ports: every listener stays open until all are chosen (one closed at
 * once may be handed out again at the next listen, and a member given the same port for
 * its client and peer URLs cannot start: "bind: address already in use").
 */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((srv) => {
      const addr = srv.address();
      return typeof addr === 'object' && addr ? addr.port : 0;
    });
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(resolve))));
  }
}

async function waitFor(what: string, deadlineMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

export class EtcdCluster {
  private readonly root: string;
  readonly members: EtcdMember[] = [];
  private readonly token = `kubesim-test-${process.pid}-${Date.now()}`;

  private constructor(
    readonly size: number,
    private readonly heartbeatMs: number,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'kubesim-etcd-'));
  }

  /**
   * Starts `size` members (1 or 3) and waits until every one reports healthy. Raft's
   * heartbeat is 50 ms (elections after a member stops settle in well under a second) unless
   * `heartbeatMs` says otherwise (the election timeout is ten heartbeats): a test that
   * stops no member can take etcd's own 100 ms, half the CPU an idle member spends.
   */
  static async start(size = 1, opts: { heartbeatMs?: number } = {}): Promise<EtcdCluster> {
    if (!existsSync(ETCD_BIN)) {
      throw new Error(`etcd is not installed at ${ETCD_BIN}: install it (apt-get install -y etcd-server) to run the etcd store tests`);
    }
    const c = new EtcdCluster(size, opts.heartbeatMs ?? 50);
    try {
      const ports = await freePorts(2 * size);
      for (let i = 0; i < size; i++) {
        const [clientPort, peerPort] = [ports[2 * i], ports[2 * i + 1]];
        c.members.push({
          name: `m${i}`,
          clientPort,
          peerPort,
          endpoint: `127.0.0.1:${clientPort}`,
          dataDir: join(c.root, `m${i}.etcd`),
          logFile: join(c.root, `m${i}.log`),
        });
      }
      for (let i = 0; i < size; i++) c.spawnMember(i);
      await c.waitHealthy();
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** The store URL naming every member. */
  get url(): string {
    return 'etcd://' + this.members.map((m) => m.endpoint).join(',');
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.endpoint);
  }

  private spawnMember(i: number): void {
    const m = this.members[i];
    const initialCluster = this.members.map((x) => `${x.name}=http://127.0.0.1:${x.peerPort}`).join(',');
    const log = openSync(m.logFile, 'a');
    const proc = spawn(
      ETCD_BIN,
      [
        '--name', m.name,
        '--data-dir', m.dataDir,
        '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
        '--advertise-client-urls', `http://127.0.0.1:${m.clientPort}`,
        '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-token', this.token,
        '--initial-cluster-state', 'new',
        '--heartbeat-interval', String(this.heartbeatMs),
        '--election-timeout', String(this.heartbeatMs * 10),
        '--logger', 'zap',
        '--log-outputs', 'stderr',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    m.proc = proc;
  }

  /** Waits until every running member reports healthy (it has a leader and answers). */
  async waitHealthy(deadlineMs = 30_000): Promise<void> {
    for (const m of this.members) {
      if (!m.proc) continue;
      await waitFor(`etcd member ${m.name} (${m.endpoint}) to be healthy; log:\n${this.log(m)}`, deadlineMs, async () => {
        if (m.proc?.exitCode !== null) throw new Error(`etcd member ${m.name} exited (${m.proc?.exitCode}); log:\n${this.log(m)}`);
        return healthy(m.endpoint);
      });
    }
  }

  private log(m: EtcdMember): string {
    try {
      return readFileSync(m.logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops member i (SIGKILL: as abrupt as a crash) and waits until it is gone. */
  async stop(i: number): Promise<void> {
    const p = this.members[i].proc;
    if (!p) return;
    this.members[i].proc = undefined;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await exited;
  }

  /** Starts member i again on its data directory (it rejoins the cluster). */
  async restart(i: number): Promise<void> {
    if (this.members[i].proc) return;
    this.spawnMember(i);
  }

  /** etcdctl against the cluster, for checks made outside kubesim. */
  etcdctl(args: string[]): string {
    const r = spawnSync(ETCDCTL_BIN, ['--endpoints', this.endpoints.join(','), ...args], {
      encoding: 'utf8',
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: 20_000,
    });
    if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  async close(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.stop(i);
    rmSync(this.root, { recursive: true, force: true });
  }
}
