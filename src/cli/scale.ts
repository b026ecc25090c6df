// `kubesim scale`: sets spec.replicas through the scale subresource, with kubectl's
// preconditions (--current-replicas, --resource-version) and messages.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { pluralGroup } from '../api/resources';
import type { CliContext } from './context';
import type { Program } from './root';
import { collect } from './flags/collect';
import { parseDryRun } from './flags/dry-run';
import { formatApiError } from './format-error';
import { mutationPrinter } from './flags/mutation-output';
import { resolveTargets, type TargetFlags } from './flags/targets';

/** Kinds with a scale subresource (custom resources with one are not simulated yet). */
export const SCALABLE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

export interface ScaleFlags extends TargetFlags {
  replicas?: string;
  currentReplicas?: string;
  resourceVersion?: string;
  dryRun?: string | boolean;
  output?: string;
  timeout?: string;
}

/** Go's strconv.Atoi-ish parse of an int flag, with pflag's error text. */
function intFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** ScaleOptions.Validate: pure range checks. */
export function validateScale(replicas: number, currentReplicas: number): void {
  if (replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  if (currentReplicas < -1) throw new CliError('The --current-replicas must specify an integer of -1 or greater');
}

export function register(program: Command, p: Program): void {
  program
    .command('scale')
    .description('Set a new size for a deployment, replica set, replication controller, or stateful set')
    .usage('[--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)')
    .argument('[resources...]')
    .option('--replicas <count>', 'The new desired number of replicas. Required.')
    .option('--current-replicas <count>', 'Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.')
    .option('--resource-version <version>', 'Precondition for resource version. Requires that the current resource version match this value in order to scale.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on.')
    .option('--all', 'Select all resources in the namespace of the specified resource types')
    .option('-A, --all-namespaces', 'Accepted for kubectl compatibility with --all.')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files identifying the resource to set a new size', collect, [])
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('--dry-run [mode]', 'Must be "none", "server", or "client".')
    .option('-o, --output <format>', 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).')
    .option('--timeout <duration>', 'The length of time to wait before giving up on a scale operation (accepted; the scale is immediate).')
    .addHelpText('after', `
Examples:
  # Scale a replica set named 'foo' to 3
  kubesim scale --replicas=3 rs/foo

  # Scale a resource identified by type and name specified in "foo.yaml" to 3
  kubesim scale --replicas=3 -f foo.yaml

  # If the deployment named mysql's current size is 2, scale mysql to 3
  kubesim scale --current-replicas=2 --replicas=3 deployment/mysql

  # Scale multiple replication controllers
  kubesim scale --replicas=5 rc/example1 rc/example2 rc/example3`)
    .action(p.action((ctx, resources: string[], flags: ScaleFlags) => runScale(ctx, resources, flags)));
}

export async function runScale(ctx: CliContext, resources: string[], flags: ScaleFlags): Promise<number> {
  const replicas = intFlag('replicas', flags.replicas, -1);
  const current = intFlag('current-replicas', flags.currentReplicas, -1);
  validateScale(replicas, current);
  const dryRun = parseDryRun(ctx, flags.dryRun);
  if (flags.all && flags.selector) throw new CliError('cannot set --all and --selector at the same time');
  const print = await mutationPrinter(ctx, flags.output, dryRun);
  const targets = await resolveTargets(ctx, resources, flags, 'scale');
  if (flags.resourceVersion && targets.items.length > 1) throw new CliError('cannot use --resource-version with multiple resources');
  if (targets.items.length === 0) {
    // kubectl's visitor swallows lookup errors and then reports that nothing was found.
    const why = targets.errors.map((e) => e.replace(/^Error from server \(\w+\): /, '').trimEnd()).join(' ');
    throw new CliError(`no objects passed to scale${why ? ' ' + why : ''}`);
  }
  const api = await ctx.api();
  for (const t of targets.items) {
    if (!SCALABLE_KINDS.has(t.type.kind)) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const obj = t.object;
    const ns = t.type.namespaced ? obj.metadata.namespace : undefined;
    if (dryRun === 'client') {
      ctx.out(print(obj, 'scaled'));
      continue;
    }
    try {
      const result = await api.mutate(t.type, ns, obj.metadata.name!, (o) => {
        const have = o.spec?.replicas ?? 1;
        if (current !== -1 && have !== current) throw new CliError(`Expected replicas to be ${current}, was ${have}`);
        if (flags.resourceVersion && o.metadata.resourceVersion !== flags.resourceVersion) {
          throw new CliError(`Expected resource version to be ${flags.resourceVersion}, was ${o.metadata.resourceVersion}`);
        }
        o.spec = { ...(o.spec ?? {}), replicas };
      }, { dryRun: dryRun === 'server', fieldManager: 'kubectl', subresource: 'scale' });
      ctx.out(print(result, 'scaled'));
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'NotFound') throw new CliError(formatApiError(ApiError.notFound(pluralGroup(t.type), obj.metadata.name!)).trimEnd());
      throw e;
    }
  }
  return 0;
}
