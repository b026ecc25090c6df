// The parse tree and parser (text/template/parse/node.go, parse.go), with Go's error texts.
import { goQuote } from '../../util/go-format';
import { itemString, type Item, type ItemType } from './lexer';
import { GoInt, GoTemplateParseError, NAME, type Val } from './values';

// ---------------------------------------------------------------------------------------
// Parse tree (text/template/parse/node.go, reduced)

export interface ControlNode {
  t: 'if' | 'with' | 'range';
  pos: number;
  line: number;
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
}

export type Node =
  | { t: 'text'; pos: number; text: string }
  | { t: 'action'; pos: number; line: number; pipe: Pipe }
  | ControlNode
  | { t: 'break' | 'continue'; pos: number };

export interface Pipe {
  pos: number;
  isAssign: boolean;
  decl: { pos: number; name: string }[];
  cmds: Cmd[];
}

export interface Cmd {
  pos: number;
  args: Arg[];
}

export type Arg =
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

export function argString(a: Arg): string {
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

export function cmdString(c: Cmd): string {
  return c.args.map((a) => (a.t === 'pipe' ? `(${argString(a)})` : argString(a))).join(' ');
}

export function pipeString(p: Pipe): string {
  let s = '';
  if (p.decl.length) s = p.decl.map((d) => d.name).join(', ') + (p.isAssign ? ' = ' : ' := ');
  return s + p.cmds.map(cmdString).join(' | ');
}

// ---------------------------------------------------------------------------------------
// Parser (text/template/parse/parse.go)

export const BUILTINS = new Set([
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'exists', 'base64decode',
]);

/**
 * Nesting bound of parenthesized pipelines and of {{if}}/{{with}}/{{range}} blocks. Go's
 * parser stops parentheses at 10000 ("max expression depth exceeded"); kubesim's recursive
 * parser would run out of JavaScript stack before that, so it stops earlier, with Go's text.
 */
export const MAX_PARSE_DEPTH = 1000;

export class Parser {
  private i = 0;
  private depth = 0;
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
    if (++this.depth > MAX_PARSE_DEPTH) this.fail('max expression depth exceeded', it.line);
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
      this.depth--;
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
      case 'leftParen': {
        if (++this.depth > MAX_PARSE_DEPTH) this.fail('max expression depth exceeded', it.line);
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.depth--;
        return { t: 'pipe', pos: it.pos, pipe };
      }
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
export function unquote(q: string, bad: () => never): string {
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
