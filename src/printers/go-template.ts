// A safe interpreter for the Go text/template language as kubectl's `-o go-template` uses it:
// hand-written lexer and parser (no eval), Go's evaluation rules and error texts, fmt-style
// printing of JSON data (ints as int64, maps as `map[k:v]`), and kubectl's extra functions
// `exists` and `base64decode`. The template is named "output" as in kubectl.
import { formatFloatG, goQuote } from '../util/go-format';

const NAME = 'output';

// ---------------------------------------------------------------------------------------
// Errors

/** A template that does not parse: message is Go's (`template: output:1: unclosed action`). */
export class GoTemplateParseError extends Error {}

/** A failure while executing: `template: output:1:11: executing "output" at <.a.b>: ...`. */
export class GoTemplateExecError extends Error {}

// ---------------------------------------------------------------------------------------
// Values. JSON data enters as: string, boolean, null, arrays, plain objects; integral
// numbers become int64 (kubectl decodes into unstructured data), others float64.

type GoIntType = 'int' | 'int64' | 'int32';

class GoInt {
  constructor(
    readonly n: number,
    readonly type: GoIntType,
  ) {}
}

/** undefined = Go's invalid reflect.Value (a missing map key); null = nil. */
type Val = undefined | null | string | boolean | number | GoInt | Val[] | { [k: string]: Val };

function fromJson(v: unknown): Val {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? new GoInt(v, 'int64') : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return new GoInt(Number(v), 'int64');
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const out: { [k: string]: Val } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = fromJson(x);
    return out;
  }
  return String(v);
}

function isMap(v: Val): v is { [k: string]: Val } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt);
}

function typeName(v: Val): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (v instanceof GoInt) return v.type;
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function truth(v: Val): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoInt) return v.n !== 0;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

// ---------------------------------------------------------------------------------------
// Go fmt

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** fmt's %v of a value (maps with sorted keys, nil as <nil>). */
function sprintV(v: Val): string {
  return fmtValue(v, 'v', NO_FLAGS);
}

interface FmtFlags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const NO_FLAGS: FmtFlags = { minus: false, plus: false, sharp: false, space: false, zero: false };

function pad(s: string, f: FmtFlags, numeric = false): string {
  if (f.width === undefined) return s;
  const len = [...s].length;
  if (len >= f.width) return s;
  const n = f.width - len;
  if (f.minus) return s + ' '.repeat(n);
  if (f.zero && numeric) {
    const signLen = /^[+\- ]/.test(s) ? 1 : 0;
    return s.slice(0, signLen) + '0'.repeat(n) + s.slice(signLen);
  }
  if (f.zero && !numeric) return '0'.repeat(n) + s;
  return ' '.repeat(n) + s;
}

function fmtInt(n: number, verb: string, f: FmtFlags): string | undefined {
  const neg = n < 0;
  const abs = Math.abs(n);
  let digits: string;
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString(10);
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'o':
      digits = abs.toString(8);
      if (f.sharp && digits[0] !== '0') digits = '0' + digits;
      break;
    case 'O':
      digits = '0o' + abs.toString(8);
      break;
    case 'x':
      digits = (f.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      digits = (f.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'c':
      return pad(String.fromCodePoint(n), f);
    case 'q':
      return pad(`'${String.fromCodePoint(n)}'`, f);
    case 'U':
      return pad('U+' + abs.toString(16).toUpperCase().padStart(4, '0'), f);
    default:
      return undefined;
  }
  if (f.prec !== undefined) digits = f.prec === 0 && n === 0 ? '' : digits.padStart(f.prec, '0');
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const flags = f.prec !== undefined ? { ...f, zero: false } : f;
  return pad(sign + digits, flags, true);
}

function fmtFloat(x: number, verb: string, f: FmtFlags): string | undefined {
  let s: string;
  const sign = x < 0 || Object.is(x, -0) ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const a = Math.abs(x);
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      s = formatFloatG(a, f.prec ?? -1);
      if (verb === 'G') s = s.toUpperCase();
      break;
    case 'f':
    case 'F':
      s = Number.isFinite(a) ? a.toFixed(f.prec ?? 6) : formatFloatG(a);
      break;
    case 'e':
    case 'E': {
      if (!Number.isFinite(a)) {
        s = formatFloatG(a);
        break;
      }
      const [m, e] = a.toExponential(f.prec ?? 6).split('e');
      const ne = Number(e);
      s = `${m}e${ne < 0 ? '-' : '+'}${Math.abs(ne) < 10 ? '0' : ''}${Math.abs(ne)}`;
      if (verb === 'E') s = s.toUpperCase();
      break;
    }
    default:
      return undefined;
  }
  if (!Number.isFinite(a) && s.startsWith('+')) s = s.slice(1);
  return pad(sign + s, f, Number.isFinite(a));
}

