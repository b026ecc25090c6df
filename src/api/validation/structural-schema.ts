// Validates a value against a CRD's structural schema (openAPIV3Schema) by walking the value
// and the schema together, as the apiserver's validator (kube-openapi) does. A CRD schema is
// often megabytes (kube-prometheus) while a custom resource touches a small part of it, so
// compiling the schema into code first (ajv) costs far more than the few objects of a run
// need: this walk only visits the schema nodes the value reaches (docs/decisions.md).
//
// Two orders: ajv's with `allErrors` for the equivalent draft-07 schema (keyword, params,
// message; the keyword semantics both share are tested against ajv itself,
// test/validation/structural-schema.test.ts), and kube-openapi's (Walker.kube), which the API
// server's CRD validation uses: its validator order, its anyOf/oneOf branch selection and its
// int64 comparison of integers with fractional bounds.
// Kubernetes extensions: x-kubernetes-preserve-unknown-fields (else unknown fields are
// errors), -int-or-string, -embedded-resource, and nullable.
import { fullFormats } from 'ajv-formats/dist/formats';
import { deepEqual } from '../../util/json-equal';
import { isJsonNumber } from '../../util/exact-json';

type S = Record<string, any>;
export type Path = (string | number)[];

export interface StructuralError {
  path: Path;
  keyword: string;
  params: Record<string, any>;
  message: string;
}

/** Compiles a CRD regular expression (Go RE2 syntax) into a JavaScript one. */
export type RegExpCompiler = (source: string) => RegExp;

/** Whether a string has a named format; undefined: the format is not checked. */
export type FormatChecker = (format: string, value: string) => boolean | undefined;

/**
 * `checkFormat`: the formats to check strings against (default: ajv-formats' draft-07 set).
 * `order`: ajv's errors (allErrors), or kube-openapi's (kube-apiserver's CRD validator: its
 * order and its semantics where they differ, see Walker.kube).
 */
export function validateStructural(value: unknown, schema: S, compileRegExp: RegExpCompiler, checkFormat?: FormatChecker, order: 'ajv' | 'kube-openapi' = 'ajv'): StructuralError[] {
  const walker = new Walker(compileRegExp, checkFormat);
  if (order === 'ajv') walker.node(value, schema, true);
  else walker.kube(value, schema, true);
  return walker.errors;
}

// ajv's type groups, in its evaluation order: a group's keywords (see hasRules) run only
// when the value has that type.
const GROUPS = ['number', 'string', 'array', 'object'];

/** ObjectMeta: an object whatever the CRD says; the apiserver checks it with its own code. */
const METADATA: S = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const COMPARISON: Record<string, string> = { maximum: '<=', minimum: '>=', exclusiveMaximum: '<', exclusiveMinimum: '>' };

/** The schema node's effective keywords after the Kubernetes extensions and draft-4 bounds. */
interface Node {
  s: S;
  types: string[];
  props: Record<string, S> | undefined;
  /** false: unknown fields are errors; a schema: they validate against it; undefined: allowed. */
  additional: S | boolean | undefined;
  required: string[] | undefined;
  anyOf: S[] | undefined;
  bounds: [keyword: string, limit: number][];
}

const EFFECTIVE_NODES = new WeakMap<S, Node>();
const EFFECTIVE_ROOT_NODES = new WeakMap<S, Node>();

class Walker {
  readonly errors: StructuralError[] = [];
  private readonly path: Path = [];
  // A schema node's effective form depends on the node alone: shared by every walk over
  // the same schema (each custom resource of a CRD), not rebuilt per object.
  private readonly nodes = EFFECTIVE_NODES;
  private readonly nodesAtRoot = EFFECTIVE_ROOT_NODES;

  constructor(
    private readonly compileRegExp: RegExpCompiler,
    private readonly checkFormat?: FormatChecker,
  ) {}

