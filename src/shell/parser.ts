// A recursive-descent parser for POSIX sh, straight from the source text (no separate
// token stream: quoting and nested `$(...)` make the lexer context-dependent). Like dash,
// the top level is parsed one line at a time (`nextCommands`), so `echo a` on line 1 runs
// before a syntax error on line 2 is found.

import type { AndOr, Assign, Command, List, Pipeline, Redir, RedirOp, Word, WordPart, ParamOp } from './ast';

export class ParseError extends Error {
  constructor(
    /** `unexpected`: a token out of place; `eof`: the script ended early; `unterminated`: an open quote. */
    readonly kind: 'unexpected' | 'eof' | 'unterminated' | 'bad-subst' | 'missing-paren',
    readonly token: string,
    readonly line: number,
    readonly expecting?: string,
  ) {
    super(kind === 'unexpected' ? `"${token}" unexpected${expecting ? ` (expecting "${expecting}")` : ''}` : kind === 'eof' ? `end of file unexpected${expecting ? ` (expecting "${expecting}")` : ''}` : kind === 'unterminated' ? 'Unterminated quoted string' : kind === 'missing-paren' ? 'Missing \'))\'' : 'Bad substitution');
  }
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', 'in', '{', '}', '!']);
const META = ' \t\n;&|()<>';
const OPS = ['&&', '||', ';;', ';', '&', '|', '(', ')', '\n'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 200;

interface PendingHeredoc {
  redir: Redir;
  delim: string;
  quoted: boolean;
  strip: boolean;
}

export class Parser {
  private i = 0;
  private heredocs: PendingHeredoc[] = [];
  private depth = 0;
  /** The closing word the enclosing compound command waits for (dash names it in errors). */
  private ctxExpect: string | undefined;
  /** Line of the command being parsed (dash reports it in messages). */
  line = 1;

  constructor(
    private readonly src: string,
    private readonly lineBase = 0,
  ) {}

  private lastPos = 0;
  private lastLine = 1;

  /** The line of a position; counted on from the last answer (the parser moves forward). */
  private lineAt(pos: number): number {
    if (pos < this.lastPos) {
      this.lastPos = 0;
      this.lastLine = 1;
    }
    let n = this.lastLine;
    for (let k = this.lastPos; k < pos && k < this.src.length; k++) if (this.src[k] === '\n') n++;
    this.lastPos = pos;
    this.lastLine = n;
    return n + this.lineBase;
  }

  private err(kind: ParseError['kind'], token: string, expecting?: string): never {
    throw new ParseError(kind, token, this.lineAt(this.i), expecting);
  }

  /** Skips blanks, line continuations and comments (not newlines). */
  private blanks(): void {
    for (;;) {
      const c = this.src[this.i];
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\\' && this.src[this.i + 1] === '\n') this.i += 2;
      else if (c === '#') while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
      else return;
    }
  }

  private atEnd(): boolean {
    this.blanks();
    return this.i >= this.src.length;
  }

  /** The control operator at the cursor, if any (redirections are not control operators). */
  private peekOp(): string | undefined {
    this.blanks();
    for (const op of OPS) if (this.src.startsWith(op, this.i)) return op;
    return undefined;
  }

  private takeOp(op: string): boolean {
    if (this.peekOp() !== op) return false;
    this.i += op.length;
    if (op === '\n') this.readHeredocs();
    return true;
  }

  private newlines(): void {
    while (this.takeOp('\n'));
  }

  /** The next word if it is an unquoted reserved word (no input consumed). */
  private peekReserved(): string | undefined {
    this.blanks();
    let j = this.i;
    while (j < this.src.length && !META.includes(this.src[j]) && !'\'"\\$`'.includes(this.src[j])) j++;
    const w = this.src.slice(this.i, j);
    if (!RESERVED.has(w)) return undefined;
    const next = this.src[j];
    if (next !== undefined && !META.includes(next)) return undefined;
    return w;
  }

  private takeReserved(w: string): boolean {
    if (this.peekReserved() !== w) return false;
    this.i += w.length;
    return true;
  }

  private expectReserved(w: string): void {
    this.newlinesAndSeps();
    if (this.takeReserved(w)) return;
    this.unexpectedHere(w, true);
  }

  private newlinesAndSeps(): void {
    this.newlines();
  }

  private unexpectedHere(expecting?: string, tokenToo = false): never {
    this.blanks();
    if (this.i >= this.src.length) this.err('eof', '', expecting);
    const op = this.peekOp() ?? this.peekReserved();
    if (op) this.err('unexpected', op === '\n' ? 'newline' : op, tokenToo ? expecting : undefined);
    const redir = /^\d*(<<-|<<|>>|>\||<>|>&|<&|>|<)/.exec(this.src.slice(this.i));
    if (redir) this.err('unexpected', redir[1]);
    const save = this.i;
    const w = this.rawWordText();
    this.i = save;
    this.err('unexpected', w);
  }

  private rawWordText(): string {
    const start = this.i;
    this.readWord();
    return this.src.slice(start, this.i);
  }

  // ---------- lists ----------

  /** The next top-level line of commands, or undefined at the end of the script. */
  nextCommands(): List | undefined {
    for (;;) {
      this.blanks();
      if (this.i >= this.src.length) return undefined;
      if (!this.takeOp('\n')) break;
    }
    this.line = this.lineAt(this.i);
    const list: List = [];
    for (;;) {
      list.push(this.andOr());
      const op = this.peekOp();
      if (op === ';' || op === '&') {
        this.i++;
        if (op === '&') list[list.length - 1].bg = true;
        this.blanks();
        if (this.i >= this.src.length) break;
        if (this.takeOp('\n')) break;
        continue;
      }
      if (op === '\n') {
        this.takeOp('\n');
        break;
      }
      if (this.atEnd()) break;
      this.unexpectedHere();
    }
    return list;
  }

  /** A compound list up to one of `stops` (reserved words) or a closing operator. */
  private compoundList(stops: string[], expecting = stops[stops.length - 1]): List {
    const saved = this.ctxExpect;
    this.ctxExpect = expecting;
    try {
      return this.compoundList1(stops, expecting);
    } finally {
      this.ctxExpect = saved;
    }
  }

  private compoundList1(stops: string[], expecting: string | undefined): List {
    const list: List = [];
    this.newlines();
    for (;;) {
      this.blanks();
      const r = this.peekReserved();
      if (r && stops.includes(r)) break;
      const op = this.peekOp();
      if (this.i >= this.src.length || op === ')' || op === ';;') break;
      list.push(this.andOr());
      const sep = this.peekOp();
      if (sep === ';' || sep === '&' || sep === '\n') {
        this.i++;
        if (sep === '&') list[list.length - 1].bg = true;
        if (sep === '\n') this.readHeredocs();
        this.newlines();
        continue;
      }
      break;
    }
    if (!list.length) this.unexpectedHere(expecting);
    return list;
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const op = this.peekOp();
      if (op !== '&&' && op !== '||') break;
      this.i += 2;
      this.newlines();
      rest.push({ op, p: this.pipeline() });
    }
    return { first, rest, bg: false };
  }

  private pipeline(): Pipeline {
    let neg = false;
    while (this.takeReserved('!')) neg = !neg;
    const cmds = [this.command()];
    for (;;) {
      const op = this.peekOp();
      if (op !== '|') break;
      this.i++;
      this.newlines();
      cmds.push(this.command());
    }
    return { neg, cmds };
  }

  // ---------- commands ----------

  private command(): Command {
    if (++this.depth > MAX_DEPTH) this.err('unexpected', 'nesting too deep');
    try {
      return this.command1();
    } finally {
      this.depth--;
    }
  }

  private command1(): Command {
    this.blanks();
    const r = this.peekReserved();
    const line = this.lineAt(this.i);
    if (r === 'if') {
      this.i += 2;
      const clauses: Array<{ cond: List; body: List }> = [];
      let els: List | undefined;
      for (;;) {
        const cond = this.compoundList(['then']);
        this.expectReserved('then');
        const body = this.compoundList(['elif', 'else', 'fi']);
        clauses.push({ cond, body });
        if (this.takeReserved('elif')) continue;
        if (this.takeReserved('else')) els = this.compoundList(['fi']);
        this.expectReserved('fi');
        break;
      }
      return { k: 'if', clauses, else: els, redirs: this.redirs() };
    }
    if (r === 'while' || r === 'until') {
      this.i += r.length;
      const cond = this.compoundList(['do']);
      this.expectReserved('do');
      const body = this.compoundList(['done']);
      this.expectReserved('done');
      return { k: 'loop', until: r === 'until', cond, body, redirs: this.redirs() };
    }
    if (r === 'for') {
      this.i += 3;
      this.blanks();
      const start = this.i;
      const nameWord = this.readWord();
      const name = this.src.slice(start, this.i);
      if (!nameWord.length || !NAME.test(name)) this.err('unexpected', name || (this.peekOp() ?? ''));
      let items: Word[] | undefined;
      this.newlines();
      if (this.takeReserved('in')) {
        items = [];
        for (;;) {
          this.blanks();
          const op = this.peekOp();
          if (op === ';' || op === '\n') {
            this.i++;
            if (op === '\n') this.readHeredocs();
            break;
          }
          if (this.i >= this.src.length) this.err('eof', '', 'do');
          if (op) this.unexpectedHere();
          items.push(this.readWord());
        }
      } else this.takeOp(';');
      this.expectReserved('do');
      const body = this.compoundList(['done']);
      this.expectReserved('done');
      return { k: 'for', name, items, body, redirs: this.redirs(), line };
    }
    if (r === 'case') {
      this.i += 4;
      this.blanks();
      const word = this.readWord();
      if (!word.length) this.unexpectedHere();
      this.newlines();
      this.expectReserved('in');
      const items: Array<{ patterns: Word[]; body: List }> = [];
      for (;;) {
        this.newlines();
        if (this.takeReserved('esac')) break;
        this.takeOp('(');
        const patterns: Word[] = [];
        for (;;) {
          this.blanks();
          const p = this.readWord();
          if (!p.length) this.unexpectedHere(')');
          patterns.push(p);
          if (this.takeOp('|')) continue;
          if (this.takeOp(')')) break;
          this.unexpectedHere(')');
        }
        this.newlines();
        let body: List = [];
        if (this.peekOp() !== ';;' && this.peekReserved() !== 'esac') body = this.compoundList(['esac']);
        items.push({ patterns, body });
        if (this.takeOp(';;')) continue;
        this.newlines();
        this.expectReserved('esac');
        break;
      }
      return { k: 'case', word, items, redirs: this.redirs() };
    }
    if (r === '{') {
      this.i++;
      const body = this.compoundList(['}']);
      this.expectReserved('}');
      return { k: 'group', body, redirs: this.redirs() };
    }
    if (this.peekOp() === '(') {
      this.i++;
      const body = this.compoundList([], ')');
      if (!this.takeOp(')')) this.unexpectedHere(')');
      return { k: 'subshell', body, redirs: this.redirs() };
    }
    // `then`, `fi`, `do`, `}`... where a command should start
    if (r && r !== 'in') this.err('unexpected', r, this.ctxExpect);
    return this.simple(line);
  }

  private simple(line: number): Command {
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    for (;;) {
      this.blanks();
      if (this.tryRedir(redirs)) continue;
      const c = this.src[this.i];
      if (c === undefined || META.includes(c)) break;
      const start = this.i;
      const w = this.readWord();
      const raw = this.src.slice(start, this.i);
      if (!words.length) {
        const eq = raw.indexOf('=');
        if (eq > 0 && NAME.test(raw.slice(0, eq)) && w[0].k === 'lit' && w[0].v.length > eq) {
          const first = w[0].v.slice(eq + 1);
          assigns.push({ name: raw.slice(0, eq), value: first ? [{ k: 'lit', v: first }, ...w.slice(1)] : w.slice(1) });
          continue;
        }
        // `name() compound-command`
        if (!assigns.length && NAME.test(raw) && this.isFuncParens()) {
          this.newlines();
          const body = this.command();
          return { k: 'func', name: raw, body };
        }
      }
      words.push(w);
    }
    if (!assigns.length && !words.length && !redirs.length) this.unexpectedHere();
    return { k: 'simple', assigns, words, redirs, line };
  }

  private isFuncParens(): boolean {
    const save = this.i;
    if (this.takeOp('(') && this.takeOp(')')) return true;
    this.i = save;
    return false;
  }

  private redirs(): Redir[] {
    const out: Redir[] = [];
    while (this.tryRedir(out));
    return out;
  }

  private tryRedir(out: Redir[]): boolean {
    this.blanks();
    const m = /^(\d*)(<<-|<<|>>|>\||<>|>&|<&|>|<)/.exec(this.src.slice(this.i, this.i + 12));
    if (!m) return false;
    this.i += m[0].length;
    const op = m[2] as RedirOp;
    const fd = m[1] ? Number(m[1]) : op.startsWith('<') && op !== '<>' ? 0 : op === '<>' ? 0 : 1;
    this.blanks();
    const start = this.i;
    const target = this.readWord();
    if (!target.length) this.unexpectedHere();
    const r: Redir = { fd, op, target };
    if (op === '<<' || op === '<<-') {
      const raw = this.src.slice(start, this.i);
      const quoted = /['"\\]/.test(raw);
      const delim = target.map((p) => (p.k === 'lit' || p.k === 'sq' ? p.v : p.k === 'dq' ? p.parts.map((q) => (q.k === 'lit' ? q.v : '')).join('') : '')).join('');
      this.heredocs.push({ redir: r, delim, quoted, strip: op === '<<-' });
      r.body = [];
    }
    out.push(r);
    return true;
  }

  /** Reads the bodies of here-documents started on the line just ended. */
  private readHeredocs(): void {
    const pending = this.heredocs;
    this.heredocs = [];
    for (const h of pending) {
      let body = '';
      for (;;) {
        if (this.i >= this.src.length) break;
        let end = this.src.indexOf('\n', this.i);
        if (end < 0) end = this.src.length;
        let lineText = this.src.slice(this.i, end);
        this.i = Math.min(end + 1, this.src.length);
        if (h.strip) lineText = lineText.replace(/^\t+/, '');
        if (lineText === h.delim) break;
        body += lineText + '\n';
      }
      h.redir.body = h.quoted ? [{ k: 'sq', v: body }] : new Parser(body, 0).contentWord();
    }
  }

  /** Here-document text: `$`, backquotes and backslash are special, quotes are not. */
  contentWord(): Word {
    const parts: WordPart[] = [];
    let lit = '';
    const flush = () => {
      if (lit) parts.push({ k: 'sq', v: lit });
      lit = '';
    };
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === '\\' && '$`\\\n'.includes(this.src[this.i + 1] ?? '')) {
        if (this.src[this.i + 1] !== '\n') lit += this.src[this.i + 1];
        this.i += 2;
      } else if (c === '$' || c === '`') {
        const p = this.dollarOrBackquote();
        if (p) {
          flush();
          parts.push(p);
        } else lit += this.src[this.i++];
      } else lit += this.src[this.i++];
    }
    flush();
    return [{ k: 'dq', parts }];
  }

