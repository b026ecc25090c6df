// Which objects a changing verb acts on, as kubectl's resource.Builder finds them:
// `TYPE NAME...`, `TYPE/NAME...`, `TYPE -l SEL`, `TYPE --all`, `-f FILE` (the live objects),
// or `--local -f FILE` (the file's objects, no cluster at all).

import * as fs from 'node:fs';
import { ApiError, CliError } from '../../api/errors';
import { noObjectsMessage } from '../../manifest/load-manifests';
import { ResourceRegistry, pluralGroup, splitApiVersion, type ResourceType } from '../../api/resources';
import type { ObjectSource } from '../object-source';
import type { KObject } from '../../api/types';
import type { CliContext } from '../context';
import { formatApiError, rawError } from '../format-error';
import { noResourcesError } from './resource-builder-flags';
import { GO_TYPE_META_PROBE, goJson, goUnmarshalTypeError } from '../../util/go-format';

export interface TargetFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  local?: boolean;
  /** `-k DIR`: the objects of a kustomization. */
  kustomize?: string;
}

export interface Target {
  type: ResourceType;
  object: KObject;
  /** The file it came from, for `error when patching "web.yaml"`. */
  source?: string;
  /** `visit` and `--local`: RequireNamespace's error for this object, in its place among the others. */
  namespaceError?: string;
}

export interface Targets {
  items: Target[];
  /** Formatted errors (not found, bad documents), printed after the successes. */
  errors: string[];
  /** kubectl's singleItemImplied: one name, or one file. */
  single: boolean;
  /** `asFiled`: RequireNamespace's errors for the documents left out (kubectl's infoErr). */
  namespaceErrors?: string[];
  /** `visit`: the read errors, as the Builder's EagerVisitorList aggregates them. */
  readErrors?: ApiError[];
}

/** Infos()'s errors, before any change: the files' decode errors, then RequireNamespace's (set *, set env --from). */
export function infosErrors(targets: Targets): string[] {
  return [...targets.errors.map(rawError), ...targets.items.flatMap((t) => (t.namespaceError ? [t.namespaceError] : []))];
}

/** A type for a kind the built-in registry does not know (a custom resource in a local file). */
function localType(registry: ResourceRegistry, obj: KObject): ResourceType {
  try {
    return registry.forKind(String(obj.apiVersion), String(obj.kind));
  } catch {
    const { group, version } = splitApiVersion(String(obj.apiVersion ?? ''));
    const kind = String(obj.kind ?? '');
    return { group, version, versions: [version], kind, plural: kind.toLowerCase() + 's', singular: kind.toLowerCase(), shortNames: [], namespaced: true, categories: [] } as unknown as ResourceType;
  }
}

function singleFile(files: string[]): boolean {
  if (files.length !== 1 || files[0] === '-') return false;
  try {
    return !fs.statSync(files[0]).isDirectory();
  } catch {
    return false;
  }
}

/** Reads `-f` documents, their types resolved against the cluster. */
async function fileObjects(ctx: CliContext, flags: TargetFlags, verb: string, source: ObjectSource, latest: boolean, typed: boolean): Promise<{ items: Target[]; errors: string[] }> {
  const { loadInput, prepareDocs, setNamespace } = await import('../manifest-input');
  const { load } = await loadInput(ctx, flags, verb);
  await source.learnKinds(load.docs.map((d) => d.object));
  const { items, errors } = await prepareDocs(ctx, source, load, verb, { validate: false }, { typed });
  const out: Target[] = [];
  for (const item of items) {
    // Latest(): a document with its own namespace is read there first, RequireNamespace after (resolveTargets).
    if (!(latest && item.type.namespaced && item.object.metadata?.namespace)) setNamespace(ctx, item);
    out.push({ type: item.type, object: item.object, source: item.doc.source });
  }
  return { items: out, errors };
}

/** Go's json.Marshal of what was decoded, as kubectl quotes a document in its decode errors. */
/**
 * `--local -f`: the files decoded as kubectl's Builder decodes them, with kubectl's own error
 * texts and nothing more. go-yaml stops a file at its first error (the documents before it
 * stay); a duplicate key keeps its last value; the unstructured decoder (label, annotate,
 * patch) needs a kind, the typed one (`typed`: the set verbs) an apiVersion as well.
 */
