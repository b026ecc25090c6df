// `kubesim delete`: by name, -f, -l or --all, with kubectl's cascade and grace options.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { kindGroup, pluralGroup, type ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import type { ObjectSource } from './object-source';
import type { LoadResult } from '../manifest';
import { EMPTY_NAME, PrintedError, formatApiError, sourceError, printedBlocks } from './format-error';
import { addDryRunFlag, parseDryRun, dryRunSuffix, type DryRunMode } from './flags/dry-run';
import { parseDuration } from './flags/duration';
import { addDeleteFlags, DELETE_FLAGS_SHOWN, deletionOptions, type DeleteFlagValues, type DeletionOptions } from './flags/delete-flags';
import { addResourceBuilderFlags, noResourcesError } from './flags/resource-builder-flags';
import { kubectlHelp } from './kubectl-help';
import { rawUriError } from './get-raw';
import { DELETE_EXAMPLE, DELETE_LONG } from './verb-help';

interface DeleteFlags extends DeleteFlagValues {
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  ignoreNotFound?: boolean;
  output?: string;
  dryRun?: string | boolean;
  interactive?: boolean;
  raw?: string;
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('delete')
    .description('Delete resources by file names, stdin, resources and names, or by resources and label selector')
    .argument('[resources...]');
  addResourceBuilderFlags(cmd, {
    filename: 'containing the resource to delete.',
    kustomize: "Process a kustomization directory. This flag can't be used together with -f or -R.",
    recursive: true,
    selector: true,
    fieldSelector: true,
    all: 'Delete all resources, in the namespace of the specified resource types.',
    allNamespaces: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.',
  });
  addDeleteFlags(cmd, { waitDefault: true, now: true, output: true });
  addDryRunFlag(cmd)
    .option('-i, --interactive', 'If true, delete resource only when user confirms.')
    .option('--ignore-not-found', 'Treat "resource not found" as a successful delete. Defaults to "true" when --all is specified.')
    .option('--raw <uri>', 'Raw URI to DELETE to the server.  Uses the transport specified by the kubeconfig file.');
  kubectlHelp(cmd, p.name, { long: DELETE_LONG, example: DELETE_EXAMPLE, use: 'delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])' }, DELETE_FLAGS_SHOWN)
    .action(p.action((ctx, resources: string[], flags: DeleteFlags) => new DeleteOptions(ctx, resources, flags).complete().validate().run()));
}

/**
 * kubectl's DeleteOptions: complete reads the flags the way DeleteFlags.ToOptions and
 * Complete do (their errors come first), validate is pure, run finds and deletes the objects.
 */
export class DeleteOptions {
  dryRun: DryRunMode = 'none';
  deletion!: DeletionOptions;

  constructor(
    private readonly ctx: CliContext,
    private readonly resources: string[],
    private readonly flags: DeleteFlags,
  ) {}

  complete(): this {
    this.deletion = deletionOptions(this.flags, (l) => this.ctx.err(l));
    this.dryRun = parseDryRun(this.ctx, this.flags.dryRun);
    return this;
  }

  validate(): this {
    const f = this.flags;
    // With --raw, Complete builds no objects: Validate's checks are the first ones.
    if (f.raw !== undefined) {
      const err = rawDeleteError(f, this.deletion);
      if (err) throw new CliError(err);
      return this;
    }
    if (this.resources.length === 0 && (f.filename ?? []).length === 0 && !f.kustomize) {
      throw new CliError(noResourcesError({ selector: f.selector, fieldSelector: f.fieldSelector, all: f.all }));
    }
    return this;
  }

