// CEL validation rules of CRD schemas (x-kubernetes-validations), as kube-apiserver 1.32
// enforces them (apiextensions-apiserver pkg/apiserver/schema/cel/validation.go and
// compilation.go): each rule is evaluated with `self` bound to the value at its schema node
// (and `oldSelf` to the correlated old value on update), and a failure is a field error.
// The CEL engine is @marcbachmann/cel-js (docs/decisions.md); Kubernetes' own CEL
// libraries are added in crd-cel-lib.ts where cheap. Rules are evaluated with `self`
// declared `dyn`; at CRD create and update they are also checked with `self` typed from the
// schema (crd-cel-types.ts), which refuses a rule naming a field the schema lacks.
import { Optional, ParseError, type Environment } from '@marcbachmann/cel-js';
import type { FieldError } from '../errors';
import type { KObject } from '../types';
import { goQuote } from '../../util/go-format';
import { crdSchemaRoots } from '../crd';
import { celEnvironment, withKubeFunctions } from './crd-cel-lib';
import { COST_LIMIT_EXCEEDED, metered, PER_CALL_LIMIT, RUNTIME_BUDGET } from './crd-cel-runtime-cost';
import { formatCallIssues } from './crd-cel-strings';
import { escapeField, typedRefusal } from './crd-cel-types';
import { undeclaredCallIssues } from './crd-cel-undeclared';
import { CostBudget, cardinalities } from './crd-cel-cost-limits';
import { checkCrdFormat, parseCrdDuration } from './crd-formats';
import { deepEqual } from '../../util/json-equal';

type S = Record<string, any>;

interface Rule {
  rule?: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

type Program = (ctx: Record<string, unknown>) => unknown;

/** One rule compiled: a program; `refuse` for invalid CEL; neither for a rule beyond this engine (skipped). */
interface Compiled {
  rule: Rule;
  program?: Program;
  message?: Program;
  usesOldSelf: boolean;
  /** kube-apiserver's refusal at CRD create/update: a field (rule, messageExpression) and detail. */
  refuse?: { field: 'rule' | 'messageExpression'; detail: string };
}

/** Compiled rules by their text; the oldest forgotten past 2,000 (a server sees CRDs come and go). */
const compiledRules = new Map<string, Compiled>();


/** cel-go's issues.String(): `ERROR: <input>:L:C: message`, the line and a caret under the column. */
export function celIssue(src: string, message: string, offset: number): string {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1);
  const text = (src.split('\n')[line - 1] ?? '').replace(/\t/g, ' ');
  return `ERROR: <input>:${line}:${col + 1}: ${message}\n | ${text}\n | ${'.'.repeat(col)}^`;
}

/** The first line of a cel-js error (its message goes on with a source excerpt). */
export const summary = (e: any): string => String(e?.summary ?? e?.message ?? e).split('\n')[0]!;

/** Namespaces of cel-go and Kubernetes CEL functions. */
const VARIABLES = new Set(['self', 'oldSelf']);
const NAMESPACES = new Set(['sets', 'strings', 'math', 'format', 'base64', 'optional', 'cel', 'lists', 'regex', 'ip', 'cidr', 'semver', 'google', 'authorizer']);

/** Whether an AST (cel-js's: nodes of `op` and `args`, args nested in arrays) names identifier `name`. */
export function usesIdent(x: unknown, name: string): boolean {
  if (Array.isArray(x)) return x.some((a) => usesIdent(a, name));
  if (!x || typeof x !== 'object') return false;
  const node = x as { op?: string; args?: unknown };
  if (node.op === 'id') return node.args === name;
  return usesIdent(node.args, name);
}

/**
 * compileRule: a syntax error, an unknown variable (only `self` and `oldSelf` exist) or a
 * result that is surely not a bool is invalid CEL and refused as kube-apiserver refuses it;
 * any other type-check failure may be a Kubernetes library function this engine lacks, so
 * the rule is skipped rather than refusing a CRD kube-apiserver accepts.
 */
