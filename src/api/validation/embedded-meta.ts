// Embedded resources (x-kubernetes-embedded-resource) carry their own apiVersion, kind and
// ObjectMeta, which kube-apiserver v1.32 decodes as Go's metav1.ObjectMeta
// (apiextensions-apiserver pkg/apiserver/schema/objectmeta: coerce.go, validation.go): fields
// ObjectMeta does not have are unknown (strict decoding) and dropped; on a read from storage a
// field of the wrong type is dropped too; the embedded metadata is validated as ObjectMeta
// with path-segment names. At the root only the unknown fields are here (the rest of the
// root's metadata is the API server's own business).

import { formatPath } from './field-path';
import { isDns1035Label, objectMetaErrors, q } from './name-rules';
import type { FieldError } from '../errors';
import type { SchemaIssue } from './validate-schema';

type S = Record<string, any>;
type Path = (string | number)[];

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown) => v === null || typeof v === 'string';
const isInt = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v));
// metav1.Time unmarshals RFC 3339 (time.RFC3339) or null.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isTime = (v: unknown) => v === null || (typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v)));
const isStrMap = (v: unknown) => v === null || (isMap(v) && Object.values(v).every(isStr));
const listOf = (ok: (x: unknown) => boolean) => (v: unknown) => v === null || (Array.isArray(v) && v.every(ok));
const isBool = (v: unknown) => v === null || typeof v === 'boolean';
const OWNER_REF: Record<string, (v: unknown) => boolean> = { apiVersion: isStr, kind: isStr, name: isStr, uid: isStr, controller: isBool, blockOwnerDeletion: isBool };
const isOwnerRef = (v: unknown) => v === null || (isMap(v) && Object.entries(v).every(([k, x]) => !OWNER_REF[k] || OWNER_REF[k](x)));
const isEntry = (v: unknown) => v === null || isMap(v);

/** metav1.ObjectMeta's JSON fields and what Go's decoder accepts for each. */
const OBJECT_META: Record<string, (v: unknown) => boolean> = {
  name: isStr, generateName: isStr, namespace: isStr, selfLink: isStr, uid: isStr, resourceVersion: isStr,
  generation: isInt, creationTimestamp: isTime, deletionTimestamp: isTime, deletionGracePeriodSeconds: isInt,
  labels: isStrMap, annotations: isStrMap, ownerReferences: listOf(isOwnerRef), finalizers: listOf(isStr),
  managedFields: listOf(isEntry),
};

/** Omitted when ObjectMeta is written back (omitempty; a zero creationTimestamp is removed). */
function emptyField(k: string, v: unknown): boolean {
  if (v === null || v === '' || (k === 'generation' && v === 0)) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isMap(v) && (k === 'labels' || k === 'annotations') && Object.keys(v).length === 0;
}

/** metav1.Time as it marshals: RFC 3339 in UTC, whole seconds. */
const asTime = (v: string) => new Date(Math.floor(Date.parse(v) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

interface Coerced {
  /** The metadata as ObjectMeta writes it back; undefined when it does not decode (and nothing is dropped). */
  meta: Record<string, unknown> | undefined;
  unknown: string[];
}

/**
 * GetObjectMetaWithOptions then SetObjectMeta: unknown fields dropped (and named), and with
 * `dropMalformed` (reads from storage) each field that does not decode dropped; without it a
 * malformed field leaves the metadata as it was.
 */
export function coerceObjectMeta(metadata: unknown, dropMalformed: boolean): Coerced {
  if (!isMap(metadata)) return { meta: undefined, unknown: [] };
  const unknown = Object.keys(metadata).filter((k) => !Object.prototype.hasOwnProperty.call(OBJECT_META, k)).sort();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    const ok = OBJECT_META[k];
    if (!ok) continue;
    if (!ok(v)) {
      if (!dropMalformed) return { meta: undefined, unknown };
      continue;
    }
    if (emptyField(k, v)) continue;
    out[k] = (k === 'creationTimestamp' || k === 'deletionTimestamp') ? asTime(v as string) : v;
  }
  return { meta: out, unknown };
}

/**
 * Visits every embedded resource below the root, as objectmeta's coercer walks object and
 * schema together (properties, additionalProperties, items).
 */
function walkEmbedded(x: unknown, s: S | undefined, path: Path, visit: (obj: Record<string, unknown>, path: Path) => void, root: boolean): void {
  if (!s || x === null || typeof x !== 'object') return;
  if (Array.isArray(x)) {
    const items = Array.isArray(s.items) ? undefined : s.items;
    x.forEach((v, i) => walkEmbedded(v, items, [...path, i], visit, false));
    return;
  }
  if (!root && s['x-kubernetes-embedded-resource'] === true) visit(x as Record<string, unknown>, path);
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const [k, v] of Object.entries(x)) {
    const sub = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : additional;
    walkEmbedded(v, sub, [...path, k], visit, false);
  }
}

