// The estimated cost of CRD validation rules, as kube-apiserver 1.32 computes it when a CRD
// is created or updated: cel-go v0.22's checker/cost.go over the rule's type-checked AST,
// with Kubernetes' CostEstimator (k8s.io/apiserver pkg/cel/library/cost.go) and the
// schema's size estimator (apiextensions-apiserver schema/cel/compilation.go), whose sizes
// come from maxItems/maxLength/maxProperties or, when unset, from the 3 MiB request limit
// (pkg/cel/common/schemas.go SchemaDeclType). The AST is cel-js's; it is read as cel-go
// would have expanded it (macros as comprehensions over `__result__`). A construct whose
// cel-go cost is not known here makes the estimate unknown, and an unknown rule is never
// refused (crd-cel-cost-limits.ts).
import { escapeField } from './crd-cel-types';

type S = Record<string, any>;

export const MAX = (1n << 64n) - 1n;
const TWO64 = 2 ** 64;
const MAX_REQUEST = 3n * 1024n * 1024n;

/** A [min, max] range of uint64 costs or sizes; arithmetic saturates at MaxUint64 as cel-go's does. */
export interface Range {
  min: bigint;
  max: bigint;
}
const R = (min: bigint, max: bigint = min): Range => ({ min, max });
const addU = (x: bigint, y: bigint) => (x + y > MAX ? MAX : x + y);
const mulU = (x: bigint, y: bigint) => (x * y > MAX ? MAX : x * y);
const add = (a: Range, b: Range) => R(addU(a.min, b.min), addU(a.max, b.max));
const mul = (a: Range, b: Range) => R(mulU(a.min, b.min), mulU(a.max, b.max));
const union = (a: Range, b: Range) => R(a.min < b.min ? a.min : b.min, a.max > b.max ? a.max : b.max);
function factorU(x: bigint, y: number): bigint {
  const xf = Number(x);
  if (xf > 0 && y > 0 && xf > TWO64 / y) return MAX;
  const c = Math.ceil(xf * y);
  return c >= TWO64 ? MAX : BigInt(c);
}
const factor = (a: Range, y: number) => R(factorU(a.min, y), factorU(a.max, y));
const ONE = R(1n);
const ZERO = R(0n);
const TRAVERSAL = 0.1;
const REGEX_LENGTH = 0.25;

// ---------- the schema's declared types (apiserver pkg/cel/common SchemaDeclType) ----------

/** The parts of a DeclType that costing reads. */
export interface Decl {
  kind: 'object' | 'list' | 'map' | 'scalar' | 'dyn';
  maxElements: bigint;
  minSize: bigint;
  fields?: Map<string, Decl>;
  elem?: Decl;
  key?: Decl;
}

const simple = (minSize: bigint, maxElements = 0n): Decl => ({ kind: 'scalar', maxElements, minSize });
const nonNeg = (v: unknown): bigint => {
  const n = BigInt(Math.trunc(Number(v)));
  return n < 0n ? 0n : n;
};
const STRING_KEY = simple(2n);

/** WithTypeAndObjectMeta: a resource root always has kind, apiVersion and metadata.name/generateName. */
function withTypeAndObjectMeta(s: S): S {
  const p = s.properties ?? {};
  const isStr = (x: S | undefined) => x?.type === 'string';
  if (isStr(p.kind) && isStr(p.apiVersion) && p.metadata?.type === 'object' && isStr(p.metadata.properties?.name) && isStr(p.metadata.properties?.generateName)) return s;
  const str = { type: 'string' };
  return { ...s, properties: { ...p, kind: str, apiVersion: str, metadata: { type: 'object', properties: { name: str, generateName: str } } } };
}

function maxStringLength(s: S): bigint {
  switch (s.format) {
    case 'duration':
    case 'date-time':
      return 32n;
    case 'date':
      return 12n;
  }
  return MAX_REQUEST - 2n;
}

/** Declared types by schema node (a CRD's rules at one node share it; schemas are not changed once stored). */
const decls = [new WeakMap<S, Decl | null>(), new WeakMap<S, Decl | null>()];

export function schemaDecl(s: S | undefined, resourceRoot: boolean): Decl | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const memo = decls[resourceRoot ? 1 : 0]!;
  let d = memo.get(s);
  if (d === undefined) memo.set(s, (d = declOf(s, resourceRoot) ?? null));
  return d ?? undefined;
}

