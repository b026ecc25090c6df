// kubesim's CLI in a long-lived child process (cli-host-child.ts), answering one command line
// at a time: for suites of hundreds of commands whose subject is what each command prints
// and does, not the start-up of bin/kubesim (its own tests measure that), where a process
// per command was most of the suite's CPU time. The child starts on first use, in `cwd`
// with `env`; a command that hangs past `timeoutMs` is killed as a spawned binary would be,
// and the next command starts a new child.

import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface HostOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

export class CliHost {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private waiting?: (o: HostOutcome) => void;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }) {}

  private start(): void {
    // scripts/test.mjs bundles the child with the tests that use a host; run otherwise, through tsx.
    const bundled = process.env.KUBESIM_TEST_BUNDLES ? join(process.env.KUBESIM_TEST_BUNDLES, 'test', 'helpers', 'cli-host-child.cjs') : '';
    const [script, execArgv] = bundled && existsSync(bundled) ? [bundled, []] : [join(__dirname, 'cli-host-child.ts'), ['--import', pathToFileURL(require.resolve('tsx')).href]];
    const child = fork(script, [], { cwd: this.opts.cwd, env: this.opts.env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    // a child that fails to start ends the wait too (runNow then answers as for a crash)
    this.ready = new Promise((resolveP) => (child.once('message', () => resolveP()), child.once('exit', () => resolveP())));
    child.on('message', (m: HostOutcome & { id?: number }) => {
      if (m.id === undefined) return;
      const done = this.waiting;
      this.waiting = undefined;
      done?.({ stdout: m.stdout, stderr: m.stderr, code: m.code });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const done = this.waiting;
      this.waiting = undefined;
      // As a spawned kubesim killed or crashed would end.
      done?.({ stdout: '', stderr: `kubesim host ended (${signal ?? code})\n`, code: signal ? 128 : code ?? -1 });
    });
  }

  /** Runs one command line (callers may overlap: commands run in turn); `env` is added to the host's for this command only. */
  run(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<HostOutcome> {
    const p = this.queue.then(() => this.runNow(args, opts));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async runNow(args: string[], opts: { stdin?: string; env?: Record<string, string> }): Promise<HostOutcome> {
    if (!this.child) this.start();
    const child = this.child!;
    await this.ready;
    if (child.exitCode !== null || child.signalCode !== null) return { stdout: '', stderr: `kubesim host ended (${child.signalCode ?? child.exitCode})\n`, code: child.signalCode ? 128 : child.exitCode ?? -1 };
    return new Promise((resolveP) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs ?? 60_000);
      this.waiting = (o) => {
        clearTimeout(timer);
        resolveP(o);
      };
      child.send({ id: this.nextId++, args, stdin: opts.stdin, env: opts.env });
    });
  }

  /** Ends the host and waits until it has exited: a verb's clean-up on SIGTERM may still write into the state directory. */
  stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolveP) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolveP();
      });
      child.kill();
    });
  }
}
