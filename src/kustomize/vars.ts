// The legacy `vars` field (kustomize's accumulator MergeVars/ResolveVars and filters/refvar,
// kustomize v5.5.0): each kustomization ties var names to the objects it holds; once the whole
// build is done, $(NAME) in the varReference fields is replaced by the named object's field.
import { FIELD_SPECS } from './fieldspecs';
import { lookup, splitFieldPath } from './replacements';
import { applyFieldSpec, curId, gvkString, isClusterScoped, isMap, KustomizeError, nsEq, type Obj, type ResId, type Resource } from './resource';
import { splitApiVersion } from '../api/resources';

export interface Var {
  name: string;
  objref?: { apiVersion?: string; group?: string; version?: string; kind?: string; name?: string; namespace?: string };
  fieldref?: { fieldPath?: string };
}

/**
 * Go's %v of a types.Var, as kustomize's var errors print it: the objref prints as its embedded
 * Gvk's String() (promoted to the Target), which takes apiVersion's parts only once defaulted.
 */
export function varString(v: Var, defaulted = false): string {
  const o = v.objref ?? {};
  const gvk = defaulted ? varTargetId(v) : { group: o.group ?? '', version: o.version ?? '', kind: o.kind ?? '' };
  return `{${v.name} ${gvkString(gvk)} {${v.fieldref?.fieldPath ?? ''}}}`;
}

/** Go's %v of a decoded YAML value (maps with sorted keys). */
function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  return v === null || v === undefined ? '<nil>' : String(v);
}

function varTargetId(v: Var): ResId {
  const o = v.objref ?? {};
  const gv = o.apiVersion ? splitApiVersion(o.apiVersion) : { group: o.group ?? '', version: o.version ?? '' };
  return { ...gv, kind: o.kind ?? '', name: o.name ?? '', namespace: o.namespace ?? '' };
}

/** The vars of a whole build, merged level by level (a name may be defined once). */
export class VarSet {
  private readonly set = new Map<string, Var>();
  private readonly refs = new Map<Resource, string[]>();

  /** ResAccumulator.MergeVars: tie each var to the one object of this level it names. */
  merge(res: Resource[], incoming: Var[]): void {
    for (const v of incoming) {
      const t = varTargetId(v);
      const exactNs = t.namespace !== '' || isClusterScoped(t);
      const eq = (id: ResId) => id.group === t.group && id.version === t.version && id.kind === t.kind && id.name === t.name && (!exactNs || nsEq(id, t));
      const matched = res.filter((r) => [curId(r), ...r.prevIds].some(eq));
      if (matched.length > 1) throw new KustomizeError(`found ${matched.length} resId matches for var ${varString(v)} (unable to disambiguate)`);
      if (matched.length === 1) this.refs.set(matched[0], [...(this.refs.get(matched[0]) ?? []), v.name]);
    }
    for (const v of incoming) {
      if (this.set.has(v.name)) throw new KustomizeError(`var '${v.name}' already encountered`);
      this.set.set(v.name, { ...v, fieldref: { fieldPath: v.fieldref?.fieldPath || 'metadata.name' } });
    }
  }

  /** ResolveVars: the value of every var, then $(NAME) replaced in the varReference fields. */
  resolve(res: Resource[], warn: (text: string) => void): void {
    const values = new Map<string, unknown>();
    for (const v of [...this.set.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const holder = res.find((r) => this.refs.get(r)?.includes(v.name));
      if (!holder) throw new KustomizeError(`var '${varString(v, true)}' cannot be mapped to a field in the set of known resources`);
      const fields = splitFieldPath(v.fieldref!.fieldPath!).flatMap((s) => {
        const m = /^(.*)\[(\d+)\]$/.exec(s);
        return m ? [...(m[1] ? [m[1]] : []), m[2]] : [s];
      });
      const value = lookup(holder.obj, fields);
      if (value === undefined) throw new KustomizeError(`field specified in var '${varString(v, true)}' not found in corresponding resource`);
      values.set(v.name, value);
    }
    if (values.size === 0) return;
    const used = new Set<string>();
    const mapping = (key: string): unknown => {
      const v = values.get(key);
      if (v === undefined) return `$(${key})`;
      if (typeof v === 'object' && v !== null) {
        warn(`${klogInfo()} MakePrimitiveReplacer: bad replacement type=${Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'} val=${goValue(v)}\n`);
        return `$(${key})`;
      }
      used.add(key);
      return v;
    };
    for (const r of res) {
      for (const fs of FIELD_SPECS.varReference) {
        applyFieldSpec(r.obj, fs, undefined, (c, k) => setRefs(c, k, mapping));
      }
    }
    const unused = [...values.keys()].filter((k) => !used.has(k));
    if (unused.length) warn(`${klogInfo()} well-defined vars that were never replaced: ${unused.join(',')}\n`);
  }
}

/** kubectl routes kustomize's log.Printf through klog: an info line from log.go:245. */
function klogInfo(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `I${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)} ${String(process.pid).padStart(7)} log.go:245]`;
}

/** refvar.Filter.set: strings, string values of a map, or a list of strings. */
function setRefs(c: Obj, k: string, mapping: (key: string) => unknown): void {
  const node = c[k];
  if (node === null || node === undefined) return;
  if (typeof node === 'string') c[k] = doReplacements(node, mapping);
  else if (Array.isArray(node)) {
    node.forEach((item, i) => {
      if (typeof item !== 'string') throw new KustomizeError('invalid value type expect a string');
      node[i] = doReplacements(item, mapping);
    });
  } else if (isMap(node)) {
    for (const [key, v] of Object.entries(node)) if (typeof v === 'string') node[key] = doReplacements(v, mapping);
  }
}

/** refvar.DoReplacements: $(NAME) expands, $$ is a literal $, a lone $(NAME) keeps the value's type. */
export function doReplacements(input: string, mapping: (key: string) => unknown): unknown {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let read: string;
    let isVar = false;
    let advance = 1;
    if (rest[0] === '$') read = '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close > 0) [read, isVar, advance] = [rest.slice(1, close), true, close + 1];
      else read = '$(';
    } else read = '$' + rest[0];
    if (isVar) {
      const mapped = mapping(read);
      if (input === `$(${read})`) return mapped;
      out += String(mapped);
    } else out += read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
