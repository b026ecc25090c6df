// Structural validation of built-in objects against the schemas generated from
// kubernetes-types (precompiled ajv code): unknown fields, wrong types, missing required
// fields, with kubectl's wording and "did you mean" / indentation hints.
import { INT32_MAX, INT32_MIN, type FieldError } from '../errors';
import type { KObject } from '../types';
import { splitApiVersion, type ResourceType } from '../resources';
import { loadedSchemas, rootKey, type AjvError, type SchemaDocument } from './schema-store';
import { walkSchema, childSchema, resolve, schemaTypeWord, valueTypeWord, propertyNames, type Located } from './schema-walk';
import { formatPath, fromPointer, getIn, type Path } from './field-path';
import { closest } from './suggest';
import { goJsonKind, goJsonNumber, goUnmarshalTypeError } from '../../util/go-format';
import { fieldsByName } from '../../printers/go-order';
import { loadTimeNames, plainTime, timeDecodeError, TIME_FIELDS, TIME_MAP_FIELDS } from './time-decode';

export type SchemaRule = 'schema/unknown-field' | 'schema/invalid-type' | 'schema/required' | 'schema/invalid-value';

export interface SchemaIssue {
  /** Path of the offending node (for an unknown field: the field itself; for a missing one: its parent). */
  path: Path;
  message: string;
  /** kubectl's client-side text: `ValidationError(Deployment.spec): unknown field "replica" in io.k8s.api.apps.v1.DeploymentSpec`. */
  kubectlMessage: string;
  /** The API server's strict-decoding text (`unknown field "spec.replica"`); absent for rules the decoder does not check. */
  decodeMessage?: string;
  /** A wrong type as runtime.DefaultUnstructuredConverter refuses it (a strategic merge patch's result, decoded from a map). */
  convertMessage?: string;
  hint?: string;
  rule: SchemaRule;
  /** A Time or MicroTime that does not parse: it fails the decoding at once, before any other issue. */
  immediate?: true;
  /** A custom resource's value its decoding refuses (a 400, before any validation): metadata that is no ObjectMeta. */
  decodeError?: true;
  /** A custom resource's issue as the API server's field error (its 422 Invalid cause). */
  cause?: FieldError;
}

/** True when the built-in schemas cover this kind at the object's version. */
export function hasBuiltinSchema(obj: KObject, rt: ResourceType): boolean {
  if (rt.crd) return false;
  const { version } = splitApiVersion(obj.apiVersion);
  return loadedSchemas().hasRoot(rootKey(rt.group, version, rt.kind));
}

/**
 * Validates a built-in object; [] for custom resources (see compileCrdSchema) and kinds without
 * schema. `decode`: the API server's decoding, which also parses the Time and MicroTime fields.
 */
export function validateSchema(obj: KObject, rt: ResourceType, decode = false): SchemaIssue[] {
  if (rt.crd) return [];
  const bundle = loadedSchemas();
  const { version } = splitApiVersion(obj.apiVersion);
  const key = rootKey(rt.group, version, rt.kind);
  const validate = bundle.validatorFor(key);
  if (!validate) return [];
  loadInt32Names(bundle.doc);
  loadTimeNames(bundle.doc);
  // One walk finds the int32 fields out of range and the null members (and exact int64s) the
  // decoder drops (converts); only their parents are copied. With an own `__proto__` member
  // the whole copy without nulls is made and walked again, as before.
  const found: Path[] = [];
  const marks: Path[] = [];
  const times: Path[] = [];
  const whole = scanMembers(obj, 0, [], found, marks, times);
  const data = whole ? withoutNulls(obj) : marks.length ? withoutAt(obj, marks) : obj;
  const int32 = whole ? int32Paths(data) : found;
  const rootDef = bundle.doc.roots[key];
  const time = decode && times.length && rootDef ? timeDecodeError(times, obj, bundle.doc, rootDef) : undefined;
  if (time) return [{ path: time.path, rule: 'schema/invalid-value', message: time.message, kubectlMessage: time.message, decodeMessage: time.message, immediate: true }];
  if (validate(data)) return int32IssuesAt(int32, obj, bundle, key);
  if (!rootDef) return [];
  // An int32 field out of range fails the decoding as a wrong type does, unknown fields or not.
  return [...toIssues(validate.errors ?? [], data, bundle.doc, rootDef, rt.kind), ...int32IssuesAt(int32, obj, bundle, key)];
}

