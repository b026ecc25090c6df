// Validation of custom resources against their CRD's structural schema (openAPIV3Schema),
// by walking object and schema together (structural-schema.ts), with the messages the
// apiserver gives; validators are cached per CRD object, or per cluster (CrdValidators).
import { RE2JS } from 're2js';
import type { KObject } from '../types';
import { crdVersionSchema } from '../crd';
import { formatPath, getIn } from './field-path';
import type { SchemaIssue } from './validate-schema';
import { closest } from './suggest';
import { validateStructural, type StructuralError } from './structural-schema';
import { checkCrdFormat } from './crd-formats';
import { celValidator, type CelValidator } from './crd-cel';
import { listSetAndMapErrors } from './list-type';
import { badValue, embeddedMetaUnknownFields, embeddedResourceErrors, metaDecodeError, rootMetaUnknownFields } from './embedded-meta';

export { crdRuleErrors } from './crd-cel';
import { formatFieldError, type FieldError } from '../errors';
import { goFloat, goJson, goNumber, goQuote } from '../../util/go-format';

type S = Record<string, any>;

/**
 * CRD patterns are Go RE2 syntax: translate the common differences (`(?i)` flags, `(?P<n>`,
 * `\\z`); a pattern JavaScript still cannot compile is not enforced rather than crashing.
 */
export function re2ish(source: string, flags: string): RegExp {
  // RE2 itself (re2js, linear time), as the apiserver evaluates CRD patterns: a hostile
  // pattern or value cannot backtrack for minutes. A pattern RE2 rejects is refused at CRD
  // create (strategies/apiextensions.ts); one stored before that is not enforced.
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  } catch {
    return /(?:)/;
  }
  return { test: (s: string) => re.matcher(s).find(), source } as unknown as RegExp;
}

export interface CrdValidator {
  /**
   * `old`: the stored object, on update (transition rules and ratcheting of CEL rules);
   * `rules: false` checks the schema alone (strict decoding needs no CEL); `status`: a write
   * of the status subresource, the schema's status part but every CEL rule (statusStrategy);
   * `blocked`: an error found before the schema's (the metadata's) blocks the rules (blocksRules).
   */
  (obj: KObject, old?: KObject, rules?: boolean, status?: boolean, blocked?: boolean): SchemaIssue[];
  /** The (OpenAPI) schema of the version, for defaulting and explain. */
  schema: S | undefined;
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
  const schema = crdVersionSchema(crd, version);
  const kind: string = crd.spec?.names?.kind ?? 'Object';
  const cel = celValidator(schema);
  const fn = ((obj: KObject, old?: KObject, rules = true, status = false, blocked = false) => {
    if (!schema) return [];
    // Metadata that does not decode fails the request before anything is validated.
    const decode = metaDecodeError(obj, schema);
    if (decode !== undefined) return [{ path: [], rule: 'schema/invalid-type', message: decode, kubectlMessage: decode, decodeMessage: decode, decodeError: true }];
    const seen = new Set<string | undefined>();
    const blockers = new Set<SchemaIssue>();
    // Unknown fields in this order: the root's metadata, the pruned ones, embedded metadata's.
    const issues: SchemaIssue[] = rootMetaUnknownFields(obj);
    for (const e of validateStructural(obj, schema, compilePattern, checkCrdFormat, 'kube-openapi')) {
      const issue = crdIssue(e, obj, kind, schema);
      if (BLOCKING_KEYWORDS.has(e.keyword)) blockers.add(issue);
      // field.ErrorList.ToAggregate drops repeated messages.
      if (seen.has(issue.kubectlMessage)) continue;
      seen.add(issue.kubectlMessage);
      issues.push(issue);
    }
    // Embedded resources: unknown metadata fields, then objectmeta.Validate.
    issues.push(...embeddedMetaUnknownFields(obj, schema));
    for (const cause of embeddedResourceErrors(obj, schema)) {
      const issue = fieldIssue(cause);
      if (blocksRules(cause)) blockers.add(issue);
      issues.push(issue);
    }
    // statusStrategy.ValidateUpdate: the status schema's errors, then the rules of the whole object.
    const kept = status ? issues.filter((i) => /^status\b/.test(i.cause?.field ?? '')) : issues;
    // Sets and map lists of the whole object, ratcheted: not checked when the old object breaks them already.
    if (rules && (!old || !listSetAndMapErrors(schema, old).length)) kept.push(...listSetAndMapErrors(schema, obj).map(fieldIssue));
    const blocking = blocked || [...blockers].some((i) => !status || kept.includes(i));
    if (cel && rules) kept.push(...celIssues(cel, obj, old, blocking));
    return kept;
  }) as CrdValidator;
  fn.schema = schema;
  return fn;
}

