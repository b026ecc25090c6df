// `patches`, `patchesStrategicMerge` and `patchesJson6902`: strategic merge patches (applied by
// kubesim's one strategic merge implementation) and RFC 6902 patches (kubesim's JSON patch),
// with kustomize's target selectors.
import { isMap as isYamlMap, isScalar, parseAllDocuments, type Document } from 'yaml';
import { applyStrategicMergePatch } from '../api/apply/strategic-merge';
import { applyJsonPatch } from '../api/apply/json-patch';
import { toYaml } from '../printers/yaml';
import { matchesLabels, parseLabelSelector } from '../api/selectors';
import type { Loader } from './loader';
import {
  curId, effectiveNamespace, idString, isMap, KustomizeError, meta, orgId, sameId, storePreviousId,
  type Obj, type ResId, type Resource,
} from './resource';
import { splitApiVersion } from '../api/resources';
import { goQuote } from '../util/go-format';
import { goYamlValue } from '../manifest/yaml-compat';

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface PatchArgs {
  path?: string;
  patch?: string;
  target?: Selector;
  options?: Record<string, boolean>;
}

// yaml.v3 (kyaml's parser) resolves a plain integer as go-yaml v2 does, strconv.ParseInt(s, 0, 64) after
// dropping underscores: `0644` and `-012` are octal, `0b11` binary, `1_000` is 1000.
const GO_INT = {
  identify: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]+|[1-9][0-9_]*|0)$/,
  resolve: goYamlValue,
};

/**
 * kustomize's reader rewrites each object's annotations as strings (the text written, so
 * `n: 1` is "1" and `x: ~` is "~"), whatever YAML type they would resolve to; labels keep theirs.
 */
function metadataStrings(doc: Document.Parsed): void {
  const m = doc.getIn(['metadata', 'annotations'], true);
  if (!isYamlMap(m)) return;
  for (const item of m.items) {
    if (isScalar(item.value) && typeof item.value.value !== 'string') {
      item.value.value = item.value.source ?? String(item.value.value);
    }
  }
}

/** Parses YAML documents as kyaml does, dropping empty ones. */
export function parseYamlDocs(text: string, source: string): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false, customTags: (tags) => [GO_INT, ...tags] });
  const out: unknown[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) {
      const e = d.errors[0];
      throw new KustomizeError(`MalformedYAMLError: yaml: ${e.message.split('\n')[0]} in File: ${source}`);
    }
    metadataStrings(d);
    const v = d.toJS({ maxAliasCount: 10000 });
    if (v === null || v === undefined) continue;
    out.push(v);
  }
  return out;
}

function anchored(p: string | undefined): RegExp | undefined {
  if (!p) return undefined;
  try {
    return new RegExp(`^(?:${p})$`);
  } catch (e) {
    throw new KustomizeError(`error parsing regexp: ${(e as Error).message}`);
  }
}

export function selectorMatches(labels: unknown, expr: string | undefined): boolean {
  if (!expr) return true;
  let parsed;
  try {
    parsed = parseLabelSelector(expr);
  } catch (e) {
    throw new KustomizeError((e as Error).message);
  }
  return matchesLabels(parsed, isMap(labels) ? (labels as Record<string, string>) : {});
}

/** ResMap.Select: original or current namespace and name, GVK, label and annotation selectors. */
export function select(res: Resource[], sel: Selector): Resource[] {
  const [g, v, k, n, ns] = [anchored(sel.group), anchored(sel.version), anchored(sel.kind), anchored(sel.name), anchored(sel.namespace)];
  return res.filter((r) => {
    const cur = curId(r);
    const org = orgId(r);
    if (ns && !ns.test(effectiveNamespace(org)) && !ns.test(effectiveNamespace(cur))) return false;
    if (n && !n.test(org.name) && !n.test(cur.name)) return false;
    if (g && !g.test(cur.group)) return false;
    if (v && !v.test(cur.version)) return false;
    if (k && !k.test(cur.kind)) return false;
    const md = isMap(r.obj.metadata) ? r.obj.metadata : {};
    if (!selectorMatches(md.labels, sel.labelSelector)) return false;
    if (!selectorMatches(md.annotations, sel.annotationSelector)) return false;
    return true;
  });
}