function declOf(s: S, resourceRoot: boolean): Decl | undefined {
  if (s['x-kubernetes-int-or-string'] === true) return { kind: 'dyn', maxElements: MAX_REQUEST - 2n, minSize: 1n };
  if (resourceRoot) s = withTypeAndObjectMeta(s);
  switch (s.type) {
    case 'array': {
      if (!s.items || typeof s.items !== 'object' || Array.isArray(s.items)) return undefined;
      const elem = schemaDecl(s.items, s.items['x-kubernetes-embedded-resource'] === true);
      if (!elem) return undefined;
      const max = s.maxItems != null ? nonNeg(s.maxItems) : (MAX_REQUEST - 2n) / (elem.minSize + 1n);
      return { kind: 'list', maxElements: max, minSize: 2n, elem };
    }
    case 'object': {
      const ap = s.additionalProperties;
      if (ap && typeof ap === 'object') {
        const elem = schemaDecl(ap, ap['x-kubernetes-embedded-resource'] === true);
        if (!elem) return undefined;
        const max = s.maxProperties != null ? nonNeg(s.maxProperties) : (MAX_REQUEST - 2n) / (elem.minSize + 6n);
        return { kind: 'map', maxElements: max, minSize: 2n, elem, key: STRING_KEY };
      }
      const required = new Set<string>(Array.isArray(s.required) ? s.required : []);
      const fields = new Map<string, Decl>();
      let minSize = 2n;
      for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, S>)) {
        const t = schemaDecl(prop, prop?.['x-kubernetes-embedded-resource'] === true);
        if (!t) continue;
        const f = escapeField(name);
        if (f !== undefined) fields.set(f, t);
        if (required.has(name) && prop.default === undefined) minSize += BigInt(Buffer.byteLength(name)) + t.minSize + 4n;
      }
      return { kind: 'object', maxElements: 0n, minSize, fields };
    }
    case 'string': {
      switch (s.format) {
        case 'byte':
          return simple(2n, s.maxLength != null ? nonNeg(s.maxLength) : maxStringLength(s));
        case 'duration':
          return simple(3n, maxStringLength(s));
        case 'date':
          return simple(12n, maxStringLength(s));
        case 'date-time':
          return simple(21n, maxStringLength(s));
      }
      if (s.maxLength != null) return simple(2n, nonNeg(s.maxLength) * 4n);
      if (Array.isArray(s.enum) && s.enum.length) {
        let max = 0n;
        for (const v of s.enum) if (typeof v === 'string' && BigInt(Buffer.byteLength(v)) > max) max = BigInt(Buffer.byteLength(v));
        return simple(2n, max);
      }
      return simple(2n, maxStringLength(s));
    }
    case 'boolean':
      return simple(4n);
    case 'number':
    case 'integer':
      return simple(1n);
  }
  return undefined;
}

/** maxCardinality of compilation.go: how often data of this minimum size fits in one request. */
export const unboundedCardinality = (d: Decl): bigint => MAX_REQUEST / (d.minSize + 1n);

// ---------- cel-go's AST, read from cel-js's ----------

/** A CEL type as cost.go reads it: its kind, and a list's or map's parameters. */
interface T {
  kind: 'list' | 'map' | 'struct' | 'string' | 'bytes' | 'int' | 'uint' | 'double' | 'bool' | 'null' | 'timestamp' | 'duration' | 'dyn' | 'opaque';
  name: string;
  params: T[];
}

type E =
  | { k: 'lit'; t: T; size?: bigint; value: unknown }
  | { k: 'ident'; t: T; name: string }
  | { k: 'select'; t: T; operand: E; field: string; test: boolean }
  | { k: 'call'; t: T; fn: string; target?: E; args: E[]; overloads: string[] }
  | { k: 'list'; t: T; elems: E[] }
  | { k: 'map'; t: T; entries: [E, E][] }
  | { k: 'comp'; t: T; range: E; iterVar: string; init: E; cond: E; step: E; result: E };

class Unknown extends Error {}
const unknown = (why: string): never => {
  throw new Unknown(why);
};

const ACCU = '__result__';
const SCALAR_NAMES: Record<string, T['kind']> = {
  string: 'string',
  bytes: 'bytes',
  int: 'int',
  uint: 'uint',
  double: 'double',
  bool: 'bool',
  null: 'null',
  null_type: 'null',
  'google.protobuf.Timestamp': 'timestamp',
  'google.protobuf.Duration': 'duration',
  dyn: 'dyn',
};
/** Kubernetes' types that kubesim registers as classes (cel-go's opaque or struct types). */
const K8S_TYPES = new Set(['Quantity', 'URL', 'net.IP', 'net.CIDR', 'net.Format']);

