// `kubesim apply -f`: client-side apply with the last-applied annotation and a three-way
// strategic merge, as kubectl does it.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { kindGroup, type ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import type { Program } from './root';
import type { FileFlags } from './manifest-input';
import type { ObjectSource } from './object-source';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addDryRunFlag, parseDryRun, dryRunSuffix } from './flags/dry-run';
import { formatApiError, PrintedError } from './format-error';
import { collect } from './flags/collect';
import { PRUNE_ALLOWLIST_HELP } from './prune';

interface ApplyFlags extends FileFlags, PrintFlagValues {
  subresource?: string;
  dryRun?: string | boolean;
  serverSide?: boolean;
  prune?: boolean;
  pruneAllowlist?: string[];
  selector?: string;
  all?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
}

/** What kubectl adds to an apply conflict (apply.go). */
const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('apply')
    .description('Apply a configuration to a resource by file name or stdin');
  addResourceBuilderFlags(cmd, { filename: 'The files that contain the configurations to apply.', kustomize: true, recursive: true });
  addPrintFlags(addDryRunFlag(cmd))
    .option('--validate <mode>', "Must be one of: strict (or true), warn, ignore (or false).", 'strict')
    .option('--server-side', 'If true, apply runs in the server instead of the client.')
    .option('--prune', 'Automatically delete resource objects that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.')
    .option('--prune-allowlist <gvk>', PRUNE_ALLOWLIST_HELP, collect, [])
    .option('-l, --selector <selector>', "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.")
    .option('--all', 'Select all resources in the namespace of the specified resource types.')
    .option('--subresource <name>', 'If specified, apply will operate on the subresource of the requested object.  Only allowed when using --server-side. This flag is beta and may change in the future.')
    .option('--force-conflicts', 'If true, server-side apply will force the changes against conflicts.')
    .option('--field-manager <name>', 'Name of the manager used to track field ownership.')
    .addHelpText('after', `
Examples:
  # Apply the configuration in pod.json to a pod
  kubesim apply -f ./pod.json

  # Apply resources from a directory, recursively
  kubesim apply -R -f manifests/

  # Apply the JSON passed into stdin to a pod
  cat pod.json | kubesim apply -f -`)
    .action(p.action(async (ctx, flags: ApplyFlags) => {
      const dryRun = parseDryRun(ctx, flags.dryRun);
      if (flags.forceConflicts && !flags.serverSide) throw new CliError('--force-conflicts only works with --server-side');
      if (flags.serverSide && dryRun === 'client') throw new CliError("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)");
      if (flags.subresource && !flags.serverSide) throw new CliError('--subresource can only be specified for --server-side');
      if (flags.subresource) throw new CliError('apply --server-side --subresource is not simulated by kubesim yet');
      const manager = flags.fieldManager ?? (flags.serverSide ? 'kubectl' : 'kubectl-client-side-apply');
      // ToOptions parses the allowlist before Validate looks at --all.
      const { parsePruneAllowlist, pruneTypes, prune } = await import('./prune');
      if (flags.prune) parsePruneAllowlist(flags.pruneAllowlist);
      if (flags.prune && !flags.selector && !flags.all) throw new CliError('all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector');
      const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
      const { load } = await loadInput(ctx, flags, 'apply');
      const { computeApply } = await import('../api/apply/compute-apply');
      const { goJson } = await import('../util/go-format');
      const output = await (await import('./flags/mutation-output')).mutationObjectsPrinter(ctx, flags);
      const { withObjectSource } = await import('./object-source');
      // Through the daemon's API when it serves, else the store: applies, then prunes (list and delete).
      const applyAll = async (source: ObjectSource): Promise<Failure[]> => {
        const pruneTo = flags.prune ? await pruneTypes(source, flags.pruneAllowlist) : [];
        await source.learnKinds(load.docs.map((d) => d.object));
        const { items, errors } = await prepareDocs(ctx, source, load, 'apply', flags);
        const applied: KObject[] = [];
        const failures: Failure[] = errors.map((text) => ({ text }));
        // One store group for the whole run (group commit: one journal fsync and each object
        // file written once per lock hold, instead of a lock, an fsync and a revision-file
        // write per document); each object is still journaled on its own. A group gives the
        // lock up to waiting writers every few writes, so 70 concurrent applies all get turns.
        await source.group(async () => {
          for (const item of items) {
            // Whether the object existed when we looked: a failure is "creating" or "patching".
            let existed = false;
            let retrieving = '';
            try {
              const namespace = setNamespace(ctx, item);
              const obj = item.object;
              if (obj.metadata?.generateName && !obj.metadata?.name) {
                throw new CliError(`from ${obj.metadata.generateName}: cannot use generate name with apply`);
              }
              let result: KObject | undefined;
              let action = '';
              for (let attempt = 0; attempt < 5; attempt++) {
                retrieving = retrievingVerb(item.type, obj, namespace);
                const live = await source.tryGet(item.type, namespace, obj.metadata.name!);
                retrieving = '';
                existed = Boolean(live);
                try {
                  if (flags.serverSide) {
                    // Server-side apply: the manifest is merged into the live object by field
                    // ownership, as the API server's apply patch does; no last-applied annotation.
                    result = await source.serverSideApply(item.type, obj, { dryRun: dryRun === 'server', fieldManager: manager, force: Boolean(flags.forceConflicts) });
                    action = 'serverside-applied';
                    break;
                  }
                  const decision = computeApply(obj, live);
                  if (decision.missingAnnotation && live) {
                    ctx.err(`Warning: resource ${item.type.plural}/${obj.metadata.name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`);
                  }
                  const write = { dryRun: dryRun === 'server', fieldManager: manager };
                  if (decision.action === 'create') {
                    result = dryRun === 'client' ? decision.result : await source.create(item.type, decision.result, write);
                    action = 'created';
                  } else if (dryRun === 'client') {
                    // --dry-run=client only GETs: every existing object reads as configured.
                    result = decision.result;
                    action = 'configured';
                  } else if (decision.action === 'unchanged') {
                    result = live;
                    action = 'unchanged';
                  } else {
                    // kubectl's three-way patch: strategic merge for built-in kinds, JSON merge for custom resources.
                    result = await source.patch(item.type, namespace, obj.metadata.name!, decision.patchType!, goJson(decision.patch), write);
                    action = 'configured';
                  }
                  break;
                } catch (e) {
                  // kubectl adds its advice to any conflict of an apply patch (the server retried the rest).
                  if (flags.serverSide && e instanceof ApiError && e.reason === 'Conflict') throw new CliError(`${e.message}\n${CONFLICT_ADVICE}`);
                  if (e instanceof ApiError && e.reason === 'Conflict' && attempt < 4) continue;
                  throw e;
                }
              }
              applied.push(result!);
              if (output) ctx.out(output([result!], false));
              else ctx.out(`${kindGroup(item.type)}/${obj.metadata.name} ${action}${dryRunSuffix(dryRun)}\n`);
            } catch (e) {
              if (e instanceof ApiError) failures.push({ api: e, source: item.doc.source, verb: retrieving || (existed ? 'patching' : 'creating') });
              else if (e instanceof CliError) failures.push({ text: `error: ${e.message}\n` });
              else throw e;
            }
          }
        });
        if (flags.prune && dryRun === 'none') await prune(ctx, source, pruneTo, applied, flags.selector);
        return failures;
      };
      const failures = await withObjectSource(ctx, applyAll);
      if (failures.length) throw new PrintedError(formatFailures(failures));
    }));
}

interface Failure {
  text?: string;
  api?: ApiError;
  source?: string;
  verb?: string;
}

/**
 * kubectl prints a lone Invalid error as `The Kind "name" is invalid: ...`; with several
 * errors each one takes the generic `Error from server (Reason): error when ... "file": ...`.
 */
/** kubectl's words for a failed GET of the live object (apply.go, with resource.Info's String()). */
function retrievingVerb(type: ResourceType, obj: KObject, namespace: string | undefined): string {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const info = `Resource: "${group}/${version}, Resource=${type.plural}", GroupVersionKind: "${group}/${version}, Kind=${obj.kind}"\nName: "${obj.metadata.name}", Namespace: "${type.namespaced ? namespace ?? '' : ''}"`;
  return `retrieving current configuration of:\n${info}\nfrom server for:`;
}

function formatFailures(failures: Failure[]): string {
  return failures
    .map((f) => {
      if (!f.api) return f.text!.endsWith('\n') ? f.text! : f.text + '\n';
      if (f.api.reason === 'Invalid' && failures.length === 1) return formatApiError(f.api);
      return formatApiError(f.api, f.source, f.verb ?? 'creating');
    })
    .join('');
}
