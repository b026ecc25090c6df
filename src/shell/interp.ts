// The interpreter: runs the tree from src/shell/parser.ts. Every execution function is a
// generator so a script can pause: `sleep` yields an effect and the driver (src/shell/run.ts)
// resumes it at the right simulated time; `wget`/`nc` yield network requests the driver
// answers. Expansion follows POSIX order: parameters, command substitution and arithmetic,
// field splitting, pathname expansion, quote removal.

import type { AndOr, Command, List, Pipeline, Redir, Word, WordPart } from './ast';
import { ArithError, evalArith } from './arith';
import { BufferSink, Input, type Io, type Sink } from './io';
import { openOut, redirect } from './redirect';
import { LimitError, memoryError, type ShellLimits } from './limits';
import { ParseError, Parser, parseAll } from './parser';
import { globMatch, hasGlob, trimPattern, unescapePattern } from './pattern';
import { dirnameOf, normalizePath, type Vfs } from './vfs';

export type Effect = { k: 'sleep'; ms: number } | { k: 'net'; req: NetRequest };
export type Gen<T> = Generator<Effect, T, unknown>;

export interface NetRequest {
  kind: 'http' | 'tcp';
  host: string;
  port: number;
  path?: string;
  /** Bytes sent on a tcp connection. */
  data?: string;
}
/** `addr`: the address the host name resolved to (wget prints it). */
export type NetResponse = { ok: true; status?: number; body: string; addr?: string } | { ok: false; error: 'bad-address' | 'refused' | 'timeout' | 'http-error'; status?: number; reason?: string; addr?: string };

export interface AppletCtx {
  sh: Sh;
  argv: string[];
  inp: Input;
  out: Sink;
  err: Sink;
  /** The command's environment (exported variables and prefix assignments). */
  env: Map<string, string>;
}
export type Applet = (c: AppletCtx) => number | Gen<number>;
export type Builtin = (c: AppletCtx, io: Io) => number | Gen<number>;

export type Flavor = 'busybox' | 'debian';

export interface Shared {
  flavor: Flavor;
  /** `$0` and the prefix of the shell's own messages. */
  name: string;
  hostname: string;
  uid: number;
  gid: number;
  vfs: Vfs;
  clock: { now: number };
  limits: ShellLimits;
  applets: Map<string, Applet>;
  builtins: Map<string, Builtin>;
  specialBuiltins: Set<string>;
  busySteps: number;
  steps: number;
  /** Where `/proc/1/fd/1` and `/proc/1/fd/2` go (the container's log); null in `exec`. */
  pid1?: { out: Sink; err: Sink };
  /** `$$` */
  pid: number;
  /** `trap CMD EXIT`: run when the script ends. */
  exitTrap?: string;
}

export class ExitSignal {
  constructor(readonly code: number) {}
}
class ReturnSignal {
  constructor(readonly code: number) {}
}
class LoopSignal {
  constructor(
    readonly kind: 'break' | 'continue',
    public n: number,
  ) {}
}
/** An error that ends a non-interactive shell (bad substitution, `${x?}`, arithmetic). */
export class FatalError {
  constructor(
    readonly message: string,
    readonly code = 2,
  ) {}
}

type Piece = { s: string; q: boolean; split: boolean } | { brk: true };

const escapeGlob = (s: string) => s.replace(/[\\*?[\]]/g, '\\$&');
const DEFAULT_IFS = ' \t\n';

export class Sh {
  vars = new Map<string, string>();
  exported = new Set<string>();
  readonly_ = new Set<string>();
  funcs = new Map<string, Command>();
  positional: string[] = [];
  status = 0;
  cwd = '/';
  line = 1;
  loopDepth = 0;
  funcDepth = 0;
  depth = 0;
  lastSubst: number | undefined;
  lastBg = '';
  /** Per function call: the values `local` saved, restored when the function returns. */
  private locals: Array<Map<string, string | undefined>> = [];

  constructor(readonly g: Shared) {}

