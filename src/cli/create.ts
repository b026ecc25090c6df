// `kubesim create -f` (and, as sub-commands, the generators: `create deployment`, ...).

import { fieldValidation } from './flags/validate';
import type { Command } from 'commander';
import { ApiError } from '../api/errors';
import { kindGroup } from '../api/resources';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun, dryRunSuffix } from './flags/dry-run';
import { declareLocalFlags } from './flags/pflag';
import { PrintedError, formatApiError, printedBlocks } from './format-error';
import { registerGenerator } from './generate';
import { CREATE_GENERATORS } from '../generators';
import type { CliContext } from './context';
import type { KObject } from '../api/types';
import { CliError } from '../api/errors';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { FIELD_MANAGER_HELP, VALIDATE_HELP, groupHelp, kubectlHelp } from './kubectl-help';
import { CREATE_EXAMPLE, CREATE_LONG } from './verb-help';
import { rawUriError } from './get-raw';
import { buildListOptions } from './flags/selectors';

export function register(program: Command, p: Program): void {
  const create = program
    .command('create')
    .description('Create a resource from a file or from stdin')
    .argument('[args...]');
  addResourceBuilderFlags(create, { filename: 'Filename, directory, or URL to files to use to create the resource', kustomize: true, recursive: true, selector: true });
  addPrintFlags(addDryRunFlag(create));
  create
    .option('--validate <mode>', VALIDATE_HELP, 'strict')
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.')
    .option('--edit', 'Edit the API resource before creating')
    .option('--windows-line-endings', 'Only relevant if --edit=true. Defaults to the line ending native to your platform.')
    .option('--raw <uri>', 'Raw URI to POST to the server.  Uses the transport specified by the kubeconfig file.')
    .option('--field-manager <name>', FIELD_MANAGER_HELP, 'kubectl-create');
  // cobra's local flags: `create token --dry-run` is an unknown flag (token has no dry run).
  declareLocalFlags(create);
  kubectlHelp(create, p.name, { long: CREATE_LONG, example: CREATE_EXAMPLE, use: 'create -f FILENAME', commands: [] })
    .action(
      p.action(async (ctx, args: string[], flags: CreateFlags) => {
        // cobra: a sub-command it does not know is an argument to `create`, which takes none.
        if (args.length) throw new PrintedError(`error: Unexpected args: [${args.join(' ')}]\nSee '${p.name} create -h' for help and examples\n`);
        if (!(flags.filename ?? []).length && !flags.kustomize) throw new CliError('must specify one of -f and -k');
        const invalid = rawCreateError(flags);
        if (invalid) throw new CliError(invalid);
        // rawhttp.RawPost: the file's bytes to the path given.
        if (flags.raw !== undefined) return (await import('./get-raw')).runRaw(ctx, 'POST', flags.raw, flags.filename![0]);
        const dryRun = parseDryRun(ctx, flags.dryRun);
        const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
        const { load } = await loadInput(ctx, flags, 'create');
        const printer = await (await import('./flags/mutation-output')).mutationObjectsPrinter(ctx, flags);
        const { withObjectSource } = await import('./object-source');
        const errors = await withObjectSource(ctx, async (source) => {
          await source.learnKinds(load.docs.map((d) => d.object));
          const prepared = await prepareDocs(ctx, source, load, 'create', flags);
          const { errors } = prepared;
          // -l: the Builder's FilterByLabelSelector over the files' objects.
          const items = flags.selector ? prepared.items.filter((i) => buildListOptions(i.type, flags.selector, undefined, undefined).labelMatch?.(i.object.metadata.labels ?? {}) ?? true) : prepared.items;
          if (!items.length && !errors.length) throw new CliError('no objects passed to create');
          if (flags.edit) {
            if (errors.length) return errors;
            for (const item of items) setNamespace(ctx, item);
            const { runEditBeforeCreate } = await import('./edit');
            await runEditBeforeCreate(ctx, items.map((i) => ({ type: i.type, object: i.object })), flags, p.name, source);
            return [];
          }
          for (const item of items) {
            setNamespace(ctx, item);
            try {
              let obj = item.object;
              if (flags.saveConfig) {
                const { lastAppliedJson, LAST_APPLIED } = await import('../api/apply/last-applied');
                obj = { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: lastAppliedJson(obj) } } };
              }
              const created = dryRun === 'client' ? obj : await source.create(item.type, obj, { dryRun: dryRun === 'server', fieldManager: flags.fieldManager ?? 'kubectl-create', ...fieldValidation(ctx, flags.validate) });
              if (printer) ctx.out(printer([created], false));
              // kubectl's name printer: a review answered has no name.
              else ctx.out(`${kindGroup(item.type)}/${created.metadata?.name || '<unknown>'} created${dryRunSuffix(dryRun)}\n`);
            } catch (e) {
              if (e instanceof ApiError) errors.push(e.reason === 'Invalid' && items.length === 1 && !errors.length ? formatApiError(e) : formatApiError(e, item.doc.source, 'creating'));
              else throw e;
            }
          }
          return errors;
        });
        if (errors.length) throw new PrintedError(printedBlocks(errors));
      }),
    );
  registerGenerators(create, p);
}

interface CreateFlags extends PrintFlagValues {
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  selector?: string;
  dryRun?: string | boolean;
  validate?: string;
  saveConfig?: boolean;
  edit?: boolean;
  windowsLineEndings?: boolean;
  raw?: string;
  fieldManager?: string;
}

/** CreateOptions.ValidateArgs' --raw checks, in kubectl's order. */
function rawCreateError(f: CreateFlags): string | undefined {
  if (f.raw === undefined) return undefined;
  if (f.edit) return '--raw and --edit are mutually exclusive';
  const files = f.filename ?? [];
  if (files.length !== 1) return '--raw can only use a single local file or stdin';
  if (/^https?:\/\//.test(files[0])) return '--raw cannot read from a url';
  if (f.recursive) return '--raw and --recursive are mutually exclusive';
  if (f.selector) return '--raw and --selector (-l) are mutually exclusive';
  if (f.output) return '--raw and --output are mutually exclusive';
  return rawUriError(f.raw);
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
  // The Builder's ResourceTypeOrNameArgs(false, from): its errors as they are, then one CronJob.
  const { resolveTargets, infosErrors } = await import('./flags/targets');
  const targets = await resolveTargets(ctx, [from], { filename: [] }, 'create job', { typed: true });
  const errors = infosErrors(targets);
  if (errors.length) throw new PrintedError(printedBlocks(errors));
  if (targets.items.length !== 1) throw new CliError('from must be an existing cronjob');
  const obj = targets.items[0].object;
  // Go's %T of the typed object the Builder decoded (`*v1.Deployment`).
  if (obj.apiVersion !== 'batch/v1' || obj.kind !== 'CronJob') throw new CliError(`unknown object type *${obj.apiVersion.split('/').pop()}.${obj.kind}`);
  return obj;
}
