// `kubesim edit (TYPE NAME | TYPE/NAME | -f FILE)`: the objects go to a temp file in YAML
// (or JSON), the user's editor runs on it, and the difference is sent as a patch, as
// kubectl's editor package (EditOptions.Run, visitToPatch) does: a strategic two-way merge
// patch for built-in kinds, a JSON merge patch otherwise. Because it is a patch computed
// from what the user saw, a concurrent change to other fields is kept. Invalid objects and
// syntax errors re-open the file with the reasons as `#` comments. The same loop edits
// `create --edit`'s objects before they are created (EditBeforeCreateMode) and `apply
// edit-last-applied`'s annotations (ApplyEditMode).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ApiError, CliError, formatFieldError, type FieldError } from '../api/errors';
import { NoKindMatchError, pluralGroup, type ResourceType } from '../api/resources';
import type { ObjectSource } from './object-source';
import type { KObject } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { CliContext } from './context';
import type { Program } from './root';
import { fieldValidationParam, validationDirective, type ValidationDirective } from './flags/validate';
import { PrintedError, formatApiError, printedBlocks } from './format-error';
import { mutationPrinter, type MutationPrinter } from './flags/mutation-output';
import { resolveTargets, type Target, type TargetFlags } from './flags/targets';
import { goJsonSyntaxError, goQuote } from '../util/go-format';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { FIELD_MANAGER_HELP, VALIDATE_HELP, kubectlHelp } from './kubectl-help';
import { namespaceMismatchMessage } from './manifest-input';

// Heavy modules load when `edit` runs (runEdit), not at every kubesim start-up.
const lazy: { yaml?: typeof import('yaml'); yamlCompat?: typeof import('../manifest/yaml-compat'); childProcess?: typeof import('node:child_process'); crypto?: typeof import('node:crypto') } = {};
async function loadLazy(): Promise<void> {
  lazy.yaml ??= await import('yaml');
  lazy.yamlCompat ??= await import('../manifest/yaml-compat');
  lazy.childProcess ??= await import('node:child_process');
  lazy.crypto ??= await import('node:crypto');
}
const parseYaml: typeof import('yaml').parse = ((...a: [string, any?, any?]) => lazy.yaml!.parse(...a)) as typeof import('yaml').parse;
const spawnSync = (...a: Parameters<typeof import('node:child_process').spawnSync>) => lazy.childProcess!.spawnSync(...a);
const randomBytes = (n: number) => lazy.crypto!.randomBytes(n);

export interface EditFlags extends TargetFlags, PrintFlagValues {
  output?: string;
  outputPatch?: boolean;
  saveConfig?: boolean;
  validate?: string;
  windowsLineEndings?: boolean;
  fieldManager?: string;
  subresource?: string;
}

// ---------- the file shown to the user ----------

export interface EditReason {
  head: string;
  other: string[];
}

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** ApplyEditMode's text (apply edit-last-applied). */
const APPLY_HEADER = `# Please edit the 'last-applied-configuration' annotations below.
# Lines beginning with a '#' will be ignored, and an empty file will abort the edit.
#
`;

/** editHeader.writeTo: kubectl's fixed text (its edit mode's), then one block per failure. */
export function editHeader(reasons: EditReason[], mode: 'edit' | 'apply' = 'edit'): string {
  let s = mode === 'apply' ? APPLY_HEADER : HEADER;
  for (const r of reasons) {
    s += r.other.length ? `# ${hashOnLineBreak(r.head)}:\n` : `# ${hashOnLineBreak(r.head)}\n`;
    for (const o of r.other) s += `# * ${hashOnLineBreak(o)}\n`;
    s += '#\n';
  }
  return s;
}

/** Keeps multi-line reasons inside the comment block. */
function hashOnLineBreak(s: string): string {
  let r = '';
  for (let i = 0; i < s.length; i++) r += s[i] === '\n' && i + 1 < s.length && s[i + 1] !== '#' ? '\n# ' : s[i];
  return r;
}

