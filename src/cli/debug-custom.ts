// `debug --custom FILE`: kubectl 1.32 reads the file with json.Unmarshal, else with
// sigs.k8s.io/yaml's Unmarshal, into a v1.Container, and merges json.Marshal of that struct.
// So the file is read as go-yaml v2 reads it (`yes`/`on`/`y` are true, `0777` is 511, the
// last of duplicate keys wins), a bool or number where the Container has a string becomes
// its text (sigs.k8s.io/yaml converts towards the target's type: `workingDir: yes` is
// "true", `1.5` is "1.5", floats as float32's shortest form), a value of the wrong type is
// encoding/json's error, and what the typed struct cannot hold (unknown fields, nulls, the
// zero values of omitempty fields) never reaches the merge. Numbers are go-yaml's: an int
// (int64 or uint64, exact past 2^53) or a float64 (`12345678.0` stays a float, "1.2345678e+07"
// as text), and a float out of range (`1e400`) is a string. Checked against kubectl through
// `kubesim serve` (test/server/debug-copy.test.ts).

import { readFileSync } from 'node:fs';
import { CliError } from '../api/errors';
import { isObject } from '../api/types';
import { formatFloatG, goJsonKind, goJsonNumber, goUnmarshalTypeError } from '../util/go-format';
import { INT64_MAX, INT64_MIN } from '../util/exact-json';
import { goParseQuantity } from '../api/quantity';
import type { JsonSchema, SchemaDocument } from '../api/validation/schema-store';
import { refName } from '../api/validation/schema-walk';

const CONTAINER = 'io.k8s.api.core.v1.Container';
// The schemas say "integer"; the Go types of the Container's integer fields are int32 but these.
const INT64 = new Set(['runAsUser', 'runAsGroup', 'terminationGracePeriodSeconds']);

/** Complete's reading of --custom: the partial container as kubectl merges it, undefined for none. */
export async function readCustomProfile(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`must pass a container spec json file for custom profile: open ${file}: no such file or directory`);
  }
  const invalid = (why: string) => new CliError(`${file} does not contain a valid container spec: ${why}`);
  let spec: unknown;
  try {
    // JSON is read as YAML too: a JSON file whose types do not fit fails json.Unmarshal and is
    // read again as YAML, the same conversions apply to both, and errors are the YAML path's;
    // one that fits decodes as its YAML reading does (its numbers exact).
    spec = await readGoYaml(text);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  if (spec === null || spec === undefined) return undefined; // null, or an empty YAML file: no custom profile
  const wrap = (m: string) => `error unmarshaling JSON: while decoding JSON: ${m}`;
  if (!isObject(spec) || spec instanceof GoNumber) throw invalid(wrap(goUnmarshalTypeError(kindOf(spec), 'v1.Container')));
  const { loadSchemas } = await import('../api/validation/schema-store');
  const doc = (await loadSchemas()).doc;
  try {
    return (new Decoder(doc).value(spec, { $ref: `#/definitions/${CONTAINER}` }, 'Container', []) ?? {}) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof DecodeError) throw invalid(wrap(e.message));
    throw e;
  }
}

class DecodeError extends Error {}

/** A number as go-yaml v2 resolves it: an int (int64, or uint64 above) or a float64. */
class GoNumber {
  constructor(
    readonly int: bigint | undefined,
    readonly float: number,
  ) {}
  /** json.Marshal's text of it, what encoding/json then reads (and quotes in its errors). */
  json(): string {
    return this.int !== undefined ? this.int.toString() : goJsonNumber(this.float);
  }
}

const kindOf = (v: unknown) => (v instanceof GoNumber ? 'number' : goJsonKind(v));

/**
 * The file as sigs.k8s.io/yaml reads it (kubeconfig's YAML 1.1 options), each plain number
 * resolved from its text as go-yaml v2's resolve does: ParseInt or ParseUint (base 0,
 * underscores dropped), else ParseFloat when it has the float form (an overflow leaves the text a string).
 */
async function readGoYaml(text: string): Promise<unknown> {
  const [{ parseDocument, visit }, { KUBECONFIG_YAML }, { goYamlNumber }] = await Promise.all([
    import('yaml'),
    import('../kubeconfig/loader'),
    import('../manifest/yaml-compat'),
  ]);
  const doc = parseDocument(text, KUBECONFIG_YAML);
  if (doc.errors.length) throw doc.errors[0];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'number' || node.type !== 'PLAIN') return;
      const source = String(node.source ?? node.value);
      const n = goYamlNumber(source);
      node.value = n === undefined ? source : 'int' in n ? new GoNumber(n.int, Number(n.int)) : new GoNumber(undefined, n.float);
    },
  });
  return doc.toJS();
}

/** sigs.k8s.io/yaml's text for a scalar decoded into a string: ints in decimal, floats as strconv.FormatFloat(f, 'g', -1, 32). */
function scalarText(v: boolean | GoNumber): string {
  if (typeof v === 'boolean') return String(v);
  if (v.int !== undefined) return v.int.toString();
  return formatFloatG(float32Shortest(v.float));
}

const INT_RANGE = { int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [INT64_MIN, INT64_MAX] } as const;

/** An integer field's value: json.Marshal's number read back into int32/int64 (a bigint past 2^53, kept exact), or undefined when it does not fit. */
function integerOf(n: GoNumber, goType: 'int32' | 'int64'): number | bigint | undefined {
  let int = n.int;
  if (int === undefined) {
    if (!Number.isInteger(n.float)) return undefined;
    int = BigInt(n.float);
  }
  const [min, max] = INT_RANGE[goType];
  if (int < min || int > max) return undefined;
  return Number.isSafeInteger(Number(int)) ? Number(int) : int;
}

