// kubectl reads YAML with go-yaml v2 (via sigs.k8s.io/yaml), which keeps YAML 1.1 habits:
// `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0644` is octal (420), and Go's number forms
// (`1_000`, `0b11`, `-0x1F`) are numbers. Manifests depend on them (`defaultMode: 0644`) and
// kubeconfigs too (`insecure-skip-tls-verify: yes`), so the 1.2 core schema is extended.
import { INT64_MAX, INT64_MIN } from '../util/exact-json';
import { Scalar, visit, type Document, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';

type Tag = NonNullable<Exclude<SchemaOptions['customTags'], ((...a: any[]) => any) | null>>[number];

const bool11 = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (s: string) => new Scalar(/^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(s)),
} as unknown as Tag;

const octal11 = {
  identify: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0[0-7]+$/,
  resolve: (s: string) => parseInt(s, 8),
} as unknown as Tag;

// go-yaml v2 reads a plain scalar that starts with a digit or a sign as a number when, its
// underscores removed, Go's strconv.ParseInt (base 0: 0b, 0o, 0x and 0 prefixes, a sign
// before any of them) or its YAML float pattern accepts it: `1_000`, `0b11`, `-0x1F`, which
// the core schema reads as strings (tried after its tags, so only these are new).
export const GO_INT = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
export const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const goPlain = (s: string) => s.replace(/_/g, '');

/**
 * go-yaml's resolve of a plain scalar's number (v2, and yaml.v3 for kustomize: the same rules):
 * strconv.ParseInt then ParseUint (base 0, underscores dropped) as an exact int, else
 * ParseFloat when it has the YAML float form, and `.inf`/`.nan`; undefined when go-yaml keeps
 * the text a string (an int past uint64 without the float form, a float out of range).
 */
export function goYamlNumber(source: string): { int: bigint } | { float: number } | undefined {
  const plain = goPlain(source);
  if (GO_INT.test(plain)) {
    const digits = plain.replace(/^[-+]/, '');
    const abs = BigInt(/^0[0-7]/.test(digits) ? `0o${digits.slice(1)}` : digits);
    const int = plain.startsWith('-') ? -abs : abs;
    // ParseUint takes no sign: `+` past int64 is not an int.
    if (int >= -(2n ** 63n) && int < (plain.startsWith('+') ? 2n ** 63n : 2n ** 64n)) return { int };
  }
  if (GO_FLOAT.test(plain)) {
    const f = Number(plain);
    return Number.isFinite(f) ? { float: f } : undefined;
  }
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(source)) return { float: source.startsWith('-') ? -Infinity : Infinity };
  if (/^\.(?:nan|NaN|NAN)$/.test(source)) return { float: NaN };
  return undefined;
}

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * An int literal past 2^53 that int64 holds, as a bigint: kubectl's and kube-apiserver's
 * decoders keep int64 fields exact (unstructured JSON keeps ints as int64), so kubesim
 * carries such values as bigints and prints their digits. Anything else (floats, ints past
 * int64, which Go reads as float64) stays the number already read. `uint64`: go-yaml's own
 * reading, where an int past int64 that uint64 holds is exact too (YAMLToJSON writes its digits).
 */
export function exactInt(source: string, value: number, uint64 = false): number | bigint {
  if (!Number.isInteger(value) || Number.isSafeInteger(value)) return value;
  const n = goYamlNumber(source);
  return n && 'int' in n && n.int >= INT64_MIN && n.int <= (uint64 ? UINT64_MAX : INT64_MAX) ? n.int : value;
}

/** `v` with its ints past int64 (keepExactInts' uint64 ones) as the float64 Go's JSON decoders read them; `v` itself when it has none. */
export function withoutUint64(v: unknown): unknown {
  if (typeof v === 'bigint') return v > INT64_MAX ? Number(v) : v;
  if (v === null || typeof v !== 'object') return v;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const [k, x] of Object.entries(v)) {
    const y = withoutUint64(x);
    if (y === x) continue;
    copy ??= Array.isArray(v) ? [...v] : { ...(v as Record<string, unknown>) };
    (copy as Record<string, unknown>)[k] = y;
  }
  return copy ?? v;
}

// The shortest int literal past 2^53: 14 hex digits (0x20000000000000); 16 decimal ones; `_` may separate them.
export const LONG_NUMBER = /[0-9a-fA-F_]{14}/;

/** Plain int scalars past 2^53 become exact bigints (exactInt) before the document is converted. */
export function keepExactInts(doc: Document, uint64 = false): void {
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && node.type === 'PLAIN' && typeof node.source === 'string') node.value = exactInt(node.source, node.value, uint64);
    },
  });
}

/** Whether a value read by JSON.parse holds an int it rounded (past 2^53), or a number past float64 (read as Infinity). */
export function hasUnsafeInteger(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isSafeInteger(v) && (Number.isInteger(v) || !Number.isFinite(v));
  if (v === null || typeof v !== 'object') return false;
  for (const k in v) if (hasUnsafeInteger((v as Record<string, unknown>)[k])) return true;
  return false;
}

/** goYamlNumber as a JS value: a number (an int past 2^53 rounded), or the text itself. */
export function goYamlValue(source: string): number | string {
  const n = goYamlNumber(source);
  return n === undefined ? source : 'int' in n ? Number(n.int) : n.float;
}

// go-yaml keeps a number past float64's range (`1e400`, 400 digits) a string, as it keeps any
// scalar ParseFloat refuses; the core schema's int and float tags would read it as Infinity
// (a ConfigMap's "1e400" became `.inf`, a Deployment's `replicas: 1e400` null, then 1). Tried
// before them.
const pastFloat64 = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:str',
  test: { test: (s: string) => /^[-+]?[.0-9]/.test(s) && GO_FLOAT.test(goPlain(s)) && !Number.isFinite(Number(goPlain(s))) },
  resolve: (s: string) => s,
} as unknown as Tag;

/** A value holding Infinity or NaN (YAML's `.inf`, `.nan`): Go's encoding/json refuses them in YAMLToJSON. */
export function unsupportedFloat(v: unknown, depth = 0): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === null || typeof v !== 'object' || depth > 600) return undefined;
  for (const k in v) {
    const r = unsupportedFloat((v as Record<string, unknown>)[k], depth + 1);
    if (r) return r;
  }
  return undefined;
}

/** Whether a YAML text may hold `.inf` or `.nan` (unsupportedFloat is worth the walk). */
export const MAY_HOLD_INF_NAN = /\.(?:inf|Inf|INF|nan|NaN|NAN)\b/;

const number11 = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'GO',
  // The `yaml` package and the fast reader call test.test(s).
  test: { test: (s: string) => /^[-+0-9]/.test(s) && (GO_INT.test(goPlain(s)) || GO_FLOAT.test(goPlain(s))) },
  resolve: goYamlValue,
} as unknown as Tag;

/** Parser options shared by every manifest read. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  prettyErrors: false,
  uniqueKeys: true,
  merge: true,
  customTags: (tags) => [pastFloat64, bool11, octal11, ...tags, number11],
};

/** Bound on alias expansion: a "billion laughs" document fails instead of exhausting memory. */
export const MAX_ALIAS_COUNT = 1000;
