// The Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the few request bodies
// kubectl's typed clients send that way (SelfSubjectAccessReview for `auth can-i`,
// SubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview for `auth whoami`,
// Eviction for `drain`; ConfigMap, Secret, Namespace, ServiceAccount for `create`),
// decoded into the same JSON shape a JSON body has. Other kinds get 415.

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, (Buffer | number)[]>;

/** Protobuf wire format, one level: field number -> values (varints or byte strings). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      n += (b & 0x7f) * mul;
      if (!(b & 0x80)) return n;
      mul *= 128;
    }
    throw new Error('varint too long');
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let v: Buffer | number;
    if (wire === 0) v = varint();
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw new Error('truncated field');
      v = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      i += 8;
      continue;
    } else if (wire === 5) {
      i += 4;
      continue;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(v);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const strs = (f: Fields, n: number): string[] => (f.get(n) ?? []).filter(Buffer.isBuffer).map((b) => (b as Buffer).toString('utf8'));
const msg = (f: Fields, n: number): Fields | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};
const num = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0];
  return typeof v === 'number' ? v : undefined;
};

function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length)));
}

/** A proto map<string, string|bytes>: repeated {key = 1, value = 2} entries. */
function map(f: Fields, n: number, bytes = false): Record<string, string> | undefined {
  const entries = (f.get(n) ?? []).filter(Buffer.isBuffer) as Buffer[];
  if (!entries.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e);
    const v = kv.get(2)?.[0];
    out[str(kv, 1) ?? ''] = Buffer.isBuffer(v) ? (bytes ? v.toString('base64') : v.toString('utf8')) : '';
  }
  return out;
}

const bool = (f: Fields, n: number): boolean | undefined => (f.has(n) ? num(f, n) === 1 : undefined);

function meta(f: Fields | undefined): Record<string, unknown> {
  return f ? clean({ name: str(f, 1), generateName: str(f, 2), namespace: str(f, 3), labels: map(f, 11), annotations: map(f, 12), finalizers: strs(f, 14) }) : {};
}

function resourceAttributes(f: Fields | undefined): Record<string, unknown> | undefined {
  if (!f) return undefined;
  return clean({ namespace: str(f, 1), verb: str(f, 2), group: str(f, 3), version: str(f, 4), resource: str(f, 5), subresource: str(f, 6), name: str(f, 7) });
}

function nonResourceAttributes(f: Fields | undefined): Record<string, unknown> | undefined {
  return f ? clean({ path: str(f, 1), verb: str(f, 2) }) : undefined;
}

/** Decodes a protobuf request body of a supported kind; throws for anything else. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf message');
  const unknown = fields(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
  const kind = typeMeta ? str(typeMeta, 2) : undefined;
  const raw = unknown.get(2)?.[0];
  const obj = fields(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0));
  const base = { apiVersion, kind, metadata: meta(msg(obj, 1)) };
  switch (kind) {
    case 'SelfSubjectAccessReview':
    case 'LocalSubjectAccessReview':
    case 'SubjectAccessReview': {
      const spec = msg(obj, 2);
      if (!spec) return { ...base, spec: {} };
      return { ...base, spec: clean({ resourceAttributes: resourceAttributes(msg(spec, 1)), nonResourceAttributes: nonResourceAttributes(msg(spec, 2)), user: str(spec, 3), groups: strs(spec, 4), uid: str(spec, 6) }) };
    }
    case 'SelfSubjectRulesReview': {
      const spec = msg(obj, 2);
      return { ...base, spec: clean({ namespace: spec ? str(spec, 1) : undefined }) };
    }
    case 'SelfSubjectReview':
      return base;
    // kubectl create configmap|secret|namespace|serviceaccount (typed clients).
    case 'ConfigMap':
      return clean({ ...base, data: map(obj, 2), binaryData: map(obj, 3, true), immutable: bool(obj, 4) });
    case 'Secret':
      return clean({ ...base, data: map(obj, 2, true), type: str(obj, 3), stringData: map(obj, 4), immutable: bool(obj, 5) });
    case 'Namespace': {
      const spec = msg(obj, 2);
      return clean({ ...base, spec: spec && strs(spec, 1).length ? { finalizers: strs(spec, 1) } : undefined });
    }
    case 'ServiceAccount':
      return clean({ ...base, automountServiceAccountToken: bool(obj, 4) });
    case 'Eviction': {
      const d = msg(obj, 2);
      const deleteOptions = d ? clean({ gracePeriodSeconds: num(d, 1), propagationPolicy: str(d, 4), dryRun: strs(d, 5) }) : undefined;
      return clean({ ...base, deleteOptions });
    }
    default:
      throw new Error(`protobuf bodies of kind ${kind ?? '<none>'} are not supported`);
  }
}