function typeOf(ct: any): T {
  if (!ct) return unknown('an untyped node');
  const name = String(ct.name);
  if (ct.kind === 'list') return { kind: 'list', name, params: [typeOf(ct.valueType)] };
  if (ct.kind === 'map') return { kind: 'map', name, params: [typeOf(ct.keyType), typeOf(ct.valueType)] };
  if (ct.kind === 'message') return { kind: 'struct', name, params: [] };
  // An empty literal's element type is a type parameter: dyn to the checker.
  if (ct.kind === 'param' || /^[A-Z]$/.test(name)) return { kind: 'dyn', name: 'dyn', params: [] };
  const scalar = SCALAR_NAMES[name];
  if (scalar) return { kind: scalar, name, params: [] };
  if (K8S_TYPES.has(name)) return { kind: name === 'Quantity' || name === 'URL' || name === 'net.Format' ? 'struct' : 'opaque', name, params: [] };
  if (/^(optional<|type|list<|map<)/.test(name) || ct.kind === 'optional') return { kind: 'opaque', name, params: [] };
  return unknown(`type ${name}`);
}

const T_BOOL: T = { kind: 'bool', name: 'bool', params: [] };
const T_INT: T = { kind: 'int', name: 'int', params: [] };
const T_STRING: T = { kind: 'string', name: 'string', params: [] };
const T_DYN_LIST: T = { kind: 'list', name: 'list<dyn>', params: [{ kind: 'dyn', name: 'dyn', params: [] }] };

function literal(v: unknown, t: T): E {
  let size: bigint | undefined;
  if (typeof v === 'string') size = BigInt([...v].length);
  else if (v instanceof Uint8Array) size = BigInt(v.length);
  else if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || (v && typeof v === 'object' && (v as object).constructor?.name === 'UnsignedInt')) size = 1n;
  return { k: 'lit', t, size, value: v };
}

/** Library namespaces that kubesim registers as constants: `sets.contains(a, b)` is cel-go's global `sets.contains`. */
const NAMESPACES = new Set(['sets', 'format', 'strings', 'ip']);
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const RENAMED: Record<string, string> = { _matchs: 'matches' };

const kinds = (e: E): T['kind'] => e.t.kind;
const call = (fn: string, args: E[], overloads: string[], t: T, target?: E): E => ({ k: 'call', t, fn, target, args, overloads });

/** The overload IDs cel-go's checker would keep for an operator on these operand types (several when one is dyn). */
function operatorOverloads(op: string, l: E, r: E): string[] {
  const lk = kinds(l);
  const rk = kinds(r);
  const may = (k: T['kind']) => (lk === k || lk === 'dyn') && (rk === k || rk === 'dyn');
  switch (op) {
    case '==':
      return ['equals'];
    case '!=':
      return ['not_equals'];
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const base = { '<': 'less', '<=': 'less_equals', '>': 'greater', '>=': 'greater_equals' }[op];
      const out: string[] = [];
      if (may('string')) out.push(`${base}_string`);
      if (may('bytes')) out.push(`${base}_bytes`);
      if (!(lk === 'string' || lk === 'bytes') || !(rk === 'string' || rk === 'bytes')) out.push(`${base}_other`);
      return out;
    }
    case 'in':
      if (rk === 'list') return ['in_list'];
      if (rk === 'map') return ['in_map'];
      return ['in_list', 'in_map'];
    case '+': {
      const out: string[] = [];
      if (may('string')) out.push('add_string');
      if (may('bytes')) out.push('add_bytes');
      if (may('list')) out.push('add_list');
      const scalar = (k: T['kind']) => k === 'int' || k === 'uint' || k === 'double' || k === 'timestamp' || k === 'duration' || k === 'dyn';
      if (scalar(lk) && scalar(rk)) out.push('add_other');
      return out.length ? out : ['add_other'];
    }
  }
  return [`${op}_other`];
}

const BINARY: Record<string, string> = { '==': '_==_', '!=': '_!=_', '<': '_<_', '<=': '_<=_', '>': '_>_', '>=': '_>=_', '+': '_+_', '-': '_-_', '*': '_*_', '/': '_/_', '%': '_%_', in: '@in' };

