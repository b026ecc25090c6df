// `-o yaml` exactly as kubectl prints it: sigs.k8s.io/yaml (JSON -> go-yaml v2). Keys in
// go-yaml's "natural" order, 2-space indent, sequences not indented under their key,
// YAML 1.1 quoting, literal blocks for multi-line text and folding of long scalars at
// column 80 (go-yaml's best_width).
import { isObject } from '../api/types';
import { goFloat, goJsonNumber } from '../util/go-format';

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

// ---- resolve(): would this text read back as something other than a string? ----

const RESOLVE_MAP = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** strconv.ParseInt/ParseUint(s, 0, 64) succeed? (sign, 0x/0o/0b/0 prefixes). */
function goParsesInt(s: string): boolean {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return false;
  const body = m[2];
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  if (m[1] === '-') return v <= 2n ** 63n;
  return v < 2n ** 64n;
}

function goParsesFloat(s: string): boolean {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return false;
  return Number.isFinite(Number(s));
}

const DIGITS = (n: number): string => `\\d{1,${n}}`;
const TS_RE = [
  new RegExp(`^(\\d{4})-(${DIGITS(2)})-(${DIGITS(2)})[Tt](${DIGITS(2)}):(${DIGITS(2)}):(${DIGITS(2)})(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$`),
  new RegExp(`^(\\d{4})-(${DIGITS(2)})-(${DIGITS(2)}) (${DIGITS(2)}):(${DIGITS(2)}):(${DIGITS(2)})(\\.\\d+)?$`),
  new RegExp(`^(\\d{4})-(${DIGITS(2)})-(${DIGITS(2)})$`),
];

function isTimestamp(s: string): boolean {
  for (const re of TS_RE) {
    const m = re.exec(s);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) continue;
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) continue;
    return true;
  }
  return false;
}

/** True when go-yaml may write `s` as a plain scalar without it resolving to a non-string. */
function resolvesToString(s: string): boolean {
  const first = s === '' ? 'N' : s[0];
  const hinted = /[+\-0-9yYnNtTfFoO~.]/.test(first) || s === '';
  if (!hinted) return true;
  if (RESOLVE_MAP.has(s)) return false;
  if (first === '.') return !goParsesFloat(s);
  if (/[+\-0-9]/.test(first)) {
    if (isTimestamp(s)) return false;
    const plain = s.replace(/_/g, '');
    if (goParsesInt(plain)) return false;
    if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return false;
    if (/^-?0b[01]+$/.test(plain)) return false;
  }
  return true;
}

function isBase60Float(s: string): boolean {
  if (s === '' || !/^[+\-0-9]/.test(s) || !s.includes(':')) return false;
  return BASE60_FLOAT.test(s);
}

// ---- analyze_scalar ----

const isBreakCh = (c: string): boolean => c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlankCh = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** go-yaml's is_printable, per code point. */
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if (cp === 0x0a) return true;
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp >= 0xa0 && cp <= 0xd7ff) return true;
  if (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) return true;
  return false; // tabs, controls, DEL, C1, and everything beyond the BMP
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function analyze(value: string): Analysis {
  if (value.length === 0) return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  const ch = [...value];
  let blockInd = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  let precededByWs = true;
  if (value.startsWith('---') || value.startsWith('...')) blockInd = true;
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i];
    const followedByWs = i + 1 >= ch.length || isBlankCh(ch[i + 1]) || isBreakCh(ch[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockInd = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWs) blockInd = true;
    } else if (c === ':' && followedByWs) blockInd = true;
    else if (c === '#' && precededByWs) blockInd = true;
    if (!isPrintable(c)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === ch.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreakCh(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === ch.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankCh(c) || isBreakCh(c);
  }
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || special) {
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) a.blockPlain = false;
  if (blockInd) a.blockPlain = false;
  return a;
}

// ---- the writer ----

type Style = 'plain' | 'single' | 'double' | 'literal';

class Out {
  text = '';
  column = 0;
  put(s: string): void {
    for (const c of s) {
      this.text += c;
      if (c === '\n') this.column = 0;
      else this.column++;
    }
  }
  indent(n: number): void {
    this.text += '\n' + ' '.repeat(n);
    this.column = n;
  }
}

