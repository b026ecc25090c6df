// kustomize's ReplacementTransformer (api/filters/replacement): copy one field of a source
// object into fields of target objects. A source is selected by group/version/kind/name/
// namespace (exactly one object); its fieldPath (default metadata.name) may be cut with
// options.delimiter/index. Targets are selected the same way (minus `reject`); each fieldPath
// is looked up (`a.b`, `list.[name=x].c`, `list.0`, `*`), created with options.create, and
// set, or, with a delimiter, one element of the value is replaced.
import { curId, idString, isMap, KustomizeError, cloneObj, type Obj, type ResId, type Resource } from './resource';

interface IdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

interface FieldOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

export interface Replacement {
  path?: string;
  source?: IdSelector & { fieldPath?: string; options?: FieldOptions };
  targets?: { select?: IdSelector; reject?: IdSelector[]; fieldPaths?: string[]; options?: FieldOptions }[];
}

const DEFAULT_FIELD_PATH = 'metadata.name';

function matches(sel: IdSelector, id: ResId): boolean {
  return (
    (!sel.group || sel.group === id.group) &&
    (!sel.version || sel.version === id.version) &&
    (!sel.kind || sel.kind === id.kind) &&
    (!sel.name || sel.name === id.name) &&
    (!sel.namespace || sel.namespace === id.namespace)
  );
}

/** The selector as kustomize names it in its errors (a ResId string). */
function selectorString(s: IdSelector): string {
  return idString({ group: s.group ?? '', version: s.version ?? '', kind: s.kind ?? '', name: s.name ?? '', namespace: s.namespace ?? '' });
}

/** kyaml's SmarterPathSplitter: `.` separates, except inside `[...]`. */
function splitFieldPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of path) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Every node `path` reaches in `root`, as (container, key) pairs; `create` makes missing maps. */
function lookup(root: unknown, path: string[], create: boolean, leaf: unknown): { container: Obj | unknown[]; key: string | number }[] {
  const found: { container: Obj | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown, i: number, container: Obj | unknown[] | undefined, key: string | number | undefined) => {
    if (i === path.length) {
      if (container !== undefined && key !== undefined) found.push({ container, key });
      return;
    }
    const seg = path[i];
    const last = i === path.length - 1;
    const elem = /^\[(.+?)=(.*)\]$/.exec(seg);
    if (Array.isArray(node)) {
      if (seg === '*' || seg === '[*]') return node.forEach((el, j) => walk(el, i + 1, node, j));
      if (elem) {
        const [, k, v] = elem;
        let hit = false;
        node.forEach((el, j) => {
          if (isMap(el) && String(el[k]) === v) {
            hit = true;
            walk(el, i + 1, node, j);
          }
        });
        if (!hit && create) {
          const el: Obj = { [k]: v };
          node.push(el);
          walk(el, i + 1, node, node.length - 1);
        }
        return;
      }
      if (/^\d+$/.test(seg) && Number(seg) < node.length) walk(node[Number(seg)], i + 1, node, Number(seg));
      return;
    }
    if (!isMap(node)) return;
    if (seg === '*') return Object.keys(node).forEach((k) => walk(node[k], i + 1, node, k));
    if (!(seg in node) || node[seg] === null) {
      if (!create) return;
      const nextIsList = !last && /^\[.+=.*\]$/.test(path[i + 1]);
      node[seg] = last ? (isMap(leaf) ? {} : Array.isArray(leaf) ? [] : '') : nextIsList ? [] : {};
    }
    walk(node[seg], i + 1, node, seg);
  };
  walk(root, 0, undefined, undefined);
  return found;
}

function sourceValue(res: Resource[], r: Replacement): unknown {
  const src = r.source!;
  const hits = res.filter((x) => matches(src, curId(x)));
  if (hits.length > 1) throw new KustomizeError(`multiple matches for selector ${selectorString(src)}`);
  if (hits.length === 0) throw new KustomizeError(`nothing selected by ${selectorString(src)}`);
  const fieldPath = src.fieldPath || DEFAULT_FIELD_PATH;
  const at = lookup(hits[0].obj, splitFieldPath(fieldPath), false, undefined);
  if (at.length === 0) throw new KustomizeError(`fieldPath \`${fieldPath}\` is missing for replacement source ${curId(hits[0]).kind}.${curId(hits[0]).version}.${curId(hits[0]).group ? curId(hits[0]).group + '/' : ''}${curId(hits[0]).name}.${curId(hits[0]).namespace || '[noNs]'}`);
  const { container, key } = at[0];
  const value = (container as Record<string | number, unknown>)[key];
  const o = src.options;
  if (!o?.delimiter) return cloneObj(value);
  if (typeof value === 'object' && value !== null) throw new KustomizeError('delimiter option can only be used with scalar nodes');
  const parts = String(value).split(o.delimiter);
  const index = o.index ?? 0;
  if (index >= parts.length || index < 0) throw new KustomizeError(`options.index ${index} is out of bounds for value ${String(value)}`);
  return parts[index];
}

/** Runs the replacements of one kustomization over its resources, in order. */
export function transformReplacements(res: Resource[], replacements: Replacement[]): void {
  for (const r of replacements) {
    if (!r.source || !r.targets) throw new KustomizeError('replacements must specify a source and at least one target');
    const value = sourceValue(res, r);
    for (const t of r.targets) {
      if (!t.select) throw new KustomizeError('target must specify resources to select');
      for (const x of res) {
        const id = curId(x);
        if (!matches(t.select, id) || (t.reject ?? []).some((rj) => matches(rj, id))) continue;
        for (const fp of t.fieldPaths?.length ? t.fieldPaths : [DEFAULT_FIELD_PATH]) {
          const path = splitFieldPath(fp);
          const at = lookup(x.obj, path, !!t.options?.create, value);
          if (at.length === 0 && !t.options?.create) throw new KustomizeError(`unable to find field "${fp}" in replacement target`);
          for (const { container, key } of at) setValue(container as Record<string | number, unknown>, key, value, t.options);
        }
      }
    }
  }
}

function setValue(container: Record<string | number, unknown>, key: string | number, value: unknown, o: FieldOptions | undefined): void {
  if (!o?.delimiter) {
    container[key] = cloneObj(value);
    return;
  }
  const cur = container[key];
  if (typeof cur === 'object' && cur !== null) throw new KustomizeError('delimiter option can only be used with scalar nodes');
  const parts = String(cur ?? '').split(o.delimiter);
  const index = o.index ?? 0;
  if (index < 0) parts.unshift(String(value));
  else if (index >= parts.length) parts.push(String(value));
  else parts[index] = String(value);
  container[key] = parts.join(o.delimiter);
}