  node(v: unknown, s: S, root = false): void {
    if (!s || typeof s !== 'object') return;
    const n = this.effective(s, root);
    const dataType = typeOf(v);
    // ajv reports a wrong type up front, except when the schema names one type that has
    // keywords of its own: then the error comes where that type's keywords would run.
    const deferred = n.types.length === 1 && hasGroup(n.types[0]) && hasRules(n, n.types[0]);
    const typeOk = n.types.length === 0 || n.types.some((t) => matchesType(v, t));
    if (!typeOk && !deferred) this.fail('type', { type: n.types.length === 1 ? n.types[0] : n.types }, `must be ${n.types.join(',')}`);

    if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => deepEqual(e, v))) {
      this.fail('enum', { allowedValues: s.enum }, 'must be equal to one of the allowed values');
    }
    if (s.not) {
      if (this.passes(v, s.not)) this.fail('not', {}, 'must NOT be valid');
    }
    if (n.anyOf) this.anyOf(v, n.anyOf);
    if (Array.isArray(s.oneOf)) this.oneOf(v, s.oneOf);
    if (Array.isArray(s.allOf)) for (const sub of s.allOf) this.node(v, sub);

    for (const group of GROUPS) {
      if (!hasRules(n, group)) continue;
      if (dataType === group) this.group(v, n, group);
      else if (deferred && !typeOk && n.types[0] === group) this.fail('type', { type: group }, `must be ${group}`);
    }
  }

  /**
   * kube-openapi's SchemaValidator.Validate (k8s.io/kube-openapi pkg/validation/validate,
   * schema.go): its validators in its order, type, allOf/anyOf/oneOf/not, string, format,
   * number, array, enum, object, each applying by the value's kind. Returns the Result's
   * MatchCount (one per validator applied, plus what they merge), by which anyOf and oneOf
   * pick the failed branch whose errors are shown.
   */
  kube(v: unknown, s: S, root = false): number {
    if (!s || typeof s !== 'object') return 0;
    const n = this.effective(s, root);
    const types = s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : n.types.filter((t) => t !== 'null');
    // StripUnsupportedFormatsPostProcess: a format kube-apiserver does not check is no format.
    const format = typeof s.format === 'string' && s.format && this.checkFormat?.(s.format, '') !== undefined ? s.format : '';
    if (v === null) {
      // Only the type and enum validators see a null.
      const typeFails = types.length > 0 && !s.nullable;
      if (typeFails) this.fail('type', { type: types.length === 1 ? types[0] : types }, '');
      this.kubeEnum(v, s);
      return typeFails ? 0 : 1;
    }
    let count = 1;
    if (types.length || format) count += 1 + this.kubeType(v, types, format);
    count += 1 + this.kubeSchemaProps(v, s);
    if (typeof v === 'string') {
      count++;
      // The string validator stops at its first failure.
      if (typeof s.maxLength === 'number' && codePoints(v) > s.maxLength) this.fail('maxLength', { limit: s.maxLength }, '');
      else if (typeof s.minLength === 'number' && codePoints(v) < s.minLength) this.fail('minLength', { limit: s.minLength }, '');
      else if (typeof s.pattern === 'string' && !this.regExp(s.pattern).test(v)) this.fail('pattern', { pattern: s.pattern }, '');
      if (format) {
        count++;
        if (this.checkFormat?.(format, v) === false) this.fail('format', { format }, '');
      }
    } else if (isJsonNumber(v)) {
      count += 2;
      this.kubeNumber(v, s);
    } else if (Array.isArray(v)) {
      count += 2;
      if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) {
        for (let i = 0; i < v.length; i++) {
          this.path.push(i);
          count += this.kube(v[i], s.items);
          this.path.pop();
        }
      }
      if (typeof s.minItems === 'number' && v.length < s.minItems) this.fail('minItems', { limit: s.minItems }, '');
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) this.fail('maxItems', { limit: s.maxItems }, '');
      if (s.uniqueItems === true && v.some((x, i) => v.slice(0, i).some((y) => deepEqual(x, y)))) this.fail('uniqueItems', {}, '');
    }
    count++;
    this.kubeEnum(v, s);
    if (typeof v === 'object' && !Array.isArray(v)) count += 1 + this.kubeObject(v as Record<string, unknown>, n, s);
    return count;
  }

  private kubeEnum(v: unknown, s: S): void {
    if (Array.isArray(s.enum) && s.enum.length > 0 && !s.enum.some((e: unknown) => deepEqual(e, v))) this.fail('enum', { allowedValues: s.enum }, '');
  }

  /** typeValidator: 1 when it passes, 0 when it fails (its MatchCount). */
  private kubeType(v: unknown, types: string[], format: string): number {
    // An exact int64 past 2^53 is a bigint (util/exact-json): an integer as any other.
    const integral = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63);
    // schemaInfoForType: the JSON type and format of the decoded value (int64, float64).
    const schType = typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : isJsonNumber(v) ? (integral ? 'integer' : 'number') : Array.isArray(v) ? 'array' : 'object';
    const valueFormat = schType === 'integer' ? 'int64' : schType === 'number' ? 'float64' : '';
    const floatInt = schType === 'number' && isJsonInteger(v as number) && types.includes('integer');
    const intFloat = schType === 'integer' && types.includes('number');
    const scalar = schType !== 'string' && schType !== 'array';
    if (scalar && format && !(types.includes(schType) || valueFormat === format || floatInt || intFloat)) {
      this.fail('type', { type: format, got: valueFormat }, '');
      return 0;
    }
    if (!types.includes('number') && !types.includes('integer') && format && !scalar) return 1;
    if (!(types.includes(schType) || floatInt || intFloat)) {
      this.fail('type', { type: types.length === 1 ? types[0] : types }, '');
      return 0;
    }
    return 1;
  }

  /** schemaPropsValidator: anyOf, oneOf, allOf, not; its MatchCount. */
  private kubeSchemaProps(v: unknown, s: S): number {
    let count = 1;
    const branch = (b: S) => {
      const before = this.errors.length;
      const c = this.kube(v, b);
      return { errors: this.errors.splice(before), count: c };
    };
    if (Array.isArray(s.anyOf) && s.anyOf.length) {
      let best: ReturnType<typeof branch> | undefined;
      let passed: number | undefined;
      for (const b of s.anyOf) {
        const r = branch(b);
        if (!r.errors.length) {
          passed = r.count;
          break;
        }
        if (!best || r.count > best.count) best = r;
      }
      if (passed !== undefined) count += passed;
      else {
        // The anyOf error, then the errors of the branch that matched most.
        this.fail('anyOf', {}, '');
        this.errors.push(...best!.errors);
        count += best!.count;
      }
    }
    if (Array.isArray(s.oneOf) && s.oneOf.length) {
      let best: ReturnType<typeof branch> | undefined;
      let first: number | undefined;
      const passing: number[] = [];
      s.oneOf.forEach((b: S, i: number) => {
        const r = branch(b);
        if (!r.errors.length) {
          passing.push(i);
          best = undefined;
          first ??= r.count;
        } else if (!passing.length && (!best || r.count > best.count)) best = r;
      });
      if (passing.length === 1) count += first!;
      else {
        this.fail('oneOf', { passingSchemas: passing.length ? passing : null }, '');
        if (best) {
          this.errors.push(...best.errors);
          count += best.count;
        }
      }
    }
    if (Array.isArray(s.allOf) && s.allOf.length) {
      let validated = 0;
      for (const b of s.allOf) {
        const r = branch(b);
        if (!r.errors.length) validated++;
        this.errors.push(...r.errors);
        count += r.count;
      }
      if (validated !== s.allOf.length) this.fail('allOf', { validated }, '');
    }
    if (s.not && typeof s.not === 'object' && !branch(s.not).errors.length) this.fail('not', {}, '');
    return count;
  }

  /**
   * numberValidator: multipleOf, minimum, maximum. An integer (int64) is compared with the
   * bound converted to int64 (truncated: `minimum: 1.5` lets 1 pass), a float as float64.
   */
  private kubeNumber(v: number | bigint, s: S): void {
    const integral = typeof v === 'bigint' || (Number.isInteger(v) && Math.abs(v) < 2 ** 63);
    // The schema's bounds are float64 in kube (a bound written past 2^53 is rounded as Go rounds it).
    const float = (x: unknown) => (typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : undefined);
    const multipleOf = float(s.multipleOf);
    if (multipleOf !== undefined) {
      const factor = integral ? Math.trunc(multipleOf) : multipleOf;
      if (factor <= 0) this.fail('multipleOfPositive', { factor }, '');
      else if (typeof v === 'bigint' ? v % BigInt(factor) !== 0n : integral ? v % factor !== 0 : !isJsonInteger(factor < 1 ? (1 / factor) * v : v / factor)) this.fail('multipleOf', { multipleOf: factor }, '');
    }
    for (const [bound, exclusive, below] of [['minimum', 'exclusiveMinimum', true], ['maximum', 'exclusiveMaximum', false]] as const) {
      const raw = float(s[bound]);
      if (raw === undefined) continue;
      // A bigint value compares exactly with a number bound (JavaScript's mixed comparison).
      const limit = integral ? Math.trunc(raw) : raw;
      const excl = s[exclusive] === true;
      const fails = below ? (excl ? v <= limit : v < limit) : excl ? v >= limit : v > limit;
      if (fails) this.fail(excl ? exclusive : bound, { limit }, '');
    }
  }

  /** objectValidator: min/maxProperties, unknown fields, additionalProperties, properties, then required; its MatchCount. */
  private kubeObject(v: Record<string, unknown>, n: Node, s: S): number {
    let count = 0;
    const keys = Object.keys(v);
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) this.fail('minProperties', { limit: s.minProperties }, '');
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) this.fail('maxProperties', { limit: s.maxProperties }, '');
    for (const k of keys) {
      if (n.props && Object.prototype.hasOwnProperty.call(n.props, k)) continue;
      if (n.additional === false) this.fail('additionalProperties', { additionalProperty: k }, '');
      else if (n.additional && n.additional !== true) {
        this.path.push(k);
        count += this.kube(v[k], n.additional);
        this.path.pop();
      }
    }
    for (const k in n.props ?? {}) {
      if (v[k] === undefined || !Object.prototype.hasOwnProperty.call(v, k)) continue;
      this.path.push(k);
      count += this.kube(v[k], n.props![k]);
      this.path.pop();
    }
    // The schema's own required list: an embedded resource's apiVersion and kind are objectmeta.Validate's.
    for (const p of Array.isArray(s.required) ? s.required : []) if (v[p] === undefined) this.fail('required', { missingProperty: p }, '');
    return count;
  }

  private group(v: any, n: Node, group: string): void {
    const s = n.s;
    if (group === 'number') {
      for (const [keyword, limit] of n.bounds) {
        const ok = keyword === 'maximum' ? v <= limit : keyword === 'minimum' ? v >= limit : keyword === 'exclusiveMaximum' ? v < limit : v > limit;
        if (!ok) this.fail(keyword, { comparison: COMPARISON[keyword], limit }, `must be ${COMPARISON[keyword]} ${limit}`);
      }
      const x = typeof v === 'bigint' ? Number(v) : v; // ajv's own arithmetic is float64's
      if (typeof s.multipleOf === 'number' && x / s.multipleOf !== parseInt(String(x / s.multipleOf), 10)) {
        this.fail('multipleOf', { multipleOf: s.multipleOf }, `must be multiple of ${s.multipleOf}`);
      }
      if (s.format !== undefined) this.format(v, s.format, 'number');
    } else if (group === 'string') {
      if (typeof s.maxLength === 'number' && codePoints(v) > s.maxLength) {
        this.fail('maxLength', { limit: s.maxLength }, `must NOT have more than ${s.maxLength} characters`);
      }
      if (typeof s.minLength === 'number' && codePoints(v) < s.minLength) {
        this.fail('minLength', { limit: s.minLength }, `must NOT have fewer than ${s.minLength} characters`);
      }
      if (typeof s.pattern === 'string' && !this.regExp(s.pattern).test(v)) {
        this.fail('pattern', { pattern: s.pattern }, `must match pattern "${s.pattern}"`);
      }
      if (s.format !== undefined) this.format(v, s.format, 'string');
    } else if (group === 'array') {
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) this.fail('maxItems', { limit: s.maxItems }, `must NOT have more than ${s.maxItems} items`);
      if (typeof s.minItems === 'number' && v.length < s.minItems) this.fail('minItems', { limit: s.minItems }, `must NOT have fewer than ${s.minItems} items`);
      if (s.items && typeof s.items === 'object') {
        for (let i = 0; i < v.length; i++) {
          const sub = Array.isArray(s.items) ? s.items[i] : s.items;
          if (!sub) continue;
          this.path.push(i);
          this.node(v[i], sub);
          this.path.pop();
        }
      }
      // ajv runs items before uniqueItems (its "before" ordering of the keyword).
      if (s.uniqueItems === true) this.uniqueItems(v, s.items);
    } else {
      const keys = Object.keys(v);
      if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) {
        this.fail('maxProperties', { limit: s.maxProperties }, `must NOT have more than ${s.maxProperties} properties`);
      }
      if (typeof s.minProperties === 'number' && keys.length < s.minProperties) {
        this.fail('minProperties', { limit: s.minProperties }, `must NOT have fewer than ${s.minProperties} properties`);
      }
      for (const p of n.required ?? []) {
        if (v[p] === undefined) this.fail('required', { missingProperty: p }, `must have required property '${p}'`);
      }
      if (n.additional !== undefined && n.additional !== true) {
        for (const k of keys) {
          if (n.props && Object.prototype.hasOwnProperty.call(n.props, k)) continue;
          if (n.additional === false) {
            this.fail('additionalProperties', { additionalProperty: k }, 'must NOT have additional properties');
          } else {
            this.path.push(k);
            this.node(v[k], n.additional);
            this.path.pop();
          }
        }
      }
      if (n.props) {
        for (const k in n.props) {
          if (v[k] === undefined || !Object.prototype.hasOwnProperty.call(v, k)) continue;
          this.path.push(k);
          this.node(v[k], n.props[k]);
          this.path.pop();
        }
      }
    }
  }

  private anyOf(v: unknown, branches: S[]): void {
    const failed: StructuralError[] = [];
    for (const b of branches) {
      const errs = this.collect(v, b);
      if (errs.length === 0) return;
      failed.push(...errs);
    }
    this.errors.push(...failed);
    this.fail('anyOf', {}, 'must match a schema in anyOf');
  }

  /** ajv's oneOf, quirks included: failed branches' errors stay when the keyword fails. */
  private oneOf(v: unknown, branches: S[]): void {
    const before = this.errors.length;
    let valid = false;
    let passing: number | number[] | null = null;
    branches.forEach((b, i) => {
      const errorsBefore = this.errors.length;
      this.node(v, b);
      const ok = this.errors.length === errorsBefore;
      if (i > 0 && ok && valid) {
        valid = false;
        passing = [passing as number, i];
      } else if (ok) {
        valid = true;
        passing = i;
      }
    });
    if (valid) this.errors.length = before;
    else this.fail('oneOf', { passingSchemas: passing }, 'must match exactly one schema in oneOf');
  }

  /** ajv's two loops, so the reported pair is the same: by value for scalar item types. */
  private uniqueItems(v: unknown[], items: unknown): void {
    const itemTypes = items && typeof items === 'object' && !Array.isArray(items) ? this.effective(items as S, false).types : [];
    if (itemTypes.length > 0 && !itemTypes.some((t) => t === 'object' || t === 'array')) {
      const seen = new Map<unknown, number>();
      for (let i = v.length; i--;) {
        let item = v[i];
        if (!itemTypes.some((t) => matchesType(item, t))) continue;
        if (itemTypes.length > 1 && typeof item === 'string') item += '_';
        const key = String(item);
        const j = seen.get(key);
        if (j !== undefined) {
          this.fail('uniqueItems', { i, j }, `must NOT have duplicate items (items ## ${j} and ${i} are identical)`);
          return;
        }
        seen.set(key, i);
      }
      return;
    }
    for (let i = v.length; i--;) {
      for (let j = i; j--;) {
        if (deepEqual(v[i], v[j])) {
          this.fail('uniqueItems', { i, j }, `must NOT have duplicate items (items ## ${j} and ${i} are identical)`);
          return;
        }
      }
    }
  }

  private format(v: unknown, name: unknown, dataType: 'number' | 'string'): void {
    if (this.checkFormat) {
      if (dataType === 'string' && this.checkFormat(String(name), v as string) === false) this.fail('format', { format: name }, `must match format "${name}"`);
      return;
    }
    const def = (fullFormats as Record<string, any>)[String(name)];
    // Formats ajv-formats does not know (int-or-string, cidr, ...) are accepted, as the
    // apiserver does for most; a format applies to strings unless it says otherwise.
    if (def === undefined || typeof def === 'boolean') return;
    const appliesTo = typeof def === 'object' && !(def instanceof RegExp) && def.type ? def.type : 'string';
    if (appliesTo !== dataType) return;
    const check = typeof def === 'object' && !(def instanceof RegExp) ? def.validate : def;
    const ok = check instanceof RegExp ? check.test(v as string) : typeof check === 'function' ? check(v) : true;
    if (!ok) this.fail('format', { format: name }, `must match format "${name}"`);
  }

  private passes(v: unknown, s: S): boolean {
    return this.collect(v, s).length === 0;
  }

  /** Errors of a sub-schema, kept apart (anyOf/oneOf/not decide whether they count). */
  private collect(v: unknown, s: S): StructuralError[] {
    const before = this.errors.length;
    this.node(v, s);
    return this.errors.splice(before);
  }

  private fail(keyword: string, params: Record<string, any>, message: string): void {
    this.errors.push({ path: [...this.path], keyword, params, message });
  }

  private readonly regExps = new Map<string, RegExp>();
  private regExp(source: string): RegExp {
    let re = this.regExps.get(source);
    if (!re) this.regExps.set(source, (re = this.compileRegExp(source)));
    return re;
  }

  /** The schema node as draft-07 sees it after the Kubernetes extensions (memoised). */
  private effective(s: S, root: boolean): Node {
    const memo = root ? this.nodesAtRoot : this.nodes;
    let n = memo.get(s);
    if (n) return n;
    const embedded = !!s['x-kubernetes-embedded-resource'];
    let props: Record<string, S> | undefined = s.properties && typeof s.properties === 'object' ? s.properties : undefined;
    if (embedded || root) {
      // apiVersion and kind are strings; ObjectMeta is checked by the apiserver's own code.
      props = { ...(props ?? {}) };
      props.apiVersion ??= { type: 'string' };
      props.kind ??= { type: 'string' };
      props.metadata = METADATA;
    }
    if (props && Object.keys(props).length === 0) props = undefined;
    let required: string[] | undefined = Array.isArray(s.required) ? s.required : undefined;
    if (embedded && !root) required = [...new Set([...(required ?? []), 'apiVersion', 'kind'])];
    let additional: S | boolean | undefined;
    if (s.additionalProperties !== undefined) additional = s.additionalProperties;
    else if (!s['x-kubernetes-preserve-unknown-fields'] && (s.type === 'object' || s.properties || root)) additional = false;
    let types: string[] = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
    let anyOf: S[] | undefined = Array.isArray(s.anyOf) ? s.anyOf : undefined;
    if (s['x-kubernetes-int-or-string']) {
      types = [];
      anyOf = [{ type: 'integer' }, { type: 'string' }];
    }
    if (s.nullable && types.length) types = [...types, 'null'];
    // OpenAPI v3 (draft 4) boolean exclusive bounds are draft-07 numbers.
    const bounds: [string, number][] = [];
    const exMax = s.exclusiveMaximum === true && typeof s.maximum === 'number';
    const exMin = s.exclusiveMinimum === true && typeof s.minimum === 'number';
    if (typeof s.maximum === 'number' && !exMax) bounds.push(['maximum', s.maximum]);
    if (typeof s.minimum === 'number' && !exMin) bounds.push(['minimum', s.minimum]);
    if (exMax) bounds.push(['exclusiveMaximum', s.maximum]);
    else if (typeof s.exclusiveMaximum === 'number') bounds.push(['exclusiveMaximum', s.exclusiveMaximum]);
    if (exMin) bounds.push(['exclusiveMinimum', s.minimum]);
    else if (typeof s.exclusiveMinimum === 'number') bounds.push(['exclusiveMinimum', s.exclusiveMinimum]);
    n = { s, types, props, additional, required, anyOf, bounds };
    memo.set(s, n);
    return n;
  }
}

