// /openapi/v2 as protobuf: the gnostic OpenAPIv2 Document message
// (github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto) that client-go's
// OpenAPISchema() and kubectl's fallback paths ask for, encoded from the same Swagger JSON
// the server serves. Vendor extensions, defaults and enums travel as YAML text in
// `Any.yaml`, as gnostic carries them. A one-element allOf around a $ref is sent as the
// $ref itself, as kube-apiserver's v2 document has it.

import { stringify } from 'yaml';

/** What clients ask for (the '@' form is the deprecated one kubectl still sends) and the type of the answer (kube-openapi's handler). */
export const OPENAPI_V2_PROTO_TYPES = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
export const OPENAPI_V2_PROTO = OPENAPI_V2_PROTO_TYPES[1];

type Json = Record<string, unknown>;

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
const str = (field: number, s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([key(field, 2), varint(b.length), b]);
};
const msg = (field: number, parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([key(field, 2), varint(body.length), body]);
};
const bool = (field: number, v: boolean): Buffer => Buffer.concat([key(field, 0), varint(v ? 1 : 0)]);
const int64 = (field: number, n: number): Buffer => Buffer.concat([key(field, 0), varint(n)]);
const double = (field: number, n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return Buffer.concat([key(field, 1), b]);
};
/** gnostic's Any: the value as YAML text (field 2). */
const anyYaml = (field: number, v: unknown): Buffer => msg(field, [str(2, stringify(v))]);

function vendorExtensions(field: number, o: Json): Buffer[] {
  return Object.keys(o).filter((k) => k.startsWith('x-')).map((k) => msg(field, [str(1, k), anyYaml(2, o[k])]));
}

function schema(s: Json): Buffer[] {
  const out: Buffer[] = [];
  const allOf = Array.isArray(s.allOf) ? (s.allOf as Json[]) : [];
  const ref = typeof s.$ref === 'string' ? s.$ref : allOf.length === 1 && typeof allOf[0].$ref === 'string' && s.type === undefined && s.properties === undefined ? (allOf[0].$ref as string) : undefined;
  if (ref) out.push(str(1, ref));
  if (typeof s.format === 'string') out.push(str(2, s.format));
  if (typeof s.title === 'string') out.push(str(3, s.title));
  if (typeof s.description === 'string') out.push(str(4, s.description));
  if (s.default !== undefined && !ref) out.push(anyYaml(5, s.default));
  if (typeof s.multipleOf === 'number') out.push(double(6, s.multipleOf));
  if (typeof s.maximum === 'number') out.push(double(7, s.maximum));
  if (s.exclusiveMaximum === true) out.push(bool(8, true));
  if (typeof s.minimum === 'number') out.push(double(9, s.minimum));
  if (s.exclusiveMinimum === true) out.push(bool(10, true));
  const ints: [string, number][] = [['maxLength', 11], ['minLength', 12], ['maxItems', 14], ['minItems', 15], ['maxProperties', 17], ['minProperties', 18]];
  for (const [name, field] of ints) if (typeof s[name] === 'number') out.push(int64(field, s[name] as number));
  if (typeof s.pattern === 'string') out.push(str(13, s.pattern));
  if (s.uniqueItems === true) out.push(bool(16, true));
  if (Array.isArray(s.required)) for (const r of s.required) out.push(str(19, String(r)));
  if (Array.isArray(s.enum)) for (const e of s.enum) out.push(anyYaml(20, e));
  if (typeof s.additionalProperties === 'boolean') out.push(msg(21, [bool(2, s.additionalProperties)]));
  else if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(msg(21, [msg(1, schema(s.additionalProperties as Json))]));
  if (typeof s.type === 'string') out.push(msg(22, [str(1, s.type)]));
  else if (Array.isArray(s.type)) out.push(msg(22, s.type.map((t) => str(1, String(t)))));
  if (Array.isArray(s.items)) out.push(msg(23, (s.items as Json[]).map((i) => msg(1, schema(i)))));
  else if (s.items && typeof s.items === 'object') out.push(msg(23, [msg(1, schema(s.items as Json))]));
  if (!ref) for (const a of allOf) out.push(msg(24, schema(a)));
  if (s.properties && typeof s.properties === 'object') {
    out.push(msg(25, Object.entries(s.properties as Record<string, Json>).map(([name, p]) => msg(1, [str(1, name), msg(2, schema(p))]))));
  }
  if (s.readOnly === true) out.push(bool(27, true));
  if (s.example !== undefined) out.push(anyYaml(30, s.example));
  out.push(...vendorExtensions(31, s));
  return out;
}

function parameter(p: Json): Buffer {
  // Query, path and header parameters are NonBodyParameter sub-schemas (all kube-apiserver sends here).
  const sub: Buffer[] = [];
  if (p.required === true) sub.push(bool(1, true));
  sub.push(str(2, String(p.in ?? 'query')));
  if (typeof p.description === 'string') sub.push(str(3, p.description));
  sub.push(str(4, String(p.name ?? '')));
  const which = p.in === 'path' ? 4 : p.in === 'header' ? 1 : 3;
  const type = typeof p.type === 'string' ? p.type : typeof (p.schema as Json | undefined)?.type === 'string' ? ((p.schema as Json).type as string) : 'string';
  sub.push(str(which === 3 ? 6 : 5, type));
  if (p.uniqueItems === true || (p.schema as Json | undefined)?.uniqueItems === true) sub.push(bool(which === 3 ? 20 : 19, true));
  return msg(8, [msg(1, [msg(2, [msg(which, sub)])])]);
}

function operation(op: Json): Buffer[] {
  const out: Buffer[] = [];
  if (typeof op.description === 'string') out.push(str(3, op.description));
  if (typeof op.operationId === 'string') out.push(str(5, op.operationId));
  for (const p of (op.parameters as Json[] | undefined) ?? []) out.push(parameter(p));
  out.push(...vendorExtensions(13, op));
  return out;
}

const METHODS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

/** The Swagger 2.0 document `doc` as a gnostic openapi.v2.Document. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = (doc.info ?? {}) as Json;
  const paths = Object.entries((doc.paths ?? {}) as Record<string, Json>).map(([p, item]) =>
    msg(2, [str(1, p), msg(2, METHODS.filter(([m]) => item[m]).map(([m, f]) => msg(f, operation(item[m] as Json))))]),
  );
  const definitions = Object.entries((doc.definitions ?? {}) as Record<string, Json>).map(([name, s]) => msg(1, [str(1, name), msg(2, schema(s))]));
  return Buffer.concat([str(1, String(doc.swagger ?? '2.0')), msg(2, [str(1, String(info.title ?? '')), str(2, String(info.version ?? ''))]), msg(8, paths), msg(9, definitions)]);
}
