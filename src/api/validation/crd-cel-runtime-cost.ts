// The runtime cost of a CRD's validation rules, as cel-go's CostTracker counts it
// (interpreter/runtimecost.go) and kube-apiserver limits it: a rule past 1,000,000 is
// cancelled (celconfig.PerCallLimit) and one object's rules share 10,000,000
// (celconfig.RuntimeCELCostBudget), checked by apiextensions-apiserver's
// schema/cel/validation.go. @marcbachmann/cel-js has no cost hook, but every node below the
// root is evaluated through its evaluator's `run` (and `tryEval`, which quantifiers use):
// that method, wrapped once, charges each node while a meter is set, and throws once the
// limit is passed. Costs follow cel-go: identifiers and field selections 1, constants and
// the logical operators 0, a list literal 10, a map 30, a function or operator 1 unless its
// cost grows with its arguments' sizes (string equality, startsWith, contains, matches, `in`
// a list), and each iteration of a macro the steps cel-go's expansion adds (`all`: the loop
// condition's @not_strictly_false(@result) and the step's @result &&).

import { celEnvironment } from './crd-cel-lib';

/** cel-go's EvalCancelledError text for CostLimitExceeded. */
export const COST_LIMIT_EXCEEDED = 'operation cancelled: actual cost limit exceeded';
/** celconfig.PerCallLimit: one evaluation of one rule. */
export const PER_CALL_LIMIT = 1_000_000;
/** celconfig.RuntimeCELCostBudget: every rule evaluated for one object. */
export const RUNTIME_BUDGET = 10_000_000;

const STRING_TRAVERSAL = 0.1; // common.StringTraversalCostFactor
const REGEX_LENGTH = 0.25; // common.RegexStringLengthCostFactor

interface AstNode {
  op: string;
  args: any;
  left?: AstNode;
  right?: AstNode;
  meta?: { alternate?: AstNode; macro?: unknown };
}

/** How a node is charged: a fixed cost, or one from its arguments' values (`args`: the nodes whose values it needs). */
interface Plan {
  cost: number;
  args?: AstNode[];
  sized?: (values: unknown[]) => number;
}

class CostLimitError extends Error {}

/** The cost of one evaluation, and its limit. */
export class Meter {
  cost = 0;
  exceeded = false;
  /** Nodes whose cost waits for their arguments' values (cel-go's stack), innermost last. */
  readonly frames: { plan: Plan; values: unknown[] }[] = [];
  constructor(readonly limit: number) {}

  charge(n: number): void {
    this.cost += n;
    if (this.cost > this.limit) {
      this.exceeded = true;
      throw new CostLimitError(COST_LIMIT_EXCEEDED);
    }
  }
}

let meter: Meter | undefined;
let hooked = false;
const plans = new WeakMap<object, Plan>();
/** The cost a macro's expansion adds to each iteration, by its step node. */
const stepCosts = new WeakMap<object, number>();

/** actualSize: a string's, a list's or a map's size; anything else 1. */
function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length;
  return 1;
}
const traversal = (n: number) => Math.ceil(n * STRING_TRAVERSAL);
const isText = (v: unknown) => typeof v === 'string' || v instanceof Uint8Array;

// costCall's functions whose cost grows with their arguments (others cost 1), by receiver-call name.
const SIZED_CALLS: Record<string, (v: unknown[]) => number> = {
  startsWith: (v) => traversal(sizeOf(v[0])),
  endsWith: (v) => traversal(sizeOf(v[0])),
  contains: (v) => (isText(v[0]) ? traversal(sizeOf(v[0])) * traversal(sizeOf(v[1])) : 1),
  matches: (v) => Math.ceil((1 + sizeOf(v[0])) * STRING_TRAVERSAL) * Math.ceil(sizeOf(v[1]) * REGEX_LENGTH),
};
const SIZED_OPERATORS: Record<string, (v: unknown[]) => number> = {
  '==': (v) => traversal(Math.min(sizeOf(v[0]), sizeOf(v[1]))),
  '!=': (v) => traversal(Math.min(sizeOf(v[0]), sizeOf(v[1]))),
  '<': (v) => (isText(v[0]) ? traversal(Math.min(sizeOf(v[0]), sizeOf(v[1]))) : 1),
  '<=': (v) => (isText(v[0]) ? traversal(Math.min(sizeOf(v[0]), sizeOf(v[1]))) : 1),
  '>': (v) => (isText(v[0]) ? traversal(Math.min(sizeOf(v[0]), sizeOf(v[1]))) : 1),
  '>=': (v) => (isText(v[0]) ? traversal(Math.min(sizeOf(v[0]), sizeOf(v[1]))) : 1),
  '+': (v) => (isText(v[0]) ? traversal(sizeOf(v[0]) + sizeOf(v[1])) : 1),
  in: (v) => (Array.isArray(v[1]) ? sizeOf(v[1]) : 1),
};
const FREE = new Set(['value', '&&', '||', '?:', 'accuValue', 'accuInc', 'accuPush']);

