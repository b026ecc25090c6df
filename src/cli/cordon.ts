// `kubesim cordon|uncordon NODE` (and the node lookup drain shares), as kubectl's
// pkg/cmd/drain: spec.unschedulable set or cleared, `node/x cordoned`, `already cordoned`.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { ApiError } from '../api/errors';
import { pluralGroup, type ResourceRegistry, type ResourceType } from '../api/resources';
import type { ObjectSource } from './object-source';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { dryRunOption, parseDryRun, type DryRunMode } from './flags/dry-run';
import { mutationPrinter } from './flags/mutation-output';
import { kubectlHelp } from './kubectl-help';
import { SELECTOR_HELP } from './flags/resource-builder-flags';

export interface NodeSelectionFlags {
  selector?: string;
  dryRun?: string | boolean;
}

export function nodeType(registry: ResourceRegistry): ResourceType {
  return registry.forKind('v1', 'Node');
}

/** DrainCmdOptions.Complete's usage errors, before any cluster is opened; `use` is the command's Use line. */
export function checkNodeArgs(args: string[], flags: NodeSelectionFlags, use: string, cmdPath: string): void {
  const see = `\nSee '${cmdPath} -h' for help and examples`;
  if (args.length === 0 && flags.selector === undefined) throw new CliError(`USAGE: ${use} [flags]${see}`);
  if (args.length > 0 && flags.selector) throw new CliError(`error: cannot specify both a node name and a --selector option${see}`);
}

/** DrainCmdOptions.Complete: the nodes named (or selected by -l). A missing node stops everything (NotFound). */
export async function resolveNodes(source: ObjectSource, args: string[], flags: NodeSelectionFlags): Promise<KObject[]> {
  const type = nodeType(source.registry);
  if (flags.selector !== undefined) return source.list(type, undefined, flags.selector);
  const nodes: KObject[] = [];
  for (const a of args) {
    const slash = a.indexOf('/');
    if (slash !== -1 && source.registry.resolve(a.slice(0, slash)) !== type) {
      throw new CliError(`error: expected resource of type node, got "${source.registry.resolve(a.slice(0, slash)).plural}"`);
    }
    const name = slash === -1 ? a : a.slice(slash + 1);
    const node = await source.tryGet(type, undefined, name);
    if (!node) throw ApiError.notFound(pluralGroup(type), name);
    nodes.push(node);
  }
  return nodes;
}

/**
 * RunCordonOrUncordon: prints one line per node; a failed update is reported on stderr
 * and the command goes on (and still exits 0, as kubectl does).
 */
export async function cordonNodes(ctx: CliContext, source: ObjectSource, nodes: KObject[], desired: boolean, dryRun: DryRunMode): Promise<void> {
  const verb = desired ? 'cordon' : 'uncordon';
  const print = await mutationPrinter(ctx, undefined, dryRun);
  const type = nodeType(source.registry);
  for (const node of nodes) {
    if (Boolean(node.spec?.unschedulable) === desired) {
      ctx.out(print(node, desired ? 'already cordoned' : 'already uncordoned'));
      continue;
    }
    let shown = node;
    if (dryRun !== 'client') {
      try {
        // kubectl's CordonHelper: a strategic merge patch with no field manager or validation.
        shown = await source.change(type, node, (o) => {
          o.spec ??= {};
          // unschedulable is omitempty: uncordoning drops the field
          if (desired) o.spec.unschedulable = true;
          else delete o.spec.unschedulable;
        }, { dryRun: dryRun === 'server', patchType: 'strategic', noFieldValidation: true });
      } catch (e) {
        ctx.err(`error: unable to ${verb} node "${node.metadata.name}": ${(e as Error).message}\n`);
        continue;
      }
    }
    ctx.out(print(shown, desired ? 'cordoned' : 'uncordoned'));
  }
}

export async function runCordon(ctx: CliContext, args: string[], flags: NodeSelectionFlags, desired: boolean, cmdPath: string): Promise<number> {
  const dryRun = parseDryRun(ctx, flags.dryRun);
  checkNodeArgs(args, flags, desired ? 'cordon NODE' : 'uncordon NODE', cmdPath);
  // Through the daemon's API when it serves, else the store.
  const { withObjectSource } = await import('./object-source');
  return withObjectSource(ctx, async (source) => {
    const nodes = await resolveNodes(source, args, flags);
    await cordonNodes(ctx, source, nodes, desired, dryRun);
    return 0;
  });
}

export function register(program: Command, p: Program): void {
  for (const desired of [true, false]) {
    const verb = desired ? 'cordon' : 'uncordon';
    const word = desired ? 'unschedulable' : 'schedulable';
    const cmd = program
      .command(verb)
      .description(`Mark node as ${word}`)
      .usage('NODE [flags]')
      .argument('[nodes...]')
      .addOption(dryRunOption())
      .option('-l, --selector <selector>', SELECTOR_HELP);
    kubectlHelp(cmd, p.name, { long: `Mark node as ${word}.`, example: `  # Mark node "foo" as ${word}\n  kubectl ${verb} foo`, use: `${verb} NODE` })
      .action(p.action((ctx, nodes: string[], flags: NodeSelectionFlags) => runCordon(ctx, nodes, flags, desired, `${p.name} ${verb}`)));
  }
}