/**
 * customResourceStrategy's hasBlockingErr: a Required, NotSupported, TooLong, TooMany or
 * TypeInvalid (type, format) error means the rules are not run, which one more error says.
 */
const BLOCKING_KEYWORDS = new Set(['required', 'enum', 'maxLength', 'maxItems', 'maxProperties', 'type', 'format']);

/** hasBlockingErr for an error of the metadata or of embedded objects (none of them a TypeInvalid). */
export const blocksRules = (e: FieldError): boolean => ['Required value', 'Unsupported value', 'Too long', 'Too many'].includes(e.type);

function celIssues(cel: CelValidator, obj: KObject, old: KObject | undefined, blocking: boolean): SchemaIssue[] {
  const causes: FieldError[] = blocking
    ? [{ field: '<nil>', type: 'Invalid value', value: '"null"', detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }]
    : cel(obj, old);
  return causes.map(fieldIssue);
}

function fieldIssue(cause: FieldError): SchemaIssue {
  const message = formatFieldError(cause);
  return { path: pathOf(cause.field), rule: 'schema/invalid-value', message, kubectlMessage: message, decodeMessage: message, cause };
}

/** A field path as printed (`spec.ports[0]`, `<nil>` for the root) back into segments, for source positions. */
function pathOf(field: string): (string | number)[] {
  if (field === '<nil>') return [];
  return [...field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map((m) => (m[1] !== undefined ? m[1] : /^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!));
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

/** The type name kube-openapi's typeValidator gives a decoded JSON value (schemaInfoForType). */
function openApiTypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'bigint') return 'integer';
  return Array.isArray(v) ? 'array' : 'object';
}

/** A bound as kube-openapi prints it: int64(bound) against an integer value, else %v of the float64. */
function bound(limit: number, value: unknown): string {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)) ? goNumber(Math.trunc(limit)) : goFloat(limit);
}

/**
 * One error as kube-apiserver words it: kube-openapi's validation error (k8s.io/kube-openapi
 * pkg/validation/errors/schema.go, message "<path> in body ...") turned into a field error by
 * apiextensions-apiserver's kubeOpenAPIResultToFieldErrors (pkg/apiserver/validation/
 * validation.go): Required, NotSupported (enum), TooLong (maxLength), TooMany (maxItems,
 * maxProperties), TypeInvalid (type, format), and Invalid with the message for the rest.
 */