const hasEmbeddedMemo = new WeakMap<S, boolean>();
/** Whether any schema node below declares an embedded resource (most CRDs: none, so reads skip the walk). */
function hasEmbedded(s: unknown): boolean {
  if (!isMap(s)) return false;
  let v = hasEmbeddedMemo.get(s);
  if (v === undefined) {
    v = s['x-kubernetes-embedded-resource'] === true
      || Object.values(isMap(s.properties) ? s.properties : {}).some(hasEmbedded)
      || hasEmbedded(s.additionalProperties) || hasEmbedded(s.items);
    hasEmbeddedMemo.set(s, v);
  }
  return v;
}

/**
 * The object with each embedded resource's metadata as ObjectMeta writes it back (copy on
 * write: `obj` itself when nothing changes). `dropMalformed`: a read from storage.
 */
export function withEmbeddedObjectMeta<T>(obj: T, schema: S | undefined, dropMalformed: boolean): T {
  if (!hasEmbedded(schema)) return obj;
  const changes: [Path, Record<string, unknown>][] = [];
  walkEmbedded(obj, schema, [], (res, path) => {
    if (!Object.prototype.hasOwnProperty.call(res, 'metadata')) return;
    const { meta, unknown } = coerceObjectMeta(res.metadata, dropMalformed);
    // On a write, unknown fields are left for strict decoding to refuse (or fieldValidation to drop).
    if (!dropMalformed && unknown.length) return;
    if (meta && JSON.stringify(meta) !== JSON.stringify(res.metadata)) changes.push([path, { ...res, metadata: meta }]);
    // A metadata that is not an object is dropped on a read (GetObjectMeta's error passed through).
    else if (!meta && dropMalformed && !isMap(res.metadata)) {
      const { metadata: _, ...rest } = res;
      changes.push([path, rest]);
    }
  }, true);
  let out: any = obj;
  for (const [path, replaced] of changes) out = setIn(out, path, replaced);
  return out as T;
}

/** A copy of `x` with the value at `path` replaced, sharing every untouched branch. */
function setIn(x: any, path: Path, value: unknown): any {
  if (!path.length) return value;
  const [k, ...rest] = path;
  const copy = Array.isArray(x) ? x.slice() : { ...x };
  copy[k as any] = setIn(x[k as any], rest, value);
  return copy;
}

const unknownFieldIssues = (metadata: unknown, path: Path): SchemaIssue[] =>
  coerceObjectMeta(metadata, false).unknown.map((f) => {
    const message = `unknown field "${formatPath([...path, 'metadata'])}.${f}"`;
    return { path: [...path, 'metadata', f], rule: 'schema/unknown-field', message, kubectlMessage: message, decodeMessage: message };
  });

/**
 * Strict decoding's unknown fields of the root's metadata (`unknown field "metadata.foo"`):
 * unstructuredSchemaCoercer decodes it as ObjectMeta before pruning the rest.
 */
export function rootMetaUnknownFields(obj: Record<string, unknown>): SchemaIssue[] {
  return Object.prototype.hasOwnProperty.call(obj, 'metadata') ? unknownFieldIssues(obj.metadata, []) : [];
}

/** Strict decoding's unknown fields of embedded metadata (`unknown field "spec.template.metadata.foo"`). */
export function embeddedMetaUnknownFields(obj: unknown, schema: S | undefined): SchemaIssue[] {
  if (!hasEmbedded(schema)) return [];
  const issues: SchemaIssue[] = [];
  walkEmbedded(obj, schema, [], (res, path) => issues.push(...unknownFieldIssues(res.metadata, path)), true);
  return issues;
}

/** objectmeta.Validate of the embedded resources (customResourceStrategy, after the schema's errors). */
export function embeddedResourceErrors(obj: unknown, schema: S | undefined): FieldError[] {
  if (!hasEmbedded(schema)) return [];
  const errs: FieldError[] = [];
  walkEmbedded(obj, schema, [], (res, path) => {
    const at = formatPath(path);
    for (const k of ['apiVersion', 'kind'] as const) {
      const v = res[k];
      if (v === undefined || v === '') continue; // Required: the schema walk already says so
      if (typeof v !== 'string') errs.push({ field: `${at}.${k}`, type: 'Invalid value', value: JSON.stringify(v), detail: 'must be a string' });
      else if (k === 'apiVersion' && v.split('/').length > 2) errs.push({ field: `${at}.apiVersion`, type: 'Invalid value', value: q(v), detail: `unexpected GroupVersion string: ${v}` });
      else if (k === 'kind') {
        const bad = isDns1035Label(v.toLowerCase());
        if (bad.length) errs.push({ field: `${at}.kind`, type: 'Invalid value', value: q(v), detail: `may have mixed case, but should otherwise match: ${bad.join(',')}` });
      }
    }
    if (!isMap(res.metadata)) return;
    // An unnamed embedded object is valid: kube validates it as "fakename".
    const meta = { ...res.metadata, name: res.metadata.name || 'fakename' };
    // requiresNamespace is len(namespace) > 0: a namespace is only checked when given.
    errs.push(...objectMetaErrors(meta, 'path-segment', true, `${at}.metadata`));
  }, true);
  return errs;
}
