// Just enough of apimachinery's resource.Quantity for describe: exact parsing into a
// decimal (bigint mantissa × 10^scale), canonical String(), Value()/MilliValue() and
// addition. Describe output prints quantities the way the API server returns them.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = mantissa × 10^scale */
  mantissa: bigint;
  scale: number;
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIXES).map(([k, v]) => [v, k]));
const BINARY_BY_EXP = new Map(Object.entries(BINARY_SUFFIXES).map(([k, v]) => [v, k]));

export const ZERO: Quantity = { mantissa: 0n, scale: 0, format: 'DecimalSI' };

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Parses "250m", "1.5Gi", "2e3", 3 … Returns undefined when the text is not a quantity. */
export function parseQuantity(input: unknown): Quantity | undefined {
  if (typeof input === 'number') input = String(input);
  if (typeof input !== 'string') return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(input.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, whole, frac = '', exp, suffix = ''] = m;
  let mantissa = BigInt((whole || '0') + frac);
  let scale = -frac.length;
  let format: QuantityFormat = 'DecimalSI';
  if (exp !== undefined) {
    scale += parseInt(exp.slice(1), 10);
    format = 'DecimalExponent';
  } else if (suffix in BINARY_SUFFIXES) {
    mantissa *= 2n ** BigInt(BINARY_SUFFIXES[suffix]);
    format = 'BinarySI';
  } else {
    scale += DECIMAL_SUFFIXES[suffix];
  }
  if (sign === '-') mantissa = -mantissa;
  // Precision below nano is rounded up, as the API server does.
  if (scale < -9) {
    const d = pow10(-9 - scale);
    const q = mantissa / d;
    mantissa = mantissa % d === 0n ? q : mantissa > 0n ? q + 1n : q;
    scale = -9;
  }
  return normalize({ mantissa, scale, format });
}

function normalize(q: Quantity): Quantity {
  let { mantissa, scale } = q;
  if (mantissa === 0n) return { mantissa: 0n, scale: 0, format: q.format };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale++;
  }
  return { mantissa, scale, format: q.format };
}

/** The value scaled to 10^targetScale, rounded up (Quantity.ScaledValue). */
function scaled(q: Quantity, targetScale: number): bigint {
  const diff = q.scale - targetScale;
  if (diff >= 0) return q.mantissa * pow10(diff);
  const d = pow10(-diff);
  const r = q.mantissa / d;
  return q.mantissa % d !== 0n && q.mantissa > 0n ? r + 1n : r;
}

export function value(q: Quantity): number {
  return Number(scaled(q, 0));
}

export function milliValue(q: Quantity): number {
  return Number(scaled(q, -3));
}

export function isZero(q: Quantity): boolean {
  return q.mantissa === 0n;
}

/** a + b, keeping a's format (Quantity.Add). */
export function add(a: Quantity, b: Quantity): Quantity {
  const s = Math.min(a.scale, b.scale);
  return normalize({ mantissa: a.mantissa * pow10(a.scale - s) + b.mantissa * pow10(b.scale - s), scale: s, format: a.format });
}

export function cmp(a: Quantity, b: Quantity): number {
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
  }
  if (format === 'BinarySI') {
    let v = scaled(q, 0);
    let exp = 0;
    while (v !== 0n && v % 1024n === 0n && exp < 60) {
      v /= 1024n;
      exp += 10;
    }
    const suffix = BINARY_BY_EXP.get(exp);
    if (suffix !== undefined) return v.toString() + suffix;
    return formatDecimal(q, 'DecimalSI');
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