/** cel-js's checked AST as cel-go's: operators as calls, macros expanded, namespaced functions global. */
function toCelGo(n: any): E {
  if (!n || typeof n !== 'object') return unknown('a malformed node');
  const t = () => typeOf(n.checkedType);
  switch (n.op) {
    case 'value':
      return literal(n.args, t());
    case 'id':
      return { k: 'ident', t: t(), name: n.args };
    case '.':
      return { k: 'select', t: t(), operand: toCelGo(n.args[0]), field: n.args[1], test: false };
    case '.?':
      return call('_?._', [toCelGo(n.args[0]), literal(n.args[1], T_STRING)], ['select_optional_field'], t());
    case '[]': {
      const obj = toCelGo(n.args[0]);
      const k = kinds(obj);
      const overloads = k === 'list' ? ['index_list'] : k === 'map' ? ['index_map'] : k === 'dyn' ? ['index_list', 'index_map'] : unknown('an index of a non-collection');
      return call('_[_]', [obj, toCelGo(n.args[1])], overloads, t());
    }
    case '[?]':
      return call('_[?]_', [toCelGo(n.args[0]), toCelGo(n.args[1])], ['optional_index'], t());
    case 'list':
      return { k: 'list', t: t(), elems: (n.args as any[]).map(toCelGo) };
    case 'map':
      return { k: 'map', t: t(), entries: (n.args as any[][]).map((e) => [toCelGo(e[0]), toCelGo(e[1])] as [E, E]) };
    case '?:':
      return call('_?_:_', (n.args as any[]).map(toCelGo), ['conditional'], t());
    case '&&':
      return call('_&&_', (n.args as any[]).map(toCelGo), ['logical_and'], t());
    case '||':
      return call('_||_', (n.args as any[]).map(toCelGo), ['logical_or'], t());
    case '!_':
      return call('!_', [toCelGo(n.args)], ['logical_not'], t());
    case '-_':
      // cel-go's parser reads `-5` as one literal.
      if (n.args?.op === 'value' && (typeof n.args.args === 'number' || typeof n.args.args === 'bigint')) return literal(-n.args.args, t());
      return call('-_', [toCelGo(n.args)], ['negate'], t());
    case 'call':
      return globalCall(n, t());
    case 'rcall':
      return memberCall(n, t());
  }
  if (BINARY[n.op]) {
    const l = toCelGo(n.args[0]);
    const r = toCelGo(n.args[1]);
    return call(BINARY[n.op]!, [l, r], operatorOverloads(n.op, l, r), t());
  }
  return unknown(`operator ${n.op}`);
}

function globalCall(n: any, t: T): E {
  const [name, args] = n.args as [string, any[]];
  if (name === '_hs') {
    const sel = args[0];
    if (sel?.op !== '.') return unknown('has() of a non-field');
    return { k: 'select', t, operand: toCelGo(sel.args[0]), field: sel.args[1], test: true };
  }
  const fn = RENAMED[name] ?? name;
  const a = args.map(toCelGo);
  let overload = `${fn}_global`;
  if (fn === 'bytes' && a.length === 1 && kinds(a[0]!) === 'string') overload = 'string_to_bytes';
  if (fn === 'string' && a.length === 1 && kinds(a[0]!) === 'bytes') overload = 'bytes_to_string';
  if (fn === 'matches') overload = 'matches';
  return call(fn, a, [overload], t);
}

function memberCall(n: any, t: T): E {
  const [name, receiver, args] = n.args as [string, any, any[]];
  if (receiver?.op === 'id' && receiver.args === 'cel' && name === 'bind' && args.length === 3) {
    if (args[0]?.op !== 'id') return unknown('cel.bind of a non-identifier');
    const init = toCelGo(args[1]);
    return { k: 'comp', t, range: { k: 'list', t: T_DYN_LIST, elems: [] }, iterVar: '#unused', init, cond: literal(false, T_BOOL), step: { k: 'ident', t: init.t, name: args[0].args }, result: toCelGo(args[2]) };
  }
  if (MACROS.has(name) && args[0]?.op === 'id' && n.meta?.alternate) return macro(name, toCelGo(receiver), args[0].args, args.slice(1), t);
  if (receiver?.op === 'id' && NAMESPACES.has(receiver.args) && /^kubesim\./.test(String(receiver.checkedType?.name))) {
    const fn = `${receiver.args}.${name}`;
    return call(fn, args.map(toCelGo), [fn === 'strings.quote' ? 'strings_quote' : `${fn}_global`], t);
  }
  const target = toCelGo(receiver);
  const a = args.map(toCelGo);
  const fn = RENAMED[name] ?? name;
  const member: Record<string, string> = { matches: 'matches_string', contains: 'contains_string', startsWith: 'starts_with_string', endsWith: 'ends_with_string', format: 'string_format' };
  let overload = kinds(target) === 'string' || kinds(target) === 'dyn' ? member[fn] : undefined;
  if (fn === 'containsIP') overload = kinds(a[0]!) === 'string' ? 'cidr_contains_ip_string' : 'cidr_contains_ip_ip';
  if (fn === 'containsCIDR') overload = kinds(a[0]!) === 'string' ? 'cidr_contains_cidr_string' : 'cidr_contains_cidr';
  if (fn === 'ip' && a.length === 0) overload = 'cidr_ip';
  return call(fn, a, [overload ?? `${fn}_member`], t, target);
}

