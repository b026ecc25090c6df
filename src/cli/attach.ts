// `kubesim attach (POD | TYPE/NAME) [-c CONTAINER]`: follows what a running container writes
// from now on (src/exec/attach.ts, the same reading the API server's pods/attach serves),
// with kubectl's container choice, checks and messages; ends when the container stops.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import { attachedShellCommand, pickContainerForCli } from '../exec/run-command';
import type { CliContext } from './context';
import type { Program } from './root';

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

  complete(args: string[], flags: AttachFlags): void {
    if (args.length === 0) throw new CliError("at least 1 argument is required for attach\nSee 'kubesim attach -h' for help and examples");
    if (args.length > 1) throw new CliError("expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 2: [" + args.join(' ') + "]\nSee 'kubesim attach -h' for help and examples");
    this.podRef = args[0];
    this.container = flags.container;
    this.quiet = !!flags.quiet;
    this.stdin = !!flags.stdin;
    this.tty = !!flags.tty;
  }

  validate(): void {
    if (this.tty && !this.stdin) throw new CliError('-i/--stdin is required for containers with -t/--tty=true');
  }

  async run(ctx: CliContext): Promise<number> {
    const api = await ctx.api();
    const target = await pickContainerForCli(api, ctx.namespace, this.podRef, { container: this.container, verb: 'attach', notice: this.quiet ? undefined : (t) => ctx.err(t) });
    const { pod, name } = target;
    if (this.tty && !target.spec.tty && !this.quiet) ctx.err(`error: Unable to use a TTY - container ${name} did not allocate one\n`);
    if (!this.quiet) ctx.err("If you don't see a command prompt, try pressing enter.\n");
    // -it to a container whose process is a shell on its terminal (debug -it): that shell's session.
    const shell = this.stdin && this.tty && target.spec.tty ? await attachedShellCommand(target.spec) : undefined;
    if (shell) {
      const { runInTerminal, terminalIn } = await import('./exec');
      if (terminalIn(ctx, { quiet: this.quiet })) {
        // an attach ends with the session; the shell's status is not the attach's
        if ((await runInTerminal(ctx, target, shell)) !== undefined) {
          if (!this.quiet) ctx.out(reattachMessage(pod, name));
          return 0;
        }
      }
    }
    const { followAttached } = await import('../exec/attach');
    let stop!: () => void;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await followAttached(api, pod, name, (text) => ctx.out(text), interrupted);
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
    return 0;
  }
}

/** attach.go reattachMessage, after an interactive session of a pod that restarts its containers. */
function reattachMessage(pod: KObject, container: string): string {
  if ((pod.spec?.restartPolicy ?? 'Always') !== 'Always') return '';
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).some((c: { name: string }) => c.name === container);
  if (ephemeral) return `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubesim attach ${pod.metadata.name} -c ${container} -i -t' if it is still running\n`;
  return `Session ended, resume using 'kubesim attach ${pod.metadata.name} -c ${container} -i -t' command when the pod is running\n`;
}

export function register(program: Command, p: Program): void {
  program
    .command('attach')
    .description('Attach to a running container')
    .usage('(POD | TYPE/NAME) -c CONTAINER [options]')
    .argument('[args...]')
    .option('-c, --container <name>', 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen')
    .option('-i, --stdin', 'Pass stdin to the container (with -t, the session of a container whose process is a shell)')
    .option('-t, --tty', 'Stdin is a TTY')
    .option('-q, --quiet', 'Only print output from the remote session')
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running')
    .addHelpText('after', `
kubesim prints what the container's simulated program writes from now on, until it stops
(Ctrl-C to detach). With -it, a container whose process is a shell on its terminal (stdin
and tty set, as debug -it makes) gives that shell's interactive session.

Examples:
  # Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
  # for selecting the container to be attached or the first container in the pod will be chosen
  kubesim attach mypod

  # Get output from ruby-container from pod mypod
  kubesim attach mypod -c ruby-container

  # Get output from the first pod of a replica set named nginx
  kubesim attach rs/nginx`)
    .action(
      p.action((ctx, args: string[], flags: AttachFlags) => {
        const o = new AttachOptions();
        o.complete(args, flags);
        o.validate();
        return o.run(ctx);
      }),
    );
}
