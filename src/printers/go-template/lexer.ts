// The template lexer (text/template/parse/lex.go): items with Go's positions and error texts.
import { goQuote } from '../../util/go-format';

// ---------------------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)

export type ItemType =
  | 'error' | 'eof' | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'bool' | 'char' | 'number' | 'string' | 'rawString'
  | 'identifier' | 'field' | 'variable' | 'dot' | 'nil' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'comma'
  | 'keyword'
  | 'punct';

export interface Item {
  typ: ItemType;
  pos: number;
  val: string;
  line: number;
}

export const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);

export function itemString(it: Item): string {
  if (it.typ === 'eof') return 'EOF';
  if (it.typ === 'error') return it.val;
  if (it.typ === 'keyword') return `<${it.val}>`;
  if ([...it.val].length > 10) return `${goQuote([...it.val].slice(0, 10).join(''))}...`;
  return goQuote(it.val);
}

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

export function isAlnum(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || /[\p{L}\p{Nd}]/u.test(c));
}

/** Where the quote opened at `open` closes, or -1 when a newline or the end comes first. */
function closingQuote(input: string, open: number): number {
  const quote = input[open];
  for (let q = open + 1; ; ) {
    const ch = input[q];
    if (ch === '\\') q += 2;
    else if (ch === undefined || ch === '\n') return -1;
    else if (ch === quote) return q;
    else q++;
  }
}

export function lex(input: string): Item[] {
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
      } else if (c === '"' || c === "'") {
        // lexQuote and lexChar: a backslash escapes the next character; a newline or the end is unterminated.
        const q = closingQuote(input, p);
        if (q < 0) {
          error(c === '"' ? 'unterminated quoted string' : 'unterminated character constant', p);
          return items;
        }
        emit(c === '"' ? 'string' : 'char', p, q + 1);
        p = q + 1;
      } else if (c === '`') {
        const q = input.indexOf('`', p + 1);
        if (q < 0) {
          error('unterminated raw quoted string', p);
          return items;
        }
        emit('rawString', p, q + 1);
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
