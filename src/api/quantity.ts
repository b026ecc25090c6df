// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource.Quantity): the one
// parser (a port of resource.ParseQuantity, with its errors) into an exact decimal (bigint
// mantissa × 10^scale), the canonical String(), Value()/MilliValue(), Add, Cmp and
// AsApproximateFloat64. The API's validation, the scheduler, quota, top and describe all use it.

import { goJsonNumber, goQuote } from '../util/go-format';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = mantissa × 10^scale */
  mantissa: bigint;
  scale: number;
  format: QuantityFormat;
}

/** resource.ParseQuantity's errors (ErrFormatWrong, ErrSuffix). */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** A text that is no quantity; the message is ParseQuantity's error. */
export class QuantityError extends Error {
  constructor(readonly input: unknown, message: string) {
    super(message);
  }
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIXES).map(([k, v]) => [v, k]));
const BINARY_BY_EXP = new Map(Object.entries(BINARY_SUFFIXES).map(([k, v]) => [v, k]));

/** resource.MaxMilliValue (MaxInt64 / 1000): past it values are compared in whole units, not thousandths. */
export const MAX_MILLI_VALUE = 9223372036854775;

export const ZERO: Quantity = { mantissa: 0n, scale: 0, format: 'DecimalSI' };

/** maxAllowed (MaxInt64): ParseQuantity caps a BinarySI value's magnitude at it. */
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * The widest gap between two values' scales bridged exactly (10^gap computed): `1e999999999`
 * is a valid quantity, and lining it up with `1` digit by digit would take a billion digits.
 */
const MAX_EXACT_GAP = 10_000;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * resource.ParseQuantity step by step (parseQuantityString, then the suffix lookup): its error
 * text, or the quantity and the text its String() prints. Go keeps the text as written when its
 * fast path finds it canonical enough (`1.`, `+1`, `1E3`, `1Ki` stay so); anything else prints
 * canonically. Exponents wrap to int32 as Go's do. Texts without digits (`.`, `-`, `Ki`) are 0.
 */
export function goParseQuantity(str: string): { error: string } | { quantity: Quantity; text: string } {
  const p = parseParts(str);
  if ('error' in p) return p;
  return { quantity: p.quantity, text: keepsText(p.num, p.denom, p.exponent, p.format) ? str : formatQuantity(p.quantity) };
}

/** goParseQuantity without the text (formatting a `64Mi` was a third of parsing it). */
function parseParts(str: string): { error: string } | { quantity: Quantity; num: string; denom: string; exponent: number; format: QuantityFormat } {
  if (str === '') return { error: QUANTITY_FORMAT_ERROR };
  if (str === '0') return { quantity: ZERO, num: '0', denom: '', exponent: 0, format: 'DecimalSI' };
  const m = /^([+-]?)0*(\d*)(?:\.(\d*))?/.exec(str)!;
  const [, sign, digits, denom = ''] = m;
  const num = digits || '0';
  // The suffix: letters of eEinumkKMGTP, then an optional sign and digits, and nothing after.
  const suf = /^[eEinumkKMGTP]*(?:[-+]?\d*)$/.exec(str.slice(m[0].length));
  if (!suf) return { error: QUANTITY_FORMAT_ERROR };
  const suffix = suf[0];
  let exponent: number;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) [exponent, format] = [DECIMAL_SUFFIXES[suffix], 'DecimalSI'];
  else if (suffix in BINARY_SUFFIXES) [exponent, format] = [BINARY_SUFFIXES[suffix], 'BinarySI'];
  else if (suffix.length > 1 && /^[eE][-+]?\d+$/.test(suffix) && BigInt.asIntN(64, BigInt(suffix.slice(1))) === BigInt(suffix.slice(1))) {
    [exponent, format] = [Number(BigInt.asIntN(32, BigInt(suffix.slice(1)))), 'DecimalExponent'];
  } else return { error: QUANTITY_SUFFIX_ERROR };
  return { quantity: fromDigits(sign === '-', num, denom, exponent, format), num, denom, exponent, format };
}

