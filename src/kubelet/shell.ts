// A tiny interpreter for the shell scripts tutorials put in `command`/`args`
// (`sh -c 'echo hi; sleep 5; exit 1'`, `while true; do date; sleep 5; done`). It runs on
// a virtual time line: `sleep` advances it, output lines are stamped with it, and the run
// stops at a time horizon, so the kubelet can replay a container "up to now" at any
// moment. Never evaluates anything as JavaScript.

export interface ShellEnv {
  env: Record<string, string>;
  hostname: string;
  /** Files visible to the container (mounted ConfigMaps/Secrets): path → content. */
  files: Record<string, string>;
  /** Cluster time (ms) at which the script starts. */
  startMs: number;
}

export interface ShellLine {
  atMs: number;
  text: string;
}

export interface ShellRun {
  lines: ShellLine[];
  /** Set when the script exited before the horizon. */
  exit?: { atMs: number; code: number };
  /** Files the script created or removed, in order (for exec probes such as `cat /tmp/healthy`). */
  fileEvents: Array<{ atMs: number; path: string; exists: boolean }>;
  /** True when the script was cut by the horizon or the step limit. */
  truncated: boolean;
}

// ---------- lexing ----------

type Tok = { t: 'word'; v: string; quoted: boolean } | { t: 'op'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') {
      out.push({ t: 'op', v: ';' });
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ t: 'op', v: src.slice(i, i + 2) });
      i += 2;
      continue;
    }
    if (c === '|' || c === '&' || c === '>' || c === '<') {
      // pipes, background and redirections: kept as operators, handled loosely
      if (src.startsWith('>>', i)) {
        out.push({ t: 'op', v: '>>' });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
      continue;
    }
    // a word, with quotes; `\x01` marks characters protected from expansion
    let w = '';
    let quoted = false;
    while (i < src.length && !' \t\n;&|<>'.includes(src[i])) {
      const ch = src[i];
      if (ch === "'") {
        quoted = true;
        const end = src.indexOf("'", i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        w += lit.replace(/\$/g, '\x01');
        i = end < 0 ? src.length : end + 1;
      } else if (ch === '"') {
        quoted = true;
        i++;
        while (i < src.length && src[i] !== '"') {
          if (src[i] === '\\' && i + 1 < src.length && '"\\$`'.includes(src[i + 1])) {
            w += src[i + 1] === '$' ? '\x01' : src[i + 1];
            i += 2;
          } else w += src[i++];
        }
        i++;
      } else if (ch === '\\' && i + 1 < src.length) {
        w += src[i + 1] === '$' ? '\x01' : src[i + 1];
        i += 2;
      } else {
        w += ch;
        i++;
      }
    }
    out.push({ t: 'word', v: w, quoted });
  }
  return out;
}

// ---------- parsing ----------

