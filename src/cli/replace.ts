// `kubesim replace -f`: PUT the file's objects (a resourceVersion in the file is a
// precondition), or with --force delete and re-create them.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { Program } from './root';
import { collect } from './flags/collect';
import { parseDryRun } from './flags/dry-run';
import { PrintedError, formatApiError } from './format-error';
import { mutationPrinter } from './flags/mutation-output';
import { KUSTOMIZE_FLAG } from './flags/kustomize';

interface ReplaceFlags {
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  force?: boolean;
  dryRun?: string | boolean;
  output?: string;
  validate?: string;
}

export function register(program: Command, p: Program): void {
  program
    .command('replace')
    .description('Replace a resource by file name or stdin')
    .option('-f, --filename <file>', 'The files that contain the configurations to replace.', collect, [])
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option(...KUSTOMIZE_FLAG)
    .option('--force', 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.')
    .option('--grace-period <seconds>', 'Accepted for kubectl compatibility.')
    .option('--dry-run [mode]', 'Must be "none", "server", or "client".')
    .option('-o, --output <format>', 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).')
    .option('--validate <mode>', 'Must be one of: strict (or true), warn, ignore (or false).', 'strict')
    .option('--save-config', 'Accepted for kubectl compatibility.')
    .addHelpText('after', `
Examples:
  # Replace a pod using the data in pod.json
  kubesim replace -f ./pod.json

  # Replace a pod based on the JSON passed into stdin
  cat pod.json | kubesim replace -f -

  # Force replace, delete and then re-create the resource
  kubesim replace --force -f ./pod.json`)
    .action(p.action(async (ctx, flags: ReplaceFlags) => {
      const dryRun = parseDryRun(ctx, flags.dryRun);
      if (!(flags.filename ?? []).length && !flags.kustomize) throw new CliError('must specify --filename to replace');
      const print = await mutationPrinter(ctx, flags.output, dryRun);
      const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
      const { load } = await loadInput(ctx, flags, 'replace');
      const api = await ctx.api();
      let prepared;
      try {
        prepared = await prepareDocs(ctx, api, load, 'replace', flags);
      } catch (e) {
        // An empty input replaces nothing, silently (kubectl).
        if (e instanceof CliError && /no objects passed/.test(e.message)) return 0;
        throw e;
      }
      const { items, errors } = prepared;
      for (const item of items) {
        try {
          const ns = setNamespace(ctx, item);
          const obj = item.object;
          let result = obj;
          if (flags.force) {
            if (dryRun === 'none') {
              if (await api.tryGet(item.type, ns, obj.metadata.name!)) {
                await api.delete(item.type, ns, obj.metadata.name!, { gracePeriodSeconds: 0 });
                ctx.out(`${print(obj, 'deleted').replace(/\/(\S+) deleted\n$/, ' "$1" deleted\n')}`);
              }
              delete obj.metadata.resourceVersion;
              result = await api.create(obj);
            }
          } else if (dryRun === 'client') {
            await api.get(item.type, ns, obj.metadata.name!);
          } else {
            result = await api.update(obj, { dryRun: dryRun === 'server' });
          }
          ctx.out(print(result, 'replaced'));
        } catch (e) {
          if (e instanceof ApiError) errors.push(e.reason === 'Invalid' && items.length === 1 ? formatApiError(e) : formatApiError(e, item.doc.source, 'replacing'));
          else throw e;
        }
      }
      if (errors.length) throw new PrintedError(errors.join(''));
    }));
}
