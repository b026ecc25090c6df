// Runs one argument set through the real kubectl 1.32 and through kubesim's CLI, in the same
// working directory (fixtures/) and a throwaway environment, and compares stdout, stderr and
// the exit code byte for byte after two normalisations, both for things that cannot be equal:
//  - klog headers (`W1203 18:28:22.963481   18201 helpers.go:702]`) carry the time and the
//    pid; they become `W0000 00:00:00.000000 PID helpers.go:702]`.
//  - the program's name: kubesim prints its own name where cobra prints the root command's
//    (`See 'kubesim create --help' for usage.`), as kubectl does with its own; `kubesim`
//    becomes `kubectl` in kubesim's output. Nothing else is rewritten. So that this cannot
//    hide a trailer that names kubectl, those are reported apart (misnamed).
// kubectl gets a kubeconfig whose only cluster is https://127.0.0.1:1, so it cannot reach
// anything; a case that tries is reported (needsServer) and the suite fails on it.
// kubesim's side runs in a few long-lived hosts (test/helpers/cli-host.ts: the CLI's `run`, output
// captured) rather than one bin/kubesim process per case: the start-up is what bin/kubesim's
// own tests measure, and ~800 of them were most of this suite's time.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliHost } from '../helpers/cli-host';
import { KUBECTL_GO_ENV } from '../oracles';

export const ROOT = resolve(__dirname, '..', '..');
export const FIXTURES = join(__dirname, 'fixtures');

export const KUBECTL = '/usr/bin/kubectl';
/** Go runtime settings for every run of the oracle (test/oracles.ts). */
export { KUBECTL_GO_ENV };
export const haveKubectl = (): boolean => spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' }).status === 0;

export interface Outcome {
  stdout: string;
  stderr: string;
  code: number;
}

export interface CaseResult {
  args: string[];
  kubectl: Outcome;
  kubesim: Outcome;
  match: boolean;
  needsServer: boolean;
  /** kubesim's own output points at `kubectl` where cobra names the program (`See 'kubectl run -h'`). */
  misnamed: boolean;
}

const DUMMY_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster: {server: "https://127.0.0.1:1"}
  name: offline
contexts:
- context: {cluster: offline, user: offline}
  name: offline
current-context: offline
users:
- name: offline
  user: {token: offline}
`;

interface Environment {
  kubectl: NodeJS.ProcessEnv;
  kubesim: NodeJS.ProcessEnv;
  /** The temporary directory (HOME, kubeconfig, KUBESIM_HOME), removed after the run. */
  dir: string;
}

function environment(): Environment {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-fidelity-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, DUMMY_KUBECONFIG, { mode: 0o600 });
  const base: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig, TZ: 'UTC', LANG: 'C.UTF-8', NO_COLOR: '1' };
  const cache = process.env.KUBESIM_TEST_CACHE_HOME ?? join(dir, 'cache');
  return { dir, kubectl: { ...base, ...KUBECTL_GO_ENV }, kubesim: { ...base, KUBESIM_HOME: join(dir, 'kubesim'), KUBESIM_NO_DAEMON: '1', XDG_CACHE_HOME: cache } };
}

export function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = FIXTURES): Promise<Outcome> {
  return new Promise((resolveP) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveP({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: code ?? (signal ? 128 : -1) });
    });
  });
}

const KLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm;

export function normalise(s: string, fromKubesim: boolean): string {
  let t = s.replace(KLOG, '$10000 00:00:00.000000 PID ');
  if (fromKubesim) t = t.replace(/\bkubesim\b/g, 'kubectl');
  return t;
}

/**
 * kubectl's answers are cached (they depend only on the kubectl binary, the arguments and
 * the fixtures, all in the key), so a re-run starts only kubesim: half the processes on a
 * two-core machine. The cache lives in the temporary directory, never in the repository.
 */
export class KubectlCache {
  private readonly file: string;
  private readonly entries: Record<string, Outcome>;
  private dirty = false;

  constructor() {
    const h = createHash('sha256').update(readFileSync(KUBECTL));
    for (const f of readdirSync(FIXTURES).sort()) h.update(f).update('\0').update(readFileSync(join(FIXTURES, f))).update('\0');
    this.file = join(tmpdir(), `kubesim-fidelity-kubectl-${h.digest('hex').slice(0, 16)}.json`);
    try {
      this.entries = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Outcome>;
    } catch {
      this.entries = {};
    }
  }

  async get(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
    const key = JSON.stringify(args);
    const hit = this.entries[key];
    if (hit) return hit;
    const o = await exec(KUBECTL, args, env);
    this.entries[key] = o;
    this.dirty = true;
    return o;
  }

  save(): void {
    if (!this.dirty) return;
    const tmp = `${this.file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.entries));
    renameSync(tmp, this.file);
  }
}

/** cobra's usage trailers, which carry the name the user typed. */
const MISNAMED = /^(?:See '|Run ')kubectl\b/m;

export async function runCase(args: string[], env: Environment, host: CliHost, cache?: KubectlCache): Promise<CaseResult> {
  const [k, s] = await Promise.all([cache ? cache.get(args, env.kubectl) : exec(KUBECTL, args, env.kubectl), host.run(args)]);
  const kubectl = { ...k, stdout: normalise(k.stdout, false), stderr: normalise(k.stderr, false) };
  const kubesim = { ...s, stdout: normalise(s.stdout, true), stderr: normalise(s.stderr, true) };
  const match = kubectl.code === kubesim.code && kubectl.stdout === kubesim.stdout && kubectl.stderr === kubesim.stderr;
  // The name normalisation would hide a trailer that says kubectl: kubesim must name itself.
  const misnamed = MISNAMED.test(s.stdout) || MISNAMED.test(s.stderr);
  return { args, kubectl, kubesim, match, needsServer: k.stderr.includes('127.0.0.1:1'), misnamed };
}

/**
 * Runs every case, `concurrency` at a time, on `hostCount` kubesim hosts (a host runs its
 * commands in turn). kubectl's side is nearly all the time, so two hosts keep up with four
 * workers; each host more is another CLI to load and warm (~1 s of CPU).
 */
export async function runAll(cases: string[][], concurrency = 4, hostCount = 2): Promise<CaseResult[]> {
  const env = environment();
  const cache = new KubectlCache();
  const results: CaseResult[] = new Array(cases.length);
  // Each host its own KUBESIM_HOME: a case that opens the cluster (describe -f opens it before
  // reading its files) creates the default one, and two created at once in one home could
  // answer `cluster "kubesim" already exists` to whichever case lost the race.
  const hosts = Array.from({ length: Math.min(hostCount, concurrency) }, (_, n) => new CliHost({ cwd: FIXTURES, env: { ...env.kubesim, KUBESIM_HOME: join(env.dir, `kubesim-${n}`) }, timeoutMs: 30_000 }));
  let next = 0;
  const worker = async (host: CliHost) => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(cases[i], env, host, cache);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, n) => worker(hosts[n % hosts.length])));
  } finally {
    for (const h of hosts) h.stop();
    rmSync(env.dir, { recursive: true, force: true });
  }
  cache.save();
  return results;
}

/** A shell-ready rendering of an argument set, for reports. */
export function show(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
