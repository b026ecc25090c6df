// Validation of custom resources against their CRD's structural schema (openAPIV3Schema),
// compiled at runtime with ajv and cached per CRD version. Implements the Kubernetes
// extensions: x-kubernetes-preserve-unknown-fields, -int-or-string, -embedded-resource,
// nullable; unknown fields are errors unless preserved (the apiserver's strict decoding).
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { KObject } from '../types';
import { formatPath, fromPointer, getIn } from './field-path';
import type { SchemaIssue } from './validate-schema';
import { closest } from './suggest';
import { valueTypeWord } from './schema-walk';

type S = Record<string, any>;

let ajv: Ajv | undefined;
function getAjv(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true, code: { regExp: re2ish as any, optimize: false } });
  // optimize off: a CRD schema validates the few objects of one run; the optimizer pass cost more than it saved.
  addFormats(ajv);
  // Kubernetes formats ajv-formats does not know: accepted as-is, like the apiserver does for most.
  for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'bsonobjectid', 'isbn', 'hexcolor', 'rgbcolor', 'creditcard', 'ssn', 'mac', 'cidr', 'datetime', 'uri-reference']) {
    if (!ajv.formats[f]) ajv.addFormat(f, true);
  }
  return ajv;
}

/**
 * CRD patterns are Go RE2 syntax: translate the common differences (`(?i)` flags, `(?P<n>`,
 * `\\z`); a pattern JavaScript still cannot compile is not enforced rather than crashing.
 */
function re2ish(source: string, flags: string): RegExp {
  let src = source;
  let fl = flags;
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1]) if ('ims'.includes(f) && !fl.includes(f)) fl += f;
  }
  src = src.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
  try {
    return new RegExp(src, fl);
  } catch {
    try {
      return new RegExp(src, fl.replace('u', ''));
    } catch {
      return /(?:)/;
    }
  }
}

