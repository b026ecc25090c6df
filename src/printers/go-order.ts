// JSON key order of kubectl's typed objects. Verbs that decode into Go structs (`create`,
// `run`, `set image`, `events`, ...) print `-o json` in struct field order (k8s.io/api
// types.go), where unstructured objects (label, annotate, patch) print sorted keys. The order
// is k8s.io/api's own, as the protobuf descriptor records it (src/api/rest/proto/k8s-proto.json,
// scripts/gen-proto.mjs: each message's fields, in Go declaration order); maps (labels, limits,
// matchLabels, ...), raw JSON and kinds it does not know (custom resources) are sorted, as
// Go's encoding/json sorts map keys. A field the object lacks is written as Go writes its zero
// value where encoding/json does (the descriptor's `z`: no omitempty, or a struct).

import descriptor from '../api/rest/proto/k8s-proto.json';
import { sortedKeys } from '../util/exact-json';

/** [json name, type (a map's value type), 0 | 1 repeated | 2 map, a map's key type, 2 = inline, the named Go type (casttype)]. */
export type Field = [string, string, number, number | string, number?, string?];
interface Message {
  f: Record<string, Field>;
  /** The field numbers in Go declaration order, when that is not ascending. */
  o?: number[];
  /** A `+protobuf.nullable` wrapper standing for a Go slice of its `items`. */
  list?: number;
  /**
   * By field number, what Go's encoder writes for a field the object lacks (no omitempty, or
   * a struct, which omitempty never drops): null, 0, "", false, a MarshalJSON's zero, or {}
   * for a struct whose own zeros its message gives (scripts/gen-proto.mjs).
   */
  z?: Record<string, unknown>;
}
type Descriptor = { groups: Record<string, string>; messages: Record<string, Message> };
let descriptorRead: Descriptor | undefined;
/** The descriptor, read on first use (its chunk, dist/lib/k8s-proto.cjs, is loaded then). */
const D = (): Descriptor => (descriptorRead ??= descriptor as unknown as Descriptor);

/** Types whose MarshalJSON writes any JSON as it is. */
const RAW = /\.(?:RawExtension|FieldsV1|JSON)$/;

/** A message's fields in Go order and the zeros of those it may lack, inline members' in their place. */
interface Layout {
  fields: Field[];
  /** By JSON name (see Message.z). */
  zeros: Map<string, unknown>;
  /** The fields by JSON name (no message of k8s.io/api repeats one, inline members included). */
  byName: Map<string, Field>;
}
/** layoutOf's answers: the same for every object of a message (a list of 1,000 pods asks 1,000 times per nested type). */
const layouts = new WeakMap<Message, Layout>();

function layoutOf(msg: Message): Layout {
  let layout = layouts.get(msg);
  if (layout) return layout;
  layout = { fields: [], zeros: new Map(), byName: new Map() };
  for (const n of msg.o ?? Object.keys(msg.f).map(Number)) {
    const f = msg.f[n];
    const inline = f[4] === 2 && D().messages[f[1]];
    if (inline) {
      const member = layoutOf(inline);
      layout.fields.push(...member.fields);
      for (const [name, z] of member.zeros) layout.zeros.set(name, z);
    } else {
      layout.fields.push(f);
      if (msg.z && n in msg.z) layout.zeros.set(f[0], msg.z[n]);
    }
  }
  for (const f of layout.fields) layout.byName.set(f[0], f);
  layouts.set(msg, layout);
  return layout;
}

/** A k8s.io/api message's fields by JSON name, inline members' included (typed decoding); undefined for a type it does not have. */
export function fieldsByName(type: string): Map<string, Field> | undefined {
  const msg = D().messages[type];
  return msg && layoutOf(msg).byName;
}

function ordered(v: unknown, type: string): unknown {
  const msg = D().messages[type];
  if (!msg || RAW.test(type)) return sortedKeys(v);
  if (Array.isArray(v)) return v.map((e) => (msg.list ? ordered(e, msg.f[1][1]) : ordered(e, type)));
  if (!v || typeof v !== 'object') return v; // Time, Quantity, IntOrString: scalars in JSON
  const src = v as Record<string, unknown>;
  const { fields, zeros } = layoutOf(msg);
  const out: Record<string, unknown> = {};
  for (const [name, fieldType, label] of fields) {
    if (name in src) out[name] = label === 2 ? mapOf(src[name], fieldType) : ordered(src[name], fieldType);
    else if (zeros.has(name)) {
      // A struct's zero is written with its own zero fields.
      const zero = zeros.get(name);
      out[name] = zero !== null && typeof zero === 'object' ? ordered({}, fieldType) : zero;
    }
  }
  // Fields the struct does not have keep a stable (sorted) place after the known ones.
  for (const k of Object.keys(src).sort()) if (!(k in out)) out[k] = sortedKeys(src[k]);
  return out;
}

/** A Go map: keys sorted, each value of the map's value type. */
function mapOf(v: unknown, valueType: string): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = ordered((v as Record<string, unknown>)[k], valueType);
  return out;
}

/** The object with its keys in Go struct order, for k8s.io/api's kinds; otherwise undefined. */
export function goOrdered(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  const pkg = typeof obj.apiVersion === 'string' ? D().groups[obj.apiVersion] : undefined;
  const type = pkg && `${pkg}.${String(obj.kind)}`;
  if (!type || !D().messages[type]) return undefined;
  // TypeMeta, inline and first in every kind, is not in the descriptor.
  const { kind, apiVersion, ...rest } = obj;
  return { ...('kind' in obj ? { kind } : {}), ...('apiVersion' in obj ? { apiVersion } : {}), ...(ordered(rest, type) as Record<string, unknown>) };
}

/**
 * What decoding into the kind's Go struct and encoding again makes of `obj` (a k8s.io/api
 * kind): the fields Go writes for what it lacks added, in struct order; any other kind as it is.
 */
export function goTyped<T extends Record<string, unknown>>(obj: T): T {
  return (goOrdered(obj) as T | undefined) ?? obj;
}
