// Go's text renderings of JSON-decoded values, as kubectl prints them:
// fmt.Sprint (%v), encoding/json (HTML-escaped), and %#v for debug messages.

/** strconv.FormatFloat(f, 'g', -1, 64), which is what %v prints for a float64. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expStr] = f.toExponential().split('e');
  const exp = Number(expStr);
  // Shortest 'g' switches to %e when the exponent is < -4 or >= 6 (eprec is 6).
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return String(f);
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
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  const o = v as Record<string, unknown>;
  return `map[string]interface {}{${Object.keys(o)
    .sort(byteOrder)
    .map((k) => `${goQuote(k)}:${goSharpV(o[k])}`)
    .join(', ')}}`;
}

/** strconv.Quote (printable runes kept, others escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export function byteOrder(a: string, b: string): number {
  // Go compares strings bytewise (UTF-8); for BMP text this matches code unit order
  // except surrogates, which sort above U+E000-U+FFFF in UTF-8. Compare by code points.
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i].codePointAt(0)!;
    const y = cb[i].codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}

/** encoding/json string escaping: HTML-safe (<, >, & escaped) plus U+2028/U+2029. */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/** json.Marshal of a JSON number (float64 uses %f unless the exponent is < -6 or >= 21). */
export function goJsonNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  return JSON.stringify(n);
}

/**
 * json.Marshal / json.MarshalIndent(v, "", indent): map keys sorted, HTML escaping.
 * `indent` '' gives the compact form.
 */
export function goJson(v: unknown, indent = '', sortKeys = true, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return goJsonNumber(v);
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
