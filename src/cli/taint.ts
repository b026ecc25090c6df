// `kubesim taint nodes NAME key=value:Effect | key:Effect- | key-`, as kubectl's
// pkg/cmd/taint and pkg/util/taints: the same argument rules, merge of old and new taints,
// `tainted` / `untainted` / `modified` lines and error texts.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import { UnknownResourceError } from '../api/resources';
import { deepCopy } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun } from './flags/dry-run';
import { mutationPrinter } from './flags/mutation-output';
import { formatApiError, PrintedError } from './format-error';
import { ApiError } from '../api/errors';
import { aggregateErrorText } from './rollout';
import { addPrintFlags } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { validationDirective } from './flags/validate';
import { FIELD_MANAGER_HELP, kubectlHelp, VALIDATE_HELP } from './kubectl-help';

export interface Taint {
  key: string;
  value?: string;
  effect?: string;
  timeAdded?: string;
}

interface TaintFlags {
  all?: boolean;
  selector?: string;
  overwrite?: boolean;
  dryRun?: string | boolean;
  fieldManager?: string;
  validate?: string | boolean;
  output?: string;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** corev1.Taint.ToString(). */
export function taintString(t: Taint): string {
  if (!t.effect) return t.value ? `${t.key}=${t.value}:` : t.key;
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`;
}

/** parseTaint: `<key>=<value>:<effect>`, `<key>:<effect>` or `<key>`. */
async function parseTaint(st: string): Promise<Taint> {
  const { isQualifiedName, isValidLabelValue } = await import('../api/validation/string-rules');
  const parts = st.split(':');
  let key: string;
  let value = '';
  let effect = '';
  if (parts.length === 1) key = parts[0];
  else if (parts.length === 2) {
    effect = parts[1];
    if (!EFFECTS.includes(effect)) throw new Error(`invalid taint effect: ${effect}, unsupported taint effect`);
    const kv = parts[0].split('=');
    if (kv.length > 2) throw new Error(`invalid taint spec: ${st}`);
    key = kv[0];
    if (kv.length === 2) {
      value = kv[1];
      const errs = isValidLabelValue(value);
      if (errs.length) throw new Error(`invalid taint spec: ${st}, ${errs.join('; ')}`);
    }
  } else throw new Error(`invalid taint spec: ${st}`);
  const errs = isQualifiedName(key);
  if (errs.length) throw new Error(`invalid taint spec: ${st}, ${errs.join('; ')}`);
  const t: Taint = { key };
  if (value) t.value = value;
  if (effect) t.effect = effect;
  return t;
}

/** ParseTaints: additions (which need an effect, unique by key+effect) and removals (`-`). */
export async function parseTaints(specs: string[]): Promise<{ add: Taint[]; remove: Taint[] }> {
  const add: Taint[] = [];
  const remove: Taint[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.endsWith('-')) {
      const t = await parseTaint(spec.slice(0, -1));
      remove.push(t.effect ? { key: t.key, effect: t.effect } : { key: t.key });
      continue;
    }
    const t = await parseTaint(spec);
    if (!t.effect) throw new Error(`invalid taint spec: ${spec}`);
    const id = `${t.effect}\u0000${t.key}`;
    if (seen.has(id)) throw new Error(`duplicated taints with the same key and effect: {${t.key} ${t.value ?? ''} ${t.effect} <nil>}`);
    seen.add(id);
    add.push(t);
  }
  return { add, remove };
}

const matchTaint = (a: Taint, b: Taint) => a.key === b.key && (a.effect ?? '') === (b.effect ?? '');

/**
 * reorganizeTaints: the new taints first, then the old ones they do not replace, minus
 * the removals; the operation kubectl reports; and `taint "x" not found` errors.
 */
export function reorganizeTaints(old: Taint[], overwrite: boolean, add: Taint[], remove: Taint[]): { operation: string; taints: Taint[]; errors: string[] } {
  let taints = [...add];
  for (const o of old) if (!taints.some((t) => matchTaint(t, o))) taints.push(o);
  const added = old.length !== taints.length;
  const errors: string[] = [];
  let removed = false; // as upstream: only the last removal's outcome counts
  for (const r of remove) {
    const before = taints.length;
    taints = taints.filter((t) => (r.effect ? !matchTaint(t, r) : t.key !== r.key));
    removed = taints.length !== before;
    if (!removed) errors.push(`taint ${JSON.stringify(taintString(r))} not found`);
  }
  const operation = (added && removed) || overwrite ? 'modified' : added ? 'tainted' : 'untainted';
  return { operation, taints, errors };
}

/** updateTaints: refuses to change an existing key+effect without --overwrite. */
export function updateNodeTaints(node: KObject, overwrite: boolean, add: Taint[], remove: Taint[]): string {
  const old: Taint[] = node.spec?.taints ?? [];
  if (!overwrite) {
    const exists = add.filter((t) => old.some((o) => o.key === t.key && o.effect === t.effect)).map((t) => t.key);
    if (exists.length) throw new CliError(`node ${node.metadata.name} already has ${exists.join(',')} taint(s) with same effect(s) and --overwrite is false`);
  }
  const r = reorganizeTaints(old, overwrite, add, remove);
  if (r.errors.length) throw new CliError(r.errors.length === 1 ? r.errors[0] : `[${r.errors.join(', ')}]`);
  node.spec ??= {};
  if (r.taints.length) node.spec.taints = r.taints;
  else delete node.spec.taints;
  return r.operation;
}

export async function runTaint(ctx: CliContext, args: string[], flags: TaintFlags, cmdPath: string): Promise<number> {
  const resources: string[] = [];
  const taintArgs: string[] = [];
  let metTaint = false;
  for (const s of args) {
    const isTaint = s.includes('=') || s.includes(':') || s.endsWith('-');
    if (isTaint) {
      metTaint = true;
      taintArgs.push(s);
    } else if (metTaint) throw new CliError(`all resources must be specified before taint changes: ${s}`);
    else resources.push(s);
  }
  const dryRun = parseDryRun(ctx, flags.dryRun);
  // taint's ToPrinter sets the operation after PrintFlagsWithDryRunStrategy: no `(dry run)`.
  const print = await mutationPrinter(ctx, flags, 'none');
  validationDirective(flags.validate);
  if (resources.length < 1) throw new CliError('one or more resources must be specified as <resource> <name>');
  if (taintArgs.length < 1) throw new CliError('at least one taint update is required');
  let parsed: { add: Taint[]; remove: Taint[] };
  try {
    parsed = await parseTaints(taintArgs);
  } catch (e) {
    throw new CliError(`${(e as Error).message}\nSee '${cmdPath} -h' for help and examples`);
  }
  // Through the daemon's API when it serves, else the store.
  const { withObjectSource } = await import('./object-source');
  return withObjectSource(ctx, async (source) => {
    // Validate: the first argument up to a dot is any name of a resource (SplitAndParseResourceRequest);
    // the mapper's NoMatch error prints without `error: `.
    const resourceType = resources[0].toLowerCase();
    let kind: string;
    try {
      kind = source.registry.resolve(resourceType.replace(/\.$/, '').split('.')[0]).kind;
    } catch (e) {
      if (e instanceof UnknownResourceError) throw new PrintedError(`${e.message}\n`);
      throw e;
    }
    if (kind !== 'Node') throw new CliError(`invalid resource type ${resourceType}, only node types are supported`);
    const conflicts: string[] = [];
    for (const a of parsed.add) {
      for (const r of parsed.remove) {
        if (a.key !== r.key) continue;
        if (!r.effect || a.effect === r.effect) conflicts.push(`${r.key}=${r.effect ?? ''}`);
      }
    }
    if (conflicts.length) throw new CliError(`can not both modify and remove the following taint(s) in the same command: ${conflicts.join(', ')}`);
    if (flags.all && flags.selector) throw new CliError("setting 'all' parameter with a non empty selector is prohibited");
    if (!flags.all && !flags.selector && resources.length < 2) throw new CliError("at least one resource name must be specified since 'all' parameter is not set");
    const type = source.registry.forKind('v1', 'Node');
    const errors: unknown[] = [];
    let nodes: KObject[] = [];
    if (flags.all || flags.selector) {
      nodes = await source.list(type, undefined, flags.selector);
    } else {
      for (const name of resources.slice(1)) {
        const n = await source.tryGet(type, undefined, name);
        if (n) nodes.push(n);
        else errors.push(formatApiError(ApiError.notFound('nodes', name)));
      }
    }
    for (const node of nodes) {
      const changed = deepCopy(node);
      let operation: string;
      try {
        operation = updateNodeTaints(changed, !!flags.overwrite, parsed.add, parsed.remove);
      } catch (e) {
        errors.push(e);
        continue;
      }
      if (dryRun === 'client') {
        ctx.out(print(changed, operation));
        continue;
      }
      try {
        // kubectl's strategic merge patch from the node as read to its new taints.
        const updated = await source.change(type, node, (o) => {
          o.spec = { ...(o.spec ?? {}) };
          if (changed.spec?.taints) o.spec.taints = changed.spec.taints;
          else delete o.spec.taints;
        }, { dryRun: dryRun === 'server', fieldManager: flags.fieldManager ?? 'kubectl-taint', patchType: 'strategic' });
        ctx.out(print(updated, operation));
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw new PrintedError(aggregateErrorText(errors));
    return 0;
  });
}

/** kubectl taint's Long, as cobra prints it. */
const TAINT_LONG = `Update the taints on one or more nodes.

  *  A taint consists of a key, value, and effect. As an argument here, it is expressed as key=value:effect.
  *  The key must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 253 characters.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  The value is optional. If given, it must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters.
  *  The effect must be NoSchedule, PreferNoSchedule or NoExecute.
  *  Currently taint can only apply to node.`;

const TAINT_EXAMPLE = `  # Update node 'foo' with a taint with key 'dedicated' and value 'special-user' and effect 'NoSchedule'
  # If a taint with that key and effect already exists, its value is replaced as specified
  kubectl taint nodes foo dedicated=special-user:NoSchedule
  
  # Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists
  kubectl taint nodes foo dedicated:NoSchedule-
  
  # Remove from node 'foo' all the taints with key 'dedicated'
  kubectl taint nodes foo dedicated-
  
  # Add a taint with key 'dedicated' on nodes having label myLabel=X
  kubectl taint node -l myLabel=X  dedicated=foo:PreferNoSchedule
  
  # Add to node 'foo' a taint with key 'bar' and no value
  kubectl taint nodes foo bar:NoSchedule`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('taint')
    .description('Update the taints on one or more nodes')
    .usage('NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N')
    .argument('[args...]')
    .option('--overwrite', 'If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.');
  addResourceBuilderFlags(cmd, { all: 'Select all nodes in the cluster', selector: true });
  addPrintFlags(addDryRunFlag(cmd));
  cmd.option('--field-manager <name>', FIELD_MANAGER_HELP).option('--validate [mode]', VALIDATE_HELP);
  kubectlHelp(cmd, p.name, { long: TAINT_LONG, example: TAINT_EXAMPLE, use: 'taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N' }, { 'field-manager': "'kubectl-taint'", validate: "'strict'" })
    .action(p.action((ctx, args: string[], flags: TaintFlags) => runTaint(ctx, args, flags, `${p.name} taint`)));
}