/** parser/macro.go's expansions: all/exists/exists_one/map/filter as comprehensions over `__result__`. */
function macro(name: string, range: E, iterVar: string, rest: any[], t: T): E {
  const accu = (at: T): E => ({ k: 'ident', t: at, name: ACCU });
  const trueLit = literal(true, T_BOOL);
  const args = rest.map(toCelGo);
  const listT = name === 'map' || name === 'filter' ? t : T_BOOL;
  switch (name) {
    case 'all':
      return { k: 'comp', t, range, iterVar, init: trueLit, cond: call('@not_strictly_false', [accu(T_BOOL)], ['not_strictly_false'], T_BOOL), step: call('_&&_', [accu(T_BOOL), args[0]!], ['logical_and'], T_BOOL), result: accu(T_BOOL) };
    case 'exists':
      return { k: 'comp', t, range, iterVar, init: literal(false, T_BOOL), cond: call('@not_strictly_false', [call('!_', [accu(T_BOOL)], ['logical_not'], T_BOOL)], ['not_strictly_false'], T_BOOL), step: call('_||_', [accu(T_BOOL), args[0]!], ['logical_or'], T_BOOL), result: accu(T_BOOL) };
    case 'exists_one': {
      const step = call('_?_:_', [args[0]!, call('_+_', [accu(T_INT), literal(1n, T_INT)], ['add_int64'], T_INT), accu(T_INT)], ['conditional'], T_INT);
      return { k: 'comp', t, range, iterVar, init: literal(0n, T_INT), cond: trueLit, step, result: call('_==_', [accu(T_INT), literal(1n, T_INT)], ['equals'], T_BOOL) };
    }
    case 'map':
    case 'filter': {
      const item = name === 'filter' ? ({ k: 'ident', t: listT.params[0] ?? T_DYN_LIST.params[0]!, name: iterVar } as E) : args[args.length - 1]!;
      let step = call('_+_', [accu(listT), { k: 'list', t: listT, elems: [item] }], ['add_list'], listT);
      const filter = name === 'filter' ? args[0] : args.length === 2 ? args[0] : undefined;
      if (filter) step = call('_?_:_', [filter, step, accu(listT)], ['conditional'], listT);
      return { k: 'comp', t, range, iterVar, init: { k: 'list', t: listT, elems: [] }, cond: trueLit, step, result: accu(listT) };
    }
  }
  return unknown(`macro ${name}`);
}

// ---------- checker/cost.go ----------

/** cost.go's AstNode: a node's path through the declared types, its type, and a size computed from the expression. */
interface AstNode {
  path?: string[];
  t: T;
  expr?: E;
  derived?: Range;
}

class Coster {
  private paths = new Map<E, string[]>();
  private iterRanges = new Map<string, E[]>();
  private computed = new Map<E, Range>();
  constructor(private root: Decl) {}

  cost(e: E): Range {
    switch (e.k) {
      case 'lit':
        return ZERO;
      case 'ident': {
        const stack = this.iterRanges.get(e.name);
        const range = stack?.[stack.length - 1];
        if (range) {
          if (range.t.kind === 'list') this.paths.set(e, [...(this.paths.get(range) ?? []), '@items']);
          else if (range.t.kind === 'map') this.paths.set(e, [...(this.paths.get(range) ?? []), '@keys']);
        } else this.paths.set(e, [e.name]);
        return ONE;
      }
      case 'select': {
        // has() costs nothing (kube's PresenceTestHasCost(false)).
        if (e.test) return this.cost(e.operand);
        let sum = this.cost(e.operand);
        const k = e.operand.t.kind;
        if (k === 'map' || k === 'struct') sum = add(sum, ONE);
        this.paths.set(e, [...(this.paths.get(e.operand) ?? []), e.field]);
        return sum;
      }
      case 'call':
        return this.costCall(e);
      case 'list':
        return add(e.elems.reduce((s, x) => add(s, this.cost(x)), ZERO), R(10n));
      case 'map':
        return add(
          e.entries.reduce((s, [k, v]) => add(add(s, this.cost(k)), this.cost(v)), ZERO),
          R(30n),
        );
      case 'comp': {
        let sum = add(this.cost(e.range), this.cost(e.init));
        const stack = this.iterRanges.get(e.iterVar) ?? [];
        this.iterRanges.set(e.iterVar, [...stack, e.range]);
        const loop = this.cost(e.cond);
        const step = this.cost(e.step);
        this.iterRanges.set(e.iterVar, stack);
        sum = add(sum, this.cost(e.result));
        const count = this.sizeEstimate(this.node(e.range));
        this.computed.set(e, count);
        return add(sum, mul(count, add(step, loop)));
      }
    }
  }

