// POSIX basic and extended regular expressions (grep, sed) translated to RE2 syntax and
// run by re2js: linear time whatever the pattern, so `grep -E '(a*)*b'` on user data
// cannot hang the kubelet. Back-references have no linear-time implementation and are
// refused with an error.

import { RE2JS } from 're2js';

export class RegexError extends Error {}

function bracket(src: string, i: number): { text: string; end: number } {
  // src[i] === '['; copy up to the closing ']' with POSIX rules (']' first is literal)
  let j = i + 1;
  let out = '[';
  if (src[j] === '^') {
    out += '^';
    j++;
  }
  if (src[j] === ']') {
    out += '\\]';
    j++;
  }
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === ']') return { text: out + ']', end: j };
    if (c === '[' && (src[j + 1] === ':' || src[j + 1] === '.' || src[j + 1] === '=')) {
      const close = src.indexOf(src[j + 1] + ']', j + 2);
      if (close > 0) {
        const inner = src.slice(j, close + 2);
        out += src[j + 1] === ':' ? inner : RE2JS.quote(src.slice(j + 2, close));
        j = close + 1;
        continue;
      }
    }
    if (c === '\\' || c === '[') out += '\\' + c;
    else out += c;
  }
  throw new RegexError('Unmatched [, [^, [:, [., or [=');
}

/** Translates a BRE (`ere` false) or ERE to RE2 syntax. `sedEscapes` makes `\n`, `\t` control characters. */
export function toRe2(src: string, ere: boolean, sedEscapes = false): string {
  let out = '';
  // true where a `*` (or ERE `+?{`) would have nothing to repeat
  let atStart = true;
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const wasStart = atStart;
    atStart = false;
    if (c === '[') {
      const b = bracket(src, i);
      out += b.text;
      i = b.end;
      continue;
    }
    if (c === '\\') {
      const n = src[i + 1];
      i++;
      if (n === undefined) throw new RegexError('Trailing backslash');
      if (/[1-9]/.test(n)) throw new RegexError('back-references (\\1) are not supported by kubesim (only linear-time regular expressions)');
      if (!ere && n === '(') {
        out += '(';
        depth++;
        atStart = true;
        continue;
      }
      if (!ere && n === ')') {
        if (!depth) throw new RegexError('Unmatched ) or \\)');
        depth--;
        out += ')';
        continue;
      }
      if (!ere && n === '|') {
        out += '|';
        atStart = true;
        continue;
      }
      if (!ere && (n === '{' || n === '}')) {
        out += n;
        continue;
      }
      if (!ere && (n === '+' || n === '?')) {
        out += wasStart ? '\\' + n : n;
        continue;
      }
      if (n === '<' || n === '>') {
        out += '\\b';
        continue;
      }
      if ('wWsSbB'.includes(n)) {
        out += '\\' + n;
        continue;
      }
      if (sedEscapes && n === 'n') {
        out += '\\n';
        continue;
      }
      if (sedEscapes && n === 't') {
        out += '\\t';
        continue;
      }
      out += /[A-Za-z0-9]/.test(n) ? n : '\\' + n;
      continue;
    }
    if (ere) {
      if (c === '(') {
        depth++;
        out += '(';
        atStart = true;
        continue;
      }
      if (c === ')') {
        if (!depth) {
          out += '\\)';
          continue;
        }
        depth--;
        out += ')';
        continue;
      }
      if (c === '|') {
        out += '|';
        atStart = true;
        continue;
      }
      if ((c === '*' || c === '+' || c === '?') && wasStart) {
        out += '\\' + c;
        continue;
      }
      if (c === '{') {
        if (wasStart || !/^\{\d+(,\d*)?\}/.test(src.slice(i))) {
          out += '\\{';
          continue;
        }
      }
      if (c === '^') {
        out += '^';
        atStart = true;
        continue;
      }
      out += c === '}' && !/\{\d+(,\d*)?$/.test(src.slice(0, i)) ? '\\}' : c;
      continue;
    }
    // basic: ( ) | + ? { } are literal; ^ and $ anchor only at the ends
    if ('()|+?{}'.includes(c)) {
      out += '\\' + c;
      continue;
    }
    if (c === '*' && wasStart) {
      out += '\\*';
      continue;
    }
    if (c === '^') {
      if (wasStart) {
        out += '^';
        atStart = true;
      } else out += '\\^';
      continue;
    }
    if (c === '$') {
      const end = i === src.length - 1 || src.startsWith('\\)', i + 1) || src.startsWith('\\|', i + 1);
      out += end ? '$' : '\\$';
      continue;
    }
    out += c;
  }
  if (depth) throw new RegexError('Unmatched ( or \\(');
  return out;
}

export function compileRegex(src: string, opts: { ere: boolean; icase?: boolean; sed?: boolean }): RE2JS {
  const re = toRe2(src, opts.ere, opts.sed);
  try {
    return RE2JS.compile(re, opts.icase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    throw new RegexError((e as Error).message.replace(/^error parsing regexp: /, ''));
  }
}
