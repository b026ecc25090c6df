// Go's strconv parsing as the generators call it client-side, with its error texts (the
// apimachinery checks they call are api/validation/string-rules.ts).

/** strconv.Atoi: optional sign, decimal digits, fits in int64. */
export function goAtoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** strconv.ParseUint(s, 10, bits) with its error text. */
export function goParseUint(s: string, bits: number): number | string {
  if (!/^[0-9]+$/.test(s)) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  if (n >= 2 ** bits) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}
