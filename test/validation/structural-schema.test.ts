// The structural-schema walker against ajv on the equivalent draft-07 schema: same errors
// (path, keyword, params, message) in the same order, for a schema that uses every keyword
// and extension, for the corpus's CRDs with their custom resources, and for thousands of
// mutated objects. ajv is the oracle here only; kubesim validates CRs with the walker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { validateStructural, type StructuralError } from '../../src/api/validation/structural-schema';
import { re2ish } from '../../src/api/validation/crd-schema';
import { loadManifests } from '../../src/manifest';
import { requireCorpus } from '../corpus';

type S = Record<string, any>;

/** The draft-07 translation of a structural schema (what kubesim compiled with ajv before). */
function toAjvSchema(s: S | undefined, root = false): S {
  if (!s || typeof s !== 'object') return {};
  const out: S = {};
  for (const k of ['type', 'enum', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf', 'minProperties', 'maxProperties', 'required']) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  if (typeof out.exclusiveMinimum === 'boolean') {
    if (out.exclusiveMinimum && out.minimum !== undefined) (out.exclusiveMinimum = out.minimum), delete out.minimum;
    else delete out.exclusiveMinimum;
  }
  if (typeof out.exclusiveMaximum === 'boolean') {
    if (out.exclusiveMaximum && out.maximum !== undefined) (out.exclusiveMaximum = out.maximum), delete out.maximum;
    else delete out.exclusiveMaximum;
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) out[k] = s[k].map((x: S) => toAjvSchema(x));
  if (s.not) out.not = toAjvSchema(s.not);
  if (s.items) out.items = Array.isArray(s.items) ? s.items.map((x: S) => toAjvSchema(x)) : toAjvSchema(s.items);
  const props: S = {};
  for (const [k, v] of Object.entries(s.properties ?? {})) props[k] = toAjvSchema(v as S);
  if (s['x-kubernetes-embedded-resource'] || root) {
    props.apiVersion ??= { type: 'string' };
    props.kind ??= { type: 'string' };
    props.metadata = { type: 'object' };
  }
  if (Object.keys(props).length) out.properties = props;
  if (s['x-kubernetes-embedded-resource'] && !root) out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind'])];
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === 'object' ? toAjvSchema(s.additionalProperties) : s.additionalProperties;
  else if (!s['x-kubernetes-preserve-unknown-fields'] && (s.type === 'object' || s.properties || root)) out.additionalProperties = false;
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable && out.type) out.type = [out.type, 'null'];
  return out;
}

// The oracle compares ajv's keyword semantics, not regular-expression engines: it gets plain
// JavaScript RegExps of the RE2 patterns (the walker under test uses re2js).
const jsRegExp = (source: string, flags: string) => {
  const m = /^\(\?([imsU]+)\)/.exec(source);
  const src = m ? source.slice(m[0].length) : source;
  if (m) for (const f of m[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  const t = src.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
  try {
    return new RegExp(t, flags);
  } catch {
    return /(?:)/;
  }
};
const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true, code: { regExp: jsRegExp as any, optimize: false } });
addFormats(ajv);

const pointer = (path: (string | number)[]) => path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
const shape = (e: { keyword: string; params: any; message?: string }, at: string) => `${at} ${e.keyword} ${JSON.stringify(e.params)} ${e.message}`;

