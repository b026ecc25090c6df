// `kubesim label` (and, through runKeyValueVerb, `annotate`): add, overwrite or remove
// metadata keys on objects, with kubectl's argument rules, messages and per-object errors.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { deepCopy, jsonText, type KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { addDryRunFlag, parseDryRun, type DryRunMode } from './flags/dry-run';
import { PrintedError, checkErrText, formatApiError, rawError, withDecodeErrors } from './format-error';
import { parseAnnotationChanges, parseLabelChanges, splitResourcesAndPairs, type KeyChanges } from './flags/key-value-args';
import { mutationPrinter, type MutationPrinter } from './flags/mutation-output';
import type { ObjectSource } from './object-source';
import { resolveTargets, type TargetFlags } from './flags/targets';
import { FIELD_MANAGER_HELP, kubectlHelp } from './kubectl-help';
import { hasFileInput } from './manifest-input';

export interface KeyValueFlags extends TargetFlags {
  overwrite?: boolean;
  list?: boolean;
  resourceVersion?: string;
  dryRun?: string | boolean;
  output?: string;
  template?: PrintFlagValues['template'];
  allowMissingTemplateKeys?: PrintFlagValues['allowMissingTemplateKeys'];
  showManagedFields?: boolean;
  fieldManager?: string;
}

const CHANGE_CAUSE = 'kubernetes.io/change-cause';

export type KeyValueKind = 'label' | 'annotation';

/** The object's keys after the change, or kubectl's error when --overwrite is needed. */
export function applyKeyChanges(obj: KObject, which: KeyValueKind, changes: KeyChanges, overwrite: boolean, resourceVersion?: string): void {
  const field = which === 'label' ? 'labels' : 'annotations';
  const current: Record<string, string> = obj.metadata?.[field] ?? {};
  if (!overwrite) {
    const clashes = [...changes.set].filter(([k, v]) => k in current && current[k] !== v && (which === 'label' || k !== CHANGE_CAUSE));
    if (clashes.length) {
      if (which === 'label') {
        const msgs = clashes.map(([k]) => `'${k}' already has a value (${current[k]}), and --overwrite is false`);
        throw new CliError(msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);
      }
      throw new CliError(`--overwrite is false but found the following declared annotation(s): ${clashes.map(([k]) => `'${k}' already has a value (${current[k]})`).join('; ')}`);
    }
  }
  const next = { ...current };
  for (const [k, v] of changes.set) next[k] = v;
  for (const k of changes.remove) delete next[k];
  obj.metadata ??= {};
  obj.metadata[field] = next;
  if (resourceVersion) obj.metadata.resourceVersion = resourceVersion;
}

/** label.go updateDataChangeMsg: the message compares the JSON before and after. */
function changeMessage(which: KeyValueKind, before: string, after: string, overwrite: boolean): string {
  if (which === 'annotation') return 'annotated';
  if (before === after) return 'not labeled';
  return !overwrite && after.length < before.length ? 'unlabeled' : 'labeled';
}

const LABEL_LONG = `Update the labels on a resource.

  *  A label key and value must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters each.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  If --overwrite is true, then existing labels can be overwritten, otherwise attempting to overwrite a label will result in an error.
  *  If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used.`;

