// Validation of custom resources against their CRD's structural schema (openAPIV3Schema),
// by walking object and schema together (structural-schema.ts), with the messages the
// apiserver gives; validators are cached per CRD object, or per cluster (CrdValidators).
import { RE2JS } from 're2js';
import type { KObject } from '../types';
import { formatPath, getIn } from './field-path';
import type { SchemaIssue } from './validate-schema';
import { closest } from './suggest';
import { valueTypeWord } from './schema-walk';
import { validateStructural, type StructuralError } from './structural-schema';

type S = Record<string, any>;

/**
 * CRD patterns are Go RE2 syntax: translate the common differences (`(?i)` flags, `(?P<n>`,
 * `\\z`); a pattern JavaScript still cannot compile is not enforced rather than crashing.
 */
export function re2ish(source: string, flags: string): RegExp {
  // RE2 itself (re2js, linear time), as the apiserver evaluates CRD patterns: a hostile
  // pattern or value cannot backtrack for minutes. A pattern RE2 rejects is not enforced.
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  } catch {
    return /(?:)/;
  }
  return { test: (s: string) => re.matcher(s).find(), source } as unknown as RegExp;
}

export interface CrdValidator {
  (obj: KObject): SchemaIssue[];
  /** The (OpenAPI) schema of the version, for defaulting and explain. */
  schema: S | undefined;
}

function versionSchema(crd: KObject, version: string): S | undefined {
  const v = (crd.spec?.versions ?? []).find((x: any) => x?.name === version);
  return v?.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema;
}

/**
 * JSON Schema patterns are unicode-aware regular expressions; each is compiled once per
 * process (a pattern's compiled form depends on nothing else), not once per object checked.
 */
const compiledPatterns = new Map<string, RegExp>();
const compilePattern = (source: string) => {
  let re = compiledPatterns.get(source);
  if (!re) compiledPatterns.set(source, (re = re2ish(source, 'u')));
  return re;
};

/** Validators by CRD object (CRDs read from files, as `validate` reads them). */
const byObject = new WeakMap<KObject, Map<string, CrdValidator>>();

/** A validator for custom resources of one CRD version, compiled once per CRD object. */
export function compileCrdSchema(crd: KObject, version: string): CrdValidator {
  // Keyed by the object itself: the key used to hold the length of the whole spec as
  // JSON, serialising a multi-megabyte CRD again for every custom resource checked.
  let perVersion = byObject.get(crd);
  if (!perVersion) byObject.set(crd, (perVersion = new Map()));
  let v = perVersion.get(version);
  if (!v) perVersion.set(version, (v = buildCrdValidator(crd, version)));
  return v;
}

/**
 * The validators of one cluster's CRDs (one set per API server), each compiled once per
 * CRD revision, whose every read is a new copy. A resourceVersion names a schema only within
 * its own store: another cluster in this process, or a copy of this one, may hold a
 * different CRD of the same name at the same resourceVersion.
 */
export class CrdValidators {
  private readonly latest = new Map<string, { revision: string; validator: CrdValidator }>();

  for(crd: KObject, version: string): CrdValidator {
    const revision = crd.metadata?.resourceVersion;
    if (revision === undefined) return compileCrdSchema(crd, version);
    const key = `${crd.metadata?.name}|${version}`;
    const hit = this.latest.get(key);
    if (hit?.revision === revision) return hit.validator;
    const validator = buildCrdValidator(crd, version);
    this.latest.set(key, { revision, validator });
    return validator;
  }
}

function buildCrdValidator(crd: KObject, version: string): CrdValidator {
  const schema = versionSchema(crd, version);
  const kind: string = crd.spec?.names?.kind ?? 'Object';
  const fn = ((obj: KObject) => {
    if (!schema) return [];
    const seen = new Set<string | undefined>();
    const issues: SchemaIssue[] = [];
    for (const e of validateStructural(obj, schema, compilePattern)) {
      const issue = crdIssue(e, obj, kind, schema);
      if (seen.has(issue.kubectlMessage)) continue;
      seen.add(issue.kubectlMessage);
      issues.push(issue);
    }
    return issues;
  }) as CrdValidator;
  fn.schema = schema;
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

function crdIssue(e: StructuralError, obj: KObject, kind: string, schema: S): SchemaIssue {
  const path = e.path;
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
        cause: { field: formatPath([...path, e.params.missingProperty]), type: 'Required value' },
      };
    case 'enum': {
      const supported = `supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      return {
        path, rule, message: `${where}: Unsupported value: ${shown}: ${supported}`,
        kubectlMessage: `${ctx}: invalid value ${shown}, ${supported}`,
        decodeMessage: `${where}: Unsupported value: ${shown}: ${supported}`,
        cause: { field: where, type: 'Unsupported value', value: shown, detail: supported },
      };
    }
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
  return { path, rule, message, kubectlMessage: `${ctx}: ${detail}`, decodeMessage: message, cause: { field: where, type: 'Invalid value', value: shown, detail } };
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
