// Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown), as kubectl's typed clients
// send them, decoded into the JSON shape kube-apiserver would have parsed. The decoding is
// driven by a descriptor generated from Kubernetes' own generated.proto files
// (scripts/gen-proto.mjs -> proto/k8s-proto.json), so every k8s.io/api kind is covered.

import descriptor from './proto/k8s-proto.json';
import { parseJson } from '../../util/exact-json';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** [json name, type, 0 optional | 1 repeated | 2 map, map key type, 1 keep a zero value | 2 inline (embedded struct)] */
type Field = [string, string, number, (string | number)?, number?];
interface Message { f: Record<string, Field>; list?: number }
const D = descriptor as unknown as { groups: Record<string, string>; messages: Record<string, Message> };

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';

/** A 64-bit integer as JSON would carry it: a number, or a bigint past 2^53 (kept exact, util/exact-json.ts). */
const exact = (n: bigint): number | bigint => (n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const ZERO_TIME = -62135596800; // Go's zero time.Time, which JSON encodes as null

type Raw = { wire: number; v: bigint | Buffer };

/** Protobuf wire format, one level: field number -> raw values in order. */
function wireFields(buf: Buffer): Map<number, Raw[]> {
  const out = new Map<number, Raw[]>();
  let i = 0;
  const varint = (): bigint => {
    let n = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      n |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return n;
    }
    throw new Error('varint too long');
  };
  const take = (len: number): Buffer => {
    if (i + len > buf.length) throw new Error('truncated field');
    const b = buf.subarray(i, i + len);
    i += len;
    return b;
  };
  while (i < buf.length) {
    const key = varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    let v: bigint | Buffer;
    if (wire === 0) v = varint();
    else if (wire === 2) v = take(Number(varint()));
    else if (wire === 1) v = take(8);
    else if (wire === 5) v = take(4);
    else throw new Error(`unsupported wire type ${wire}`);
    if (!out.has(no)) out.set(no, []);
    out.get(no)!.push({ wire, v });
  }
  return out;
}

function scalar(type: string, r: Raw): unknown {
  if (Buffer.isBuffer(r.v)) {
    if (type === 'string') return r.v.toString('utf8');
    if (type === 'bytes') return r.v.toString('base64');
    if (type === 'double') return r.v.readDoubleLE(0);
    if (type === 'float') return r.v.readFloatLE(0);
    throw new Error(`field of type ${type} has wire type ${r.wire}`);
  }
  const n = r.v;
  switch (type) {
    case 'bool':
      return n !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, n));
    case 'int64':
      return exact(BigInt.asIntN(64, n));
    case 'sint32':
      return Number((n >> 1n) ^ -(n & 1n));
    case 'sint64':
      return exact((n >> 1n) ^ -(n & 1n));
    case 'uint32':
      return Number(n);
    case 'uint64':
      return exact(n);
    default:
      throw new Error(`field of type ${type} has wire type ${r.wire}`);
  }
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

/** Values of a repeated scalar field, packed or not. */
function repeatedScalars(type: string, raws: Raw[]): unknown[] {
  const out: unknown[] = [];
  for (const r of raws) {
    if (Buffer.isBuffer(r.v) && type !== 'string' && type !== 'bytes') {
      // packed: a run of varints (or fixed-width numbers)
      if (type === 'double' || type === 'float') {
        const w = type === 'double' ? 8 : 4;
        for (let k = 0; k + w <= r.v.length; k += w) out.push(scalar(type, { wire: w === 8 ? 1 : 5, v: r.v.subarray(k, k + w) }));
      } else {
        for (const x of packedVarints(r.v)) out.push(scalar(type, x));
      }
    } else out.push(scalar(type, r));
  }
  return out;
}

/** A packed run of varints. */
function packedVarints(b: Buffer): Raw[] {
  const vals: Raw[] = [];
  let i = 0;
  while (i < b.length) {
    let n = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const x = b[i++];
      n |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80) || i >= b.length) break;
    }
    vals.push({ wire: 0, v: n });
  }
  return vals;
}

function rfc3339(seconds: number, micros?: number): string {
  const d = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micros === undefined ? `${d}Z` : `${d}.${String(micros).padStart(6, '0')}Z`;
}

/** Go's time.Duration.String(). */
function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let s: string;
  if (u < 1e9) {
    const [unit, div] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    s = `${trimFrac(u / div)}${unit}`;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    s = `${trimFrac(u / 1e9)}s`;
    if (h || m) s = `${m}m${s}`;
    if (h) s = `${h}h${s}`;
  }
  return neg ? `-${s}` : s;
}
const trimFrac = (x: number) => String(Number(x.toFixed(9)));

