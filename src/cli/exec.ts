// `kubesim exec POD [-c C] -- CMD...`: runs the command in kubesim's simulated shell
// (src/shell/) against what the container would see, with kubectl's checks and
// errors (completed pod, no host, container not running) and its exit code propagation;
// `-it -- sh` on a terminal is an interactive session (src/shell/interactive.ts). The shell
// is simulated POSIX: sh -c scripts (pipes, redirections, $((...)), ${VAR:-default},
// if/for/while/case, functions) and busybox-like programs (env, cat, ls, grep, sed, wget...).

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';
import { collectList } from './flags/collect';
import { resolveTargets } from './flags/targets';
import { PrintedError } from './format-error';
import { kubectlHelp } from './kubectl-help';
import { checkedTarget, chooseContainer, podSubresourcePath, runInContainer, runStreamingInContainer, startInteractive, type ExecTarget } from '../exec/run-command';
import type { StdinLimit } from '../exec/stdin-stream';
import { resolvePod } from '../exec/pod-target';

export interface ExecFlags {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  quiet?: boolean;
  filename?: string[];
  podRunningTimeout?: string;
}

/** Splits `exec` arguments at `--` as kubectl does (only the pod may come before it). */
export function splitExecArgs(rawArgs: string[]): { before: string[]; command: string[]; dash: boolean } {
  const i = rawArgs.indexOf('--');
  return i < 0 ? { before: rawArgs, command: [], dash: false } : { before: rawArgs.slice(0, i), command: rawArgs.slice(i + 1), dash: true };
}

export async function runExec(ctx: CliContext, positional: string[], command: string[], dash: boolean, flags: ExecFlags): Promise<number> {
  if (!positional.length && !flags.filename?.length) throw new CliError('pod, type/name or --filename must be specified');
  if (positional.length > 1 && !dash) {
    throw new CliError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubesim exec -h' for help and examples");
  }
  if (!command.length) throw new CliError('you must specify at least one command for the container');
  const api = await ctx.api();
  let namespace = ctx.namespace;
  let ref: Parameters<typeof resolvePod>[2] = positional[0];
  if (!ref) {
    // -f: the file's first object, in its namespace, as read (kubectl's builder sends no GET:
    // a pod is used as the file has it, a workload's pods are listed by the file's selector).
    const { items, errors } = await resolveTargets(ctx, [], { filename: flags.filename }, 'exec', { asFiled: true });
    if (!items.length) throw new PrintedError(errors.map((e) => e + '\n').join(''));
    // kubectl's builder hands several objects over as one List (meta.IsListType).
    if (items.length > 1) throw new CliError('cannot exec into multiple objects at a time');
    const { type, object } = items[0];
    namespace = object.metadata.namespace ?? namespace;
    ref = { type, object: { ...object, metadata: { ...object.metadata, namespace } } };
  }
  // --as: kubectl's GET of the pod (or workload, then its pods), later its POST of pods/exec
  const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
  const { pod } = await resolvePod(api, namespace, ref, (path) => check('GET', path));
  const container = chooseContainer(pod, { container: flags.container, verb: 'exec into', notice: flags.quiet ? undefined : (t) => ctx.err(t) });
  // StreamOptions.SetupTTY: -t counts only with -i, and only on a terminal.
  const tty = !!flags.stdin && !!flags.tty && terminalIn(ctx, flags);
  await check('POST', podSubresourcePath(api, pod, 'exec'));
  const target = checkedTarget(pod, container);
  if (tty) {
    const code = await rawTerminal(ctx, async () => (await runInTerminal(ctx, target, command)) ?? (await runOnTerminal(ctx, target, command)));
    return exitStatus(ctx, code);
  }
  // Only -i without a terminal reads stdin: passed on as it arrives, what the command writes
  // goes out as it writes it (`cat` echoes each line while the input is open).
  const chunks = flags.stdin ? ctx.streams.stdinChunks?.() : undefined;
  if (chunks) {
    const r = await runStreamingInContainer(api, target, command, chunks, await cliStdinLimit(), (stream, text) => (stream === 'stdout' ? ctx.out(text) : ctx.err(text)));
    return exitStatus(ctx, r.code);
  }
  // without -i, no stdin; a host without a streaming stdin gives its whole text
  const input = flags.stdin ? ctx.streams.stdinText() : '';
  const r = await runInContainer(api, target, command, input);
  if (r.stdout) ctx.out(r.stdout);
  if (r.stderr) ctx.err(r.stderr);
  return exitStatus(ctx, r.code);
}

function exitStatus(ctx: CliContext, code: number): number {
  if (code !== 0) ctx.err(`command terminated with exit code ${code}\n`);
  return code;
}

/** What the CLI takes from its stdin for a container (as for any input it reads). */
export async function cliStdinLimit(): Promise<StdinLimit> {
  const { INPUT_MAX_BYTES, tooLargeMessage, InputTooLargeError } = await import('../manifest/read-limited');
  return { bytes: INPUT_MAX_BYTES, error: () => new InputTooLargeError(tooLargeMessage('from stdin')) };
}

