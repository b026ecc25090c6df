// The fast manifest reader's pieces that read within one line (src/manifest/fast-yaml.ts
// reads the lines, their indentation and documents): plain scalars typed as the full parser
// types them, quoted scalars, one-line flow collections. Each gives up (throws GIVE_UP) on
// what it leaves to the full parser.

import { Schema, isScalar } from 'yaml';
import { YAML_OPTIONS, exactInt } from './yaml-compat';

/** Thrown inside the fast reader to give up; caught by fastParse only. */
export class GiveUp {}
export const GIVE_UP = new GiveUp();
export function giveUp(): never {
  throw GIVE_UP;
}

// Plain scalars that are not strings; anything starting with a letter and not in this
// table is a string under the YAML 1.2 core schema plus kubesim's YAML 1.1 booleans. Their
// values are written here, so that reading a kubeconfig's `true` does not load the `yaml`
// package for its schema (test/fidelity/kubeconfig-yaml.test.ts checks them against it).
const PLAIN_KEYWORDS = new Map<string, null | boolean>([
  ...['null', 'Null', 'NULL'].map((k) => [k, null] as const),
  ...['true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].map((k) => [k, true] as const),
  ...['false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].map((k) => [k, false] as const),
]);
const DECIMAL_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
// Digits, then letters only, the first not an x (`0xff` is hex): no tag's test matches
// (numbers need digits after an exponent's `e`, a `0b` or a `0o`).
const QUANTITY_LIKE = /^[0-9]+[a-wyzA-WYZ][a-zA-Z]*$/;

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: typeof YAML_OPTIONS) => unknown;
}
let scalarTags: ScalarTag[] | undefined;

/**
 * The value of a plain scalar, typed exactly as the full parser types it: the first tag of
 * the same schema (core + kubesim's YAML 1.1 booleans and octals) whose test matches
 * resolves it, as the `yaml` package's composer does; no tag matches: a string.
 */
export function plainValue(s: string): unknown {
  // Only the keywords above and scalars starting with a digit, sign, dot or ~ can resolve to
  // anything but a string (null, bool, int, float, octal, hex, .inf, .nan).
  const c = s.charCodeAt(0);
  if (c === 44 /* , */ || c === 93 /* ] */ || c === 125 /* } */) giveUp(); // cannot start a plain scalar
  const mayBeTyped = (c >= 48 && c <= 57) || c === 43 /* + */ || c === 45 /* - */ || c === 46 /* . */ || c === 126; /* ~ */
  if (!mayBeTyped) {
    if (s.length > 5) return s; // longer than every keyword
    // Every keyword starts with n, t, y, o or f in either case: most keys (`name` aside) need
    // no hashing for the lookup (a fifth of reading a small manifest was this Map's).
    const l = c | 0x20;
    if (l !== 110 /* n */ && l !== 116 /* t */ && l !== 121 /* y */ && l !== 111 /* o */ && l !== 102 /* f */) return s;
    const k = PLAIN_KEYWORDS.get(s);
    return k === undefined ? s : k;
  }
  // Plain decimal integers (ports, replicas, sizes) are ints in every schema.
  if (DECIMAL_INT.test(s)) return Number(s);
  // Quantities and durations (`100m`, `64Mi`, `30s`) are strings in every schema, and
  // typing them here spares a command that reads nothing else loading the `yaml` package.
  if (QUANTITY_LIKE.test(s)) return s;
  scalarTags ??= (new Schema(YAML_OPTIONS).tags as unknown as ScalarTag[]).filter((t) => t.default === true && t.test);
  const tag = scalarTags.find((t) => t.test!.test(s));
  if (!tag) return s;
  let failed = false;
  const resolved = tag.resolve(s, () => (failed = true), YAML_OPTIONS);
  if (failed) giveUp();
  const v = isScalar(resolved) ? resolved.value : resolved;
  if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') giveUp();
  if (typeof v !== 'number') return v;
  if (!Number.isFinite(v)) giveUp(); // `.inf`, `.nan`: the full parse refuses them, as kubectl does
  return exactInt(s, v);
}

const DQ_SPECIAL = /["\\]/g;
const DQ_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

export function doubleQuoted(line: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    DQ_SPECIAL.lastIndex = i;
    if (!DQ_SPECIAL.test(line)) giveUp(); // continues on the next line
    const j = DQ_SPECIAL.lastIndex - 1;
    out += line.slice(i, j);
    i = j;
    if (line[i] === '"') return [out, i + 1];
    const e = line[i + 1];
    if (e === undefined) giveUp();
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = line.slice(i + 2, i + 2 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) giveUp();
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) giveUp();
      out += String.fromCodePoint(cp);
      i += 2 + len;
      continue;
    }
    const r = DQ_ESCAPES[e];
    if (r === undefined) giveUp();
    out += r;
    i += 2;
  }
}