  private costCall(e: Extract<E, { k: 'call' }>): Range {
    const argCosts = e.args.map((a) => this.cost(a));
    const args = e.args.map((a) => this.node(a));
    let sum = ZERO;
    let target: AstNode | undefined;
    if (e.target) {
      sum = add(sum, this.cost(e.target));
      target = this.node(e.target);
    }
    let fnCost: Range = R(MAX, 0n);
    let resultSize: Range | undefined;
    for (const o of e.overloads) {
      const c = this.functionCost(e.fn, o, target, args, argCosts);
      fnCost = union(fnCost, c.cost);
      if (c.size) resultSize = resultSize ? union(resultSize, c.size) : c.size;
      if (o === 'index_list' && e.args.length) this.paths.set(e, [...(this.paths.get(e.args[0]!) ?? []), '@items']);
      if (o === 'index_map' && e.args.length) this.paths.set(e, [...(this.paths.get(e.args[0]!) ?? []), '@values']);
    }
    if (resultSize) this.computed.set(e, resultSize);
    return add(sum, fnCost);
  }

  private node(e: E): AstNode {
    let path = this.paths.get(e);
    if (path && path[0] === ACCU) path = undefined;
    return { path, t: e.t, expr: e, derived: this.computed.get(e) };
  }

  /** The size of a node as cost.go's astNode.ComputedSize gives it. */
  private computedSize(n: AstNode): Range | undefined {
    if (n.derived) return n.derived;
    const e = n.expr;
    if (e?.k === 'lit') return e.size === undefined ? undefined : R(e.size);
    if (e?.k === 'list') return R(BigInt(e.elems.length));
    if (e?.k === 'map') return R(BigInt(e.entries.length));
    return undefined;
  }

  /** compilation.go's sizeEstimator: MaxElements of the declared type at the node's path (its variable cut off). */
  private estimateSize(n: AstNode): Range | undefined {
    if (!n.path?.length) return undefined;
    let d: Decl | undefined = this.root;
    for (const name of n.path.slice(1)) {
      if (name === '@items' || name === '@values') d = d.elem;
      else if (name === '@keys') d = d.key;
      else d = d.fields?.get(name);
      if (!d) return undefined;
    }
    return R(0n, d.maxElements);
  }

  /** cost.go's sizeEstimate (scalars are 1). */
  private sizeEstimate(n: AstNode): Range {
    const s = this.computedSize(n) ?? this.estimateSize(n);
    if (s) return s;
    return ['bool', 'double', 'duration', 'int', 'timestamp', 'uint'].includes(n.t.kind) ? ONE : R(0n, MAX);
  }

  /** library/cost.go's sizeEstimate (no scalar rule). */
  private libSize(n: AstNode): Range {
    return this.computedSize(n) ?? this.estimateSize(n) ?? R(0n, MAX);
  }

  private listElement(list: AstNode): AstNode | undefined {
    const p = list.t.params[0];
    if (!p) return undefined;
    return { path: list.path ? [...list.path, '@items'] : undefined, t: p };
  }