/**
 * int32 fields the generated schemas do not mark `format: int32` (kinds without k8s.io/api
 * descriptors: apiregistration, apiextensions; IntOrString's int, Go's int32): a value
 * outside int32 fails the apiserver's decoding, as `json: cannot unmarshal number 3000000000
 * into Go struct field DeploymentSpec.spec.replicas of type int32`.
 */
const UNMARKED_INT32_FIELDS = new Set([
  'replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'parallelism', 'completions',
  'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit',
  'ttlSecondsAfterFinished', 'containerPort', 'hostPort', 'port', 'targetPort', 'nodePort', 'number', 'initialDelaySeconds',
  'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold', 'minReplicas', 'maxReplicas',
  'targetCPUUtilizationPercentage', 'priority', 'weight', 'defaultMode', 'mode', 'maxSkew', 'minDomains', 'ordinals',
]);

/**
 * The names an int32 field has somewhere (the schemas' `format: int32`, and the unmarked
 * ones): the walk's cheap first filter; int32IssuesAt then asks the schema at the path, as
 * a name can be int32 in one type and not in another (`count`, `value`).
 */
let INT32_FIELDS: Set<string> = UNMARKED_INT32_FIELDS;
let int32NamesOf: SchemaDocument | undefined;
function loadInt32Names(doc: SchemaDocument): void {
  if (int32NamesOf === doc) return;
  const names = new Set(UNMARKED_INT32_FIELDS);
  for (const def of Object.values(doc.definitions)) for (const [name, p] of Object.entries(def.properties ?? {})) if (p.format === 'int32') names.add(name);
  INT32_FIELDS = names;
  int32NamesOf = doc;
}

/**
 * An int past int64 (the apiserver's decoder: `cannot unmarshal number ... of type int64`).
 * Every int int64 holds past 2^53 arrives exact, as a bigint (util/exact-json.ts,
 * manifest/yaml-compat.ts exactInt): a JSON number of 2^63 or more is one past int64.
 */
const pastInt64 = (x: number): boolean => Math.abs(x) >= 2 ** 63 && Number.isFinite(x);

/** An exact int64 as the number the checks see: its double, kept inside int64 (int64's max rounds up to 2^63, which pastInt64 refuses). */
const INT64_DOUBLE_MAX = 2 ** 63 - 1024;
const bigintNumber = (v: bigint): number => Math.max(-INT64_DOUBLE_MAX, Math.min(INT64_DOUBLE_MAX, Number(v)));

/** Out of range for its field: an int32 field (INT32_FIELDS) past int32, any number past int64. */
const outOfRange = (k: string, x: number): boolean => (INT32_FIELDS.has(k) && (x > INT32_MAX || x < INT32_MIN)) || pastInt64(x);

/** The int32 fields (INT32_FIELDS) out of range, down to depth 64. */
function int32Paths(data: unknown): Path[] {
  const found: Path[] = [];
  // One path stack for the whole walk, copied only for a finding: a new array per node
  // visited was most of this check's cost on every object validated.
  const path: Path = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 64 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], depth + 1);
        path.pop();
      }
    } else
      for (const k in v) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'number') {
          if (outOfRange(k, x)) found.push([...path, k]);
        } else {
          path.push(k);
          walk(x, depth + 1);
          path.pop();
        }
      }
  };
  walk(data, 0);
  return found;
}

/**
 * int32Paths of the copy without nulls, found in one walk of the object as it came: `found`
 * gets the int32 fields out of range (an exact int64 as the double the copy holds), `marks`
 * the paths of the null members and exact int64s the copy drops or converts (withoutAt). True
 * at an own `__proto__` member (whose fate the copy decides): `found` and `marks` incomplete.
 * An Event's null first/lastTimestamp made the whole Event be copied and walked twice more.
 */
