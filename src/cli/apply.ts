// `kubesim apply -f`: client-side apply with the last-applied annotation and a three-way
// strategic merge, as kubectl does it.

import { fieldValidation } from './flags/validate';
import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { MergeConflictError } from '../api/apply/strategic-merge';
import { LAST_APPLIED, withLastApplied } from '../api/apply/last-applied';
import { goJson, goQuote } from '../util/go-format';
import type { DeleteOptions } from '../api/server';
import type { CliContext } from './context';
import { parseDuration } from './flags/duration';
import { kindGroup, type ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import type { Program } from './root';
import type { FileFlags } from './manifest-input';
import type { ObjectSource } from './object-source';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addDryRunFlag, parseDryRun, dryRunSuffix } from './flags/dry-run';
import { EMPTY_NAME, formatApiError, PrintedError, sourceError, printedBlocks } from './format-error';
import { collect } from './flags/collect';
import { declareLocalFlags } from './flags/pflag';
import { addDeleteFlags, cascadePolicy, DELETE_FLAGS_SHOWN, type DeleteFlagValues } from './flags/delete-flags';
import { FIELD_MANAGER_HELP, VALIDATE_HELP, kubectlHelp } from './kubectl-help';
import { APPLY_EXAMPLE, APPLY_LONG } from './verb-help';
import { PRUNE_ALLOWLIST_HELP } from './prune';

