// Embedded resources (x-kubernetes-embedded-resource) carry their own apiVersion, kind and
// ObjectMeta, which kube-apiserver v1.32 decodes as Go's metav1.ObjectMeta
// (apiextensions-apiserver pkg/apiserver/schema/objectmeta: coerce.go, validation.go): fields
// ObjectMeta does not have are unknown (strict decoding) and dropped; on a read from storage a
// field of the wrong type is dropped too; the embedded metadata is validated as ObjectMeta
// with path-segment names. At the root only the unknown fields are here (the rest of the
// root's metadata is the API server's own business).

import { formatPath } from './field-path';
import { objectMetaErrors, q } from './name-rules';
import { isDns1035Label } from './string-rules';
import { OBJECT_META_FIELDS, objectMetaDecodeError } from './object-meta-decode';
import { formatFieldError, type FieldError } from '../errors';
import type { SchemaIssue } from './validate-schema';
import { goSharpV } from '../../util/go-format';

type S = Record<string, any>;
type Path = (string | number)[];

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** field.Error's rendering of a bad value (ErrorBody): nil as "null", else %v / %q / %#v. */
export const badValue = (v: unknown): string => (v === null || v === undefined ? '"null"' : goSharpV(v));

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
  const unknown = Object.keys(metadata).filter((k) => !OBJECT_META_FIELDS.has(k)).sort();
  if (!dropMalformed && objectMetaDecodeError(metadata) !== undefined) return { meta: undefined, unknown };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    // Field by field: one that does not decode on its own is dropped.
    if (!OBJECT_META_FIELDS.has(k) || objectMetaDecodeError({ [k]: v }) !== undefined) continue;
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

/**
 * The custom resource's decoding error, which kube-apiserver answers with 400 (`... cannot be
 * handled as a Gadget: <this>`): unstructuredSchemaCoercer.apply decodes the root's metadata
 * as ObjectMeta (its error as it is), then objectmeta.Coerce each embedded resource's
 * apiVersion, kind (strings) and metadata, the first failure as a field error.
 */
export function metaDecodeError(obj: Record<string, unknown>, schema: S | undefined): string | undefined {
  const root = Object.prototype.hasOwnProperty.call(obj, 'metadata') ? objectMetaDecodeError(obj.metadata) : undefined;
  if (root !== undefined || !hasEmbedded(schema)) return root;
  let found: FieldError | undefined;
  walkEmbedded(obj, schema, [], (res, path) => {
    for (const k of Object.keys(res)) {
      if (found) return;
      const at = `${formatPath(path)}.${k}`;
      if ((k === 'apiVersion' || k === 'kind') && typeof res[k] !== 'string') found = { field: at, type: 'Invalid value', value: badValue(res[k]), detail: 'must be a string' };
      else if (k === 'metadata') {
        const err = objectMetaDecodeError(res.metadata);
        if (err !== undefined) found = { field: at, type: 'Invalid value', value: badValue(res.metadata), detail: err };
      }
    }
  }, true);
  return found && formatFieldError(found);
}

/**
 * objectmeta.Validate of the embedded resources (customResourceStrategy, after the schema's
 * errors): apiVersion and kind required and well-formed, the metadata as ValidateObjectMeta
 * checks any object's (an unnamed one as "fakename", its namespace only when given).
 */
export function embeddedResourceErrors(obj: unknown, schema: S | undefined): FieldError[] {
  if (!hasEmbedded(schema)) return [];
  const errs: FieldError[] = [];
  walkEmbedded(obj, schema, [], (res, path) => {
    const at = formatPath(path);
    for (const k of ['apiVersion', 'kind'] as const) if (!(k in res)) errs.push({ field: `${at}.${k}`, type: 'Required value', detail: 'must not be empty' });
    for (const k of ['apiVersion', 'kind'] as const) {
      const v = res[k];
      if (typeof v !== 'string') continue; // not there, or a decoding error (400) before validation
      if (v === '') errs.push({ field: `${at}.${k}`, type: 'Invalid value', value: '""', detail: 'must not be empty' });
      else if (k === 'apiVersion' && v.split('/').length > 2) errs.push({ field: `${at}.apiVersion`, type: 'Invalid value', value: q(v), detail: `unexpected GroupVersion string: ${v}` });
      else if (k === 'kind') {
        const bad = isDns1035Label(v.toLowerCase());
        if (bad.length) errs.push({ field: `${at}.kind`, type: 'Invalid value', value: q(v), detail: `may have mixed case, but should otherwise match: ${bad.join(',')}` });
      }
    }
    if (!isMap(res.metadata)) return;
    const meta = { ...res.metadata, name: res.metadata.name || 'fakename' };
    errs.push(...objectMetaErrors(meta, 'path-segment', true, `${at}.metadata`, true));
  }, true);
  return errs;
}