function fmtString(s: string, verb: string, f: FmtFlags): string | undefined {
  switch (verb) {
    case 'v':
    case 's':
      return pad(f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s, f);
    case 'q':
      return pad(goQuote(s), f);
    case 'x':
    case 'X': {
      const hex = Buffer.from(s, 'utf8').toString('hex');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, f);
    }
    default:
      return undefined;
  }
}

function badVerb(v: Val, verb: string, f: FmtFlags): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${fmtValue(v, 'v', f)})`;
}

/** One operand formatted with one verb, as fmt.Sprintf does for decoded JSON values. */
function fmtValue(v: Val, verb: string, f: FmtFlags): string {
  if (verb === 'T') return pad(typeName(v), f);
  if (v === undefined || v === null) return verb === 'v' ? pad('<nil>', f) : `%!${verb}(<nil>)`;
  if (typeof v === 'boolean') return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(v, verb, f);
  if (v instanceof GoInt) return fmtInt(v.n, verb, f) ?? badVerb(v, verb, f);
  if (typeof v === 'number') return fmtFloat(v, verb, f) ?? badVerb(v, verb, f);
  if (typeof v === 'string') return fmtString(v, verb, f) ?? badVerb(v, verb, f);
  if (Array.isArray(v)) return `[${v.map((x) => fmtValue(x, verb, f)).join(' ')}]`;
  return `map[${Object.keys(v)
    .sort(byteOrder)
    .map((k) => `${fmtValue(k, verb, f)}:${fmtValue(v[k], verb, f)}`)
    .join(' ')}]`;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
function goSprint(args: Val[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += sprintV(a);
  });
  return out;
}

function goSprintln(args: Val[]): string {
  return args.map(sprintV).join(' ') + '\n';
}

/** fmt.Sprintf with Go's verbs, flags, width/precision, and %!v(MISSING)/%!(EXTRA ...) markers. */
export function goSprintf(format: string, args: unknown[]): string {
  return sprintf(format, args.map(fromJson));
}

function sprintf(format: string, args: Val[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    const f: FmtFlags = { ...NO_FLAGS };
    for (; i < format.length; i++) {
      const ch = format[i];
      if (ch === '-') f.minus = true;
      else if (ch === '+') f.plus = true;
      else if (ch === '#') f.sharp = true;
      else if (ch === ' ') f.space = true;
      else if (ch === '0') f.zero = !f.minus;
      else break;
    }
    const readNum = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        return a instanceof GoInt ? a.n : undefined;
      }
      const m = /^[0-9]+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    f.width = readNum();
    if (f.width !== undefined && f.width < 0) {
      f.minus = true;
      f.width = -f.width;
    }
    if (format[i] === '.') {
      i++;
      f.prec = readNum() ?? 0;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtValue(args[argi++], verb, f);
  }
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${sprintV(a)}`)).join(', ')})`;
  return out;
}

// ---------------------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)

type ItemType =
  | 'error' | 'eof' | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'bool' | 'char' | 'number' | 'string' | 'rawString'
  | 'identifier' | 'field' | 'variable' | 'dot' | 'nil' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'comma'
  | 'keyword'
  | 'punct';

interface Item {
  typ: ItemType;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);

function itemString(it: Item): string {
  if (it.typ === 'eof') return 'EOF';
  if (it.typ === 'error') return it.val;
  if (it.typ === 'keyword') return `<${it.val}>`;
  if ([...it.val].length > 10) return `${goQuote([...it.val].slice(0, 10).join(''))}...`;
  return goQuote(it.val);
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || /[\p{L}\p{Nd}]/u.test(c));
}

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let line = 1;
  const lineAt = (p: number) => 1 + (input.slice(0, p).match(/\n/g)?.length ?? 0);
  const emit = (typ: ItemType, start: number, end: number) => items.push({ typ, pos: start, val: input.slice(start, end), line: lineAt(start) });
  const error = (msg: string, at: number) => {
    items.push({ typ: 'error', pos: at, val: msg, line: lineAt(at) });
  };
  void line;
  while (true) {
    // Text up to the next "{{".
    const next = input.indexOf('{{', pos);
    if (next < 0) {
      if (pos < input.length) emit('text', pos, input.length);
      items.push({ typ: 'eof', pos: input.length, val: '', line: lineAt(input.length) });
      return items;
    }
    // "{{- " trims the whitespace before it.
    const leftTrim = input[next + 2] === '-' && isSpace(input[next + 3]);
    let textEnd = next;
    if (leftTrim) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit('text', pos, textEnd);
    let p = next + 2;
    if (leftTrim) p += 2;
    // Comments must start right after the delimiter (and trim marker).
    if (input.startsWith('/*', p)) {
      const endC = input.indexOf('*/', p + 2);
      if (endC < 0) {
        error('unclosed comment', next);
        return items;
      }
      let q = endC + 2;
      let rightTrim = false;
      if (isSpace(input[q]) && input.startsWith('-}}', q + 1)) {
        rightTrim = true;
        q += 1;
        q += 1;
      }
      if (!input.startsWith('}}', q)) {
        error('comment ends before closing delimiter', next);
        return items;
      }
      pos = q + 2;
      if (rightTrim) while (pos < input.length && isSpace(input[pos])) pos++;
      continue;
    }
    items.push({ typ: 'leftDelim', pos: next, val: '{{', line: lineAt(next) });
    let parenDepth = 0;
    // Inside an action.
    for (;;) {
      // Right delimiter, with or without trim marker.
      if (isSpace(input[p])) {
        let q = p;
        while (isSpace(input[q])) q++;
        if (input.startsWith('-}}', q) && q > p) {
          // " -}}": trim marker
          if (parenDepth > 0) {
            error('unclosed left paren', q);
            return items;
          }
          items.push({ typ: 'rightDelim', pos: q + 1, val: '}}', line: lineAt(q) });
          pos = q + 3;
          while (pos < input.length && isSpace(input[pos])) pos++;
          break;
        }
        emit('space', p, q);
        p = q;
        continue;
      }
      if (input.startsWith('}}', p)) {
        if (parenDepth > 0) {
          error('unclosed left paren', p);
          return items;
        }
        items.push({ typ: 'rightDelim', pos: p, val: '}}', line: lineAt(p) });
        pos = p + 2;
        break;
      }
      const c = input[p];
      if (c === undefined) {
        error('unclosed action', p);
        return items;
      }
      if (c === '=') {
        emit('assign', p, p + 1);
        p++;
      } else if (c === ':') {
        if (input[p + 1] !== '=') {
          error('expected :=', p);
          return items;
        }
        emit('declare', p, p + 2);
        p += 2;
      } else if (c === '|') {
        emit('pipe', p, p + 1);
        p++;
      } else if (c === '"') {
        let q = p + 1;
        for (;;) {
          const ch = input[q];
          if (ch === '\\') {
            q += 2;
            continue;
          }
          if (ch === undefined || ch === '\n') {
            error('unterminated quoted string', p);
            return items;
          }
          if (ch === '"') break;
          q++;
        }
        emit('string', p, q + 1);
        p = q + 1;
      } else if (c === '`') {
        const q = input.indexOf('`', p + 1);
        if (q < 0) {
          error('unterminated raw quoted string', p);
          return items;
        }
        emit('rawString', p, q + 1);
        p = q + 1;
      } else if (c === "'") {
        let q = p + 1;
        for (;;) {
          const ch = input[q];
          if (ch === '\\') {
            q += 2;
            continue;
          }
          if (ch === undefined || ch === '\n') {
            error('unterminated character constant', p);
            return items;
          }
          if (ch === "'") break;
          q++;
        }
        emit('char', p, q + 1);
        p = q + 1;
      } else if (c === '$') {
        let q = p + 1;
        while (isAlnum(input[q])) q++;
        emit('variable', p, q);
        p = q;
      } else if (c === '.') {
        // A number like .5, a field .name, or the dot itself.
        if (/[0-9]/.test(input[p + 1] ?? '')) {
          const m = /^\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?/.exec(input.slice(p))!;
          emit('number', p, p + m[0].length);
          p += m[0].length;
        } else {
          let q = p + 1;
          while (isAlnum(input[q])) q++;
          emit(q === p + 1 ? 'dot' : 'field', p, q);
          p = q;
        }
      } else if (c === '(') {
        emit('leftParen', p, p + 1);
        parenDepth++;
        p++;
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) {
          error('unexpected right paren', p);
          return items;
        }
        emit('rightParen', p, p + 1);
        p++;
      } else if (c === ',') {
        emit('comma', p, p + 1);
        p++;
      } else if (/[0-9+-]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[oO][0-7_]+|0[bB][01_]+|[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)i?/.exec(input.slice(p));
        const len = m ? m[0].length : 0;
        if (len === 0 || isAlnum(input[p + len]) || (len === 1 && /[+-]/.test(c))) {
          let q = p + Math.max(len, 1);
          while (isAlnum(input[q]) || input[q] === '.') q++;
          error(`bad number syntax: ${goQuote(input.slice(p, q))}`, p);
          return items;
        }
        emit('number', p, p + len);
        p += len;
      } else if (isAlnum(c)) {
        let q = p;
        while (isAlnum(input[q])) q++;
        const word = input.slice(p, q);
        if (word === 'true' || word === 'false') emit('bool', p, q);
        else if (word === 'nil') emit('nil', p, q);
        else if (KEYWORDS.has(word)) emit('keyword', p, q);
        else emit('identifier', p, q);
        p = q;
      } else if (c !== '}' && c >= '!' && c <= '~') {
        emit('punct', p, p + 1);
        p++;
      } else {
        const cp = input.codePointAt(p)!;
        error(`bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`, p);
        return items;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Parse tree (text/template/parse/node.go, reduced)

interface ControlNode {
  t: 'if' | 'with' | 'range';
  pos: number;
  line: number;
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
}

type Node =
  | { t: 'text'; pos: number; text: string }
  | { t: 'action'; pos: number; line: number; pipe: Pipe }
  | ControlNode
  | { t: 'break' | 'continue'; pos: number };

interface Pipe {
  pos: number;
  isAssign: boolean;
  decl: { pos: number; name: string }[];
  cmds: Cmd[];
}

interface Cmd {
  pos: number;
  args: Arg[];
}

type Arg =
  | { t: 'field'; pos: number; idents: string[] }
  | { t: 'variable'; pos: number; idents: string[] } // idents[0] is $name
  | { t: 'chain'; pos: number; node: Arg; fields: string[] }
  | { t: 'identifier'; pos: number; name: string }
  | { t: 'dot'; pos: number }
  | { t: 'nil'; pos: number }
  | { t: 'bool'; pos: number; v: boolean }
  | { t: 'number'; pos: number; text: string; v: Val }
  | { t: 'string'; pos: number; text: string; v: string }
  | { t: 'pipe'; pos: number; pipe: Pipe };

function argString(a: Arg): string {
  switch (a.t) {
    case 'field':
      return a.idents.map((i) => '.' + i).join('');
    case 'variable':
      return a.idents.join('.');
    case 'chain':
      return (a.node.t === 'pipe' ? `(${argString(a.node)})` : argString(a.node)) + a.fields.map((f) => '.' + f).join('');
    case 'identifier':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.v);
    case 'number':
    case 'string':
      return a.text;
    case 'pipe':
      return pipeString(a.pipe);
  }
}

