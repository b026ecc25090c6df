// Execution (text/template/exec.go): walks the tree over the data, with Go's error texts.
import { byteOrder } from '../../util/go-format';
import { sprintV } from './fmt';
import { CallError, SIGNATURES, callBuiltin } from './functions';
import { argString, cmdString, type Arg, type Cmd, type ControlNode, type Node, type Pipe } from './parser';
import { goQuote } from '../../util/go-format';
import { GoInt, GoTemplateExecError, MISSING, NAME, isMap, truth, typeName, type Final, type Val } from './values';

// ---------------------------------------------------------------------------------------
// Execution (text/template/exec.go)

/** dot plus whether it came out of a map/slice lookup (Go reports its type as `interface {}`). */
export interface Dot {
  v: Val;
  iface: boolean;
}

export class BreakSignal {}
export class ContinueSignal {}

/**
 * Bounds of one execution (Go has none: a template that loops over itself or prints
 * exponentially would eat the machine). A step is one node walked or command evaluated.
 */
export const MAX_EXEC_STEPS = 1_000_000;
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export class Exec {
  private out = '';
  private steps = 0;
  private vars: { name: string; v: Val }[];
  private at: { pos: number; text: string } = { pos: 0, text: '' };

  constructor(
    private readonly src: string,
    root: Val,
    /** text/template's Option("missingkey=error"): kubectl's --allow-missing-template-keys=false. */
    private readonly missingKeyError = false,
  ) {
    this.vars = [{ name: '$', v: root }];
  }

  run(list: Node[], dot: Dot): string {
    try {
      this.walkList(list, dot);
    } catch (e) {
      // JavaScript's own limits (a printf width of 10^9, recursion): a template error, not a crash.
      if (e instanceof RangeError) this.fail(/call stack/i.test(e.message) ? 'evaluation nests deeper than kubesim can follow' : "a value exceeds kubesim's size limit");
      throw e;
    }
    return this.out;
  }

  private fail(msg: string): never {
    const before = this.src.slice(0, this.at.pos);
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const nl = before.lastIndexOf('\n');
    const col = nl < 0 ? this.at.pos : this.at.pos - nl - 1;
    throw new GoTemplateExecError(`template: ${NAME}:${line}:${col}: executing "${NAME}" at <${this.at.text}>: ${msg}`);
  }

  private setAt(pos: number, text: string): void {
    this.at = { pos, text };
  }

  private walkList(list: Node[], dot: Dot): void {
    for (const n of list) this.walk(n, dot);
  }

  private emit(s: string): void {
    if (this.out.length + s.length > MAX_OUTPUT_BYTES) this.fail(`output exceeds kubesim's limit of ${MAX_OUTPUT_BYTES} bytes`);
    this.out += s;
  }

  private walk(n: Node, dot: Dot): void {
    if (++this.steps > MAX_EXEC_STEPS) this.fail(`evaluation exceeds kubesim's limit of ${MAX_EXEC_STEPS} steps`);
    switch (n.t) {
      case 'text':
        this.emit(n.text);
        return;
      case 'action': {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.emit(v === undefined || v === null ? '<no value>' : sprintV(v));
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, n.pipe);
        if (truth(v)) this.walkList(n.list, n.t === 'with' ? { v, iface: false } : dot);
        else if (n.elseList) this.walkList(n.elseList, dot);
        this.vars.length = mark;
        return;
      }
      case 'range':
        return this.walkRange(n, dot);
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(n: ControlNode, dot: Dot): void {
    const mark = this.vars.length;
    const v = this.evalPipeline(dot, n.pipe);
    // The range's own variables are re-bound per iteration, after the pipeline pushed them.
    const pairs: [Val, Val][] = [];
    if (Array.isArray(v)) v.forEach((e, i) => pairs.push([new GoInt(i, 'int'), e]));
    else if (isMap(v))
      Object.keys(v)
        .sort(byteOrder)
        .forEach((k) => pairs.push([k, v[k]]));
    else if (v !== undefined && v !== null) {
      this.fail(`range can't iterate over ${sprintV(v)}`);
    }
    if (pairs.length === 0) {
      this.vars.length = mark;
      if (n.elseList) this.walkList(n.elseList, dot);
      return;
    }
    const base = this.vars.length;
    for (const [k, e] of pairs) {
      this.vars.length = base;
      const decl = n.pipe.decl;
      if (decl.length === 1) this.setTop(decl[0].name, e);
      if (decl.length === 2) {
        // $i, $e: the first gets the index/key, the second the element.
        this.vars[this.vars.length - 2] = { name: decl[0].name, v: k };
        this.vars[this.vars.length - 1] = { name: decl[1].name, v: e };
      }
      try {
        this.walkList(n.list, { v: e, iface: true });
      } catch (sig) {
        if (sig instanceof BreakSignal) break;
        if (!(sig instanceof ContinueSignal)) throw sig;
      }
    }
    this.vars.length = mark;
  }

  private setTop(name: string, v: Val): void {
    this.vars[this.vars.length - 1] = { name, v };
  }

  private lookupVar(name: string): Val {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].v;
    this.fail(`undefined variable: ${name}`);
  }

  private setVar(name: string, v: Val): void {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i].name === name) {
        this.vars[i].v = v;
        return;
      }
    this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: Dot, pipe: Pipe): Val {
    let value: Final = MISSING;
    for (const c of pipe.cmds) value = this.evalCommand(dot, c, value);
    const v: Val = value === MISSING ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.name, v);
      else this.vars.push({ name: d.name, v });
    }
    // A nil interface result becomes "no value" (reflect.ValueOf(nil)).
    return v === null ? undefined : v;
  }

  private notAFunction(args: Arg[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${argString(args[0])}`);
  }

  private evalCommand(dot: Dot, cmd: Cmd, final: Final): Val {
    const first = cmd.args[0];
    switch (first.t) {
      case 'field':
        return this.evalFieldChain(dot, dot.v, dot.iface, first, first.idents, cmd.args, final);
      case 'chain': {
        this.notAFunction(cmd.args.length > 1 || final !== MISSING ? cmd.args : [first], final);
        const base = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, base, first.node.t !== 'pipe', first, first.fields, [first], MISSING);
      }
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args.slice(1), final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case 'variable': {
        const v = this.lookupVar(first.idents[0]);
        if (first.idents.length === 1) {
          this.setAt(first.pos, argString(first));
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, false, first, first.idents.slice(1), cmd.args, final);
      }
    }
    this.setAt(first.pos, argString(first));
    this.notAFunction(cmd.args, final);
    switch (first.t) {
      case 'bool':
        return first.v;
      case 'dot':
        return dot.v;
      case 'nil':
        this.fail('nil is not a command');
      // falls through
      case 'number':
        return first.v;
      case 'string':
        return first.v;
    }
    return undefined;
  }

  private evalFieldChain(dot: Dot, receiver: Val, iface: boolean, node: Arg, idents: string[], args: Arg[], final: Final): Val {
    this.setAt(node.pos, argString(node));
    let cur = receiver;
    let curIface = iface;
    for (let i = 0; i < idents.length; i++) {
      const last = i === idents.length - 1;
      cur = this.evalField(idents[i], cur, curIface, last ? args : [], last ? final : MISSING);
      curIface = true;
    }
    void dot;
    return cur;
  }

  private evalField(name: string, receiver: Val, iface: boolean, args: Arg[], final: Final): Val {
    if (receiver === undefined) return undefined;
    const typ = iface ? 'interface {}' : typeName(receiver);
    if (receiver === null) {
      if (iface) this.fail(`nil pointer evaluating interface {}.${name}`);
      return undefined;
    }
    if (isMap(receiver)) {
      if (args.length > 1 || final !== MISSING) this.fail(`${name} is not a method but has arguments`);
      if (Object.prototype.hasOwnProperty.call(receiver, name)) return receiver[name];
      if (this.missingKeyError) this.fail(`map has no entry for key ${goQuote(name)}`);
      return undefined;
    }
    this.fail(`can't evaluate field ${name} in type ${typ}`);
  }

  /** An argument as a value (fields, variables, literals, parenthesized pipelines). */
  private evalArg(dot: Dot, a: Arg): Val {
    this.setAt(a.pos, argString(a));
    switch (a.t) {
      case 'dot':
        return dot.v;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot.v, dot.iface, a, a.idents, [a], MISSING);
      case 'variable': {
        const v = this.lookupVar(a.idents[0]);
        return a.idents.length === 1 ? v : this.evalFieldChain(dot, v, false, a, a.idents.slice(1), [a], MISSING);
      }
      case 'pipe':
        return this.evalPipeline(dot, a.pipe);
      case 'chain':
        return this.evalFieldChain(dot, this.evalArg(dot, a.node), a.node.t !== 'pipe', a, a.fields, [a], MISSING);
      case 'identifier':
        return this.evalFunction(dot, a, { pos: a.pos, args: [a] }, [], MISSING);
      case 'bool':
        return a.v;
      case 'number':
        return a.v;
      case 'string':
        return a.v;
    }
  }

  private evalFunction(dot: Dot, node: Extract<Arg, { t: 'identifier' }>, cmd: Cmd, argNodes: Arg[], final: Final): Val {
    const name = node.name;
    const cmdText = cmdString(cmd);
    const at = () => this.setAt(node.pos, cmdText);
    at();
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const sig = SIGNATURES[name];
    if (sig) {
      const [fixed, variadic] = sig;
      if (variadic ? numIn < fixed : numIn !== fixed) {
        this.setAt(node.pos, name);
        this.fail(`wrong number of args for ${name}: want ${variadic ? 'at least ' : ''}${fixed} got ${variadic ? argNodes.length : numIn}`);
      }
    }
    // and/or short-circuit: stop at the first falsy/truthy argument.
    if (name === 'and' || name === 'or') {
      let v: Val = undefined;
      for (const a of argNodes) {
        v = this.evalArg(dot, a);
        at();
        if (truth(v) === (name === 'or')) return v;
      }
      return final !== MISSING ? final : v;
    }
    const args: Val[] = argNodes.map((a) => this.evalArg(dot, a));
    if (final !== MISSING) args.push(final);
    at();
    // Functions with string parameters check their argument types first.
    if (name === 'printf' || name === 'base64decode') {
      const a = args[0];
      const argNode = argNodes[0];
      if (typeof a !== 'string') {
        if (argNode) this.setAt(argNode.pos, argString(argNode));
        if (argNode && (argNode.t === 'number' || argNode.t === 'bool' || argNode.t === 'nil')) {
          this.fail(argNode.t === 'nil' ? 'cannot assign nil to string' : `expected string; found ${argString(argNode)}`);
        }
        if (a === undefined) this.fail('invalid value; expected string');
        this.fail(`wrong type for value; expected string; got ${a === null ? 'interface {}' : typeName(a)}`);
      }
    }
    try {
      return callBuiltin(name, args);
    } catch (e) {
      if (e instanceof CallError) this.fail(`error calling ${name}: ${e.message}`);
      throw e;
    }
  }
}
