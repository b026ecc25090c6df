// `-f FILE|DIR|-` input shared by apply, create, delete, replace and diff: loads the
// documents, resolves each one's type, checks it against the schema with positions, and
// turns every problem into the text kubectl prints — plus where it is and a hint.

import { CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { ResourceType } from '../api/resources';
import { NoKindMatchError, REVIEW_RESOURCES, apiVersionOf } from '../api/resources';
import type { KObject } from '../api/types';
import { loadManifests, formatSourceError, MissingPathsError, noObjectsMessage, type LoadResult, type ManifestDoc } from '../manifest';
import type { CliContext } from './context';
import { PrintedError, checkErrText } from './format-error';
import { validationDirective } from './flags/validate';
import { rootMetadataDecodeError } from '../api/validation/object-meta-decode';
import { typedDecodeError } from '../api/validation/typed-decode';

/** The verbs that send a review's requests (kubectl's mapper knows the kinds from discovery). */
const REVIEW_VERBS = new Set(['create', 'apply', 'delete', 'replace', 'get']);

/** The verbs whose objects are written (the others only name objects). */
const WRITES = new Set(['create', 'replace', 'apply', 'diff']);

export interface InputDoc {
  doc: ManifestDoc;
  object: KObject;
  type: ResourceType;
}

export interface InputResult {
  items: InputDoc[];
  /** Formatted error blocks, one per rejected document (printed after the successes). */
  errors: string[];
}

export interface FileFlags {
  filename?: string[];
  recursive?: boolean;
  validate?: string | boolean;
  /** `-k DIR`: the objects of a kustomization (kustomize build). */
  kustomize?: string;
}

/** Were objects given by `-f` or `-k`? */
export function hasFileInput(flags: FileFlags): boolean {
  return (flags.filename ?? []).length > 0 || !!flags.kustomize;
}

/** FilenameOptions.validate: `-k` excludes `-f` and `-R`. */
export function validateFileFlags(flags: FileFlags): void {
  const errs: string[] = [];
  if ((flags.filename ?? []).length && flags.kustomize) errs.push('only one of -f or -k can be specified');
  if (flags.kustomize && flags.recursive) errs.push("the -k flag can't be used with -f or -R");
  if (errs.length === 1) throw new CliError(errs[0]);
  // CheckErr prints an aggregate's errors one per line, without `error: `.
  if (errs.length > 1) throw new PrintedError(checkErrText(errs));
}

/** `-k DIR`: kustomize's build, read back as documents whose source is DIR (as kubectl names them). */
async function loadKustomization(ctx: CliContext, dir: string, verb: string): Promise<LoadResult> {
  const { build, KustomizeError } = await import('../kustomize/build');
  const { parseManifestText } = await import('../manifest');
  let yaml: string;
  try {
    yaml = build(dir, (w) => ctx.err(w)).yaml;
  } catch (e) {
    if (e instanceof KustomizeError) {
      // kubectl get prints a kustomize failure bare; the other verbs as `error: ...`.
      if (verb === 'get') throw new PrintedError(`${e.message}\n`);
      throw new CliError(e.message);
    }
    throw e;
  }
  const parsed = parseManifestText(yaml, dir);
  return { docs: parsed.docs, errors: parsed.errors, files: [dir], textOf: (s) => (s === dir ? yaml : undefined) };
}

/** `lenient`: kubectl's decoding of `--local` files (duplicate keys, missing apiVersion/kind left to the caller). */
export async function loadInput(ctx: CliContext, flags: FileFlags, verb: string, opts: { lenient?: boolean } = {}): Promise<{ load: LoadResult }> {
  validateFileFlags(flags);
  if (flags.kustomize) return { load: await loadKustomization(ctx, flags.kustomize, verb) };
  const files = flags.filename ?? [];
  if (files.length === 0) throw new CliError(verb === 'apply' ? 'must specify one of -f and -k' : 'must specify one of -f and -k');
  const stdin = files.includes('-') ? ctx.streams.stdinText() : undefined;
  try {
    return { load: await loadManifests(files, { recursive: flags.recursive, stdin, lenient: opts.lenient, lastKeyWins: true }) };
  } catch (e) {
    // Several missing paths are the Builder's aggregate: one a line, no `error: `.
    if (e instanceof MissingPathsError && e.messages.length > 1) throw new PrintedError(checkErrText(e.messages));
    throw e;
  }
}

/**
 * Resolves each loaded document's type. `api`: the API server, or any source that resolves
 * kinds as it does (the daemon's, over REST).
 */
export async function prepareDocs(ctx: CliContext, api: Pick<ApiServer, 'typeOf'>, load: LoadResult, verb: string, flags: FileFlags, opts: { typed?: boolean; allowEmpty?: boolean } = {}): Promise<InputResult> {
  // Each error in its file's place, a file's in document order (the Builder visits the files in turn).
  const found: { at: [file: number, doc: number]; text: string }[] = [];
  const fileIndex = (source: string) => load.files.indexOf(source);
  const addError = (text: string, at: [number, number]) => found.push({ at, text });
  const unvalidated = validationDirective(flags.validate) === 'ignore';
  for (const e of load.errors) {
    const at: [number, number] = [fileIndex(e.source), e.docIndex ?? -1];
    if (e.code === 'path-not-found') throw new CliError(e.kubectlMessage);
    // kubectl's decoder's own error, printed as it prints it (no excerpt: nothing was validated).
    if (unvalidated && e.unvalidatedMessage) {
      addError(`error: ${e.unvalidatedMessage}\n`, at);
      continue;
    }
    // A file that could not be read has no line to show: its message once, as kubectl's.
    if (e.code === 'read-error') {
      addError(`error: ${e.kubectlMessage}\n`, at);
      continue;
    }
    const text = load.textOf(e.source);
    addError(`error: ${e.kubectlMessage}\n${formatSourceError({ source: e.source, position: e.position, message: e.message, hint: e.hint }, text)}\n`, at);
  }
  // kubectl 1.32 checks a kind client-side only when the server's OpenAPI shows no
  // fieldValidation on its PATCH (ParamVerifyingSchema, QueryParamVerifierV3): with every
  // kubesim server that means the kinds that have no PATCH (reviews). The others are left to
  // the server's decoding (`--validate=strict` sends fieldValidation=Strict), which in-process
  // needs the schemas for, whatever the directive.
  const strict = validationDirective(flags.validate) === 'strict';
  const schema = WRITES.has(verb) ? await import('../api/validator-adapter') : undefined;
  if (schema) await schema.loadValidation();
  const items: InputDoc[] = [];
  for (const doc of load.docs) {
    const obj = doc.object;
    const at: [number, number] = [fileIndex(doc.source), doc.docIndex];
    const undecodable = metadataDecodeError(doc, opts.typed);
    if (undecodable) {
      addError(`error: ${undecodable}\n`, at);
      continue;
    }
    let type: ResourceType;
    try {
      type = api.typeOf(obj);
    } catch (e) {
      // The reviews are served, never stored (not in the registry): create asks one; the
      // verbs below send their requests, which the server answers for a create-only resource.
      const review = REVIEW_VERBS.has(verb) && e instanceof NoKindMatchError ? REVIEW_RESOURCES.find((r) => r.kind === obj.kind && apiVersionOf(r) === obj.apiVersion) : undefined;
      if (review) type = review;
      else if (e instanceof NoKindMatchError) {
        const name = obj.metadata?.name ?? '';
        const ns = obj.metadata?.namespace ?? '';
        addError(`error: resource mapping not found for name: "${name}" namespace: "${ns}" from "${doc.source}": ${e.message}\nensure CRDs are installed first\n`, at);
        continue;
      } else throw e;
    }
    if (schema && strict && !type.crd && !type.verbs.includes('patch')) {
      const issues = schema.schemaIssues(obj, type);
      if (issues.length) {
        const text = load.textOf(doc.source);
        const head = `error: error validating "${doc.source}": error validating data: [${issues.map((i) => i.kubectlMessage).join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false`;
        const single = issues.length === 1 ? `error: error validating "${doc.source}": error validating data: ${issues[0].kubectlMessage}; if you choose to ignore these errors, turn validation off with --validate=false` : head;
        const details = issues.map((i) => formatSourceError({ source: doc.source, position: doc.positionOf(i.path), message: i.message, hint: i.hint }, text)).join('\n');
        addError(`${single}\n${details}\n`, at);
        continue;
      }
    }
    items.push({ doc, object: obj, type });
  }
  if (items.length === 0 && found.length === 0 && !opts.allowEmpty) throw new CliError(noObjectsMessage(verb));
  // A stable sort: errors of one document keep their order.
  return { items, errors: found.sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1]).map((f) => f.text) };
}

