// The `replacements` field (kustomize's ReplacementTransformer, api/filters/replacement at
// kustomize v5.5.0): copy one field of a source object into fields of target objects. Paths
// are kyaml's: `a.b.[name=x].c`, numeric indexes, `*`, `[=value]` for scalar lists.
import { parseDocument } from 'yaml';
import type { Loader } from './loader';
import { parseYamlDocs, selectorMatches } from './patches';
import { curId, gvkSelected, idString, isMap, KustomizeError, nsEq, type Obj, type ResId, type Resource } from './resource';

interface IdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}
interface TargetSelect extends IdSelector {
  labelSelector?: string;
  annotationSelector?: string;
}
interface FieldOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}
interface Replacement {
  source?: IdSelector & { fieldPath?: string; options?: FieldOptions };
  targets?: { select?: TargetSelect; reject?: TargetSelect[]; fieldPaths?: string[]; options?: FieldOptions }[];
}
export interface ReplacementArgs extends Replacement {
  path?: string;
}

const DEFAULT_PATH = 'metadata.name';

/** kyaml's SmarterPathSplitter: split on dots, except inside `[...]`. */
export function splitFieldPath(p: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of p) {
    if (ch === '[') depth++;
    if (ch === ']' && depth > 0) depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const isIdx = (p: string) => /^\+?\d+$/.test(p);
const isListIndex = (p: string) => p.startsWith('[') && p.endsWith(']');

function splitIndex(p: string): [string, string] {
  const body = p.slice(1, -1);
  const i = body.indexOf('=');
  if (i < 0) throw new KustomizeError('list path element must contain fieldName=fieldValue for element to match');
  return [body.slice(0, i), body.slice(i + 1)];
}

/** A scalar's text as kyaml holds it (the node's Value; empty for maps and lists). */
function scalarText(v: unknown): string {
  return v === null || v === undefined || typeof v === 'object' ? '' : String(v);
}

/** An untagged scalar node's value when printed: YAML resolves its plain text. */
function resolvePlain(s: string): unknown {
  try {
    const v = parseDocument(s).toJS();
    return v === null || typeof v === 'object' ? (s === '' || /^(~|null|Null|NULL)$/.test(s) ? null : s) : v;
  } catch {
    return s;
  }
}

/** yaml.Lookup (a PathGetter without create), as the source side reads its field. */
export function lookup(node: unknown, path: string[]): unknown {
  let cur = node;
  for (const part of path.map((p) => p.trim()).filter((p) => p !== '')) {
    if (cur === null || cur === undefined) return undefined;
    if (/^-?\d+$/.test(part)) {
      const i = Number(part);
      if (i < 0) throw new KustomizeError(`error looking up replacement source: array index ${i} cannot be negative`);
      cur = Array.isArray(cur) ? cur[i] : undefined;
    } else if (part === '-') cur = Array.isArray(cur) ? cur[cur.length - 1] : undefined;
    else if (part === '*') throw new KustomizeError('error looking up replacement source: wildcard is not supported in PathGetter');
    else if (isListIndex(part)) {
      const [k, v] = splitIndex(part);
      cur = Array.isArray(cur) ? cur.find((e) => (k === '' ? !isMap(e) && scalarText(e) === v : isMap(e) && scalarText(e[k]) === v)) : undefined;
    } else cur = isMap(cur) ? cur[part] : undefined;
  }
  return cur;
}

/** A place a value can be written: the container and the key (or index) in it. */
interface Slot {
  c: Obj | unknown[];
  k: string | number;
}
type Kind = 'map' | 'seq' | 'scalar' | undefined;

function kindOf(v: unknown): Kind {
  return Array.isArray(v) ? 'seq' : isMap(v) ? 'map' : 'scalar';
}

function emptyOf(next: string | undefined, create: Kind): unknown {
  const k = next !== undefined && (isListIndex(next) || isIdx(next)) ? 'seq' : next !== undefined && next !== '' ? 'map' : create;
  return k === 'seq' ? [] : k === 'map' ? {} : CREATED;
}

/** A scalar node made by `create`: untagged, so its value prints as its plain text resolves. */
const CREATED = Symbol('created scalar');

/** kyaml's PathMatcher: every field the path reaches, creating missing ones with `create`. */
function matchPath(slot: Slot, path: string[], create: Kind, out: Slot[]): void {
  const node = (slot.c as Record<string | number, unknown>)[slot.k];
  if (path.length === 0) {
    out.push(slot);
    return;
  }
  const [part, next] = [path[0], path[1]];
  const rest = path.slice(1);
  if (isIdx(part)) {
    if (!Array.isArray(node)) throw new KustomizeError(`wrong node kind: expected SequenceNode but got ${kindOf(node) === 'map' ? 'MappingNode' : 'ScalarNode'}`);
    const i = Number(part);
    if (node.length === i && create) node.push(emptyOf(next, create));
    if (node.length < i + 1) throw new KustomizeError(`index ${i} specified but only ${node.length} elements found`);
    matchPath({ c: node, k: i }, rest, create, out);
    return;
  }
  if (isListIndex(part)) {
    const [field, pattern] = splitIndex(part);
    if (!Array.isArray(node)) return;
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch (e) {
      throw new KustomizeError(`error parsing regexp: ${(e as Error).message}`);
    }
    const before = out.length;
    node.forEach((el, i) => {
      if (field === '' ? !isMap(el) && !Array.isArray(el) && re.test(scalarText(el)) : isMap(el) && el[field] !== undefined && el[field] !== null && re.test(scalarText(el[field]))) {
        matchPath({ c: node, k: i }, rest, create, out);
      }
    });
    if (out.length > before || !create) return;
    node.push(field === '' ? pattern : { [field]: pattern });
    matchPath(slot, path, create, out);
    return;
  }
  if (part === '*') {
    if (!Array.isArray(node)) throw new KustomizeError(`wrong node kind: expected SequenceNode but got ${kindOf(node) === 'map' ? 'MappingNode' : 'ScalarNode'}`);
    node.forEach((_, i) => matchPath({ c: node, k: i }, rest, create, out));
    return;
  }
  if (!isMap(node)) return;
  if (node[part] === undefined) {
    if (!create) return;
    node[part] = emptyOf(next, create);
  }
  matchPath({ c: node, k: part }, rest, create, out);
}

function setField(slot: Slot, value: unknown, opts: FieldOptions | undefined): void {
  const box = slot.c as Record<string | number, unknown>;
  const target = box[slot.k];
  const scalar = target === CREATED || kindOf(target) === 'scalar';
  let v = value;
  if (opts?.delimiter) {
    if (!scalar) throw new KustomizeError('delimiter option can only be used with scalar nodes');
    const tv = (target === CREATED ? '' : scalarText(target)).split(opts.delimiter);
    const idx = opts.index ?? 0;
    if (idx < 0) tv.unshift(scalarText(value));
    else if (idx >= tv.length) tv.push(scalarText(value));
    else tv[idx] = scalarText(value);
    v = tv.join(opts.delimiter);
  }
  if (!scalar || kindOf(v) !== 'scalar') {
    box[slot.k] = structuredClone(v);
    return;
  }
  // A scalar target keeps its own tag and takes only the value's text.
  const text = scalarText(v);
  if (target === CREATED || target === null) box[slot.k] = resolvePlain(text);
  else if (typeof target === 'string') box[slot.k] = text;
  else {
    const r = resolvePlain(text);
    box[slot.k] = typeof r === typeof target ? r : text;
  }
}

function allIds(r: Resource): ResId[] {
  return [curId(r), ...r.prevIds];
}

/** resid.IsSelectedBy: exact match on each part the selector sets; namespaces as kustomize compares them. */
function idSelected(id: ResId, sel: IdSelector): boolean {
  if (sel.name && sel.name !== id.name) return false;
  if (sel.namespace && !nsEq({ ...id, namespace: sel.namespace }, id)) return false;
  return gvkSelected(id, sel);
}

const idEmpty = (s: IdSelector) => !s.group && !s.version && !s.kind && !s.name && !s.namespace;

function selectorId(s: IdSelector): ResId {
  return { group: s.group ?? '', version: s.version ?? '', kind: s.kind ?? '', name: s.name ?? '', namespace: s.namespace ?? '' };
}

function optionsString(o: FieldOptions | undefined): string {
  if (!o || (!o.delimiter && !o.create)) return '';
  return `${o.delimiter ?? ''}(${o.index ?? 0}), create=${Boolean(o.create)}`;
}

function sourceString(s: NonNullable<Replacement['source']>): string {
  return [idString(selectorId(s)), s.fieldPath ?? '', optionsString(s.options)].filter((x, i) => i === 0 || x !== '').join(':');
}

function labelsAndAnnotations(r: Resource, sel: TargetSelect): boolean {
  const md = isMap(r.obj.metadata) ? r.obj.metadata : {};
  return selectorMatches(md.annotations, sel.annotationSelector) && selectorMatches(md.labels, sel.labelSelector);
}

function sourceValue(res: Resource[], rep: Replacement): unknown {
  const src = rep.source!;
  const matches = res.filter((r) => allIds(r).some((id) => idSelected(id, src)));
  if (matches.length > 1) throw new KustomizeError(`multiple matches for selector ${sourceString(src)}`);
  if (matches.length === 0) throw new KustomizeError(`nothing selected by ${sourceString(src)}`);
  const fieldPath = src.fieldPath || DEFAULT_PATH;
  const v = lookup(matches[0].obj, splitFieldPath(fieldPath));
  const empty = v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
  if (empty) throw new KustomizeError(`fieldPath \`${fieldPath}\` is missing for replacement source ${idString(selectorId(src))}`);
  const o = src.options;
  if (!o?.delimiter) return v;
  if (kindOf(v) !== 'scalar') throw new KustomizeError('delimiter option can only be used with scalar nodes');
  const parts = scalarText(v).split(o.delimiter);
  const i = o.index ?? 0;
  if (i >= parts.length || i < 0) throw new KustomizeError(`options.index ${i} is out of bounds for value ${scalarText(v)}`);
  return typeof v === 'string' ? parts[i] : resolvePlain(parts[i]);
}

function fieldError(fp: string, create: boolean): string {
  return create ? `unable to find or create field ${JSON.stringify(fp)} in replacement target` : `unable to find field ${JSON.stringify(fp)} in replacement target`;
}

function applyTargets(res: Resource[], value: unknown, targets: NonNullable<Replacement['targets']>): void {
  for (const t of targets) {
    if (!isMap(t) || !t.select) throw new KustomizeError('target must specify resources to select');
    const fieldPaths = t.fieldPaths?.length ? t.fieldPaths : [DEFAULT_PATH];
    for (const r of res) {
      if (!labelsAndAnnotations(r, t.select)) continue;
      if ((t.reject ?? []).some((rj) => (rj.labelSelector || rj.annotationSelector) && labelsAndAnnotations(r, rj))) continue;
      const ids = allIds(r);
      if ((t.reject ?? []).some((rj) => !idEmpty(rj) && ids.some((id) => idSelected(id, rj)))) continue;
      if (!ids.some((id) => idSelected(id, t.select!))) continue;
      for (const fp of fieldPaths) {
        const create: Kind = t.options?.create ? kindOf(value) : undefined;
        const slots: Slot[] = [];
        try {
          matchPath({ c: r, k: 'obj' } as unknown as Slot, splitFieldPath(fp), create, slots);
        } catch (e) {
          throw new KustomizeError(`${fieldError(fp, Boolean(create))}: ${(e as Error).message}`);
        }
        if (slots.length === 0) throw new KustomizeError(fieldError(fp, Boolean(create)));
        for (const s of slots) setField(s, value, t.options);
      }
    }
  }
}

/** Reads `replacements` entries: inline ones as they are, `path:` ones from their file (one or a list). */
export function loadReplacements(ldr: Loader, entries: ReplacementArgs[]): Replacement[] {
  const out: Replacement[] = [];
  for (const e of entries as ReplacementArgs[]) {
    if (e.path && (e.source || e.targets?.length)) throw new KustomizeError('cannot specify both path and inline replacement');
    if (!e.path) {
      out.push(e);
      continue;
    }
    const docs = parseYamlDocs(ldr.load(e.path).toString('utf8'), e.path);
    const v = docs[0];
    if (Array.isArray(v)) out.push(...(v as Replacement[]));
    else if (isMap(v)) out.push(v as Replacement);
    else throw new KustomizeError(`unsupported replacement type encountered within replacement path: ${typeof v === 'string' ? 'string' : 'invalid'}`);
  }
  return out;
}

export function transformReplacements(res: Resource[], reps: Replacement[]): void {
  for (const rep of reps) {
    if (!rep.source || !rep.targets) throw new KustomizeError('replacements must specify a source and at least one target');
    applyTargets(res, sourceValue(res, rep), rep.targets);
  }
  // kustomize reads the filtered objects back with annotations as strings (labels keep types).
  for (const r of res) {
    const a = isMap(r.obj.metadata) ? r.obj.metadata.annotations : undefined;
    if (isMap(a)) for (const [k, v] of Object.entries(a)) if (typeof v !== 'string' && v !== null && !isMap(v) && !Array.isArray(v)) a[k] = String(v);
  }
}
