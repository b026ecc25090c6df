// Go's fmt for template values: print, println and printf with Go's verbs, flags and
// %!verb(type=value) texts for bad verbs.
import { byteOrder, formatFloatG, goQuote } from '../../util/go-format';
import { GoInt, fromJson, typeName, type Val } from './values';

// ---------------------------------------------------------------------------------------
// Go fmt

/** fmt's %v of a value (maps with sorted keys, nil as <nil>). */
export function sprintV(v: Val): string {
  return fmtValue(v, 'v', NO_FLAGS);
}

export interface FmtFlags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

export const NO_FLAGS: FmtFlags = { minus: false, plus: false, sharp: false, space: false, zero: false };

export function pad(s: string, f: FmtFlags, numeric = false): string {
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

export function fmtInt(n: number | bigint, verb: string, f: FmtFlags): string | undefined {
  const neg = n < 0;
  const abs = neg ? -n : n;
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
      return pad(String.fromCodePoint(Number(n)), f);
    case 'q':
      return pad(`'${String.fromCodePoint(Number(n))}'`, f);
    case 'U':
      return pad('U+' + abs.toString(16).toUpperCase().padStart(4, '0'), f);
    default:
      return undefined;
  }
  if (f.prec !== undefined) digits = f.prec === 0 && Number(n) === 0 ? '' : digits.padStart(f.prec, '0');
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const flags = f.prec !== undefined ? { ...f, zero: false } : f;
  return pad(sign + digits, flags, true);
}

export function fmtFloat(x: number, verb: string, f: FmtFlags): string | undefined {
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

export function fmtString(s: string, verb: string, f: FmtFlags): string | undefined {
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

export function badVerb(v: Val, verb: string, f: FmtFlags): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${fmtValue(v, 'v', f)})`;
}

/** One operand formatted with one verb, as fmt.Sprintf does for decoded JSON values. */
export function fmtValue(v: Val, verb: string, f: FmtFlags): string {
  if (verb === 'T') return pad(typeName(v), f);
  if (v === undefined || v === null) return verb === 'v' ? pad('<nil>', f) : `%!${verb}(<nil>)`;
  if (typeof v === 'boolean') return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(v, verb, f);
  if (v instanceof GoInt) return fmtInt(v.exact ?? v.n, verb, f) ?? badVerb(v, verb, f);
  if (typeof v === 'number') return fmtFloat(v, verb, f) ?? badVerb(v, verb, f);
  if (typeof v === 'string') return fmtString(v, verb, f) ?? badVerb(v, verb, f);
  if (Array.isArray(v)) return `[${v.map((x) => fmtValue(x, verb, f)).join(' ')}]`;
  return `map[${Object.keys(v)
    .sort(byteOrder)
    .map((k) => `${fmtValue(k, verb, f)}:${fmtValue(v[k], verb, f)}`)
    .join(' ')}]`;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function goSprint(args: Val[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += sprintV(a);
  });
  return out;
}

export function goSprintln(args: Val[]): string {
  return args.map(sprintV).join(' ') + '\n';
}

/** fmt.Sprintf with Go's verbs, flags, width/precision, and %!v(MISSING)/%!(EXTRA ...) markers. */
export function goSprintf(format: string, args: unknown[]): string {
  return sprintf(format, args.map(fromJson));
}

export function sprintf(format: string, args: Val[]): string {
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
