// `kubesim scale`: sets spec.replicas through the scale subresource, with kubectl's
// preconditions (--current-replicas, --resource-version) and messages.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { pluralGroup } from '../api/resources';
import type { CliContext } from './context';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { addDryRunFlag, parseDryRun, type DryRunMode } from './flags/dry-run';
import { EMPTY_NAME, PrintedError, checkErrOf, formatApiError, goErrorMessage, newAggregate } from './format-error';
import { mutationPrinter, type MutationPrinter } from './flags/mutation-output';
import type { ObjectSource } from './object-source';
import { resolveTargets, type Target, type TargetFlags } from './flags/targets';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';

/** Built-in kinds with a scale subresource. */
export const SCALABLE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

export interface ScaleFlags extends TargetFlags, PrintFlagValues {
  replicas?: string;
  currentReplicas?: string;
  resourceVersion?: string;
  dryRun?: string | boolean;
  timeout?: string;
}

/** Go's strconv.Atoi-ish parse of an int flag, with pflag's error text. */
function intFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** kubectl scale's Long, as cobra prints it. */
const SCALE_LONG = `Set a new size for a deployment, replica set, replication controller, or stateful set.

 Scale also allows users to specify one or more preconditions for the scale action.

 If --current-replicas or --resource-version is specified, it is validated before the scale is attempted, and it is guaranteed that the precondition holds true when the scale is sent to the server.`;

const SCALE_EXAMPLE = `  # Scale a replica set named 'foo' to 3
  kubectl scale --replicas=3 rs/foo
  
  # Scale a resource identified by type and name specified in "foo.yaml" to 3
  kubectl scale --replicas=3 -f foo.yaml
  
  # If the deployment named mysql's current size is 2, scale mysql to 3
  kubectl scale --current-replicas=2 --replicas=3 deployment/mysql
  
  # Scale multiple replication controllers
  kubectl scale --replicas=5 rc/example1 rc/example2 rc/example3
  
  # Scale stateful set named 'web' to 3
  kubectl scale --replicas=3 statefulset/web`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('scale')
    .description('Set a new size for a deployment, replica set, replication controller, or stateful set')
    .usage('[--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)')
    .argument('[resources...]')
    .option('--replicas <count>', 'The new desired number of replicas. Required.')
    .option('--current-replicas <count>', 'Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.')
    .option('--resource-version <version>', 'Precondition for resource version. Requires that the current resource version match this value in order to scale.')
    // The simulated scale is immediate, so there is never anything to wait for.
    .option('--timeout <duration>', "The length of time to wait before giving up on a scale operation, zero means don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).");
  addResourceBuilderFlags(cmd, {
    filename: 'Filename, directory, or URL to files identifying the resource to set a new size',
    recursive: true,
    selector: true,
    all: 'Select all resources in the namespace of the specified resource types',
    kustomize: true,
  });
  addPrintFlags(addDryRunFlag(cmd));
  kubectlHelp(cmd, p.name, { long: SCALE_LONG, example: SCALE_EXAMPLE, use: `scale ${cmd.usage()}` }, { replicas: '0', 'current-replicas': '-1', timeout: '0s' }).action(
    p.action((ctx, resources: string[], flags: ScaleFlags) => new ScaleOptions(ctx, resources, flags).complete().then((o) => o.validate().run())),
  );
}

/**
 * kubectl's ScaleOptions: complete reads the flags (and builds the printer, so a bad -o fails
 * before anything changes), validate is pure, run finds the targets and writes through the
 * scale subresource.
 */
export class ScaleOptions {
  replicas = -1;
  currentReplicas = -1;
  resourceVersion?: string;
  dryRun: DryRunMode = 'none';
  print!: MutationPrinter;

  constructor(
    private readonly ctx: CliContext,
    private readonly resources: string[],
    private readonly flags: ScaleFlags,
  ) {}

  async complete(): Promise<this> {
    // cobra's MarkFlagRequired("replicas"), checked before the command runs.
    if (this.flags.replicas === undefined) throw new PrintedError((await import('./generate')).klogLine('required flag(s) "replicas" not set'));
    this.replicas = intFlag('replicas', this.flags.replicas, -1);
    this.currentReplicas = intFlag('current-replicas', this.flags.currentReplicas, -1);
    this.resourceVersion = this.flags.resourceVersion;
    return this;
  }

