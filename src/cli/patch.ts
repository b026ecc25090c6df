// `kubesim patch`: strategic merge, JSON merge or JSON patch, on the live object (the API
// server's PATCH), on a local file (--local), or on the status subresource.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { goJsonKind, goUnmarshalTypeError } from '../util/go-format';
import type { ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { Requester } from '../api/strategies/types';
import { deepEqual } from '../util/json-equal';
import { deepCopy, isObject, type KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { FIELD_MANAGER_HELP, kubectlHelp } from './kubectl-help';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { addDryRunFlag, parseDryRun, type DryRunMode } from './flags/dry-run';
import { PrintedError, checkErrText, formatApiError, withDecodeErrors } from './format-error';
import { mutationPrinter, type MutationPrinter } from './flags/mutation-output';
import type { ObjectSource } from './object-source';
import type { PatchType } from './flags/patch-input';
import { resolveTargets, type TargetFlags } from './flags/targets';
import { sortedKeys } from '../util/exact-json';
import { patchDecodeError } from '../api/apply/patch-decode';

export interface PatchFlags extends TargetFlags {
  patch?: string;
  patchFile?: string;
  type?: string;
  subresource?: string;
  dryRun?: string | boolean;
  fieldManager?: string;
  output?: string;
  template?: PrintFlagValues['template'];
  allowMissingTemplateKeys?: PrintFlagValues['allowMissingTemplateKeys'];
  showManagedFields?: boolean;
}

/** kubectl patch's words for the server's 415 (a strategic merge patch of a custom resource): the GroupVersionKind, then the server's message. */
function unsupportedMedia(apiVersion: string, kind: string, message = 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'): CliError {
  return new CliError(`application/strategic-merge-patch+json is not supported by ${apiVersion.includes('/') ? apiVersion : '/' + apiVersion}, Kind=${kind}: ${message}`);
}

/**
 * Applies a patch (JSON text) to an object. `local` selects kubectl's client-side error
 * texts; otherwise the API server's (BadRequest with Go's JSON errors).
 */
export async function applyPatchText(obj: KObject, type: ResourceType, patchType: PatchType, jsonText: string, local: boolean): Promise<KObject> {
  const { applyStrategicMergePatch, applyJsonMergePatch, applyJsonPatch, supportsStrategicMerge } = await import('../api/apply');
  const { parseGoJson } = await import('./flags/patch-input');
  const parsed = parseGoJson(jsonText);
  if (patchType === 'strategic') {
    if (!local && !supportsStrategicMerge(type.kind, obj.apiVersion)) throw unsupportedMedia(obj.apiVersion, type.kind);
    if ('error' in parsed) throw local ? new CliError('invalid JSON document') : ApiError.badRequest(parsed.error);
    if (!isObject(parsed.value)) {
      if (local) throw new CliError('invalid JSON document');
      if (parsed.value === null) return obj;
      throw ApiError.badRequest(goUnmarshalTypeError(goJsonKind(parsed.value), 'map[string]interface {}'));
    }
    return applyStrategicMergePatch(obj, parsed.value as object, type.kind, obj.apiVersion);
  }
  if (patchType === 'merge') {
    if ('error' in parsed) throw local ? new CliError('Invalid JSON Patch') : ApiError.badRequest('Invalid JSON Patch');
    const out = applyJsonMergePatch(obj, parsed.value);
    if (!isObject(out)) throw local ? new CliError('Invalid JSON Patch') : ApiError.badRequest('Invalid JSON Patch');
    return out as KObject;
  }
  if ('error' in parsed) throw local ? new CliError(parsed.error) : ApiError.badRequest(parsed.error);
  try {
    return applyJsonPatch(obj, parsed.value);
  } catch (e) {
    // Locally kubectl prints evanphx's text as a plain error; the server answers a bare 422.
    if (local && e instanceof ApiError) throw new CliError(e.message);
    if (e instanceof ApiError && e.reason === 'Invalid') throw new ApiError('Invalid', (await import('../api/apply/json-patch')).JSON_PATCH_REFUSED);
    throw e;
  }
}

/** kubectl patch's Long, as cobra prints it. */
const PATCH_LONG = `Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

 Note: Strategic merge patch is not supported for custom resources.`;

const PATCH_EXAMPLE = `  # Partially update a node using a strategic merge patch, specifying the patch as JSON
  kubectl patch node k8s-node-1 -p '{"spec":{"unschedulable":true}}'
  
  # Partially update a node using a strategic merge patch, specifying the patch as YAML
  kubectl patch node k8s-node-1 -p $'spec:\\n unschedulable: true'
  
  # Partially update a node identified by the type and name specified in "node.json" using strategic merge patch
  kubectl patch -f node.json -p '{"spec":{"unschedulable":true}}'
  
  # Update a container's image; spec.containers[*].name is required because it's a merge key
  kubectl patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'
  
  # Update a container's image using a JSON patch with positional arrays
  kubectl patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'
  
  # Update a deployment's replicas through the 'scale' subresource using a merge patch
  kubectl patch deployment nginx-deployment --subresource='scale' --type='merge' -p '{"spec":{"replicas":2}}'`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('patch')
    .description('Update fields of a resource')
    .usage('(-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]')
    .argument('[resources...]')
    .option('-p, --patch <patch>', 'The patch to be applied to the resource JSON file.')
    .option('--patch-file <file>', 'A file containing a patch to be applied to the resource.')
    .option('--type <type>', 'The type of patch being provided; one of [json merge strategic]', 'strategic')
    .option('--local', 'If true, patch will operate on the content of the file, not the server-side resource.')
    .option('--subresource <name>', 'If specified, patch will operate on the subresource of the requested object. This flag is beta and may change in the future.');
  addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files identifying the resource to update', kustomize: true, recursive: true });
  addPrintFlags(addDryRunFlag(cmd));
  cmd.option('--field-manager <name>', FIELD_MANAGER_HELP);
  kubectlHelp(cmd, p.name, { long: PATCH_LONG, example: PATCH_EXAMPLE, use: `patch ${cmd.usage()}` }, { 'field-manager': "'kubectl-patch'", type: "'strategic'" })
    .action(p.action((ctx, resources: string[], flags: PatchFlags) => runPatch(ctx, resources, flags)));
}

/**
 * The server side of PATCH: read, apply, write with the read's resourceVersion; a
 * concurrent write makes it retry on the fresh object, unless the patch itself carries a
 * resourceVersion (then the Conflict is the user's precondition failing).
 */
/**
 * The server's PATCH, in-process. `fieldValidation` Warn (the server's default: kubectl
 * patch sends none) or Ignore drops unknown fields, Warn passing each to `warn`; Strict
 * refuses them. `warn` gets the write's other warnings too (repeated owner references).
 */
export async function patchLive(api: ApiServer, type: ResourceType, ns: string | undefined, name: string, patchType: PatchType, jsonText: string, opts: { status: boolean; dryRun: boolean; fieldManager: string; fieldValidation: 'Strict' | 'Warn' | 'Ignore'; warn?: (text: string) => void; user?: Requester }): Promise<KObject> {
  const { dropUnknownFields } = await import('../api/rest/field-validation');
  const { status, dryRun, fieldManager, warn } = opts;
  for (let attempt = 0; ; attempt++) {
    const current = await api.get(type, ns, name);
    // Re-encoded from a Go map, as kube-apiserver's patchers do: the decoder meets its keys sorted.
    const applied = await applyPatchText(deepCopy(current), type, patchType, jsonText, false);
    const patched = sortedKeys(applied) as KObject;
    if (status ? deepEqual(patched.status, current.status) : deepEqual(patched, current)) return current;
    const pinned = patched.metadata?.resourceVersion !== current.metadata.resourceVersion;
    patched.metadata = { ...(patched.metadata ?? {}), resourceVersion: patched.metadata?.resourceVersion ?? current.metadata.resourceVersion };
    if (opts.fieldValidation !== 'Strict' && !status) {
      const dropped = await dropUnknownFields(api, patched, type);
      if (attempt === 0 && opts.fieldValidation === 'Warn') for (const f of dropped) warn?.(`unknown field "${f}"`);
      // Nothing but unknown fields: nothing to write either.
      if (dropped.length && deepEqual(patched, current)) return current;
    }
    // Warned once, as kube-apiserver's recorder keeps each text once per request.
    const w = { dryRun, fieldManager, patch: true, warn: attempt === 0 ? warn : undefined, user: opts.user, undecodable: patchDecodeError(patchType, current, applied, jsonText) };
    try {
      return status ? await api.updateStatus(patched, w) : await api.update(patched, w);
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'Conflict' && !pinned && attempt < 5) continue;
      throw e;
    }
  }
}

