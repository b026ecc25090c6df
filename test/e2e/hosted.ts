// A sandbox's commands run in the test file's one long-lived CLI process
// (test/helpers/cli-host.ts: the CLI's own `run`, as bin/kubesim calls it), each with that
// sandbox's KUBESIM_HOME and KUBECONFIG: for files that drive clusters command by command,
// whose subject is what each command prints and does, where a process per command was most
// of their CPU time. What a process itself does (start-up, signals, `-w`, a working
// directory of its own, a Node warning printed once per process, state that must outlive
// the process, a bound on the wall time a user waits) still goes through Sandbox.run, which
// spawns bin/kubesim.

import { after } from 'node:test';
import { join } from 'node:path';
import { CliHost } from '../helpers/cli-host';
import { ROOT, TEST_CACHE_HOME, type RunResult, type Sandbox } from './helpers';

const host = new CliHost({ cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', TZ: 'UTC' } });
after(() => host.stop());

export class Hosted {
  constructor(readonly sb: Sandbox) {}

  get home(): string {
    return this.sb.home;
  }

  /** As Sandbox.run, in the host: a host that crashes or times out answers as a killed process would (non-zero). */
  run(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
    return host.run(args, { stdin: opts.stdin, env: { KUBESIM_HOME: this.sb.home, KUBECONFIG: join(this.sb.home, 'kubeconfig'), ...opts.env } });
  }

  /** Runs and asserts success, returning stdout. */
  async ok(args: string[], opts: { stdin?: string } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubesim ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  file(name: string, content: string): string {
    return this.sb.file(name, content);
  }
}
