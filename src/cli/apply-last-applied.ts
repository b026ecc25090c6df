// `apply view-last-applied | set-last-applied | edit-last-applied`: the
// kubectl.kubernetes.io/last-applied-configuration annotation of live objects, shown as
// YAML (JSONToYAML of the stored JSON) or JSON (json.Indent, two spaces, its own key order),
// replaced from a file, or edited in $EDITOR.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ApiError, CliError } from '../api/errors';
import { kindGroup, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { LAST_APPLIED, lastAppliedJson } from '../api/apply/last-applied';
import type { CliContext } from './context';
import type { Program } from './root';
import { collect } from './flags/collect';
import { parseResourceArgs } from './resource-args';
import { buildListOptions } from './flags/selectors';
import { dryRunOption, parseDryRun } from './flags/dry-run';
import { mutationPrinter } from './flags/mutation-output';
import { toYaml } from '../printers/yaml';
import { printFlagOptions } from './flags/print-flags';

interface Target {
  type: ResourceType;
  obj: KObject;
  manifest?: KObject;
}

async function targets(ctx: CliContext, api: ApiServer, args: string[], flags: { filename?: string[]; selector?: string; all?: boolean }): Promise<Target[]> {
  const out: Target[] = [];
  if (flags.filename?.length) {
    const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
    const { load } = await loadInput(ctx, { filename: flags.filename }, 'apply');
    const { items, errors } = await prepareDocs(ctx, api, load, 'apply', { validate: false });
    if (errors.length) throw new CliError(errors.join('').replace(/\n$/, ''));
    for (const item of items) out.push({ type: item.type, obj: await api.get(item.type, setNamespace(ctx, item), item.object.metadata.name!), manifest: item.object });
    return out;
  }
  if (!args.length) throw new CliError('You must provide one or more resources by argument or filename.');
  for (const sel of parseResourceArgs(args, api.registry)) {
    const ns = sel.type.namespaced ? ctx.namespace : undefined;
    if (sel.names.length) for (const n of sel.names) out.push({ type: sel.type, obj: await api.get(sel.type, ns, n) });
    else if (flags.selector || flags.all) for (const o of (await api.list(sel.type, buildListOptions(sel.type, flags.selector, undefined, ns))).items) out.push({ type: sel.type, obj: o });
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

async function setAnnotation(api: ApiServer, t: Target, value: string, dryRun: boolean): Promise<KObject> {
  return api.mutate(
    t.type,
    t.obj.metadata.namespace,
    t.obj.metadata.name!,
    (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [LAST_APPLIED]: value };
      return o;
    },
    { dryRun },
  );
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

export function register(program: Command, p: Program): void {
  const apply = program.commands.find((c) => c.name() === 'apply');
  if (!apply) return;

  apply
    .command('view-last-applied')
    .description('View the latest last-applied-configuration annotations of a resource/object')
    .argument('[resources...]')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files that contains the last-applied-configuration annotations', collect, [])
    .option('-l, --selector <selector>', 'Selector (label query) to filter on.')
    .option('--all', 'Select all resources in the namespace of the specified resource types')
    .option('-o, --output <format>', 'Output format. Must be one of (yaml, json)')
    .action(
      p.action(async (ctx, args: string[], _f: unknown, cmd: Command) => {
        const flags = withParentFlags<{ filename?: string[]; selector?: string; all?: boolean; output?: string }>(cmd);
        flags.output ??= 'yaml';
        if (flags.output !== 'yaml' && flags.output !== 'json') throw new CliError(`unexpected -o output mode: ${flags.output}, the flag 'output' must be one of yaml|json`);
        const api = await ctx.api();
        const list = await targets(ctx, api, args, flags);
        const texts = list.map(stored);
        ctx.out(texts.map((t) => render(t, flags.output!)).join(''));
      }),
    );

  apply
    .command('set-last-applied')
    .description('Set the last-applied-configuration annotation on a live object to match the contents of a file')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files that contains the last-applied-configuration annotations', collect, [])
    .option('--create-annotation', 'Will create \'last-applied-configuration\' annotations if current objects doesn\'t have one')
    .addOption(dryRunOption())
    .addOption(printFlagOptions()[0])
    .addOption(printFlagOptions()[1])
    .addOption(printFlagOptions()[2])
    .addOption(printFlagOptions()[3])
    .action(
      p.action(async (ctx, _f: unknown, cmd: Command) => {
        const flags = withParentFlags<{ filename?: string[]; createAnnotation?: boolean; dryRun?: string | boolean; output?: string }>(cmd);
        if (!flags.filename?.length) throw new CliError('error: Must specify --filename\nSee \'kubesim apply set-last-applied -h\' for help and examples');
        const dryRun = parseDryRun(ctx, flags.dryRun);
        const print = await mutationPrinter(ctx, flags, dryRun);
        const api = await ctx.api();
        for (const t of await targets(ctx, api, [], flags)) {
          const had = t.obj.metadata.annotations?.[LAST_APPLIED];
          if (!had && !flags.createAnnotation) {
            throw new CliError(`no last-applied-configuration annotation found on resource: ${t.obj.metadata.name}, to create the annotation, run the command with --create-annotation`);
          }
          const value = lastAppliedJson(t.manifest!);
          const obj = dryRun === 'client' ? t.obj : await setAnnotation(api, t, value, dryRun === 'server');
          ctx.out(print(obj, 'configured'));
        }
      }),
    );

  apply
    .command('edit-last-applied')
    .description('Edit latest last-applied-configuration annotations of a resource/object')
    .argument('[resources...]')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files to use to edit the resource', collect, [])
    .option('-o, --output <format>', 'Output format. One of: (yaml, json).')
    .action(
      p.action(async (ctx, args: string[], _f: unknown, cmd: Command) => {
        const flags = withParentFlags<{ filename?: string[]; output?: string }>(cmd);
        flags.output ??= 'yaml';
        if (flags.output !== 'yaml' && flags.output !== 'json') throw new CliError(`unexpected -o output mode: ${flags.output}, the flag 'output' must be one of yaml|json`);
        const api = await ctx.api();
        const { editorCommand } = await import('./edit');
        for (const t of await targets(ctx, api, args, flags)) {
          const before = render(stored(t), flags.output!);
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-edit-'));
          const file = path.join(dir, `${t.obj.metadata.name}-edit.${flags.output}`);
          try {
            fs.writeFileSync(file, before);
            const ed = editorCommand(process.env);
            const argv = ed.shell ? [...ed.args.slice(0, -1), `${ed.args[ed.args.length - 1]} '${file}'`] : [...ed.args, file];
            const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
            if (r.status !== 0) throw new CliError(`there was a problem with the editor "${ed.args.join(' ')}"`);
            const after = fs.readFileSync(file, 'utf8');
            if (after === before) {
              ctx.err('Edit cancelled, no changes made.\n');
              continue;
            }
            const edited = parseYaml(after) as KObject;
            const obj = await setAnnotation(api, t, JSON.stringify(edited) + '\n', false);
            ctx.out(`${kindGroup(t.type)}/${obj.metadata.name} edited\n`);
          } catch (e) {
            if (e instanceof ApiError || e instanceof CliError) throw e;
            throw new CliError((e as Error).message);
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        }
      }),
    );
}