const LABEL_EXAMPLE = `  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
  kubectl label pods foo unhealthy=true
  
  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
  kubectl label --overwrite pods foo status=unhealthy
  
  # Update all pods in the namespace
  kubectl label pods --all status=unhealthy
  
  # Update a pod identified by the type and name in "pod.json"
  kubectl label -f pod.json status=unhealthy
  
  # Update pod 'foo' only if the resource is unchanged from version 1
  kubectl label pods foo status=unhealthy --resource-version=1
  
  # Update pod 'foo' by removing a label named 'bar' if it exists
  # Does not require the --overwrite flag
  kubectl label pods foo bar-`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('label')
    .description('Update the labels on a resource')
    .usage('[--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]')
    .argument('[args...]')
    .option('--overwrite', 'If true, allow labels to be overwritten, otherwise reject label updates that overwrite existing labels.')
    .option('--list', 'If true, display the labels for a given resource.')
    .option('--resource-version <version>', 'If non-empty, the labels update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.');
  addResourceBuilderFlags(cmd, {
    local: 'If true, label will NOT contact api-server but run locally.',
    selector: true,
    fieldSelector: true,
    all: 'Select all resources, in the namespace of the specified resource types',
    allNamespaces: 'If true, check the specified action in all namespaces.',
    filename: 'Filename, directory, or URL to files identifying the resource to update the labels',
    kustomize: true,
    recursive: true,
  });
  addPrintFlags(addDryRunFlag(cmd));
  cmd.option('--field-manager <name>', FIELD_MANAGER_HELP);
  kubectlHelp(cmd, p.name, { long: LABEL_LONG, example: LABEL_EXAMPLE, use: cmd.name() + ' ' + cmd.usage() }, { 'field-manager': "'kubectl-label'" })
    .action(p.action((ctx, args: string[], flags: KeyValueFlags) => runKeyValueVerb(ctx, 'label', args, flags)));
}

/** kubectl's LabelOptions (and annotate's, which has the same shape): complete, validate, run. */
export class KeyValueOptions {
  private readonly verb: string;
  private resources: string[] = [];
  private changes: KeyChanges = { set: new Map(), remove: [] };
  private dryRun: DryRunMode = 'none';

  constructor(
    private readonly ctx: CliContext,
    private readonly which: KeyValueKind,
    private readonly args: string[],
    private readonly flags: KeyValueFlags,
  ) {
    this.verb = which === 'label' ? 'label' : 'annotate';
  }

  /** The arguments split into resources and KEY=VALUE / KEY- changes, and --dry-run read. */
  complete(): this {
    const { resources, pairs } = splitResourcesAndPairs(this.args, this.which);
    this.resources = resources;
    this.changes = this.which === 'label' ? parseLabelChanges(pairs) : parseAnnotationChanges(pairs);
    this.dryRun = parseDryRun(this.ctx, this.flags.dryRun);
    // annotate's own check reads a flag value kubectl 1.32 never sets: there -o passes with --list.
    if (this.which === 'label' && this.flags.list && this.flags.output) throw new CliError('--list and --output may not be specified together');
    return this;
  }

  /** The flag and argument combinations kubectl refuses; pure. */
  validate(): this {
    const { flags, which, resources, changes } = this;
    if (flags.all && flags.selector) throw new CliError('cannot set --all and --selector at the same time');
    if (flags.all && flags.fieldSelector) throw new CliError('cannot set --all and --field-selector at the same time');
    if (flags.local && this.dryRun === 'server') throw new CliError('cannot specify --local and --dry-run=server - did you mean --dry-run=client?');
    if (flags.local && resources.length) throw new CliError(this.localMessage());
    if (flags.local && !hasFileInput(flags)) throw new CliError(`one or more files must be specified as -f ${this.fileExample()}`);
    if (resources.length === 0 && !hasFileInput(flags)) throw new CliError('one or more resources must be specified as <resource> <name> or <resource>/<name>');
    if (changes.set.size === 0 && changes.remove.length === 0 && !flags.list) throw new CliError(`at least one ${which} update is required`);
    return this;
  }

  private fileExample(): string {
    return this.which === 'label' ? 'pod.yaml or --filename=pod.json' : 'rsrc.yaml or --filename=rsrc.json';
  }

  private localMessage(): string {
    return `can only use local files by -f ${this.fileExample()} when --local=true is set`;
  }

  /** The visit: each target changed (or listed) and written or printed, the errors collected. */
  async run(): Promise<number> {
    const { ctx, which, verb, resources, changes, dryRun, flags } = this;
    // kubectl's label builds its printer for each object (no `---` between YAML documents); annotate builds one.
    let print = await mutationPrinter(ctx, flags, dryRun);
    const nextPrinter = async () => (which === 'label' ? mutationPrinter(ctx, flags, dryRun) : print);

    // --local touches no cluster; otherwise the daemon's API when it serves, else the store.
    if (flags.local) return this.visit(undefined, print, nextPrinter);
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(ctx, (source) => this.visit(source, print, nextPrinter));
  }