type Node =
  | { k: 'cmd'; words: Tok[]; redirect?: { op: string; target: Tok } }
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'seq'; list: Node[] }
  | { k: 'while'; until: boolean; cond: Node; body: Node }
  | { k: 'for'; v: string; items: Tok[]; body: Node }
  | { k: 'if'; cond: Node; then: Node; else?: Node };

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peekWord(): string | undefined {
    const t = this.toks[this.i];
    return t && t.t === 'word' && !t.quoted ? t.v : undefined;
  }
  private isOp(v: string): boolean {
    const t = this.toks[this.i];
    return !!t && t.t === 'op' && t.v === v;
  }
  private skipSeps(): void {
    while (this.isOp(';') || this.isOp('&')) this.i++;
  }
  private expectWord(w: string): void {
    this.skipSeps();
    if (this.peekWord() !== w) throw new Error(`syntax error: expected "${w}"`);
    this.i++;
  }

  parseList(stop: string[] = []): Node {
    const list: Node[] = [];
    for (;;) {
      this.skipSeps();
      if (this.i >= this.toks.length) break;
      const w = this.peekWord();
      if (w !== undefined && stop.includes(w)) break;
      list.push(this.parseAndOr());
    }
    return { k: 'seq', list };
  }

  private parseAndOr(): Node {
    let left = this.parsePipeline();
    while (this.isOp('&&') || this.isOp('||')) {
      const op = (this.toks[this.i++] as { v: string }).v;
      this.skipNewlines();
      const right = this.parsePipeline();
      left = { k: op === '&&' ? 'and' : 'or', a: left, b: right };
    }
    return left;
  }

  private skipNewlines(): void {
    while (this.isOp(';')) this.i++;
  }

  // `a | b`: no real pipes; the commands run in order.
  private parsePipeline(): Node {
    const first = this.parseCommand();
    if (!this.isOp('|')) return first;
    const list = [first];
    while (this.isOp('|')) {
      this.i++;
      list.push(this.parseCommand());
    }
    return { k: 'seq', list };
  }

  private parseCommand(): Node {
    const w = this.peekWord();
    if (w === 'while' || w === 'until') {
      this.i++;
      const cond = this.parseList(['do']);
      this.expectWord('do');
      const body = this.parseList(['done']);
      this.expectWord('done');
      return { k: 'while', until: w === 'until', cond, body };
    }
    if (w === 'for') {
      this.i++;
      const v = (this.toks[this.i++] as { v: string }).v;
      const items: Tok[] = [];
      if (this.peekWord() === 'in') {
        this.i++;
        while (this.i < this.toks.length && !this.isOp(';') && this.peekWord() !== 'do') items.push(this.toks[this.i++]);
      }
      this.expectWord('do');
      const body = this.parseList(['done']);
      this.expectWord('done');
      return { k: 'for', v, items, body };
    }
    if (w === 'if') {
      this.i++;
      const cond = this.parseList(['then']);
      this.expectWord('then');
      const then = this.parseList(['else', 'elif', 'fi']);
      let els: Node | undefined;
      this.skipSeps();
      if (this.peekWord() === 'elif') {
        this.toks[this.i] = { t: 'word', v: 'if', quoted: false };
        els = this.parseCommand();
        return { k: 'if', cond, then, else: els };
      }
      if (this.peekWord() === 'else') {
        this.i++;
        els = this.parseList(['fi']);
      }
      this.expectWord('fi');
      return { k: 'if', cond, then, else: els };
    }
    const words: Tok[] = [];
    let redirect: { op: string; target: Tok } | undefined;
    while (this.i < this.toks.length) {
      const t = this.toks[this.i];
      if (t.t === 'op') {
        if (t.v === '>' || t.v === '>>' || t.v === '<') {
          this.i++;
          const target = this.toks[this.i++];
          if (target && target.t === 'word') redirect = { op: t.v, target };
          continue;
        }
        break;
      }
      words.push(t);
      this.i++;
    }
    if (!words.length && !redirect) throw new Error('syntax error: unexpected operator');
    return { k: 'cmd', words, redirect };
  }
}

export function parseScript(src: string): Node {
  return new Parser(lex(src)).parseList();
}

// ---------- running ----------

class Exit {
  constructor(readonly code: number) {}
}
class Horizon {}

const MAX_STEPS = 20_000;

/** busybox `date` output: `Wed Jan  1 00:00:00 UTC 2025`. */
export function busyboxDate(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** `sleep` arguments: `5`, `0.5`, `1m`, `2h`, `infinity`. */
function sleepMs(arg: string | undefined): number {
  if (!arg) return 0;
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) return 0;
  const mult = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]!;
  return Number(m[1]) * mult;
}

function printf(fmt: string, args: string[]): string {
  let ai = 0;
  const out = fmt.replace(/%([-0-9.]*)([sdifx%])|\\([nt\\])/g, (_m, _w, conv, esc) => {
    if (esc) return esc === 'n' ? '\n' : esc === 't' ? '\t' : '\\';
    if (conv === '%') return '%';
    const a = args[ai++] ?? '';
    if (conv === 'd' || conv === 'i') return String(Math.trunc(Number(a) || 0));
    if (conv === 'x') return (Math.trunc(Number(a) || 0)).toString(16);
    if (conv === 'f') return (Number(a) || 0).toFixed(6);
    return a;
  });
  return out;
}

/**
 * Runs a script from `env.startMs` until it exits or time reaches `horizonMs`.
 * Deterministic: the same script, env and horizon give the same run.
 */
