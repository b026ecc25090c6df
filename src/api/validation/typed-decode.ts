// kubectl's typed decoding of a -f object (the set verbs' Builder decodes each document into
// its kind's Go struct with sigs.k8s.io/json, a fork of encoding/json): one pass over the JSON
// the decoder reads (a JSON document as written, members in their order and numbers as
// their literal text; YAMLToJSON's output for YAML, keys sorted), metadata included. A value
// of the wrong type is saved and decoding goes on (the first one is the error); a type's own
// UnmarshalJSON (Quantity, IntOrString, Time, MicroTime) fails at once, and its error wins.
// The Go types are those of k8s.io/api as the protobuf descriptor records them
// (src/api/rest/proto/k8s-proto.json), named scalar types from their casttype (`v1.Protocol`).

import descriptor from '../rest/proto/k8s-proto.json';
import { fieldsByName, type Field } from '../../printers/go-order';
import { goParseQuantity, quantityJson } from '../quantity';
import { rfc3339ParseError } from './object-meta-decode';
import { byteOrder, goBase64Error, goJsonNumber, goUnmarshalTypeError } from '../../util/go-format';

type Descriptor = { groups: Record<string, string>; messages: Record<string, unknown> };
let descriptorRead: Descriptor | undefined;
/** The descriptor, read on first use: its chunk (dist/lib/k8s-proto.cjs) is not loaded by every verb that imports this module. */
const D = (): Descriptor => (descriptorRead ??= descriptor as unknown as Descriptor);

const SCALARS: Record<string, string> = { int32: 'int32', int64: 'int64', bool: 'bool', string: 'string', double: 'float64', float: 'float32' };
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
/** Types whose UnmarshalJSON keeps any JSON as it is. */
const RAW = /\.(?:RawExtension|FieldsV1|JSON)$/;

/** A JSON value as encoding/json reads it: members in document order, numbers as their literal text. */
type JNode = { o: [string, JNode][] } | { a: JNode[] } | { n: string } | { s: string } | { b: boolean } | null;

/** encoding/json's word for a value in its type errors. */
function kindOf(v: JNode): string {
  if (v === null) return 'null';
  if ('o' in v) return 'object';
  if ('a' in v) return 'array';
  if ('n' in v) return 'number';
  return 's' in v ? 'string' : 'bool';
}

/** A decoded value as json.Marshal writes it (keys sorted): YAMLToJSON's output. */
function fromValue(v: unknown): JNode {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return { s: v };
  if (typeof v === 'boolean') return { b: v };
  if (typeof v === 'bigint') return { n: v.toString() };
  if (typeof v === 'number') return { n: goJsonNumber(v) };
  if (Array.isArray(v)) return { a: v.map(fromValue) };
  const o = v as Record<string, unknown>;
  return { o: Object.keys(o).filter((k) => o[k] !== undefined).sort(byteOrder).map((k) => [k, fromValue(o[k])]) };
}

