// `kubesim exec POD [-c C] -- CMD...`: runs the command in kubesim's simulated shell
// (src/shell/) against what the container would see, with kubectl's checks and
// errors (completed pod, no host, container not running) and its exit code propagation.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';
import { pickContainerForCli, runInContainer } from '../exec/run-command';

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
  if (!positional.length) throw new CliError('pod, type/name or --filename must be specified');
  if (positional.length > 1 || !dash) {
    throw new CliError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubesim exec -h' for help and examples");
  }
  if (!command.length) throw new CliError('you must specify at least one command for the container');
  const api = await ctx.api();
  const target = await pickContainerForCli(api, ctx.namespace, positional[0], { container: flags.container, verb: 'exec into', notice: flags.quiet ? undefined : (t) => ctx.err(t) });
  // Only an interactive session reads the terminal/pipe: kubectl sends stdin with -i.
  const input = flags.stdin ? ctx.streams.stdinText() : '';
  const r = await runInContainer(api, target, command, input);
  if (r.stdout) ctx.out(r.stdout);
  if (r.stderr) ctx.err(r.stderr);
  if (r.code !== 0) {
    ctx.err(`command terminated with exit code ${r.code}\n`);
    return r.code;
  }
  return 0;
}

export function register(program: Command, p: Program): void {
  program
    .command('exec')
    .description('Execute a command in a container')
    .usage('(POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]')
    .argument('[args...]')
    .option('-c, --container <name>', 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen')
    .option('-i, --stdin', 'Pass stdin to the container')
    .option('-t, --tty', 'Stdin is a TTY')
    .option('-q, --quiet', 'Only print output from the remote session')
    .option('-f, --filename <file>', 'to use to exec into the resource (not supported by kubesim yet)')
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running')
    .addHelpText('after', `
kubesim runs the command in its simulated POSIX shell, never a real one: sh -c scripts
(pipes, redirections, $((...)), \${VAR:-default}, if/for/while/case, functions) and
busybox-like programs: env, printenv, hostname, cat, ls, echo, printf, grep, sed, head,
tail, wc, sort, uniq, cut, tr, seq, date, sleep, id, whoami, touch, rm, mkdir, wget, nc.

Examples:
  # Get output from running the 'date' command from pod mypod, using the first container by default
  kubesim exec mypod -- date

  # Get output from running the 'date' command in ruby-container from pod mypod
  kubesim exec mypod -c ruby-container -- date

  # See the environment and the mounted ConfigMap of a pod
  kubesim exec mypod -- env
  kubesim exec mypod -- ls /etc/config
  kubesim exec mypod -- cat /etc/config/game.properties

  # Run a small script
  kubesim exec mypod -- sh -c 'echo $HOSTNAME; env | grep KUBERNETES_SERVICE'

  # Get output from running 'date' command from the first pod of the deployment mydeployment
  kubesim exec deploy/mydeployment -- date

  # Get output from running 'date' command from the first pod of the service myservice
  kubesim exec svc/myservice -- date`)
    .action(
      p.action((ctx, _args: string[], flags: ExecFlags, cmd: Command) => {
        // commander mixes the arguments before and after `--`; the raw argv tells them apart
        const raw: string[] = (cmd.parent as unknown as { rawArgs?: string[] })?.rawArgs ?? [];
        const at = raw.indexOf('exec');
        const { command, dash } = splitExecArgs(raw.slice(at + 1));
        const positional = dash ? _args.slice(0, _args.length - command.length) : _args;
        if (flags.filename && !positional.length) throw new CliError('exec -f is not supported by kubesim yet: name the pod (POD or TYPE/NAME)');
        return runExec(ctx, positional, command, dash, flags);
      }),
    );
}