function compileOne(src: string, want: 'bool' | 'string'): { program?: Program; ast?: unknown; refuse?: string } {
  const e = celEnvironment();
  const code = withKubeFunctions(src);
  const checked = e.check(code);
  if (!checked.valid) {
    const err: any = checked.error;
    if (err instanceof ParseError) return { refuse: celIssue(src, `Syntax error: ${summary(err)}`, err.range?.start ?? 0) };
    const undeclared = undeclaredCallIssues((e.parse(code) as any).ast, code, VARIABLES, NAMESPACES);
    if (undeclared?.length) return { refuse: undeclared.map((i) => celIssue(src, i.message, i.offset)).join('\n') };
    const name = summary(err).replace(/^Unknown variable: /, '');
    // A namespace of functions (sets.contains, strings.quote, math.greatest) this engine lacks
    // is no unknown variable, nor the variable of a macro it lacks (sortBy(x, ...), all(k, v, ...)).
    const macroVariable = new RegExp(`[(,]\\s*${name.replace(/\W/g, '')}\\s*,`).test(src);
    if (err?.code === 'unknown_variable' && !NAMESPACES.has(name) && !macroVariable) {
      return { refuse: celIssue(src, `undeclared reference to '${name}' (in container '')`, err.range?.start ?? 0) };
    }
    return {};
  }
  const parsed = e.parse(code);
  const ast = (parsed as any).ast;
  // The AST validators run on a checked rule, before its result's type is looked at (compileRule).
  const format = formatRefusal(e, code, src);
  if (format) return { refuse: format };
  if (checked.type !== want && checked.type !== 'dyn') return { refuse: `${want === 'bool' ? 'cel expression' : 'messageExpression'} must evaluate to a ${want}` };
  return { program: parsed as unknown as Program, ast };
}

/**
 * cel-go's AST validator of format calls (a constant format string with a list literal),
 * the arguments typed as `env` types them; `messageName`: cel-go's name of a message type.
 */