  /** ScaleOptions.Validate: pure range checks. */
  validate(): this {
    if (this.replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
    if (this.currentReplicas < -1) throw new CliError('The --current-replicas must specify an integer of -1 or greater');
    return this;
  }

  async run(): Promise<number> {
    const { ctx, flags } = this;
    // kubectl reads --dry-run and builds its printer in Complete, after Validate's range checks.
    this.dryRun = parseDryRun(ctx, flags.dryRun);
    if (flags.all && flags.selector) throw new CliError('cannot set --all and --selector at the same time');
    this.print = await mutationPrinter(ctx, flags, this.dryRun);
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(ctx, async (source) => {
      // kubectl's Visit drops the read's error into r.Err(), wrapped (%w) in its "no objects"
      // error: CheckErr prints it as a plain error, not as the server's Status.
      // scale's --all is ResourceTypeOrNameArgs' (no selector of its own): without a resource, the builder's missingResourceError
      const targets = await resolveTargets(ctx, this.resources, this.resources.length ? flags : { ...flags, all: false }, 'scale', { asFiled: true }, source).catch((e: unknown) => {
        throw e instanceof ApiError ? new CliError(`no objects passed to scale ${formatApiError(e).trimEnd().replace(/^Error from server \(\w+\): /, '')}`) : e;
      });
      if (this.resourceVersion && targets.items.length > 1) throw new CliError('cannot use --resource-version with multiple resources');
      // kubectl's infoErr: the -n mismatches of -f (ContinueOnError), or the names not found.
      const mismatches = (targets.namespaceErrors ?? []).map((m) => new CliError(m));
      const infoErr = mismatches.length === 1 ? mismatches[0] : newAggregate(mismatches);
      if (targets.items.length === 0) {
        const why = infoErr ? goErrorMessage(infoErr) : targets.errors.map((e) => e.replace(/^Error from server \(\w+\): /, '').trimEnd()).join(' ');
        throw new CliError(`no objects passed to scale${why ? ' ' + why : ''}`);
      }
      // The first object that fails stops the verb (its error alone).
      for (const t of targets.items) await this.scaleOne(source, t);
      if (infoErr) throw new PrintedError(checkErrOf(infoErr));
      if (targets.errors.length) throw new PrintedError(targets.errors.join(''));
      return 0;
    });
  }

  private async scaleOne(source: ObjectSource, t: Target): Promise<void> {
    const { ctx, dryRun, print } = this;
    const obj = t.object;
    // a client dry run sends nothing: whatever the kind, kubectl prints it scaled
    if (dryRun === 'client') {
      ctx.out(print(obj, 'scaled'));
      return;
    }
    // The kinds with a scale subresource: the built-in ones, and custom resources whose CRD declares one.
    if (!(t.type.crd ? t.type.crdSubresources?.scale : SCALABLE_KINDS.has(t.type.kind))) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const ns = t.type.namespaced ? obj.metadata.namespace : undefined;
    const name = obj.metadata.name;
    // client-go's request builder, before anything is sent.
    if (!name) throw new CliError(EMPTY_NAME);
    // As kubectl's scale client: no field manager and no field validation sent.
    const opts = { dryRun: dryRun === 'server', subresource: 'scale', noFieldValidation: true };
    try {
      if (this.currentReplicas === -1 && !this.resourceVersion) {
        // No precondition: kubectl's blind update, one JSON merge patch of the Scale.
        await source.patch(t.type, ns, name, 'merge', `{"spec":{"replicas":${this.replicas}}}`, opts);
      } else {
        // The Scale read, checked and written back at its resourceVersion (kubectl's ScaleSimple), again on a Conflict.
        const { retryOnConflict } = await import('../api/retry');
        await retryOnConflict(() => source.getSubresource(t.type, ns, name, 'scale'), (scale) => {
          const have = scale.spec?.replicas ?? 0;
          if (this.currentReplicas !== -1 && have !== this.currentReplicas) throw new CliError(`Expected replicas to be ${this.currentReplicas}, was ${have}`);
          if (this.resourceVersion && scale.metadata.resourceVersion !== this.resourceVersion) {
            throw new CliError(`Expected resource version to be ${this.resourceVersion}, was ${scale.metadata.resourceVersion}`);
          }
          scale.spec = { ...scale.spec, replicas: this.replicas };
        }, (scale) => source.update(t.type, scale, opts));
      }
      // kubectl prints the object as it found it, before the scale.
      ctx.out(print(obj, 'scaled'));
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'NotFound') throw new CliError(formatApiError(ApiError.notFound(pluralGroup(t.type), obj.metadata.name!)).trimEnd());
      throw e;
    }
  }
}