// kyaml's merge knows `$patch` but no other directive: `$retainKeys`, `$setElementOrder/…` and
// `$deleteFromPrimitiveList/…` are ordinary fields to it, merged into the output as written.
// They are hidden from the strategic merge under another name and given back after it.
const LITERAL_DIRECTIVE = /^\$(retainKeys$|setElementOrder\/|deleteFromPrimitiveList\/)/;
const HIDDEN = '\u0000kyaml:';

function renameKeys(v: unknown, from: (k: string) => string | undefined): unknown {
  if (Array.isArray(v)) return v.map((e) => renameKeys(e, from));
  if (!isMap(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[from(k) ?? k] = renameKeys(x, from);
  return out;
}

function smp(r: Resource, patch: Obj, opts: Record<string, boolean> = {}): void {
  patch = renameKeys(patch, (k) => (LITERAL_DIRECTIVE.test(k) ? HIDDEN + k : undefined)) as Obj;
  const m = meta(r.obj);
  const [n, ns, kind] = [m.name, m.namespace, r.obj.kind];
  if (opts.allowNameChange || opts.allowKindChange) storePreviousId(r);
  let out: Obj;
  try {
    out = applyStrategicMergePatch(r.obj, patch, String(kind), String(r.obj.apiVersion ?? ''));
    out = renameKeys(out, (k) => (k.startsWith(HIDDEN) ? k.slice(HIDDEN.length) : undefined)) as Obj;
  } catch (e) {
    throw new KustomizeError((e as Error).message);
  }
  r.obj = out;
  if (Object.keys(out).length === 0) return;
  if (!opts.allowKindChange) out.kind = kind;
  const om = meta(out);
  if (!opts.allowNameChange) om.name = n;
  if (ns === undefined) delete om.namespace;
  else om.namespace = ns;
}

function anyIdMatches(r: Resource, id: ResId): boolean {
  return [curId(r), ...r.prevIds].some((x) => sameId(x, id));
}

function patchId(p: Obj): ResId {
  const { group, version } = splitApiVersion(String(p.apiVersion ?? ''));
  const m = isMap(p.metadata) ? p.metadata : {};
  return { group, version, kind: String(p.kind ?? ''), name: String(m.name ?? ''), namespace: String(m.namespace ?? '') };
}

export function dropEmpty(res: Resource[]): Resource[] {
  return res.filter((r) => Object.keys(r.obj).length > 0);
}

function applySmpById(res: Resource[], patch: Obj, opts: Record<string, boolean> | undefined): void {
  const id = patchId(patch);
  const found = res.filter((r) => anyIdMatches(r, id));
  if (found.length !== 1) {
    const why = found.length > 1 ? `multiple matches for Id ${idString(id)}` : `no matches for Id ${idString(id)}`;
    throw new KustomizeError(`no resource matches strategic merge patch "${idString(id)}": ${why}; failed to find unique target for patch ${idString(id)}`);
  }
  smp(found[0], patch, opts);
}

function isJsonPatch(text: string): unknown[] | undefined {
  if (text === '') return undefined;
  try {
    const v = text[0] === '[' ? JSON.parse(text) : parseYamlDocs(text, 'patch')[0];
    return Array.isArray(v) && v.every((o) => isMap(o) && typeof o.op === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function applyJson(res: Resource[], ops: unknown[], target: Selector): void {
  for (const r of select(res, target)) {
    storePreviousId(r);
    try {
      r.obj = applyJsonPatch(r.obj, ops);
    } catch (e) {
      throw new KustomizeError((e as Error).message);
    }
  }
}

/** One `patches` entry. */
export function applyPatch(res: Resource[], ldr: Loader, p: PatchArgs): Resource[] {
  const patchText = (p.patch ?? '').trim();
  let text: string;
  let source: string;
  const configError = (msg: string) => {
    const y = patchYaml(p);
    return new KustomizeError(`trouble configuring builtin PatchTransformer with config: \`\n${y}\`: ${msg}\n${y}`);
  };
  if (!patchText && !p.path) throw configError('must specify one of patch and path in');
  if (patchText && p.path) throw configError("patch and path can't be set at the same time");
  const configFail = (msg: string) => {
    const y = patchYaml(p);
    return new KustomizeError(`trouble configuring builtin PatchTransformer with config: \`\n${y}\`: ${msg}`);
  };
  if (patchText) {
    text = patchText;
    source = `[patch: ${goQuote(text)}]`;
  } else {
    try {
      text = ldr.load(p.path!).toString('utf8');
    } catch (e) {
      throw configFail(`failed to get the patch file from path(${p.path}): ${(e as Error).message}`);
    }
    source = `[path: ${goQuote(p.path!)}]`;
  }
  const ops = isJsonPatch(text);
  if (ops) {
    if (!p.target) throw new KustomizeError(`must specify a target for JSON patch ${source}`);
    applyJson(res, ops, p.target);
    return res;
  }
  let docs: unknown[];
  try {
    docs = parseYamlDocs(text, p.path ?? 'patch');
  } catch {
    throw configFail(`unable to parse SM or JSON patch from ${source}`);
  }
  const patches = docs.filter(isMap) as Obj[];
  if (patches.length === 0) throw configFail(`unable to parse SM or JSON patch from ${source}`);
  if (p.target) {
    if (patches.length > 1) throw new KustomizeError(`Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field: ${source}`);
    for (const r of select(res, p.target)) {
      const copy = structuredClone(patches[0]);
      copy.apiVersion = r.obj.apiVersion;
      smp(r, copy, p.options);
    }
  } else {
    for (const patch of patches) applySmpById(res, patch, p.options);
  }
  return dropEmpty(res);
}

/** The plugin config as kustomize marshals it into its error (empty fields omitted). */
function patchYaml(p: PatchArgs): string {
  const c: Record<string, unknown> = {};
  if (p.path) c.path = p.path;
  if (p.patch) c.patch = p.patch;
  if (p.target) c.target = p.target;
  if (p.options && Object.keys(p.options).length) c.options = p.options;
  return toYaml(c);
}

/** `patchesStrategicMerge`: each entry a file, else an inline patch. */
export function applyLegacySmp(res: Resource[], ldr: Loader, entries: string[]): Resource[] {
  for (const entry of entries) {
    let text: string;
    try {
      text = ldr.load(entry).toString('utf8');
    } catch {
      text = entry;
    }
    const docs = parseYamlDocs(text, entry).filter(isMap) as Obj[];
    for (const patch of docs) applySmpById(res, patch, undefined);
    res = dropEmpty(res);
  }
  return res;
}

export interface Json6902Args {
  target?: Selector;
  path?: string;
  patch?: string;
}

/** `patchesJson6902`: a target and a JSON or YAML list of operations. */
export function applyLegacyJson6902(res: Resource[], ldr: Loader, entries: Json6902Args[]): void {
  for (const e of entries) {
    if (!e.target) throw new KustomizeError('must specify the target field in patchesJson6902');
    let text = e.patch ?? '';
    if (e.path) text = ldr.load(e.path).toString('utf8');
    const t = text.trim();
    let ops: unknown;
    try {
      ops = t.startsWith('[') ? JSON.parse(t) : parseYamlDocs(t, e.path ?? 'patch')[0];
    } catch (err) {
      throw new KustomizeError((err as Error).message);
    }
    if (!Array.isArray(ops)) throw new KustomizeError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    applyJson(res, ops, e.target);
  }
}
