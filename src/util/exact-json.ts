// JSON text with int64s kept exact, as kube-apiserver and kubectl keep them (unstructured
// JSON decodes an integer literal as int64): an integer past 2^53 that int64 holds is a
// bigint in memory and its digits in text. JSON.parse/JSON.stringify stay the path for
// everything else: a text is read exactly only when it has a run of 16 digits (the shortest
// integer past 2^53 has 16), and a value is written exactly only when JSON.stringify refuses
// it for a bigint, so ordinary objects pay one regex scan on read and nothing on write.

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** A decoded JSON number: a number, or (an integer past 2^53) an exact int64 bigint. */
export function isJsonNumber(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}
const LONG_DIGITS = /\d{16}/;

/** JSON.parse, with an integer literal past 2^53 that int64 holds read as an exact bigint (Go's float64 for one past int64, as Go does). */
export function parseJson(text: string): any {
  return LONG_DIGITS.test(text) ? parseExact(text) : JSON.parse(text);
}

/**
 * Whether a text may hold a number past float64: a token (not inside a word, such as an image
 * digest's hex) with an exponent of 3 digits, or of 309 digits. Each alternative starts only
 * where a run of digits does, so it is one pass.
 */
export const MAY_BE_PAST_FLOAT64 = /(?<![\w.])[-+]?\d+(?:\.\d*)?[eE][-+]?\d{3,}(?![\w.])|(?<![\w.])\d{309}/;

// A number literal, digits taken atomically ((?=(\d+))\1 never gives any back): one pass, no
// backtracking into a long run of digits.
const NUMBER_LITERAL = /(?<![0-9.])-?(?=(\d+))\1(?:\.(?=(\d+))\2)?(?:[eE][-+]?(?=(\d+))\3)?/g;

/** The first number literal in a JSON text past float64 (`1e400`): Go's decoders refuse it, JSON.parse reads Infinity. */
export function pastFloat64Literal(text: string): string | undefined {
  if (!MAY_BE_PAST_FLOAT64.test(text)) return undefined;
  for (const m of text.matchAll(NUMBER_LITERAL)) {
    if ((m[0].length > 308 || (m[3] !== undefined && m[3].length > 2)) && !Number.isFinite(Number(m[0]))) return m[0];
  }
  return undefined;
}

/** JSON.stringify(v, null, indent), with a bigint written as its digits (Go's encoding/json for an int64). */
export function stringifyJson(v: unknown, indent?: number): string {
  try {
    return JSON.stringify(v, null, indent);
  } catch (e) {
    // V8's words for a bigint ("Do not know how to serialize a BigInt"); a cycle's error stays.
    if (!(e instanceof TypeError) || !/BigInt/.test(e.message)) throw e;
    return writeExact(v, '', indent ? ' '.repeat(indent) : '') ?? 'null';
  }
}

// ---------- the exact reader ----------

const SYNTAX = new Error('json syntax');
const STRING = /"(?:[^"\\\u0000-\u001f]+|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

function parseExact(s: string): unknown {
  let i = 0;
  const ws = () => {
    for (let c = s.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++i));
  };
  const token = (re: RegExp): RegExpExecArray => {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw SYNTAX;
    i = re.lastIndex;
    return m;
  };
  // JSON.parse of the token, not t.slice(1, -1): V8 makes a slice of 13 characters or more a
  // view of its parent, and the parent of a line split from a file is the whole file: one
  // string kept from it (a cached runtime record's container ID) kept all of its text alive.
  const str = (): string => JSON.parse(token(STRING)[0]) as string;
  const word = (w: string, v: unknown): unknown => {
    if (!s.startsWith(w, i)) throw SYNTAX;
    i += w.length;
    return v;
  };
  const value = (): unknown => {
    ws();
    switch (s[i]) {
      case '{': {
        i++;
        const out: Record<string, unknown> = {};
        ws();
        if (s[i] === '}') return i++, out;
        for (;;) {
          ws();
          if (s[i] !== '"') throw SYNTAX;
          const k = str();
          ws();
          if (s[i++] !== ':') throw SYNTAX;
          const v = value();
          // JSON.parse makes "__proto__" an own member, not the prototype.
          if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
          else out[k] = v;
          ws();
          const c = s[i++];
          if (c === '}') return out;
          if (c !== ',') throw SYNTAX;
        }
      }
      case '[': {
        i++;
        const out: unknown[] = [];
        ws();
        if (s[i] === ']') return i++, out;
        for (;;) {
          out.push(value());
          ws();
          const c = s[i++];
          if (c === ']') return out;
          if (c !== ',') throw SYNTAX;
        }
      }
      case '"':
        return str();
      case 't':
        return word('true', true);
      case 'f':
        return word('false', false);
      case 'n':
        return word('null', null);
      default: {
        const m = token(NUMBER);
        const n = Number(m[0]);
        if (m[1] !== undefined || m[2] !== undefined || Number.isSafeInteger(n)) return n;
        const b = BigInt(m[0]);
        return b >= INT64_MIN && b <= INT64_MAX ? b : n;
      }
    }
  };
  try {
    const v = value();
    ws();
    if (i < s.length) throw SYNTAX;
    return v;
  } catch (e) {
    if (e !== SYNTAX) throw e;
    return JSON.parse(s); // not JSON: JSON.parse's own error (it throws)
  }
}

// ---------- the exact writer (JSON.stringify's rules) ----------

function writeExact(v: unknown, at: string, gap: string, key = ''): string | undefined {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(key);
  if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt) v = v.valueOf();
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      return undefined; // undefined, functions, symbols
  }
  if (v === null) return 'null';
  const inner = at + gap;
  const open = gap ? '\n' + inner : '';
  const sep = gap ? ',\n' + inner : ',';
  const close = gap ? '\n' + at : '';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const parts = v.map((x, n) => writeExact(x, inner, gap, String(n)) ?? 'null');
    return `[${open}${parts.join(sep)}${close}]`;
  }
  const parts: string[] = [];
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const t = writeExact(o[k], inner, gap, k);
    if (t !== undefined) parts.push(JSON.stringify(k) + (gap ? ': ' : ':') + t);
  }
  return parts.length ? `{${open}${parts.join(sep)}${close}}` : '{}';
}

/** A JSON value with every object's keys sorted: how Go's json.Marshal writes a map[string]interface{}. */
export function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedKeys((v as Record<string, unknown>)[k]);
  return out;
}
