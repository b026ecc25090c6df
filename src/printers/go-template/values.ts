// Go template values: JSON data as text/template sees it once kubectl has decoded it
// (integral numbers as int64, others float64), the error classes, Go's truth and type names.

export const NAME = 'output';

// ---------------------------------------------------------------------------------------
// Errors

/** A template that does not parse: message is Go's (`template: output:1: unclosed action`). */
export class GoTemplateParseError extends Error {}

/** A failure while executing: `template: output:1:11: executing "output" at <.a.b>: ...`. */
export class GoTemplateExecError extends Error {}

// ---------------------------------------------------------------------------------------
// Values. JSON data enters as: string, boolean, null, arrays, plain objects; integral
// numbers become int64 (kubectl decodes into unstructured data), others float64.

export type GoIntType = 'int' | 'int64' | 'int32';

export class GoInt {
  constructor(
    readonly n: number,
    readonly type: GoIntType,
    /** An int64 past 2^53 as the object holds it (a bigint): printed exactly; `n` is it rounded, for arithmetic. */
    readonly exact?: bigint,
  ) {}
}

/** undefined = Go's invalid reflect.Value (a missing map key); null = nil. */
export type Val = undefined | null | string | boolean | number | GoInt | Val[] | { [k: string]: Val };

export function fromJson(v: unknown): Val {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? new GoInt(v, 'int64') : v;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return new GoInt(Number(v), 'int64', v);
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const out: { [k: string]: Val } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = fromJson(x);
    return out;
  }
  return String(v);
}

export function isMap(v: Val): v is { [k: string]: Val } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt);
}

export function typeName(v: Val): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (v instanceof GoInt) return v.type;
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

export function truth(v: Val): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoInt) return v.n !== 0;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** An absent final pipeline value (distinct from nil, which Go passes as an argument). */
export const MISSING = Symbol('missing');
export type Final = Val | typeof MISSING;