interface ApplyFlags extends FileFlags, PrintFlagValues, DeleteFlagValues {
  overwrite?: boolean;
  openapiPatch?: boolean;
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
  addResourceBuilderFlags(cmd, { filename: 'The files that contain the configurations to apply.', kustomize: "Process a kustomization directory. This flag can't be used together with -f or -R.", recursive: true });
  // DeleteFlags (NewDeleteFlags): --cascade and --grace-period for what --prune and --force
  // delete, --timeout for --force's wait; --wait is parsed and, as in kubectl, never read.
  addDeleteFlags(cmd, { waitDefault: false });
  addPrintFlags(addDryRunFlag(cmd))
    .option('--validate <mode>', VALIDATE_HELP, 'strict')
    .option('--server-side', 'If true, apply runs in the server instead of the client.')
    .option('--prune', 'Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.')
    .option('--prune-allowlist <gvk>', PRUNE_ALLOWLIST_HELP, collect, [])
    .option('-l, --selector <selector>', "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.")
    .option('--all', 'Select all resources in the namespace of the specified resource types.')
    .option('--subresource <name>', 'If specified, apply will operate on the subresource of the requested object.  Only allowed when using --server-side. This flag is beta and may change in the future.')
    .option('--force-conflicts', 'If true, server-side apply will force the changes against conflicts.')
    .option('--field-manager <name>', FIELD_MANAGER_HELP)
    .option('--overwrite', 'Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration', true)
    // kubesim's patches always come from its own schemas (kubectl's baked-in types); false
    // only drops the OpenAPI attempts' warnings kubectl prints before falling back to those.
    .option('--openapi-patch', 'If true, use openapi to calculate diff when the openapi presents and the resource can be found in the openapi spec. Otherwise, fall back to use baked-in types.', true);
  declareLocalFlags(cmd);
  kubectlHelp(cmd, p.name, { long: APPLY_LONG, example: APPLY_EXAMPLE, use: 'apply (-f FILENAME | -k DIRECTORY)', commands: [] }, { ...DELETE_FLAGS_SHOWN, 'field-manager': "'kubectl-client-side-apply'" })
    .action(p.action(async (ctx, flags: ApplyFlags) => {
      const dryRun = parseDryRun(ctx, flags.dryRun);
      // ToOptions (the cascade, the files, the prune allowlist), then Validate, in kubectl's order.
      const policy = cascadePolicy(flags.cascade, (l) => ctx.err(l));
      if (!(flags.filename ?? []).length && !flags.kustomize) throw new CliError('must specify one of -f and -k');
      const { parsePruneAllowlist, pruneTypes, prune } = await import('./prune');
      if (flags.prune) parsePruneAllowlist(flags.pruneAllowlist);
      const invalid = applyFlagError(flags, dryRun);
      if (invalid) throw new CliError(invalid);
      if (flags.subresource) throw new CliError('apply --server-side --subresource is not simulated by kubesim yet');
      const manager = flags.fieldManager ?? (flags.serverSide ? 'kubectl' : 'kubectl-client-side-apply');
      const gracePeriod = Number(flags.gracePeriod ?? -1);
      const deletion = { propagationPolicy: policy, gracePeriodSeconds: gracePeriod >= 0 ? gracePeriod : undefined };
      const overwrite = flags.overwrite !== false;
      const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
      const { load } = await loadInput(ctx, flags, 'apply');
      const { computeApply } = await import('../api/apply/compute-apply');
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
            // Whether the object existed when we looked: a failure is "creating" or "patching",
            // unless `retrieving` names what failed (the GET, or a --force replacement).
            let existed = false;
            let retrieving = '';
            try {
              const namespace = setNamespace(ctx, item);
              const obj = item.object;
              if (obj.metadata?.generateName && !obj.metadata?.name) {
                throw new CliError(`from ${obj.metadata.generateName}: cannot use generate name with apply`);
              }
              // The GET (or the apply patch) is refused before it is sent.
              if (!obj.metadata?.name) throw new CliError(flags.serverSide ? EMPTY_NAME : sourceError(retrievingVerb(item.type, obj, namespace), item.doc.source, EMPTY_NAME));
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
                    result = await source.serverSideApply(item.type, obj, { dryRun: dryRun === 'server', fieldManager: manager, force: Boolean(flags.forceConflicts), warn: fieldValidation(ctx, flags.validate).warn });
                    action = 'serverside-applied';
                    break;
                  }
                  // --dry-run=client never builds the patch, so it cannot conflict.
                  const decision = computeApply(obj, live, { overwrite: overwrite || dryRun === 'client' });
                  if (decision.missingAnnotation && live && dryRun !== 'client') {
                    ctx.err(`Warning: resource ${item.type.plural}/${obj.metadata.name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`);
                  }
                  const write = { dryRun: dryRun === 'server', fieldManager: manager, ...fieldValidation(ctx, flags.validate) };
                  if (decision.action === 'create') {
                    result = dryRun === 'client' ? decision.result : await source.create(item.type, decision.result, write);
                    action = 'created';
                  } else if (dryRun === 'client') {
                    // --dry-run=client only GETs: every existing object reads as configured, and
                    // kubectl prints the object it read (no patch is computed, so no warning either).
                    result = live;
                    action = 'configured';
                  } else if (decision.action === 'unchanged') {
                    result = live;
                    action = 'unchanged';
                  } else {
                    // kubectl's three-way patch: strategic merge for built-in kinds, JSON merge for custom resources.
                    const patch = goJson(decision.patch);
                    try {
                      result = await source.patch(item.type, namespace, obj.metadata.name!, decision.patchType!, patch, write);
                    } catch (e) {
                      // Patcher.Patch's error, AddSourceToErr("patching") inside apply's own with the patch it sent.
                      if (!(e instanceof ApiError) || e.reason === 'Conflict') throw e;
                      retrieving = `applying patch:\n${patch}\nto:\n${infoString(item.type, obj, namespace)}\nfor:`;
                      throw new ApiError(e.reason, `error when patching ${goQuote(item.doc.source)}: ${e.message}`, e.details);
                    }
                    action = 'configured';
                  }
                  break;
                } catch (e) {
                  // kubectl adds its advice to any conflict of an apply patch (the server retried the rest).
                  if (flags.serverSide && e instanceof ApiError && e.reason === 'Conflict') throw new CliError(`${e.message}\n${CONFLICT_ADVICE}`);
                  if (e instanceof ApiError && e.reason === 'Conflict' && attempt < 4) continue;
                  if (e instanceof (await import('../api/apply/strategic-merge')).MergeConflictError) {
                    throw new CliError(await overwriteConflict(ctx, e, item, namespace, live!, flags.openapiPatch !== false));
                  }
                  // Patcher.Patch: a patch the server refuses as a conflict or as invalid (an
                  // immutable field) becomes, with --force, a delete and a create of the manifest.
                  if (flags.force && live && e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'Invalid')) {
                    // Its API errors are wrapped with the manifest it sent (AddSourceToErr).
                    retrieving = forcedVerb(item.type, obj, namespace);
                    result = await forceReplace(ctx, source, item.type, namespace, live, obj, { deletion, timeoutMs: parseDuration(flags.timeout ?? '0s'), fieldManager: manager, file: item.doc.source });
                    retrieving = '';
                    action = 'configured';
                    break;
                  }
                  throw e;
                }
              }
              applied.push(result!);
              if (output) ctx.out(output([result!], false));
              // The answer's name (a review's has none: `<unknown>`, as kubectl's name printer).
              else ctx.out(`${kindGroup(item.type)}/${result!.metadata?.name || '<unknown>'} ${action}${dryRunSuffix(dryRun)}\n`);
            } catch (e) {
              // The apply patch's error comes back as the server words it (no AddSourceToErr).
              if (e instanceof ApiError && flags.serverSide && !retrieving) failures.push({ api: e });
              else if (e instanceof ApiError) failures.push({ api: e, source: item.doc.source, verb: retrieving || (existed ? 'patching' : 'creating') });
              // cmdutil.CheckErr adds a newline unless the message ends with one (a merge conflict's does).
              else if (e instanceof CliError) failures.push({ text: `error: ${e.message}${e.message.endsWith('\n') ? '' : '\n'}` });
              else throw e;
            }
          }
        });
        if (flags.prune) await prune(ctx, source, pruneTo, applied, flags.selector, deletion, flags.pruneAllowlist ?? [], dryRun);
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
/** resource.Info's String(): what kubectl names an object by in its apply errors. */
function infoString(type: ResourceType, obj: KObject, namespace: string | undefined): string {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return `Resource: "${group}/${version}, Resource=${type.plural}", GroupVersionKind: "${group}/${version}, Kind=${obj.kind}"\nName: "${obj.metadata?.name ?? ''}", Namespace: "${type.namespaced ? namespace ?? '' : ''}"`;
}