export function runPatch(ctx: CliContext, resources: string[], flags: PatchFlags): Promise<number> {
  return new PatchOptions(ctx, resources, flags).complete().then((o) => o.validate().run());
}

/** kubectl's PatchOptions: complete reads --type and --dry-run, validate is pure, run patches. */
export class PatchOptions {
  private patchType!: PatchType;
  private dryRun: DryRunMode = 'none';

  constructor(
    private readonly ctx: CliContext,
    private readonly resources: string[],
    private readonly flags: PatchFlags,
  ) {}

  async complete(): Promise<this> {
    const { parsePatchType } = await import('./flags/patch-input');
    this.patchType = parsePatchType(this.flags.type);
    this.dryRun = parseDryRun(this.ctx, this.flags.dryRun);
    return this;
  }

  validate(): this {
    const { flags } = this;
    if (flags.local && this.dryRun === 'server') throw new CliError('cannot specify --local and --dry-run=server - did you mean --dry-run=client?');
    // kubectl 1.32 checks no --subresource value: the server answers one it does not serve with a NotFound.
    return this;
  }

  async run(): Promise<number> {
    const { ctx, resources, flags, patchType, dryRun } = this;
    const { patchToJsonText, readPatchText } = await import('./flags/patch-input');
    const text = readPatchText(flags.patch, flags.patchFile);
    const jsonText = patchToJsonText(text);
    if (!flags.local && dryRun !== 'client') await (await import('../api/validator-adapter')).loadValidation();
    // patch prints no dry-run suffix (kubectl's quirk).
    const print = await mutationPrinter(ctx, flags, 'none');
    if (flags.local) return this.visit(undefined, print, jsonText);
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(ctx, (source) => this.visit(source, print, jsonText));
  }