/** num.denom × 10^exponent (DecimalSI, DecimalExponent) or × 2^exponent (BinarySI), normalized. */
function fromDigits(negative: boolean, num: string, denom: string, exponent: number, format: QuantityFormat): Quantity {
  let mantissa = BigInt(num + denom);
  let scale = -denom.length;
  if (format === 'BinarySI') mantissa *= 2n ** BigInt(exponent);
  else scale += exponent;
  if (negative) mantissa = -mantissa;
  // Precision below nano is rounded away from zero (inf.RoundUp), as the API server does.
  if (scale < -9) {
    const away = mantissa > 0n ? 1n : mantissa < 0n ? -1n : 0n;
    // Past the mantissa's digits the quotient is 0 (and 10^|scale| may be too big to compute).
    if (-9 - scale > mantissa.toString().length) return normalize({ mantissa: away, scale: -9, format });
    const d = pow10(-9 - scale);
    const q = mantissa / d;
    mantissa = mantissa % d === 0n ? q : q + away;
    scale = -9;
  }
  // ParseQuantity caps a BinarySI value's magnitude at MaxInt64 (`10000000Ei` is 9223372036854775807).
  if (format === 'BinarySI' && (negative ? -mantissa : mantissa) > MAX_INT64 * pow10(Math.max(0, -scale))) [mantissa, scale] = [negative ? -MAX_INT64 : MAX_INT64, 0];
  return normalize({ mantissa, scale, format });
}

/**
 * ParseQuantity's fast path: the int64Amount (value × 10^scale) it builds when the number fits,
 * and whether it caches the text as written; undefined when Go falls back to an inf.Dec.
 */
