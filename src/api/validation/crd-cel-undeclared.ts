// Calls of functions that Kubernetes 1.32's CEL environment for new rules does not declare,
// refused as cel-go's checker refuses them. A CRD's new rule compiles at compatibility
// version 1.31 (environment.NewExpressions; k8s.io/apiserver pkg/cel/environment/base.go),
// which has no two-variable comprehensions (ext.TwoVarComprehensions arrives in the 1.32
// stored environment only), no `sortBy` (ext.Lists) and no `reverse` (ext strings v3):
// `self.all(k, v, p)` is then no macro but a call of an undeclared function `all`, whose
// arguments name undeclared variables. cel-go reports every such reference, sorted by
// position (checker.go checkCall: the arguments first, the function last).

type Node = { op: string; args: any; start?: number; end?: number; pos?: number };

/** The functions no 1.31 macro or declaration has, with the argument counts that make them undeclared. */
const UNDECLARED: Record<string, (argc: number) => boolean> = {
  all: (n) => n >= 3,
  exists: (n) => n >= 3,
  exists_one: (n) => n >= 3,
  existsOne: () => true,
  transformList: () => true,
  transformMap: () => true,
  transformMapEntry: () => true,
  sortBy: () => true,
  reverse: () => true,
};

/** One-variable macros of 1.31 (receiver style): the variable they bind for their other arguments. */
const MACROS: Record<string, number[]> = { all: [2], exists: [2], exists_one: [2], filter: [2], map: [2, 3] };

export interface Issue {
  offset: number;
  message: string;
}

const undeclared = (name: string, offset: number): Issue => ({ offset, message: `undeclared reference to '${name}' (in container '')` });

/**
 * cel-go's errors for a rule calling an undeclared function, or undefined when it calls none
 * (the rule is then judged as before). `vars`: the declared variables; `namespaces`: the
 * prefixes of namespaced functions (a call `sets.contains(...)` checks no variable `sets`).
 */
export function undeclaredCallIssues(ast: unknown, src: string, vars: Set<string>, namespaces: Set<string>): Issue[] | undefined {
  const issues: Issue[] = [];
  let found = false;
  const walk = (x: unknown, scope: Set<string>): void => {
    if (Array.isArray(x)) return x.forEach((a) => walk(a, scope));
    if (!x || typeof x !== 'object' || typeof (x as Node).op !== 'string') return;
    const n = x as Node;
    if (n.op === 'id') {
      if (!scope.has(n.args) && !vars.has(n.args)) issues.push(undeclared(n.args, n.start ?? 0));
      return;
    }
    if (n.op === 'rcall') {
      const [name, target, args] = n.args as [string, Node, Node[]];
      const qualified = target?.op === 'id' && namespaces.has(target.args);
      if (UNDECLARED[name]?.(args.length)) {
        found = true;
        walk(args, scope);
        if (!qualified) walk(target, scope);
        // The call's position is its opening parenthesis.
        const open = src.indexOf('(', src.indexOf(name, target?.end ?? 0));
        issues.push(undeclared(name, open));
        return;
      }
      const bound = MACROS[name]?.includes(args.length) && args[0]?.op === 'id' ? (args[0].args as string) : undefined;
      if (bound !== undefined) {
        walk(target, scope);
        walk(args.slice(1), new Set([...scope, bound]));
        return;
      }
      // cel.bind(name, init, body)
      if (name === 'bind' && target?.op === 'id' && target.args === 'cel' && args[0]?.op === 'id') {
        walk(args[1], scope);
        walk(args[2], new Set([...scope, args[0].args as string]));
        return;
      }
      if (!qualified) walk(target, scope);
      walk(args, scope);
      return;
    }
    walk(n.args, scope);
  };
  walk(ast, new Set());
  if (!found) return undefined;
  return issues.sort((a, b) => a.offset - b.offset);
}