  // ---------- words ----------

  /**
   * One word at the cursor (possibly empty when a metacharacter is next). `inBrace`: the
   * word of a `${name<op>word}`, up to and past its `}` (the end of input is an error there,
   * and a backslash-newline is the newline itself, not a line continuation).
   */
  readWord(stop = META, inBrace = false): Word {
    const parts: WordPart[] = [];
    let lit = '';
    const flush = () => {
      if (lit) parts.push({ k: 'lit', v: lit });
      lit = '';
    };
    for (;;) {
      if (this.i >= this.src.length) {
        if (inBrace) this.err('eof', '', '}');
        break;
      }
      const c = this.src[this.i];
      if (inBrace ? c === '}' : stop.includes(c)) {
        if (inBrace) this.i++;
        break;
      }
      if (c === "'") {
        const end = this.src.indexOf("'", this.i + 1);
        if (end < 0) this.err('unterminated', "'");
        flush();
        parts.push({ k: 'sq', v: this.src.slice(this.i + 1, end) });
        this.i = end + 1;
      } else if (c === '"') {
        this.i++;
        flush();
        parts.push({ k: 'dq', parts: this.dqParts() });
      } else if (c === '\\') {
        const n = this.src[this.i + 1];
        this.i += 2;
        if (n === '\n' && !inBrace) continue;
        flush();
        parts.push({ k: 'sq', v: n ?? (inBrace ? '' : '\\') });
      } else if (c === '$' || c === '`') {
        const p = this.dollarOrBackquote();
        if (p) {
          flush();
          parts.push(p);
        } else lit += this.src[this.i++];
      } else lit += this.src[this.i++];
    }
    flush();
    return parts;
  }

