// Go's text renderings, as kubectl prints them: strconv.Quote (%q), strconv.FormatFloat and
// fmt's %v of JSON-decoded values, encoding/json's strings and numbers, %#v for debug
// messages, and Go's bytewise string order. The one copy: printers, generators, the API's
// error messages and the CLI all format through here, so they cannot disagree.

import { parseJson } from './exact-json';

/**
 * strconv.FormatFloat(f, 'g', prec, 64): shortest digits when prec < 0 (what %v prints for a
 * float64); the %e form when the exponent is < -4 or >= the precision (6 for shortest: 1e+06).
 */
export function formatFloatG(f: number, prec = -1): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const p = prec === 0 ? 1 : prec;
  const [m, e] = (prec < 0 ? f.toExponential() : f.toExponential(p - 1)).split('e');
  let digits = m.replace('-', '').replace('.', '');
  if (prec >= 0) digits = digits.replace(/0+$/, '') || '0';
  const exp = Number(e);
  let eprec = prec < 0 ? 6 : p;
  if (prec >= 0 && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= eprec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** %v of a float64: strconv.FormatFloat(f, 'g', -1, 64). */
export function goFloat(f: number): string {
  return formatFloatG(f, -1);
}

/** %v of a JSON number: integers as int64, others as float64. */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? BigInt(n).toString() : goFloat(n);
}

