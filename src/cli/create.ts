// `kubesim create -f` (and, as sub-commands, the generators: `create deployment`, ...).

import type { Command } from 'commander';
import { ApiError } from '../api/errors';
import { kindGroup } from '../api/resources';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun, dryRunSuffix } from './flags/dry-run';
import { PrintedError, formatApiError } from './format-error';
import { registerGenerator } from './generate';
import { CREATE_GENERATORS } from '../generators';
import type { CliContext } from './context';
import type { KObject } from '../api/types';
import { CliError } from '../api/errors';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { groupHelp } from './kubectl-help';

export function register(program: Command, p: Program): void {
  const create = program
    .command('create')
    .description('Create a resource from a file or from stdin')
    .argument('[args...]');
  addResourceBuilderFlags(create, { filename: 'Filename, directory, or URL to files to use to create the resource', kustomize: true, recursive: true });
  addPrintFlags(addDryRunFlag(create));
  create
    .option('--validate <mode>', 'Must be one of: strict (or true), warn, ignore (or false).', 'strict')
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation.')
    .action(
      p.action(async (ctx, args: string[], flags: PrintFlagValues & { filename?: string[]; kustomize?: string; recursive?: boolean; dryRun?: string | boolean; validate?: string; saveConfig?: boolean }) => {
        // cobra: a sub-command it does not know is an argument to `create`, which takes none.
        if (args.length) throw new PrintedError(`error: Unexpected args: [${args.join(' ')}]\nSee '${p.name} create -h' for help and examples\n`);
        const dryRun = parseDryRun(ctx, flags.dryRun);
        const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
        const { load } = await loadInput(ctx, flags, 'create');
        const printer = await (await import('./flags/mutation-output')).mutationObjectsPrinter(ctx, flags);
        const { withObjectSource } = await import('./object-source');
        const errors = await withObjectSource(ctx, async (source) => {
          await source.learnKinds(load.docs.map((d) => d.object));
          const { items, errors } = await prepareDocs(ctx, source, load, 'create', flags);
          for (const item of items) {
            setNamespace(ctx, item);
            try {
              let obj = item.object;
              if (flags.saveConfig) {
                const { lastAppliedJson, LAST_APPLIED } = await import('../api/apply/last-applied');
                obj = { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: lastAppliedJson(obj) } } };
              }
              const created = dryRun === 'client' ? obj : await source.create(item.type, obj, { dryRun: dryRun === 'server', fieldManager: 'kubectl-create' });
              if (printer) ctx.out(printer([created], false));
              else ctx.out(`${kindGroup(item.type)}/${created.metadata.name} created${dryRunSuffix(dryRun)}\n`);
            } catch (e) {
              if (e instanceof ApiError) errors.push(e.reason === 'Invalid' && items.length === 1 && !errors.length ? formatApiError(e) : formatApiError(e, item.doc.source, 'creating'));
              else throw e;
            }
          }
          return errors;
        });
        if (errors.length) throw new PrintedError(errors.join(''));
      }),
    );
  registerGenerators(create, p);
}

/** cobra's Long and Use of the generator groups. */
const GROUP_HELP: Record<string, { long: string; use: string }> = {
  secret: {
    long: `Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.`,
    use: 'create secret (docker-registry | generic | tls)',
  },
  service: { long: 'Create a service using a specified subcommand.', use: 'create service [flags]' },
};

/** `create deployment`, `create secret generic`, ...: one sub-command per generator. */
function registerGenerators(create: Command, p: Program): void {
  const groups = new Map<string, Command>();
  for (const gen of CREATE_GENERATORS) {
    const path = gen.command.split(' ').slice(1); // ['secret', 'generic'] or ['deployment']
    let parent = create;
    if (path.length === 2) {
      let group = groups.get(path[0]);
      if (!group) {
        group = create.command(path[0]).description(`Create a ${path[0]} using a specified subcommand`);
        if (path[0] === 'service') group.alias('svc');
        const help = GROUP_HELP[path[0]];
        if (help) group.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, help.long, undefined, help.use) });
        groups.set(path[0], group);
      }
      parent = group;
    }
    registerGenerator(parent, path[path.length - 1], gen, p, gen.command === 'create job' ? { source: jobSource } : {});
  }
}

/** `create job NAME --from=cronjob/NAME` derives the job from a stored CronJob. */
async function jobSource(ctx: CliContext, args: string[], flags: Record<string, unknown>): Promise<KObject | undefined> {
  const from = flags.from as string | undefined;
  // kubectl's Complete (the NAME) and Validate (--image with --from) come before Run reads
  // the CronJob: without one, the generator reports them.
  if (!from || flags.image || !args.length) return undefined;
  const [kind, name] = from.split('/');
  const api = await ctx.api();
  const rt = api.resolve(kind);
  if (rt.kind !== 'CronJob') throw new CliError(`from must be an existing cronjob: ${kind}`);
  return api.get(rt, ctx.namespace, name);
}