/** kubectl's words for a failed GET of the live object (apply.go). */
function retrievingVerb(type: ResourceType, obj: KObject, namespace: string | undefined): string {
  return `retrieving current configuration of:\n${infoString(type, obj, namespace)}\nfrom server for:`;
}

/** How apply wraps what goes wrong in a --force replacement: the manifest it sent, and the object. */
function forcedVerb(type: ResourceType, obj: KObject, namespace: string | undefined): string {
  // runtime.Encode's JSON, which ends with a newline.
  return `applying patch:\n${goJson(withLastApplied(obj))}\n\nto:\n${infoString(type, obj, namespace)}\nfor:`;
}

/** ApplyOptions.Validate, in kubectl's order. */
function applyFlagError(f: ApplyFlags, dryRun: string): string | undefined {
  if (f.forceConflicts && !f.serverSide) return '--force-conflicts only works with --server-side';
  if (f.serverSide && dryRun === 'client') return "--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)";
  if (f.serverSide && f.force) return '--force cannot be used with --server-side';
  if (dryRun === 'server' && f.force) return '--dry-run=server cannot be used with --force';
  if (f.all && f.selector) return 'cannot set --all and --selector at the same time';
  if (f.prune && f.force) return '--force cannot be used with --prune';
  if (f.prune && !f.selector && !f.all) return 'all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector';
  if (f.subresource && !f.serverSide) return '--subresource can only be specified for --server-side';
  return undefined;
}

/**
 * --overwrite=false and a field someone else changed: CreateThreeWayMergePatch's conflict,
 * wrapped as Patcher and apply wrap it. With --openapi-patch kubectl tries the OpenAPI v3,
 * then v2, patch first, and warns as each fails, before its baked-in types fail the same way.
 */
async function overwriteConflict(ctx: CliContext, e: MergeConflictError, item: { type: ResourceType; object: KObject; doc: { source: string } }, namespace: string | undefined, live: KObject, openapi: boolean): Promise<string> {
  const { toYaml } = await import('../printers/yaml');
  const conflict = `patch:\n${toYaml(e.patch)}\nconflicts with changes made from original to current:\n${toYaml(e.changed)}\n`;
  if (openapi) ctx.err(`warning: error calculating patch from openapi v3 spec: ${conflict}\nwarning: error calculating patch from openapi spec: ${conflict}\n`);
  const original = live.metadata.annotations?.[LAST_APPLIED] ?? '';
  const modified = goJson(withLastApplied(item.object)) + '\n';
  const source = goQuote(item.doc.source);
  return `error when applying patch:\n\nto:\n${infoString(item.type, item.object, namespace)}\nfor: ${source}: error when patching ${source}: creating patch with:\noriginal:\n${original}\nmodified:\n${modified}\ncurrent:\n${goJson(live)}\n\nfor:: ${conflict}`;
}

/**
 * Patcher.deleteAndCreate (apply --force): delete the live object (--cascade, --grace-period),
 * wait up to --timeout for it to be gone (0: one look, as kubectl's immediate poll), create
 * the manifest; if the create fails, put the old object back and say so.
 */
async function forceReplace(
  ctx: CliContext,
  source: ObjectSource,
  type: ResourceType,
  namespace: string | undefined,
  live: KObject,
  manifest: KObject,
  opts: { deletion: DeleteOptions; timeoutMs: number; fieldManager: string; file: string },
): Promise<KObject> {
  const name = live.metadata.name!;
  const modified = withLastApplied(manifest);
  const context = `error when ${forcedVerb(type, manifest, namespace)} ${goQuote(opts.file)}`;
  await source.delete(type, namespace, name, { ...opts.deletion, untyped: true });
  // kubectl's poll looks for the name (a NotFound), not for the old uid.
  const gone = async () => !(await source.tryGet(type, namespace, name));
  if (!(await gone()) && (opts.timeoutMs === 0 || !(await source.poll(ctx, gone, opts.timeoutMs)))) throw new CliError(`${context}: context deadline exceeded`);
  try {
    return await source.create(type, modified, { fieldManager: opts.fieldManager });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const { resourceVersion: _rv, ...meta } = live.metadata;
    void _rv;
    try {
      await source.create(type, { ...live, metadata: meta }, { fieldManager: opts.fieldManager });
    } catch (again) {
      if (!(again instanceof ApiError)) throw again;
      throw new CliError(`${context}: An error occurred force-replacing the existing object with the newly provided one:\n\n${e.message}.\n\nAdditionally, an error occurred attempting to restore the original object:\n\n${again.message}`);
    }
    throw e;
  }
}

function formatFailures(failures: Failure[]): string {
  return printedBlocks(
    failures.map((f) => {
      if (!f.api) return f.text!.endsWith('\n') ? f.text! : f.text + '\n';
      if (f.api.reason === 'Invalid' && failures.length === 1) return formatApiError(f.api);
      return formatApiError(f.api, f.source, f.verb ?? 'creating');
    }),
  );
}