  fork(): Sh {
    const s = new Sh(this.g);
    s.vars = new Map(this.vars);
    s.exported = new Set(this.exported);
    s.readonly_ = new Set(this.readonly_);
    s.funcs = new Map(this.funcs);
    s.positional = [...this.positional];
    s.status = this.status;
    s.cwd = this.cwd;
    s.line = this.line;
    s.depth = this.depth + 1;
    s.loopDepth = this.loopDepth;
    s.funcDepth = this.funcDepth;
    if (s.depth > this.g.limits.maxDepth) throw new LimitError(`kubesim: sh: subshells nested more than ${this.g.limits.maxDepth} deep; stopped`, 2);
    return s;
  }

  // ---------- messages ----------

  /** The shell's own error message: `sh: 1: msg` (dash) or `sh: msg` (busybox ash). */
  msg(text: string): string {
    if (this.g.name === 'bash') return `bash: line ${this.line}: ${text}\n`;
    return this.g.flavor === 'debian' ? `${this.g.name}: ${this.line}: ${text}\n` : `${this.g.name}: ${text}\n`;
  }

  step(): void {
    if (++this.g.busySteps > this.g.limits.maxBusySteps) {
      throw new LimitError(`kubesim: sh: the script ran ${this.g.limits.maxBusySteps} commands without sleeping (a busy loop?); the simulated shell stopped it`, 124);
    }
    this.g.steps++;
  }

  // ---------- variables ----------

  getVar(name: string): string | undefined {
    return this.vars.get(name);
  }

  setVar(name: string, value: string, io?: Io): boolean {
    if (this.readonly_.has(name)) {
      const text = this.g.flavor === 'debian' ? `${name}: is read only` : `${name}: is read only`;
      if (io) io.err.write(this.msg(text));
      throw new FatalError('', 2);
    }
    if (value.length > this.g.limits.maxString) throw memoryError(`the value of ${name}`, this.g.limits.maxString);
    this.vars.set(name, value);
    return true;
  }

  ifs(): string {
    return this.vars.get('IFS') ?? DEFAULT_IFS;
  }

  env(overrides?: Map<string, string>): Map<string, string> {
    const e = new Map<string, string>();
    for (const [k, v] of this.vars) if (this.exported.has(k)) e.set(k, v);
    if (overrides) for (const [k, v] of overrides) e.set(k, v);
    return e;
  }

  param(name: string): string | undefined {
    if (/^[0-9]+$/.test(name)) return name === '0' ? this.g.name : this.positional[Number(name) - 1];
    switch (name) {
      case '?':
        return String(this.status);
      case '#':
        return String(this.positional.length);
      case '$':
        return String(this.g.pid);
      case '!':
        return this.lastBg;
      case '-':
        return '';
      case '@':
      case '*':
        return this.positional.length ? this.positional.join(name === '*' ? (this.ifs()[0] ?? '') : ' ') : undefined;
    }
    return this.vars.get(name);
  }

  // ---------- running ----------

  *script(src: string, io: Io): Gen<number> {
    const p = new Parser(src);
    for (;;) {
      let list: List | undefined;
      try {
        list = p.nextCommands();
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.line = e.line;
        io.err.write(this.msg(syntaxMessage(e, this.g.flavor)));
        return (this.status = 2);
      }
      if (!list) return this.status;
      yield* this.list(list, io);
    }
  }

  /**
   * A loop's condition or body run once: its status, and the `break` or `continue` aimed at
   * this loop that ended it (one aimed further out, `break 2`, goes on up).
   */
  private *loopPass(l: List, io: Io): Gen<{ status: number; signal?: 'break' | 'continue' }> {
    try {
      return { status: yield* this.list(l, io) };
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (--e.n > 0) throw e;
      return { status: this.status, signal: e.kind };
    }
  }

  *list(l: List, io: Io): Gen<number> {
    for (const ao of l) yield* this.andOr(ao, io);
    return this.status;
  }

