// Decoding a JSON value into metav1.ObjectMeta as kube-apiserver v1.32 does for a custom
// resource's metadata and its embedded resources' (apiextensions-apiserver
// schema/objectmeta GetObjectMetaWithOptions: json.Marshal of the map, so keys in Go's sorted
// order, then sigs.k8s.io/json's decoder, a fork of encoding/json). A value of the wrong type
// is saved and decoding goes on (the first one is the error); metav1.Time's UnmarshalJSON
// fails at once, with its own encoding/json's or time.Parse's text and no field context.

import { byteOrder, goJsonNumber, goJsonKind, goQuote, goUnmarshalTypeError } from '../../util/go-format';

type GoType =
  | { k: 'string'; name: string }
  | { k: 'int64' | 'bool' | 'time' | 'raw' }
  | { k: 'map'; name: string }
  | { k: 'slice'; name: string; elem: GoType }
  | { k: 'struct'; name: string; fields: Record<string, GoType> };

const STRING: GoType = { k: 'string', name: 'string' };
const UID: GoType = { k: 'string', name: 'types.UID' };
const INT64: GoType = { k: 'int64' };
const TIME: GoType = { k: 'time' };
const STRING_MAP: GoType = { k: 'map', name: 'map[string]string' };

const OWNER_REFERENCE: GoType = {
  k: 'struct', name: 'OwnerReference',
  fields: { apiVersion: STRING, kind: STRING, name: STRING, uid: UID, controller: { k: 'bool' }, blockOwnerDeletion: { k: 'bool' } },
};
const MANAGED_FIELDS_ENTRY: GoType = {
  k: 'struct', name: 'ManagedFieldsEntry',
  fields: {
    manager: STRING, operation: { k: 'string', name: 'v1.ManagedFieldsOperationType' }, apiVersion: STRING, time: TIME,
    fieldsType: STRING, fieldsV1: { k: 'raw' }, subresource: STRING,
  },
};
const OBJECT_META: GoType & { k: 'struct' } = {
  k: 'struct', name: 'ObjectMeta',
  fields: {
    name: STRING, generateName: STRING, namespace: STRING, selfLink: STRING, uid: UID, resourceVersion: STRING,
    generation: INT64, creationTimestamp: TIME, deletionTimestamp: TIME, deletionGracePeriodSeconds: INT64,
    labels: STRING_MAP, annotations: STRING_MAP,
    ownerReferences: { k: 'slice', name: '[]v1.OwnerReference', elem: OWNER_REFERENCE },
    finalizers: { k: 'slice', name: '[]string', elem: STRING },
    managedFields: { k: 'slice', name: '[]v1.ManagedFieldsEntry', elem: MANAGED_FIELDS_ENTRY },
  },
};

/** ObjectMeta's JSON field names. */
export const OBJECT_META_FIELDS: ReadonlySet<string> = new Set(Object.keys(OBJECT_META.fields));

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

class Immediate {
  constructor(readonly message: string) {}
}

/** The decoder's error context: the innermost struct and the field names down to the value. */
interface Context {
  struct?: string;
  fields: string[];
}

class Decoder {
  saved: string | undefined;
  /** kubectl's encoding/json (Go 1.23) puts the field's context on metav1.Time's own type error; the apiserver's fork does not. */
  constructor(private readonly timeContext = false) {}

  private typeError(value: string, type: string, at: Context): void {
    this.saved ??= goUnmarshalTypeError(value, type, at.struct, at.fields.join('.'));
  }

  decode(v: unknown, t: GoType, at: Context): void {
    if (v === null || t.k === 'raw') return; // null leaves any Go value as it was
    switch (t.k) {
      case 'time':
        if (typeof v !== 'string') throw new Immediate(this.timeContext ? goUnmarshalTypeError(goJsonKind(v), 'string', at.struct, at.fields.join('.')) : goUnmarshalTypeError(goJsonKind(v), 'string'));
        if (!parsesRfc3339(v)) throw new Immediate(rfc3339ParseError(v));
        return;
      case 'string':
        if (typeof v !== 'string') this.typeError(goJsonKind(v), t.name, at);
        return;
      case 'bool':
        if (typeof v !== 'boolean') this.typeError(goJsonKind(v), 'bool', at);
        return;
      case 'int64':
        if (typeof v === 'bigint') return; // exact, and in range (util/exact-json.ts)
        if (typeof v === 'number') {
          if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63) this.typeError(`number ${goJsonNumber(v)}`, 'int64', at);
        } else this.typeError(goJsonKind(v), 'int64', at);
        return;
      case 'map':
        if (!isMap(v)) return this.typeError(goJsonKind(v), t.name, at);
        // A map's keys are not part of the field path.
        for (const k of Object.keys(v).sort(byteOrder)) this.decode(v[k], STRING, at);
        return;
      case 'slice':
        if (!Array.isArray(v)) return this.typeError(goJsonKind(v), t.name, at);
        for (const x of v) this.decode(x, t.elem, at);
        return;
      case 'struct':
        if (!isMap(v)) return this.typeError(goJsonKind(v), `v1.${t.name}`, at);
        for (const k of Object.keys(v).sort(byteOrder)) {
          const f = t.fields[k];
          // Unknown fields are strict decoding's business, case-sensitively.
          if (f && Object.prototype.hasOwnProperty.call(t.fields, k)) this.decode(v[k], f, { struct: t.name, fields: [...at.fields, k] });
        }
    }
  }
}

