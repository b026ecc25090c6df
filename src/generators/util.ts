// Shared pieces of kubectl's client-side object builders: NAME parsing, ObjectMeta in Go
// struct field order, container names, Go-compatible JSON and hashing.

import { createHash } from 'node:crypto';
import { deepCopy, type KObject, type ObjectMeta } from '../api/types';
import { CliError } from '../api/errors';
import { UsageError } from './types';
import { goJson } from '../util/go-format';

/** cmdutil's NameFromCommandArgs: exactly one positional arg before `--`. */
export function nameFromArgs(args: string[], argsLenAtDash: number | undefined, command: string): string {
  const n = argsLenAtDash === undefined || argsLenAtDash < 0 ? args.length : argsLenAtDash;
  if (n !== 1) throw new UsageError(`exactly one NAME is required, got ${n}`, command);
  return args[0];
}

/** The args after `--` (cobra's ArgsLenAtDash split). */
export function commandAfterDash(args: string[], argsLenAtDash: number | undefined): string[] {
  return argsLenAtDash === undefined || argsLenAtDash < 0 ? [] : args.slice(argsLenAtDash);
}

/**
 * ObjectMeta in Go struct order (name, namespace, creationTimestamp, labels, annotations):
 * client-side `-o json` prints fields in that order. Empty namespace/labels are omitted.
 */
export function objectMeta(
  name: string | undefined,
  namespace?: string,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): ObjectMeta {
  const m: ObjectMeta = {};
  if (name) m.name = name;
  if (namespace) m.namespace = namespace;
  m.creationTimestamp = null;
  if (labels && Object.keys(labels).length) m.labels = sortedMap(labels);
  if (annotations && Object.keys(annotations).length) m.annotations = sortedMap(annotations);
  return m;
}

/** Go marshals maps with sorted keys (byte order). */
export function sortedMap<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort(byteOrder)) out[k] = m[k];
  return out;
}

export function byteOrder(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/** A top-level object: kind, apiVersion, metadata, then the rest, in the given order. */
export function newObject(kind: string, apiVersion: string, metadata: ObjectMeta, rest: Record<string, unknown> = {}): KObject {
  return { kind, apiVersion, metadata, ...rest } as KObject;
}

const RAND_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** k8s.io/apimachinery/pkg/util/rand.String: no vowels, no confusable digits. */
export function randString(n: number, rng: () => number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += RAND_ALPHABET[Math.floor(rng() * RAND_ALPHABET.length) % RAND_ALPHABET.length];
  return s;
}

/**
 * Container name kubectl derives from an image: last path segment without `:tag`/`@digest`;
 * `_` and `.` become `-` plus a random 5-char suffix (sanitizeAndUniquify).
 */
export function containerNameFromImage(image: string, rng: () => number): string {
  const segs = image.split('/');
  let name = segs[segs.length - 1];
  if (name.includes(':')) name = name.split(':')[0];
  if (name.includes('@')) name = name.split('@')[0];
  if (/[_.]/.test(name)) name = `${name.replace(/_/g, '-').replace(/\./g, '-')}-${randString(5, rng)}`;
  return name;
}

export { goJsonString } from '../util/go-format';

/** json.Marshal of plain data, keeping object key order (callers sort maps themselves). */
export function goJsonMarshal(v: unknown): string {
  return goJson(v, '', false);
}

/** kubectl's hash suffix (`--append-hash`): sha256 of a canonical encoding, first 10 hex chars remapped. */
export function encodeHash(encoded: string): string {
  const hex = createHash('sha256').update(encoded, 'utf8').digest('hex');
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}

/** `kubectl.kubernetes.io/last-applied-configuration` as `--save-config` writes it. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * util.CreateOrUpdateAnnotation: stores the object's own compact JSON (Go struct order, with
 * a trailing newline) in the last-applied annotation, placed after labels in metadata.
 */
export function withSaveConfig(obj: KObject): KObject {
  const copy = deepCopy(obj) as KObject;
  if (copy.metadata.annotations) delete copy.metadata.annotations[LAST_APPLIED];
  if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  const text = goJsonMarshal(copy) + '\n';
  const annotations = sortedMap({ ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: text });
  return { ...obj, metadata: insertAfter(obj.metadata, 'annotations', annotations, ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels']) };
}

/** Sets `key` in `obj`, keeping Go struct order: placed after the last present key of `before`. */
export function insertAfter<T extends Record<string, unknown>>(obj: T, key: string, value: unknown, before: string[]): T {
  const out: Record<string, unknown> = {};
  let placed = false;
  const keys = Object.keys(obj).filter((k) => k !== key);
  for (const k of keys) {
    if (!placed && !before.includes(k)) {
      out[key] = value;
      placed = true;
    }
    out[k] = obj[k];
  }
  if (!placed) out[key] = value;
  return out as T;
}

export { fsErrorText } from '../util/fs-error-text';

/** utf8.Valid */
export function isValidUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

export function base64(b: Uint8Array | string): string {
  return Buffer.from(typeof b === 'string' ? Buffer.from(b, 'utf8') : b).toString('base64');
}

/** Parses `k=v,k2=v2` (labels / selectors given as a map), kubectl's ParseLabels-style errors. */
export function parseKeyValueList(s: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const kv = part.split('=');
    if (kv.length !== 2) throw new CliError(`invalid ${what} spec: ${part}`);
    out[kv[0]] = kv[1];
  }
  return out;
}