/** cmdutil.ManualStrip: drops every comment line (`#!` lines stay). */
export function manualStrip(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith('#') && !t.startsWith('#!')) return;
    out.push(i < lines.length - 1 ? line + '\n' : line);
  });
  return out.join('');
}

/** cmdutil.StripComments: the YAML as JSON (comments and layout gone), or ManualStrip if it does not parse. */
export function stripComments(text: string): string {
  try {
    return JSON.stringify(parseYaml(text, lazy.yamlCompat!.YAML_OPTIONS) ?? null);
  } catch {
    return manualStrip(text);
  }
}

/** hasLines: any line that is neither blank nor a comment. */
export function hasLines(text: string): boolean {
  return text.split(/\r?\n/).some((l) => {
    const t = l.trim();
    return t.length > 0 && t[0] !== '#';
  });
}

function withoutManagedFields(o: KObject): KObject {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
}

function serialize(objs: KObject[], format: 'yaml' | 'json'): Promise<string> {
  const data = objs.length === 1 ? objs[0] : { apiVersion: 'v1', items: objs, kind: 'List', metadata: {} };
  return format === 'json' ? import('../printers/json').then((m) => m.toJson(data)) : import('../printers/yaml').then((m) => m.toYaml(data));
}

// ---------- the editor ----------