/** The comprehension's kind from its expansion (macros.js): the cost cel-go's loop condition and step add per iteration. */
function iterationCost(args: any): number {
  if (args.kind === 'quantifier') {
    const init = args.init?.args;
    if (init === true) return 3; // all: @not_strictly_false(@result), @result &&
    if (init === false) return 4; // exists: @not_strictly_false(!@result), @result ||
    return 2; // exists_one: @result + 1
  }
  return 13; // map, filter: @result + [x] (a list of one, the concatenation, @result)
}

function planOf(ast: AstNode): Plan {
  let plan = plans.get(ast);
  if (plan) return plan;
  const alternate = ast.meta?.alternate;
  if (alternate?.op === 'comprehension') {
    // The macro: its result (@result) once, its iterations as their steps run.
    stepCosts.set(alternate.args.step, iterationCost(alternate.args));
    plan = { cost: 1 };
  } else if (FREE.has(ast.op)) plan = { cost: 0 };
  else if (ast.op === 'list') plan = { cost: 10 };
  else if (ast.op === 'map') plan = { cost: 30 };
  else if (ast.op === 'rcall' && SIZED_CALLS[ast.args?.[0]] && Array.isArray(ast.args[2])) plan = { cost: 0, args: [ast.args[1], ...ast.args[2]], sized: SIZED_CALLS[ast.args[0]] };
  else if (SIZED_OPERATORS[ast.op] && Array.isArray(ast.args)) plan = { cost: 0, args: [ast.args[0], ast.args[1]], sized: SIZED_OPERATORS[ast.op] };
  else plan = { cost: 1 };
  plan.cost += stepCosts.get(ast) ?? 0;
  plans.set(ast, plan);
  return plan;
}

/** Wraps cel-js's evaluator once (its class is not exported: a function's `this` is it). */
function hook(): void {
  if (hooked) return;
  let evaluator: any;
  celEnvironment().clone().registerFunction('kubesimEvaluator(): bool', function (this: unknown) {
    evaluator = this;
    return true;
  }).evaluate('kubesimEvaluator()', {});
  const proto = Object.getPrototypeOf(evaluator);
  const run: (ast: AstNode, ctx: unknown) => unknown = proto.run;
  const tryEval: (ast: AstNode, ctx: unknown) => unknown = proto.tryEval;
  proto.run = function (this: unknown, ast: AstNode, ctx: unknown): unknown {
    const m = meter;
    if (!m) return run.call(this, ast, ctx);
    const plan = planOf(ast);
    if (plan.cost) m.charge(plan.cost);
    const frame = plan.sized && { plan, values: [] as unknown[] };
    if (frame) m.frames.push(frame);
    const value = run.call(this, ast, ctx);
    if (frame) {
      m.frames.pop();
      m.charge(plan.sized!(frame.values));
    }
    const outer = m.frames[m.frames.length - 1];
    const i = outer ? outer.plan.args!.indexOf(ast) : -1;
    if (i >= 0) outer!.values[i] = value;
    return value;
  };
  // A quantifier keeps an iteration's error and goes on: the cancellation is no such error.
  proto.tryEval = function (this: unknown, ast: AstNode, ctx: unknown): unknown {
    const r = tryEval.call(this, ast, ctx);
    if (meter?.exceeded) throw r instanceof CostLimitError ? r : new CostLimitError(COST_LIMIT_EXCEEDED);
    return r;
  };
  hooked = true;
}

/** What one metered evaluation gave: its value or its error, or `cancelled` past the limit; its cost in every case. */
export type Metered = { value: unknown; cost: number } | { error: unknown; cost: number } | { cancelled: true; cost: number };

/** Evaluates `program` (a parsed rule, its AST at `.ast`) with `ctx`, its cost counted up to `limit`. */
export function metered<C>(limit: number, program: (ctx: C) => unknown, ctx: C): Metered {
  hook();
  const outer = meter;
  const m = (meter = new Meter(limit));
  try {
    // The root is evaluated without `run`: charged here, its arguments' values collected as any node's.
    const root = (program as { ast?: AstNode }).ast!;
    const plan = planOf(root);
    const frame = plan.sized && { plan, values: [] as unknown[] };
    if (frame) m.frames.push(frame);
    m.charge(plan.cost);
    const value = program(ctx);
    if (frame) m.charge(plan.sized!(frame.values));
    return { value, cost: m.cost };
  } catch (error) {
    return m.exceeded ? { cancelled: true, cost: m.cost } : { error, cost: m.cost };
  } finally {
    meter = outer;
  }
}