  private async visit(source: ObjectSource | undefined, print: MutationPrinter, nextPrinter: () => Promise<MutationPrinter>): Promise<number> {
    const { ctx, which, verb, resources, changes, dryRun, flags } = this;
    const targets = await resolveTargets(ctx, resources, flags, verb, { localMessage: this.localMessage(), latest: true }, source);
    if (flags.resourceVersion && targets.items.length > 1) throw new CliError('--resource-version may only be used with a single resource');
    // Builder errors: on the cluster (not found) first; the files' decode errors of --local come
    // after the objects' own, as one nested aggregate (kubectl's ContinueOnError visitor).
    const errors: string[] = flags.local ? [] : targets.errors.map(rawError);
    const field = which === 'label' ? 'labels' : 'annotations';
    let invalid: ApiError | undefined;
    for (const t of targets.items) {
      if (t.namespaceError) {
        errors.push(t.namespaceError);
        continue;
      }
      const obj = deepCopy(t.object);
      try {
        if (flags.list) {
          // The changes applied here and listed, never written (Go's map order; kubesim sorts).
          applyKeyChanges(obj, which, changes, !!flags.overwrite, flags.resourceVersion);
          const entries = Object.entries((obj.metadata?.[field] ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          let indent = '';
          if (!targets.single) {
            indent = ' ';
            ctx.out(`Listing ${field} for ${obj.kind}.${t.type.group}/${obj.metadata.name}:\n`);
          }
          ctx.out(entries.map(([k, v]) => `${indent}${k}=${v}\n`).join(''));
          continue;
        }
        if (!flags.local && flags.resourceVersion) delete obj.metadata.resourceVersion;
        const before = jsonText(obj);
        if (!flags.local && which === 'label') {
          for (const k of changes.remove) if (!(k in (obj.metadata?.labels ?? {}))) ctx.out(`label ${JSON.stringify(k)} not found.\n`);
        }
        applyKeyChanges(obj, which, changes, !!flags.overwrite, flags.resourceVersion);
        const after = jsonText(obj);
        const op = changeMessage(which, before, after, !!flags.overwrite);
        let result = obj;
        if (!flags.local && dryRun !== 'client') {
          // kubectl's JSON merge patch of what it read; --resource-version goes into the patch
          // (read without one), a precondition the write fails with Conflict unless it holds.
          const write = { dryRun: dryRun === 'server', fieldManager: flags.fieldManager ?? `kubectl-${verb}`, patchType: 'merge', noFieldValidation: true } as const;
          if (flags.resourceVersion || before !== after) {
            const read = deepCopy(t.object);
            if (flags.resourceVersion) delete read.metadata.resourceVersion;
            result = await source!.change(t.type, read, (o) => applyKeyChanges(o, which, changes, true, flags.resourceVersion), write);
          } else {
            result = t.object;
          }
        }
        ctx.out(print(result, op));
        print = await nextPrinter();
      } catch (e) {
        if (e instanceof ApiError) {
          errors.push(formatApiError(e).replace(/\n$/, ''));
          if (e.reason === 'Invalid') invalid = e;
        }
        // A CliError's text lacks the newline formatError adds (the jsonpath debugging block ends in its own).
        else if (e instanceof CliError) errors.push(e.message.endsWith('\n') ? `${e.message}\n` : e.message);
        else throw e;
      }
    }
    const all = flags.local ? withDecodeErrors(errors, targets.errors) : errors;
    // CheckErr takes the one error an Invalid first: `The ConfigMap "x" is invalid: ...`, no `error: `
    if (all.length === 1 && invalid) throw new PrintedError(formatApiError(invalid));
    if (all.length) throw new PrintedError(checkErrText(all));
    return 0;
  }
}

export function runKeyValueVerb(ctx: CliContext, which: KeyValueKind, args: string[], flags: KeyValueFlags): Promise<number> {
  return new KeyValueOptions(ctx, which, args, flags).complete().validate().run();
}