  private *andOr(ao: AndOr, io: Io): Gen<number> {
    if (ao.bg) {
      // background jobs run to completion first: there is no scheduler to interleave them
      const sub = this.fork();
      try {
        yield* sub.andOr({ ...ao, bg: false }, io);
      } catch (e) {
        if (!(e instanceof ExitSignal)) throw e;
      }
      this.lastBg = String(this.g.pid + 1);
      return (this.status = 0);
    }
    let st = yield* this.pipeline(ao.first, io);
    for (const r of ao.rest) if ((r.op === '&&') === (st === 0)) st = yield* this.pipeline(r.p, io);
    return (this.status = st);
  }

  private *pipeline(p: Pipeline, io: Io): Gen<number> {
    let st: number;
    if (p.cmds.length === 1) st = yield* this.command(p.cmds[0], io);
    else {
      // The stages run one after the other, each in a subshell, through buffers.
      let input = io.inp;
      st = 0;
      for (let idx = 0; idx < p.cmds.length; idx++) {
        const last = idx === p.cmds.length - 1;
        const buf = last ? undefined : new BufferSink(this.g.limits.maxBuffer);
        const sub = this.fork();
        try {
          st = yield* sub.command(p.cmds[idx], { ...io, inp: input, out: buf ?? io.out });
        } catch (e) {
          if (e instanceof ExitSignal) st = e.code;
          else if (e instanceof FatalError) {
            if (e.message) io.err.write(e.message);
            st = e.code;
          } else if (e instanceof ReturnSignal || e instanceof LoopSignal) st = sub.status;
          else throw e;
        }
        if (buf) input = new Input(buf.text);
      }
    }
    if (p.neg) st = st === 0 ? 1 : 0;
    return (this.status = st);
  }

  *command(c: Command, io: Io): Gen<number> {
    this.step();
    if (c.k === 'simple') return yield* this.simple(c, io);
    if (c.k === 'func') {
      this.funcs.set(c.name, c.body);
      return (this.status = 0);
    }
    const rio = yield* this.redirect(c.redirs, io);
    if (!rio) return (this.status = 2);
    switch (c.k) {
      case 'if': {
        for (const cl of c.clauses) {
          if ((yield* this.list(cl.cond, rio)) === 0) return yield* this.list(cl.body, rio);
        }
        if (c.else) return yield* this.list(c.else, rio);
        return (this.status = 0);
      }
      case 'loop': {
        let st = 0;
        this.loopDepth++;
        try {
          for (;;) {
            this.step();
            const cond = yield* this.loopPass(c.cond, rio);
            if (cond.signal === 'break') break;
            if (cond.signal === 'continue') continue;
            if ((cond.status === 0) === c.until) break;
            const body = yield* this.loopPass(c.body, rio);
            st = body.status;
            if (body.signal === 'break') break;
          }
        } finally {
          this.loopDepth--;
        }
        return (this.status = st);
      }
      case 'for': {
        this.line = c.line;
        let items: string[];
        if (c.items) {
          items = [];
          for (const w of c.items) items.push(...(yield* this.fields(w, rio)));
        } else items = [...this.positional];
        let st = 0;
        this.loopDepth++;
        try {
          for (const item of items) {
            this.step();
            this.setVar(c.name, item, rio);
            const body = yield* this.loopPass(c.body, rio);
            st = body.status;
            if (body.signal === 'break') break;
          }
        } finally {
          this.loopDepth--;
        }
        return (this.status = st);
      }
      case 'case': {
        const word = yield* this.str(c.word, rio);
        for (const item of c.items) {
          for (const p of item.patterns) {
            if (globMatch(yield* this.pattern(p, rio), word)) return item.body.length ? yield* this.list(item.body, rio) : (this.status = 0);
          }
        }
        return (this.status = 0);
      }
      case 'group':
        return yield* this.list(c.body, rio);
      case 'subshell': {
        const sub = this.fork();
        try {
          return (this.status = yield* sub.list(c.body, rio));
        } catch (e) {
          if (e instanceof ExitSignal) return (this.status = e.code);
          if (e instanceof FatalError) {
            if (e.message) rio.err.write(e.message);
            return (this.status = e.code);
          }
          throw e;
        }
      }
    }
  }

