// `kubesim attach (POD | TYPE/NAME) [-c CONTAINER]`: follows what a running container writes
// from now on (src/exec/attach.ts, the same reading the API server's pods/attach serves),
// with kubectl's container choice, checks and messages; ends when the container stops.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import { attachedShellCommand, checkedTarget, chooseContainer, podSubresourcePath, runInContainer, type ExecTarget } from '../exec/run-command';
import { findContainer, resolvePod } from '../exec/pod-target';
import type { AttachStdin, FollowOptions } from '../exec/attach';
import type { CookedInput } from '../exec/tty';
import type { CliContext } from './context';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { declareFlagTypes } from './flags/pflag';
import { parseGoDuration } from './flags/duration';

export interface AttachFlags {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  quiet?: boolean;
  podRunningTimeout?: string;
}

export class AttachOptions {
  podRef = '';
  container?: string;
  quiet = false;
  stdin = false;
  tty = false;

  complete(args: string[], flags: AttachFlags, program = 'kubesim'): void {
    if (args.length === 0) throw new CliError('at least 1 argument is required for attach');
    if (args.length > 2) throw new CliError(`expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw ${args.length}: [${args.join(' ')}]`);
    if (parseGoDuration(flags.podRunningTimeout ?? '1m0s') <= 0) throw new CliError(`--pod-running-timeout must be higher than zero\nSee '${program} attach -h' for help and examples`);
    this.podRef = args.length === 2 ? `${args[0]}/${args[1]}` : args[0];
    this.container = flags.container;
    this.quiet = !!flags.quiet;
    this.stdin = !!flags.stdin;
    this.tty = !!flags.tty;
  }

  validate(): void {
    if (this.tty && !this.stdin) throw new CliError('-i/--stdin is required for containers with -t/--tty=true');
  }

  /**
   * AttachOptions.Run. `follow` is how `run` attaches: from the container's start, moving a
   * cluster that has no daemon.
   */
  async run(ctx: CliContext, follow: FollowOptions = {}): Promise<number> {
    const api = await ctx.api();
    // --as: kubectl's GET of the pod (or workload, then its pods), later its POST of pods/attach
    const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
    const { pod } = await resolvePod(api, ctx.namespace, this.podRef, (path) => check('GET', path));
    const name = chooseContainer(pod, { container: this.container, verb: 'attach', notice: this.quiet ? undefined : (t) => ctx.err(t) });
    // containerToAttachTo: kubectl looks for the container itself (exec leaves it to the server)
    const spec = findContainer(pod, name)?.spec;
    if (!spec) throw new CliError(`cannot attach to the container: container ${name} not found in pod ${pod.metadata.name}`);
    let tty = this.tty;
    if (tty && !spec.tty) {
      tty = false;
      if (!this.quiet) ctx.err(`error: Unable to use a TTY - container ${name} did not allocate one\n`);
    } else if (!tty && spec.tty) tty = true;
    // SetupTTY: a terminal only with stdin, and only when stdin is one
    const { rawTerminal, terminalIn } = await import('./exec');
    const raw = this.stdin && tty && terminalIn(ctx, { quiet: this.quiet });
    // kubectl prints the prompt, then goes raw (term.Safe) in the same breath; here awaits
    // come between, so raw first (the prompt shows the same: ONLCR stays): what is typed
    // once it shows is the session's, not echoed and sent as a line by the cooked terminal
    const attach = async (): Promise<NodeJS.Signals | undefined> => {
      if (!this.quiet) ctx.err("If you don't see a command prompt, try pressing enter.\n");
      // the attach request: refused (--as), then the API server's and kubelet's checks
      await check('POST', podSubresourcePath(api, pod, 'attach'));
      return this.attached(ctx, checkedTarget(pod, name), raw, follow);
    };
    const signal = raw ? await rawTerminal(ctx, attach) : await attach();
    // kubectl has no handler while it streams without a terminal: Ctrl-C kills it, and run
    // --rm deletes nothing. Here the cluster's step in progress ends first (a CLI without a
    // daemon moves it), then the signal takes its default course.
    if (signal) process.kill(process.pid, signal);
    // once the terminal is itself again, whatever the process was
    if (raw && !this.quiet) ctx.out(reattachMessage(pod, name));
    return 0;
  }