function scanMembers(v: unknown, depth: number, path: Path, found: Path[], marks: Path[], times: Path[]): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      // A null item stays (withoutNulls drops members only); an exact int64 becomes its double.
      if (typeof v[i] === 'bigint') {
        marks.push([...path, i]);
        continue;
      }
      path.push(i);
      const hit = scanMembers(v[i], depth + 1, path, found, marks, times);
      path.pop();
      if (hit) return true;
    }
    return false;
  }
  // Own keys as a list, and no call for a scalar: `for...in` with an own-property check per
  // key took half again as long over the corpus's CRDs, run cold (round 87).
  const keys = Object.keys(v);
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j];
    const x = (v as Record<string, unknown>)[k];
    if (k === '__proto__') return true;
    if (x === null) marks.push([...path, k]);
    else if (typeof x === 'number' || typeof x === 'bigint') {
      // A bigint (an exact int64: manifest/yaml-compat.ts exactInt) is checked as the number it is.
      if (typeof x === 'bigint') marks.push([...path, k]);
      // int32Paths does not look into objects deeper than 64.
      if (depth <= 64 && outOfRange(k, typeof x === 'bigint' ? bigintNumber(x) : x)) found.push([...path, k]);
    } else if (typeof x === 'string') {
      // A string under a Time's name that may not parse is timeDecodeError's candidate.
      if (TIME_FIELDS.has(k) && !plainTime(k, x)) times.push([...path, k]);
    } else if (typeof x === 'object') {
      path.push(k);
      if (TIME_MAP_FIELDS.has(k) && !Array.isArray(x)) for (const [m, t] of Object.entries(x)) if (typeof t === 'string' && !plainTime(m, t)) times.push([...path, m]);
      const hit = scanMembers(x, depth + 1, path, found, marks, times);
      path.pop();
      if (hit) return true;
    }
  }
  return false;
}

/**
 * withoutNulls(`v`) from the paths scanMembers marked: the null members dropped and the exact
 * int64s converted, each object or array on a path to one copied once (built without its
 * dropped members: a `delete` would leave the copy in dictionary mode, slower to validate),
 * everything else shared.
 */
const CHILD = Symbol('copied member');

function withoutAt(v: unknown, marks: Path[]): unknown {
  // Per object or array on a path: its members that change (DROPPED, a number, or CHILD).
  const edits = new Map<object, Map<string | number, unknown>>();
  for (const path of marks) {
    let o = v as Record<string | number, unknown>;
    for (let i = 0; i < path.length; i++) {
      let e = edits.get(o);
      if (!e) edits.set(o, (e = new Map()));
      const k = path[i];
      const x = o[k];
      if (i < path.length - 1) {
        e.set(k, CHILD);
        o = x as Record<string | number, unknown>;
      } else e.set(k, x === null ? DROPPED : bigintNumber(x as bigint));
    }
  }
  const build = (o: Record<string | number, unknown>): unknown => {
    const e = edits.get(o)!;
    if (Array.isArray(o)) {
      const out = o.slice();
      for (const [k, r] of e) out[k as number] = r === CHILD ? build(o[k as number]) : r;
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      const r = e.get(k);
      if (r === undefined) out[k] = o[k];
      else if (r === CHILD) out[k] = build(o[k] as Record<string | number, unknown>);
      else if (r !== DROPPED) out[k] = r;
    }
    return out;
  };
  return build(v as Record<string | number, unknown>);
}

/**
 * A strategic merge patch's result is decoded from a map (runtime.DefaultUnstructuredConverter's
 * fromUnstructured), which converts an int64 into an int32 field with Go's reflect Convert: it
 * wraps, with no error (`2147483648` is stored as -2147483648, which validation may then
 * refuse). Wraps those values of `obj` in place, as that decoding does.
 */
export function wrapMapInt32(obj: KObject, rt: ResourceType): void {
  if (rt.crd) return;
  const bundle = loadedSchemas();
  const key = rootKey(rt.group, splitApiVersion(obj.apiVersion).version, rt.kind);
  const rootDef = bundle.doc.roots[key];
  if (!rootDef) return;
  loadInt32Names(bundle.doc);
  for (const path of int32Paths(obj)) {
    if (!integerFieldAt(bundle.doc, rootDef, path)?.int32) continue;
    const value = getIn(obj, path);
    if (typeof value !== 'number' || !Number.isInteger(value) || pastInt64(value)) continue;
    const parent = getIn(obj, path.slice(0, -1)) as Record<string | number, unknown>;
    parent[path[path.length - 1]!] = Number(BigInt.asIntN(32, BigInt(value)));
  }
}