  /** Through the cluster's daemon when it serves (an unreachable one: in-process, before anything is written). */
  async run(): Promise<number> {
    const { ctx, flags, resources, dryRun, deletion } = this;
    // rawhttp.RawDelete: the request as given, the file (if any) as its body; nothing else is read.
    if (flags.raw !== undefined) return (await import('./get-raw')).runRaw(ctx, 'DELETE', flags.raw, flags.filename?.[0]);
    if (flags.force && deletion.gracePeriod === 0) {
      ctx.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
    }
    // -f - is read once, whichever path runs.
    const input = (flags.filename ?? []).length || flags.kustomize ? await (await import('./manifest-input')).loadInput(ctx, flags, 'delete') : undefined;
    const { withDaemonSource, localSource } = await import('./object-source');
    const remote = await withDaemonSource(ctx, (source) => runDelete(ctx, source, resources, input?.load, flags, dryRun, deletion));
    return remote ? remote.value : runDelete(ctx, await localSource(ctx), resources, input?.load, flags, dryRun, deletion);
  }
}

/** DeleteOptions.Validate's checks before --raw's, in kubectl's order. */
function validateError(f: DeleteFlags, deletion: DeletionOptions): string | undefined {
  if (f.output && f.output !== 'name') return `unexpected -o output mode: ${f.output}. We only support '-o name'`;
  if (f.all && f.selector) return 'cannot set --all and --selector at the same time';
  if (f.all && f.fieldSelector) return 'cannot set --all and --field-selector at the same time';
  if (deletion.force && deletion.gracePeriod > 0) return '--force and --grace-period greater than 0 cannot be specified together';
  return undefined;
}

/** DeleteOptions.Validate's checks as they apply to --raw, in kubectl's order. */
function rawDeleteError(f: DeleteFlags, deletion: DeletionOptions): string | undefined {
  const first = validateError(f, deletion);
  if (first) return first;
  const files = f.filename ?? [];
  if (files.length > 1) return '--raw can only use a single local file or stdin';
  if (files.length === 1 && /^https?:\/\//.test(files[0])) return '--raw cannot read from a url';
  if (f.recursive) return '--raw and --recursive are mutually exclusive';
  if (f.output) return '--raw and --output are mutually exclusive';
  return rawUriError(f.raw!);
}

async function runDelete(ctx: CliContext, source: ObjectSource, resources: string[], load: LoadResult | undefined, flags: DeleteFlags, dryRun: DryRunMode, deletion: DeletionOptions): Promise<number> {
  const { policy, gracePeriod: grace, wait } = deletion;
  const targets: Array<{ type: ResourceType; namespace?: string; name: string; source?: string }> = [];
  const errors: string[] = [];
  // The Builder's SelectAllParam, in Complete: before Validate's own --all/--selector check.
  if (flags.all && (flags.selector || flags.fieldSelector)) throw new CliError("setting 'all' parameter but found a non empty selector. ");
  if (load) {
    const { prepareDocs, setNamespace } = await import('./manifest-input');
    if (load.docs.length === 0 && load.errors.length === 0) {
      ctx.out('No resources found\n');
      return 0;
    }
    await source.learnKinds(load.docs.map((d) => d.object));
    const { items, errors: docErrors } = await prepareDocs(ctx, source, load, 'delete', { validate: false });
    errors.push(...docErrors);
    const invalid = validateError(flags, deletion);
    if (invalid) throw new CliError(invalid);
    for (const item of items) targets.push({ type: item.type, namespace: setNamespace(ctx, item), name: item.object.metadata.name!, source: item.doc.source });
  } else {
    const selections = await source.selections(resources);
    const namespace = flags.allNamespaces ? undefined : ctx.namespace;
    // the Builder's errors (Complete), then Validate's, then the lists (Run)
    for (const sel of selections) {
      if (sel.names.length && (flags.all || flags.selector)) throw new CliError('name cannot be provided when a selector is specified');
      if (!sel.names.length && !flags.all && !flags.selector && !flags.fieldSelector && !flags.allNamespaces) {
        throw new CliError('resource(s) were provided, but no name was specified');
      }
    }
    const invalid = validateError(flags, deletion);
    if (invalid) throw new CliError(invalid);
    for (const sel of selections) {
      if (sel.names.length) {
        for (const name of sel.names) targets.push({ type: sel.type, namespace: sel.type.namespaced ? ctx.namespace : undefined, name });
      } else {
        for (const o of await source.list(sel.type, namespace, flags.selector, flags.fieldSelector)) {
          targets.push({ type: sel.type, namespace: o.metadata.namespace, name: o.metadata.name! });
        }
      }
    }
    if (targets.length === 0 && !selections.some((s) => s.names.length)) {
      ctx.out('No resources found\n');
      return 0;
    }
  }

  if (flags.interactive && !(await confirmDeletion(ctx, source, targets, Boolean(flags.ignoreNotFound)))) return 0;
  const deleted: Array<{ type: ResourceType; obj: KObject }> = [];
  for (const t of targets) {
    if (!t.name) {
      errors.push(`error: ${sourceError('deleting', t.source ?? '', EMPTY_NAME)}\n`);
      continue;
    }
    try {
      const obj = await source.delete(t.type, t.namespace, t.name, {
        propagationPolicy: policy,
        gracePeriodSeconds: grace >= 0 ? grace : undefined,
        dryRun: dryRun !== 'none',
      });
      deleted.push({ type: t.type, obj });
      if (flags.output === 'name') ctx.out(`${kindGroup(t.type)}/${t.name}\n`);
      else ctx.out(`${kindGroup(t.type)} "${t.name}" ${flags.force && grace === 0 ? 'force deleted' : 'deleted'}${dryRunSuffix(dryRun)}\n`);
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'NotFound' && flags.ignoreNotFound) continue;
      if (e instanceof ApiError) errors.push(formatApiError(e, t.source, 'deleting'));
      else throw e;
    }
  }
  // --wait: kubectl blocks until the objects are gone. Pods on a node terminate through the
  // kubelet; run the cluster until they are (bounded by --timeout in cluster time).
  if (wait && dryRun === 'none') {
    const pending: typeof deleted = [];
    for (const d of deleted) if (await source.tryGet(d.type, d.obj.metadata.namespace, d.obj.metadata.name!)) pending.push(d);
    if (pending.length) {
      const { waitForDeletion } = await import('./wait-deletion');
      const timeoutMs = parseDuration(flags.timeout ?? '0s') || 60_000 + Math.max(0, ...pending.map((d) => (d.obj.metadata.deletionGracePeriodSeconds ?? 30) * 1000));
      await waitForDeletion(ctx, source, pending.map((d) => ({ type: d.type, namespace: d.obj.metadata.namespace, name: d.obj.metadata.name!, uid: d.obj.metadata.uid })), timeoutMs);
    }
  }
  if (errors.length) throw new PrintedError(printedBlocks(errors));
  return 0;
}

