// A temporary cluster served by `kubesim serve` (a child process), the real kubectl
// pointed at it through a temporary KUBECONFIG (and HOME, so kubectl's discovery cache is
// temporary too), and bin/kubesim on the same cluster, to compare what both print.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, TEST_CACHE_HOME, type RunResult } from '../e2e/helpers';
import { KUBECTL_GO_ENV, requireKubectl } from '../oracles';
import { execAsync } from '../helpers/exec';
import { CliHost } from '../helpers/cli-host';
import { stopCluster } from '../../src/daemon/control';
import type { PtyResult } from '../helpers/pty';
import forge from 'node-forge';

export const KUBECTL = '/usr/bin/kubectl';

/** Fails (not skips) when the oracle, kubectl 1.32, is missing. */
export { requireKubectl };

/** A Role that reads pods and its binding to the user jane (RBAC cases: jane may get, not exec). */
export const JANE_READS_PODS = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: jane-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: jane}]
`;

/** What a test file's cluster starts with (ServedCluster.setUp). */
export interface SetUp {
  /** The test compares with the real kubectl: fail at once when it is missing. */
  kubectl?: boolean;
  /** `cluster create` arguments (default: two nodes). */
  create?: string[];
  /** CLI commands run on the cluster before it is served (`clock speed 10`, say). */
  prepare?: string[][];
  serveArgs?: string[];
  serveEnv?: Record<string, string>;
  /** Applied once the server answers. */
  manifest?: string;
  /** `reconcile --until-stable` arguments after applying the manifest (default: until stable). */
  settle?: string[];
}

/** What a CLI run printed, kubesim's name in stderr as kubectl's: [exit code, stdout, stderr]. */
export const asKubectl = (r: RunResult): [number, string, string] => [r.code, r.stdout, r.stderr.replace(/\bkubesim\b/g, 'kubectl')];

/** A process ServedCluster.started() left running. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Waits (40 s at most, failing at once if the process ended) until what it printed holds `cond`; `tick` runs between looks. */
  until(cond: (out: string) => boolean, tick?: () => Promise<unknown> | void): Promise<void>;
  done: Promise<RunResult>;
  exited: Promise<number>;
  out(): string;
  err(): string;
}

export class ServedCluster {
  readonly dir: string;
  readonly home: string;
  readonly kubeconfig: string;
  url = '';
  /** What the server wrote to stderr (its request failures). */
  serverErr = '';
  private child?: ChildProcess;
  private readonly hosts = new Map<string, CliHost>();
  /** What started() ran: each ended before the cluster's directory goes. */
  private readonly runs = new Set<Running>();
  private stopped = false;

  constructor(readonly name = 'srv') {
    this.dir = mkdtempSync(join(tmpdir(), 'kubesim-server-test-'));
    this.home = join(this.dir, 'state');
    this.kubeconfig = join(this.dir, 'kubeconfig');
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      XDG_CACHE_HOME: TEST_CACHE_HOME,
      KUBESIM_HOME: this.home,
      KUBESIM_NO_DAEMON: '1',
      KUBECONFIG: this.kubeconfig,
      HOME: this.dir,
      NO_COLOR: '1',
      TZ: 'UTC',
      // for the kubectl runs (the oracle, thousands in the server tests; node ignores them)
      ...KUBECTL_GO_ENV,
      ...extra,
    };
  }

  kubesim(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): RunResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { input: opts.stdin ?? '', cwd: ROOT, env: this.env(opts.env), encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * kubesim() with a code cache of its own, and whether a CLI bundle ran: one that runs leaves
   * its cache there (the start-up fast path's files leave theirs, fast-get*.cjs-…).
   */
  kubesimFresh(args: string[], env: Record<string, string> = {}): RunResult & { bundleRan: boolean } {
    const cache = mkdtempSync(join(tmpdir(), 'kubesim-fresh-cache-'));
    try {
      const r = this.kubesim(args, { env: { ...env, XDG_CACHE_HOME: cache } });
      return { ...r, bundleRan: existsSync(join(cache, 'kubesim')) && readdirSync(join(cache, 'kubesim')).some((f) => /^(main|verb-[a-z-]+)\.cjs-/.test(f)) };
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }

  kubectl(args: string[], opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): RunResult {
    const r = spawnSync(KUBECTL, args, { input: opts.stdin ?? '', cwd: ROOT, env: this.env(opts.env), encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * kubesim's CLI on this cluster in a long-lived process (test/helpers/cli-host.ts), where
   * what each command prints is the subject, not bin/kubesim's start-up: one host per
   * `KUBESIM_NO_DAEMON` (in-process by default, through the daemon when `env` sets it to ''),
   * the rest of `env` for this command only. Commands of one host run in turn.
   */
  hosted(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
    // a command a test left running past its end would start a host that nothing stops
    if (this.stopped) return Promise.reject(new Error(`kubesim ${args.join(' ')} after the cluster was stopped`));
    const { KUBESIM_NO_DAEMON: mode = '1', ...env } = opts.env ?? {};
    let host = this.hosts.get(mode);
    if (!host) this.hosts.set(mode, (host = new CliHost({ cwd: ROOT, env: this.env({ KUBESIM_NO_DAEMON: mode }) })));
    return host.run(args, { stdin: opts.stdin, env });
  }

  /** hosted(), which must exit 0: what it printed. */
  async hostedOk(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await this.hosted(args, opts);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** kubectl and the in-process CLI (hosted) at once, each given `stdin`: for what writes nothing (a dry run, a refusal, a read). */
  bothClients(args: string[], stdin?: string): Promise<[RunResult, RunResult]> {
    return Promise.all([this.kubectlAsync(args, { stdin }), this.hosted(args, { stdin })]);
  }

  /** kubectl and the in-process CLI (hosted), side by side, for what writes nothing: what kubectl printed (asKubectl), kubesim's the same. */
  async alike(args: string[]): Promise<[number, string, string]> {
    const [k, s] = await this.bothClients(args);
    assert.deepEqual(asKubectl(s), asKubectl(k), `kubesim ${args.join(' ')}`);
    return asKubectl(k);
  }

  /**
   * kubectl and the in-process CLI (hosted), side by side, both refused with `stderr` and
   * exit 1: a refusal writes nothing, so neither run sees the other's.
   */
  async refusedAlike(args: string[], stdin: string, stderr: string): Promise<void> {
    const [k, s] = await this.bothClients(args, stdin);
    assert.deepEqual([k.code, k.stdout, k.stderr], [1, '', stderr], `kubectl ${args.join(' ')} <<< ${stdin}`);
    assert.deepEqual(s, k, `in-process ${args.join(' ')} <<< ${stdin}`);
  }

  /** `kubesim` and `kubectl` without blocking this process (to run both at one moment); `env` adds to this cluster's. */
  kubesimAsync(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    return execAsync(process.execPath, [BIN, ...args], { cwd: ROOT, env: this.env(opts.env), timeoutMs: opts.timeoutMs });
  }

  /** kubesimAsync(), which must exit 0: what it printed. */
  async okAsync(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.kubesimAsync(args, opts);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /**
   * `argv` (kubectl, or node and bin/kubesim) started on this cluster and left running, its
   * stdin open (written to as a person types): what it printed so far, a wait for what it
   * prints, its end.
   */
  started(argv: string[], env: NodeJS.ProcessEnv = this.env()): Running {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let closed = false; // its output all read
    const done = new Promise<RunResult>((resolve) => child.on('close', (code) => ((closed = true), resolve({ code: code ?? -1, stdout: out, stderr: err }))));
    const until = async (cond: (out: string) => boolean, tick: () => Promise<unknown> | void = () => {}) => {
      for (const deadline = Date.now() + 40_000; !cond(out); await sleep(100)) {
        const why = closed ? 'it ended' : Date.now() > deadline ? 'timed out' : '';
        if (why) throw new Error(`${argv.join(' ')}: ${why}, having printed ${JSON.stringify(out)}, stderr ${JSON.stringify(err)}`);
        await tick();
      }
    };
    const run: Running = { child, until, done, exited: done.then((r) => r.code), out: () => out, err: () => err };
    this.runs.add(run);
    return run;
  }

  kubectlAsync(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
    return execAsync(KUBECTL, args, { cwd: ROOT, env: this.env(opts.env), stdin: opts.stdin });
  }

  /**
   * The end of a terminal session attached to a container: first `kubesim wait --for=<forArg>`
   * (this server only serves, KUBESIM_NO_DAEMON: a waiting CLI verb moves the cluster until
   * the container has started; running, or already ended, the wait looks between its steps and
   * a quick session may end the shell within one), then the session, which must have run every
   * step and exited 0. Its transcript, with kubesim's name as kubectl's.
   */
  async attachedTranscript(session: Promise<PtyResult>, waitArgs: string[]): Promise<string> {
    const started = await this.kubesimAsync(['wait', ...waitArgs, '--timeout=30s']);
    if (started.code !== 0) throw new Error(`kubesim wait ${waitArgs.join(' ')} exited ${started.code}: ${started.stderr}`);
    const r = await session;
    if (r.stalled !== undefined || r.code !== 0) throw new Error(`the session ${r.stalled !== undefined ? `stalled before ${JSON.stringify(r.stalled)}` : `exited ${r.code}`}:\n${r.transcript}`);
    return r.transcript.replace(/\bkubesim\b/g, 'kubectl');
  }

  /**
   * attachedTranscript() of a `debug -it` session adding ephemeral container `name` to `pod`:
   * first its PATCH (the client may start slowly on a loaded machine; a wait begun before it
   * would run the simulated clock past its timeout at once), then until the container started.
   */
  async ephemeralTranscript(session: Promise<PtyResult>, pod: string, name: string): Promise<string> {
    for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
      const names = (await this.hosted(['get', 'pod', pod, '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'])).stdout.split(' ');
      if (names.includes(name)) break;
      if (Date.now() > deadline) throw new Error(`debug never added ${name} to pod/${pod}`);
    }
    return this.attachedTranscript(session, [`pod/${pod}`, `--for=jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.*.startedAt}`]);
  }

  ok(args: string[], opts: { stdin?: string } = {}): string {
    const r = this.kubesim(args, opts);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  file(name: string, content: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  /**
   * The set-up the server tests share: kubectl required, the cluster created (writing its
   * kubeconfig entry), prepared and served (resolves once /readyz answers), the manifest
   * applied (file `setup.yaml`) and reconciled until stable.
   */
  async setUp(o: SetUp = {}): Promise<void> {
    if (o.kubectl) requireKubectl();
    this.ok(['cluster', 'create', this.name, ...(o.create ?? ['--nodes', '2'])]);
    for (const args of o.prepare ?? []) this.ok(args);
    await this.serve(o.serveArgs, o.serveEnv);
    if (o.manifest === undefined) return;
    this.ok(['apply', '-f', this.file('setup.yaml', o.manifest)]);
    const settle = this.kubesim(['reconcile', '--until-stable', ...(o.settle ?? [])]);
    // A bounded settle (`--timeout`) of a cluster that never settles exits non-zero by design.
    if (settle.code !== 0 && !o.settle?.includes('--timeout')) throw new Error(`reconcile --until-stable exited ${settle.code}\n${settle.stdout}${settle.stderr}`);
  }

  /** Kills the server with SIGKILL (no chance to clean up) and waits until it is gone. */
  kill9(): Promise<void> {
    return this.signalServer('SIGKILL');
  }

  /** Stops the server with SIGTERM (it winds down as on Ctrl-C) and waits until it is gone. */
  terminate(): Promise<void> {
    return this.signalServer('SIGTERM');
  }

  private async signalServer(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  /** Runs `kubesim serve` for the existing cluster; resolves once /readyz answers. */
  async serve(serveArgs: string[] = [], serveEnv: Record<string, string> = {}): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'serve', ...serveArgs], { cwd: ROOT, env: this.env(serveEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => ((err += d), (this.serverErr += d)));
    const deadline = Date.now() + 30_000;
    while (!/ at (https?:\/\/\S+)/.test(out)) {
      if (child.exitCode !== null) throw new Error(`kubesim serve exited ${child.exitCode}: ${out}${err}`);
      if (Date.now() > deadline) throw new Error(`kubesim serve did not start in time: ${out}${err}`);
      await sleep(50);
    }
    this.url = / at (https?:\/\/\S+)/.exec(out)![1];
    const inKubeconfig = /server: (\S+)/.exec(readFileSync(this.kubeconfig, 'utf8'))?.[1];
    if (inKubeconfig !== this.url) throw new Error(`the kubeconfig points at ${inKubeconfig}, the server listens at ${this.url}`);
    while ((await this.request('GET', '/readyz').catch(() => ({ status: 0, body: '' }))).body !== 'ok') {
      if (Date.now() > deadline) throw new Error(`/readyz never answered ok: ${out}${err}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Every process of the cluster gone before its directory is removed (a clean-clone CI run
    // removed it while one still wrote there: ENOTEMPTY).
    const hosts = Promise.all([...this.hosts.values()].map((host) => host.stop()));
    // A process a test killed may still be exiting (an in-process watcher of the store).
    for (const r of this.runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill();
    await Promise.all([...this.runs].map((r) => r.done));
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited;
    }
    await hosts;
    // A command through the daemon while the server ran without one (KUBESIM_NO_DAEMON=1)
    // started the cluster's daemon: stopped too, or its next write races the removal below.
    await stopCluster(join(this.home, 'clusters', this.name));
    rmSync(this.dir, { recursive: true, force: true });
  }

  pki(file: string): string {
    return readFileSync(join(this.home, 'clusters', this.name, 'pki', file), 'utf8');
  }

  /** Sends `GET <path>` exactly as written (no URL normalisation), as the admin; the status and body. */
  rawGet(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port: Number(new URL(this.url).port), ca: this.pki('ca.crt'), cert: this.pki('admin.crt'), key: this.pki('admin.key'), servername: 'localhost' }, () => {
        sock.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      });
      let data = '';
      sock.setEncoding('utf8');
      sock.on('data', (d) => (data += d));
      sock.on('end', () => {
        const [head, ...rest] = data.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
      });
      sock.on('error', reject);
    });
  }

  /** A raw HTTPS request, as the admin (client certificate) unless `auth` says otherwise. */
  request(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; auth?: 'cert' | 'token' | 'none' } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const auth = opts.auth ?? 'cert';
    return new Promise((resolve, reject) => {
      const u = new URL(path, this.url);
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (auth === 'token') headers.authorization = `Bearer ${this.pki('token').trim()}`;
      const req = https.request(
        u,
        {
          method,
          headers,
          // No kept-alive sockets: a test blocked in spawnSync past the server's keep-alive
          // timeout would otherwise reuse a socket the server has closed (socket hang up).
          agent: false,
          ca: this.pki('ca.crt'),
          ...(auth === 'cert' ? { cert: this.pki('admin.crt'), key: this.pki('admin.key') } : {}),
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds, polling; fails after `ms` with `what` (a function: its text is built only then). */
export async function until(what: string | (() => string), cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(50);
  }
}

/** A CertificateSigningRequest for a client certificate with common name `cn` (a fresh key), for the kube-apiserver-client signer. */
export function csrManifest(name: string, cn: string): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const req = forge.pki.createCertificationRequest();
  req.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  req.setSubject([{ name: 'commonName', value: cn }]);
  req.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  const pem = Buffer.from(forge.pki.certificationRequestToPem(req)).toString('base64');
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec:
  request: ${pem}
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
`;
}
