// `apply view-last-applied | set-last-applied | edit-last-applied`: the
// kubectl.kubernetes.io/last-applied-configuration annotation of live objects, shown as
// YAML (JSONToYAML of the stored JSON) or JSON (json.Indent, two spaces, its own key order),
// replaced from a file, or edited in $EDITOR.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { pluralGroup, type ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import { LAST_APPLIED, lastAppliedJson } from '../api/apply/last-applied';
import type { CliContext } from './context';
import type { Program } from './root';
import { withObjectSource, type ObjectSource } from './object-source';
import { addDryRunFlag, parseDryRun } from './flags/dry-run';
import { mutationPrinter } from './flags/mutation-output';
import { toYaml } from '../printers/yaml';
import { addPrintFlags } from './flags/print-flags';
import { addResourceBuilderFlags, NO_RESOURCES_MESSAGE } from './flags/resource-builder-flags';
import { FIELD_MANAGER_HELP, kubectlHelp, VALIDATE_HELP } from './kubectl-help';
import type { EditFlags } from './edit';

interface Target {
  type: ResourceType;
  obj: KObject;
  manifest?: KObject;
}

interface TargetFlags {
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  selector?: string;
  all?: boolean;
}

async function targets(ctx: CliContext, source: ObjectSource, args: string[], flags: TargetFlags): Promise<Target[]> {
  const out: Target[] = [];
  const get = async (type: ResourceType, ns: string | undefined, name: string) => (await source.tryGet(type, ns, name)) ?? Promise.reject(ApiError.notFound(pluralGroup(type), name));
  if (flags.filename?.length || flags.kustomize) {
    const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
    const { load } = await loadInput(ctx, { filename: flags.filename, kustomize: flags.kustomize, recursive: flags.recursive }, 'apply');
    const { items, errors } = await prepareDocs(ctx, await ctx.api(), load, 'apply', { validate: false });
    if (errors.length) throw new CliError(errors.join('').replace(/\n$/, ''));
    for (const item of items) out.push({ type: item.type, obj: await get(item.type, setNamespace(ctx, item), item.object.metadata.name!), manifest: item.object });
    return out;
  }
  if (!args.length) throw new CliError(NO_RESOURCES_MESSAGE);
  for (const sel of await source.selections(args)) {
    const ns = sel.type.namespaced ? ctx.namespace : undefined;
    if (sel.names.length) for (const n of sel.names) out.push({ type: sel.type, obj: await get(sel.type, ns, n) });
    else if (flags.selector || flags.all) for (const o of await source.list(sel.type, ns, flags.selector)) out.push({ type: sel.type, obj: o });
    else throw new CliError('resource(s) were provided, but no name was specified');
  }
  return out;
}

/** json.Indent with two spaces: the stored text's own key order, its trailing newline kept. */
function indentJson(text: string): string {
  const trailing = /\s*$/.exec(text)?.[0] ?? '';
  return JSON.stringify(JSON.parse(text), null, 2) + trailing;
}

function stored(t: Target): string {
  const v = t.obj.metadata?.annotations?.[LAST_APPLIED];
  if (typeof v !== 'string' || v === '') throw new CliError(`no last-applied-configuration annotation found on resource: ${t.obj.metadata.name}`);
  return v;
}

function render(text: string, output: string): string {
  return output === 'json' ? indentJson(text) : toYaml(JSON.parse(text));
}

/** kubectl's merge patch of the annotation alone, as the acting user (--as). */
async function setAnnotation(source: ObjectSource, t: Target, value: string, dryRun: boolean, fieldManager?: string): Promise<KObject> {
  const fn = (o: KObject) => {
    o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [LAST_APPLIED]: value };
    return o;
  };
  return source.change(t.type, t.obj, fn, { patchType: 'merge', dryRun, fieldManager });
}

/**
 * The subcommand's flags with those `apply` took first: `-f` and `-o` are `apply`'s own
 * flags too, and commander hands them to the parent.
 */
function withParentFlags<T extends object>(cmd: Command): T {
  const own = cmd.opts() as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...(cmd.parent?.opts() ?? {}) };
  for (const [k, v] of Object.entries(own)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) merged[k] = v;
  return merged as T;
}

const FILE_HELP = 'Filename, directory, or URL to files that contains the last-applied-configuration annotations';

const VIEW_LONG = `View the latest last-applied-configuration annotations by type/name or file.

 The default output will be printed to stdout in YAML format. You can use the -o option to change the output format.`;

const VIEW_EXAMPLE = `  # View the last-applied-configuration annotations by type/name in YAML
  kubectl apply view-last-applied deployment/nginx
  
  # View the last-applied-configuration annotations by file in JSON
  kubectl apply view-last-applied -f deploy.yaml -o json`;

const SET_LONG = `Set the latest last-applied-configuration annotations by setting it to match the contents of a file. This results in the last-applied-configuration being updated as though 'kubectl apply -f<file> ' was run, without updating any other parts of the object.`;

const SET_EXAMPLE = `  # Set the last-applied-configuration of a resource to match the contents of a file
  kubectl apply set-last-applied -f deploy.yaml
  
  # Execute set-last-applied against each configuration file in a directory
  kubectl apply set-last-applied -f path/
  
  # Set the last-applied-configuration of a resource to match the contents of a file; will create the annotation if it does not already exist
  kubectl apply set-last-applied -f deploy.yaml --create-annotation=true`;