function formatRefusal(env: Environment, code: string, src: string, messageName?: (t: string) => string | undefined): string | undefined {
  if (!/\bformat\s*\(/.test(code)) return undefined;
  // Checking a parsed expression gives each of its nodes its type (comprehension variables' too).
  const parsed = env.parse(code) as any;
  if (!parsed.check().valid) return undefined;
  const typeOf = (n: { checkedType?: { name?: string } }) => n.checkedType?.name ?? 'dyn';
  const format = formatCallIssues(parsed.ast, typeOf, messageName);
  return format.length ? format.map((i) => celIssue(src, i.message, i.node ? nodeOffset(code, i.node) : nodeOffset(code, i.call))).sort(byPosition).join('\n') : undefined;
}

/** Where cel-go places a node: a call at its `(`, a selection at its `.`, an operator at its token, others at their start. */
function nodeOffset(code: string, n: { op: string; args: any; start?: number; pos?: number }): number {
  const start = n.start ?? 0;
  if (n.op === 'rcall') return code.indexOf('(', code.indexOf(n.args[0], n.args[1]?.end ?? start));
  if (n.op === 'call') return code.indexOf('(', start);
  if (n.op === '.' || n.op === '.?') return code.lastIndexOf('.', n.pos ?? start);
  if (Array.isArray(n.args) && n.args.length === 2 && typeof n.args[0] === 'object' && !/^(list|map)$/.test(n.op)) return code.indexOf(n.op, n.args[0]?.end ?? start);
  return start;
}

/** cel-go sorts its issues by line, then column (offsets order them the same). */
const byPosition = (a: string, b: string): number => {
  const at = (s: string) => /^ERROR: <input>:(\d+):(\d+):/.exec(s)!.slice(1).map(Number) as [number, number];
  const [la, ca] = at(a);
  const [lb, cb] = at(b);
  return la - lb || ca - cb;
};

export function compileRule(rule: Rule): Compiled {
  const key = JSON.stringify([rule.rule, rule.messageExpression]);
  const hit = compiledRules.get(key);
  if (hit) return { ...hit, rule };
  const out: Compiled = { rule, usesOldSelf: false };
  const src = rule.rule ?? '';
  if (src.trim()) {
    const r = compileOne(src, 'bool');
    if (r.refuse) out.refuse = { field: 'rule', detail: r.refuse.startsWith('ERROR') ? `compilation failed: ${r.refuse}` : r.refuse };
    else if (r.program) {
      out.program = r.program;
      out.usesOldSelf = usesIdent(r.ast, 'oldSelf');
      if (rule.messageExpression) {
        const m = compileOne(rule.messageExpression, 'string');
        if (m.refuse) out.refuse = { field: 'messageExpression', detail: m.refuse.startsWith('ERROR') ? `messageExpression compilation failed: ${m.refuse}` : m.refuse };
        else out.message = m.program;
      }
    }
  }
  compiledRules.set(key, out);
  if (compiledRules.size > 2000) compiledRules.delete(compiledRules.keys().next().value!);
  return out;
}

// ---------- CRD create: rules that do not compile ----------

/** Go's %#v of apiextensions.ValidationRule (the value kube-apiserver shows with a refused rule). */
function ruleSharpV(r: Rule): string {
  // Go prints a set pointer as its heap address; any fixed address stands in for it.
  const ptr = (type: string, set: boolean) => `(*${type})(${set ? '0xc000010000' : 'nil'})`;
  return `apiextensions.ValidationRule{Rule:${goQuote(r.rule ?? '')}, Message:${goQuote(r.message ?? '')}, MessageExpression:${goQuote(r.messageExpression ?? '')}, Reason:${ptr('apiextensions.FieldValueErrorReason', r.reason != null)}, FieldPath:${goQuote(r.fieldPath ?? '')}, OptionalOldSelf:${ptr('bool', r.optionalOldSelf != null)}}`;
}

/** Every schema node with rules, with its path as ValidateCustomResourceDefinitionOpenAPISchema names it; `root`: a resource's root (the CRD's or an embedded one). */
function eachRuleNode(s: S | undefined, path: string, root: boolean, visit: (s: S, path: string, root: boolean) => void): void {
  if (!s || typeof s !== 'object') return;
  if (Array.isArray(s['x-kubernetes-validations'])) visit(s, path, root);
  const embedded = (x: S | undefined) => x?.['x-kubernetes-embedded-resource'] === true;
  for (const [k, v] of Object.entries(s.properties ?? {})) eachRuleNode(v as S, `${path}.properties[${k}]`, embedded(v as S), visit);
  if (s.items && !Array.isArray(s.items)) eachRuleNode(s.items, `${path}.items`, embedded(s.items), visit);
  if (typeof s.additionalProperties === 'object') eachRuleNode(s.additionalProperties, `${path}.additionalProperties`, embedded(s.additionalProperties), visit);
  (s.allOf ?? []).forEach((x: S, i: number) => eachRuleNode(x, `${path}.allOf[${i}]`, false, visit));
}

/** The rule's refusal once `self` is typed from its schema node (crd-cel-types.ts), rule first, then messageExpression. */
function typedRuleRefusal(rule: Rule, node: S, root: boolean): Compiled['refuse'] {
  const optional = rule.optionalOldSelf === true;
  const r = typedRefusal(withKubeFunctions(rule.rule ?? ''), rule.rule ?? '', node, root, optional, 'bool', celIssue, formatRefusal);
  if (r) return { field: 'rule', detail: r.startsWith('ERROR') ? `compilation failed: ${r}` : r };
  if (!rule.messageExpression) return undefined;
  const m = typedRefusal(withKubeFunctions(rule.messageExpression), rule.messageExpression, node, root, optional, 'string', celIssue, formatRefusal);
  return m ? { field: 'messageExpression', detail: m.startsWith('ERROR') ? `messageExpression compilation failed: ${m}` : m } : undefined;
}

/**
 * The rules of a CRD that kube-apiserver refuses to compile, as its field errors, at the
 * paths of crdSchemaRoots.
 */
export function crdRuleErrors(crd: KObject, old?: KObject): FieldError[] {
  // [schema, its path, the version whose unchanged schema (on update) lifts the per-rule cost limit]
  const roots: [S | undefined, string, string | undefined][] = crdSchemaRoots(crd);
  const oldSchema = (name: string | undefined) => (old?.spec?.versions ?? []).find((v: S) => v?.name === name)?.schema?.openAPIV3Schema;
  const errs: FieldError[] = [];
  for (const [root, at, version] of roots) {
    const unchanged = old !== undefined && version !== undefined && oldSchema(version) !== undefined && deepEqual(oldSchema(version), root);
    const budget = new CostBudget(cardinalities(root), unchanged);
    eachRuleNode(root, at, true, (node, path, resourceRoot) => {
      (node['x-kubernetes-validations'] as Rule[]).forEach((rule, i) => {
        const c = compileRule(rule ?? {});
        const field = (f: string) => `${path}.x-kubernetes-validations[${i}].${f}`;
        // A rule this engine skips (a library it lacks) is not type-checked either; one whose
        // untyped result is no bool may fail the typed compile first (a format argument's type).
        const typed = c.program || (c.refuse && !c.refuse.detail.includes('ERROR:'));
        const refuse = (typed ? typedRuleRefusal(rule ?? {}, node, resourceRoot) : undefined) ?? c.refuse;
        const optional = rule?.optionalOldSelf === true;
        // kube-apiserver: the rule's cost error, then its compile error, then its messageExpression's.
        const costly = c.program && refuse?.field !== 'rule' ? budget.expression(field('rule'), 'rule', rule.rule ?? '', node, resourceRoot, optional) : undefined;
        if (costly) errs.push(costly);
        if (refuse) errs.push({ field: field(refuse.field), type: 'Invalid value', value: ruleSharpV(rule), detail: refuse.detail });
        else if (c.message && rule.messageExpression) {
          const m = budget.expression(field('messageExpression'), 'messageExpression', rule.messageExpression, node, resourceRoot, optional);
          if (m) errs.push(m);
        }
      });
    });
    errs.push(...budget.totalErrors(at));
  }
  return errs;
}

// ---------- custom resources ----------

/**
 * The Validator tree of validation.go: only the parts of the schema that hold rules. A
 * node's rules compile when a value first reaches it: a multi-megabyte CRD's rules (and the
 * CEL environment) cost nothing for custom resources that never set those fields.
 */
interface Node {
  schema: S;
  ruleSources: Rule[];
  compiled?: Compiled[];
  properties?: Map<string, Node>;
  additional?: Node;
  items?: Node;
  allOf?: Node[];
  resourceRoot: boolean;
}

/**
 * The node of a schema, or undefined when neither it nor anything below it has rules: one
 * pass, bottom up, allocating only for nodes on a path to a rule (a CRD of megabytes has
 * tens of thousands of schema nodes and a few rules).
 */
function buildNode(s: S | undefined, resourceRoot: boolean): Node | undefined {
  if (!s || typeof s !== 'object') return undefined;
  let properties: Map<string, Node> | undefined;
  const props = s.properties;
  if (props && typeof props === 'object') {
    for (const k in props) {
      if (!Object.prototype.hasOwnProperty.call(props, k)) continue;
      const v = props[k] as S;
      const child = buildNode(v, embedded(v));
      if (child) (properties ??= new Map()).set(k, child);
    }
  }
  const items = s.items && !Array.isArray(s.items) ? buildNode(s.items, embedded(s.items)) : undefined;
  const additional = typeof s.additionalProperties === 'object' ? buildNode(s.additionalProperties, embedded(s.additionalProperties)) : undefined;
  let allOf: Node[] | undefined;
  for (const x of (s.allOf ?? []) as S[]) {
    const n = buildNode(x, false);
    if (n) (allOf ??= []).push(n);
  }
  const own = s['x-kubernetes-validations'];
  const ruleSources: Rule[] = Array.isArray(own) ? own : [];
  if (!ruleSources.length && !properties && !items && !additional && !allOf) return undefined;
  const node: Node = { schema: s, ruleSources, resourceRoot };
  if (properties) node.properties = properties;
  if (items) node.items = items;
  if (additional) node.additional = additional;
  if (allOf) node.allOf = allOf;
  return node;
}

const embedded = (x: S | undefined) => x?.['x-kubernetes-embedded-resource'] === true;

/** A validator for one schema, or undefined when it has no rules. `old` is set on update. */
export type CelValidator = (obj: unknown, old: unknown) => FieldError[];

export function celValidator(schema: S | undefined): CelValidator | undefined {
  const root = schema ? buildNode(schema, true) : undefined;
  if (!root) return undefined;
  return (obj, old) => {
    const errs: FieldError[] = [];
    validate(root, '', obj, old, old === undefined ? false : deepEqual(obj, old), errs, { remaining: RUNTIME_BUDGET, stopped: false });
    return errs;
  };
}

/** The runtime cost left to one object's rules; `stopped` once a rule ran out of it (no further rules run). */
interface Budget {
  remaining: number;
  stopped: boolean;
}

/** `ratchet`: the nearest correlated value equals its old one (CRDValidationRatcheting, beta, on in 1.32). */
function validate(n: Node, path: string, obj: unknown, old: unknown, ratchet: boolean, errs: FieldError[], budget: Budget): void {
  if (obj === null || obj === undefined || budget.stopped) return;
  evalRules(n, path, obj, old, ratchet, errs, budget);
  for (const a of n.allOf ?? []) validate(a, path, obj, old, ratchet, errs, budget);
  if (Array.isArray(obj)) {
    if (!n.items) return;
    const oldItems = correlatedItems(n.schema, old);
    obj.forEach((v, i) => {
      const o = oldItems?.(v);
      validate(n.items!, `${path}[${i}]`, v, o, o === undefined ? ratchet : deepEqual(v, o), errs, budget);
    });
    return;
  }
  if (typeof obj !== 'object') return;
  const oldMap = old !== null && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : undefined;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const sub = n.properties?.get(k) ?? (n.schema.properties && k in n.schema.properties ? undefined : n.additional);
    if (!sub) continue;
    const o = oldMap && Object.prototype.hasOwnProperty.call(oldMap, k) ? oldMap[k] : undefined;
    const at = n.properties?.has(k) ? (path ? `${path}.${k}` : k) : `${path}[${k}]`;
    // A field the old object lacks has no correlation, and its parent differs from the old one.
    validate(sub, at, v, o, o === undefined ? false : deepEqual(v, o), errs, budget);
  }
}