/** The integer field's schema at `path` and whether it is an int32 (marked, or an unmarked int32 name); undefined for no integer field. */
function integerFieldAt(doc: SchemaDocument, rootDef: string, path: Path): { loc: NonNullable<ReturnType<typeof walkSchema>>; int32: boolean } | undefined {
  const loc = walkSchema(doc, rootDef, path);
  if (!loc || !/integer/.test(schemaTypeWord(doc, loc.schema))) return undefined;
  const last = path[path.length - 1];
  return { loc, int32: loc.schema.format === 'int32' || (typeof last === 'string' && UNMARKED_INT32_FIELDS.has(last)) };
}

/** `data`: the object as it came (the copy without nulls holds an exact int64 as its double). */
function int32IssuesAt(found: Path[], data: unknown, bundle: ReturnType<typeof loadedSchemas>, key: string): SchemaIssue[] {
  if (!found.length) return [];
  const doc = bundle.doc;
  const rootDef = doc.roots[key];
  const issues: SchemaIssue[] = [];
  for (const path of found) {
    const field = rootDef ? integerFieldAt(doc, rootDef, path) : undefined;
    if (!field) continue;
    const { loc, int32 } = field;
    const value = getIn(data, path) as number | bigint;
    const owner = loc.ownerDef?.split('.').pop() ?? '';
    const fieldPath = path.filter((x) => typeof x === 'string').join('.');
    // Found by its name alone, in range for the int64 it is here (an exact int64 arrives as a bigint).
    if (!int32 && !(typeof value === 'number' && pastInt64(value))) continue;
    const message = goUnmarshalTypeError(`number ${typeof value === 'bigint' ? value : goJsonNumber(value)}`, int32 ? 'int32' : 'int64', owner, fieldPath);
    issues.push({ path, rule: 'schema/invalid-type', message, kubectlMessage: message, decodeMessage: message });
  }
  return issues;
}

/**
 * null means "unset" to the API server's decoder: null object members are dropped before
 * checking. Objects without any are checked as they are (the validators do not change their
 * input): copying every object validated was ~5 % of `validate` on megabyte CRDs.
 */
/**
 * `v` without its null members (array items stay), sharing every part that holds none: the
 * validators and walks that follow only read it. An Event's null first/lastTimestamp copied
 * the whole Event for each of the thousands a roll-out writes.
 */
const DROPPED = Symbol('null member');

function withoutNulls(v: unknown): unknown {
  if (typeof v === 'bigint') return bigintNumber(v); // an exact int64 is checked as the number it is
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = withoutNulls(v[i]);
      if (!out && x !== v[i]) out = v.slice(0, i);
      if (out) out.push(x);
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    // An own `__proto__` member: copied as before (the assignment decides its fate).
    if (k === '__proto__') return copyWithoutNulls(o);
    const x = o[k];
    const y = x === null ? DROPPED : withoutNulls(x);
    if (!out && y !== x) {
      out = {};
      for (const j in o) {
        if (j === k) break;
        if (Object.prototype.hasOwnProperty.call(o, j)) out[j] = o[j];
      }
    }
    if (out && y !== DROPPED) out[k] = y;
  }
  return out ?? o;
}

function copyWithoutNulls(v: unknown): unknown {
  if (typeof v === 'bigint') return bigintNumber(v);
  if (Array.isArray(v)) return v.map(copyWithoutNulls);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = copyWithoutNulls(x);
    return o;
  }
  return v;
}