/** fmt.Sprint of a decoded JSON value (maps print as map[k:v ...] with sorted keys). */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o)
    .sort(byteOrder)
    .map((k) => `${k}:${goSprint(o[k])}`)
    .join(' ')}]`;
}

/** %#v of a decoded JSON value (only used in debug text of error messages). */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return Number.isInteger(v) ? goNumber(v) : goFloat(v);
  if (typeof v === 'bigint') return v.toString(); // an exact int64 (util/exact-json)
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  const o = v as Record<string, unknown>;
  return `map[string]interface {}{${Object.keys(o)
    .sort(byteOrder)
    .map((k) => `${goQuote(k)}:${goSharpV(o[k])}`)
    .join(', ')}}`;
}

// strconv.IsPrint: letters, marks, numbers, punctuation, symbols, and the ASCII space. Made on
// first use of a non-ASCII rune: creating a RegExp with Unicode properties builds their ranges
// from ICU, ~6.5 M instructions at the load of every file with this module (round 94 of
// docs/perf-issue-18.md: most of `get pod X`'s module load).
let printable: RegExp | undefined;
const QUOTE_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/**
 * strconv.Quote (what %q prints): printable runes as they are; \a \b \f \n \r \t \v, \" and \\;
 * other runes below U+0080 as \xNN, up to U+FFFF as \uNNNN, above as \UNNNNNNNN. (A lone
 * surrogate reaches Go as U+FFFD, UTF-8 has no other encoding for it, which is printable.)
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const esc = QUOTE_ESCAPES[ch];
    if (esc) out += esc;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else if (c < 0x80 ? c >= 0x20 && c < 0x7f : (printable ??= /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u).test(ch)) out += ch;
    else if (c < 0x80) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** %#v of a []string: `[]string{"a", "b"}`. */
export function goStringSlice(v: readonly string[]): string {
  return `[]string{${v.map(goQuote).join(', ')}}`;
}

/** Go's string order (bytewise over UTF-8). */
export function byteOrder(a: string, b: string): number {
  // Go compares strings bytewise (UTF-8), i.e. by code points. Code unit order is the same
  // up to the first code unit that differs, and at it too unless one of the two is a
  // surrogate (UTF-8 sorts those above U+E000-U+FFFF): only then are the code points
  // compared. (Spreading both strings into arrays at every comparison was ~1 % of
  // `validate`'s CPU, sorting the corpus's metadata keys.)
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // One a prefix of the other: the shorter first, in code points as in code units.
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if ((x < 0xd800 || x > 0xdfff) && (y < 0xd800 || y > 0xdfff)) return x - y;
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i].codePointAt(0)!;
    const y = cb[i].codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}

const JSON_HTML: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
// A lone surrogate as JSON.stringify escapes it (an even run of backslashes before it).
const ESCAPED_LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * encoding/json string escaping: JSON.stringify's escapes are Go's (\" \\ and \b \f \n \r \t
 * short since Go 1.22, which builds kubectl 1.32; other controls \u00xx); Go also escapes
 * <, >, & and U+2028/U+2029, and writes invalid UTF-8 (a lone surrogate here) as \ufffd.
 * Built on JSON.stringify because strings can be megabytes (last-applied annotations).
 */
export function goJsonString(s: string): string {
  const out = JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => JSON_HTML[c]);
  return out.includes('\\ud') ? out.replace(ESCAPED_LONE_SURROGATE, '$1\\ufffd') : out;
}

/** json.Marshal of a JSON number (float64 uses %f unless the exponent is < -6 or >= 21). */
export function goJsonNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  return JSON.stringify(n);
}

/** encoding/json's word for a decoded JSON value in its type errors: object, array, string, number, bool, null. */
export function goJsonKind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * encoding/json's UnmarshalTypeError: `json: cannot unmarshal string into Go struct field
 * DeploymentSpec.spec.replicas of type int32`, or `... into Go value of type T` with no field.
 * `value` is a goJsonKind word, or `number 1.5` for a number the Go type cannot hold.
 */
export function goUnmarshalTypeError(value: string, goType: string, struct = '', field = ''): string {
  const into = struct || field ? `Go struct field ${struct}.${field}` : 'Go value';
  return `json: cannot unmarshal ${value} into ${into} of type ${goType}`;
}

/** The type apimachinery's serializer decodes a document into first, for its apiVersion and kind (named in its errors). */
export const GO_TYPE_META_PROBE = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/**
 * json.Marshal / json.MarshalIndent(v, "", indent): map keys sorted, HTML escaping.
 * `indent` '' gives the compact form.
 */
export function goJson(v: unknown, indent = '', sortKeys = true, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return goJsonNumber(v);
  if (typeof v === 'bigint') return v.toString(); // an exact int64 (manifest/yaml-compat.ts exactInt)
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const nl = indent === '' ? '' : '\n' + indent.repeat(level + 1);
  const end = indent === '' ? '' : '\n' + indent.repeat(level);
  const sep = indent === '' ? ':' : ': ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${v.map((x) => nl + goJson(x, indent, sortKeys, level + 1)).join(',')}${end}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  if (sortKeys) keys.sort(byteOrder);
  if (keys.length === 0) return '{}';
  return `{${keys.map((k) => nl + goJsonString(k) + sep + goJson(o[k], indent, sortKeys, level + 1)).join(',')}${end}}`;
}

/** Parses JSON, or returns Go's encoding/json syntax error for it. */
export function parseGoJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parseJson(text) }; // int64s exact, as Go's decoder of unstructured JSON keeps them
  } catch {
    return { error: goJsonSyntaxError(text) };
  }
}

/** encoding/json's quoteChar: strconv.Quote's escaping between single quotes. */
function jsonQuoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  return `'${goQuote(c).slice(1, -1)}'`;
}

/** encoding/json's scanner messages for the first syntax error in `s`. */
export function goJsonSyntaxError(s: string): string {
  let i = 0;
  const ws = () => {
    while (i < s.length && ' \t\r\n'.includes(s[i])) i++;
  };
  const fail = (context: string): never => {
    if (i >= s.length) throw new Error('unexpected end of JSON input');
    throw new Error(`invalid character ${jsonQuoteChar(s[i])} ${context}`);
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= s.length) fail('');
      if (s[i] !== word[k]) fail(`in literal ${word} (expecting ${jsonQuoteChar(word[k])})`);
    }
  };
  const str = () => {
    i++; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') i += 2;
      else if (s.charCodeAt(i) < 0x20) fail('in string literal');
      else i++;
    }
    if (i >= s.length) fail('');
    i++;
  };
  const num = () => {
    if (s[i] === '-') i++;
    if (!/[0-9]/.test(s[i] ?? '')) fail('in numeric literal');
    while (/[0-9.eE+-]/.test(s[i] ?? '')) i++;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail('looking for beginning of object key string');
        str();
        ws();
        if (s[i] !== ':') fail('after object key');
        i++;
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return;
        }
        fail('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return;
        }
        fail('after array element');
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || /[0-9]/.test(c ?? '')) return num();
    fail('looking for beginning of value');
  };
  try {
    value();
    ws();
    if (i < s.length) fail('after top-level value');
    return 'unexpected end of JSON input';
  } catch (e) {
    return (e as Error).message;
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * base64.StdEncoding.Decode's error for a text (encoding/json's []byte): `illegal base64 data at
 * input byte N` at the byte decodeQuantum stops on (padding required, CR and LF skipped), or undefined.
 */
export function goBase64Error(text: string): string | undefined {
  const src = Buffer.from(text, 'utf8');
  const corrupt = (at: number) => `illegal base64 data at input byte ${at}`;
  const newline = (c: number) => c === 0x0a || c === 0x0d;
  let si = 0;
  while (si < src.length) {
    // One quantum of four characters.
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return corrupt(si - j);
      }
      const c = src[si++];
      if (c < 0x80 && BASE64.includes(String.fromCharCode(c))) continue;
      if (newline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) return corrupt(si - 1);
      if (j === 2) {
        // "==" expected, the first one read.
        while (si < src.length && newline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && newline(src[si])) si++;
      return si < src.length ? corrupt(si) : undefined;
    }
  }
  return undefined;
}