function cmdString(c: Cmd): string {
  return c.args.map((a) => (a.t === 'pipe' ? `(${argString(a)})` : argString(a))).join(' ');
}

function pipeString(p: Pipe): string {
  let s = '';
  if (p.decl.length) s = p.decl.map((d) => d.name).join(', ') + (p.isAssign ? ' = ' : ' := ');
  return s + p.cmds.map(cmdString).join(' | ');
}

// ---------------------------------------------------------------------------------------
// Parser (text/template/parse/parse.go)

const BUILTINS = new Set([
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'exists', 'base64decode',
]);

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    private readonly items: Item[],
    private readonly funcs: Set<string>,
  ) {}

  private fail(msg: string, line?: number): never {
    const it = this.items[Math.min(this.i, this.items.length) - 1] ?? this.items[0];
    throw new GoTemplateParseError(`template: ${NAME}:${line ?? it?.line ?? 1}: ${msg}`);
  }

  private next(): Item {
    return this.items[this.i++] ?? this.items[this.items.length - 1];
  }

  private backup(n = 1): void {
    this.i -= n;
  }

  private peek(): Item {
    return this.items[this.i] ?? this.items[this.items.length - 1];
  }

  private nextNonSpace(): Item {
    let it = this.next();
    while (it.typ === 'space') it = this.next();
    return it;
  }

  private peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }

  private unexpected(it: Item, context: string): never {
    if (it.typ === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== it.line) {
        extra = ` in ${context}`;
        if (it.val.endsWith(' action')) extra = extra.slice(' in '.length);
      }
      this.fail(`${it.val}${extra}`, it.line);
    }
    this.fail(`unexpected ${itemString(it)} in ${context}`, it.line);
  }

  private expect(typ: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.typ !== typ) this.unexpected(it, context);
    return it;
  }

  parse(): Node[] {
    const list: Node[] = [];
    while (this.peek().typ !== 'eof') {
      const n = this.textOrAction();
      if (n.t === 'end' || n.t === 'else') this.fail(`unexpected {{${n.t}}}`, n.line);
      list.push(n as Node);
    }
    return list;
  }

  private itemList(): [Node[], { t: 'end' | 'else'; pos: number; line: number }] {
    const list: Node[] = [];
    while (this.peekNonSpace().typ !== 'eof') {
      const n = this.textOrAction();
      if (n.t === 'end' || n.t === 'else') return [list, n as { t: 'end' | 'else'; pos: number; line: number }];
      list.push(n as Node);
    }
    this.fail('unexpected EOF', this.peek().line);
  }

  private textOrAction(): Node | { t: 'end' | 'else'; pos: number; line: number } {
    const it = this.nextNonSpace();
    switch (it.typ) {
      case 'text':
        return { t: 'text', pos: it.pos, text: it.val };
      case 'leftDelim':
        this.actionLine = it.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case 'error':
        this.fail(it.val, it.line);
      // falls through (fail never returns)
      default:
        this.unexpected(it, 'input');
    }
  }

  private action(): Node | { t: 'end' | 'else'; pos: number; line: number } {
    const it = this.nextNonSpace();
    if (it.typ === 'keyword') {
      switch (it.val) {
        case 'if':
          return this.control('if', it);
        case 'with':
          return this.control('with', it);
        case 'range':
          return this.control('range', it);
        case 'end':
          this.expect('rightDelim', 'end');
          return { t: 'end', pos: it.pos, line: it.line };
        case 'else': {
          const p = this.peekNonSpace();
          if (p.typ === 'keyword' && (p.val === 'if' || p.val === 'with')) return { t: 'else', pos: p.pos, line: p.line };
          this.expect('rightDelim', 'else');
          return { t: 'else', pos: it.pos, line: it.line };
        }
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(`{{${it.val}}} outside {{range}}`, it.line);
          this.expect('rightDelim', it.val);
          return { t: it.val, pos: it.pos };
        case 'nil':
          break;
        default:
          this.fail(`{{${it.val}}} is not supported by this template engine`, it.line);
      }
    }
    this.backup();
    const pipe = this.pipeline('command', 'rightDelim');
    return { t: 'action', pos: it.pos, line: it.line, pipe };
  }

  private control(kind: 'if' | 'with' | 'range', it: Item): Node {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: Node[] | undefined;
      if (next.t === 'else') {
        const p = this.peek();
        if (kind !== 'range' && p.typ === 'keyword' && p.val === kind) {
          // {{else if}} / {{else with}}: a nested control sharing our {{end}}.
          this.next();
          elseList = [this.control(kind, p)];
        } else {
          [elseList, next] = this.itemList();
          if (next.t !== 'end') this.fail('expected end; found {{else}}', next.line);
        }
      }
      void list;
      return { t: kind, pos: it.pos, line: it.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private pipeline(context: string, end: ItemType): Pipe {
    const start = this.peekNonSpace();
    const pipe: Pipe = { pos: start.pos, isAssign: false, decl: [], cmds: [] };
    // Declarations: $x := / $x = / $i, $e :=
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      this.nextNonSpace();
      const after = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === 'assign' || next.typ === 'declare') {
        pipe.isAssign = next.typ === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ pos: v.pos, name: v.val });
        this.vars.push(v.val);
        break;
      } else if (next.typ === 'comma') {
        this.nextNonSpace();
        pipe.decl.push({ pos: v.pos, name: v.val });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.typ === 'variable' || p.typ === 'rightDelim' || p.typ === 'rightParen') continue decls;
          this.fail('range can only initialize variables', p.line);
        }
        this.fail(`too many declarations in ${context}`, next.line);
      } else {
        // Not a declaration: put the variable (and the space after it) back.
        this.backup(after.typ === 'space' ? 2 : 1);
        // Re-sync: backup counted from after nextNonSpace; find the variable again.
        while (this.items[this.i] !== v) this.i--;
        break;
      }
    }
    for (;;) {
      const it = this.nextNonSpace();
      if (it.typ === end) {
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, it.line);
        pipe.cmds.slice(1).forEach((c, i) => {
          const a = c.args[0];
          if (a.t === 'bool' || a.t === 'dot' || a.t === 'nil' || a.t === 'number' || a.t === 'string')
            this.fail(`non executable command in pipeline stage ${i + 2}`, it.line);
        });
        return pipe;
      }
      switch (it.typ) {
        case 'bool':
        case 'char':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        case 'keyword':
          if (it.val === 'nil') {
            this.backup();
            pipe.cmds.push(this.command());
            break;
          }
          this.unexpected(it, context);
        // falls through
        default:
          this.unexpected(it, context);
      }
    }
  }

  private command(): Cmd {
    const cmd: Cmd = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const it = this.next();
      if (it.typ === 'space') continue;
      if (it.typ === 'rightDelim' || it.typ === 'rightParen') this.backup();
      else if (it.typ !== 'pipe') this.unexpected(it, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(): Arg | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().typ === 'field') {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
      switch (node.t) {
        case 'field':
          return { t: 'field', pos, idents: [...node.idents, ...fields] };
        case 'variable':
          return { t: 'variable', pos, idents: [...node.idents, ...fields] };
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.fail(`unexpected . after term ${goQuote(argString(node))}`);
        // falls through
        default:
          return { t: 'chain', pos, node, fields };
      }
    }
    return node;
  }

  private term(): Arg | undefined {
    const it = this.nextNonSpace();
    switch (it.typ) {
      case 'identifier':
        if (!this.funcs.has(it.val)) this.fail(`function ${goQuote(it.val)} not defined`, it.line);
        return { t: 'identifier', pos: it.pos, name: it.val };
      case 'dot':
        return { t: 'dot', pos: it.pos };
      case 'nil':
        return { t: 'nil', pos: it.pos };
      case 'variable':
        if (!this.vars.includes(it.val)) this.fail(`undefined variable ${goQuote(it.val)}`, it.line);
        return { t: 'variable', pos: it.pos, idents: [it.val] };
      case 'field':
        return { t: 'field', pos: it.pos, idents: [it.val.slice(1)] };
      case 'bool':
        return { t: 'bool', pos: it.pos, v: it.val === 'true' };
      case 'char':
      case 'number':
        return { t: 'number', pos: it.pos, text: it.val, v: this.number(it) };
      case 'leftParen':
        return { t: 'pipe', pos: it.pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
      case 'rawString':
        return { t: 'string', pos: it.pos, text: it.val, v: it.typ === 'rawString' ? it.val.slice(1, -1).replace(/\r/g, '') : unquote(it.val, () => this.fail(`invalid syntax`, it.line)) };
      case 'keyword':
        if (it.val === 'nil') return { t: 'nil', pos: it.pos };
    }
    this.backup();
    return undefined;
  }

  private number(it: Item): Val {
    const text = it.val;
    if (it.typ === 'char') {
      const s = unquote(`"${text.slice(1, -1).replace(/"/g, '\\"')}"`, () => this.fail(`malformed character constant: ${text}`, it.line));
      return new GoInt(s.codePointAt(0) ?? 0, 'int32');
    }
    const clean = text.replace(/_/g, '');
    if (/i$/.test(clean)) this.fail(`complex numbers are not supported: ${text}`, it.line);
    const intMatch = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(clean);
    if (intMatch) {
      const body = intMatch[2];
      let n: number;
      if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
      else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
      else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
      else if (body.length > 1 && body[0] === '0') n = parseInt(body, 8);
      else n = parseInt(body, 10);
      return new GoInt(intMatch[1] === '-' ? -n : n, 'int');
    }
    const f = Number(clean);
    if (Number.isNaN(f) || /^[+-]?0[xX]/.test(clean)) this.fail(`illegal number syntax: ${goQuote(text)}`, it.line);
    // A float constant with an integral value is still an int in templates ("1e3" is int 1000)... Go: float syntax stays float64 unless it fits an int exactly.
    if (Number.isInteger(f) && Math.abs(f) < 2 ** 63 && !/[.]/.test(clean)) return new GoInt(f, 'int');
    return f;
  }
}

