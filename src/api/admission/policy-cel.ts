// CEL of ValidatingAdmissionPolicies (k8s.io/apiserver pkg/admission/plugin/cel): the
// expressions of validations, matchConditions, variables and messageExpressions compiled
// in the CRD rules' library (crd-cel-lib.ts) with the admission variables (`object`,
// `oldObject`, `request`, `params`, `namespaceObject`, `variables`, and `authorizer` from
// policy-authz.ts) instead of `self`, and
// evaluated with kube's wording of compile and runtime errors (activation.go, compile.go,
// composition.go). Objects are seen as unstructured JSON (ints are CEL ints), untyped.

import { ParseError, type Environment } from '@marcbachmann/cel-js';
import { celLibrary, withKubeFunctions } from '../validation/crd-cel-lib';
import { celIssue, runtimeError, summary, toCel } from '../validation/crd-cel';
import { undeclaredCallIssues } from '../validation/crd-cel-undeclared';
import { registerAuthz } from './policy-authz';

type Program = (ctx: Record<string, unknown>) => unknown;

/** One expression compiled: its program, or cel-go's compile error (`compilation failed: ...`). */
export interface CompiledExpression {
  source: string;
  program?: Program;
  error?: string;
}

const BASE_VARIABLES = ['object', 'oldObject', 'request', 'namespaceObject', 'variables'];
const NAMESPACES = new Set(['sets', 'strings', 'math', 'format', 'base64', 'optional', 'cel', 'lists', 'regex', 'ip', 'cidr', 'semver', 'google']);

const envs = new Map<boolean, Environment>();
/** The environment with `params` declared only when the policy has a paramKind (compile.go's HasParams). */
function environment(withParams: boolean): Environment {
  let env = envs.get(withParams);
  if (!env) {
    env = declarePolicyVariables(celLibrary().clone(), withParams, 'dyn');
    envs.set(withParams, env);
  }
  return env;
}

/**
 * A policy's variables declared in `env`: `object` and `oldObject` of type `objectType` (dyn
 * at admission; the matched kind's type when the status controller type-checks), the others dyn.
 */
export function declarePolicyVariables(env: Environment, withParams: boolean, objectType: string): Environment {
  for (const v of [...BASE_VARIABLES, ...(withParams ? ['params'] : [])]) env.registerVariable(v, v === 'object' || v === 'oldObject' ? objectType : 'dyn');
  registerAuthz(env);
  return env;
}

/** Compiled expressions by kind, params and text; the oldest forgotten past 2,000. */
const compiled = new Map<string, CompiledExpression>();

/** compile.go CompileCELExpression: syntax and undeclared names refused, then the result type (`want`). */
export function compileExpression(source: string, want: 'bool' | 'string' | 'any', withParams: boolean): CompiledExpression {
  const key = JSON.stringify([want, withParams, source]);
  const hit = compiled.get(key);
  if (hit) return hit;
  const out = compileUncached(source, want, withParams);
  compiled.set(key, out);
  if (compiled.size > 2000) compiled.delete(compiled.keys().next().value!);
  return out;
}

function compileUncached(source: string, want: 'bool' | 'string' | 'any', withParams: boolean): CompiledExpression {
  const env = environment(withParams);
  const code = withKubeFunctions(source);
  const checked = env.check(code);
  if (!checked.valid) {
    const err: any = checked.error;
    if (err instanceof ParseError) return { source, error: `compilation failed: ${celIssue(source, `Syntax error: ${summary(err)}`, err.range?.start ?? 0)}` };
    const vars = new Set([...BASE_VARIABLES, 'authorizer', ...(withParams ? ['params'] : [])]);
    const undeclared = undeclaredCallIssues((env.parse(code) as any).ast, code, vars, NAMESPACES);
    if (undeclared?.length) return { source, error: `compilation failed: ${undeclared.map((i) => celIssue(source, i.message, i.offset)).join('\n')}` };
    if (err?.code === 'unknown_variable') {
      const name = summary(err).replace(/^Unknown variable: /, '');
      return { source, error: `compilation failed: ${celIssue(source, `undeclared reference to '${name}' (in container '')`, err.range?.start ?? 0)}` };
    }
    return { source, error: `compilation failed: ${celIssue(source, summary(err), err?.range?.start ?? 0)}` };
  }
  if (want !== 'any' && checked.type !== want && checked.type !== 'dyn') return { source, error: `must evaluate to ${want} but got ${checked.type}` };
  return { source, program: env.parse(code) as unknown as Program };
}

export type Evaluation = { value: unknown; error?: undefined } | { error: string; value?: undefined };

/** activation.Evaluate: the value, or the error as kube words it. */
export function evaluate(c: CompiledExpression, activation: Record<string, unknown>): Evaluation {
  if (!c.program) return { error: `compilation error: ${c.error}` };
  try {
    return { value: c.program(activation) };
  } catch (e) {
    return { error: `expression '${c.source}' resulted in error: ${runtimeError(e)}` };
  }
}

/**
 * The `variables` of an activation: each evaluated when an expression first reads it, once
 * (composition.go's lazy variables), in an activation that sees the variables before it.
 */
export function lazyVariables(defs: { name: string; expression: CompiledExpression }[], base: Record<string, unknown>): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  const activation = { ...base, variables };
  for (const { name, expression } of defs) {
    let result: Evaluation | undefined;
    Object.defineProperty(variables, name, {
      enumerable: true,
      get() {
        if (!expression.program) throw new VariableError(`composited variable ${JSON.stringify(name)} fails to compile: ${expression.error}`);
        if (!result) {
          try {
            result = { value: expression.program(activation) };
          } catch (e) {
            result = { error: runtimeError(e) };
          }
        }
        if (result.error !== undefined) throw new VariableError(`composited variable ${JSON.stringify(name)} fails to evaluate: ${result.error}`);
        return result.value;
      },
    });
  }
  return variables;
}

/** A variable's failure, worded already (runtimeError keeps the text of a CelRuntimeError as it is). */
class VariableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelRuntimeError';
  }
}

/** JSON as unstructured CEL values (crd-cel's toCel without a schema): integers are CEL ints (bigint), other numbers doubles. */
export function toCelValue(v: unknown): unknown {
  return toCel(v);
}