/** The shortest decimal that reads back as the same float32. */
function float32Shortest(f: number): number {
  const f32 = Math.fround(f);
  if (!Number.isFinite(f32) || f32 === 0) return f32;
  for (let p = 1; p < 9; p++) {
    const n = Number(f32.toPrecision(p));
    if (Math.fround(n) === f32) return n;
  }
  return Number(f32.toPrecision(9));
}

// The scalar fields in a Container's tree that are pointers in Go (k8s.io/api/core/v1).
const POINTER_DEFS = new Set(['SecurityContext', 'WindowsSecurityContextOptions']);
const POINTER_FIELDS = new Set([
  'Container.restartPolicy', 'Probe.terminationGracePeriodSeconds', 'VolumeMount.recursiveReadOnly', 'VolumeMount.mountPropagation',
  'SeccompProfile.localhostProfile', 'AppArmorProfile.localhostProfile', 'GRPCAction.service', 'ConfigMapKeySelector.optional',
  'SecretKeySelector.optional', 'ConfigMapEnvSource.optional', 'SecretEnvSource.optional',
]);

/** A value decoded into the Go type the schema describes, and marshaled back (undefined: omitted). */
class Decoder {
  constructor(private readonly doc: SchemaDocument) {}

  value(v: unknown, schema: JsonSchema, owner: string, path: string[]): unknown {
    if (v === null || v === undefined) return undefined;
    const ref = refName(schema);
    const s = ref ? this.doc.definitions[ref] ?? {} : schema;
    const fail = (goType: string, shown = kindOf(v)): never => {
      throw new DecodeError(goUnmarshalTypeError(shown, goType, owner, path.join('.')));
    };
    const special = s['x-kubesim-type'];
    if (special === 'quantity') {
      // Quantity.UnmarshalJSON parses any JSON that is not a string as the quantity's text.
      const text = typeof v === 'string' ? v.trim() : v instanceof GoNumber ? v.json() : '';
      const parsed = goParseQuantity(text);
      if ('error' in parsed) throw new DecodeError(parsed.error);
      // json.Marshal writes a Quantity as its String(): canonical (`1024Mi` is `1Gi`) unless ParseQuantity kept the text.
      return parsed.text;
    }
    if (special === 'int-or-string') {
      if (typeof v === 'string') return v;
      if (!(v instanceof GoNumber)) return fail('int32');
      return integerOf(v, 'int32') ?? fail('int32', `number ${v.json()}`);
    }
    switch (s.type) {
      case 'string':
        if (typeof v === 'string') return v;
        if (typeof v === 'boolean' || v instanceof GoNumber) return scalarText(v);
        return fail('string');
      case 'boolean':
        return typeof v === 'boolean' ? v : fail('bool');
      case 'integer': {
        const goType = INT64.has(path[path.length - 1]) ? 'int64' : 'int32';
        if (!(v instanceof GoNumber)) return fail(goType);
        return integerOf(v, goType) ?? fail(goType, `number ${v.json()}`);
      }
      case 'number':
        return v instanceof GoNumber ? v.float : fail('float64');
      case 'array': {
        const item = s.items ?? {};
        const itemRef = refName(item);
        if (!Array.isArray(v)) return fail(`[]${itemRef ? `v1.${itemRef.split('.').pop()}` : item.type === 'string' ? 'string' : 'interface {}'}`);
        return v.map((x) => this.value(x, item, owner, path) ?? zeroOf(this.doc, item));
      }
      default:
        break;
    }
    if (s.properties) {
      const name = (ref ?? owner).split('.').pop()!;
      if (!isObject(v) || Array.isArray(v) || v instanceof GoNumber) return fail(`v1.${name}`);
      const out: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [key, x] of Object.entries(v)) {
        // encoding/json: the exact name, else one equal but for case; unknown keys are dropped.
        const field = Object.prototype.hasOwnProperty.call(s.properties, key) ? key : Object.keys(s.properties).find((k) => k.toLowerCase() === key.toLowerCase());
        if (!field) continue;
        const d = this.value(x, s.properties[field], name, [...path, field]);
        if (d !== undefined) out[field] = d;
        else delete out[field]; // a later null (or zero) replaces an earlier value
      }
      // json.Marshal: omitempty drops zero values, but not a pointer's (runAsUser: 0 stays);
      // the required fields have no omitempty.
      for (const [k, x] of Object.entries(out)) if (!required.has(k) && !POINTER_DEFS.has(name) && !POINTER_FIELDS.has(`${name}.${k}`) && isEmpty(x)) delete out[k];
      for (const k of required) if (!(k in out)) out[k] = zeroOf(this.doc, s.properties[k] ?? {});
      return out;
    }
    if (s.type === 'object' && typeof s.additionalProperties === 'object') {
      if (!isObject(v) || Array.isArray(v) || v instanceof GoNumber) return fail('map[string]string');
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x, s.additionalProperties, owner, path) ?? zeroOf(this.doc, s.additionalProperties);
      return out;
    }
    return v instanceof GoNumber ? v.float : v;
  }
}

function isEmpty(v: unknown): boolean {
  if (v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

/** What json.Marshal writes for a field never set. */
function zeroOf(doc: SchemaDocument, schema: JsonSchema): unknown {
  const ref = refName(schema);
  const s = ref ? doc.definitions[ref] ?? {} : schema;
  if (s['x-kubesim-type'] === 'quantity') return '0';
  if (s['x-kubesim-type'] === 'int-or-string') return 0;
  return s.type === 'string' ? '' : s.type === 'boolean' ? false : s.type === 'integer' || s.type === 'number' ? 0 : s.properties ? {} : null;
}
