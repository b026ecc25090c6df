// Type checking of CRD CEL rules against the schema, as apiextensions-apiserver 1.32
// compiles them (schema/cel/compilation.go with k8s.io/apiserver pkg/cel/common
// SchemaDeclType): `self` (and `oldSelf`) take the type of the rule's schema node, objects
// are message types with their declared (escaped) properties, so a rule naming a field
// the schema does not declare, or comparing incompatible types, refuses the CRD.
// cel-js's checker stops at the first error and does not word its errors as cel-go, so
// only the errors whose cel-go text is known are refused (an undefined field, an
// operator on two scalar types it has no overload for); any other disagreement leaves
// the rule to the untyped check, never refusing what kube-apiserver accepts.
import type { Environment } from '@marcbachmann/cel-js';
import { celLibrary } from './crd-cel-lib';

type S = Record<string, any>;

/** CEL's reserved words (apiserver pkg/cel/escaping.go): a property so named is `__name__`. */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** escaping.go Escape: a property's name as CEL sees it, or undefined when it cannot be named. */
export function escapeField(name: string): string | undefined {
  if (!name || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  let ok = true;
  const out = name.replace(/__|[-./]|[^a-zA-Z0-9\-./_]/g, (m) => {
    const r = ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' } as Record<string, string>)[m];
    if (r === undefined) ok = false;
    return r ?? '';
  });
  return ok ? out : undefined;
}

/** WithTypeAndObjectMeta: a resource root always shows apiVersion, kind and metadata's name and generateName. */
function withTypeAndObjectMeta(s: S): S {
  const p = s.properties ?? {};
  const isStr = (x: S | undefined) => x?.type === 'string';
  if (isStr(p.kind) && isStr(p.apiVersion) && p.metadata?.type === 'object' && isStr(p.metadata.properties?.name) && isStr(p.metadata.properties?.generateName)) return s;
  const str = { type: 'string' };
  return { ...s, properties: { ...(s.properties ?? {}), kind: str, apiVersion: str, metadata: { type: 'object', properties: { name: str, generateName: str } } } };
}

/**
 * SchemaDeclType: the CEL type of a schema node as a cel-js type string (message types
 * registered in `env` under kube's names, `<root>.<field>`, `.@idx`, `.@elem`), or
 * undefined where kube has none (no type: the property is not declared at all). An
 * object's unknown fields (x-kubernetes-preserve-unknown-fields) are not declared.
 */
function declType(s: S | undefined, resourceRoot: boolean, name: string, env: Environment): string | undefined {
  if (!s || typeof s !== 'object') return undefined;
  if (s['x-kubernetes-int-or-string'] === true) return 'dyn';
  if (resourceRoot) s = withTypeAndObjectMeta(s);
  switch (s.type) {
    case 'array': {
      if (!s.items || Array.isArray(s.items)) return undefined;
      const t = declType(s.items, s.items['x-kubernetes-embedded-resource'] === true, `${name}.@idx`, env);
      return t && `list<${t}>`;
    }
    case 'object': {
      const ap = s.additionalProperties;
      if (ap && typeof ap === 'object') {
        const t = declType(ap, ap['x-kubernetes-embedded-resource'] === true, `${name}.@elem`, env);
        return t && `map<string, ${t}>`;
      }
      const fields: Record<string, string> = {};
      for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, S>)) {
        const f = escapeField(k);
        const t = f && declType(p, p?.['x-kubernetes-embedded-resource'] === true, `${name}.${f}`, env);
        if (f && t) fields[f] = t;
      }
      env.registerType(name, { fields });
      return name;
    }
    case 'string':
      if (s.format === 'byte') return 'bytes';
      if (s.format === 'duration') return 'google.protobuf.Duration';
      if (s.format === 'date' || s.format === 'date-time') return 'google.protobuf.Timestamp';
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'double';
    case 'integer':
      return 'int';
  }
  return undefined;
}

/** A checking environment per rule node (its types are the node's subtree), built once per node. */
const envs = new WeakMap<S, { env: Environment; self: string } | null>();

function nodeEnv(s: S, resourceRoot: boolean): { env: Environment; self: string } | null {
  let hit = envs.get(s);
  if (hit !== undefined) return hit;
  try {
    const env = celLibrary().clone();
    const self = declType(s, resourceRoot, 'selfType0', env);
    hit = self ? { env, self } : null;
  } catch {
    // A schema cel-js cannot declare (a name it refuses): the rule keeps its untyped check.
    hit = null;
  }
  envs.set(s, hit);
  return hit;
}

/** cel-go's operator function names. */
const OPERATORS: Record<string, string> = { '==': '_==_', '!=': '_!=_', '<': '_<_', '<=': '_<=_', '>': '_>_', '>=': '_>=_', '+': '_+_', '-': '_-_', '*': '_*_', '/': '_/_', '%': '_%_' };
const TS = 'google.protobuf.Timestamp';
const DUR = 'google.protobuf.Duration';
const SCALARS = new Set(['int', 'uint', 'double', 'string', 'bool', 'bytes', TS, DUR]);
const NUMERIC = new Set(['int', 'uint', 'double']);

