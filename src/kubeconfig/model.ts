// client-go's kubeconfig types (clientcmd/api and its v1 serialization) as data: which
// fields each stanza has, in Go struct order, with their JSON names and kinds. kubectl reads
// a file into these types and writes them back, so whatever the types do not hold is dropped,
// empty values follow the `omitempty` tags, and YAML keys come out sorted (sigs.k8s.io/yaml).

import { GO_TYPE_META_PROBE, goJson, goJsonKind, goUnmarshalTypeError } from '../util/go-format';
import { toYaml } from '../printers/yaml';

export type FieldKind = 'string' | 'bool' | 'bytes' | 'strings' | 'raw' | 'stringMap';

export interface Field {
  /** The v1 (file) JSON name. */
  name: string;
  /** The internal type's JSON name, where it differs (what `config set` paths use). */
  internal?: string;
  kind: FieldKind;
  /** No `omitempty`: printed even when empty. */
  always?: boolean;
}

export const CLUSTER_FIELDS: Field[] = [
  { name: 'server', kind: 'string', always: true },
  { name: 'tls-server-name', kind: 'string' },
  { name: 'insecure-skip-tls-verify', kind: 'bool' },
  { name: 'certificate-authority', kind: 'string' },
  { name: 'certificate-authority-data', kind: 'bytes' },
  { name: 'proxy-url', kind: 'string' },
  { name: 'disable-compression', kind: 'bool' },
  { name: 'extensions', kind: 'raw' },
];

export const CONTEXT_FIELDS: Field[] = [
  { name: 'cluster', kind: 'string', always: true },
  { name: 'user', kind: 'string', always: true },
  { name: 'namespace', kind: 'string' },
  { name: 'extensions', kind: 'raw' },
];

export const AUTHINFO_FIELDS: Field[] = [
  { name: 'client-certificate', kind: 'string' },
  { name: 'client-certificate-data', kind: 'bytes' },
  { name: 'client-key', kind: 'string' },
  { name: 'client-key-data', kind: 'bytes' },
  { name: 'token', kind: 'string' },
  { name: 'tokenFile', kind: 'string' },
  { name: 'as', internal: 'act-as', kind: 'string' },
  { name: 'as-uid', internal: 'act-as-uid', kind: 'string' },
  { name: 'as-groups', internal: 'act-as-groups', kind: 'strings' },
  { name: 'as-user-extra', internal: 'act-as-user-extra', kind: 'raw' },
  { name: 'username', kind: 'string' },
  { name: 'password', kind: 'string' },
  { name: 'auth-provider', kind: 'raw' },
  { name: 'exec', kind: 'raw' },
  { name: 'extensions', kind: 'raw' },
];

export type Value = string | boolean | Buffer | string[] | unknown;

/** One stanza (a cluster, user or context) with the file it was read from. */
export interface Entry {
  fields: Record<string, Value>;
  /** LocationOfOrigin: the file that defines it ('' for new entries). */
  origin: string;
}

export interface Config {
  preferences: { colors?: boolean; extensions?: unknown };
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
  currentContext: string;
  extensions?: unknown;
}

export function emptyConfig(): Config {
  return { preferences: {}, clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: '' };
}

export class KubeconfigError extends Error {}

function decodeValue(f: Field, v: unknown, where: string): Value {
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(v), 'string', where, f.name));
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(v), 'bool', where, f.name));
      return v;
    case 'bytes':
      if (typeof v !== 'string') throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(v), '[]uint8', where, f.name));
      return Buffer.from(v, 'base64');
    case 'strings':
      if (!Array.isArray(v)) throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(v), '[]string', where, f.name));
      for (const s of v) if (typeof s !== 'string' && s !== null) throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(s), 'string', where, f.name));
      return v.map((s) => s ?? '');
    default:
      return v;
  }
}

