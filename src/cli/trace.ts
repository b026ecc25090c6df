// `kubesim trace pod NAME`: the path of one pod through the simulated cluster, step by step
// with cluster timestamps (src/trace/pod-trace.ts builds it from the stored objects).

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { Program } from './root';

export function register(program: Command, p: Program): void {
  program
    .command('trace')
    .description('Show the path of a pod through the cluster, step by step: created, admitted, scheduled (and why other nodes were rejected), pulled, started, Ready')
    .argument('<type>', 'pod (or pod/NAME)')
    .argument('[name]')
    .option('-o, --output <format>', 'Output format: text (default) or json (the steps as data).')
    .addHelpText('after', `
Examples:
  # How did this pod get where it is?
  kubesim trace pod web-7d4b9c8f6-x2k9q

  # The same, TYPE/NAME form, in another namespace, as JSON
  kubesim trace pod/db-0 -n data -o json`)
    .action(
      p.action(async (ctx, typeArg: string, nameArg: string | undefined, flags: { output?: string }) => {
        let [type, name] = typeArg.includes('/') ? typeArg.split('/', 2) : [typeArg, nameArg];
        if (typeArg.includes('/') && nameArg) throw new CliError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
        if (flags.output && flags.output !== 'json' && flags.output !== 'text') throw new CliError(`unable to match a printer suitable for the output format "${flags.output}", allowed formats are: json,text`);
        const api = await ctx.api();
        if (api.resolve(type).kind !== 'Pod') throw new CliError(`trace follows pods only; to see a ${type}'s pods: kubesim get pods -l <its selector>, then kubesim trace pod NAME`);
        if (!name) throw new CliError('a pod name is required: kubesim trace pod NAME');
        const { tracePod } = await import('../trace/trace-pod');
        const { renderPodTrace } = await import('../trace/pod-trace');
        const trace = await tracePod(api, ctx.namespace, name);
        if (!trace) throw ApiError.notFound('pods', name);
        ctx.out(flags.output === 'json' ? JSON.stringify(trace, null, 2) + '\n' : renderPodTrace(trace));
      }),
    );
}