  private functionCost(fn: string, overload: string, target: AstNode | undefined, args: AstNode[], argCosts: Range[]): { cost: Range; size?: Range } {
    const argSum = () => argCosts.reduce(add, ZERO);
    // ext.Sets' own estimators come first.
    const sets = { 'sets.contains': 1, 'sets.intersects': 1, 'sets.equivalent': 2 }[fn];
    if (sets !== undefined && args.length === 2) {
      return { cost: add(add(factor(mul(this.libSize(args[0]!), this.libSize(args[1]!)), sets), ONE), argSum()) };
    }
    const lib = this.libraryCost(fn, overload, target, args);
    if (lib) return { cost: add(lib.cost, argSum()), size: lib.size };
    switch (overload) {
      case 'string_format':
        if (target) return { cost: add(factor(this.sizeEstimate(target), TRAVERSAL), argSum()) };
        break;
      case 'string_to_bytes':
      case 'bytes_to_string':
      case 'strings_quote':
        if (args.length === 1) {
          const sz = this.sizeEstimate(args[0]!);
          const size = overload === 'string_to_bytes' ? R(sz.min, mulU(sz.max, 4n)) : overload === 'bytes_to_string' ? R(sz.min / 4n, sz.max) : R(addU(sz.min, 2n), addU(mulU(sz.max, 2n), 2n));
          return { cost: add(factor(sz, TRAVERSAL), argSum()), size };
        }
        break;
      case 'starts_with_string':
      case 'ends_with_string':
        if (args.length === 1) return { cost: add(factor(this.sizeEstimate(args[0]!), TRAVERSAL), argSum()) };
        break;
      case 'in_list':
        if (args.length === 2) return { cost: add(factor(this.sizeEstimate(args[1]!), 1), argSum()) };
        break;
      case 'matches_string':
        if (target && args.length === 1) {
          const str = factor(add(this.sizeEstimate(target), ONE), TRAVERSAL);
          const re = factor(this.sizeEstimate(args[0]!), REGEX_LENGTH);
          return { cost: add(mul(str, re), argSum()) };
        }
        break;
      case 'contains_string':
        if (target && args.length === 1) {
          return { cost: add(mul(factor(this.sizeEstimate(target), TRAVERSAL), factor(this.sizeEstimate(args[0]!), TRAVERSAL)), argSum()) };
        }
        break;
      case 'logical_or':
      case 'logical_and':
        return { cost: R(argCosts[0]!.min, add(argCosts[0]!, argCosts[1]!).max) };
      case 'conditional': {
        const size = union(this.sizeEstimate(args[1]!), this.sizeEstimate(args[2]!));
        return { cost: add(argCosts[0]!, union(argCosts[1]!, argCosts[2]!)), size };
      }
      case 'add_string':
      case 'add_bytes':
      case 'add_list':
        if (args.length === 2) {
          const size = add(this.sizeEstimate(args[0]!), this.sizeEstimate(args[1]!));
          if (overload === 'add_list') return { cost: add(ONE, argSum()), size };
          return { cost: add(factor(size, TRAVERSAL), argSum()), size };
        }
        break;
      case 'less_string':
      case 'greater_string':
      case 'less_equals_string':
      case 'greater_equals_string':
      case 'less_bytes':
      case 'greater_bytes':
      case 'less_equals_bytes':
      case 'greater_equals_bytes':
      case 'equals':
      case 'not_equals': {
        // `!=` of Kubernetes' types falls here in cel-go too (unsized): not trusted to refuse a CRD.
        if (overload === 'not_equals' && args.some((a) => K8S_TYPES.has(a.t.name))) return unknown('!= of a Kubernetes type');
        const l = this.sizeEstimate(args[0]!);
        const r = this.sizeEstimate(args[1]!);
        const smallest = r.max < l.max ? r.max : l.max;
        return { cost: add(factor(R(smallest > 0n ? 1n : 0n, smallest), TRAVERSAL), argSum()) };
      }
    }
    return { cost: add(ONE, argSum()) };
  }

