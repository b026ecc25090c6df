// `kubesim replace -f`: PUT the file's objects (a resourceVersion in the file is a
// precondition), or with --force delete and re-create them.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun } from './flags/dry-run';
import { addDeleteFlags, deletionOptions, type DeleteFlagValues } from './flags/delete-flags';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { PrintedError, formatApiError } from './format-error';
import { mutationPrinter } from './flags/mutation-output';
import { parseDuration } from './flags/duration';
import { pluralGroup } from '../api/resources';

interface ReplaceFlags extends DeleteFlagValues, PrintFlagValues {
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  dryRun?: string | boolean;
  validate?: string;
  subresource?: string;
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('replace')
    .description('Replace a resource by file name or stdin');
  addResourceBuilderFlags(cmd, { filename: 'The files that contain the configurations to replace.', kustomize: true, recursive: true });
  addDeleteFlags(cmd, { waitDefault: false, timeoutHelp: 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object' });
  addPrintFlags(addDryRunFlag(cmd))
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.')
    .option('--subresource <name>', 'If specified, replace will operate on the subresource of the requested object. This flag is beta and may change in the future.')
    .option('--validate <mode>', 'Must be one of: strict (or true), warn, ignore (or false).', 'strict')
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
      const deletion = deletionOptions(flags);
      if (flags.subresource && flags.subresource !== 'status' && flags.subresource !== 'scale') {
        throw new CliError(`invalid subresource value: ${JSON.stringify(flags.subresource)}. Must be one of [status scale]`);
      }
      if (flags.subresource === 'scale') throw new CliError('replace --subresource=scale is not simulated by kubesim yet');
      if (!(flags.filename ?? []).length && !flags.kustomize) throw new CliError('must specify one of -f and -k');
      const print = await mutationPrinter(ctx, flags, dryRun);
      const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
      const { load } = await loadInput(ctx, flags, 'replace');
      const { withObjectSource } = await import('./object-source');
      // Through the daemon's API when it serves, else the store: the verb builds each request.
      const errors = await withObjectSource(ctx, async (source) => {
        await source.learnKinds(load.docs.map((d) => d.object));
        let prepared;
        try {
          prepared = await prepareDocs(ctx, source, load, 'replace', flags);
        } catch (e) {
          // An empty input replaces nothing, silently (kubectl).
          if (e instanceof CliError && /no objects passed/.test(e.message)) return [];
          throw e;
        }
        const { items, errors } = prepared;
        const write = { dryRun: dryRun === 'server', fieldManager: 'kubectl-replace' };
        for (const item of items) {
          try {
            const ns = setNamespace(ctx, item);
            const obj = item.object;
            const name = obj.metadata.name!;
            let result = obj;
            if (flags.force) {
              if (dryRun === 'none') {
                const live = await source.tryGet(item.type, ns, name);
                if (live) {
                  await source.delete(item.type, ns, name, { gracePeriodSeconds: deletion.gracePeriod >= 0 ? deletion.gracePeriod : undefined, propagationPolicy: deletion.policy });
                  ctx.out(`${print(obj, 'deleted').replace(/\/(\S+) deleted\n$/, ' "$1" deleted\n')}`);
                  // kubectl re-creates once the old object is gone (--timeout, else 5 minutes).
                  const { waitForDeletion } = await import('./wait-deletion');
                  await waitForDeletion(ctx, source, [{ type: item.type, namespace: ns, name, uid: live.metadata.uid }], parseDuration(flags.timeout ?? '0s') || 300_000);
                }
                delete obj.metadata.resourceVersion;
                result = await source.create(item.type, obj, write);
              }
            } else if (dryRun === 'client') {
              if (!(await source.tryGet(item.type, ns, name))) throw ApiError.notFound(pluralGroup(item.type), name);
            } else {
              // --subresource=status: PUT .../status, which writes only the status.
              result = await source.update(item.type, obj, { ...write, status: flags.subresource === 'status' });
            }
            ctx.out(print(result, 'replaced'));
          } catch (e) {
            if (e instanceof ApiError) errors.push(e.reason === 'Invalid' && items.length === 1 ? formatApiError(e) : formatApiError(e, item.doc.source, 'replacing'));
            else throw e;
          }
        }
        return errors;
      });
      if (errors.length) throw new PrintedError(errors.join(''));
    }));
}
