// configMapGenerator and secretGenerator: key/value pairs from envs, literals and files (in
// that order, as kustomize's kv loader reads them), generator options, and `behavior`.
import * as path from 'node:path';
import type { Loader } from './loader';
import { isMap, KustomizeError, type Obj, type Resource } from './resource';

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: string;
  literals?: string[];
  files?: string[];
  envs?: string[];
  env?: string;
  options?: GeneratorOptions;
  type?: string;
}

/** types.MergeGlobalOptionsIntoLocal: local values win, global fills in. */
export function mergeOptions(local: GeneratorOptions | undefined, global: GeneratorOptions | undefined): GeneratorOptions | undefined {
  if (!global) return local;
  const out: GeneratorOptions = { ...(local ?? {}) };
  const fill = (l: Record<string, string> | undefined, g: Record<string, string> | undefined) => {
    if (!l) return g ? { ...g } : undefined;
    const r = { ...l };
    for (const [k, v] of Object.entries(g ?? {})) if (!(k in r)) r[k] = v;
    return r;
  };
  out.labels = fill(local?.labels, global.labels);
  out.annotations = fill(local?.annotations, global.annotations);
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

// kustomize's FieldValidator (api/internal/validate) checks neither env names nor keys: its
// IsEnvVarName and ErrIfInvalidKey are no-ops, so any key is accepted here too.

function envLines(text: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    let line = i === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    line = line.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    out.push([key, eq < 0 ? '' : line.slice(eq + 1)]);
  });
  return out;
}

function fileSource(source: string): [string, string] {
  const n = source.split('=').length - 1;
  if (n === 0) return [path.posix.basename(source), source];
  if (n === 1 && source.startsWith('=')) throw new KustomizeError(`missing key name for file path "${source.slice(1)}" in source "${source}"`);
  if (n === 1 && source.endsWith('=')) throw new KustomizeError(`missing file path for key name "${source.slice(0, -1)}" in source "${source}"`);
  if (n > 1) throw new KustomizeError(`source "${source}" key name or file path contains '='`);
  const [k, f] = source.split('=');
  return [k, f];
}

function pairs(ldr: Loader, args: GeneratorArgs): [string, string][] {
  const all: [string, string][] = [];
  const envs = [...(args.envs ?? []), ...(args.env ? [args.env] : [])];
  for (const e of envs) {
    try {
      all.push(...envLines(ldr.load(e).toString('utf8')));
    } catch (err) {
      throw new KustomizeError(`env source files: [${envs.join(' ')}]: ${(err as Error).message}`);
    }
  }
  for (const l of args.literals ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new KustomizeError(`literal sources [${(args.literals ?? []).join(' ')}]: invalid literal source ${l}, expected key=value`);
    all.push([l.slice(0, eq), removeQuotes(l.slice(eq + 1))]);
  }
  for (const f of args.files ?? []) {
    try {
      const [k, p] = fileSource(f);
      all.push([k, ldr.load(p).toString('latin1')]);
    } catch (err) {
      throw new KustomizeError(`file sources: [${(args.files ?? []).join(' ')}]: ${(err as Error).message}`);
    }
  }
  return all;
}

function dataMap(ldr: Loader, args: GeneratorArgs): Map<string, string> {
  let kv: [string, string][];
  try {
    kv = pairs(ldr, args);
  } catch (e) {
    throw new KustomizeError(`loading KV pairs: ${(e as Error).message}`);
  }
  const out = new Map<string, string>();
  for (const [k, v] of kv) {
    if (out.has(k)) throw new KustomizeError(`configmap ${args.name} illegally repeats the key \`${k}\``);
    out.set(k, v);
  }
  return out;
}

/** Bytes read as latin1 back to their bytes: valid UTF-8 becomes text, the rest binary. */
function asUtf8(latin1: string): { text?: string; bytes: Buffer } {
  const bytes = Buffer.from(latin1, 'latin1');
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: text.decode(bytes), bytes };
  } catch {
    return { bytes };
  }
}

/** kyaml's encodeBase64: lines of 70 characters, each ending in a newline, once it is that long. */
export function encodeBase64(bytes: Buffer): string {
  const enc = bytes.toString('base64');
  if (enc.length < 70) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += enc.slice(i, i + 70) + '\n';
  return out;
}

function sortedKeys(m: Map<string, string>): string[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function applyOptions(obj: Obj, opts: GeneratorOptions | undefined): void {
  if (!opts) return;
  const md = obj.metadata as Obj;
  for (const k of Object.keys(opts.labels ?? {}).sort()) ((md.labels ??= {}) as Obj)[k] = String(opts.labels![k]);
  for (const k of Object.keys(opts.annotations ?? {}).sort()) ((md.annotations ??= {}) as Obj)[k] = String(opts.annotations![k]);
  if (opts.immutable) obj.immutable = true;
}

function base(kind: string, args: GeneratorArgs): Obj {
  if (!args.name) throw new KustomizeError('a configmap must have a name');
  const md: Obj = { name: args.name };
  if (args.namespace) md.namespace = args.namespace;
  return { apiVersion: 'v1', kind, metadata: md };
}

export function generate(ldr: Loader, kind: 'ConfigMap' | 'Secret', args: GeneratorArgs, global: GeneratorOptions | undefined): Resource {
  const opts = mergeOptions(args.options, global);
  const obj = base(kind, args);
  if (kind === 'Secret') obj.type = args.type || 'Opaque';
  const m = dataMap(ldr, args);
  const data: Obj = {};
  const binary: Obj = {};
  for (const k of sortedKeys(m)) {
    const raw = m.get(k)!;
    // Literals are text already; file contents were read as latin1 to keep their bytes.
    const fromFile = (args.files ?? []).some((f) => fileSource(f)[0] === k);
    const { text, bytes } = fromFile ? asUtf8(raw) : { text: raw, bytes: Buffer.from(raw, 'utf8') };
    if (kind === 'Secret') data[k] = encodeBase64(bytes);
    else if (text !== undefined) data[k] = text;
    else binary[k] = encodeBase64(bytes);
  }
  if (Object.keys(data).length) obj.data = data;
  if (Object.keys(binary).length) obj.binaryData = binary;
  applyOptions(obj, opts);
  const behavior = args.behavior ?? '';
  if (!['', 'create', 'merge', 'replace'].includes(behavior)) throw new KustomizeError(`invalid behavior "${behavior}"`);
  return { obj, prevIds: [], prefixes: [], suffixes: [], needsHash: !opts?.disableNameSuffixHash, behavior: (behavior || 'create') as Resource['behavior'] };
}

export function dataOf(obj: Obj, field: 'data' | 'binaryData'): Record<string, unknown> {
  return isMap(obj[field]) ? (obj[field] as Record<string, unknown>) : {};
}
