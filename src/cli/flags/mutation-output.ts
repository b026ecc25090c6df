// -o for the verbs that change objects (label, patch, scale, set, ...): kubectl's
// PrintFlags without table/custom-columns. No -o prints `<kind[.group]>/<name> <operation>`.

import { OBJECT_OUTPUT_FORMATS } from '../../printers/no-printer';
import { CliError } from '../../api/errors';
import { splitApiVersion } from '../../api/resources';
import { deepCopy, type KObject } from '../../api/types';
import type { CliContext } from '../context';
import type { DryRunMode } from './dry-run';
import { dryRunSuffix } from './dry-run';
import { allowMissingKeys, outputArgument, type PrintFlagValues } from './print-flags';

/** What kubectl's mutating verbs accept for -o, as their error message lists them. */
export const MUTATION_OUTPUT_FORMATS = OBJECT_OUTPUT_FORMATS;

export type MutationPrinter = (obj: KObject, operation: string) => string;

/** `deployment.apps/web`, from the object itself (works for local files and unknown kinds). */
export function objectRef(obj: KObject): string {
  const { group } = splitApiVersion(String(obj.apiVersion ?? ''));
  const kind = String(obj.kind ?? '').toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${obj.metadata?.name ?? ''}`;
}

export function checkMutationFormat(o: string): void {
  const format = o.includes('=') ? o.slice(0, o.indexOf('=')) : o;
  if (!MUTATION_OUTPUT_FORMATS.includes(format)) {
    throw new CliError(`unable to match a printer suitable for the output format "${o}", allowed formats are: ${MUTATION_OUTPUT_FORMATS.join(',')}`);
  }
}

/**
 * Builds the printer once (so a bad -o fails before anything changes). The dry-run
 * suffix is appended to the operation, as kubectl's PrintFlags does; `patch` passes 'none'.
 */
export async function mutationPrinter(ctx: CliContext, flags: string | PrintFlagValues | undefined, dryRun: DryRunMode, opts: { typed?: boolean } = {}): Promise<MutationPrinter> {
  const pf: PrintFlagValues = typeof flags === 'object' ? flags : { output: flags };
  const output = outputArgument(pf);
  if (output === undefined || output === '') return (obj, op) => `${objectRef(obj)} ${op}${dryRunSuffix(dryRun)}\n`;
  checkMutationFormat(output);
  if (output === 'name') return (obj) => `${objectRef(obj)}\n`;
  if (opts.typed && output === 'json') {
    // Typed objects (the set verbs decode into Go structs) print in struct field order.
    const { goOrdered } = await import('../../printers/go-order');
    const { toJson } = await import('../../printers/json');
    return (obj) => {
      if (!pf.showManagedFields && obj.metadata?.managedFields) obj = { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
      const typed = goOrdered(deepCopy(obj) as Record<string, unknown>);
      return toJson(typed ?? obj, { sortKeys: !typed });
    };
  }
  const { outputPrinter } = await import('./output');
  const print = outputPrinter(output, ctx, { showManagedFields: pf.showManagedFields, allowMissingKeys: allowMissingKeys(pf), sortJsonKeys: !opts.typed });
  return (obj) => print([obj], false);
}

/**
 * The same PrintFlags for verbs that print whole objects themselves (create -f, apply):
 * undefined when no -o is given (they print `kind/name <operation>` their own way).
 */
export async function mutationObjectsPrinter(ctx: CliContext, pf: PrintFlagValues): Promise<((objs: KObject[], asList: boolean) => string) | undefined> {
  const output = outputArgument(pf);
  if (output === undefined || output === '') return undefined;
  checkMutationFormat(output);
  const { outputPrinter } = await import('./output');
  return outputPrinter(output, ctx, { showManagedFields: pf.showManagedFields, allowMissingKeys: allowMissingKeys(pf) });
}