/** makeMapList: items of an x-kubernetes-list-type=map list correlate with old items by their keys; others do not. */
function correlatedItems(s: S, old: unknown): ((v: unknown) => unknown) | undefined {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(old)) return undefined;
  const keys: string[] = s['x-kubernetes-list-map-keys'] ?? [];
  const keyOf = (v: unknown) => (v && typeof v === 'object' ? JSON.stringify(keys.map((k) => (v as Record<string, unknown>)[k] ?? null)) : undefined);
  const byKey = new Map<string | undefined, unknown>();
  for (const o of old) byKey.set(keyOf(o), o);
  return (v) => byKey.get(keyOf(v));
}

function evalRules(n: Node, path: string, obj: unknown, old: unknown, ratchet: boolean, errs: FieldError[], budget: Budget): void {
  if (!n.ruleSources.length) return;
  const rules = (n.compiled ??= n.ruleSources.map((r) => compileRule(r ?? {})));
  const type: string = n.schema.type ?? '';
  const field = path || '<nil>';
  const outOfBudget = () => {
    errs.push({ field, type: 'Invalid value', value: goQuote(type), detail: 'validation failed due to running out of cost budget, no further validation rules will be run' });
    budget.stopped = true;
  };
  if (budget.remaining <= 0) return outOfBudget();
  const self = toCel(obj, n.schema, n.resourceRoot);
  const oldSelf = old === undefined ? undefined : toCel(old, n.schema, n.resourceRoot);
  for (const c of rules) {
    if (!c.program) continue;
    const optional = c.rule.optionalOldSelf === true;
    if (c.usesOldSelf && old === undefined && !optional) continue;
    const ctx = { self, oldSelf: optional ? (oldSelf === undefined ? Optional.none() : Optional.of(oldSelf)) : oldSelf };
    // Its cost is checked against what is left before its outcome is looked at (validateExpressions).
    const run = metered(PER_CALL_LIMIT, c.program, ctx);
    if (run.cost > budget.remaining) return outOfBudget();
    budget.remaining -= run.cost;
    if ('cancelled' in run) {
      errs.push({ field, type: 'Invalid value', value: goQuote(type), detail: `'${COST_LIMIT_EXCEEDED}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(c.rule)}` });
      budget.stopped = true;
      return;
    }
    if ('error' in run) {
      errs.push({ field, type: 'Invalid value', value: goQuote(type), detail: `${runtimeError(run.error)} evaluating rule: ${ruleErrorString(c.rule)}` });
      continue;
    }
    const result = run.value;
    if (result === true) continue;
    // A rule that does not use oldSelf on a value left as it was only warns (ratcheting).
    if (!c.usesOldSelf && ratchet) continue;
    const at = c.rule.fieldPath ? fieldPathUnder(field === '<nil>' ? '' : field, c.rule.fieldPath) : field;
    let detail = ruleMessageOrDefault(c.rule);
    if (c.message) {
      const m = messageOf(c.message, { self, oldSelf });
      if (m !== undefined) detail = m;
    }
    errs.push(fieldErrorForReason(at, type, detail, c.rule.reason));
  }
}