/** JSON text as JNodes; undefined when it is not strict JSON (then the parsed value is walked instead). */
function parseJson(text: string): JNode | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const str = (): string => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) throw new SyntaxError();
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (): JNode => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: [string, JNode][] = [];
      ws();
      if (text[i] === '}') return i++, { o };
      for (;;) {
        ws();
        const k = str();
        ws();
        if (text[i++] !== ':') throw new SyntaxError();
        o.push([k, value()]);
        ws();
        if (text[i] === '}') return i++, { o };
        if (text[i++] !== ',') throw new SyntaxError();
      }
    }
    if (c === '[') {
      i++;
      const a: JNode[] = [];
      ws();
      if (text[i] === ']') return i++, { a };
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ']') return i++, { a };
        if (text[i++] !== ',') throw new SyntaxError();
      }
    }
    if (c === '"') return { s: str() };
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(text.slice(i))?.[0];
    if (!lit) throw new SyntaxError();
    i += lit.length;
    return lit === 'null' ? null : lit === 'true' || lit === 'false' ? { b: lit === 'true' } : { n: lit };
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `v1.Container` for k8s.io.api.core.v1.Container. */
function goName(type: string): string {
  if (SCALARS[type]) return SCALARS[type];
  if (type === 'bytes') return '[]uint8';
  const parts = type.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

/** A message's fields by JSON name: go-order's layout of it (memoised, inline members' fields in place). */
const fieldsOf = (type: string): Map<string, Field> => fieldsByName(type) ?? new Map();

/** Whether strconv.ParseInt(text, 10, bits) / ParseFloat(text, bits) reads a JSON number's text. */
function fitsInt(text: string, bits: bigint): boolean {
  return /^-?\d+$/.test(text) && BigInt(text) >= -(2n ** (bits - 1n)) && BigInt(text) < 2n ** (bits - 1n);
}
const fitsFloat = (text: string, bits: number): boolean => Number.isFinite(bits === 32 ? Math.fround(Number(text)) : Number(text));

/** An UnmarshalJSON's error: decoding stops there. */
class Immediate {
  constructor(readonly message: string) {}
}

/** The error context: the innermost struct and the JSON field names down to the value (no indices or map keys). */
interface At {
  struct: string;
  path: string[];
}

class Walker {
  saved: string | undefined;

  private save(value: string, type: string, at: At): void {
    this.saved ??= goUnmarshalTypeError(value, type, at.struct, at.path.join('.'));
  }

  /** encoding/json's type error with the field's context, returned at once (an UnmarshalJSON's inner json.Unmarshal). */
  private immediate(value: string, type: string, at: At): never {
    throw new Immediate(goUnmarshalTypeError(value, type, at.struct, at.path.join('.')));
  }

  /** A value of proto type `type`; `named`: its Go type's name when it is a named scalar (casttype). */
  value(v: JNode, type: string, at: At, named?: string): void {
    if (v === null) return; // null leaves any Go value as it was
    if (type.endsWith('.Quantity')) {
      // Quantity.UnmarshalJSON parses the bytes, one pair of quotes removed, as the quantity's text.
      const text = 's' in v ? v.s : 'n' in v ? v.n : '';
      const parsed = goParseQuantity(text.trim());
      if ('error' in parsed) throw new Immediate(parsed.error);
      return;
    }
    if (type.endsWith('.IntOrString')) {
      // A string is the string form; anything else is decoded as the int32 form.
      if ('s' in v) return;
      if (!('n' in v)) this.immediate(kindOf(v), 'int32', at);
      if (!fitsInt(v.n, 32n)) this.immediate(`number ${v.n}`, 'int32', at);
      return;
    }
    if (type === `${META}Time` || type === `${META}MicroTime`) {
      if (!('s' in v)) this.immediate(kindOf(v), 'string', at);
      const error = rfc3339ParseError(v.s, type.endsWith('MicroTime'));
      if (error) throw new Immediate(error);
      return;
    }
    if (type === 'bytes') {
      // A []byte is a base64 string (or null); its decoding error is saved like a type error.
      if (!('s' in v)) return this.save(kindOf(v), '[]uint8', at);
      const error = goBase64Error(v.s);
      if (error) this.saved ??= error;
      return;
    }
    if (RAW.test(type)) return;
    const scalar = SCALARS[type];
    if (scalar) {
      const name = named ?? scalar;
      if (scalar === 'string' && !('s' in v)) return this.save(kindOf(v), name, at);
      if (scalar === 'bool' && !('b' in v)) return this.save(kindOf(v), name, at);
      if (scalar.startsWith('int') || scalar.startsWith('float')) {
        if (!('n' in v)) return this.save(kindOf(v), name, at);
        const fits = scalar.startsWith('int') ? fitsInt(v.n, BigInt(scalar.slice(3))) : fitsFloat(v.n, Number(scalar.slice(5)));
        if (!fits) this.save(`number ${v.n}`, name, at);
      }
      return;
    }
    if (!D().messages[type]) return;
    if (!('o' in v)) return this.save(kindOf(v), goName(type), at);
    const fields = fieldsOf(type);
    const own = type.split('.').pop()!;
    for (const [k, x] of v.o) {
      const f = fields.get(k);
      if (f) this.field(x, f, { struct: own, path: [...at.path, k] });
    }
  }

  field(v: JNode, f: Field, at: At): void {
    if (v === null) return;
    const [, type, label, , , named] = f;
    if (label === 1) {
      if (!('a' in v)) return this.save(kindOf(v), `[]${named ?? goName(type)}`, at);
      for (const x of v.a) this.value(x, type, at, named);
    } else if (label === 2) {
      if (!('o' in v)) return this.save(kindOf(v), named ?? `map[string]${goName(type)}`, at);
      for (const [, x] of v.o) this.value(x, type, at);
    } else this.value(v, type, at, named);
  }
}

/**
 * The first error decoding `obj` into its kind's Go struct; undefined when it decodes, or when
 * the kind is not a k8s.io/api type. `decoded`: the JSON the decoder reads (ManifestDoc.decoded),
 * else `obj` as YAMLToJSON would write it.
 */
export function typedDecodeError(obj: Record<string, unknown>, decoded?: string): string | undefined {
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const pkg = typeof obj.apiVersion === 'string' ? D().groups[obj.apiVersion] : undefined;
  const type = pkg && `${pkg}.${kind}`;
  if (!type || !D().messages[type]) return undefined;
  const root = (decoded === undefined ? undefined : parseJson(decoded)) ?? fromValue(obj);
  if (root === null || !('o' in root)) return undefined;
  const w = new Walker();
  const fields = fieldsOf(type);
  try {
    for (const [k, x] of root.o) {
      const f = fields.get(k);
      if (f) w.field(x, f, { struct: kind, path: [k] });
    }
  } catch (e) {
    if (e instanceof Immediate) return e.message;
    throw e;
  }
  return w.saved;
}

/** A Quantity as json.Marshal writes it again: its String() (the text ParseQuantity kept, else canonical). */
function quantityText(x: unknown): unknown {
  return quantityJson(x) ?? x;
}

/** Drops, in place, the fields of a value of message `type` that its Go struct has no field for; Quantities re-encoded. */
function dropUnknown(v: unknown, type: string): void {
  if (!D().messages[type] || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) return v.forEach((x) => dropUnknown(x, type));
  const o = v as Record<string, unknown>;
  const fields = fieldsOf(type);
  for (const k of Object.keys(o)) {
    const f = fields.get(k);
    const quantity = f?.[1].endsWith('.Quantity');
    if (!f) delete o[k];
    else if (f[2] === 2 && o[k] !== null && typeof o[k] === 'object') {
      const m = o[k] as Record<string, unknown>;
      for (const key of Object.keys(m)) quantity ? (m[key] = quantityText(m[key])) : dropUnknown(m[key], f[1]);
    } else if (quantity) o[k] = Array.isArray(o[k]) ? (o[k] as unknown[]).map(quantityText) : quantityText(o[k]);
    else dropUnknown(o[k], f[1]);
  }
}

/**
 * What decoding into the kind's Go struct and encoding again keeps of `obj` (kubectl's set
 * verbs print typed objects): the fields the structs have, apiVersion and kind; changed in
 * place. An object whose kind is not a k8s.io/api type is left as it is.
 */
export function dropUnknownFields<T extends Record<string, unknown>>(obj: T): T {
  const pkg = typeof obj.apiVersion === 'string' ? D().groups[obj.apiVersion] : undefined;
  const type = pkg && `${pkg}.${String(obj.kind)}`;
  if (!type || !D().messages[type]) return obj;
  const { apiVersion, kind } = obj;
  dropUnknown(obj, type);
  Object.assign(obj, { apiVersion, kind });
  return obj;
}