  private *simple(c: Extract<Command, { k: 'simple' }>, io: Io): Gen<number> {
    this.line = c.line;
    this.lastSubst = undefined;
    const argv: string[] = [];
    for (const w of c.words) argv.push(...(yield* this.fields(w, io)));
    if (!argv.length) {
      for (const a of c.assigns) this.setVar(a.name, yield* this.assignValue(a.value, io), io);
      const rio = yield* this.redirect(c.redirs, io);
      if (!rio) return (this.status = 2);
      return (this.status = this.lastSubst ?? 0);
    }
    const name = argv[0];
    if (name === 'exec' && argv.length === 1) {
      // `exec >file 2>&1`: the redirections stay for the rest of the script
      const rio = yield* this.redirect(c.redirs, io);
      if (!rio) return (this.status = 2);
      Object.assign(io, rio);
      return (this.status = 0);
    }
    const special = this.g.specialBuiltins.has(name);
    const temp = new Map<string, string>();
    for (const a of c.assigns) {
      const v = yield* this.assignValue(a.value, io);
      if (special) this.setVar(a.name, v, io);
      else temp.set(a.name, v);
    }
    const rio = yield* this.redirect(c.redirs, io);
    if (!rio) return (this.status = 2);
    const self = this;
    let env: Map<string, string> | undefined;
    const ctx: AppletCtx = {
      sh: this,
      argv,
      inp: rio.inp,
      out: rio.out,
      err: rio.err,
      // built when an applet asks (env, printenv, sh): most commands never do
      get env() {
        return (env ??= self.env(temp));
      },
      set env(v: Map<string, string>) {
        env = v;
      },
    };
    let st: number;
    const builtin = this.g.builtins.get(name);
    const fn = this.funcs.get(name);
    if (builtin && (special || !fn)) st = yield* this.withTemp(temp, () => builtin(ctx, rio));
    else if (fn) st = yield* this.callFunction(fn, argv, temp, rio);
    else {
      const applet = this.resolveApplet(name);
      if (applet) st = yield* run(applet(ctx));
      else {
        rio.err.write(this.notFound(name));
        st = 127;
      }
    }
    return (this.status = st);
  }

  /** Runs a builtin with `NAME=value` prefixes visible to it (`IFS=: read a b`). */
  private *withTemp(temp: Map<string, string>, f: () => number | Gen<number>): Gen<number> {
    if (!temp.size) return yield* run(f());
    const saved = new Map<string, string | undefined>();
    for (const [k, v] of temp) {
      saved.set(k, this.vars.get(k));
      this.vars.set(k, v);
    }
    try {
      return yield* run(f());
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
    }
  }

  notFound(name: string): string {
    if (this.g.name === 'bash') return this.msg(`${name}: ${name.includes('/') ? 'No such file or directory' : 'command not found'}`);
    return this.msg(`${name}: not found`);
  }

  resolveApplet(name: string): Applet | undefined {
    if (!name.includes('/')) return this.g.applets.get(name);
    const base = name.slice(name.lastIndexOf('/') + 1);
    const dir = dirnameOf(normalizePath(name, this.cwd));
    // `/bin/cat`: the programs live in the usual directories; other paths are not executables
    return ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin'].includes(dir) ? this.g.applets.get(base) : undefined;
  }

  *callFunction(body: Command, argv: string[], temp: Map<string, string>, io: Io): Gen<number> {
    if (++this.funcDepth > this.g.limits.maxDepth) throw new LimitError(`kubesim: sh: functions nested more than ${this.g.limits.maxDepth} deep; stopped`, 2);
    const savedPos = this.positional;
    const savedVars = new Map<string, string | undefined>();
    for (const [k, v] of temp) {
      savedVars.set(k, this.vars.get(k));
      this.vars.set(k, v);
    }
    this.positional = argv.slice(1);
    this.locals.push(new Map());
    const loops = this.loopDepth;
    this.loopDepth = 0;
    try {
      return (this.status = yield* this.command(body, io));
    } catch (e) {
      if (e instanceof ReturnSignal) return (this.status = e.code);
      throw e;
    } finally {
      this.positional = savedPos;
      this.loopDepth = loops;
      this.funcDepth--;
      for (const [k, v] of this.locals.pop() ?? []) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
      for (const [k, v] of savedVars) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
    }
  }