function compare(schema: S, values: unknown[], label: string): number {
  const oracle = ajv.compile(toAjvSchema(schema, true));
  let errors = 0;
  for (const v of values) {
    oracle(v);
    const want = (oracle.errors ?? []).map((e) => shape(e, e.instancePath));
    const got = validateStructural(v, schema, (src) => re2ish(src, 'u')).map((e: StructuralError) => shape(e, pointer(e.path)));
    assert.deepEqual(got, want, `${label}: ${JSON.stringify(v).slice(0, 400)}`);
    errors += got.length;
  }
  return errors;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [null, true, 0, -1, 1.5, 2 ** 40, '', 'x', 'ÄÖ😀', '2024-01-01T00:00:00Z', 'not a date', [], [1, 1], {}, { a: 1 }];

/** Random edits of a value: wrong types, unknown and deleted keys, nulls, duplicates. */
function mutate(value: unknown, rand: () => number, edits: number): unknown {
  const v = structuredClone(value);
  for (let n = 0; n < edits; n++) {
    const slots: [any, string | number][] = [];
    const walk = (x: any) => {
      if (x && typeof x === 'object') {
        for (const k of Array.isArray(x) ? x.keys() : Object.keys(x)) {
          slots.push([x, k]);
          walk(x[k]);
        }
      }
    };
    walk(v);
    if (!slots.length) break;
    const [parent, key] = slots[Math.floor(rand() * slots.length)];
    const r = rand();
    if (r < 0.45) parent[key] = structuredClone(ODD_VALUES[Math.floor(rand() * ODD_VALUES.length)]);
    else if (r < 0.6 && !Array.isArray(parent)) delete parent[key];
    else if (r < 0.75 && !Array.isArray(parent)) parent[`${String(key)}x`] = parent[key];
    else if (r < 0.85 && Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
    else if (typeof parent[key] === 'string') parent[key] = parent[key].toUpperCase() + ' ?';
    else if (typeof parent[key] === 'number') parent[key] = -parent[key] - 0.5;
    else parent[key] = String(parent[key]);
  }
  return v;
}

const WIDGET_SCHEMA: S = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object', required: ['size', 'ports'], minProperties: 2, maxProperties: 17,
      properties: {
        size: { type: 'string', enum: ['small', 'large'] },
        replicas: { type: 'integer', minimum: 0, maximum: 10, multipleOf: 2 },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
        port: { 'x-kubernetes-int-or-string': true },
        name: { type: 'string', pattern: '(?i)^[a-z]+$', nullable: true, minLength: 2, maxLength: 5 },
        when: { type: 'string', format: 'date-time' },
        count: { type: 'integer', format: 'int32' },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 3 } },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 1, maxItems: 3 },
        ports: {
          type: 'array',
          items: { type: 'object', required: ['port'], properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, protocol: { type: 'string', enum: ['TCP', 'UDP'] } } },
        },
        choice: { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'number', minimum: 100 }] },
        either: { type: 'object', anyOf: [{ required: ['a'] }, { required: ['b'] }], properties: { a: { type: 'string' }, b: { type: 'string' } } },
        both: { allOf: [{ type: 'string', minLength: 1 }, { not: { enum: ['forbidden'] } }] },
        strictEnumObj: { type: 'object', enum: [{ k: 'v' }], properties: { k: { type: 'string' } } },
      },
    },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

const widget = {
  apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } },
  spec: {
    size: 'small', replicas: 2, ratio: 0.5, port: 'http', name: 'abc', when: '2024-05-01T10:00:00Z', count: 7,
    extra: { any: { thing: [1, 2] } }, tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 1 } },
    labels: { a: 'b', c: 'ddd' }, tags: ['a', 'b'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443 }],
    choice: 'x', either: { a: 'y' }, both: 'ok', strictEnumObj: { k: 'v' },
  },
};

test('a schema with every keyword and extension: the valid object passes, thousands of mutants match ajv error for error', () => {
  assert.deepEqual(validateStructural(widget, WIDGET_SCHEMA, (s) => re2ish(s, 'u')), []);
  const rand = rng(Number(process.env.SEED ?? 42));
  const values = Array.from({ length: Number(process.env.MUTANTS ?? 3000) }, (_, i) => mutate(widget, rand, 1 + (i % 4)));
  const errors = compare(WIDGET_SCHEMA, values, 'Widget');
  assert.ok(errors > 3000, `the mutants exercise the error paths (${errors} errors)`);
});

test('the corpus CRDs and their custom resources (and mutants of them) give ajv\'s errors', async () => {
  const load = await loadManifests([requireCorpus()], { recursive: true });
  const crds = load.docs.map((d) => d.object).filter((o) => o.kind === 'CustomResourceDefinition' && o.apiVersion === 'apiextensions.k8s.io/v1');
  const rand = rng(7);
  let checked = 0;
  for (const crd of crds) {
    for (const version of crd.spec?.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      const apiVersion = `${crd.spec.group}/${version.name}`;
      const crs = load.docs.map((d) => d.object).filter((o) => o.apiVersion === apiVersion && o.kind === crd.spec.names.kind);
      const values = crs.flatMap((cr) => [cr, ...Array.from({ length: 20 }, (_, i) => mutate(cr, rand, 1 + (i % 3)))]);
      compare(schema, values, `${crd.metadata.name} ${version.name}`);
      checked += values.length;
    }
  }
  assert.ok(checked > 100, `custom resources checked: ${checked}`);
});