export function runScript(src: string, env: ShellEnv, horizonMs: number): ShellRun {
  let node: Node;
  const run: ShellRun = { lines: [], fileEvents: [], truncated: false };
  try {
    node = parseScript(src);
  } catch (e) {
    run.lines.push({ atMs: env.startMs, text: `sh: ${(e as Error).message}` });
    run.exit = { atMs: env.startMs, code: 2 };
    return run;
  }
  const vars: Record<string, string> = { ...env.env, HOSTNAME: env.hostname };
  const files = new Map<string, string>(Object.entries(env.files));
  let now = env.startMs;
  let steps = 0;
  let status = 0;
  let pending = ''; // output without a trailing newline yet

  const emit = (text: string) => {
    const all = pending + text;
    const parts = all.split('\n');
    pending = parts.pop()!;
    for (const p of parts) run.lines.push({ atMs: now, text: p });
  };

  const expand = (tok: Tok): string[] => {
    if (tok.t !== 'word') return [];
    let v = tok.v.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*|\?|\$|#)\}?/g, (_m, name: string) => {
      if (name === '?') return String(status);
      if (name === '$') return '1';
      if (name === '#') return '0';
      return vars[name] ?? '';
    });
    v = v.replace(/\$\((\s*date[^)]*)\)/g, () => busyboxDate(now)).replace(/\$\(\s*hostname\s*\)/g, env.hostname);
    v = v.replace(/\$\(\(([^)]*)\)\)/g, (_m, expr: string) => String(arith(expr, vars)));
    v = v.replace(/\x01/g, '$');
    if (tok.quoted) return [v];
    return v.split(/\s+/).filter((s) => s !== '');
  };

  const exec = (n: Node): number => {
    if (++steps > MAX_STEPS) {
      run.truncated = true;
      throw new Horizon();
    }
    switch (n.k) {
      case 'seq': {
        let s = status;
        for (const c of n.list) s = status = exec(c);
        return s;
      }
      case 'and': {
        const a = (status = exec(n.a));
        return a === 0 ? (status = exec(n.b)) : a;
      }
      case 'or': {
        const a = (status = exec(n.a));
        return a !== 0 ? (status = exec(n.b)) : a;
      }
      case 'while': {
        let s = 0;
        for (;;) {
          const c = (status = exec(n.cond));
          if ((c === 0) === n.until) break;
          s = status = exec(n.body);
          if (++steps > MAX_STEPS) {
            run.truncated = true;
            throw new Horizon();
          }
        }
        return s;
      }
      case 'for': {
        let s = 0;
        for (const item of n.items.flatMap(expand)) {
          vars[n.v] = item;
          s = status = exec(n.body);
        }
        return s;
      }
      case 'if':
        if ((status = exec(n.cond)) === 0) return (status = exec(n.then));
        return n.else ? (status = exec(n.else)) : 0;
      case 'cmd':
        return command(n);
    }
  };

  const command = (n: Extract<Node, { k: 'cmd' }>): number => {
    const argv = n.words.flatMap(expand);
    // VAR=value assignments
    while (argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0])) {
      const [k, ...rest] = argv.shift()!.split('=');
      vars[k] = rest.join('=');
    }
    if (!argv.length) return 0;
    const [cmd, ...args] = argv;
    const name = cmd.split('/').pop()!;
    let out = '';
    let code = 0;
    switch (name) {
      case 'echo': {
        let a = args;
        let nl = true;
        if (a[0] === '-n') {
          nl = false;
          a = a.slice(1);
        } else if (a[0] === '-e') a = a.slice(1);
        out = a.join(' ') + (nl ? '\n' : '');
        break;
      }
      case 'printf':
        out = printf(args[0] ?? '', args.slice(1));
        break;
      case 'sleep': {
        const ms = sleepMs(args[0]);
        if (now + ms > horizonMs) {
          now = horizonMs;
          run.truncated = true;
          throw new Horizon();
        }
        now += ms;
        break;
      }
      case 'exit':
        throw new Exit(args[0] === undefined ? status : Number(args[0]) & 255);
      case 'true':
      case ':':
        break;
      case 'false':
        code = 1;
        break;
      case 'cat':
        for (const f of args) {
          const content = files.get(f);
          if (content === undefined) {
            out += '';
            emitErr(`cat: can't open '${f}': No such file or directory`);
            code = 1;
          } else out += content;
        }
        break;
      case 'env':
      case 'printenv':
        if (name === 'printenv' && args.length) {
          const v = vars[args[0]];
          if (v === undefined) code = 1;
          else out = v + '\n';
        } else out = Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
        break;
      case 'date':
        out = busyboxDate(now) + '\n';
        break;
      case 'hostname':
        out = env.hostname + '\n';
        break;
      case 'touch':
        for (const f of args) {
          if (!files.has(f)) files.set(f, '');
          run.fileEvents.push({ atMs: now, path: f, exists: true });
        }
        break;
      case 'rm':
        for (const f of args.filter((a) => !a.startsWith('-'))) {
          files.delete(f);
          run.fileEvents.push({ atMs: now, path: f, exists: false });
        }
        break;
      case 'test':
      case '[':
        code = testCmd(args.filter((a) => a !== ']'), files) ? 0 : 1;
        break;
      case 'export':
        for (const a of args) {
          const [k, ...rest] = a.split('=');
          if (rest.length) vars[k] = rest.join('=');
        }
        break;
      case 'mkdir':
      case 'cd':
      case 'trap':
      case 'set':
      case 'wait':
      case 'ls':
      case 'id':
      case 'whoami':
      case 'uname':
        break;
      default:
        emitErr(`sh: ${cmd}: not found`);
        code = 127;
    }
    if (n.redirect && (n.redirect.op === '>' || n.redirect.op === '>>')) {
      const target = expand(n.redirect.target)[0] ?? '';
      if (target !== '/dev/null' && target !== '/dev/stderr' && target !== '/dev/stdout') {
        files.set(target, (n.redirect.op === '>>' ? files.get(target) ?? '' : '') + out);
        run.fileEvents.push({ atMs: now, path: target, exists: true });
      } else if (target !== '/dev/null') emit(out);
    } else emit(out);
    return (status = code);
  };

  // stderr goes to the same log stream (kubectl logs shows both)
  const emitErr = (text: string) => emit(text + '\n');

  try {
    status = exec(node);
    if (pending) emit('\n');
    run.exit = { atMs: now, code: status & 255 };
  } catch (e) {
    if (pending) emit('\n');
    if (e instanceof Exit) run.exit = { atMs: now, code: e.code };
    else if (!(e instanceof Horizon)) throw e;
  }
  return run;
}