  doReturn(code: number): never {
    throw new ReturnSignal(code);
  }
  doLoop(kind: 'break' | 'continue', n: number): number {
    if (this.loopDepth === 0) return 0;
    throw new LoopSignal(kind, Math.min(n, this.loopDepth));
  }
  inFunction(): boolean {
    return this.funcDepth > 0;
  }
  /** `local NAME`: the variable gets its old value back when the function returns. */
  makeLocal(name: string): void {
    const frame = this.locals[this.locals.length - 1];
    if (frame && !frame.has(name)) frame.set(name, this.vars.get(name));
  }

  *evalText(src: string, io: Io): Gen<number> {
    let body: List;
    try {
      body = parseAll(src, this.line - 1);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      io.err.write(this.msg(syntaxMessage(e, this.g.flavor)));
      throw new FatalError('', 2);
    }
    if (++this.depth > this.g.limits.maxDepth) throw new LimitError(`kubesim: sh: eval nested more than ${this.g.limits.maxDepth} deep; stopped`, 2);
    try {
      this.status = 0;
      return yield* this.list(body, io);
    } finally {
      this.depth--;
    }
  }

  /** The streams after applying `redirs`, or undefined after printing why one failed. */
  *redirect(redirs: Redir[], io: Io): Gen<Io | undefined> {
    return yield* redirect(this, redirs, io);
  }

  openOut(target: string, append: boolean, io: Io): Sink | undefined {
    return openOut(this, target, append, io);
  }

  // ---------- expansion ----------

