#!/usr/bin/env node
// Generates JSON Schemas of the Kubernetes v1.32 API for every built-in kind and compiles
// them once into standalone ajv validators.
//
// Two sources, both generated from Kubernetes itself:
// - the field set of each type: Kubernetes' own k8s.io/api and k8s.io/apimachinery at
//   v0.32.x, as scripts/gen-proto.mjs captured it (src/api/rest/proto/k8s-proto.json: every
//   message's JSON field names and protobuf types, inline members marked);
// - descriptions, required fields, and the types that protobuf does not describe
//   (apiextensions, apiregistration; Quantity, IntOrString, Time as JSON has them): the `kubernetes-models`
//   declarations, generated from a later Kubernetes OpenAPI spec (v1.36 for 5.x), pruned
//   here to the v1.32 field set (a field added after 1.32 is an unknown field, as a v1.32
//   API server's strict decoding says).
// KUBESIM_MODELS_NODE_MODULES points at another node_modules holding kubernetes-models
// (for trying a version without installing it into the project).
//
//   generated/schemas.json   { kubernetesVersion, source, roots: {"apps/v1/Deployment": defName},
//                              definitions: {"io.k8s.api.apps.v1.DeploymentSpec": schema, ...} }
//   generated/quantities.json {"v1/Pod": {"spec": {"containers": {"*": {"resources": ...}}}}}: where
//                              each kind holds a Quantity (src/api/quantity-fields.ts)
//   generated/validators.cjs `roots`: "group/version/Kind" -> its validate function's name and
//                              the chunks declaring it, generated/validators/<chunk>.cjs
//                              (scripts/split-validators.mjs), loaded per kind.
//
// Strictness mirrors the API server's strict decoding: every object has
// additionalProperties: false; `number` fields are integers (k8s.io/api has no float field;
// the apiextensions ones are listed in FLOAT_FIELDS); enums stay plain strings (the API
// server's validation, not its decoding, rejects an unsupported value, with its own message).
// Idempotent: outputs are rewritten only when their content changes.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync, rmSync, utimesSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { splitValidators } from './split-validators.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modulesDir = process.env.KUBESIM_MODELS_NODE_MODULES || join(root, 'node_modules');
const modelsDirs = [join(modulesDir, 'kubernetes-models'), join(modulesDir, '@kubernetes-models', 'apimachinery')];
const outDir = join(root, 'generated');
const started = Date.now();

if (!existsSync(join(modelsDirs[0], 'package.json'))) {
  process.stderr.write(`gen-schemas: ${modelsDirs[0]} is missing: run npm install (kubernetes-models is a devDependency)\n`);
  process.exit(1);
}
const modelsVersion = JSON.parse(readFileSync(join(modelsDirs[0], 'package.json'), 'utf8')).version;
const proto = JSON.parse(readFileSync(join(root, 'src', 'api', 'rest', 'proto', 'k8s-proto.json'), 'utf8'));
const apiTag = /v0\.(\d+)\.(\d+)$/.exec(proto.source);
if (!apiTag) throw new Error(`k8s-proto.json: no k8s.io/api tag in ${JSON.stringify(proto.source)}`);
const kubernetesVersion = `1.${apiTag[1]}.${apiTag[2]}`;
// The version the CLI reports and accepts (src/api/validation/schema-version.ts) must be the
// one the fields come from.
const declared = /SCHEMA_KUBERNETES_VERSION = '([^']+)'/.exec(readFileSync(join(root, 'src', 'api', 'validation', 'schema-version.ts'), 'utf8'))?.[1];
if (declared !== kubernetesVersion) throw new Error(`schema-version.ts says ${declared}, the field source is Kubernetes ${kubernetesVersion}`);
const source = `k8s.io/api v0.${apiTag[1]}.${apiTag[2]} fields, kubernetes-models ${modelsVersion} descriptions`;