/**
 * --interactive: kubectl lists what exists (a missing named object is its error, unless
 * --ignore-not-found), asks on stdout and reads one word from stdin; only `y` (any case) goes on.
 */
async function confirmDeletion(ctx: CliContext, source: ObjectSource, targets: Array<{ type: ResourceType; namespace?: string; name: string }>, ignoreNotFound: boolean): Promise<boolean> {
  const shown: typeof targets = [];
  for (const t of targets) {
    if (await source.tryGet(t.type, t.namespace, t.name)) shown.push(t);
    else if (!ignoreNotFound) throw ApiError.notFound(pluralGroup(t.type), t.name);
  }
  // Only the confirmed objects are deleted.
  targets.splice(0, targets.length, ...shown);
  if (shown.length === 0) {
    ctx.out('No resources found\n');
    return false;
  }
  ctx.out(`You are about to delete the following ${shown.length} resource(s):\n${shown.map((t) => `${kindGroup(t.type)}/${t.name}\n`).join('')}Do you want to continue? (y/n): `);
  const answer = ctx.streams.stdinText().trim().split(/\s+/)[0] ?? '';
  if (answer.toLowerCase() !== 'y') {
    ctx.out('deletion is cancelled\n');
    return false;
  }
  return true;
}

export { pluralGroup };