function testCmd(args: string[], files: Map<string, string>): boolean {
  if (args[0] === '!') return !testCmd(args.slice(1), files);
  if (args.length === 2 && ['-e', '-f', '-r', '-s'].includes(args[0])) return files.has(args[1]) && (args[0] !== '-s' || files.get(args[1])!.length > 0);
  if (args.length === 2 && args[0] === '-n') return args[1] !== '';
  if (args.length === 2 && args[0] === '-z') return args[1] === '';
  if (args.length === 3) {
    const [a, op, b] = args;
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '-eq':
        return Number(a) === Number(b);
      case '-ne':
        return Number(a) !== Number(b);
      case '-lt':
        return Number(a) < Number(b);
      case '-le':
        return Number(a) <= Number(b);
      case '-gt':
        return Number(a) > Number(b);
      case '-ge':
        return Number(a) >= Number(b);
    }
  }
  return args.length === 1 && args[0] !== '';
}

/** `$(( ... ))` with + - * / % on integers and variables; anything else is 0. */
function arith(expr: string, vars: Record<string, string>): number {
  const toks = expr.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|[-+*/%()]/g) ?? [];
  let i = 0;
  const atom = (): number => {
    const t = toks[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t === '-') return -atom();
    if (t === undefined) return 0;
    if (/^\d+$/.test(t)) return Number(t);
    return Number(vars[t.replace(/^\$/, '')] ?? 0) || 0;
  };
  const prod = (): number => {
    let v = atom();
    while (toks[i] === '*' || toks[i] === '/' || toks[i] === '%') {
      const op = toks[i++];
      const r = atom();
      v = op === '*' ? v * r : op === '/' ? (r ? Math.trunc(v / r) : 0) : r ? v % r : 0;
    }
    return v;
  };
  const sum = (): number => {
    let v = prod();
    while (toks[i] === '+' || toks[i] === '-') {
      const op = toks[i++];
      const r = prod();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  return sum();
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
/** Commands the interpreter understands when run directly (`command: ["sleep", "3600"]`). */
const BUILTINS = new Set(['echo', 'printf', 'sleep', 'exit', 'true', 'false', 'cat', 'env', 'printenv', 'date', 'hostname', 'touch', 'rm', 'test']);

function quote(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * The script a container runs, from its command and args: `sh -c SCRIPT` (also bash,
 * /bin/sh, `-ec`), or a builtin run directly. Undefined for anything else (a server).
 */
export function containerScript(command: string[] | undefined, args: string[] | undefined): string | undefined {
  const argv = [...(command ?? []), ...(args ?? [])];
  if (!argv.length) return undefined;
  const base = argv[0].split('/').pop()!;
  if (SHELLS.has(base)) {
    const ci = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    if (ci > 0 && argv[ci + 1] !== undefined) return argv[ci + 1];
    return undefined;
  }
  if (BUILTINS.has(base)) return argv.map(quote).join(' ');
  return undefined;
}
