// printf(1) formatting and echo's backslash escapes, as dash and busybox print them.

import { memoryError, type ShellLimits } from './limits';

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", e: '\x1b' };

/** echo's escapes (`\c` stops the output); `anyOctal` accepts `\NNN` as well as `\0NNN`. */
export function echoEscapes(s: string, anyOctal: boolean): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[i + 1];
    if (n === 'c') return { text: out, stop: true };
    if (n === '0' || (anyOctal && /[1-7]/.test(n))) {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + (n === '0' ? 2 : 1), i + (n === '0' ? 5 : 4)))![0];
      out += String.fromCharCode(parseInt(m || '0', 8) & 255);
      i += (n === '0' ? 1 : 0) + m.length;
      continue;
    }
    if (n in SIMPLE && n !== '"' && n !== "'" && n !== 'e') {
      out += SIMPLE[n];
      i++;
      continue;
    }
    out += c;
  }
  return { text: out, stop: false };
}

/** The escapes of a printf format (`\NNN` octal, `\c` ends the output). */
function fmtEscape(s: string, i: number): { text: string; len: number; stop?: boolean } {
  const n = s[i + 1];
  if (n === undefined) return { text: '\\', len: 1 };
  if (n === 'c') return { text: '', len: 2, stop: true };
  if (/[0-7]/.test(n)) {
    const m = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4))![0];
    return { text: String.fromCharCode(parseInt(m, 8) & 255), len: 1 + m.length };
  }
  if (n in SIMPLE && n !== 'e') return { text: SIMPLE[n], len: 2 };
  return { text: '\\' + n, len: 2 };
}