function decodeStanza(fields: Field[], raw: unknown, where: string): Record<string, Value> {
  const out: Record<string, Value> = {};
  if (raw === null || raw === undefined) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    const [type, ...path] = where.split('.');
    throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(raw), `v1.${type}`, `Named${type}`, path.join('.')));
  }
  for (const f of fields) {
    const v = (raw as Record<string, unknown>)[f.name];
    if (v === undefined || v === null) continue;
    out[f.name] = decodeValue(f, v, where);
  }
  return out;
}

/** A v1 Config document (already parsed from YAML/JSON) into the internal form. */
export function decodeConfig(doc: unknown, origin: string): Config {
  const c = emptyConfig();
  if (doc === null || doc === undefined) return c;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`couldn't get version/kind; json parse error: ${goUnmarshalTypeError(goJsonKind(doc), GO_TYPE_META_PROBE)}`);
  const d = doc as Record<string, unknown>;
  const prefs = d.preferences as Record<string, unknown> | undefined;
  if (prefs && typeof prefs === 'object') {
    if (prefs.colors === true) c.preferences.colors = true;
    if (prefs.extensions) c.preferences.extensions = prefs.extensions;
  }
  // encoding/json names a field by the Go type that holds it and its JSON path.
  const lists: Array<[string, string, Field[], Map<string, Entry>, string]> = [
    ['clusters', 'cluster', CLUSTER_FIELDS, c.clusters, 'Cluster'],
    ['users', 'user', AUTHINFO_FIELDS, c.users, 'AuthInfo'],
    ['contexts', 'context', CONTEXT_FIELDS, c.contexts, 'Context'],
  ];
  for (const [key, inner, fields, map, type] of lists) {
    const list = d[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(list), `[]v1.Named${type}`, 'Config', key));
    for (const item of list) {
      const named = (item ?? {}) as Record<string, unknown>;
      if (named.name !== undefined && named.name !== null && typeof named.name !== 'string') throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(named.name), 'string', `Named${type}`, `${key}.name`));
      const name = typeof named.name === 'string' ? named.name : '';
      map.set(name, { fields: decodeStanza(fields, named[inner], `${type}.${key}.${inner}`), origin });
    }
  }
  const current = d['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') throw new KubeconfigError(goUnmarshalTypeError(goJsonKind(current), 'string', 'Config', 'current-context'));
  if (typeof current === 'string') c.currentContext = current;
  if (d.extensions) c.extensions = d.extensions;
  return c;
}

function isEmpty(v: Value): boolean {
  if (v === undefined || v === null || v === '' || v === false) return true;
  if (Buffer.isBuffer(v) || Array.isArray(v)) return v.length === 0;
  return false;
}

function encodeValue(f: Field, v: Value): unknown {
  if (f.kind === 'bytes') return (v as Buffer).toString('base64');
  if (f.name === 'exec' && v && typeof v === 'object') return encodeExec(v as Record<string, unknown>);
  return v;
}

/** v1.ExecConfig in struct order, with its defaults (interactiveMode for the beta APIs). */
function encodeExec(e: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { command: e.command ?? '', args: e.args ?? null, env: e.env ?? null };
  if (e.apiVersion) out.apiVersion = e.apiVersion;
  if (e.installHint) out.installHint = e.installHint;
  out.provideClusterInfo = e.provideClusterInfo === true;
  const mode = e.interactiveMode || (e.apiVersion === 'client.authentication.k8s.io/v1beta1' || e.apiVersion === 'client.authentication.k8s.io/v1alpha1' ? 'IfAvailable' : '');
  if (mode) out.interactiveMode = mode;
  return out;
}

function encodeStanza(fields: Field[], values: Record<string, Value>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (isEmpty(v)) {
      if (f.always) out[f.name] = f.kind === 'bool' ? false : '';
      continue;
    }
    out[f.name] = encodeValue(f, v);
  }
  return out;
}

function namedList(map: Map<string, Entry>, inner: string, fields: Field[]): unknown[] | null {
  if (map.size === 0) return null;
  return [...map.keys()].sort().map((name) => ({ name, [inner]: encodeStanza(fields, map.get(name)!.fields) }));
}