/**
 * The Builder's decoding of a -f document's metadata, before anything is sent (kubectl's
 * `unable to decode`); `typed`: the set verbs' typed decoder, whose struct is the kind's.
 * List items are decoded apart, unchecked here.
 */
export function metadataDecodeError(doc: ManifestDoc, typed = false): string | undefined {
  if (doc.listIndex !== undefined) return undefined;
  const message = typed ? typedDecodeError(doc.object, doc.decoded?.()) : rootMetadataDecodeError(doc.object);
  return message && `unable to decode "${doc.source}": ${message}`;
}

/** The Builder's RequireNamespace: an object's own namespace must be the one an explicit -n names. */
export function requireNamespace(ctx: CliContext, own: string | undefined): void {
  const mismatch = namespaceMismatch(ctx, own);
  if (mismatch) throw new CliError(mismatch);
}

/** RequireNamespace's error text, or undefined when the namespaces agree. */
export function namespaceMismatch(ctx: CliContext, own: string | undefined): string | undefined {
  if (!own || !ctx.namespaceExplicit || own === ctx.namespace) return undefined;
  return namespaceMismatchMessage(own, ctx.namespace);
}

/** resource.RequireNamespace's text. */
export function namespaceMismatchMessage(own: string, want: string): string {
  return `the namespace from the provided object "${own}" does not match the namespace "${want}". You must pass '--namespace=${own}' to perform this operation.`;
}

/** Applies -n / the context namespace to a document, as kubectl does, refusing a mismatch. */
export function setNamespace(ctx: CliContext, item: InputDoc): string | undefined {
  if (!item.type.namespaced) {
    if (item.object.metadata) delete item.object.metadata.namespace;
    return undefined;
  }
  const own = item.object.metadata?.namespace;
  requireNamespace(ctx, own);
  item.object.metadata ??= {};
  item.object.metadata.namespace = own ?? ctx.namespace;
  return item.object.metadata.namespace;
}