  /** A word as fields: split, globbed, quotes removed. */
  *fields(w: Word, io: Io): Gen<string[]> {
    // the common case: a plain word (a command name, an option)
    if (w.length === 1 && w[0].k === 'lit' && !/[*?[~]/.test(w[0].v)) return [w[0].v];
    const pieces = yield* this.pieces(w, false, io, true);
    const ifs = this.ifs();
    type F = { text: string; pat: string; glob: boolean };
    const out: F[] = [];
    let cur: F | undefined;
    let afterWs = false;
    const ensure = () => (cur ??= { text: '', pat: '', glob: false });
    for (const p of pieces) {
      if ('brk' in p) {
        out.push(ensure());
        cur = undefined;
        continue;
      }
      if (p.q || !p.split) {
        const f = ensure();
        f.text += p.s;
        f.pat += p.q ? escapeGlob(p.s) : p.s;
        if (!p.q && /[*?[]/.test(p.s)) f.glob = true;
        afterWs = false;
        continue;
      }
      for (const ch of p.s) {
        if (ifs.includes(ch)) {
          if (' \t\n'.includes(ch)) {
            if (cur) {
              out.push(cur);
              cur = undefined;
              afterWs = true;
            }
          } else {
            if (cur) out.push(cur);
            else if (!afterWs) out.push({ text: '', pat: '', glob: false });
            cur = undefined;
            afterWs = false;
          }
        } else {
          const f = ensure();
          f.text += ch;
          f.pat += ch;
          if ('*?['.includes(ch)) f.glob = true;
          afterWs = false;
        }
      }
    }
    if (cur) out.push(cur);
    const res: string[] = [];
    for (const f of out) {
      if (f.glob && hasGlob(f.pat)) {
        const m = this.globPaths(f.pat);
        if (m.length) {
          res.push(...m);
          continue;
        }
        res.push(f.text);
      } else res.push(f.text);
    }
    return res;
  }

  /** A word as one string (assignments, redirection targets, `case` words). */
  *str(w: Word, io: Io): Gen<string> {
    const pieces = yield* this.pieces(w, false, io, false);
    return pieces.map((p) => ('brk' in p ? ' ' : p.s)).join('');
  }

  private *assignValue(w: Word, io: Io): Gen<string> {
    return yield* this.str(w, io);
  }

  /** A word as a pattern: quoted characters escaped. */
  *pattern(w: Word, io: Io): Gen<string> {
    const pieces = yield* this.pieces(w, false, io, false);
    return pieces.map((p) => ('brk' in p ? ' ' : p.q ? escapeGlob(p.s) : p.s)).join('');
  }

  private *pieces(w: Word, inDq: boolean, io: Io, fieldsMode: boolean): Gen<Piece[]> {
    const out: Piece[] = [];
    let total = 0;
    const push = (p: Piece) => {
      if (!('brk' in p)) {
        total += p.s.length;
        if (total > this.g.limits.maxString) throw memoryError('a word', this.g.limits.maxString);
      }
      out.push(p);
    };
    for (let idx = 0; idx < w.length; idx++) {
      const part = w[idx];
      switch (part.k) {
        case 'lit': {
          let v = part.v;
          if (idx === 0 && !inDq && v.startsWith('~')) {
            const m = /^~(\/|$)/.exec(v);
            if (m && (idx + 1 === w.length || m[1] === '/' || v.length > 1)) v = (this.vars.get('HOME') ?? '/') + v.slice(1);
            else if (v === '~' && idx + 1 === w.length) v = this.vars.get('HOME') ?? '/';
          }
          push({ s: v, q: inDq, split: false });
          break;
        }
        case 'sq':
          push({ s: part.v, q: true, split: false });
          break;
        case 'dq': {
          const inner = yield* this.pieces(part.parts, true, io, fieldsMode);
          const hasAt = part.parts.some((p) => p.k === 'param' && p.name === '@' && !p.op);
          if (!hasAt) push({ s: '', q: true, split: false });
          for (const p of inner) push(p);
          break;
        }
        case 'param':
          for (const p of yield* this.param_(part, inDq, io, fieldsMode)) push(p);
          break;
        case 'cmd': {
          const text = yield* this.cmdSubst(part.body, io);
          push({ s: text, q: inDq, split: !inDq });
          break;
        }
        case 'arith': {
          const expr = yield* this.str(part.expr, io);
          let v: bigint;
          try {
            v = evalArith(expr, { get: (n) => this.vars.get(n), set: (n, val) => this.setVar(n, val, io) });
          } catch (e) {
            if (!(e instanceof ArithError)) throw e;
            const m = e.message.startsWith('Illegal number') ? e.message : `arithmetic expression: ${e.message}: "${expr}"`;
            throw new FatalError(this.g.flavor === 'debian' ? this.msg(m) : this.msg(e.message.startsWith('Illegal') ? e.message : e.message === 'division by zero' ? 'divide by zero' : 'arithmetic syntax error'), 2);
          }
          push({ s: String(v), q: inDq, split: !inDq });
          break;
        }
      }
    }
    return out;
  }

  private *param_(part: Extract<WordPart, { k: 'param' }>, inDq: boolean, io: Io, fieldsMode: boolean): Gen<Piece[]> {
    const name = part.name;
    const val = this.param(name);
    const wrap = (s: string): Piece[] => [{ s, q: inDq, split: !inDq }];
    if (!part.op) {
      if ((name === '@' || (name === '*' && !inDq)) && fieldsMode) {
        // "$@": one field per parameter; unquoted $@ and $*: each parameter split again
        const out: Piece[] = [];
        this.positional.forEach((a, k) => {
          if (k > 0) out.push(inDq ? { brk: true } : { s: ' ', q: false, split: true });
          out.push({ s: a, q: inDq, split: !inDq });
        });
        return out;
      }
      return wrap(val ?? '');
    }
    const unsetOrNull = (colon: boolean) => val === undefined || (colon && val === '');
    switch (part.op) {
      case 'len':
        if (name === '@' || name === '*') return wrap(String(this.positional.length));
        return wrap(String(this.g.flavor === 'debian' ? Buffer.byteLength(val ?? '') : [...(val ?? '')].length));
      case ':-':
      case '-':
        if (unsetOrNull(part.op === ':-')) return yield* this.pieces(part.arg ?? [], inDq, io, fieldsMode);
        return wrap(val!);
      case ':=':
      case '=':
        if (unsetOrNull(part.op === ':=')) {
          const v = yield* this.str(part.arg ?? [], io);
          if (!/^[A-Za-z_]/.test(name)) throw new FatalError(this.msg(`${name}: bad variable name`), 2);
          this.setVar(name, v, io);
          return wrap(v);
        }
        return wrap(val!);
      case ':+':
      case '+':
        if (unsetOrNull(part.op === ':+')) return [];
        return yield* this.pieces(part.arg ?? [], inDq, io, fieldsMode);
      case ':?':
      case '?':
        if (unsetOrNull(part.op === ':?')) {
          const m = yield* this.str(part.arg ?? [], io);
          throw new FatalError(this.msg(`${name}: ${m || (part.op === ':?' ? 'parameter not set or null' : 'parameter not set')}`), 2);
        }
        return wrap(val!);
      default: {
        const pat = yield* this.pattern(part.arg ?? [], io);
        const v = trimPattern(val ?? '', pat, part.op, (units) => {
          if (units > this.g.limits.maxPatternWork) throw new LimitError(`kubesim: sh: \${${name}${part.op}...} on a ${(val ?? '').length}-character value is too much work for the simulated shell`, 137);
        });
        return wrap(v);
      }
    }
  }

  *cmdSubst(body: List, io: Io): Gen<string> {
    const sub = this.fork();
    const buf = new BufferSink(this.g.limits.maxBuffer);
    let st: number;
    try {
      st = yield* sub.list(body, { ...io, out: buf });
    } catch (e) {
      if (e instanceof ExitSignal) st = e.code;
      else if (e instanceof FatalError) {
        if (e.message) io.err.write(e.message);
        st = e.code;
      } else if (e instanceof ReturnSignal || e instanceof LoopSignal) st = sub.status;
      else throw e;
    }
    this.lastSubst = st;
    this.status = st;
    return buf.text.replace(/\n+$/, '');
  }

  /** Pathname expansion against the simulated file system; sorted, empty when nothing matches. */
  globPaths(pat: string): string[] {
    const abs = pat.startsWith('/');
    const segs = pat.split('/').filter((s, k) => s !== '' || k === 0);
    let paths: string[] = [abs ? '/' : ''];
    for (let k = abs ? 1 : 0; k < segs.length; k++) {
      const seg = segs[k];
      const next: string[] = [];
      for (const base of paths) {
        const dir = base === '' ? this.cwd : normalizePath(base, this.cwd);
        const join = (n: string) => (base === '' ? n : base.endsWith('/') ? base + n : `${base}/${n}`);
        if (!hasGlob(seg)) {
          const n = unescapePattern(seg);
          const p = normalizePath(join(n), this.cwd);
          if (this.g.vfs.exists(p)) next.push(join(n));
          continue;
        }
        if (!this.g.vfs.isDir(dir)) continue;
        for (const e of this.g.vfs.list(dir)) if (globMatch(seg, e.name, { dotfiles: false })) next.push(join(e.name));
      }
      paths = next;
      if (!paths.length) return [];
    }
    return paths.filter((p) => p !== '' && p !== '/').sort();
  }
}

/** Runs what a builtin or applet returned: a status, or a generator that may pause. */
export function* run(r: number | Gen<number>): Gen<number> {
  if (typeof r === 'number') return r;
  return yield* r;
}

export function syntaxMessage(e: ParseError, flavor: Flavor): string {
  if (flavor === 'debian') {
    if (e.kind === 'bad-subst') return 'Bad substitution';
    return `Syntax error: ${e.message}`;
  }
  switch (e.kind) {
    case 'unexpected':
      return `syntax error: unexpected "${e.token}"`;
    case 'eof':
      return `syntax error: unexpected end of file${e.expecting ? ` (expecting "${e.expecting}")` : ''}`;
    case 'unterminated':
      return 'syntax error: unterminated quoted string';
    case 'missing-paren':
      return "syntax error: missing '))'";
    default:
      return 'syntax error: bad substitution';
  }
}