/** The v1 Config object, in Go struct order (what `-o json` prints). */
export function encodeConfig(c: Config): Record<string, unknown> {
  const prefs: Record<string, unknown> = {};
  if (c.preferences.colors) prefs.colors = true;
  if (c.preferences.extensions) prefs.extensions = c.preferences.extensions;
  const out: Record<string, unknown> = {
    kind: 'Config',
    apiVersion: 'v1',
    preferences: prefs,
    clusters: namedList(c.clusters, 'cluster', CLUSTER_FIELDS),
    users: namedList(c.users, 'user', AUTHINFO_FIELDS),
    contexts: namedList(c.contexts, 'context', CONTEXT_FIELDS),
    'current-context': c.currentContext,
  };
  if (c.extensions) out.extensions = c.extensions;
  return out;
}

/** The file's text as clientcmd.Write produces it (YAML, keys sorted). */
export function serializeConfig(c: Config): string {
  return toYaml(encodeConfig(c));
}

export function configJson(c: Config): string {
  return goJson(encodeConfig(c), '    ', false) + '\n';
}

function cloneEntry(e: Entry): Entry {
  const fields: Record<string, Value> = {};
  for (const [k, v] of Object.entries(e.fields)) fields[k] = Buffer.isBuffer(v) ? Buffer.from(v) : Array.isArray(v) ? [...v] : v && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v;
  return { fields, origin: e.origin };
}

export function cloneConfig(c: Config): Config {
  const m = (x: Map<string, Entry>) => new Map([...x].map(([k, v]) => [k, cloneEntry(v)]));
  return { preferences: { ...c.preferences }, clusters: m(c.clusters), users: m(c.users), contexts: m(c.contexts), currentContext: c.currentContext, extensions: c.extensions };
}

/** reflect.DeepEqual on two entries' contents (origin included, as in client-go). */
export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.origin === b.origin && stanzaText(a) === stanzaText(b);
}

function stanzaText(e: Entry): string {
  return JSON.stringify(Object.keys(e.fields).sort().map((k) => [k, Buffer.isBuffer(e.fields[k]) ? (e.fields[k] as Buffer).toString('base64') : e.fields[k]]));
}

// ShortenConfig: what `config view` prints unless --raw or --flatten.
export function shortenConfig(c: Config): void {
  // Made here, not when the module loads: the start-up fast path loads this module and never shortens.
  const DATA_OMITTED = Buffer.from('DATA+OMITTED', 'base64');
  for (const u of c.users.values()) {
    for (const k of ['client-key-data', 'client-certificate-data']) if (!isEmpty(u.fields[k])) u.fields[k] = DATA_OMITTED;
    if (!isEmpty(u.fields.token)) u.fields.token = 'REDACTED';
    if (!isEmpty(u.fields.password)) u.fields.password = 'REDACTED';
  }
  for (const cl of c.clusters.values()) if (!isEmpty(cl.fields['certificate-authority-data'])) cl.fields['certificate-authority-data'] = DATA_OMITTED;
}

/** MinifyConfig: only the current context and what it uses. */
export function minifyConfig(c: Config): void {
  if (!c.currentContext) throw new KubeconfigError('current-context must exist in order to minify');
  const ctx = c.contexts.get(c.currentContext);
  if (!ctx) throw new KubeconfigError(`cannot locate context ${c.currentContext}`);
  const cluster = String(ctx.fields.cluster ?? '');
  const user = String(ctx.fields.user ?? '');
  const clusters = new Map<string, Entry>();
  if (cluster) {
    const e = c.clusters.get(cluster);
    if (!e) throw new KubeconfigError(`cannot locate cluster ${cluster}`);
    clusters.set(cluster, e);
  }
  const users = new Map<string, Entry>();
  if (user) {
    const e = c.users.get(user);
    if (!e) throw new KubeconfigError(`cannot locate user ${user}`);
    users.set(user, e);
  }
  c.contexts = new Map([[c.currentContext, ctx]]);
  c.clusters = clusters;
  c.users = users;
}