function chooseStyle(s: string, simpleKey: boolean): Style {
  const canUsePlain = resolvesToString(s) && !isBase60Float(s);
  let style: Style = s.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double';
  const a = analyze(s);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single';
    if (s.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

const ESCAPES: Record<number, string> = {
  0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r',
  0x1b: 'e', 0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
};

/** Writes a string scalar at the current position; `indent` is its continuation indent. */
function writeString(out: Out, s: string, indent: number, simpleKey: boolean): void {
  const style = chooseStyle(s, simpleKey);
  const allowBreaks = !simpleKey;
  const ch = [...s];
  switch (style) {
    case 'plain': {
      let spaces = false;
      for (let i = 0; i < ch.length; i++) {
        const c = ch[i];
        if (c === ' ') {
          if (allowBreaks && !spaces && out.column > BEST_WIDTH && ch[i + 1] !== ' ') out.indent(indent);
          else out.put(c);
          spaces = true;
        } else {
          out.put(c);
          spaces = false;
        }
      }
      return;
    }
    case 'single': {
      out.put("'");
      let spaces = false;
      let breaks = false;
      for (let i = 0; i < ch.length; i++) {
        const c = ch[i];
        if (c === ' ') {
          if (allowBreaks && !spaces && out.column > BEST_WIDTH && i > 0 && i < ch.length - 1 && ch[i + 1] !== ' ') out.indent(indent);
          else out.put(c);
          spaces = true;
        } else if (isBreakCh(c)) {
          if (!breaks && c === '\n') out.put('\n');
          out.put('\n');
          breaks = true;
        } else {
          if (breaks) out.indent(indent);
          if (c === "'") out.put("'");
          out.put(c);
          spaces = false;
          breaks = false;
        }
      }
      out.put("'");
      return;
    }
    case 'double': {
      out.put('"');
      let spaces = false;
      for (let i = 0; i < ch.length; i++) {
        const c = ch[i];
        const cp = c.codePointAt(0)!;
        if (!isPrintable(c) || cp === 0xfeff || isBreakCh(c) || c === '"' || c === '\\') {
          out.put('\\');
          const e = ESCAPES[cp];
          if (e !== undefined) out.put(e);
          else if (cp <= 0xff) out.put('x' + cp.toString(16).toUpperCase().padStart(2, '0'));
          else if (cp <= 0xffff) out.put('u' + cp.toString(16).toUpperCase().padStart(4, '0'));
          else out.put('U' + cp.toString(16).toUpperCase().padStart(8, '0'));
          spaces = false;
        } else if (c === ' ') {
          if (allowBreaks && !spaces && out.column > BEST_WIDTH && i !== 0 && i !== ch.length - 1) {
            out.indent(indent);
            if (ch[i + 1] === ' ') out.put('\\');
          } else out.put(c);
          spaces = true;
        } else {
          out.put(c);
          spaces = false;
        }
      }
      out.put('"');
      return;
    }
    case 'literal': {
      out.put('|');
      if (ch[0] === ' ' || isBreakCh(ch[0])) out.put(String(BEST_INDENT));
      const last = ch[ch.length - 1];
      if (!isBreakCh(last)) out.put('-');
      else if (ch.length === 1 || isBreakCh(ch[ch.length - 2])) out.put('+');
      let breaks = true;
      out.text += '\n';
      out.column = 0;
      for (const c of ch) {
        if (isBreakCh(c)) {
          out.text += '\n';
          out.column = 0;
          breaks = true;
        } else {
          if (breaks) {
            out.text += ' '.repeat(indent);
            out.column = indent;
          }
          out.put(c);
          breaks = false;
        }
      }
      // Output continues on a fresh line; a trailing break already ended the last one.
      if (!isBreakCh(last)) {
        /* the caller's newline ends it */
      } else {
        out.text = out.text.slice(0, -1);
      }
      return;
    }
  }
}

function scalarText(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v).toString();
    // JSONToYAML re-reads the float's JSON digits: go-yaml takes those uint64 holds as an int.
    if (v >= 2 ** 63 && v < 2 ** 64) return goJsonNumber(v);
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return goFloat(v);
  }
  return undefined;
}

const isEmptyCollection = (v: unknown): boolean =>
  (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).filter((k) => v[k] !== undefined).length === 0);

const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigitCh = (c: string | undefined): boolean => c !== undefined && /^\p{Nd}$/u.test(c);

/** go-yaml v2 keyList.Less for string keys: letters after non-letters, digit runs numerically. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigitCh(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigitCh(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai].codePointAt(0)! - 48);
    for (; bi < br.length && isDigitCh(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi].codePointAt(0)! - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
}

/** Writes a value that follows "key:" or "- " (the cursor is right after the indicator). */
function writeValue(out: Out, v: unknown, indent: number, inSequence: boolean): void {
  const s = scalarText(v);
  if (s !== undefined) {
    out.put(' ' + s);
    return;
  }
  if (typeof v === 'string') {
    out.put(' ');
    writeString(out, v, indent + BEST_INDENT, false);
    return;
  }
  if (isEmptyCollection(v)) {
    out.put(Array.isArray(v) ? ' []' : ' {}');
    return;
  }
  if (Array.isArray(v)) {
    // Sequences in a mapping are indentless; inside a sequence they nest by 2.
    const ind = inSequence ? indent + BEST_INDENT : indent;
    writeSequence(out, v, ind, inSequence);
    return;
  }
  writeMapping(out, v as Record<string, unknown>, indent + BEST_INDENT, inSequence);
}

function writeMapping(out: Out, o: Record<string, unknown>, indent: number, firstInline: boolean): void {
  sortedKeys(o).forEach((k, i) => {
    if (i === 0 && firstInline) out.put(' ');
    else out.indent(indent);
    writeString(out, k, indent + BEST_INDENT, true);
    out.put(':');
    writeValue(out, o[k], indent, false);
  });
}

function writeSequence(out: Out, a: unknown[], indent: number, firstInline: boolean): void {
  a.forEach((item, i) => {
    if (i === 0 && firstInline) out.put(' ');
    else out.indent(indent);
    out.put('-');
    writeValue(out, item, indent, true);
  });
}

/** The YAML kubectl prints for a JSON-like value (ends with a newline). */
export function toYaml(obj: unknown): string {
  const out = new Out();
  const s = scalarText(obj);
  if (s !== undefined) return s + '\n';
  if (typeof obj === 'string') {
    writeString(out, obj, 0, false);
    return out.text + '\n';
  }
  if (isEmptyCollection(obj)) return Array.isArray(obj) ? '[]\n' : '{}\n';
  if (Array.isArray(obj)) writeSequence(out, obj, 0, false);
  else writeMapping(out, obj as Record<string, unknown>, 0, false);
  // Every block starts with a newline from out.indent(); drop the first one.
  return out.text.replace(/^\n/, '') + '\n';
}