/** Translates one structural-schema node into plain JSON Schema for ajv. */
export function toAjvSchema(s: S | undefined, root = false): S {
  if (!s || typeof s !== 'object') return {};
  const out: S = {};
  for (const k of ['type', 'enum', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf', 'minProperties', 'maxProperties', 'required']) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  // OpenAPI v3 (draft 4) boolean exclusive bounds -> draft-07 numbers.
  if (typeof out.exclusiveMinimum === 'boolean') {
    if (out.exclusiveMinimum && out.minimum !== undefined) (out.exclusiveMinimum = out.minimum), delete out.minimum;
    else delete out.exclusiveMinimum;
  }
  if (typeof out.exclusiveMaximum === 'boolean') {
    if (out.exclusiveMaximum && out.maximum !== undefined) (out.exclusiveMaximum = out.maximum), delete out.maximum;
    else delete out.exclusiveMaximum;
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) out[k] = s[k].map((x: S) => toAjvSchema(x));
  if (s.not) out.not = toAjvSchema(s.not);
  if (s.items) out.items = Array.isArray(s.items) ? s.items.map((x: S) => toAjvSchema(x)) : toAjvSchema(s.items);
  const props: S = {};
  for (const [k, v] of Object.entries(s.properties ?? {})) props[k] = toAjvSchema(v as S);
  if (s['x-kubernetes-embedded-resource'] || root) {
    props.apiVersion ??= { type: 'string' };
    props.kind ??= { type: 'string' };
    props.metadata = { type: 'object' }; // ObjectMeta, whatever the CRD says about it
  }
  if (Object.keys(props).length) out.properties = props;
  if (s['x-kubernetes-embedded-resource'] && !root) out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind'])];
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === 'object' ? toAjvSchema(s.additionalProperties) : s.additionalProperties;
  else if (!s['x-kubernetes-preserve-unknown-fields'] && (s.type === 'object' || s.properties || root)) out.additionalProperties = false;
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable && out.type) out.type = [out.type, 'null'];
  return out;
}

export interface CrdValidator {
  (obj: KObject): SchemaIssue[];
  /** The (OpenAPI) schema of the version, for defaulting and explain. */
  schema: S | undefined;
}

const cache = new Map<string, CrdValidator>();

function versionSchema(crd: KObject, version: string): S | undefined {
  const v = (crd.spec?.versions ?? []).find((x: any) => x?.name === version);
  return v?.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema;
}

/** A validator for custom resources of one CRD version (compiled once per CRD revision). */
export function compileCrdSchema(crd: KObject, version: string): CrdValidator {
  const key = `${crd.metadata?.name}|${crd.metadata?.resourceVersion ?? crd.metadata?.uid ?? JSON.stringify(crd.spec).length}|${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const schema = versionSchema(crd, version);
  const kind: string = crd.spec?.names?.kind ?? 'Object';
  let validate: ValidateFunction | undefined;
  if (schema) validate = getAjv().compile(toAjvSchema(schema, true));
  const fn = ((obj: KObject) => {
    if (!validate) return [];
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => crdIssue(e, obj, kind, schema!)).filter((x, i, a) => a.findIndex((y) => y.kubectlMessage === x.kubectlMessage) === i);
  }) as CrdValidator;
  fn.schema = schema;
  cache.set(key, fn);
  return fn;
}

function schemaAt(root: S, path: (string | number)[]): S | undefined {
  let s: S | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') s = Array.isArray(s.items) ? s.items[0] : s.items;
    else s = s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return s;
}

function crdIssue(e: ErrorObject, obj: KObject, kind: string, schema: S): SchemaIssue {
  const path = fromPointer(e.instancePath, obj);
  const where = formatPath(path);
  const ctx = `ValidationError(${[kind, where].filter(Boolean).join('.')})`;
  if (e.keyword === 'additionalProperties') {
    const field = String(e.params.additionalProperty);
    const fieldPath = [...path, field];
    const siblings = Object.keys(schemaAt(schema, path)?.properties ?? {});
    const near = closest(field, siblings);
    return {
      path: fieldPath, rule: 'schema/unknown-field',
      message: `unknown field "${formatPath(fieldPath)}"`,
      kubectlMessage: `${ctx}: unknown field "${field}" in ${kind}${where ? '.' + where : ''}`,
      decodeMessage: `unknown field "${formatPath(fieldPath)}"`,
      hint: near ? `did you mean "${near}"?` : undefined,
    };
  }
  const value = getIn(obj, path);
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'null';
  let detail: string;
  let rule: SchemaIssue['rule'] = 'schema/invalid-value';
  switch (e.keyword) {
    case 'type':
      rule = 'schema/invalid-type';
      detail = `${where} in body must be of type ${e.params.type}: "${valueTypeWord(value) === 'map' ? 'object' : valueTypeWord(value)}"`;
      break;
    case 'required':
      rule = 'schema/required';
      return {
        path, rule, message: `${formatPath([...path, e.params.missingProperty])}: Required value`,
        kubectlMessage: `${ctx}: missing required field "${e.params.missingProperty}" in ${kind}${where ? '.' + where : ''}`,
        decodeMessage: `${formatPath([...path, e.params.missingProperty])}: Required value`,
      };
    case 'enum':
      return {
        path, rule, message: `${where}: Unsupported value: ${shown}: supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        kubectlMessage: `${ctx}: invalid value ${shown}, supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        decodeMessage: `${where}: Unsupported value: ${shown}: supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'pattern':
      detail = `${where} in body should match '${e.params.pattern}'`;
      break;
    case 'format':
      detail = `${where} in body must be of type ${e.params.format}: ${shown}`;
      break;
    case 'minimum':
    case 'exclusiveMinimum':
      detail = `${where} in body should be greater than or equal to ${e.params.limit}`;
      break;
    case 'maximum':
    case 'exclusiveMaximum':
      detail = `${where} in body should be less than or equal to ${e.params.limit}`;
      break;
    case 'maxLength':
      detail = `${where} in body should be at most ${e.params.limit} chars long`;
      break;
    case 'minLength':
      detail = `${where} in body should be at least ${e.params.limit} chars long`;
      break;
    default:
      detail = `${where} ${e.message ?? e.keyword}`;
  }
  const message = `${where}: Invalid value: ${shown}: ${detail}`;
  return { path, rule, message, kubectlMessage: `${ctx}: ${detail}`, decodeMessage: message };
}

/** Fills schema defaults into a custom resource (in place), like the apiserver's defaulting. */
export function applyCrdDefaults(obj: KObject, crd: KObject, version: string): KObject {
  const schema = versionSchema(crd, version);
  if (schema) fill(obj, schema);
  return obj;
}

function fill(value: any, s: S): void {
  if (!s || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (s.items && !Array.isArray(s.items)) for (const v of value) fill(v, s.items);
    return;
  }
  for (const [k, ps] of Object.entries((s.properties ?? {}) as Record<string, S>)) {
    if (value[k] === undefined && ps.default !== undefined) value[k] = JSON.parse(JSON.stringify(ps.default));
    if (value[k] !== undefined) fill(value[k], ps);
  }
  if (typeof s.additionalProperties === 'object') {
    for (const k of Object.keys(value)) if (!(s.properties && k in s.properties)) fill(value[k], s.additionalProperties);
  }
}

/** Validates a custom resource against the CRD version named by its apiVersion. */
export function validateCustomResource(obj: KObject, crd: KObject): SchemaIssue[] {
  const apiVersion = String(obj.apiVersion ?? '');
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  return compileCrdSchema(crd, version)(obj);
}