/** -t needs a terminal on stdin: without one kubectl warns (unless -q) and goes on without. */
export function terminalIn(ctx: CliContext, flags: { quiet?: boolean }): boolean {
  if (ctx.streams.isTTY && ctx.streams.terminal) return true;
  if (!flags.quiet) ctx.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  return false;
}

/** term.Safe: the terminal raw for all of `fn`, then cooked again. */
export async function rawTerminal<T>(ctx: CliContext, fn: () => Promise<T>): Promise<T> {
  const terminal = ctx.streams.terminal!;
  terminal.setRaw(true);
  try {
    return await fn();
  } finally {
    terminal.setRaw(false);
  }
}

/**
 * An interactive session of the shell `command` in the container, in this process, on the
 * context's terminal (ctx.streams.terminal, raw, see rawTerminal: the session's line
 * discipline echoes and edits), whose keys it reads until the session ends.
 * Undefined when `command` is not a shell reading stdin (it then runs as any command).
 */
export async function runInTerminal(ctx: CliContext, target: ExecTarget, command: string[]): Promise<number | undefined> {
  const api = await ctx.api();
  // Node's raw mode (libuv) keeps the terminal's ONLCR, which kubectl's (Go's MakeRaw) turns
  // off: the local terminal adds the \r itself.
  const session = await startInteractive(api, target, command, (text) => ctx.out(text.replace(/\r\n/g, '\n')));
  if (!session) return undefined;
  const keys = ctx.streams.terminal!.keys()[Symbol.asyncIterator]();
  let over = false;
  const typing = (async () => {
    for (let k = await keys.next(); !over; k = await keys.next()) {
      if (k.done) return session.shell.end();
      session.shell.input(k.value);
    }
  })();
  try {
    session.shell.start();
    return await session.finished();
  } finally {
    over = true;
    void keys.return?.();
    void typing.catch(() => {}); // a read failing after the session is no one's concern
  }
}

/**
 * A command that is not a shell on this terminal, raw as kubectl puts it: the keystrokes go
 * through the container's terminal (src/exec/tty.ts: echo, editing, Ctrl-C to the process).
 */
async function runOnTerminal(ctx: CliContext, target: ExecTarget, command: string[]): Promise<number> {
  const [api, { cookedInput, SIGINT_STATUS }] = await Promise.all([ctx.api(), import('../exec/tty')]);
  // this terminal keeps ONLCR in Node's raw mode (see runInTerminal): it adds the \r itself
  const show = (text: string) => ctx.out(text.replace(/\r?\n/g, '\n'));
  const tty = cookedInput(ctx.streams.terminal!.keys(), show);
  const r = await runStreamingInContainer(api, target, command, tty.input, await cliStdinLimit(), (_stream, text) => void (tty.interrupted() || show(text)));
  return tty.interrupted() ? SIGINT_STATUS : r.code;
}

/** kubectl exec's Long, as cobra prints it. */
const EXEC_LONG = `Execute a command in a container.`;

const EXEC_EXAMPLE = `  # Get output from running the 'date' command from pod mypod, using the first container by default
  kubectl exec mypod -- date
  
  # Get output from running the 'date' command in ruby-container from pod mypod
  kubectl exec mypod -c ruby-container -- date
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl exec mypod -c ruby-container -i -t -- bash -il
  
  # List contents of /usr from the first container of pod mypod and sort by modification time
  # If the command you want to execute in the pod has any flags in common (e.g. -i),
  # you must use two dashes (--) to separate your command's flags/arguments
  # Also note, do not surround your command and its flags/arguments with quotes
  # unless that is how you would execute it normally (i.e., do ls -t /usr, not "ls -t /usr")
  kubectl exec mypod -i -t -- ls -t /usr
  
  # Get output from running 'date' command from the first pod of the deployment mydeployment, using the first container by default
  kubectl exec deploy/mydeployment -- date
  
  # Get output from running 'date' command from the first pod of the service myservice, using the first container by default
  kubectl exec svc/myservice -- date`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('exec')
    .description('Execute a command in a container')
    .usage('(POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]')
    .argument('[args...]')
    .option('-c, --container <name>', 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen')
    .option('-i, --stdin', 'Pass stdin to the container')
    .option('-t, --tty', 'Stdin is a TTY')
    .option('-q, --quiet', 'Only print output from the remote session')
    .option('-f, --filename <file>', 'to use to exec into the resource', collectList)
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running');
  kubectlHelp(cmd, p.name, { long: EXEC_LONG, example: EXEC_EXAMPLE, use: `exec ${cmd.usage()}` }, { filename: '[]', 'pod-running-timeout': '1m0s' })
    .action(
      p.action((ctx, _args: string[], flags: ExecFlags, cmd: Command) => {
        // commander mixes the arguments before and after `--`; the raw argv tells them apart
        const raw: string[] = (cmd.parent as unknown as { rawArgs?: string[] })?.rawArgs ?? [];
        const at = raw.indexOf('exec');
        const { command, dash } = splitExecArgs(raw.slice(at + 1));
        const positional = dash ? _args.slice(0, _args.length - command.length) : _args;
        return runExec(ctx, positional, command, dash, flags);
      }),
    );
}