function toIssues(errors: AjvError[], data: unknown, doc: SchemaDocument, rootDef: string, kind: string): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  // anyOf (IntOrString, Quantity) reports each branch; one issue per node is enough.
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (anyOfAt.has(e.instancePath) && e.keyword !== 'anyOf') continue;
    const path = fromPointer(e.instancePath, data);
    const ctx = `ValidationError(${[kind, formatPath(path)].filter(Boolean).join('.')})`;
    let issue: SchemaIssue | undefined;
    if (e.keyword === 'additionalProperties') {
      const field = String(e.params.additionalProperty);
      const loc = walkSchema(doc, rootDef, path);
      const def = loc?.def ?? rootDef;
      const fieldPath = [...path, field];
      issue = {
        path: fieldPath,
        rule: 'schema/unknown-field',
        message: `unknown field "${field}" in ${def}`,
        kubectlMessage: `${ctx}: unknown field "${field}" in ${def}`,
        decodeMessage: `unknown field "${formatPath(fieldPath)}"`,
        hint: loc ? unknownFieldHint(doc, rootDef, path, field, loc, data) : undefined,
      };
    } else if (e.keyword === 'type' || e.keyword === 'anyOf') {
      const loc = walkSchema(doc, rootDef, path);
      const got = valueTypeWord(getIn(data, path));
      const expected = loc ? schemaTypeWord(doc, loc.schema) : String(e.params.type);
      const name = loc?.ownerDef ? `${loc.ownerDef}.${loc.ownerField}` : rootDef;
      issue = {
        path,
        rule: 'schema/invalid-type',
        message: `invalid type for ${name}: got "${got}", expected "${expected}"`,
        kubectlMessage: `${ctx}: invalid type for ${name}: got "${got}", expected "${expected}"`,
        decodeMessage: decodeTypeMessage(getIn(data, path), expected, loc, path),
        convertMessage: convertTypeMessage(getIn(data, path), expected, loc),
      };
    } else if (e.keyword === 'required') {
      const field = String(e.params.missingProperty);
      const loc = walkSchema(doc, rootDef, path);
      const def = loc?.def ?? rootDef;
      issue = {
        path,
        rule: 'schema/required',
        message: `missing required field "${field}" in ${def}`,
        kubectlMessage: `${ctx}: missing required field "${field}" in ${def}`,
      };
    } else if (e.keyword === 'enum') {
      const value = getIn(data, path);
      const allowed = (e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ');
      issue = {
        path,
        rule: 'schema/invalid-value',
        message: `invalid value ${JSON.stringify(value)}: supported values: ${allowed}`,
        kubectlMessage: `${ctx}: invalid value ${JSON.stringify(value)}, supported values: ${allowed}`,
      };
    } else {
      issue = {
        path,
        rule: 'schema/invalid-value',
        message: e.message ?? e.keyword,
        kubectlMessage: `${ctx}: ${e.message ?? e.keyword}`,
      };
    }
    const k = issue.rule + '|' + issue.kubectlMessage;
    if (!seen.has(k)) {
      seen.add(k);
      issues.push(issue);
    }
  }
  return issues;
}

const GO_TYPES: Record<string, string> = { integer: 'int32', string: 'string', boolean: 'bool', number: 'float64', 'integer or string': 'intstr.IntOrString' };

/** encoding/json's text: `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`. */
function decodeTypeMessage(value: unknown, expected: string, loc: Located | undefined, path: Path): string {
  const owner = loc?.ownerDef?.split('.').pop() ?? '';
  const goType =
    (GO_TYPES[expected] && namedScalarType(loc)) ??
    GO_TYPES[expected] ??
    (expected === 'map' ? (loc?.schema.$ref || loc?.schema.properties ? `v1.${loc?.def.split('.').pop()}` : 'map[string]string') : expected === 'array' ? '[]interface {}' : expected);
  const fieldPath = path.filter((s) => typeof s === 'string').join('.');
  return goUnmarshalTypeError(goJsonKind(value), goType, owner, fieldPath);
}

/**
 * The Go type a scalar field is declared with when it is a named type (`v1.DeploymentStrategyType`,
 * a list's element `v1.Capability`): encoding/json and the converter print Type.String(). From
 * the protobuf descriptor's casttype (k8s-proto.json), read only on this error path.
 */
function namedScalarType(loc: Located | undefined): string | undefined {
  if (!loc?.ownerDef || !loc.ownerField) return undefined;
  const field = fieldsByName(loc.ownerDef.replace(/^io\.k8s\./, 'k8s.io.'))?.get(loc.ownerField);
  return field && field[2] !== 2 ? field[5] : undefined;
}

/** reflect's Kind of a value a JSON map holds (numbers without a fraction are int64: UnmarshalCaseSensitivePreserveInts). */
function goValueKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'map' : 'string';
}

/**
 * runtime.DefaultUnstructuredConverter's error for `value` where `expected` is
 * (apimachinery runtime/converter.go fromUnstructured): a scalar reflect cannot convert is an
 * `unrecognized type`, an int it can (to a string) but JSON would not `cannot convert`, a
 * struct, map or slice from something else `cannot restore`; IntOrString decodes itself.
 */