// --- the resource registry (TypeScript, no imports): transpile and import it ----------------
const resourcesSrc = readFileSync(join(root, 'src', 'api', 'resources.ts'), 'utf8');
const resourcesJs = ts.transpileModule(resourcesSrc, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
const { BUILTIN_RESOURCES, REVIEW_RESOURCES } = await import('data:text/javascript;base64,' + Buffer.from(resourcesJs).toString('base64'));

// --- OpenAPI definition names -------------------------------------------------------------
// kubernetes-models exports each interface under an alias spelling its OpenAPI name:
// IIoK8sApiCoreV1Volume is io.k8s.api.core.v1.Volume.
const ALIAS_PREFIXES = [
  ['IoK8sApimachineryPkgApisMetaV1', 'io.k8s.apimachinery.pkg.apis.meta.v1.'],
  ['IoK8sApimachineryPkgApiResource', 'io.k8s.apimachinery.pkg.api.resource.'],
  ['IoK8sApimachineryPkgUtilIntstr', 'io.k8s.apimachinery.pkg.util.intstr.'],
  ['IoK8sApimachineryPkgRuntime', 'io.k8s.apimachinery.pkg.runtime.'],
  ['IoK8sApimachineryPkgVersion', 'io.k8s.apimachinery.pkg.version.'],
  ['IoK8sApiextensionsApiserverPkgApisApiextensions', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.'],
  ['IoK8sKubeAggregatorPkgApisApiregistration', 'io.k8s.kube-aggregator.pkg.apis.apiregistration.'],
];
function defNameOfAlias(alias) {
  const a = alias.slice(1); // the leading I of the interface
  for (const [p, d] of ALIAS_PREFIXES) {
    if (!a.startsWith(p)) continue;
    const rest = a.slice(p.length);
    if (d.endsWith('.v1.') || d.endsWith('resource.') || d.endsWith('intstr.') || d.endsWith('runtime.') || d.endsWith('version.')) return d + rest;
    const m = /^(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(rest);
    if (m) return `${d}${m[1].toLowerCase()}.${m[2]}`;
  }
  const m = /^IoK8sApi([A-Z][a-z0-9]*)(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(a);
  if (m) return `io.k8s.api.${m[1].toLowerCase()}.${m[2].toLowerCase()}.${m[3]}`;
  throw new Error(`kubernetes-models: cannot name ${alias}`);
}

/** Fields that are float64 in Go (everything else typed `number` is an integer). */
const FLOAT_FIELDS = new Set([
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.maximum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.minimum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.multipleOf',
]);

// --- parse every declaration file -----------------------------------------------------------
/** defName -> { node, sf, alias } ; alias -> defName */
const decls = new Map();
const aliases = new Map();
function walkDir(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules') walkDir(p); continue; }
    if (!e.name.endsWith('.d.ts') || e.name === 'index.d.ts') continue;
    const text = readFileSync(p, 'utf8');
    const ex = /export type \{ (I\w+) as (IIoK8s\w+),/.exec(text);
    if (!ex) continue;
    const defName = defNameOfAlias(ex[2]);
    decls.set(defName, { path: p, text, local: ex[1] }); // parsed when first used (parse())
    aliases.set(ex[2], defName);
  }
}
for (const d of modelsDirs) walkDir(d);

function parse(d) {
  if (!d.sf) {
    d.sf = ts.createSourceFile(d.path, d.text, ts.ScriptTarget.Latest, true);
    d.node = d.sf.statements.find((st) => (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === d.local);
    if (!d.node) throw new Error(`kubernetes-models: no ${d.local} in ${d.path}`);
  }
  return d;
}

// --- the v1.32 field set --------------------------------------------------------------------
const protoName = (defName) => (defName.startsWith('io.k8s.api.') || defName.startsWith('io.k8s.apimachinery.') ? 'k8s.io.' + defName.slice('io.k8s.'.length) : undefined);
const protoDef = (msg) => 'io.k8s.' + msg.slice('k8s.io.'.length);
/** JSON name -> descriptor field, inline members' fields lifted into their parent. */
function protoFields(msg, out = new Map()) {
  for (const f of Object.values(proto.messages[msg].f)) {
    if (f[4] === 2 && proto.messages[f[1]]) protoFields(f[1], out);
    else out.set(f[0], f);
  }
  return out;
}
const pruned = [];
// GEN_SCHEMAS_VERBOSE=1 lists the later fields left out
process.on('exit', () => process.env.GEN_SCHEMAS_VERBOSE && process.stderr.write(pruned.join('\n') + '\n'));
const added = [];

function docOf(node, sf) {
  const text = sf.getFullText();
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) || [];
  const last = ranges.filter((r) => text.slice(r.pos, r.pos + 3) === '/**').pop();
  if (!last) return undefined;
  return text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim()
    .replace(/\\([*/])/g, '$1'); // escaped inside the comment ("containers[\*]", "*\/")
}

const definitions = {};
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const ref = (name) => ({ $ref: '#/definitions/' + name });
// Types whose Go UnmarshalJSON takes several shapes (the OpenAPI spec leaves them open).
const SPECIAL = {
  [INT_OR_STRING]: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubesim-type': 'int-or-string' },
  [QUANTITY]: { anyOf: [{ type: 'string' }, { type: 'number' }], 'x-kubesim-type': 'quantity' },
  [APIEXT + 'JSONSchemaPropsOrArray']: { anyOf: [ref(APIEXT + 'JSONSchemaProps'), { type: 'array', items: ref(APIEXT + 'JSONSchemaProps') }] },
  [APIEXT + 'JSONSchemaPropsOrBool']: { anyOf: [ref(APIEXT + 'JSONSchemaProps'), { type: 'boolean' }] },
  [APIEXT + 'JSONSchemaPropsOrStringArray']: { anyOf: [ref(APIEXT + 'JSONSchemaProps'), { type: 'array', items: { type: 'string' } }] },
};

/** Converts a declaration to a definition (once) and returns its name. */
function define(defName) {
  if (definitions[defName]) return defName;
  const d = decls.get(defName);
  if (!d) throw new Error(`kubernetes-models: no declaration of ${defName}`);
  const { node, sf } = parse(d);
  definitions[defName] = {}; // placeholder against recursion
  const description = docOf(node, sf);
  let schema;
  if (SPECIAL[defName]) {
    schema = { ...SPECIAL[defName] };
    for (const r of Object.values(SPECIAL[defName].anyOf ?? [])) if (r.$ref) define(r.$ref.slice('#/definitions/'.length));
    if (defName.endsWith('OrArray') || defName.endsWith('OrBool') || defName.endsWith('OrStringArray')) define(APIEXT + 'JSONSchemaProps');
  } else if (ts.isTypeAliasDeclaration(node)) {
    schema = typeToSchema(node.type, d, defName);
  } else if (node.members.length === 0) {
    schema = {}; // RawExtension, JSON, FieldsV1: any JSON value
  } else {
    const msg = protoName(defName);
    const fields = msg && proto.messages[msg] ? protoFields(msg) : undefined;
    const typeMeta = node.heritageClauses?.some((h) => h.types.some((t) => t.expression.getText() === 'TypeMeta'));
    const properties = {};
    const required = [];
    for (const mem of node.members) {
      if (!ts.isPropertySignature(mem)) continue;
      const prop = mem.name.text;
      const fieldKey = `${defName}.${prop}`;
      // apiVersion and kind come from the inline TypeMeta, which protobuf leaves out
      if (fields && !fields.has(prop) && prop !== 'apiVersion' && prop !== 'kind') { pruned.push(fieldKey); continue; }
      let ps;
      if (mem.type.kind === ts.SyntaxKind.NumberKeyword && FLOAT_FIELDS.has(fieldKey)) ps = { type: 'number' };
      else if ((prop === 'apiVersion' || prop === 'kind') && mem.type.kind === ts.SyntaxKind.LiteralType) ps = { type: 'string', enum: [mem.type.literal.text] };
      // kubernetes-models writes StatefulSet's volumeClaimTemplates out inline: the descriptor's type
      else if (fields?.has(prop) && containsTypeLiteral(mem.type)) ps = protoFieldSchema(fields.get(prop));
      else ps = typeToSchema(mem.type, d, fieldKey);
      // kubernetes-models types every integer `number`: the descriptor knows which are int32.
      if (fields?.get(prop)?.[1] === 'int32') ps = withInt32(ps);
      const doc = docOf(mem, sf);
      // A property that is a $ref can't carry siblings in draft-07 ajv; keep its doc aside.
      if (doc) ps = ps.$ref ? { ...ps, 'x-kubesim-doc': doc } : { ...ps, description: doc };
      properties[prop] = ps;
      // apiVersion and kind are optional in the API (embedded templates leave them out)
      // Required only if v1.32's Go field lacks omitempty too (later releases made a few
      // required, and relaxed others: the intersection never refuses a valid v1.32 object).
      if (!mem.questionToken && !(typeMeta && (prop === 'apiVersion' || prop === 'kind')) && (!fields || fields.get(prop)?.[4] === 1)) required.push(prop);
    }
    // a v1.32 field the later spec no longer has: typed from the descriptor
    for (const [name, f] of fields ?? []) {
      if (properties[name] || name === 'apiVersion' || name === 'kind') continue;
      added.push(`${defName}.${name}`);
      properties[name] = protoFieldSchema(f);
    }
    schema = { type: 'object', properties, additionalProperties: false };
    if (required.length) schema.required = required;
  }
  if (description) schema.description = description;
  definitions[defName] = schema;
  return defName;
}

function containsTypeLiteral(t) {
  if (ts.isTypeLiteralNode(t)) return !t.members.some((m) => ts.isIndexSignatureDeclaration(m));
  return ts.isTypeReferenceNode(t) && (t.typeArguments ?? []).some(containsTypeLiteral);
}

/**
 * An int32 field's schema (an integer, or an array of them) with `format: int32`, as the
 * OpenAPI has it: the decoder refuses a value outside int32 (validate-schema.ts reads it).
 */
function withInt32(ps) {
  if (ps.type === 'integer') return { ...ps, format: 'int32' };
  if (ps.type === 'array' && ps.items?.type === 'integer') return { ...ps, items: { ...ps.items, format: 'int32' } };
  return ps;
}

function protoFieldSchema([, type, label, keyType]) {
  const one = { string: { type: 'string' }, bytes: { type: 'string' }, bool: { type: 'boolean' }, int32: { type: 'integer', format: 'int32' }, int64: { type: 'integer' } }[type] ?? ref(define(protoDef(type)));
  if (label === 1) return { type: 'array', items: one };
  if (label === 2 && keyType) return { type: 'object', additionalProperties: one };
  return one;
}

function typeToSchema(t, d, where) {
  switch (t.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return {};
    case ts.SyntaxKind.ParenthesizedType:
      return typeToSchema(t.type, d, where);
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(t.literal)) return { type: 'string' };
      break;
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeToSchema(t.elementType, d, where) };
    case ts.SyntaxKind.TypeLiteral: {
      const idx = t.members.find((m) => ts.isIndexSignatureDeclaration(m));
      if (idx) return { type: 'object', additionalProperties: typeToSchema(idx.type, d, where) };
      break;
    }
    case ts.SyntaxKind.UnionType: {
      // an enum ("SCTP" | "TCP" | "UDP") is a string; decoding accepts any value
      if (t.types.every((x) => x.kind === ts.SyntaxKind.LiteralType && ts.isStringLiteral(x.literal))) return { type: 'string' };
      const kinds = t.types.map((x) => x.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) return ref(INT_OR_STRING);
      return { anyOf: t.types.map((x) => typeToSchema(x, d, where)) };
    }
    case ts.SyntaxKind.TypeReference: {
      const name = t.typeName.text;
      if (name === 'Array' && t.typeArguments?.length === 1) return { type: 'array', items: typeToSchema(t.typeArguments[0], d, where) };
      if (name === d.local) return ref(define(defNameOfLocal(d)));
      const target = aliases.get(name);
      if (!target) throw new Error(`unresolved type ${name} at ${where}`);
      return ref(define(target));
    }
  }
  throw new Error(`unsupported type syntax ${ts.SyntaxKind[t.kind]} at ${where}`);
}
const defNameOfLocal = (d) => [...decls].find(([, v]) => v === d)[0];

// --- roots: every served version of every built-in kind that v1.32 has ---------------------
const roots = {};
const missing = [];
for (const r of [...BUILTIN_RESOURCES, ...REVIEW_RESOURCES]) {
  for (const v of r.versions) {
    const key = `${r.group ? r.group + '/' : ''}${v}/${r.kind}`;
    const defName = [...decls.keys()].find((n) => {
      const m = /^(.*)\.(v\d\w*)\.(\w+)$/.exec(n);
      if (!m || m[2] !== v || m[3] !== r.kind) return false;
      const pkg = m[1];
      if (r.group === '') return pkg === 'io.k8s.api.core';
      if (r.group === 'apiextensions.k8s.io') return pkg === 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
      if (r.group === 'apiregistration.k8s.io') return pkg === 'io.k8s.kube-aggregator.pkg.apis.apiregistration';
      return pkg === `io.k8s.api.${proto.groups[`${r.group}/${v}`]?.split('.')[3] ?? r.group.split('.')[0]}`;
    });
    const msg = defName && protoName(defName);
    if (!defName || (msg && !proto.messages[msg])) {
      missing.push(key);
      continue;
    }
    roots[key] = define(defName);
  }
}

// Sort definitions for stable output.
const sortedDefs = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
const schemasDoc = { kubernetesVersion, source, roots, missing, definitions: sortedDefs };

// --- where each kind holds Quantities: the API server writes them in canonical form --------
// A trie per kind ("group/version/Kind"; kinds without a Quantity left out): a member's
// name, `*` for every item of an array or value of a map, `1` where the value is a Quantity.
function quantityTrie(defName, trie, seen) {
  if (defName === QUANTITY) return 1;
  if (seen.has(defName)) return undefined; // JSONSchemaProps is recursive (and holds no Quantity)
  seen.add(defName);
  const walk = (s) => {
    if (!s || typeof s !== 'object') return undefined;
    if (s.$ref) return quantityTrie(s.$ref.slice('#/definitions/'.length), {}, seen);
    const node = {};
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      const t = walk(v);
      if (t !== undefined) node[k] = t;
    }
    const inner = s.items ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    const t = inner && walk(inner);
    if (t !== undefined) node['*'] = t;
    for (const a of s.anyOf ?? []) Object.assign(node, walk(a));
    return Object.keys(node).length ? node : undefined;
  };
  const t = walk(definitions[defName]);
  seen.delete(defName);
  return t === undefined ? undefined : Object.assign(trie, t);
}
const quantities = {};
for (const [key, defName] of Object.entries(roots)) {
  const t = quantityTrie(defName, {}, new Set());
  if (t) quantities[key] = t;
}

// --- compile: descriptions stripped (they are in schemas.json), refs shared ----------------
function stripDocs(s) {
  if (Array.isArray(s)) return s.map(stripDocs);
  if (s && typeof s === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'description' || k === 'x-kubesim-doc' || k === 'x-kubesim-type') continue;
      o[k] = k === 'properties' || k === 'definitions' ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, stripDocs(pv)])) : stripDocs(v);
    }
    return o;
  }
  return s;
}

