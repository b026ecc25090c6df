// `kubesim rollout status|history|undo|restart|pause|resume`, in kubectl's shape: each
// sub-command is an Options class (complete reads the flags, validate checks them, run
// visits the objects), over the shared flag groups (ResourceBuilderFlags, dry-run,
// PrintFlags). What they compute (status lines, history, rollback, the pause/resume/restart
// changes) lives in rollout-viewers.ts.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { pluralGroup, type ResourceType } from '../api/resources';
import { deepEqual } from '../util/json-equal';
import { deepCopy, type KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun, type DryRunMode } from './flags/dry-run';
import { parseGoDuration } from './flags/duration';
import { mutationPrinter, objectRef, type MutationPrinter } from './flags/mutation-output';
import type { ObjectSource } from './object-source';
import { declareFlagTypes, parseGoBool } from './flags/pflag';
import { resolveTargets, type Target, type TargetFlags } from './flags/targets';
import { PrintedError, unknownSubCommand } from './format-error';
import { addPrintFlags, allowMissingKeys, outputArgument, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { FIELD_MANAGER_HELP, groupHelp, kubectlHelp } from './kubectl-help';
import { hasFileInput } from './manifest-input';
import {
  aggregateErrorText,
  groupKind,
  isApps,
  notImplemented,
  pauser,
  restarter,
  resumer,
  rollback,
  rolloutHistory,
  rolloutStatus,
  unboundedWaitMs,
  viewHistory,
} from './rollout-viewers';

// Used by wait, taint, drain and the controller tests.
export { aggregateErrorText, groupKind, rfc3339Local, rolloutStatus, unboundedWaitMs } from './rollout-viewers';

interface RolloutFlags extends TargetFlags, PrintFlagValues {
  dryRun?: string | boolean;
  fieldManager?: string;
}

interface StatusFlags extends RolloutFlags {
  watch?: boolean | string;
  revision?: string;
  timeout?: string;
}

interface HistoryFlags extends RolloutFlags {
  revision?: string;
}

interface UndoFlags extends RolloutFlags {
  toRevision?: string;
}

/** runtime.Scheme's error for a kind it does not hold (kubectl's scheme names its file and line). */
function notInScheme(t: ResourceType, suffix = ''): CliError {
  return new CliError(`no kind "${t.kind}${suffix}" is registered for version "${t.group ? `${t.group}/` : ''}${t.version}" in scheme "pkg/scheme/scheme.go:28"`);
}

const isRollable = (t: Target) => isApps(t.type, 'Deployment') || isApps(t.type, 'DaemonSet') || isApps(t.type, 'StatefulSet');

/**
 * What every rollout sub-command shares: its resources and flags, the check that something
 * was named, and the Builder's visit (ResourceTypeOrNameArgs(true, ...): a bare type means
 * all of it). The flag values pflag types (ints, durations, booleans) were checked by the
 * flag layer, so complete only converts them.
 */
abstract class RolloutOptions<F extends RolloutFlags> {
  protected dryRun: DryRunMode = 'none';

  constructor(
    protected readonly ctx: CliContext,
    protected readonly resources: string[],
    protected readonly flags: F,
    protected readonly verb: string,
  ) {}

  complete(): this {
    return this;
  }

  validate(): this {
    if (this.resources.length === 0 && !hasFileInput(this.flags)) throw new CliError('required resource not specified');
    return this;
  }

  abstract run(): Promise<number>;

  /**
   * The targets, on `source`. kubectl's rollout Builder decodes into its own scheme
   * (WithScheme), which holds no custom resource: one read by name is an error in its place
   * among the lookup errors, a listed type fails as a whole (`listed`, its `<Kind>List`).
   */
  protected async targets(source: ObjectSource): Promise<{ items: Target[]; errors: unknown[]; listed?: CliError }> {
    const { resources, flags } = this;
    const typeOnly = resources.length === 1 && !resources[0].includes('/');
    if (typeOnly) {
      const listedType = (await source.selections(resources)).find((s) => s.type.crd)?.type;
      if (listedType) {
        const listed = notInScheme(listedType, 'List');
        return { items: [], errors: [listed], listed };
      }
    }
    const all = typeOnly && !flags.selector && !flags.fieldSelector ? true : flags.all;
    const t = await resolveTargets(this.ctx, resources, { ...flags, all }, this.verb, {}, source);
    const custom = t.items.filter((x) => x.type.crd);
    return { items: t.items.filter((x) => !x.type.crd), errors: [...custom.map((x) => notInScheme(x.type)), ...t.errors] };
  }

  /**
   * The Builder's visit for the viewers (status, history, undo): each Deployment, DaemonSet
   * or StatefulSet through `fn`, the other kinds refused with `refusal`; every error is
   * collected, the lookup errors last, and printed as one aggregate.
   */
  protected async visitRollable(refusal: (t: Target) => Error, fn: (t: Target, source: ObjectSource) => Promise<void>): Promise<number> {
    // Through the daemon's API when it serves, else the store.
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(this.ctx, async (source) => {
      const { items, errors: lookupErrors } = await this.targets(source);
      const errors: unknown[] = [];
      for (const t of items) {
        try {
          if (!isRollable(t)) throw refusal(t);
          await fn(t, source);
        } catch (e) {
          errors.push(e);
        }
      }
      errors.push(...lookupErrors);
      return this.finish(errors);
    });
  }

  protected finish(errors: unknown[]): number {
    if (errors.length) throw new PrintedError(aggregateErrorText(errors));
    return 0;
  }
}

const int = (v: string | undefined): number => (v === undefined ? 0 : Number(v));

class RolloutStatusOptions extends RolloutOptions<StatusFlags> {
  private revision = 0;
  private watch = true;
  private timeoutMs = 0;

  override complete(): this {
    this.revision = int(this.flags.revision);
    const w = this.flags.watch;
    this.watch = w === undefined || w === true || (typeof w === 'string' && parseGoBool(w) === true);
    this.timeoutMs = parseGoDuration(this.flags.timeout ?? '0s');
    return this;
  }

  override validate(): this {
    super.validate();
    if (this.revision < 0) throw new CliError(`revision must be a positive integer: ${this.revision}`);
    return this;
  }

  async run(): Promise<number> {
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(this.ctx, (source) => this.statusAll(source));
  }

  private async statusAll(source: ObjectSource): Promise<number> {
    const { ctx } = this;
    const { items, errors: lookupErrors } = await this.targets(source);
    if (items.length === 0 && lookupErrors.length === 0) {
      ctx.err(`No resources found in ${ctx.namespace} namespace.\n`);
      return 0;
    }
    const errors: unknown[] = [];
    for (const t of items) {
      if (!isRollable(t)) {
        errors.push(new CliError(`no status viewer has been implemented for ${groupKind(t.type)}`));
        continue;
      }
      try {
        await this.watchStatus(source, t);
      } catch (e) {
        errors.push(e);
      }
    }
    errors.push(...lookupErrors);
    return this.finish(errors);
  }

  /**
   * As kubectl (UntilWithSync on the object by name): one line per event, from the list's
   * state on, repeats included (a write that leaves the status line as it was, the
   * revision annotation say, is an event too), until done.
   */
  private async watchStatus(source: ObjectSource, t: Target): Promise<void> {
    const { ctx, revision } = this;
    const first = rolloutStatus(t.object, revision);
    // Done already, or no watch: the list's one event, without driving the cluster.
    if (first.done || !this.watch) {
      ctx.out(first.message);
      return;
    }
    const m = t.object.metadata;
    let failure: unknown;
    const limit = this.timeoutMs > 0 ? this.timeoutMs : await unboundedWaitMs(ctx);
    // follow's first state is the object as it is now (the informer's list), then each change.
    const ok = await source.follow(ctx, { type: t.type, namespace: m.namespace, name: m.name!, uid: m.uid }, (o) => {
      if (!o) {
        failure = new CliError('object has been deleted');
        return true;
      }
      try {
        const r = rolloutStatus(o, revision);
        ctx.out(r.message);
        return r.done;
      } catch (e) {
        failure = e;
        return true;
      }
    }, limit);
    if (failure) throw failure;
    if (!ok) throw new CliError('timed out waiting for the condition');
  }
}

class RolloutHistoryOptions extends RolloutOptions<HistoryFlags> {
  private revision = 0;
  private printObjects: ((o: KObject[]) => string) | undefined;

  override complete(): this {
    this.revision = int(this.flags.revision);
    return this;
  }

  override validate(): this {
    super.validate();
    if (this.revision < 0) throw new CliError(`revision must be a positive integer: ${this.revision}`);
    return this;
  }

  /** -o prints the revisions' objects (ReplicaSets; the StatefulSet or DaemonSet at each revision) instead of the table. */
  private async printer(): Promise<void> {
    const { ctx, flags } = this;
    const output = outputArgument(flags);
    if (!output) return;
    const { MUTATION_OUTPUT_FORMATS } = await import('./flags/mutation-output');
    const format = output.split('=')[0];
    if (!MUTATION_OUTPUT_FORMATS.includes(format)) {
      throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${MUTATION_OUTPUT_FORMATS.join(',')}`);
    }
    if (format === 'name') this.printObjects = (objs) => objs.map((o) => objectRef(o) + '\n').join('');
    else {
      const [{ outputPrinter }, { goTyped }] = await Promise.all([import('./flags/output'), import('../printers/go-order')]);
      // The history viewers return typed objects (ReplicaSets; StatefulSets, DaemonSets at a revision): struct order, Go's zeros.
      const p = outputPrinter(output, ctx, { showManagedFields: flags.showManagedFields, allowMissingKeys: allowMissingKeys(flags), sortJsonKeys: false });
      this.printObjects = (objs) => objs.map((o) => p([goTyped(deepCopy(o))], false)).join(''); // p puts --- between YAML documents
    }
  }

  async run(): Promise<number> {
    const { ctx, revision } = this;
    await this.printer();
    return this.visitRollable(
      (t) => notImplemented(t.type, 'history viewer'),
      async (t, source) => {
        if (this.printObjects) {
          const entries = await rolloutHistory(source, t.object);
          const chosen = revision > 0 ? entries.filter((e) => e.revision === revision) : entries;
          if (revision > 0 && chosen.length === 0) throw new CliError('unable to find the specified revision');
          ctx.out(this.printObjects(chosen.map((e) => e.printed)));
          return;
        }
        const text = await viewHistory(source, t.object, revision);
        ctx.out(`${objectRef(t.object)} ${revision > 0 ? `with revision #${revision}` : ''}\n${text}\n`);
      },
    );
  }
}

class RolloutUndoOptions extends RolloutOptions<UndoFlags> {
  private toRevision = 0;

  override complete(): this {
    this.toRevision = int(this.flags.toRevision);
    return this;
  }

  async run(): Promise<number> {
    const { ctx } = this;
    this.dryRun = parseDryRun(ctx, this.flags.dryRun);
    const print = await mutationPrinter(ctx, this.flags, this.dryRun);
    return this.visitRollable(
      (t) => notImplemented(t.type, 'rollbacker'),
      async (t, source) => {
        const result = await rollback(source, t.type, t.object, this.toRevision, this.dryRun);
        ctx.out(print(t.object, result));
      },
    );
  }
}

type ChangeVerb = 'pause' | 'resume' | 'restart';

/** pause, resume and restart: one patch per object (objectpauser, objectresumer, objectrestarter). */
class RolloutChangeOptions extends RolloutOptions<RolloutFlags> {
  constructor(ctx: CliContext, resources: string[], flags: RolloutFlags, private readonly change: ChangeVerb) {
    super(ctx, resources, flags, change);
  }

  async run(): Promise<number> {
    const { ctx, flags } = this;
    // kubectl's restart, pause and resume have no --dry-run: they always write.
    const print = await mutationPrinter(ctx, flags, 'none');
    // Through the daemon's API when it serves, else the store.
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(ctx, (source) => this.changeAll(source, print));
  }

  private async changeAll(source: ObjectSource, print: MutationPrinter): Promise<number> {
    const { ctx, flags, change: verb } = this;
    const { items, errors: lookupErrors, listed } = await this.targets(source);
    // pause, resume and restart print a list that failed as a whole without `error: ` (an aggregate inside their aggregate)
    if (listed) throw new PrintedError(`${listed.message}\n`);
    if (lookupErrors.length) throw new PrintedError(aggregateErrorText(lookupErrors));
    const change = verb === 'pause' ? pauser : verb === 'resume' ? resumer : restarter;
    const done = verb === 'pause' ? 'paused' : verb === 'resume' ? 'resumed' : 'restarted';
    const errors: unknown[] = [];
    for (const t of items) {
      const obj = t.object;
      const name = obj.metadata.name!;
      const changed = deepCopy(obj);
      try {
        change(changed, source.now());
      } catch (e) {
        errors.push(new CliError(`error: ${pluralGroup(t.type)} "${name}" ${(e as Error).message}`));
        continue;
      }
      if (deepEqual(changed, obj)) {
        if (verb === 'restart') {
          errors.push(new CliError(`failed to create patch for ${name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`));
        } else {
          ctx.out(print(obj, `already ${done}`));
        }
        continue;
      }
      try {
        // kubectl's strategic merge patch from the object read to the changed one (no field validation sent).
        const updated = await source.change(t.type, obj, (o) => void (o.spec = changed.spec), { patchType: 'strategic', fieldManager: flags.fieldManager ?? 'kubectl-rollout', noFieldValidation: true });
        ctx.out(print(updated, done));
      } catch (e) {
        errors.push(new CliError(`failed to patch: ${(e as Error).message}`));
      }
    }
    return this.finish(errors);
  }
}

/** The flag groups of a rollout sub-command, as kubectl's: the builder's, then dry-run and PrintFlags where it has them. */
function targetOptions(cmd: Command, groups: { dryRun?: boolean; print?: boolean; fieldManager?: boolean } = {}): Command {
  addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files identifying the resource to get from a server.', kustomize: true, recursive: true, selector: true });
  if (groups.dryRun) addDryRunFlag(cmd);
  if (groups.print) addPrintFlags(cmd);
  if (groups.fieldManager) cmd.option('--field-manager <name>', FIELD_MANAGER_HELP);
  return cmd;
}

const ROLLOUT_LONG = 'Manage the rollout of one or many resources.\n        \n Valid resource types include:\n\n  *  deployments\n  *  daemonsets\n  *  statefulsets';
const ROLLOUT_EXAMPLE =
  "  # Rollback to the previous deployment\n  kubectl rollout undo deployment/abc\n  \n  # Check the rollout status of a daemonset\n  kubectl rollout status daemonset/foo\n  \n  # Restart a deployment\n  kubectl rollout restart deployment/abc\n  \n  # Restart deployments with the 'app=nginx' label\n  kubectl rollout restart deployment --selector=app=nginx";

const CHANGE_HELP: Record<ChangeVerb, { short: string; long: string; example: string }> = {
  restart: {
    short: 'Restart a resource',
    long: 'Restart a resource.\n\n        Resource rollout will be restarted.',
    example:
      '  # Restart all deployments in the test-namespace namespace\n  kubectl rollout restart deployment -n test-namespace\n  \n  # Restart a deployment\n  kubectl rollout restart deployment/nginx\n  \n  # Restart a daemon set\n  kubectl rollout restart daemonset/abc\n  \n  # Restart deployments with the app=nginx label\n  kubectl rollout restart deployment --selector=app=nginx',
  },
  pause: {
    short: 'Mark the provided resource as paused',
    long: 'Mark the provided resource as paused.\n\n Paused resources will not be reconciled by a controller. Use "kubectl rollout resume" to resume a paused resource. Currently only deployments support being paused.',
    example:
      '  # Mark the nginx deployment as paused\n  # Any current state of the deployment will continue its function; new updates\n  # to the deployment will not have an effect as long as the deployment is paused\n  kubectl rollout pause deployment/nginx',
  },
  resume: {
    short: 'Resume a paused resource',
    long: 'Resume a paused resource.\n\n Paused resources will not be reconciled by a controller. By resuming a resource, we allow it to be reconciled again. Currently only deployments support being resumed.',
    example: '  # Resume an already paused deployment\n  kubectl rollout resume deployment/nginx',
  },
};

export function register(program: Command, p: Program): void {
  const rollout = program
    .command('rollout')
    .description('Manage the rollout of a resource')
    .helpCommand(false)
    .argument('[command]')
    .action(
      // cmdutil.DefaultSubCommandRun: no sub-command prints the help (rollout's to stdout) and fails.
      p.action(async (ctx, name: string | undefined, _flags: unknown, cmd: Command) => {
        if (name) throw new PrintedError(unknownSubCommand(p.name, 'rollout', name));
        ctx.out(groupHelp(cmd, p.name, ROLLOUT_LONG, ROLLOUT_EXAMPLE));
        return 1;
      }),
    );

  const status = targetOptions(rollout.command('status').description('Show the status of the rollout').argument('[resources...]'))
    .option('-w, --watch [bool]', "Watch the status of the rollout until it's done.")
    .option('--revision <n>', 'Pin to a specific revision for showing its status. Defaults to 0 (last revision).')
    .option('--timeout <duration>', 'The length of time to wait before ending watch, zero means never. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).');
  declareFlagTypes(status, { revision: 'int', timeout: 'duration' });
  kubectlHelp(
    status,
    p.name,
    {
      long: "Show the status of the rollout.\n\n By default 'rollout status' will watch the status of the latest rollout until it's done. If you don't want to wait for the rollout to finish then you can use --watch=false. Note that if a new rollout starts in-between, then 'rollout status' will continue watching the latest revision. If you want to pin to a specific revision and abort if it is rolled over by another revision, use --revision=N where N is the revision you need to watch for.",
      example: '  # Watch the rollout status of a deployment\n  kubectl rollout status deployment/nginx',
      use: 'status (TYPE NAME | TYPE/NAME) [flags]',
    },
    { watch: 'true', revision: '0', timeout: '0s' },
  ).action(p.action((ctx, resources: string[], flags: StatusFlags) => new RolloutStatusOptions(ctx, resources, flags, 'rollout status').complete().validate().run()));

  const history = targetOptions(rollout.command('history').description('View rollout history').argument('[resources...]'), { print: true }).option(
    '--revision <n>',
    'See the details, including podTemplate of the revision specified',
  );
  declareFlagTypes(history, { revision: 'int' });
  kubectlHelp(
    history,
    p.name,
    {
      long: 'View previous rollout revisions and configurations.',
      example: '  # View the rollout history of a deployment\n  kubectl rollout history deployment/abc\n  \n  # View the details of daemonset revision 3\n  kubectl rollout history daemonset/abc --revision=3',
      use: 'history (TYPE NAME | TYPE/NAME) [flags]',
    },
    { revision: '0' },
  ).action(p.action((ctx, resources: string[], flags: HistoryFlags) => new RolloutHistoryOptions(ctx, resources, flags, 'rollout history').complete().validate().run()));

  const undo = targetOptions(rollout.command('undo').description('Undo a previous rollout').argument('[resources...]'), { dryRun: true, print: true }).option(
    '--to-revision <n>',
    'The revision to rollback to. Default to 0 (last revision).',
  );
  declareFlagTypes(undo, { 'to-revision': 'int' });
  kubectlHelp(
    undo,
    p.name,
    {
      long: 'Roll back to a previous rollout.',
      example:
        '  # Roll back to the previous deployment\n  kubectl rollout undo deployment/abc\n  \n  # Roll back to daemonset revision 3\n  kubectl rollout undo daemonset/abc --to-revision=3\n  \n  # Roll back to the previous deployment with dry-run\n  kubectl rollout undo --dry-run=server deployment/abc',
      use: 'undo (TYPE NAME | TYPE/NAME) [flags]',
    },
    { 'to-revision': '0' },
  ).action(p.action((ctx, resources: string[], flags: UndoFlags) => new RolloutUndoOptions(ctx, resources, flags, 'rollout undo').complete().validate().run()));

  for (const verb of ['restart', 'pause', 'resume'] as const) {
    const h = CHANGE_HELP[verb];
    const cmd = targetOptions(rollout.command(verb).description(h.short).argument('[resources...]'), { print: true, fieldManager: true });
    kubectlHelp(cmd, p.name, { long: h.long, example: h.example, use: `${verb} RESOURCE` }, { 'field-manager': "'kubectl-rollout'" }).action(
      p.action((ctx, resources: string[], flags: RolloutFlags) => new RolloutChangeOptions(ctx, resources, flags, verb).complete().validate().run()),
    );
  }
  rollout.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, ROLLOUT_LONG, ROLLOUT_EXAMPLE) });
}
