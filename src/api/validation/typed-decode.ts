// kubectl's typed decoding of a -f object (the set verbs' Builder decodes each document into
// its kind's Go struct with sigs.k8s.io/json): encoding/json's first type error, keys in the
// order YAMLToJSON writes them (sorted). The Go types are those of k8s.io/api as the protobuf
// descriptor records them (src/api/rest/proto/k8s-proto.json). Not modelled: named string
// types (`v1.Protocol` is reported as `string`) and the types with their own UnmarshalJSON
// (Quantity, IntOrString, Time, RawExtension), whose values are left unchecked.

import descriptor from '../rest/proto/k8s-proto.json';
import { rootMetadataDecodeError } from './object-meta-decode';
import { byteOrder, goJsonKind, goJsonNumber, goUnmarshalTypeError } from '../../util/go-format';

/** [json name, type (a map's value type), 0 | 1 repeated | 2 map, a map's key type, 2 = inline]. */
type Field = [string, string, number, number | string, number?];
interface Message {
  f: Record<string, Field>;
}
type Descriptor = { groups: Record<string, string>; messages: Record<string, Message> };
let descriptorRead: Descriptor | undefined;
/** The descriptor, read on first use: its chunk (dist/lib/k8s-proto.cjs) is not loaded by every verb that imports this module. */
const D = (): Descriptor => (descriptorRead ??= descriptor as unknown as Descriptor);

const SCALARS: Record<string, string> = { int32: 'int32', int64: 'int64', bool: 'bool', string: 'string', double: 'float64', float: 'float32' };
/** Types decoded by their own UnmarshalJSON (or raw): not checked here. */
const OPAQUE = /\.(?:Quantity|IntOrString|Time|MicroTime|RawExtension|FieldsV1|JSON|Duration)$/;

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `v1.Container` for k8s.io.api.core.v1.Container. */
function goName(type: string): string {
  if (SCALARS[type]) return SCALARS[type];
  if (type === 'bytes') return '[]uint8';
  const parts = type.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function fieldsOf(type: string, into = new Map<string, Field>()): Map<string, Field> {
  for (const f of Object.values(D().messages[type]?.f ?? {})) {
    if (f[4] === 2) fieldsOf(f[1], into);
    else if (!into.has(f[0])) into.set(f[0], f);
  }
  return into;
}

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** An UnmarshalJSON's error: decoding stops there. */
class Immediate {
  constructor(readonly message: string) {}
}

class Walker {
  saved: string | undefined;

  private error(value: string, type: string, struct: string, path: string[]): void {
    this.saved ??= goUnmarshalTypeError(value, type, struct, path.join('.'));
  }

  value(v: unknown, type: string, struct: string, path: string[]): void {
    // Quantity.UnmarshalJSON parses anything but a string as the quantity's text, and fails at once.
    if (type.endsWith('.Quantity') && v !== null && typeof v === 'object') throw new Immediate(QUANTITY_FORMAT);
    if (typeof v === 'boolean' && type.endsWith('.Quantity')) throw new Immediate(QUANTITY_FORMAT);
    if (v === null || v === undefined || OPAQUE.test(type) || type === 'bytes') return;
    const scalar = SCALARS[type];
    if (scalar) {
      if (scalar === 'string' && typeof v !== 'string') return this.error(goJsonKind(v), scalar, struct, path);
      if (scalar === 'bool' && typeof v !== 'boolean') return this.error(goJsonKind(v), scalar, struct, path);
      if (scalar.startsWith('float') && typeof v !== 'number' && typeof v !== 'bigint') return this.error(goJsonKind(v), scalar, struct, path);
      if (scalar.startsWith('int')) {
        if (typeof v !== 'number' && typeof v !== 'bigint') return this.error(goJsonKind(v), scalar, struct, path);
        const bits = scalar === 'int32' ? 31n : 63n;
        const fits = typeof v === 'bigint' ? v >= -(2n ** bits) && v < 2n ** bits : Number.isInteger(v) && v >= -(2 ** Number(bits)) && v < 2 ** Number(bits);
        if (!fits) this.error(`number ${typeof v === 'bigint' ? v.toString() : goJsonNumber(v)}`, scalar, struct, path);
      }
      return;
    }
    if (!D().messages[type]) return;
    if (!isMap(v)) return this.error(goJsonKind(v), goName(type), struct, path);
    const fields = fieldsOf(type);
    const own = type.split('.').pop()!;
    for (const k of Object.keys(v).sort(byteOrder)) {
      const f = fields.get(k);
      if (f) this.field(v[k], f, own, [...path, k]);
    }
  }

  field(v: unknown, f: Field, struct: string, path: string[]): void {
    if (v === null || v === undefined) return;
    if (f[2] === 1) {
      if (!Array.isArray(v)) return this.error(goJsonKind(v), `[]${goName(f[1])}`, struct, path);
      for (const x of v) this.value(x, f[1], struct, path);
    } else if (f[2] === 2) {
      if (!isMap(v)) return this.error(goJsonKind(v), `map[string]${goName(f[1])}`, struct, path);
      for (const k of Object.keys(v).sort(byteOrder)) this.value(v[k], f[1], struct, path);
    } else this.value(v, f[1], struct, path);
  }
}

/**
 * The first error decoding `obj` into its kind's Go struct (metadata as ObjectMeta, then the
 * other fields); undefined when it decodes, or when the kind is not a k8s.io/api type.
 */
export function typedDecodeError(obj: Record<string, unknown>): string | undefined {
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const meta = rootMetadataDecodeError(obj, kind);
  if (meta) return meta;
  const pkg = typeof obj.apiVersion === 'string' ? D().groups[obj.apiVersion] : undefined;
  const type = pkg && `${pkg}.${kind}`;
  if (!type || !D().messages[type]) return undefined;
  const w = new Walker();
  const fields = fieldsOf(type);
  try {
    for (const k of Object.keys(obj).sort(byteOrder)) {
      const f = fields.get(k);
      if (f && k !== 'metadata') w.field(obj[k], f, kind, [k]);
    }
  } catch (e) {
    if (e instanceof Immediate) return e.message;
    throw e;
  }
  return w.saved;
}