  private async visit(source: ObjectSource | undefined, print: MutationPrinter, jsonText: string): Promise<number> {
    const { ctx, resources, flags, patchType, dryRun } = this;
    // With --subresource, what is read and patched is the subresource (a Scale, say), as kubectl's builder reads it.
    const subresource = flags.local ? undefined : flags.subresource;
    const targets = await resolveTargets(ctx, resources, flags, 'patch', { localMessage: 'cannot specify --local and server resources', subresource, plainNotFound: true }, source);
    // --local: the files' decode errors come after the others' patches (ContinueOnError).
    if (targets.errors.length && !flags.local) throw new PrintedError(targets.errors.join(''));

    const errors: string[] = [];
    for (const t of targets.items) {
      const ns = t.type.namespaced ? t.object.metadata.namespace : undefined;
      if (t.namespaceError) {
        errors.push(t.namespaceError); // RequireNamespace, under ContinueOnError: the others go on
        continue;
      }
      if (flags.local || dryRun === 'client') {
        let patched: KObject;
        try {
          patched = await applyPatchText(deepCopy(t.object), t.type, patchType, jsonText, true);
        } catch (e) {
          if (!flags.local || !(e instanceof CliError)) throw e;
          errors.push(e.message);
          continue;
        }
        ctx.out(print(patched, deepEqual(patched, t.object) ? 'patched (no change)' : 'patched'));
        continue;
      }
      const before = t.object;
      let result: KObject;
      try {
        // kubectl sends no fieldValidation: the server's default, Warn, drops unknown fields with a warning each.
        const opts = { status: subresource === 'status', subresource, dryRun: dryRun === 'server', fieldManager: flags.fieldManager ?? 'kubectl-patch', noFieldValidation: true, warn: (text: string) => ctx.err(`Warning: ${text}\n`) };
        result = await source!.patch(t.type, ns, before.metadata.name!, patchType, jsonText, opts);
      } catch (e) {
        if (e instanceof ApiError && (e.reason as string) === 'UnsupportedMediaType') throw unsupportedMedia(before.apiVersion, before.kind, e.message);
        if (e instanceof ApiError) throw new PrintedError(formatApiError(e));
        throw e;
      }
      ctx.out(print(result, deepEqual(result, before) ? 'patched (no change)' : 'patched'));
    }
    const all = flags.local ? withDecodeErrors(errors, targets.errors) : errors;
    if (all.length) throw new PrintedError(checkErrText(all));
    return 0;
  }
}