function hasGroup(type: string): boolean {
  return type === 'number' || type === 'string' || type === 'array' || type === 'object';
}

/** Whether the node has keywords of a type group (ajv's shouldUseGroup). */
function hasRules(n: Node, group: string): boolean {
  const s = n.s;
  switch (group) {
    case 'number':
      return n.bounds.length > 0 || s.multipleOf !== undefined || s.format !== undefined;
    case 'string':
      return s.maxLength !== undefined || s.minLength !== undefined || s.pattern !== undefined || s.format !== undefined;
    case 'array':
      return s.maxItems !== undefined || s.minItems !== undefined || s.uniqueItems !== undefined || s.items !== undefined;
    default:
      return s.maxProperties !== undefined || s.minProperties !== undefined || n.required !== undefined || n.additional !== undefined || n.props !== undefined;
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'bigint' ? 'number' : typeof v;
}

function matchesType(v: unknown, t: string): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'bigint' || (typeof v === 'number' && !(v % 1) && !Number.isNaN(v));
    case 'number':
      return isJsonNumber(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return typeof v === t;
  }
}

/** String length in code points, as JSON Schema counts it (a surrogate pair is one). */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}


/**
 * swag.IsFloat64AJSONInteger (go-openapi/swag v0.23.0): an integer, or a positive float
 * within a relative 1e-9 above one (Go's uint64(f) floors it; a negative float is no such).
 */
function isJsonInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > 2 ** 53 - 1) return false;
  if (Number.isInteger(f)) return true;
  if (f < 0) return false;
  const g = Math.floor(f);
  if (g === 0) return false;
  return (f - g) / (f + g) < 1e-9;
}