/** evalMessageExpression: a trimmed, non-empty, one-line string of at most 5120 bytes, else the rule's message. */
function messageOf(p: Program, ctx: Record<string, unknown>): string | undefined {
  let v: unknown;
  try {
    v = p(ctx);
  } catch {
    return undefined;
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s && !/\n/.test(s) && Buffer.byteLength(s) <= 5120 ? s : undefined;
}

/** The rule's fieldPath (`.a.b`, `['a.b']`) appended as field.Path.Child appends it. */
function fieldPathUnder(at: string, fieldPath: string): string {
  const normalized = fieldPath.replace(/^\./, '').replace(/\[\s*'((?:[^'\\]|\\.)*)'\s*\]/g, '[$1]').replace(/\.\[/g, '[');
  return at ? `${at}.${normalized}` : normalized;
}

function fieldErrorForReason(field: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return { field, type: 'Forbidden', detail };
    case 'FieldValueRequired':
      return { field, type: 'Required value', detail };
    case 'FieldValueDuplicate':
      return { field, type: 'Duplicate value', value: goQuote(type) };
    default:
      return { field, type: 'Invalid value', value: goQuote(type), detail };
  }
}

const ruleErrorString = (r: Rule): string => (r.message ? r.message.trim() : (r.rule ?? '').trim());
const ruleMessageOrDefault = (r: Rule): string => (r.message ? r.message.trim() : `failed rule: ${ruleErrorString(r)}`);