  /** library/cost.go EstimateCallCost, by function name (undefined where it has none). */
  private libraryCost(fn: string, overload: string, target: AstNode | undefined, args: AstNode[]): { cost: Range; size?: Range } | undefined {
    switch (fn) {
      case 'check':
        return { cost: R(350000n) };
      case 'serviceAccount': case 'path': case 'group': case 'resource': case 'subresource': case 'namespace': case 'name': case 'allowed': case 'reason': case 'error': case 'errored':
      case 'masked': case 'prefixLength': case 'family': case 'isUnspecified': case 'isLoopback': case 'isLinkLocalMulticast': case 'isLinkLocalUnicast': case 'isGlobalUnicast':
      case 'format.named':
      case 'sign': case 'asInteger': case 'isInteger': case 'asApproximateFloat': case 'isGreaterThan': case 'isLessThan': case 'compareTo': case 'add': case 'sub':
      case 'getScheme': case 'getHostname': case 'getHost': case 'getPort': case 'getEscapedPath': case 'getQuery':
        return { cost: ONE };
      case 'fieldSelector':
      case 'labelSelector':
        if (args.length === 1) {
          const len = this.libSize(args[0]!);
          const requirements = factor(factor(len, 0.5), 50);
          return { cost: add(add(R(10n), factor(len, TRAVERSAL)), requirements) };
        }
        return undefined;
      case 'isSorted': case 'sum': case 'max': case 'min': case 'indexOf': case 'lastIndexOf':
        if (!target) return unknown(`global ${fn}`);
        {
          const el = this.listElement(target);
          if (el) {
            let elCost = ONE;
            if (el.t.kind === 'string' || el.t.kind === 'bytes') elCost = add(elCost, factor(this.libSize(el), TRAVERSAL));
            return { cost: mul(this.libSize(target), elCost) };
          }
          return { cost: factor(this.libSize(target), TRAVERSAL) };
        }
      case 'url':
        if (args.length === 1) return { cost: factor(this.libSize(args[0]!), TRAVERSAL) };
        return undefined;
      case 'lowerAscii': case 'upperAscii': case 'substring': case 'trim': {
        if (!target) return unknown(`global ${fn}`);
        const sz = this.libSize(target);
        return { cost: factor(sz, TRAVERSAL), size: sz };
      }
      case 'replace':
        if (!target) return unknown('global replace');
        if (args.length >= 2) return this.replaceCost(target, args);
        return undefined;
      case 'split': {
        if (!target) return unknown('global split');
        const sz = this.libSize(target);
        let max = sz.max;
        const lit = args[1]?.expr;
        if (lit?.k === 'lit' && typeof lit.value === 'bigint') max = BigInt.asUintN(64, lit.value);
        return { cost: factor(sz, 2 * TRAVERSAL), size: R(0n, max) };
      }
      case 'join': {
        if (!target) return unknown('global join');
        let sz = ZERO;
        const list = this.libSize(target);
        const el = this.listElement(target);
        if (el) sz = mul(list, this.libSize(el));
        if (args.length > 0) {
          const sep = this.libSize(args[0]!);
          sz = add(sz, mul(sep, R(list.min > 0n ? list.min - 1n : 0n, list.max > 0n ? list.max - 1n : 0n)));
        }
        return { cost: factor(sz, TRAVERSAL), size: sz };
      }
      case 'find': case 'findAll': {
        if (!target) return unknown(`global ${fn}`);
        if (args.length < 1) return undefined;
        const sz = this.libSize(target);
        const str = factor(add(sz, ONE), TRAVERSAL);
        const re = factor(this.libSize(args[0]!), REGEX_LENGTH);
        return { cost: mul(str, re), size: R(0n, sz.max) };
      }
      case 'cidr': case 'isIP': case 'isCIDR': case 'quantity': case 'isQuantity':
        if (!args.length) return unknown(`${fn}()`);
        return { cost: factor(this.libSize(args[0]!), TRAVERSAL) };
      case 'ip':
        if (args.length >= 1) return overload === 'cidr_ip' ? { cost: ONE } : { cost: factor(this.libSize(args[0]!), TRAVERSAL) };
        return { cost: ONE };
      case 'ip.isCanonical':
        if (args.length >= 1) return { cost: factor(this.libSize(args[0]!), 2 * TRAVERSAL) };
        return undefined;
      case 'containsIP':
      case 'containsCIDR':
        if (args.length >= 1) {
          const sz = R(4n, 16n);
          let c = factor(add(sz, sz), TRAVERSAL);
          if (fn === 'containsCIDR') c = add(add(c, factor(sz, TRAVERSAL)), ONE);
          if (overload === 'cidr_contains_ip_string' || overload === 'cidr_contains_cidr_string') c = add(c, factor(this.libSize(args[0]!), TRAVERSAL));
          return { cost: c };
        }
        return undefined;
      case 'validate':
        if (!args.length) return undefined;
        return { cost: factor(factor(this.libSize(args[0]!), TRAVERSAL), 128 * REGEX_LENGTH) };
      case '_==_': {
        // Equality of Kubernetes' own types; other types fall through to cel-go's.
        const [l, r] = args;
        if (!l || !r || l.t.name !== r.t.name) return undefined;
        if (l.t.name === 'Quantity' || l.t.name === 'net.IP' || l.t.name === 'net.CIDR') return { cost: ONE };
        if (l.t.name === 'net.Format') return { cost: factor(R(1n, 64n), TRAVERSAL) };
        if (l.t.name === 'URL') {
          // library/cost.go reads the right-hand size twice.
          const rs = this.computedSize(r);
          return { cost: factor(R(1n, rs ? rs.max : 1n), TRAVERSAL) };
        }
        return undefined;
      }
    }
    return undefined;
  }

  private replaceCost(target: AstNode, args: AstNode[]): { cost: Range; size: Range } {
    const sz = this.libSize(target);
    const from = this.libSize(args[0]!);
    const to = this.libSize(args[1]!);
    const ceilDiv = (a: bigint, b: bigint) => BigInt(Math.ceil(Number(a) / Number(b)));
    // [replacements, characters kept] for a string of `len`, replacing substrings of `part`:
    // an empty `part` surrounds every character; a replacement no longer (for the max; no
    // shorter, for the min) than `part` leaves the length as it was.
    const bound = (len: bigint, part: bigint, unchanged: boolean): [bigint, bigint] =>
      part === 0n ? [len < MAX ? len + 1n : len, len] : unchanged ? [0n, len] : [ceilDiv(len, part), 0n];
    const [countMax, keptMax] = bound(sz.max, from.min, to.max <= from.min);
    const [countMin, keptMin] = bound(sz.min, from.max, from.max <= to.min);
    const count = R(countMin, countMax);
    const kept = R(keptMin, keptMax);
    return { cost: factor(sz, 2 * TRAVERSAL), size: add(mul(count, to), kept) };
  }
}

/**
 * The estimated maximum cost (cel.EstimateCost's Max) of a rule's type-checked cel-js AST
 * against the declared type of its schema node, or undefined when the rule uses what this
 * estimator does not know how cel-go costs.
 */
export function estimateMaxCost(ast: unknown, decl: Decl): bigint | undefined {
  try {
    return new Coster(decl).cost(toCelGo(ast)).max;
  } catch {
    // Unknown (or an AST shape this reading does not expect): no estimate, so no refusal.
    return undefined;
  }
}
