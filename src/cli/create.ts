// `kubesim create -f` (and, as sub-commands, the generators: `create deployment`, ...).

import type { Command } from 'commander';
import { ApiError } from '../api/errors';
import { kindGroup } from '../api/resources';
import type { Program } from './root';
import { collect } from './flags/collect';
import { parseDryRun, dryRunSuffix } from './flags/dry-run';
import { PrintedError, formatApiError } from './format-error';

export function register(program: Command, p: Program): void {
  const create = program
    .command('create')
    .description('Create a resource from a file or from stdin')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files to use to create the resource', collect, [])
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('--dry-run [mode]', 'Must be "none", "server", or "client".')
    .option('-o, --output <format>', 'Output format.')
    .option('--validate <mode>', 'Must be one of: strict (or true), warn, ignore (or false).', 'strict')
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation.')
    .action(
      p.action(async (ctx, flags: { filename?: string[]; recursive?: boolean; dryRun?: string | boolean; output?: string; validate?: string; saveConfig?: boolean }) => {
        const dryRun = parseDryRun(ctx, flags.dryRun);
        const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
        const { load } = await loadInput(ctx, flags, 'create');
        const api = await ctx.api();
        const { items, errors } = await prepareDocs(ctx, api, load, 'create', flags);
        const printer = flags.output ? (await import('./flags/output')).outputPrinter(flags.output, ctx) : undefined;
        for (const item of items) {
          setNamespace(ctx, item);
          try {
            let obj = item.object;
            if (flags.saveConfig) {
              const { lastAppliedJson, LAST_APPLIED } = await import('../api/apply/last-applied');
              obj = { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: lastAppliedJson(obj) } } };
            }
            const created = dryRun === 'client' ? obj : api.create(obj, { dryRun: dryRun === 'server' });
            if (printer) ctx.out(printer([created], false));
            else ctx.out(`${kindGroup(item.type)}/${created.metadata.name} created${dryRunSuffix(dryRun)}\n`);
          } catch (e) {
            if (e instanceof ApiError) errors.push(e.reason === 'Invalid' && items.length === 1 && !errors.length ? formatApiError(e) : formatApiError(e, item.doc.source, 'creating'));
            else throw e;
          }
        }
        if (errors.length) throw new PrintedError(errors.join(''));
      }),
    );
  registerGenerators(create, p);
}

function registerGenerators(create: Command, p: Program): void {
  void create;
  void p;
}