const EDIT_LONG = `Edit the latest last-applied-configuration annotations of resources from the default editor.

 The edit-last-applied command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version.`;

const EDIT_EXAMPLE = `  # Edit the last-applied-configuration annotations by type/name in YAML
  kubectl apply edit-last-applied deployment/nginx
  
  # Edit the last-applied-configuration annotations by file in JSON
  kubectl apply edit-last-applied -f deploy.yaml -o json`;

export function register(program: Command, p: Program): void {
  const apply = program.commands.find((c) => c.name() === 'apply');
  if (!apply) return;

  const view = apply
    .command('view-last-applied')
    .description('View the latest last-applied-configuration annotations of a resource/object')
    .argument('[resources...]')
    .option('-o, --output <format>', 'Output format. Must be one of (yaml, json)');
  addResourceBuilderFlags(view, { filename: FILE_HELP, kustomize: true, recursive: true, selector: true, all: 'Select all resources in the namespace of the specified resource types' });
  kubectlHelp(view, p.name, { long: VIEW_LONG, example: VIEW_EXAMPLE, use: 'view-last-applied (TYPE [NAME | -l label] | TYPE/NAME | -f FILENAME)' }, { output: "'yaml'" }).action(
      p.action(async (ctx, args: string[], _f: unknown, cmd: Command) => {
        const flags = withParentFlags<TargetFlags & { output?: string }>(cmd);
        flags.output ??= 'yaml';
        if (flags.output !== 'yaml' && flags.output !== 'json') throw new CliError(`unexpected -o output mode: ${flags.output}, the flag 'output' must be one of yaml|json`);
        await withObjectSource(ctx, async (source) => {
          const texts = (await targets(ctx, source, args, flags)).map(stored);
          ctx.out(texts.map((t) => render(t, flags.output!)).join(''));
        });
      }),
    );

  const set = apply
    .command('set-last-applied')
    .description('Set the last-applied-configuration annotation on a live object to match the contents of a file')
    .option('--create-annotation', 'Will create \'last-applied-configuration\' annotations if current objects doesn\'t have one');
  addResourceBuilderFlags(set, { filename: FILE_HELP });
  addPrintFlags(addDryRunFlag(set));
  kubectlHelp(set, p.name, { long: SET_LONG, example: SET_EXAMPLE, use: 'set-last-applied -f FILENAME' }).action(
      p.action(async (ctx, _f: unknown, cmd: Command) => {
        const flags = withParentFlags<{ filename?: string[]; createAnnotation?: boolean; dryRun?: string | boolean; output?: string }>(cmd);
        if (!flags.filename?.length) throw new CliError(NO_RESOURCES_MESSAGE);
        const dryRun = parseDryRun(ctx, flags.dryRun);
        const print = await mutationPrinter(ctx, flags, dryRun);
        await withObjectSource(ctx, async (source) => {
          for (const t of await targets(ctx, source, [], flags)) {
            const had = t.obj.metadata.annotations?.[LAST_APPLIED];
            if (!had && !flags.createAnnotation) {
              throw new CliError(`no last-applied-configuration annotation found on resource: ${t.obj.metadata.name}, to create the annotation, run the command with --create-annotation`);
            }
            const value = lastAppliedJson(t.manifest!);
            const obj = dryRun === 'client' ? t.obj : await setAnnotation(source, t, value, dryRun === 'server');
            ctx.out(print(obj, 'configured'));
          }
        });
      }),
    );

  const edit = apply
    .command('edit-last-applied')
    .description('Edit latest last-applied-configuration annotations of a resource/object')
    .argument('[resources...]')
    .option('--field-manager <name>', FIELD_MANAGER_HELP)
    .option('--validate [mode]', VALIDATE_HELP)
    .option('--windows-line-endings', 'Defaults to the line ending native to your platform.');
  addResourceBuilderFlags(edit, { filename: 'Filename, directory, or URL to files to use to edit the resource', kustomize: true, recursive: true });
  addPrintFlags(edit);
  kubectlHelp(edit, p.name, { long: EDIT_LONG, example: EDIT_EXAMPLE, use: 'edit-last-applied (RESOURCE/NAME | -f FILENAME)' }, { 'field-manager': "'kubectl-client-side-apply'", validate: "'strict'" }).action(
      p.action(async (ctx, args: string[], _f: unknown, cmd: Command) => {
        const flags = withParentFlags<TargetFlags & EditFlags>(cmd);
        if (flags.output !== undefined && flags.output !== 'yaml' && flags.output !== 'json') throw new CliError(`unexpected -o output mode: ${flags.output}, the flag 'output' must be one of yaml|json`);
        // kubectl's edit loop in ApplyEditMode, the one `edit` runs (edit.ts).
        const { runEditLastApplied } = await import('./edit');
        return withObjectSource(ctx, async (source) => {
          const live = (await targets(ctx, source, args, flags)).map((t) => ({ type: t.type, object: t.obj }));
          return runEditLastApplied(ctx, live, flags, p.name, source);
        });
      }),
    );
}