function crdIssue(e: StructuralError, obj: KObject, kind: string, schema: S): SchemaIssue {
  const path = e.path;
  const where = formatPath(path);
  const ctx = `ValidationError(${[kind, where].filter(Boolean).join('.')})`;
  if (e.keyword === 'additionalProperties') {
    // Unknown fields never reach the schema validator: pruning drops them, and strict decoding reports them.
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
  if (e.keyword === 'required') {
    const field = formatPath([...path, e.params.missingProperty]);
    return {
      path, rule: 'schema/required', message: `${field}: Required value`,
      kubectlMessage: `${ctx}: missing required field "${e.params.missingProperty}" in ${kind}${where ? '.' + where : ''}`,
      decodeMessage: `${field}: Required value`,
      cause: { field, type: 'Required value' },
    };
  }
  const value = getIn(obj, path);
  let cause: FieldError;
  let rule: SchemaIssue['rule'] = 'schema/invalid-value';
  const invalid = (v: string, detail: string): FieldError => ({ field: where, type: 'Invalid value', value: v, detail });
  switch (e.keyword) {
    case 'type': {
      // errors.InvalidType(path, "body", type, schType): typeFailWithData, and TypeInvalid's value is the type name.
      rule = 'schema/invalid-type';
      // With a format, a number's is int64 or float64 (schemaInfoForType).
      const got = e.params.got ?? openApiTypeOf(value);
      const want = Array.isArray(e.params.type) ? e.params.type.filter((t: string) => t !== 'null').join(',') : String(e.params.type);
      cause = invalid(goQuote(got), `${where} in body must be of type ${want}: ${goQuote(got)}`);
      break;
    }
    case 'enum': {
      // field.NotSupported: string values as they are, others as JSON, each quoted.
      const allowed = (e.params.allowedValues as unknown[]).map((a) => goQuote(typeof a === 'string' ? a : goJson(a)));
      cause = { field: where, type: 'Unsupported value', value: badValue(value), detail: allowed.length ? `supported values: ${allowed.join(', ')}` : undefined };
      break;
    }
    case 'format':
      // FormatOf: errors.InvalidType(path, "body", format, data), a TypeInvalid whose value is the string.
      cause = invalid(badValue(value), `${where} in body must be of type ${e.params.format}: ${goQuote(String(value))}`);
      break;
    case 'pattern':
      cause = invalid(badValue(value), `${where} in body should match '${e.params.pattern}'`);
      break;
    case 'maximum':
    case 'exclusiveMaximum':
      cause = invalid(badValue(value), `${where} in body should be less than ${e.keyword === 'maximum' ? 'or equal to ' : ''}${bound(e.params.limit, value)}`);
      break;
    case 'minimum':
    case 'exclusiveMinimum':
      cause = invalid(badValue(value), `${where} in body should be greater than ${e.keyword === 'minimum' ? 'or equal to ' : ''}${bound(e.params.limit, value)}`);
      break;
    case 'multipleOf':
      cause = invalid(badValue(value), `${where} in body should be a multiple of ${bound(e.params.multipleOf, value)}`);
      break;
    case 'multipleOfPositive': {
      // MultipleOfMustBePositive: an integer's factor is int64(multipleOf), 0 for one below 1.
      const factor = bound(e.params.factor, value);
      cause = invalid(factor, `factor MultipleOf declared for ${where} must be positive: ${factor}`);
      break;
    }
    case 'maxLength':
      // field.TooLong: the value is omitted.
      cause = { field: where, type: 'Too long', detail: `may not be more than ${e.params.limit} bytes` };
      break;
    case 'minLength':
      cause = invalid(badValue(value), `${where} in body should be at least ${e.params.limit} chars long`);
      break;
    case 'maxItems':
    case 'maxProperties': {
      // field.TooMany(path, actual, max): "must have at most N items", for properties too.
      const n = Array.isArray(value) ? value.length : Object.keys(value ?? {}).length;
      cause = { field: where, type: 'Too many', value: String(n), detail: `must have at most ${e.params.limit} items` };
      break;
    }
    case 'minItems':
      cause = invalid(String((value as unknown[]).length), `${where} in body should have at least ${e.params.limit} items`);
      break;
    case 'minProperties':
      cause = invalid(String(Object.keys(value ?? {}).length), `${where} in body should have at least ${e.params.limit} properties`);
      break;
    case 'uniqueItems':
      cause = invalid('""', `${where} in body shouldn't contain duplicates`);
      break;
    case 'anyOf':
      // Not a *Validation error: field.Invalid(nil path, "", message).
      cause = { field: '<nil>', type: 'Invalid value', value: '""', detail: `${goQuote(where)} must validate at least one schema (anyOf)` };
      break;
    case 'oneOf':
      cause = { field: '<nil>', type: 'Invalid value', value: '""', detail: `${goQuote(where)} must validate one and only one schema (oneOf). ${e.params.passingSchemas === null ? 'Found none valid' : `Found ${(e.params.passingSchemas as number[]).length} valid alternatives`}` };
      break;
    case 'allOf':
      cause = { field: '<nil>', type: 'Invalid value', value: '""', detail: `${goQuote(where)} must validate all the schemas (allOf)${e.params.validated === 0 ? '. None validated' : ''}` };
      break;
    case 'not':
      cause = { field: '<nil>', type: 'Invalid value', value: '""', detail: `${goQuote(where)} must not validate the schema (not)` };
      break;
    default:
      cause = invalid(badValue(value), `${where} ${e.message ?? e.keyword}`);
  }
  const message = formatFieldError(cause);
  return { path, rule, message, kubectlMessage: `${ctx}: ${cause.detail ?? cause.type}`, decodeMessage: message, cause };
}

/** Validates a custom resource against the CRD version named by its apiVersion. */
export function validateCustomResource(obj: KObject, crd: KObject): SchemaIssue[] {
  const apiVersion = String(obj.apiVersion ?? '');
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  return compileCrdSchema(crd, version)(obj);
}
