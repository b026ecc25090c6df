// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): "500m", "1Gi",
// "1e3", "1.5", "100M". Values are handled as JS numbers in base units (cores, bytes):
// precise enough for a simulator, unlike Go's exact decimal arithmetic.

/** The apiserver's own text for a malformed quantity. */
export const QUANTITY_REGEX_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {
  constructor(readonly input: string) {
    super(QUANTITY_REGEX_MESSAGE);
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

// Sign, digits with at most one dot (".5" and "5." are both valid), then the suffix.
const QUANTITY_RE = /^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(.*)$/;

/** Parses a quantity to base units (`500m` -> 0.5, `1Ki` -> 1024); throws QuantityError. */
export function parseQuantity(s: string | number): number {
  if (typeof s === 'number') {
    if (!Number.isFinite(s)) throw new QuantityError(String(s));
    return s;
  }
  const str = s.trim();
  if (str !== s || str === '') throw new QuantityError(s);
  const m = QUANTITY_RE.exec(str);
  if (!m) throw new QuantityError(s);
  const num = Number(m[1]);
  const suffix = m[2];
  if (Number.isNaN(num)) throw new QuantityError(s);
  let mult: number | undefined = BINARY[suffix] ?? DECIMAL[suffix];
  if (mult === undefined) {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) throw new QuantityError(s);
    mult = 10 ** Number(e[1]);
  }
  return num * mult;
}

/** True when `s` is a well-formed quantity. */
export function isQuantity(s: unknown): boolean {
  if (typeof s !== 'string' && typeof s !== 'number') return false;
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}

/** CPU in millicores, rounded up like Quantity.MilliValue(): `0.5` -> 500, `100m` -> 100. */
export function cpuMillis(s: string | number): number {
  return Math.ceil(Math.round(parseQuantity(s) * 1e9) / 1e6);
}

/** Memory/storage in bytes, rounded up like Quantity.Value(). */
export function bytes(s: string | number): number {
  return Math.ceil(Math.round(parseQuantity(s) * 1e3) / 1e3);
}

/**
 * Canonical text for a value in base units, like Quantity.String(): BinarySI uses the
 * largest exact Ki..Ei suffix (values below 1024 print plainly), DecimalSI the largest exact
 * n..E suffix. `formatQuantity(0.5)` -> "500m", `formatQuantity(2 ** 30, 'BinarySI')` -> "1Gi".
 */
export function formatQuantity(value: number, format: 'DecimalSI' | 'BinarySI' = 'DecimalSI'): string {
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (format === 'BinarySI' && Number.isInteger(abs) && abs >= 1024) {
    for (const suf of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      const q = abs / BINARY[suf];
      if (Number.isInteger(q)) return sign + q + suf;
    }
  }
  for (const suf of ['E', 'P', 'T', 'G', 'M', 'k', '', 'm', 'u', 'n']) {
    const q = abs / DECIMAL[suf];
    const r = Math.round(q);
    // tolerate float noise: 0.1 / 1e-3 = 100.00000000000001
    if (r >= 1 && Math.abs(q - r) < 1e-9 * Math.max(1, r)) return sign + r + suf;
  }
  // Finer than a nanounit: round up to 1n like the apiserver.
  return sign + Math.ceil(abs / 1e-9) + 'n';
}
