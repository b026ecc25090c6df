// `config set` and `config unset` PROPERTY_NAME paths (kubectl's navigation_step_parser.go and
// modifyConfig in set.go): dot-separated steps over the internal Config type, where a map key
// (a cluster, user or context name) may itself contain dots: it runs up to the next part that
// names a field of the entry's type.

import { AUTHINFO_FIELDS, CLUSTER_FIELDS, CONTEXT_FIELDS, KubeconfigError, type Config, type Entry, type Field } from './model';
import { parseGoBool } from '../cli/flags/pflag';

const MAPS: Record<string, { fields: Field[]; type: string }> = {
  clusters: { fields: CLUSTER_FIELDS, type: 'api.Cluster' },
  users: { fields: AUTHINFO_FIELDS, type: 'api.AuthInfo' },
  contexts: { fields: CONTEXT_FIELDS, type: 'api.Context' },
};

const internalName = (f: Field) => f.internal ?? f.name;

/** Go's base64.StdEncoding.DecodeString, with its error text. */
export function decodeBase64Strict(s: string): Buffer {
  const re = /[A-Za-z0-9+/]/;
  let i = 0;
  for (; i < s.length; i++) if (!re.test(s[i])) break;
  let pad = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '=' && (j - i) < 2) pad++;
    else throw new KubeconfigError(`error decoding input value: illegal base64 data at input byte ${j}`);
  }
  if ((i + pad) % 4 !== 0 || (pad > 0 && (i % 4) + pad !== 4)) {
    throw new KubeconfigError(`error decoding input value: illegal base64 data at input byte ${pad > 0 ? i : i - (i % 4)}`);
  }
  return Buffer.from(s, 'base64');
}

function setScalar(e: Entry, f: Field, value: string, unset: boolean, rawBytes: boolean, rest: string[]): void {
  const v1 = f.name;
  if (unset && rest.length === 0) {
    delete e.fields[v1];
    return;
  }
  switch (f.kind) {
    case 'string':
      if (rest.length) throw new KubeconfigError(`can't have more steps after a string. ${rest.join('.')}`);
      e.fields[v1] = value;
      return;
    case 'bool': {
      if (rest.length) throw new KubeconfigError(`can't have more steps after a bool. ${rest.join('.')}`);
      if (value === '') {
        delete e.fields[v1];
        return;
      }
      const b = parseGoBool(value);
      if (b === undefined) throw new KubeconfigError(`strconv.ParseBool: parsing "${value}": invalid syntax`);
      e.fields[v1] = b;
      return;
    }
    case 'bytes':
      if (rest.length) throw new KubeconfigError(`can't have more steps after bytes. ${rest.join('.')}`);
      e.fields[v1] = rawBytes ? Buffer.from(value) : decodeBase64Strict(value);
      return;
    case 'strings':
      throw new KubeconfigError('unrecognized slice type. string');
    default:
      throw new KubeconfigError(`unable to parse one or more field values of ${f.name}`);
  }
}

/** Sets (or, with unset, clears) the property at `path` in `c`. */
export function modifyProperty(c: Config, path: string, value: string, unset: boolean, rawBytes: boolean): void {
  const parts = path.split('.');
  const [first, ...rest] = parts;
  if (first === 'current-context' || first === 'kind' || first === 'apiVersion') {
    if (rest.length) throw new KubeconfigError(`can't have more steps after a string. ${rest.join('.')}`);
    if (first === 'current-context') c.currentContext = unset ? '' : value;
    return;
  }
  if (first === 'preferences') {
    if (rest.length === 0) {
      if (unset) c.preferences = {};
      else throw new KubeconfigError(`unable to locate path {  <nil>} under {${c.preferences.colors ? 'true' : 'false'} map[]}`);
      return;
    }
    if (rest[0] !== 'colors' && rest[0] !== 'extensions') throw new KubeconfigError(`unable to parse ${path} after [{preferences api.Preferences}] at api.Preferences`);
    if (rest[0] === 'colors') {
      const holder: Entry = { fields: { colors: c.preferences.colors }, origin: '' };
      setScalar(holder, { name: 'colors', kind: 'bool' }, value, unset, rawBytes, rest.slice(1));
      if (holder.fields.colors) c.preferences.colors = true;
      else delete c.preferences.colors;
      return;
    }
    throw new KubeconfigError(`unable to parse one or more field values of ${path}`);
  }
  const map = MAPS[first];
  if (!map) {
    if (first === 'extensions') throw new KubeconfigError(`unable to parse one or more field values of ${path}`);
    throw new KubeconfigError(`unable to parse ${path} after [] at api.Config`);
  }
  const entries = c[first as 'clusters' | 'users' | 'contexts'];
  if (rest.length === 0) {
    if (unset) entries.clear();
    else throw new KubeconfigError(`can't set a map to a value: map[${[...entries.keys()].sort().map((k) => `${k}:${first}`).join(' ')}]`);
    return;
  }
  // findNameStep: the key runs up to the first later part that names a field.
  const known = new Set(map.fields.map(internalName));
  let n = rest.slice(1).findIndex((p) => known.has(p)) + 1;
  if (n === 0) n = rest.length;
  const key = rest.slice(0, n).join('.');
  const after = rest.slice(n);
  if (after.length === 0) {
    if (!unset) throw new KubeconfigError(`can't set a map to a value: map[${[...entries.keys()].sort().join(' ')}]`);
    entries.delete(key);
    return;
  }
  let e = entries.get(key);
  if (!e) {
    if (unset) throw new KubeconfigError(`current map key \`${key}\` is invalid`);
    e = { fields: {}, origin: '' };
    entries.set(key, e);
  }
  const f = map.fields.find((x) => internalName(x) === after[0])!;
  setScalar(e, f, value, unset, rawBytes, after.slice(1));
}