  /** From the attach's start to its end: the signal that ended it, if one did. */
  private async attached(ctx: CliContext, target: ExecTarget, raw: boolean, follow: FollowOptions): Promise<NodeJS.Signals | undefined> {
    const api = await ctx.api();
    const { pod, name } = target;
    // The container's process is a shell reading its stdin (run -i -- sh, debug -it): the session is that shell's.
    const shell = this.stdin ? await attachedShellCommand(target.spec) : undefined;
    if (shell) {
      const { runInTerminal } = await import('./exec');
      const code = raw ? await runInTerminal(ctx, target, shell) : await pipedShell(ctx, target, shell);
      if (code !== undefined) {
        // it was the container's process: its exit is the container's (the attach's status is not)
        const { recordProcessExit } = await import('../kubelet/runtime-state');
        await recordProcessExit(api, pod, name, code);
        return undefined;
      }
    }
    let input: AttachStdin | undefined;
    if (this.stdin && target.spec.stdin) {
      // piped input goes to the container's process (`run -i -- sh -c 'cat'`), which reads it from this moment on;
      // so do the lines typed on a terminal (kept cooked: it echoes and edits them) to a process not a shell (`-it -- cat`)
      // what it writes from the moment the input arrives is this attach's
      follow = { ...follow, sinceMs: follow.sinceMs ?? api.clock.now() };
      input = await sendStdin(ctx, target, raw);
      if (input && follow.drive) {
        // while the input is open, the in-process cluster moves no faster than it arrives
        const drive = follow.drive;
        const stream = input;
        follow = { ...follow, drive: (check) => drive(async () => (await check()) || (await stream.waitForMore(1000), false)) };
      }
    }
    const { followAttached } = await import('../exec/attach');
    let signal: NodeJS.Signals | undefined;
    let stop!: () => void;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    const onSignal = (s: NodeJS.Signals) => ((signal = s), stop());
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await followAttached(api, pod, name, (text) => ctx.out(text), interrupted, follow);
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await input?.close();
    }
    return signal;
  }
}

/**
 * The client's stdin, as it arrives, to the container's process (the whole text at once from
 * a host without a streaming stdin); on a terminal (`raw`), its keystrokes through the
 * container's terminal (src/exec/tty.ts), Ctrl-C ending the process by SIGINT.
 */
async function sendStdin(ctx: CliContext, target: ExecTarget, raw: boolean): Promise<AttachStdin | undefined> {
  const api = await ctx.api();
  const tty = raw ? await terminalKeys(ctx, target) : undefined;
  const chunks = tty ? tty.input : ctx.streams.stdinChunks?.();
  if (!chunks) {
    const { recordStdin } = await import('../kubelet/runtime-state');
    await recordStdin(api, target.pod, target.name, ctx.streams.stdinText(), !!target.spec.stdinOnce);
    return undefined;
  }
  const [{ sendToContainerStdin }, { cliStdinLimit }] = await Promise.all([import('../exec/attach'), import('./exec')]);
  return sendToContainerStdin(api, target, chunks, await cliStdinLimit(), tty?.eof);
}

/** -i without a terminal: a shell that reads its stdin reads the piped input as its script, to its end. */
async function pipedShell(ctx: CliContext, target: ExecTarget, shell: string[]): Promise<number | undefined> {
  const { interactiveShellName } = await import('../shell/exec');
  if (!interactiveShellName(shell, { busybox: false })) return undefined;
  const r = await runInContainer(await ctx.api(), target, shell, ctx.streams.stdinText());
  if (r.stdout) ctx.out(r.stdout);
  if (r.stderr) ctx.err(r.stderr);
  return r.code;
}

/** attach.go reattachMessage, after an interactive session of a pod that restarts its containers. */
function reattachMessage(pod: KObject, container: string): string {
  if ((pod.spec?.restartPolicy ?? 'Always') !== 'Always') return '';
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).some((c: { name: string }) => c.name === container);
  if (ephemeral) return `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubesim attach ${pod.metadata.name} -c ${container} -i -t' if it is still running\n`;
  return `Session ended, resume using 'kubesim attach ${pod.metadata.name} -c ${container} -i -t' command when the pod is running\n`;
}

const ATTACH_LONG = `Attach to a process that is already running inside an existing container.`;

const ATTACH_EXAMPLE = `  # Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
  # for selecting the container to be attached or the first container in the pod will be chosen
  kubectl attach mypod
  
  # Get output from ruby-container from pod mypod
  kubectl attach mypod -c ruby-container
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl attach mypod -c ruby-container -i -t
  
  # Get output from the first pod of a replica set named nginx
  kubectl attach rs/nginx`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('attach')
    .description('Attach to a running container')
    .usage('(POD | TYPE/NAME) -c CONTAINER')
    .argument('[args...]')
    .option('-c, --container <name>', 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen')
    // With -t, a container whose process is a shell on its terminal gives that shell's session.
    .option('-i, --stdin', 'Pass stdin to the container')
    .option('-t, --tty', 'Stdin is a TTY')
    .option('-q, --quiet', 'Only print output from the remote session')
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running', '1m0s');
  declareFlagTypes(cmd, { 'pod-running-timeout': 'duration' });
  kubectlHelp(cmd, p.name, { long: ATTACH_LONG, example: ATTACH_EXAMPLE, use: `attach ${cmd.usage()}` }, { 'pod-running-timeout': '1m0s' }).action(
    p.action((ctx, args: string[], flags: AttachFlags) => {
      const o = new AttachOptions();
      o.complete(args, flags, p.name);
      o.validate();
      return o.run(ctx);
    }),
  );
}

async function terminalKeys(ctx: CliContext, target: ExecTarget): Promise<CookedInput> {
  const [api, { cookedInput, SIGINT_STATUS }, { recordProcessExit }] = await Promise.all([ctx.api(), import('../exec/tty'), import('../kubelet/runtime-state')]);
  // this terminal keeps ONLCR in Node's raw mode (see runInTerminal): it adds the \r itself
  const echo = (text: string) => ctx.out(text.replace(/\r\n/g, '\n'));
  return cookedInput(ctx.streams.terminal!.keys(), echo, () => recordProcessExit(api, target.pod, target.name, SIGINT_STATUS));
}