export function exportName(key) {
  return 'v_' + key.replace(/[^A-Za-z0-9]/g, '_');
}

// int32 is known and not checked by ajv: the range check walks the object once for every int field (validate-schema.ts).
const ajv = new Ajv({ allErrors: true, inlineRefs: false, strict: false, formats: { int32: true }, code: { source: true, esm: false, optimize: true } });
ajv.addSchema({ $id: 'k8s', definitions: stripDocs(sortedDefs) });
const mapping = {};
for (const [key, defName] of Object.entries(roots)) mapping[exportName(key)] = `k8s#/definitions/${defName}`;
// Split into chunks loaded per kind (scripts/split-validators.mjs); validators.cjs is the
// index: which function and chunks (generated/validators/<chunk>.cjs) each kind needs.
const split = splitValidators(standaloneCode(ajv, mapping));
const index = Object.fromEntries(Object.entries(roots).map(([k]) => [k, split.roots[exportName(k)]]));
let code = '"use strict";\n// Generated by scripts/gen-schemas.mjs: for each kind, its validate function and the chunks\n// (validators/<chunk>.cjs, in load order) that declare what it uses.\n';
code += `exports.roots = ${JSON.stringify(index)};\n`;
code += `exports.kubernetesVersion = ${JSON.stringify(kubernetesVersion)};\n`;