function fastPath(num: string, denom: string, exponent: number, format: QuantityFormat): { value: bigint; scale: number; keepsText: boolean } | undefined {
  const shifted = num + denom;
  if (format === 'BinarySI') {
    if (denom !== '' || exponent < 0 || 15 - num.length - Math.trunc(Math.fround(exponent * 3) / 10) - 1 < 0) return undefined;
    const value = BigInt(shifted);
    const result = value << BigInt(exponent);
    if (result > 2n ** 63n - 1n) return undefined;
    return { value: result, scale: 0, keepsText: exponent % 10 === 0 && (value & 7n) !== 0n };
  }
  const scale = exponent - denom.length;
  if (18 - shifted.length < 0 || scale < -9) return undefined;
  return { value: BigInt(shifted), scale, keepsText: scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0' };
}

function keepsText(num: string, denom: string, exponent: number, format: QuantityFormat): boolean {
  return fastPath(num, denom, exponent, format)?.keepsText ?? false;
}

/** The text Quantity.UnmarshalJSON parses of a decoded value (a string, trimmed, or a JSON number as Go wrote it). */
function quantityInput(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return goJsonNumber(raw);
  if (typeof raw === 'bigint') return raw.toString();
  return undefined;
}

/**
 * What the API server stores of a value it decodes as a Quantity (UnmarshalJSON, then
 * MarshalJSON): its String(), the text ParseQuantity kept (`1e3`, `500m`) else the canonical
 * form (`1000m` -> `1`, `1.5` -> `1500m`, the number 1000 -> `1k`); undefined when it is no quantity.
 */
export function quantityJson(raw: unknown): string | undefined {
  const str = quantityInput(raw);
  const parsed = str === undefined ? undefined : goParseQuantity(str);
  return parsed && 'text' in parsed ? parsed.text : undefined;
}

/**
 * The values canonicalQuantities rewrote, as written, per map holding them: ValidateLimitRange
 * prints the Quantity it decoded from the request (%#v, goQuantitySyntax), whose form depends
 * on the text as written (`1.5Gi` is an inf.Dec, its canonical `1536Mi` is not).
 */
const asWritten = new WeakMap<object, Record<string, unknown>>();

/** Notes `raw` as what `holder[key]` held before it was rewritten as its canonical text. */
export function noteWritten(holder: object, key: string, raw: unknown): void {
  let m = asWritten.get(holder);
  if (!m) asWritten.set(holder, (m = {}));
  m[key] = raw;
}

/** `map` with each value as the request wrote it (the same object when none was rewritten). */
export function writtenValues(map: Record<string, unknown>): Record<string, unknown> {
  const m = asWritten.get(map);
  return m ? { ...map, ...m } : map;
}

/** Quantity.String() of a value as an object holds it: the text ParseQuantity kept, else the canonical form ('0' for none). */
export function quantityString(raw: unknown): string {
  return quantityJson(raw) ?? '0';
}

/**
 * Go's %#v of the resource.Quantity a decoded value becomes, as a field error prints a Quantity
 * it holds by value (its String() has a pointer receiver, so fmt does not use it): e.g.
 * `resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}`.
 * A value past the int64 fast path (a fraction of a binary suffix, `1.5Gi`; more digits than
 * an int64 holds) lives in an *inf.Dec, which %#v prints as its heap address
 * (`(*inf.Dec)(0xc000a1b2c0)`): a different one in each API server process and request, so no
 * client can rely on it and kubesim cannot match it; it prints an address of that shape. The
 * rest is matched: the zero int64Amount, no cached text, and ParseQuantity's format, BinarySI
 * turned DecimalSI for a value between 0 and 1.
 */
export function goQuantitySyntax(raw: unknown): string {
  const str = quantityInput(raw) ?? '';
  const show = (value: bigint, scale: number, dec: string, s: string, format: QuantityFormat) =>
    `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(${dec})}, s:${goQuote(s)}, Format:${goQuote(format)}}`;
  if (str === '0') return show(0n, 0, 'nil', '0', 'DecimalSI');
  const p = parsePartsMemo(str);
  if ('error' in p) return show(0n, 0, 'nil', '', 'DecimalSI');
  const fast = fastPath(p.num, p.denom, p.exponent, p.format);
  if (!fast) {
    const { mantissa, scale } = p.quantity;
    const belowOne = mantissa !== 0n && scale < 0 && (mantissa < 0n ? -mantissa : mantissa) < pow10(-scale);
    return show(0n, 0, '0xc000a0c000', '', p.format === 'BinarySI' && belowOne ? 'DecimalSI' : p.format);
  }
  const value = p.quantity.mantissa < 0n ? -fast.value : fast.value;
  return show(value, fast.scale, 'nil', fast.keepsText ? str : '', p.format);
}

/** True when ParseQuantity accepts `s` as it is. */
export function isQuantity(s: string): boolean {
  return !('error' in parseParts(s));
}

/**
 * A quantity as an object holds it, decoded the way Quantity.UnmarshalJSON does (a string,
 * trimmed, or a JSON number); undefined when it is no quantity.
 */
export function parseQuantity(input: unknown): Quantity | undefined {
  const parsed = decode(input);
  return 'error' in parsed ? undefined : parsed.quantity;
}

/** parseQuantity, throwing QuantityError (with ParseQuantity's message) for what is no quantity. */
export function mustParseQuantity(input: unknown): Quantity {
  const parsed = decode(input);
  if ('error' in parsed) throw new QuantityError(input, parsed.error);
  return parsed.quantity;
}

/**
 * parseParts of texts seen before: manifests repeat a few quantities (`100m`, `64Mi`) in every
 * container, and parsing one (bigint arithmetic) was ~2 % of `validate` of a tree of
 * generated manifests (round 80 of docs/perf-issue-18.md). Results are shared, so frozen;
 * the table is emptied when it holds MEMO_MAX texts.
 */
const memo = new Map<string, ReturnType<typeof parseParts>>();
const MEMO_MAX = 1024;

function parsePartsMemo(str: string): ReturnType<typeof parseParts> {
  let r = memo.get(str);
  if (r === undefined) {
    if (memo.size >= MEMO_MAX) memo.clear();
    r = parseParts(str);
    if ('quantity' in r) Object.freeze(r.quantity);
    memo.set(str, Object.freeze(r));
  }
  return r;
}

function decode(input: unknown): ReturnType<typeof parseParts> {
  if (typeof input === 'string') return parsePartsMemo(input.trim());
  if ((typeof input === 'number' && Number.isFinite(input)) || typeof input === 'bigint') return parseParts(String(input));
  return { error: QUANTITY_FORMAT_ERROR };
}

/** resource.NewQuantity: an integer value in the given format. */
export function newQuantity(value: number | bigint, format: QuantityFormat): Quantity {
  return normalize({ mantissa: BigInt(value), scale: 0, format });
}

function normalize(q: Quantity): Quantity {
  let { mantissa, scale } = q;
  if (mantissa === 0n) return { mantissa: 0n, scale: 0, format: q.format };
  for (let i = 0; mantissa % 10n === 0n; i++) {
    if (i === 32) return trailingZerosOff(mantissa, scale, q.format);
    mantissa /= 10n;
    scale++;
  }
  return { mantissa, scale, format: q.format };
}

/**
 * normalize past 32 trailing zeros: counted in the text, as dividing by 10 once per zero is
 * quadratic (`1` and 200,000 zeros: 33 s); for a few, dividing is twice as fast.
 */
function trailingZerosOff(mantissa: bigint, scale: number, format: QuantityFormat): Quantity {
  const text = mantissa.toString();
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  return { mantissa: BigInt(text.slice(0, end)), scale: scale + text.length - end, format };
}

/** The number of decimal digits of |m|. */
function digitCount(m: bigint): number {
  return (m < 0n ? -m : m).toString().length;
}

/** The value scaled to 10^targetScale, positive values rounded up (Quantity.ScaledValue). */
function scaled(q: Quantity, targetScale: number): bigint {
  const diff = q.scale - targetScale;
  if (diff >= 0) return q.mantissa * pow10(diff);
  // Past the mantissa's digits the quotient is 0 (and 10^-diff may be too big to compute).
  if (-diff > digitCount(q.mantissa)) return q.mantissa > 0n ? 1n : 0n;
  const d = pow10(-diff);
  const r = q.mantissa / d;
  return q.mantissa % d !== 0n && q.mantissa > 0n ? r + 1n : r;
}

/** scaled() as a number: ±Infinity past float64's range, where 10^diff would not be computed. */
function scaledNumber(q: Quantity, targetScale: number): number {
  if (q.mantissa !== 0n && q.scale - targetScale > 400) return q.mantissa > 0n ? Infinity : -Infinity;
  return Number(scaled(q, targetScale));
}

/** Quantity.Value(): whole base units (bytes, cores), rounded up. */
export function value(q: Quantity): number {
  return scaledNumber(q, 0);
}

/** Quantity.MilliValue(): thousandths (millicores), rounded up. */
export function milliValue(q: Quantity): number {
  return scaledNumber(q, -3);
}

/** Quantity.AsApproximateFloat64(): mantissa × Pow10(scale) in float64. */
export function asApproximateFloat64(q: Quantity): number {
  const base = Number(q.mantissa);
  if (q.scale === 0) return base;
  // Go's math.Pow10 of a negative n is 1 / 10^-n.
  return q.scale > 0 ? base * 10 ** q.scale : base * (1 / 10 ** -q.scale);
}

/** CPU in millicores, rounded up like Quantity.MilliValue(): `0.5` -> 500, `100m` -> 100; throws QuantityError. */
export function cpuMillis(s: unknown): number {
  return milliValue(mustParseQuantity(s));
}

/** Memory/storage in bytes, rounded up like Quantity.Value(); throws QuantityError. */
export function bytes(s: unknown): number {
  return value(mustParseQuantity(s));
}

export function isZero(q: Quantity): boolean {
  return q.mantissa === 0n;
}

/**
 * a + b, keeping a's format (Quantity.Add). Terms whose scales are more than MAX_EXACT_GAP
 * apart (`1e999999999` + `1`) sum to the one of larger magnitude: the exact sum would have
 * that many digits, past what any quantity means.
 */
export function add(a: Quantity, b: Quantity): Quantity {
  if (b.mantissa === 0n) return normalize(a);
  if (a.mantissa === 0n || Math.abs(a.scale - b.scale) > MAX_EXACT_GAP) {
    const larger = a.mantissa !== 0n && magnitude(a) >= magnitude(b) ? a : b;
    return { mantissa: larger.mantissa, scale: larger.scale, format: a.format };
  }
  const s = Math.min(a.scale, b.scale);
  return normalize({ mantissa: a.mantissa * pow10(a.scale - s) + b.mantissa * pow10(b.scale - s), scale: s, format: a.format });
}

/** The power of ten just above |q| (|q| < 10^magnitude, ≥ 10^(magnitude-1)); q non-zero. */
function magnitude(q: Quantity): number {
  return digitCount(q.mantissa) + q.scale;
}

export function cmp(a: Quantity, b: Quantity): number {
  if (Math.abs(a.scale - b.scale) > MAX_EXACT_GAP) {
    // Lined up only when of one magnitude (then the gap is at most their digits): signs, then magnitudes decide.
    const sa = a.mantissa > 0n ? 1 : a.mantissa < 0n ? -1 : 0;
    const sb = b.mantissa > 0n ? 1 : b.mantissa < 0n ? -1 : 0;
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    const ma = magnitude(a);
    const mb = magnitude(b);
    if (ma !== mb) return ma > mb ? sa : -sa;
  }
  const s = Math.min(a.scale, b.scale);
  const x = a.mantissa * pow10(a.scale - s);
  const y = b.mantissa * pow10(b.scale - s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.mantissa < 0n ? -q.mantissa : q.mantissa;
    const exact = q.scale >= 0 || abs % pow10(-q.scale) === 0n;
    if (cmp(q, { mantissa: -1024n, scale: 0, format }) > 0 && cmp(q, { mantissa: 1024n, scale: 0, format }) < 0) format = 'DecimalSI';
    else if (!exact) format = 'DecimalSI';
    // A sum past any binary suffix (a BinarySI total plus `1e999999999`) is not written out in bytes.
    else if (q.scale > MAX_EXACT_GAP) format = 'DecimalExponent';
  }
  if (format === 'BinarySI') {
    let v = scaled(q, 0);
    let exp = 0;
    while (v !== 0n && v % 1024n === 0n && exp < 60) {
      v /= 1024n;
      exp += 10;
    }
    // No suffix for 2^0: a whole number of bytes that is no Ki multiple prints plainly (`2000000`, not `2M`).
    return v.toString() + (BINARY_BY_EXP.get(exp) ?? '');
  }
  return formatDecimal(q, format);
}

function formatDecimal(q: Quantity, format: QuantityFormat): string {
  let { mantissa: amount, scale: exponent } = normalize(q);
  const mod = ((exponent % 3) + 3) % 3;
  if (mod === 1) {
    amount *= 10n;
    exponent -= 1;
  } else if (mod === 2) {
    amount *= 100n;
    exponent -= 2;
  }
  if (format === 'DecimalSI') {
    const suffix = DECIMAL_BY_EXP.get(exponent);
    if (suffix !== undefined) return amount.toString() + suffix;
  }
  return exponent === 0 ? amount.toString() : `${amount}e${exponent}`;
}

/** String() of a raw quantity value from an object; unparsable text is shown as is. */
export function canonical(raw: unknown): string {
  const q = parseQuantity(raw);
  return q ? formatQuantity(q) : String(raw ?? '');
}