function convertTypeMessage(value: unknown, expected: string, loc: Located | undefined): string | undefined {
  const from = goValueKind(value);
  if (expected === 'integer or string') return goUnmarshalTypeError(goJsonKind(value), 'int32');
  if (expected === 'map') return loc?.schema.$ref || loc?.schema.properties ? `cannot restore struct from: ${from}` : `cannot restore map from ${from}`;
  if (expected === 'array') return `cannot restore slice from ${from}`;
  const to = expected === 'integer' ? (loc?.schema.format === 'int64' ? 'int64' : 'int32') : GO_TYPES[expected];
  if (!to) return undefined;
  const numeric = (k: string) => k === 'int64' || k === 'int32' || k === 'float64';
  // Go converts ints to strings and between numbers; JSON allows neither int to string nor a fraction to an int.
  // `cannot convert` prints the destination's Type (named), `unrecognized type` its Kind.
  if ((from === 'int64' && (numeric(to) || to === 'string')) || (from === 'float64' && numeric(to))) return `cannot convert ${from} to ${namedScalarType(loc) ?? to}`;
  return `unrecognized type: ${to}`;
}

/** `did you mean "replicas"?`, or where the field would be valid if it was mis-indented. */
function unknownFieldHint(doc: SchemaDocument, rootDef: string, parent: Path, field: string, loc: Located, data: unknown): string | undefined {
  const siblings = propertyNames(doc, loc.schema);
  const near = closest(field, siblings);
  if (near && near.toLowerCase() === field.toLowerCase()) return `did you mean "${near}"? (field names are case-sensitive)`;
  const where = formatPath(parent) || 'the top level';
  const placed = findElsewhere(doc, rootDef, parent, field, data);
  if (placed !== undefined) {
    const under = placed.length ? formatPathForHint(placed) : 'the top level';
    const at = parent.length ? `under ${where}` : 'at the top level';
    return `"${field}" is not valid ${at}, but is valid ${placed.length ? 'under ' + under : 'at the top level'}: check its indentation`;
  }
  if (near) return `did you mean "${near}"?`;
  return siblings.length && siblings.length <= 12 ? `valid fields here: ${siblings.join(', ')}` : undefined;
}

function formatPathForHint(p: Path): string {
  return formatPath(p).replace(/\[-1\]/g, '[]');
}

/** Paths (absolute) up to 2 levels above or 3 below `parent` whose schema has `field`. */
function findElsewhere(doc: SchemaDocument, rootDef: string, parent: Path, field: string, data: unknown): Path | undefined {
  type Cand = { path: Path; dist: number; exists: boolean };
  const cands: Cand[] = [];
  const has = (p: Path) => {
    const l = walkSchema(doc, rootDef, p.map((s) => (s === -1 ? 0 : s)));
    return !!l && propertyNames(doc, l.schema).includes(field);
  };
  const exists = (p: Path) => p.length === 0 || getIn(data, p.map((s) => (s === -1 ? 0 : s))) !== undefined;
  // Up: skip array indexes so `containers[0]` -> `spec`, not `containers`.
  let up = parent.slice();
  for (let k = 1; k <= 2 && up.length; k++) {
    up = up.slice(0, -1);
    while (typeof up[up.length - 1] === 'number') up = up.slice(0, -1);
    if (has(up)) cands.push({ path: up, dist: k, exists: true });
  }
  // Down: breadth-first through object properties and array items.
  const start = walkSchema(doc, rootDef, parent);
  if (start) {
    let frontier: { path: Path; schema: typeof start.schema }[] = [{ path: parent, schema: start.schema }];
    for (let depth = 1; depth <= 3; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        const s = resolve(doc, f.schema);
        for (const p of Object.keys(s.properties ?? {})) {
          if (p === 'status') continue;
          let child = resolve(doc, childSchema(s, p)!);
          let path: Path = [...f.path, p];
          if (child.type === 'array' && child.items) {
            const idx = Array.isArray(getIn(data, path)) && (getIn(data, path) as unknown[]).length ? 0 : -1;
            path = [...path, idx];
            child = resolve(doc, child.items);
          }
          if (propertyNames(doc, child).includes(field)) cands.push({ path, dist: depth, exists: exists(path) });
          if (child.type === 'object' && child.properties) next.push({ path, schema: child });
        }
      }
      frontier = next;
    }
  }
  if (!cands.length) return undefined;
  cands.sort((a, b) => Number(b.exists) - Number(a.exists) || a.dist - b.dist);
  return cands[0].path;
}