async function localFileObjects(ctx: CliContext, flags: TargetFlags, verb: string, typed: boolean): Promise<{ items: Target[]; errors: string[] }> {
  const { loadInput } = await import('../manifest-input');
  const { load } = await loadInput(ctx, flags, verb, { lenient: true });
  const registry = new ResourceRegistry();
  // The Builder visits the files in turn: each error in its file's place, a file's in document order.
  const found: { at: [file: number, doc: number]; text: string }[] = [];
  const fileIndex = (source: string) => load.files.indexOf(source);
  const stopAt = new Map<string, number>();
  for (const e of load.errors) {
    if (e.code === 'path-not-found') throw new CliError(e.kubectlMessage);
    if (stopAt.has(e.source)) continue;
    stopAt.set(e.source, e.docIndex ?? -1);
    let message = e.kubectlMessage;
    // The loader's text is the unstructured decoder's; the typed one probes TypeMeta first.
    if (e.code === 'not-an-object' && typed) {
      const what = /cannot unmarshal (\w+)/.exec(message)?.[1] ?? 'string';
      message = `unable to decode "${e.source}": couldn't get version/kind; json parse error: ${goUnmarshalTypeError(what, GO_TYPE_META_PROBE)}`;
    }
    found.push({ at: [fileIndex(e.source), e.docIndex ?? -1], text: `error: ${message}\n` });
  }
  const { namespaceMismatch, metadataDecodeError } = await import('../manifest-input');
  const items: Target[] = [];
  for (const doc of load.docs) {
    const stop = stopAt.get(doc.source);
    if (stop !== undefined && doc.docIndex >= stop) continue;
    const obj = doc.object;
    const missing = !obj.kind ? 'Kind' : typed && !obj.apiVersion ? 'apiVersion' : undefined;
    // The serializer's error quotes the bytes it decoded (a JSON document as written).
    if (missing) {
      found.push({ at: [fileIndex(doc.source), doc.docIndex], text: `error: unable to decode "${doc.source}": Object '${missing}' is missing in '${doc.decoded?.() ?? goJson(obj)}'\n` });
      continue;
    }
    const undecodable = metadataDecodeError(doc, typed);
    if (undecodable) {
      found.push({ at: [fileIndex(doc.source), doc.docIndex], text: `error: ${undecodable}\n` });
      continue;
    }
    const type = localType(registry, obj);
    if (type.namespaced && !obj.metadata?.namespace && ctx.namespaceExplicit) obj.metadata.namespace = ctx.namespace;
    // RequireNamespace runs locally too: the object's error, in its place among the others'.
    const namespaceError = type.namespaced ? namespaceMismatch(ctx, obj.metadata?.namespace) : undefined;
    items.push({ type, object: obj, source: doc.source, ...(namespaceError ? { namespaceError } : {}) });
  }
  if (items.length === 0 && found.length === 0) throw new CliError(noObjectsMessage(verb));
  // A stable sort: errors of one document keep their order.
  const errors = found.sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1]).map((f) => f.text);
  return { items, errors };
}

/**
 * The Builder's Info.Get: an object not found in a namespace other than default is reported
 * as its namespace's NotFound when that namespace does not exist either.
 */
export async function notFoundError(source: Pick<ObjectSource, 'tryGet' | 'registry'>, type: ResourceType, namespace: string | undefined, name: string): Promise<ApiError> {
  if (type.namespaced && namespace && namespace !== 'default' && !(await source.tryGet(source.registry.resolve('namespaces'), undefined, namespace))) {
    return ApiError.notFound('namespaces', namespace);
  }
  return ApiError.notFound(pluralGroup(type), name);
}

/**
 * Resolves the targets, on `source` (the daemon's API or the store; default: the store).
 * `localMessage` is kubectl's per-verb text for `--local` with resource arguments.
 */