function decodeError(d: Decoder, metadata: unknown, at: Context): string | undefined {
  try {
    d.decode(metadata, OBJECT_META, at);
  } catch (e) {
    if (e instanceof Immediate) return e.message;
    throw e;
  }
  return d.saved;
}

/** json.Unmarshal's error for metadata that does not decode as ObjectMeta; undefined when it does. */
export function objectMetaDecodeError(metadata: unknown): string | undefined {
  return decodeError(new Decoder(), metadata, { fields: [] });
}

/**
 * kubectl's decoding of an object's metadata (the Builder's unstructured decoder checks it as
 * the field of a metadataOnlyObject, the typed one as its kind's struct field): the error, or undefined.
 */
export function rootMetadataDecodeError(obj: Record<string, unknown>, struct = 'metadataOnlyObject'): string | undefined {
  return decodeError(new Decoder(true), obj.metadata, { struct, fields: ['metadata'] });
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (month: number, year: number) => (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS[month - 1]);

/** Whether time.Parse(time.RFC3339, s) succeeds. */
export const parsesRfc3339 = (s: string): boolean => rfc3339ParseError(s) === '';

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';
const isDigit = (s: string, i: number) => i < s.length && s[i] >= '0' && s[i] <= '9';

/**
 * time.Parse(time.RFC3339, s)'s error (Go's time/format.go parse): the layout's elements in
 * turn, `cannot parse "<rest of value>" as "<element>"`, or a range error. `micro`:
 * RFC3339Micro's (metav1.MicroTime), whose six fractional digits are required.
 */
export function rfc3339ParseError(value: string, micro = false): string {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const cannot = (rest: string, elem: string) => `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`;
  const outOfRange = (what: string) => `parsing time ${goQuote(value)}: ${what} out of range`;
  let rest = value;
  const num = (elem: string, fixed: boolean): number | string => {
    if (!isDigit(rest, 0) || (fixed && !isDigit(rest, 1))) return cannot(rest, elem);
    const n = isDigit(rest, 1) ? 2 : 1;
    const v = Number(rest.slice(0, n));
    rest = rest.slice(n);
    return v;
  };
  const literal = (p: string): string | undefined => {
    if (!rest.startsWith(p)) return cannot(rest, p);
    rest = rest.slice(p.length);
    return undefined;
  };
  if (rest.length < 4 || !isDigit(rest, 0) || !/^\d{4}/.test(rest)) return cannot(rest, '2006');
  const year = Number(rest.slice(0, 4));
  rest = rest.slice(4);
  const steps: [sep: string, elem: string, fixed: boolean, range: (n: number) => string | undefined][] = [
    ['-', '01', true, (n) => (n < 1 || n > 12 ? 'month' : undefined)],
    ['-', '02', true, () => undefined],
    ['T', '15', false, (n) => (n >= 24 ? 'hour' : undefined)],
    [':', '04', true, (n) => (n >= 60 ? 'minute' : undefined)],
    [':', '05', true, (n) => (n >= 60 ? 'second' : undefined)],
  ];
  const got: number[] = [];
  for (const [sep, elem, fixed, range] of steps) {
    const bad = literal(sep);
    if (bad) return bad;
    const n = num(elem, fixed);
    if (typeof n === 'string') return n;
    const r = range(n);
    if (r) return outOfRange(r);
    got.push(n);
  }
  // A fractional second the layout does not name is accepted after the seconds.
  const frac = micro ? /^[.,]\d{6}/.exec(rest) : /^[.,]\d+/.exec(rest);
  if (frac) rest = rest.slice(frac[0].length);
  else if (micro) return cannot(rest, '.000000');
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else {
    const hold = rest;
    if (rest.length < 6 || rest[3] !== ':') return cannot(hold, 'Z07:00');
    // getnum's failure leaves 0; the range checks come before the error, the sign last.
    const two = (s: string) => (/^\d\d$/.test(s) ? Number(s) : undefined);
    const hr = two(rest.slice(1, 3));
    const mm = hr === undefined ? 0 : two(rest.slice(4, 6));
    let range: string | undefined;
    if ((hr ?? 0) > 24) range = 'time zone offset hour';
    if ((mm ?? 0) > 60) range = 'time zone offset minute';
    if (range) return outOfRange(range);
    if (hr === undefined || mm === undefined || (rest[0] !== '+' && rest[0] !== '-')) return cannot(hold, 'Z07:00');
    rest = rest.slice(6);
  }
  if (rest) return `parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}`;
  const [month, day] = got;
  if (day < 1 || day > daysIn(month, year)) return outOfRange('day');
  return '';
}