mkdirSync(join(outDir, 'validators'), { recursive: true });
function writeIfChanged(file, content) {
  const p = join(outDir, file);
  if (existsSync(p) && readFileSync(p, 'utf8') === content) return false;
  writeFileSync(p, content);
  return true;
}
const chunkFiles = Object.keys(split.chunks).map((c) => `${c}.cjs`);
// Chunks of an earlier split that this one no longer has.
for (const f of readdirSync(join(outDir, 'validators'))) if (!chunkFiles.includes(f)) rmSync(join(outDir, 'validators', f), { force: true });
const changed = [
  writeIfChanged('schemas.json', JSON.stringify(schemasDoc)),
  writeIfChanged('quantities.json', JSON.stringify(quantities)),
  ...Object.entries(split.chunks).map(([c, src]) => writeIfChanged(`validators/${c}.cjs`, src)),
  // Last: the build regenerates when an input is newer than this file.
  writeIfChanged('validators.cjs', code),
].some(Boolean);
// Unchanged, it is still as new as the inputs it was made from (else every build ran this again).
const now = new Date();
utimesSync(join(outDir, 'validators.cjs'), now, now);

process.stderr.write(
  `gen-schemas: ${Object.keys(roots).length} kinds, ${Object.keys(sortedDefs).length} definitions, Kubernetes ${kubernetesVersion} (${source}); ` +
    `${pruned.length} later fields left out, ${added.length} v1.32 fields typed from k8s.io/api` +
    (missing.length ? `; no types for ${missing.join(', ')}` : '') +
    `; ${changed ? 'written' : 'unchanged'} in ${Date.now() - started} ms\n`,
);