/** A runtime error in cel-go's words where they are known (types.Err messages). */
export function runtimeError(e: any): string {
  const s = summary(e);
  // The Kubernetes libraries' own errors (crd-cel-lib.ts, crd-cel-net.ts) are worded already.
  if (e?.name === 'CelRuntimeError') return s;
  if (e?.code === 'index_out_of_bounds') {
    const m = /index (-?\d+)/.exec(s);
    return `index out of bounds: ${m ? m[1] : ''}`;
  }
  return s.charAt(0).toLowerCase() + s.slice(1);
}

type DurationClass = new (seconds: bigint, nanos: number) => unknown;
/** cel-js's duration class (the package does not export it). */
let durationClass: DurationClass | undefined;

/**
 * UnstructuredToVal's strings of a format: a duration is a duration, a date (at midnight UTC)
 * and a date-time timestamps, a byte string its decoded bytes; others stay strings. A value
 * that does not parse (its format error ratcheted on update) stays the string it is.
 */
function formattedString(v: string, format: string): unknown {
  switch (format) {
    case 'duration': {
      const ns = parseCrdDuration(v);
      if (ns === undefined) return v;
      durationClass ??= (celEnvironment().evaluate('duration("0s")') as object).constructor as DurationClass;
      return new durationClass(ns / 1000000000n, Number(ns % 1000000000n));
    }
    case 'date':
      return checkCrdFormat('date', v) ? new Date(`${v}T00:00:00Z`) : v;
    case 'date-time': {
      const d = new Date(v);
      return isNaN(d.getTime()) ? v : d;
    }
    case 'byte':
      return checkCrdFormat('byte', v) ? new Uint8Array(Buffer.from(v, 'base64')) : v;
  }
  return v;
}

/**
 * UnstructuredToVal: JSON as CEL sees it through the schema. Integers are CEL ints (bigint),
 * `number` fields doubles, strings of a format durations, timestamps or bytes (formattedString);
 * a resource root's metadata shows only name and generateName (WithTypeAndObjectMeta);
 * declared properties by their escaped names. Without a schema (admission policies) it is
 * plain unstructured JSON. A key whose value is undefined is absent, as in the JSON the
 * apiserver decodes (`has()` is false for it).
 */
export function toCel(v: unknown, s?: S, resourceRoot = false): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) && s?.type !== 'number' ? BigInt(v) : v;
  if (typeof v === 'string') return s?.type === 'string' && s.format ? formattedString(v, s.format) : v;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => toCel(x, Array.isArray(s?.items) ? undefined : s?.items));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    if (resourceRoot && k === 'metadata' && x && typeof x === 'object') {
      const m = x as Record<string, unknown>;
      out.metadata = { ...(m.name !== undefined ? { name: m.name } : {}), ...(m.generateName !== undefined ? { generateName: m.generateName } : {}) };
      continue;
    }
    const declared = s?.properties !== undefined && Object.prototype.hasOwnProperty.call(s.properties, k);
    const sub = declared ? s!.properties[k] : typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
    // A declared property is a field of an object, named as escaping.go escapes it (`a-b` is `a__dash__b`).
    const name = declared ? escapeField(k) : k;
    if (name !== undefined) out[name] = toCel(x, sub, sub?.['x-kubernetes-embedded-resource'] === true);
  }
  return out;
}

