// Runs the real CLI (bin/kubesim, the built bundle) in a temporary state directory, the way
// a user would, and returns what they would see.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { execAsync } from '../helpers/exec';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'kubesim');

/**
 * $XDG_CACHE_HOME for the CLI runs of the tests (bin/kubesim keeps V8's code cache there):
 * scripts/test.mjs's, shared by the whole suite, or one for this process when a test file is
 * run directly. Never the user's ~/.cache.
 */
export const TEST_CACHE_HOME = process.env.KUBESIM_TEST_CACHE_HOME ?? processCacheHome();

function processCacheHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-test-cache-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Copies a directory tree, modes included (copyFileSync keeps a file's mode): a third of
 * fs.cpSync's CPU time on a cluster's few hundred small files, paid once per test.
 */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: statSync(from).mode & 0o777 });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const a = join(from, e.name);
    const b = join(to, e.name);
    if (e.isDirectory()) copyTree(a, b);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(a), b);
    else copyFileSync(a, b);
  }
}

export class Sandbox {
  readonly home: string;
  constructor(prefix = 'kubesim-test-') {
    this.home = mkdtempSync(join(tmpdir(), prefix));
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: this.home, KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', TZ: 'UTC', KUBECONFIG: join(this.home, 'kubeconfig'), ...extra };
  }

  run(args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): RunResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { input: opts.stdin ?? '', cwd: opts.cwd ?? ROOT, env: this.env(opts.env), encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** `run` without blocking this process: independent cases of a file can run side by side. */
  runAsync(args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
    return execAsync(process.execPath, [BIN, ...args], { stdin: opts.stdin, cwd: opts.cwd ?? ROOT, env: this.env(opts.env) });
  }

  /** Runs and asserts success, returning stdout. */
  ok(args: string[], opts: { stdin?: string } = {}): string {
    const r = this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  file(name: string, content: string): string {
    const p = join(this.home, name);
    writeFileSync(p, content);
    return p;
  }

  /**
   * A new sandbox holding a copy of this one's clusters: tests that need the same starting
   * state each get their own, so none depends on what another test did (no daemon runs in
   * a sandbox, so the files are the whole state).
   */
  clone(prefix = 'kubesim-test-'): Sandbox {
    const copy = new Sandbox(prefix);
    copyTree(this.home, copy.home);
    return copy;
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/**
 * Gives every test of the calling file its own copy of one prepared sandbox: `prepare` runs
 * once, awaited (before the first test; the default cluster is created by then if it made
 * none, by the clock command below, as by any first command), then `use` receives a fresh clone
 * before each test, removed after it. No test sees another's objects, so any one runs alone
 * (--test-name-pattern) or in any order, and the cluster is still built once per file (a copy
 * is far cheaper). The prepared cluster's clock then nearly stands still between commands
 * (speed 0.001; waiting verbs and `clock advance` still move it): every copy starts at the
 * same cluster time, however long the tests before it took, and its first command has no
 * wall-clock gap to catch up on.
 */
export function copyPerTest(prepare: (base: Sandbox) => unknown, use: (copy: Sandbox) => void, prefix?: string): void {
  const base = new Sandbox(prefix);
  let copy: Sandbox | undefined;
  before(async () => {
    await prepare(base);
    base.ok(['clock', 'speed', '0.001']);
  });
  after(() => base.cleanup());
  beforeEach(() => {
    copy = base.clone(prefix);
    use(copy);
  });
  afterEach(() => copy?.cleanup());
}