/** A message in JSON form; special apimachinery types get their JSON encodings. */
function decodeMessage(type: string, buf: Buffer): unknown {
  const wf = wireFields(buf);
  const one = (no: number) => {
    const vs = wf.get(no);
    return vs?.[vs.length - 1];
  };
  switch (type) {
    case `${META}Time`:
    case `${META}MicroTime`: {
      const secs = one(1) ? Number(scalar('int64', one(1)!)) : 0;
      const nanos = one(2) ? (scalar('int32', one(2)!) as number) : 0;
      if ((secs === ZERO_TIME || !one(1)) && !nanos) return null;
      return type.endsWith('MicroTime') ? rfc3339(secs, Math.floor(nanos / 1000)) : rfc3339(secs);
    }
    case `${META}Duration`:
      return goDuration(one(1) ? Number(scalar('int64', one(1)!)) : 0);
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return one(1) ? scalar('string', one(1)!) : '0';
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
      const t = one(1) ? Number(scalar('int64', one(1)!)) : 0;
      return t === 1 ? (one(3) ? scalar('string', one(3)!) : '') : one(2) ? scalar('int32', one(2)!) : 0;
    }
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case `${META}FieldsV1`: {
      const raw = one(1);
      if (!raw || !Buffer.isBuffer(raw.v) || !raw.v.length) return type.endsWith('FieldsV1') ? {} : null;
      return parseJson(raw.v.toString('utf8'));
    }
  }
  const m = D.messages[type];
  if (!m) throw new Error(`no protobuf descriptor for ${type}`);
  const out: Record<string, unknown> = {};
  for (const [no, raws] of wf) {
    const f = m.f[no];
    if (!f) continue; // unknown fields are dropped, as Go's unmarshaller does
    const [name, ftype, label, keyType, keep] = f;
    const isMsg = !!D.messages[ftype] || ftype.startsWith('k8s.io.');
    if (label === 2) {
      const map: Record<string, unknown> = {};
      for (const r of raws) {
        if (!Buffer.isBuffer(r.v)) continue;
        const kv = wireFields(r.v);
        const k = kv.get(1)?.[0];
        const v = kv.get(2)?.[0];
        const key = k ? String(scalar(typeof keyType === 'string' ? keyType : 'string', k)) : '';
        map[key] = v ? (isMsg ? decodeMessage(ftype, v.v as Buffer) : scalar(ftype, v)) : isMsg ? decodeMessage(ftype, Buffer.alloc(0)) : ftype === 'string' || ftype === 'bytes' ? '' : 0;
      }
      out[name] = map;
    } else if (label === 1) {
      out[name] = isMsg ? raws.map((r) => decodeMessage(ftype, r.v as Buffer)) : repeatedScalars(ftype, raws);
    } else {
      const r = raws[raws.length - 1];
      const v = isMsg ? decodeMessage(ftype, r.v as Buffer) : scalar(ftype, r);
      // Non-pointer Go fields with omitempty are always on the wire; JSON drops their zero.
      // (a zero metav1.Time on the wire is a non-pointer field: Go's JSON writes it as null)
      if (!keep && isZero(v)) continue;
      if (keep === 2 && typeof v === 'object') Object.assign(out, v);
      else out[name] = v;
    }
  }
  // A Go slice or map without omitempty that was empty (so not on the wire) is JSON null.
  for (const [no, [name, , label, , keep]] of Object.entries(m.f)) if (label && keep === 1 && !wf.has(Number(no))) out[name] = null;
  if (m.list) return out.items ?? [];
  return out;
}

/** Decodes a Kubernetes protobuf request body; throws for anything it cannot read. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf message');
  const unknown = wireFields(body.subarray(4));
  const tm = unknown.get(1)?.[0];
  const typeMeta = tm && Buffer.isBuffer(tm.v) ? wireFields(tm.v) : new Map<number, Raw[]>();
  const str = (r: Raw | undefined) => (r && Buffer.isBuffer(r.v) ? r.v.toString('utf8') : undefined);
  const apiVersion = str(typeMeta.get(1)?.[0]);
  const kind = str(typeMeta.get(2)?.[0]);
  // meta.k8s.io kinds (DeleteOptions...) are registered in every group version too.
  const inGroup = apiVersion !== undefined && D.groups[apiVersion];
  const pkg = inGroup && D.messages[`${inGroup}.${kind}`] ? inGroup : META.slice(0, -1);
  if (!apiVersion || !kind || (!inGroup && !apiVersion.startsWith('meta.k8s.io/')) || !D.messages[`${pkg}.${kind}`] || kind === 'Time' || kind === 'MicroTime') throw new Error(`protobuf bodies of ${apiVersion ?? '<none>'}, Kind=${kind ?? '<none>'} are not supported`);
  const raw = unknown.get(2)?.[0];
  const obj = decodeMessage(`${pkg}.${kind}`, raw && Buffer.isBuffer(raw.v) ? raw.v : Buffer.alloc(0)) as Record<string, unknown>;
  return { apiVersion, kind, ...obj };
}