/** defaultEnvEditor: $KUBE_EDITOR, else $EDITOR, else vi; a command with quotes goes through the shell. */
export function editorCommand(env: NodeJS.ProcessEnv): { args: string[]; shell: boolean } {
  const editor = env.KUBE_EDITOR || env.EDITOR || 'vi';
  if (!editor.includes(' ')) return { args: [editor], shell: false };
  if (!/["'\\]/.test(editor)) return { args: editor.split(' '), shell: false };
  return { args: [env.SHELL || '/bin/bash', '-c', editor], shell: true };
}

function launchEditor(file: string, env: NodeJS.ProcessEnv): void {
  const { args, shell } = editorCommand(env);
  const abs = path.resolve(file);
  const argv = shell ? [...args.slice(0, -1), `${args[args.length - 1]} ${goQuote(abs)}`] : [...args, abs];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`unable to launch the editor ${goQuote(args.join(' '))}`);
  if (r.error || r.status !== 0) throw new CliError(`there was a problem with the editor ${goQuote(args.join(' '))}`);
}

/** Editor.LaunchTempFile: a fresh `<prefix><random><ext>` in the temp dir, edited in place, read back. */
export async function launchTempFile(prefix: string, ext: string, content: string, env: NodeJS.ProcessEnv): Promise<{ edited: string; file: string }> {
  await loadLazy();
  let file = '';
  for (;;) {
    file = path.join(os.tmpdir(), `${prefix}${randomBytes(4).readUInt32BE(0)}${ext}`);
    try {
      fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  launchEditor(file, env);
  return { edited: fs.readFileSync(file, 'utf8'), file };
}

export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}

// ---------- the edit loop ----------

/** kubectl's preservedFile: the user's file is kept, and said where. */
function keptCopy(ctx: CliContext, file: string | undefined): void {
  if (file && fs.existsSync(file)) ctx.err(`A copy of your changes has been stored to ${goQuote(file)}\n`);
}

/** An error that keeps the user's file. */
function preserved(ctx: CliContext, message: string, file: string | undefined): CliError {
  keptCopy(ctx, file);
  return new CliError(message);
}

interface EditResults {
  file?: string;
  reasons: EditReason[];
  /** Objects rejected as invalid: edited again. */
  edit: number;
  notfound: number;
  retryable: number;
}

function resourceString(rt: ResourceType): string {
  return pluralGroup(rt);
}

/** editResults.addError: the stderr line, and what the next pass does about it. */
function addError(results: EditResults, e: ApiError, rt: ResourceType, name: string): string {
  const res = resourceString(rt);
  if (e.reason === 'Invalid') {
    results.edit++;
    const other = (e.details.causes ?? []).map((c) => `${c.field}: ${formatFieldError(c).slice(c.field.length + 2)}`);
    results.reasons.push({ head: `${res} ${goQuote(name)} was not valid`, other });
    return `error: ${res} ${goQuote(name)} is invalid`;
  }
  if (e.reason === 'NotFound') {
    results.notfound++;
    return `error: ${res} ${goQuote(name)} could not be found on the server`;
  }
  results.retryable++;
  return `error: ${res} ${goQuote(name)} could not be patched: ${e.message}`;
}

/** The PATCH kubectl sends; a strict decoding error names only the fields (the body is a patch, not a whole object). */
async function patchObject(s: Session, rt: ResourceType, ns: string | undefined, name: string, strategic: boolean, patch: Record<string, unknown>): Promise<KObject> {
  try {
    return await s.source.patch(rt, ns, name, strategic ? 'strategic' : 'merge', JSON.stringify(patch), { fieldManager: s.flags.fieldManager ?? 'kubectl-edit', status: s.flags.subresource === 'status' });
  } catch (e) {
    if (e instanceof ApiError && e.reason === 'BadRequest') {
      const m = /cannot be handled as an? \w+: (strict decoding error: .*)$/s.exec(e.message);
      if (m) throw ApiError.badRequest(m[1]);
    }
    throw e;
  }
}

interface Session {
  ctx: CliContext;
  flags: EditFlags;
  source: ObjectSource;
  print: MutationPrinter;
  format: 'yaml' | 'json';
  /** `kubesim` (or `kubectl sim`): for the replace hint and the temp file name. */
  program: string;
  /**
   * kubectl's EditMode: `edit` patches the objects; `create` (create --edit, EditBeforeCreateMode)
   * creates what was edited; `apply` (edit-last-applied, ApplyEditMode) writes each edited
   * configuration into its object's last-applied-configuration annotation.
   */
  mode: 'edit' | 'create' | 'apply';
  validate: ValidationDirective;
}

/**
 * visitAnnotation (--save-config), then visitToCreate: each edited object created as it is,
 * the first failure ends the edit. kubectl's RunEditOnCreate names the manager kubectl-create,
 * whatever --field-manager says.
 */
async function visitToCreate(s: Session, objects: KObject[]): Promise<void> {
  const { withLastApplied } = await import('../api/apply');
  for (let obj of objects) {
    const rt = s.source.typeOf(obj);
    if (rt.namespaced && !obj.metadata.namespace) obj.metadata.namespace = s.ctx.namespace;
    if (s.flags.saveConfig) obj = withLastApplied(obj);
    const created = await s.source.create(rt, obj, { fieldManager: 'kubectl-create' });
    s.ctx.out(s.print(created, 'created'));
  }
}

/** visitToPatch: one patch per edited object, matched to what was shown by uid. */
async function visitToPatch(s: Session, originals: Target[], updated: KObject[], results: EditResults): Promise<void> {
  const { createTwoWayMergePatch, supportsStrategicMerge, goJson, withLastApplied } = await import('../api/apply');
  for (let edited of updated) {
    const uid = edited.metadata?.uid;
    const original = originals.find((t) => t.object.metadata?.uid === uid);
    if (!original) throw new CliError(`no original object found for ${JSON.stringify(edited)}`);
    // kubectl's restoreManagedFields: the buffer hid them, so their absence is not an edit.
    const hidden = original.object.metadata?.managedFields;
    if (hidden && edited.metadata && edited.metadata.managedFields === undefined) edited.metadata.managedFields = hidden;
    const rt = original.type;
    const name = original.object.metadata.name!;
    // RequireNamespace: the namespace may not be changed while editing.
    if (rt.namespaced) {
      const want = original.object.metadata.namespace ?? s.ctx.namespace;
      const got = edited.metadata?.namespace;
      if (!got) edited.metadata.namespace = want;
      else if (got !== want) {
        throw new CliError(namespaceMismatchMessage(got, want));
      }
    }
    if (s.flags.saveConfig) edited = withLastApplied(edited);
    if (deepEqual(original.object, edited)) {
      s.ctx.out(s.print(edited, 'skipped'));
      continue;
    }
    const changed = (k: 'apiVersion' | 'kind') => !deepEqual(original.object[k], edited[k]);
    if (changed('apiVersion') || changed('kind') || original.object.metadata?.name !== edited.metadata?.name || !deepEqual(original.object.metadata?.managedFields, edited.metadata?.managedFields)) {
      throw new CliError('At least one of apiVersion, kind and name was changed');
    }
    const strategic = supportsStrategicMerge(rt.kind, original.object.apiVersion);
    let patch: Record<string, unknown>;
    if (strategic) {
      patch = createTwoWayMergePatch(original.object, edited, rt.kind, original.object.apiVersion) as Record<string, unknown>;
    } else {
      const { createJsonMergePatch } = await import('../api/apply');
      patch = (createJsonMergePatch(original.object, edited) ?? {}) as Record<string, unknown>;
    }
    if (s.flags.outputPatch) s.ctx.out(`Patch: ${goJson(patch)}\n`);
    let result: KObject;
    try {
      const ns = rt.namespaced ? original.object.metadata.namespace : undefined;
      result = await patchObject(s, rt, ns, name, strategic, patch);
    } catch (e) {
      if (e instanceof ApiError) {
        s.ctx.err(addError(results, e, rt, name) + '\n');
        continue;
      }
      throw e;
    }
    s.ctx.out(s.print(result, 'edited'));
  }
}

/**
 * visitToApplyEditPatch: each edited configuration becomes the last-applied-configuration of
 * the object it names (its kind and name, in the command's namespace), as a merge patch of
 * that annotation alone. Like kubectl's, an edited configuration is matched to the one shown
 * by uid, which configurations rarely carry: all then compare with the first.
 */
async function visitToApplyEditPatch(s: Session, originals: Target[], updated: KObject[]): Promise<void> {
  const { goJson, LAST_APPLIED } = await import('../api/apply');
  for (const edited of updated) {
    const original = originals.find((t) => t.object.metadata?.uid === edited.metadata?.uid);
    if (!original) throw new CliError(`no original object found for ${JSON.stringify(edited)}`);
    if (deepEqual(original.object, edited)) {
      s.ctx.out(s.print(edited, 'skipped'));
      continue;
    }
    const rt = s.source.typeOf(edited);
    // GetApplyPatch: the configuration as the JSON encoder writes it (sorted keys, a newline).
    const patch = { metadata: { annotations: { [LAST_APPLIED]: goJson(edited) + '\n' } } };
    await s.source.patch(rt, rt.namespaced ? s.ctx.namespace : undefined, edited.metadata?.name ?? '', 'merge', JSON.stringify(patch), { fieldManager: s.flags.fieldManager ?? 'kubectl-client-side-apply', fieldValidation: fieldValidationParam(s.validate) });
    s.ctx.out(s.print(edited, 'edited'));
  }
}

/**
 * What kubectl's validator says of the edited text (StripComments'), before anything else
 * is looked at: with a server that validates fields itself, only that it parses and names
 * an apiVersion and a kind (paramVerifyingSchema: Parse, then GetObjectKind).
 */
async function validationError(stripped: string): Promise<string | undefined> {
  let obj: unknown;
  try {
    obj = JSON.parse(stripped);
  } catch {
    // yaml.ToJSON: JSON passes through to the JSON decoder, anything else is YAML.
    if (/^\s*\{/.test(stripped)) return goJsonSyntaxError(stripped);
    const { parseManifestText } = await import('../manifest');
    const { docs, errors } = parseManifestText(stripped, 'edited-file');
    if (!errors.length) obj = docs[0]?.object ?? null;
    else return errors[0].kubectlMessage.replace(/^error parsing edited-file: error converting YAML to JSON: /, '');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'invalid object to validate';
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  const errs: string[] = [];
  if (apiVersion === undefined || apiVersion === null) errs.push('apiVersion not set');
  else if (typeof apiVersion !== 'string') errs.push("apiVersion isn't string type");
  else if (apiVersion.split('/').length > 2) errs.push(`unexpected GroupVersion string: ${apiVersion}`);
  if (kind === undefined || kind === null) errs.push('kind not set');
  else if (typeof kind !== 'string') errs.push("kind isn't string type");
  // utilerrors' aggregate: one error as it is, more in brackets.
  return errs.length === 0 ? undefined : errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

/**
 * The parsed objects of the edited file (a List is flattened), or the syntax error text. Each
 * must map to a resource, as kubectl's builder maps it (a Scale, from `--subresource=scale`, does not).
 */
async function parseEdited(source: ObjectSource, text: string): Promise<{ objects: KObject[] } | { error: string }> {
  const { parseManifestText } = await import('../manifest');
  const { docs, errors } = parseManifestText(text, 'edited-file');
  // The decoder stops at the first error of the stream.
  if (errors.length) return { error: errors[0].kubectlMessage };
  const objects = docs.map((d) => d.object);
  await source.learnKinds(objects);
  for (const o of objects) {
    try {
      source.typeOf(o);
    } catch (e) {
      if (!(e instanceof NoKindMatchError)) throw e;
      return { error: `resource mapping not found for name: ${goQuote(o.metadata?.name ?? '')} namespace: ${goQuote(o.metadata?.namespace ?? '')} from "edited-file": ${e.message}\nensure CRDs are installed first` };
    }
  }
  return { objects };
}

/** EditOptions.Run's loop for one set of objects. Returns the exit code. */
async function editLoop(s: Session, infos: Target[]): Promise<number> {
  const header = s.format === 'yaml';
  const ext = s.format === 'json' ? '.json' : '.yaml';
  const prefix = `${s.program.replace(/ /g, '-')}-edit-`;
  let results: EditResults = { reasons: [], edit: 0, notfound: 0, retryable: 0 };
  let original = '';
  let edited = '';
  let containsError = false;
  for (;;) {
    let buf = header ? editHeader(results.reasons, s.mode === 'apply' ? 'apply' : 'edit') : '';
    if (!containsError) {
      // kubectl's extractManagedFields. kubectl 1.32.4 hides them even with --show-managed-fields
      // (tried against a kubesim server: `get --show-managed-fields` shows them, edit's buffer not).
      buf += await serialize(infos.map((t) => withoutManagedFields(t.object)), s.format);
      original = buf;
    } else {
      buf += manualStrip(edited);
    }
    if (s.flags.windowsLineEndings) buf = buf.replace(/\r?\n/g, '\r\n');

    const previous = edited;
    let file: string;
    try {
      ({ edited, file } = await launchTempFile(prefix, ext, buf, process.env));
    } catch (e) {
      if (e instanceof CliError) throw preserved(s.ctx, e.message, results.file);
      throw e;
    }
    if (containsError && stripComments(previous) === stripComments(edited)) {
      throw preserved(s.ctx, 'Edit cancelled, no valid changes were saved.', file);
    }
    if (results.file) removeFile(results.file);

    const invalid = s.validate === 'ignore' ? undefined : await validationError(stripComments(edited));
    if (invalid !== undefined) {
      results = { file, reasons: [], edit: 0, notfound: 0, retryable: 0 };
      containsError = true;
      // field.Invalid(nil, "The edited file failed validation", err): a path-less cause.
      const cause: FieldError = { field: '<nil>', type: 'Invalid value', value: '"The edited file failed validation"', detail: invalid };
      s.ctx.err(addError(results, new ApiError('Invalid', '', { causes: [cause] }), infos[0].type, infos[0].object.metadata?.name ?? '') + '\n');
      continue;
    }
    if (stripComments(original) === stripComments(edited)) {
      removeFile(file);
      s.ctx.err('Edit cancelled, no changes made.\n');
      return 0;
    }
    if (!hasLines(edited)) {
      removeFile(file);
      s.ctx.err('Edit cancelled, saved file was empty.\n');
      return 0;
    }

    results = { file, reasons: [], edit: 0, notfound: 0, retryable: 0 };
    const parsed = await parseEdited(s.source, edited);
    if ('error' in parsed) {
      containsError = true;
      results.reasons.push({ head: `The edited file had a syntax error: ${parsed.error}`, other: [] });
      continue;
    }
    containsError = false;
    try {
      if (s.mode === 'create') await visitToCreate(s, parsed.objects);
      else if (s.mode === 'apply') await visitToApplyEditPatch(s, infos, parsed.objects);
      else await visitToPatch(s, infos, parsed.objects, results);
    } catch (e) {
      if (e instanceof CliError) throw preserved(s.ctx, e.message, file);
      // kubectl's preservedFile, then CheckErr's `Error from server (...)`.
      if (e instanceof ApiError) {
        preserved(s.ctx, '', file);
        throw new PrintedError(formatApiError(e));
      }
      throw e;
    }
    if (results.retryable > 0) {
      s.ctx.err(`You can run \`${s.program} replace -f ${file}\` to try this update again.\n`);
      return 1;
    }
    if (results.notfound > 0) {
      s.ctx.err(`The edits you made on deleted resources have been saved to ${goQuote(file)}\n`);
      return 1;
    }
    if (results.edit === 0) {
      removeFile(file);
      return 0;
    }
    if (results.reasons.length) containsError = true;
  }
}

/**
 * `create -f FILE --edit` (RunEditOnCreate): the files' objects go to the editor first, and
 * what is saved is created. Like kubectl's, the edit itself has no dry run.
 */
export async function runEditBeforeCreate(ctx: CliContext, targets: Target[], flags: EditFlags, program: string, source: ObjectSource): Promise<number> {
  await loadLazy();
  const output = flags.output ?? '';
  const print = await mutationPrinter(ctx, output === '' && !flags.template ? undefined : flags, 'none');
  const format = output === 'json' ? 'json' : 'yaml';
  return editLoop({ ctx, flags, source, print, format, program, mode: 'create', validate: validationDirective(flags.validate) }, targets);
}

/**
 * `apply edit-last-applied` (ApplyEditMode): the last-applied-configuration of each object
 * that has one, decoded as kubectl's builder decodes the edited file, edited together.
 */
export async function runEditLastApplied(ctx: CliContext, live: Target[], flags: EditFlags, program: string, source: ObjectSource): Promise<number> {
  await loadLazy();
  const { LAST_APPLIED } = await import('../api/apply');
  const configs: Target[] = [];
  for (const t of live) {
    const data = t.object.metadata?.annotations?.[LAST_APPLIED];
    if (!data) continue;
    const parsed = await parseEdited(source, data);
    if ('error' in parsed) throw new CliError(parsed.error);
    configs.push({ type: source.typeOf(parsed.objects[0]), object: parsed.objects[0] });
  }
  // kubectl's text names kubectl, whatever the program is called.
  if (!configs.length) throw new CliError('no last-applied-configuration annotation found on resources, to create the annotation, use command `kubectl apply set-last-applied --create-annotation`');
  const output = flags.output ?? '';
  const validate = validationDirective(flags.validate);
  if (validate !== 'ignore') await (await import('../api/validator-adapter')).loadValidation();
  const print = await mutationPrinter(ctx, output === '' && !flags.template ? undefined : flags, 'none');
  return editLoop({ ctx, flags, source, print, format: output === 'json' ? 'json' : 'yaml', program, mode: 'apply', validate }, configs);
}

export async function runEdit(ctx: CliContext, resources: string[], flags: EditFlags, program: string): Promise<number> {
  await loadLazy();
  const output = flags.output ?? '';
  const format = output === 'json' ? 'json' : 'yaml';
  const validate = validationDirective(flags.validate);
  // -o picks the editing format (json or yaml) and how the result is printed.
  const print = await mutationPrinter(ctx, output === '' && !flags.template ? undefined : flags, 'none');
  // The builder allows an empty selector for edit: `edit deployments` edits every deployment.
  const typeOnly = resources.length === 1 && !resources[0].includes('/');
  if (validate !== 'ignore') await (await import('../api/validator-adapter')).loadValidation();
  // GET, then PATCH: through the daemon's API when it serves, else the store.
  const { withObjectSource } = await import('./object-source');
  return withObjectSource(ctx, async (source) => {
    // --subresource: what is edited is what the subresource's GET answers (no GET of the object first, as kubectl).
    const targets = await resolveTargets(ctx, resources, { ...flags, all: flags.all || typeOnly }, 'edit', { subresource: flags.subresource }, source);
    if (targets.errors.length) throw new PrintedError(printedBlocks(targets.errors));
    if (targets.items.length === 0) throw new CliError('edit cancelled, no objects found');
    return editLoop({ ctx, flags, source, print, format, program, mode: 'edit', validate }, targets.items);
  });
}

const EDIT_LONG = `Edit a resource from the default editor.

 The edit command allows you to directly edit any API resource you can retrieve via the command-line tools. It will open the editor defined by your KUBE_EDITOR, or EDITOR environment variables, or fall back to 'vi' for Linux or 'notepad' for Windows. When attempting to open the editor, it will first attempt to use the shell that has been defined in the 'SHELL' environment variable. If this is not defined, the default shell will be used, which is '/bin/bash' for Linux or 'cmd' for Windows.

 You can edit multiple objects, although changes are applied one at a time. The command accepts file names as well as command-line arguments, although the files you point to must be previously saved versions of resources.

 Editing is done with the API version used to fetch the resource. To edit using a specific API version, fully-qualify the resource, version, and group.

 The default format is YAML. To edit in JSON, specify "-o json".

 The flag --windows-line-endings can be used to force Windows line endings, otherwise the default for your operating system will be used.

 In the event an error occurs while updating, a temporary file will be created on disk that contains your unapplied changes. The most common error when updating a resource is another editor changing the resource on the server. When this occurs, you will have to apply your changes to the newer version of the resource, or update your temporary saved copy to include the latest resource version.`;

const EDIT_EXAMPLE = `  # Edit the service named 'registry'
  kubectl edit svc/registry
  
  # Use an alternative editor
  KUBE_EDITOR="nano" kubectl edit svc/registry
  
  # Edit the job 'myjob' in JSON using the v1 API format
  kubectl edit job.v1.batch/myjob -o json
  
  # Edit the deployment 'mydeployment' in YAML and save the modified config in its annotation
  kubectl edit deployment/mydeployment -o yaml --save-config
  
  # Edit the 'status' subresource for the 'mydeployment' deployment
  kubectl edit deployment mydeployment --subresource='status'`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('edit')
    .description('Edit a resource on the server')
    .usage('(RESOURCE/NAME | -f FILENAME)')
    .argument('[resources...]');
  addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files to use to edit the resource', kustomize: true, recursive: true });
  addPrintFlags(cmd);
  cmd
    .option('--output-patch', 'Output the patch if the resource is edited.')
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.')
    .option('--validate <mode>', VALIDATE_HELP, 'strict')
    .option('--windows-line-endings', 'Defaults to the line ending native to your platform.')
    .option('--field-manager <name>', FIELD_MANAGER_HELP, 'kubectl-edit')
    .option('--subresource <name>', 'If specified, edit will operate on the subresource of the requested object. This flag is beta and may change in the future.');
  kubectlHelp(cmd, p.name, { long: EDIT_LONG, example: EDIT_EXAMPLE, use: 'edit (RESOURCE/NAME | -f FILENAME)' })
    .action(p.action((ctx, resources: string[], flags: EditFlags) => runEdit(ctx, resources, flags, p.name)));
}