export function singleQuoted(line: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    const j = line.indexOf("'", i);
    if (j < 0) giveUp();
    out += line.slice(i, j);
    if (line[j + 1] === "'") {
      out += "'";
      i = j + 2;
      continue;
    }
    return [out, j + 1];
  }
}

/** A flow collection that opens and closes on this line. */
export function flow(line: string, start: number, depth: number): [unknown, number] {
  if (depth > 50) giveUp();
  const close = line[start] === '[' ? ']' : '}';
  const isMap = close === '}';
  const seq: unknown[] = [];
  const map: Record<string, unknown> = {};
  let i = start + 1;
  const ws = () => {
    while (line[i] === ' ') i++;
  };
  ws();
  if (line[i] === close) return [isMap ? map : seq, i + 1];
  for (;;) {
    ws();
    let key: string | undefined;
    if (isMap) {
      const [k, e] = flowScalar(line, i, depth, true);
      if (e - i > 1000) giveUp();
      if (typeof k !== 'string' || k === '__proto__' || k === '<<') giveUp();
      key = k;
      i = e;
      ws();
      if (line[i] !== ':') giveUp();
      i++;
      if (line[i] !== ' ') giveUp(); // `a:b` or `a:` forms: left to the full parser
      ws();
    }
    const [v, e] = flowScalar(line, i, depth, false);
    i = e;
    ws();
    if (isMap) {
      if (Object.prototype.hasOwnProperty.call(map, key!)) giveUp();
      map[key!] = v;
    } else seq.push(v);
    if (line[i] === ',') {
      i++;
      ws();
      if (line[i] === close) return [isMap ? map : seq, i + 1]; // trailing comma
      continue;
    }
    if (line[i] === close) return [isMap ? map : seq, i + 1];
    giveUp();
  }
}

function flowScalar(line: string, i: number, depth: number, isKey: boolean): [unknown, number] {
  const ch = line[i];
  if (ch === '"') return doubleQuoted(line, i);
  if (ch === "'") return singleQuoted(line, i);
  if (ch === '[' || ch === '{') {
    if (isKey) giveUp();
    return flow(line, i, depth + 1);
  }
  // `-c` is a plain scalar (a `-` followed by a character that is not a space or an
  // indicator); a lone `-` or `- ` is not.
  const dashScalar = ch === '-' && i + 1 < line.length && !' ,[]{}#'.includes(line[i + 1]);
  if (ch === undefined || ('&*!%@`|>#,]}:?-'.includes(ch) && !dashScalar)) giveUp();
  let e = i;
  while (e < line.length && !',[]{}#'.includes(line[e]) && !(line[e] === ':' && (isKey || line[e + 1] === ' '))) e++;
  if (line[e] === '#' || line[e] === '[' || line[e] === '{') giveUp();
  const raw = line.slice(i, e).trimEnd();
  if (raw === '' || raw.includes('\t') || raw.includes(': ')) giveUp();
  if (!isKey && line[e] === ':') giveUp();
  return [plainValue(raw), e];
}

/**
 * A line of a multi-line flow collection the fast reader joins (flowLines): every quoted
 * scalar closes on it (one spanning lines would fold differently, and hold `#` lines that
 * are not comments), no `#`, no tab; a quote inside a plain scalar is left to the full parser.
 */
export function flowLineOk(t: string): void {
  if (t.includes('#') || t.includes('\t')) giveUp();
  for (let k = 0; k < t.length; k++) {
    const ch = t.charCodeAt(k);
    if (ch !== 34 /* " */ && ch !== 39 /* ' */) continue;
    const before = k === 0 ? 32 : t.charCodeAt(k - 1);
    // A quote opens a scalar only where a token starts.
    if (before !== 32 && before !== 44 /* , */ && before !== 58 /* : */ && before !== 91 /* [ */ && before !== 123 /* { */) giveUp();
    for (k++; ; k++) {
      if (k >= t.length) giveUp(); // continues on the next line
      const d = t.charCodeAt(k);
      if (ch === 34 && d === 92 /* \\ */) k++;
      else if (d === ch) {
        if (ch === 39 && t.charCodeAt(k + 1) === 39) k++; // '' in a single-quoted scalar
        else break;
      }
    }
  }
}