export async function resolveTargets(
  ctx: CliContext,
  resources: string[],
  flags: TargetFlags,
  verb: string,
  opts: {
    localMessage?: string;
    typed?: boolean;
    subresource?: string;
    /** The Builder's Latest() (label, annotate): each -f object read before RequireNamespace checks it against -n. */
    latest?: boolean;
    /** The verb's own request finds a -f object missing (describe, patch): its NotFound never names the namespace. */
    plainNotFound?: boolean;
    /** No Latest() (scale): -f objects are the file's, never read; an -n mismatch leaves one out. */
    asFiled?: boolean;
    /**
     * With latest, under ContinueOnError (wait): a nameless -f document kept unread, an -n
     * mismatch marked on its object (namespaceError), read errors apart (readErrors), none thrown.
     */
    visit?: boolean;
  } = {},
  source?: ObjectSource,
): Promise<Targets> {
  const files = flags.filename ?? [];
  if (flags.local) {
    if (resources.length > 0) throw new CliError(opts.localMessage ?? 'can only use local files by -f pod.yaml or --filename=pod.json when --local=true is set');
    try {
      const { items, errors } = await localFileObjects(ctx, flags, verb, !!opts.typed);
      return { items, errors, single: singleFile(files) };
    } catch (e) {
      // Locally, files without objects (empty, only comments) are nothing to do, not an error.
      if (e instanceof CliError && e.message === noObjectsMessage(verb)) return { items: [], errors: [], single: singleFile(files) };
      throw e;
    }
  }
  if (!source) {
    const { localSource } = await import('../object-source');
    source = await localSource(ctx);
  }
  const api = source;
  // The Builder's Subresource: each named object read through its subresource's GET (a Scale, say) and nothing else.
  const read = async (type: ResourceType, ns: string | undefined, name: string): Promise<KObject | undefined> => {
    if (!opts.subresource) return api.tryGet(type, ns, name);
    try {
      return await api.getSubresource(type, ns, name, opts.subresource);
    } catch (e) {
      // The object missing is reported as tryGet's; a kind without the subresource fails the verb.
      if (e instanceof ApiError && e.reason === 'NotFound' && e.message === ApiError.notFound(pluralGroup(type), name).message) return undefined;
      throw e;
    }
  };
  if (files.length || flags.kustomize) {
    if (resources.length) throw new CliError('Cannot specify both a filename and a resource argument'); // as the Builder's error
    const { items, errors } = await fileObjects(ctx, flags, verb, api, !!opts.latest || !!opts.asFiled, !!opts.typed);
    const { requireNamespace, namespaceMismatch } = await import('../manifest-input');
    if (opts.asFiled) {
      const namespaceErrors: string[] = [];
      const kept = items.filter((t) => {
        const mismatch = t.type.namespaced ? namespaceMismatch(ctx, t.object.metadata?.namespace) : undefined;
        if (mismatch) namespaceErrors.push(mismatch);
        return !mismatch;
      });
      return { items: kept, errors, single: singleFile(files), namespaceErrors };
    }
    const live: Target[] = [];
    const readErrors: ApiError[] = [];
    for (const t of items) {
      const ns = t.type.namespaced ? t.object.metadata.namespace : undefined;
      const name = t.object.metadata.name;
      let obj: KObject | undefined = t.object;
      if (name) obj = await read(t.type, ns, name);
      else if (!opts.visit) {
        // The client's request builder refuses an empty name; the other documents go on.
        errors.push('error: resource name may not be empty\n');
        continue;
      }
      if (!obj) {
        const e = opts.plainNotFound ? ApiError.notFound(pluralGroup(t.type), name!) : await notFoundError(api, t.type, ns, name!);
        if (opts.visit) readErrors.push(e);
        else errors.push(formatApiError(e));
        continue;
      }
      const namespaceError = opts.visit ? namespaceMismatch(ctx, ns) : undefined;
      if (opts.latest && !opts.visit) requireNamespace(ctx, ns);
      live.push({ ...t, object: obj, ...(namespaceError ? { namespaceError } : {}) });
    }
    if (opts.visit) return { items: live, errors, single: singleFile(files), readErrors };
    return { items: live, errors, single: singleFile(files) };
  }
  if (resources.length === 0) throw new CliError(noResourcesError(flags));
  const selections = await api.selections(resources);
  const named = selections.some((s) => s.names.length > 0);
  if (named && (flags.selector || flags.all)) {
    throw new CliError(flags.selector ? 'name cannot be provided when a selector is specified' : 'name cannot be provided when --all is specified');
  }
  if (!named && !flags.selector && !flags.all && !flags.fieldSelector) throw new CliError('resource(s) were provided, but no name was specified');
  const items: Target[] = [];
  const errors: string[] = [];
  for (const sel of selections) {
    if (sel.names.length) {
      for (const name of sel.names) {
        const ns = sel.type.namespaced ? ctx.namespace : undefined;
        const obj = await read(sel.type, ns, name);
        if (obj) items.push({ type: sel.type, object: obj });
        else errors.push(formatApiError(await notFoundError(api, sel.type, ns, name)));
      }
    } else {
      const ns = flags.allNamespaces ? undefined : ctx.namespace;
      for (const obj of await api.list(sel.type, ns, flags.selector, flags.fieldSelector)) {
        const m = obj.metadata;
        const object = opts.subresource ? await api.getSubresource(sel.type, sel.type.namespaced ? m.namespace : undefined, m.name!, opts.subresource) : obj;
        items.push({ type: sel.type, object });
      }
    }
  }
  const single = selections.length === 1 && selections[0].names.length === 1;
  return { items, errors, single };
}