/** strconv.Unquote of a Go double-quoted string. */
function unquote(q: string, bad: () => never): string {
  let out = '';
  const s = q.slice(1, -1);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e in simple) out += simple[e];
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) bad();
      out += String.fromCodePoint(parseInt(hex, 16));
      i += n;
    } else if (/[0-7]/.test(e)) {
      out += String.fromCharCode(parseInt(s.slice(i, i + 3), 8));
      i += 2;
    } else bad();
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Execution (text/template/exec.go)

/** dot plus whether it came out of a map/slice lookup (Go reports its type as `interface {}`). */
interface Dot {
  v: Val;
  iface: boolean;
}

class BreakSignal {}
class ContinueSignal {}

const MISSING = Symbol('missing');
type Final = Val | typeof MISSING;

class Exec {
  private out = '';
  private vars: { name: string; v: Val }[];
  private at: { pos: number; text: string } = { pos: 0, text: '' };

  constructor(
    private readonly src: string,
    root: Val,
  ) {
    this.vars = [{ name: '$', v: root }];
  }

  run(list: Node[], dot: Dot): string {
    this.walkList(list, dot);
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

  private walk(n: Node, dot: Dot): void {
    switch (n.t) {
      case 'text':
        this.out += n.text;
        return;
      case 'action': {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out += v === undefined || v === null ? '<no value>' : sprintV(v);
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
      return Object.prototype.hasOwnProperty.call(receiver, name) ? receiver[name] : undefined;
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

// [fixed arg count, variadic] like the Go signatures.
const SIGNATURES: Record<string, [number, boolean]> = {
  and: [1, true],
  or: [1, true],
  not: [1, false],
  len: [1, false],
  index: [1, true],
  slice: [1, true],
  print: [0, true],
  printf: [1, true],
  println: [0, true],
  eq: [1, true],
  ne: [2, false],
  lt: [2, false],
  le: [2, false],
  gt: [2, false],
  ge: [2, false],
  html: [0, true],
  js: [0, true],
  urlquery: [0, true],
  exists: [1, true],
  base64decode: [1, false],
  call: [1, true],
};

class CallError extends Error {}

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: Val): Kind {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function numOf(v: Val): number {
  return v instanceof GoInt ? v.n : (v as number);
}

function goEq(a: Val, rest: Val[]): boolean {
  if (rest.length === 0) throw new CallError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let t = false;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new CallError('incompatible types for comparison');
    } else {
      switch (k1) {
        case 'bool':
        case 'string':
          t = a === b;
          break;
        case 'int':
        case 'float':
          t = numOf(a) === numOf(b);
          break;
        case 'invalid':
          t = true;
          break;
        default:
          throw new CallError(`non-comparable types ${sprintV(a)}: ${typeName(a)}, ${typeName(b)}: ${sprintV(b)}`);
      }
    }
    if (t) return true;
  }
  return false;
}

function goLt(a: Val, b: Val): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k2 === 'invalid' || k2 === 'other') throw new CallError('invalid type for comparison');
  if (k1 !== k2) throw new CallError('incompatible types for comparison');
  if (k1 === 'bool') throw new CallError('invalid type for comparison');
  if (k1 === 'string') return byteOrder(a as string, b as string) < 0;
  return numOf(a) < numOf(b);
}

function goIndex(item: Val, indexes: Val[]): Val {
  let cur = item;
  if (cur === undefined || cur === null) throw new CallError('index of untyped nil');
  for (const ix of indexes) {
    if (cur === undefined || cur === null) throw new CallError('index of nil pointer');
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (!(ix instanceof GoInt)) throw new CallError(ix === null || ix === undefined ? 'cannot index slice/array with nil' : `cannot index slice/array with type ${typeName(ix)}`);
      const len = typeof cur === 'string' ? Buffer.byteLength(cur) : cur.length;
      if (ix.n < 0 || ix.n >= len) throw new CallError(`index out of range: ${ix.n}`);
      cur = typeof cur === 'string' ? new GoInt(Buffer.from(cur)[ix.n], 'int') : cur[ix.n];
    } else if (isMap(cur)) {
      if (typeof ix !== 'string') {
        if (ix === null || ix === undefined) throw new CallError('value is nil; should be of type string');
        throw new CallError(`value has type ${typeName(ix)}; should be string`);
      }
      cur = Object.prototype.hasOwnProperty.call(cur, ix) ? cur[ix] : null;
    } else throw new CallError(`can't index item of type ${typeName(cur)}`);
  }
  return cur;
}