function parseNum(a: string, bad: () => void): number {
  if (a === '') return 0;
  if (/^['"]/.test(a)) return a.length > 1 ? a.codePointAt(1)! : 0;
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(.*)$/.exec(a);
  if (!m) {
    bad();
    return 0;
  }
  if (m[3] !== '') bad();
  const body = m[2];
  const v = /^0[xX]/.test(body) ? parseInt(body, 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : Number(body);
  return m[1] === '-' ? -v : v;
}

function parseFloatArg(a: string, bad: () => void): number {
  if (a === '') return 0;
  if (/^['"]/.test(a)) return a.length > 1 ? a.codePointAt(1)! : 0;
  const v = Number(a.trim());
  if (Number.isNaN(v)) {
    const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(a);
    bad();
    return m ? Number(m[0]) : 0;
  }
  return v;
}

function expC(s: string): string {
  // JS writes e+4; C writes e+04
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function gFormat(v: number, prec: number, alt: boolean, upper: boolean): string {
  const p = prec === 0 ? 1 : prec;
  if (v === 0) return alt ? (0).toFixed(p - 1) : '0';
  const x = Math.floor(Math.log10(Math.abs(Number(v.toExponential(p - 1)))));
  let s: string;
  if (x < -4 || x >= p) {
    s = expC(v.toExponential(p - 1));
    if (!alt) s = s.replace(/\.?0+e/, 'e');
  } else {
    s = v.toFixed(Math.max(0, p - 1 - x));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return upper ? s.toUpperCase() : s;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s.padEnd(width);
  if (zero) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    const pre = /^[+\- ]?0[xX]/.test(s) ? s.slice(sign.length, sign.length + 2) : '';
    const body = s.slice(sign.length + pre.length);
    return sign + pre + body.padStart(width - sign.length - pre.length, '0');
  }
  return s.padStart(width);
}

/** toFixed/toExponential take at most 100 digits; C prints more, zeros past a double's own (%g: p-1-x ≤ 100 for x ≥ -4). */
const JS_DIGITS = 100;
const moreZeros = (s: string, p: number) => (p > JS_DIGITS ? s + '0'.repeat(p - JS_DIGITS) : s);

/**
 * `limits`: a field (width or precision) past maxString, or a text past maxOutput, stops the
 * script as out of memory (`%0999999999d` was a raw "Invalid string length").
 */
export function formatPrintf(fmt: string, args: string[], onBad: (arg: string) => void, limits?: Pick<ShellLimits, 'maxString' | 'maxOutput'>): { text: string; ok: boolean } {
  const maxField = limits?.maxString ?? Infinity;
  const maxText = limits?.maxOutput ?? Infinity;
  let out = '';
  let ai = 0;
  let ok = true;
  const next = () => args[ai++] ?? '';
  for (let pass = 0; pass < 100_000; pass++) {
    const startAi = ai;
    for (let i = 0; i < fmt.length; i++) {
      if (out.length > maxText) throw memoryError('the output of printf', maxText);
      const c = fmt[i];
      if (c === '\\') {
        const e = fmtEscape(fmt, i);
        out += e.text;
        if (e.stop) return { text: out, ok };
        i += e.len - 1;
        continue;
      }
      if (c !== '%') {
        out += c;
        continue;
      }
      const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXcsbfeEgG%])/.exec(fmt.slice(i));
      if (!m) {
        out += c;
        continue;
      }
      i += m[0].length - 1;
      const flags = m[1];
      const conv = m[4];
      if (conv === '%') {
        out += '%';
        continue;
      }
      const bad = (a: string) => () => {
        ok = false;
        onBad(a);
      };
      let width = m[2] === '*' ? parseNum(next(), () => {}) : m[2] ? Number(m[2]) : 0;
      let left = flags.includes('-');
      if (width < 0) {
        left = true;
        width = -width;
      }
      const precRaw = m[3] === '*' ? String(parseNum(next(), () => {})) : m[3];
      // a negative `*` precision counts as none, as in C
      const prec = precRaw === undefined || Number(precRaw) < 0 ? undefined : Number(precRaw || '0');
      if (width > maxField || (prec ?? 0) > maxField) throw memoryError('a printf field', maxField);
      const zero = flags.includes('0') && !left;
      const a = next();
      let s: string;
      switch (conv) {
        case 's':
          s = prec !== undefined ? a.slice(0, prec) : a;
          out += pad(s, width, left, false);
          continue;
        case 'b': {
          const r = fmtEscapeAll(a);
          s = prec !== undefined ? r.text.slice(0, prec) : r.text;
          out += pad(s, width, left, false);
          if (r.stop) return { text: out, ok };
          continue;
        }
        case 'c':
          out += pad(a.slice(0, 1), width, left, false);
          continue;
        case 'd':
        case 'i':
        case 'o':
        case 'u':
        case 'x':
        case 'X': {
          const v = Math.trunc(parseNum(a, bad(a)));
          const neg = v < 0;
          let digits = conv === 'o' ? Math.abs(v).toString(8) : conv === 'x' ? Math.abs(v).toString(16) : conv === 'X' ? Math.abs(v).toString(16).toUpperCase() : String(Math.abs(v));
          if ((conv === 'u' || conv === 'x' || conv === 'X' || conv === 'o') && neg) digits = (BigInt.asUintN(64, BigInt(v))).toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
          if (conv === 'X') digits = digits.toUpperCase();
          if (prec !== undefined) digits = prec === 0 && v === 0 ? '' : digits.padStart(prec, '0');
          if (flags.includes('#') && v !== 0) digits = conv === 'o' ? '0' + digits : conv === 'x' ? '0x' + digits : conv === 'X' ? '0X' + digits : digits;
          const sign = conv === 'd' || conv === 'i' ? (neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') : '';
          out += pad(sign + digits, width, left, zero && prec === undefined);
          continue;
        }
        default: {
          const v = parseFloatArg(a, bad(a));
          const p = prec ?? 6;
          let body: string;
          if (!Number.isFinite(v)) body = Number.isNaN(v) ? 'nan' : 'inf';
          else if (conv === 'f') body = moreZeros(Math.abs(v).toFixed(Math.min(p, JS_DIGITS)), p);
          else if (conv === 'e' || conv === 'E') body = expC(Math.abs(v).toExponential(Math.min(p, JS_DIGITS))).replace('e', (e) => moreZeros('', p) + e);
          else body = gFormat(Math.abs(v), Math.min(p, JS_DIGITS - 4), flags.includes('#'), conv === 'G');
          if (conv === 'E') body = body.toUpperCase();
          const sign = v < 0 || Object.is(v, -0) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
          out += pad(sign + body, width, left, zero);
          continue;
        }
      }
    }
    if (ai >= args.length || ai === startAi) break;
  }
  return { text: out, ok };
}

function fmtEscapeAll(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i];
      continue;
    }
    const n = s[i + 1];
    if (n === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 2, i + 5))![0];
      out += String.fromCharCode(parseInt(m || '0', 8) & 255);
      i += 1 + m.length;
      continue;
    }
    const e = fmtEscape(s, i);
    if (e.stop) return { text: out, stop: true };
    out += e.text;
    i += e.len - 1;
  }
  return { text: out, stop: false };
}