  private dqParts(): WordPart[] {
    const parts: WordPart[] = [];
    let lit = '';
    const flush = () => {
      if (lit) parts.push({ k: 'sq', v: lit });
      lit = '';
    };
    for (;;) {
      if (this.i >= this.src.length) this.err('unterminated', '"');
      const c = this.src[this.i];
      if (c === '"') {
        this.i++;
        break;
      }
      if (c === '\\') {
        const n = this.src[this.i + 1];
        if (n !== undefined && '$`"\\\n'.includes(n)) {
          if (n !== '\n') lit += n;
          this.i += 2;
        } else {
          lit += c;
          this.i++;
        }
      } else if (c === '$' || c === '`') {
        const p = this.dollarOrBackquote();
        if (p) {
          flush();
          parts.push(p);
        } else lit += this.src[this.i++];
      } else lit += this.src[this.i++];
    }
    flush();
    return parts;
  }

  /** `$name`, `${...}`, `$(...)`, `$((...))` or a backquote substitution; undefined for a plain `$`. */
  private dollarOrBackquote(): WordPart | undefined {
    const s = this.src;
    if (s[this.i] === '`') {
      let j = this.i + 1;
      let inner = '';
      while (j < s.length && s[j] !== '`') {
        if (s[j] === '\\' && '$`\\'.includes(s[j + 1] ?? '')) {
          inner += s[j + 1];
          j += 2;
        } else inner += s[j++];
      }
      if (j >= s.length) this.err('eof', '', '`');
      const line = this.lineAt(this.i) - 1;
      this.i = j + 1;
      return { k: 'cmd', body: parseAll(inner, line) };
    }
    const n = s[this.i + 1];
    if (n === '(' && s[this.i + 2] === '(') {
      const end = this.arithEnd(this.i + 3);
      if (end >= 0) {
        const text = s.slice(this.i + 3, end);
        this.i = end + 2;
        return { k: 'arith', expr: new Parser(text, this.lineAt(this.i) - 1).arithWord() };
      }
    }
    if (n === '(') {
      this.i += 2;
      const sub = new Parser(s, 0);
      sub.i = this.i;
      sub.depth = this.depth + 1;
      if (sub.depth > MAX_DEPTH) this.err('unexpected', 'nesting too deep');
      const body: List = [];
      sub.newlines();
      while (sub.peekOp() !== ')') {
        if (sub.i >= s.length) sub.err('eof', '', ')');
        body.push(...sub.compoundList([], ')'));
        sub.newlines();
      }
      this.i = sub.i + 1;
      return { k: 'cmd', body };
    }
    if (n === '{') return this.braceParam();
    if (n !== undefined && /[A-Za-z_]/.test(n)) {
      let j = this.i + 1;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j])) j++;
      const name = s.slice(this.i + 1, j);
      this.i = j;
      return { k: 'param', name };
    }
    if (n !== undefined && /[0-9@*#?$!\-]/.test(n)) {
      this.i += 2;
      return { k: 'param', name: n };
    }
    return undefined;
  }

  /** The index of the `))` closing an arithmetic expansion, or -1 (then it is `$( (...) )`). */
  private arithEnd(from: number): number {
    let depth = 0;
    for (let j = from; j < this.src.length; j++) {
      const c = this.src[j];
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) {
          if (j + 1 >= this.src.length) this.err('missing-paren', '))');
          return this.src[j + 1] === ')' ? j : -1;
        }
        depth--;
      }
    }
    this.err('missing-paren', '))');
  }

  /** Arithmetic text: expansions are parsed, quotes removed, everything else literal. */
  arithWord(): Word {
    const parts: WordPart[] = [];
    let lit = '';
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === '$' || c === '`') {
        const p = this.dollarOrBackquote();
        if (p) {
          if (lit) parts.push({ k: 'sq', v: lit });
          lit = '';
          parts.push(p);
          continue;
        }
      }
      if (c === '"' || c === "'") {
        this.i++;
        continue;
      }
      lit += c;
      this.i++;
    }
    if (lit) parts.push({ k: 'sq', v: lit });
    return [{ k: 'dq', parts }];
  }

  private braceParam(): WordPart {
    const s = this.src;
    this.i += 2;
    let len = false;
    if (s[this.i] === '#' && s[this.i + 1] !== '}' && /[A-Za-z0-9_@*#?$!\-]/.test(s[this.i + 1] ?? '')) {
      len = true;
      this.i++;
    }
    let name: string;
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!\-])/.exec(s.slice(this.i, this.i + 256));
    if (!m) this.badSubst();
    name = m[1];
    this.i += name.length;
    if (len) {
      if (s[this.i] !== '}') this.badSubst();
      this.i++;
      return { k: 'param', name, op: 'len' };
    }
    if (s[this.i] === '}') {
      this.i++;
      return { k: 'param', name };
    }
    const opm = /^(:-|:=|:\+|:\?|-|=|\+|\?|##|#|%%|%)/.exec(s.slice(this.i, this.i + 2));
    if (!opm) this.badSubst();
    const op = opm[1] as ParamOp;
    this.i += op.length;
    const arg = this.readWord(META, true);
    return { k: 'param', name, op, arg };
  }

  private badSubst(): never {
    // dash reports the whole `${...}` text; find its end for the message
    this.err('bad-subst', '');
  }
}

/** Parses a whole script (used for `$(...)` bodies and `eval`). */
export function parseAll(src: string, lineBase = 0): List {
  const p = new Parser(src, lineBase);
  const out: List = [];
  for (let l = p.nextCommands(); l; l = p.nextCommands()) out.push(...l);
  return out;
}