/** Whether cel-go (with kube's CrossTypeNumericComparisons) has an overload of `op` for (l, r). */
function hasOverload(op: string, l: string, r: string): boolean {
  const same = l === r;
  switch (op) {
    case '==':
    case '!=':
      return same;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return same || (NUMERIC.has(l) && NUMERIC.has(r));
    case '+':
      return (same && ['int', 'uint', 'double', 'string', 'bytes', DUR].includes(l)) || (l === TS && r === DUR) || (l === DUR && r === TS);
    case '-':
      return (same && ['int', 'uint', 'double', DUR, TS].includes(l)) || (l === TS && r === DUR);
    case '*':
    case '/':
      return same && NUMERIC.has(l);
    case '%':
      return same && (l === 'int' || l === 'uint');
  }
  return true;
}

/** The offset of `token` at or after `from`, past closing parentheses and spaces. */
function tokenAt(src: string, from: number, token: string): number | undefined {
  let i = from;
  while (i < src.length && /[\s)]/.test(src[i]!)) i++;
  return src.startsWith(token, i) ? i : undefined;
}

export type Issue = (src: string, message: string, offset: number) => string;

/** The AST validators of a checked rule, its arguments typed by `env` (crd-cel.ts formatRefusal). */
export type AstValidator = (env: Environment, code: string, src: string, messageName: (t: string) => string | undefined) => string | undefined;

/**
 * cel-go's name of a message type declared here: generateUniqueSelfTypeName's `selfType<ns>`,
 * the nanosecond of the clock when the CRD was compiled (a name rules cannot rely on), for `selfType0`.
 */
function messageNamer(): (t: string) => string | undefined {
  const now = performance.timeOrigin + performance.now();
  const name = `selfType${Math.floor((now % 1000) * 1e6)}`;
  return (t) => (/^selfType0(\.|$)/.test(t) ? name + t.slice('selfType0'.length) : undefined);
}

/**
 * The refusal of a rule (or messageExpression) checked against its schema node: cel-go's
 * compile error (the checker's, then `validate`'s), `must evaluate to a <want>`, or undefined
 * when it checks or the disagreement is not one whose cel-go wording is known.
 */
export function typedRefusal(code: string, src: string, node: S, resourceRoot: boolean, optionalOldSelf: boolean, want: 'bool' | 'string', issue: Issue, validate?: AstValidator): string | undefined {
  const n = nodeEnv(node, resourceRoot);
  if (!n) return undefined;
  let env: Environment;
  try {
    env = n.env.clone().registerVariable('self', n.self).registerVariable('oldSelf', optionalOldSelf ? `optional<${n.self}>` : n.self);
  } catch {
    return undefined;
  }
  const checked = env.check(code);
  const invalid = checked.valid ? validate?.(env, code, src, messageNamer()) : undefined;
  if (invalid) return invalid;
  if (checked.valid) return checked.type === want || checked.type === 'dyn' ? undefined : `${want === 'bool' ? 'cel expression' : 'messageExpression'} must evaluate to a ${want}`;
  const err: any = checked.error;
  const node_ = err?.node;
  const undefinedField = undefinedFieldIssue(err, src, issue);
  if (undefinedField) return undefinedField;
  if (err?.code === 'no_such_overload' && OPERATORS[node_?.op]) {
    const l = String(node_.leftStaticType?.name ?? node_.leftStaticType);
    const r = String(node_.rightStaticType?.name ?? node_.rightStaticType);
    const at = tokenAt(src, node_.left?.end ?? -1, node_.op);
    if (SCALARS.has(l) && SCALARS.has(r) && !hasOverload(node_.op, l, r) && at !== undefined) {
      return issue(src, `found no matching overload for '${OPERATORS[node_.op]}' applied to '(${l}, ${r})'`, at);
    }
  }
  return undefined;
}

/** cel-go's `undefined field` issue for cel-js's check error `err` (a select of a field its message type lacks), else undefined. */
export function undefinedFieldIssue(err: any, src: string, issue: Issue): string | undefined {
  const node = err?.node;
  if (err?.code !== 'no_such_key' || node?.op !== '.' || typeof node.args?.[1] !== 'string') return undefined;
  const dot = tokenAt(src, node.args[0]?.end ?? -1, '.');
  return dot === undefined ? undefined : issue(src, `undefined field '${node.args[1]}'`, dot);
}

/**
 * The CEL type of a resource's root schema declared in `env` under `name` (its message types
 * `<name>.<field>`...), as kube types `object` for a policy: SchemaDeclType with the root a resource.
 */
export function declareResourceType(s: S, name: string, env: Environment): string | undefined {
  return declType(s, true, name, env);
}

/** The rule's AST type-checked with `self` typed from its schema node (each node's checkedType set), or undefined when it does not check. */
export function typedAst(code: string, node: S, resourceRoot: boolean, optionalOldSelf: boolean): unknown {
  const n = nodeEnv(node, resourceRoot);
  if (!n) return undefined;
  try {
    const env = n.env.clone().registerVariable('self', n.self).registerVariable('oldSelf', optionalOldSelf ? `optional<${n.self}>` : n.self);
    const parsed = env.parse(code) as any;
    return parsed.check().valid ? parsed.ast : undefined;
  } catch {
    return undefined;
  }
}