function goLen(v: Val): Val {
  if (v === undefined || v === null) throw new CallError('len of nil pointer');
  if (typeof v === 'string') return new GoInt(Buffer.byteLength(v), 'int');
  if (Array.isArray(v)) return new GoInt(v.length, 'int');
  if (isMap(v)) return new GoInt(Object.keys(v).length, 'int');
  throw new CallError(`len of type ${typeName(v)}`);
}

/** kubectl's `exists`: walks maps by key and slices by int index. */
function goExists(item: Val, indices: Val[]): boolean {
  let cur = item;
  for (const ix of indices) {
    if (isMap(cur) && typeof ix === 'string') {
      if (!Object.prototype.hasOwnProperty.call(cur, ix)) return false;
      cur = cur[ix];
    } else if (Array.isArray(cur) && ix instanceof GoInt) {
      if (ix.n < 0 || ix.n >= cur.length) return false;
      cur = cur[ix.n];
    } else return false;
  }
  return true;
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function evalArgsString(args: Val[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return goSprint(args);
}

function callBuiltin(name: string, args: Val[]): Val {
  switch (name) {
    case 'not':
      return !truth(args[0]);
    case 'len':
      return goLen(args[0]);
    case 'index':
      return goIndex(args[0], args.slice(1));
    case 'slice': {
      const [item, ...ix] = args;
      if (ix.length > 3) throw new CallError(`too many slice indexes: ${ix.length}`);
      if (!Array.isArray(item) && typeof item !== 'string') throw new CallError(`can't slice item of type ${typeName(item)}`);
      const len = typeof item === 'string' ? item.length : item.length;
      const nums = ix.map((x) => {
        if (!(x instanceof GoInt)) throw new CallError(`cannot index slice/array with type ${typeName(x)}`);
        return x.n;
      });
      const lo = nums[0] ?? 0;
      const hi = nums[1] ?? len;
      if (lo < 0 || hi > len || lo > hi) throw new CallError(`index out of range: ${lo > hi ? lo : hi}`);
      return item.slice(lo, hi);
    }
    case 'print':
      return goSprint(args);
    case 'println':
      return goSprintln(args);
    case 'printf':
      return sprintf(args[0] as string, args.slice(1));
    case 'eq':
      return goEq(args[0], args.slice(1));
    case 'ne':
      return !goEq(args[0], [args[1]]);
    case 'lt':
      return goLt(args[0], args[1]);
    case 'le':
      return goLt(args[0], args[1]) || goEq(args[0], [args[1]]);
    case 'gt':
      return !goLt(args[0], args[1]) && !goEq(args[0], [args[1]]);
    case 'ge':
      return !goLt(args[0], args[1]);
    case 'html':
      return htmlEscape(evalArgsString(args));
    case 'js':
      return evalArgsString(args).replace(/[\\'"<>&=]|[\u0000-\u001f]/g, (c) =>
        ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' })[c] ?? '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'),
      );
    case 'urlquery':
      return encodeURIComponent(evalArgsString(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    case 'exists':
      return goExists(args[0], args.slice(1));
    case 'base64decode': {
      const s = args[0] as string;
      const bad = /[^A-Za-z0-9+/=]/.exec(s);
      if (bad || s.length % 4 !== 0 || /=[^=]/.test(s)) {
        const at = bad ? bad.index : s.length % 4 !== 0 ? s.length - (s.length % 4) : s.indexOf('=');
        throw new CallError(`base64 decode failed: illegal base64 data at input byte ${at}`);
      }
      return Buffer.from(s, 'base64').toString('utf8');
    }
    case 'call':
      throw new CallError(`non-function ${sprintV(args[0])} of type ${typeName(args[0])}`);
  }
  throw new CallError(`function ${name} not implemented`);
}

// ---------------------------------------------------------------------------------------
// Public API

/** A parsed template, reusable for many objects (kubectl parses once per command). */
export interface GoTemplate {
  execute(data: unknown): string;
}

/** Parses a template; throws GoTemplateParseError with Go's message. */
export function parseGoTemplate(template: string): GoTemplate {
  const items = lex(template);
  const tree = new Parser(items, BUILTINS).parse();
  return {
    execute(data: unknown): string {
      return new Exec(template, fromJson(data)).run(tree, { v: fromJson(data), iface: false });
    },
  };
}

/**
 * Runs a Go text/template over JSON data the way `kubectl -o go-template=...` does.
 * Throws GoTemplateParseError / GoTemplateExecError carrying Go's message; the CLI wraps
 * them (`error: error parsing template <t>, <msg>` / `error: error executing template "<t>": <msg>`).
 */
export function executeGoTemplate(template: string, data: unknown): string {
  return parseGoTemplate(template).execute(data);
}

/**
 * The text kubectl prints after `error: ` for a template failure:
 * `error parsing template <t>, <msg>` or `error executing template "<t>": <msg>`.
 * (On execution errors kubectl also writes a debugging block to stdout first.)
 */
export function goTemplateErrorText(template: string, e: unknown): string | undefined {
  if (e instanceof GoTemplateParseError) return `error parsing template ${template}, ${e.message}`;
  if (e instanceof GoTemplateExecError) return `error executing template ${goQuote(template)}: ${e.message}`;
  return undefined;
}
