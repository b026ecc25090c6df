// `kubesim replace -f`: PUT the file's objects (a resourceVersion in the file is a
// precondition), or with --force delete and re-create them.

import { fieldValidation } from './flags/validate';
import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun } from './flags/dry-run';
import { addDeleteFlags, DELETE_FLAGS_SHOWN, deletionOptions, type DeleteFlagValues, type DeletionOptions } from './flags/delete-flags';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { EMPTY_NAME, PrintedError, formatApiError, sourceError, printedBlocks } from './format-error';
import { mutationPrinter } from './flags/mutation-output';
import { parseDuration } from './flags/duration';
import { pluralGroup } from '../api/resources';
import { FIELD_MANAGER_HELP, VALIDATE_HELP, kubectlHelp } from './kubectl-help';
import { REPLACE_EXAMPLE, REPLACE_LONG } from './verb-help';
import { rawUriError } from './get-raw';
import type { CliContext } from './context';
import type { InputDoc } from './manifest-input';
import type { ObjectSource, PendingDeletion, SourceWriteOptions } from './object-source';
import type { KObject } from '../api/types';

interface ReplaceFlags extends DeleteFlagValues, PrintFlagValues {
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  dryRun?: string | boolean;
  validate?: string;
  subresource?: string;
  fieldManager?: string;
  raw?: string;
}

/** ReplaceOptions.Validate, in kubectl's order. */
function replaceFlagError(f: ReplaceFlags, dryRun: string): string | undefined {
  const force = Boolean(f.force);
  if (Number(f.gracePeriod ?? -1) >= 0 && !force) return '--grace-period must have --force specified';
  if (parseDuration(f.timeout ?? '0s') !== 0 && !force) return '--timeout must have --force specified';
  if (force && dryRun !== 'none') return '--dry-run can not be used when --force is set';
  if (f.raw === undefined) return undefined;
  const files = f.filename ?? [];
  if (files.length !== 1) return '--raw can only use a single local file or stdin';
  if (/^https?:\/\//.test(files[0])) return '--raw cannot read from a url';
  if (f.recursive) return '--raw and --recursive are mutually exclusive';
  if (f.output) return '--raw and --output are mutually exclusive';
  return rawUriError(f.raw);
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('replace')
    .description('Replace a resource by file name or stdin');
  addResourceBuilderFlags(cmd, { filename: 'The files that contain the configurations to replace.', kustomize: "Process a kustomization directory. This flag can't be used together with -f or -R.", recursive: true });
  addDeleteFlags(cmd, { waitDefault: false, timeoutHelp: 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object' });
  addPrintFlags(addDryRunFlag(cmd))
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.')
    .option('--subresource <name>', 'If specified, replace will operate on the subresource of the requested object. This flag is beta and may change in the future.')
    .option('--validate <mode>', VALIDATE_HELP, 'strict')
    .option('--field-manager <name>', FIELD_MANAGER_HELP, 'kubectl-replace')
    .option('--raw <uri>', 'Raw URI to PUT to the server.  Uses the transport specified by the kubeconfig file.');
  kubectlHelp(cmd, p.name, { long: REPLACE_LONG, example: REPLACE_EXAMPLE, use: 'replace -f FILENAME' }, DELETE_FLAGS_SHOWN)
    .action(p.action(async (ctx, flags: ReplaceFlags) => {
      const dryRun = parseDryRun(ctx, flags.dryRun);
      const deletion = deletionOptions(flags, (l) => ctx.err(l));
      if (!(flags.filename ?? []).length && !flags.kustomize) throw new CliError('must specify one of -f and -k');
      const invalid = replaceFlagError(flags, dryRun);
      if (invalid) throw new CliError(invalid);
      // rawhttp.RawPut: the file's bytes to the path given, the answer printed as it comes.
      if (flags.raw !== undefined) return (await import('./get-raw')).runRaw(ctx, 'PUT', flags.raw, flags.filename![0]);
      if (flags.subresource === 'scale') throw new CliError('replace --subresource=scale is not simulated by kubesim yet');

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
        const write = { dryRun: dryRun === 'server', fieldManager: flags.fieldManager ?? 'kubectl-replace', ...fieldValidation(ctx, flags.validate) };
        if (flags.force) return forceReplace(ctx, source, items, errors, { print, write, deletion, timeoutMs: parseDuration(flags.timeout ?? '0s') || 300_000 });
        for (const item of items) {
          if (!item.object.metadata?.name) {
            errors.push(`error: ${sourceError('replacing', item.doc.source, EMPTY_NAME)}\n`);
            continue;
          }
          try {
            const ns = setNamespace(ctx, item);
            const obj = item.object;
            const name = obj.metadata.name!;
            let result = obj;
            if (dryRun === 'client') {
              if (!(await source.tryGet(item.type, ns, name))) throw ApiError.notFound(pluralGroup(item.type), name);
            } else {
              // --subresource: PUT .../status (only the status), .../ephemeralcontainers; the server refuses what it does not serve.
              const status = flags.subresource === 'status';
              result = await source.update(item.type, obj, { ...write, status, subresource: status ? undefined : flags.subresource });
            }
            ctx.out(print(result, 'replaced'));
          } catch (e) {
            if (e instanceof ApiError) errors.push(e.reason === 'Invalid' && items.length === 1 ? formatApiError(e) : formatApiError(e, item.doc.source, 'replacing'));
            else throw e;
          }
        }
        return errors;
      });
      if (errors.length) throw new PrintedError(printedBlocks(errors));
    }));
}

/**
 * kubectl's forceReplace: every object deleted (those missing skipped; any refusal ends it
 * before anything is created), each waited for until gone (--timeout, else 5 minutes), then
 * every one created; a create's error is the server's as it is, no `error when replacing`.
 */
async function forceReplace(
  ctx: CliContext,
  source: ObjectSource,
  items: InputDoc[],
  errors: string[],
  o: { print: (obj: KObject, verb: string) => string; write: SourceWriteOptions; deletion: DeletionOptions; timeoutMs: number },
): Promise<string[]> {
  const named = items.filter((item) => {
    if (!item.object.metadata?.name) errors.push(`error: ${sourceError('replacing', item.doc.source, EMPTY_NAME)}\n`);
    return Boolean(item.object.metadata?.name);
  });
  const { setNamespace } = await import('./manifest-input');
  const gone: PendingDeletion[] = [];
  const deleteErrors: string[] = [];
  for (const item of named) {
    const ns = setNamespace(ctx, item);
    const name = item.object.metadata.name!;
    try {
      const live = await source.tryGet(item.type, ns, name);
      if (!live) continue;
      await source.delete(item.type, ns, name, { gracePeriodSeconds: o.deletion.gracePeriod >= 0 ? o.deletion.gracePeriod : undefined, propagationPolicy: o.deletion.policy });
      ctx.out(o.print(item.object, 'deleted').replace(/\/(\S+) deleted\n$/, ' "$1" deleted\n'));
      gone.push({ type: item.type, namespace: ns, name, uid: live.metadata.uid });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // gone between the read and the delete: DeleteResult ignores it, as a missing one
      if (e.reason !== 'NotFound') deleteErrors.push(formatApiError(e));
    }
  }
  if (deleteErrors.length) return [...errors, ...deleteErrors];
  const { waitForDeletion } = await import('./wait-deletion');
  await waitForDeletion(ctx, source, gone, o.timeoutMs);
  for (const item of named) {
    delete item.object.metadata.resourceVersion;
    try {
      ctx.out(o.print(await source.create(item.type, item.object, o.write), 'replaced'));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(formatApiError(e));
    }
  }
  return errors;
}
