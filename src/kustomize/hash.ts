// The name suffix hash of generated ConfigMaps and Secrets, computed as kustomize's api/hasher
// does: Go's json.Marshal of {kind, name, data[, binaryData]} (sorted keys, HTML-safe escapes),
// sha256, the first 10 hex digits with 0,1,3,a,e swapped for g,h,k,m,t.
import { createHash } from 'node:crypto';
import { isMap, type Obj } from './resource';

/** encoding/json's string escaping (with SetEscapeHTML(true), the default). */
function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go's json.Marshal of a decoded JSON value: map keys sorted by bytes. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(goJson).join(',') + ']';
  const keys = Object.keys(v as object).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return '{' + keys.map((k) => goJsonString(k) + ':' + goJson((v as Obj)[k])).join(',') + '}';
}

export function encodeHash(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
}

/**
 * A field as kustomize's getNodeValues reads it: "" when missing, the map, or the scalar text.
 * kyaml's Lookup takes "metadata/name" as one key, so the name never counts (always "").
 */
function nodeValue(obj: Obj, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isMap(cur) || !(p in cur)) return '';
    cur = cur[p];
  }
  if (cur === null || cur === undefined) return '';
  if (isMap(cur) || Array.isArray(cur)) return cur;
  return String(cur);
}

export function hashResource(obj: Obj): string {
  const kind = obj.kind;
  let encoded: string;
  if (kind === 'ConfigMap') {
    const m: Obj = { kind: 'ConfigMap', name: nodeValue(obj, ['metadata/name']), data: nodeValue(obj, ['data']) };
    const bin = nodeValue(obj, ['binaryData']);
    if (isMap(bin)) m.binaryData = bin;
    encoded = goJson(m);
  } else if (kind === 'Secret') {
    const m: Obj = { kind: 'Secret', type: nodeValue(obj, ['type']), name: nodeValue(obj, ['metadata/name']), data: nodeValue(obj, ['data']) };
    const sd = nodeValue(obj, ['stringData']);
    if (isMap(sd)) m.stringData = sd;
    encoded = goJson(m);
  } else {
    encoded = goJson(obj);
  }
  return encodeHash(sha256Hex(encoded));
}
