#!/usr/bin/env node
// Generates JSON Schemas for every built-in kind from the `kubernetes-types` declarations
// and compiles them once into standalone ajv validators.
//
//   generated/schemas.json   { kubernetesTypesVersion, roots: {"apps/v1/Deployment": defName},
//                              definitions: {"io.k8s.api.apps.v1.DeploymentSpec": schema, ...} }
//   generated/validators.cjs one exported validate function per root (see `exportName`), and
//                              `roots` mapping "group/version/Kind" -> export name.
//
// Strictness mirrors the API server's strict decoding: every object has
// additionalProperties: false; `number` fields are integers (kubernetes-types writes int32,
// int64 and float64 all as `number`; the few float fields are listed in FLOAT_FIELDS).
// Idempotent: outputs are rewritten only when their content changes.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(root, 'node_modules', 'kubernetes-types');
const outDir = join(root, 'generated');
const started = Date.now();

const typesVersion = JSON.parse(readFileSync(join(typesDir, 'package.json'), 'utf8')).version;

// --- the resource registry (TypeScript, no imports): transpile and import it ----------------
const resourcesSrc = readFileSync(join(root, 'src', 'api', 'resources.ts'), 'utf8');
const resourcesJs = ts.transpileModule(resourcesSrc, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
const { BUILTIN_RESOURCES } = await import('data:text/javascript;base64,' + Buffer.from(resourcesJs).toString('base64'));

// --- module path -> OpenAPI definition prefix ------------------------------------------------
function prefixOf(mod) {
  if (mod === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (mod === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (mod === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (mod === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (mod.startsWith('apiextensions/')) return 'io.k8s.apiextensions-apiserver.pkg.apis.' + mod.replace('/', '.');
  return 'io.k8s.api.' + mod.replace('/', '.');
}

/** Fields that are float64 in Go (everything else typed `number` is an integer). */
const FLOAT_FIELDS = new Set([
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.maximum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.minimum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.multipleOf',
]);

// kubernetes-types 1.30 omits the `x-kubernetes-*` extension fields of JSONSchemaProps
// (they exist in the Go type and in the apiserver's OpenAPI); without them every real CRD
// would be rejected. Filled in here from apiextensions/v1 types.go.
const JSONSCHEMAPROPS_EXTRA = {
  'x-kubernetes-preserve-unknown-fields': { type: 'boolean', description: 'x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.' },
  'x-kubernetes-embedded-resource': { type: 'boolean', description: 'x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta.' },
  'x-kubernetes-int-or-string': { type: 'boolean', description: 'x-kubernetes-int-or-string specifies that this value is either an integer or a string.' },
  'x-kubernetes-list-map-keys': { type: 'array', items: { type: 'string' }, description: 'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.' },
  'x-kubernetes-list-type': { type: 'string', description: 'x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.' },
  'x-kubernetes-map-type': { type: 'string', description: 'x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.' },
  'x-kubernetes-validations': { type: 'array', items: { $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule' }, description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.' },
};

// --- parse every declaration file -----------------------------------------------------------
/** mod -> { decls: Map<name, node>, imports: Map<name, mod>, sf } */
const modules = new Map();
function walkDir(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walkDir(p);
    else if (e.name.endsWith('.d.ts')) {
      const mod = relative(typesDir, p).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
      const sf = ts.createSourceFile(p, readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true);
      const decls = new Map();
      const imports = new Map();
      for (const st of sf.statements) {
        if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) decls.set(st.name.text, st);
        else if (ts.isImportDeclaration(st) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
          const from = st.moduleSpecifier.text; // "../meta/v1"
          const target = join(dirname(mod), from).replace(/\\/g, '/');
          for (const el of st.importClause.namedBindings.elements) imports.set(el.name.text, target);
        }
      }
      modules.set(mod, { decls, imports, sf });
    }
  }
}
walkDir(typesDir);

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
    .trim();
}

const definitions = {};
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
definitions[INT_OR_STRING] = {
  description: 'IntOrString is a type that can hold an int32 or a string.',
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  'x-kubesim-type': 'int-or-string',
};

const ref = (name) => ({ $ref: '#/definitions/' + name });

/** Converts a declaration to a definition (once) and returns its name. */
function define(mod, name) {
  const defName = `${prefixOf(mod)}.${name}`;
  if (definitions[defName]) return defName;
  const m = modules.get(mod);
  const node = m?.decls.get(name);
  if (!node) throw new Error(`kubernetes-types: no declaration ${name} in ${mod}`);
  definitions[defName] = {}; // placeholder against recursion
  const description = docOf(node, m.sf);
  let schema;
  if (ts.isTypeAliasDeclaration(node)) {
    if (defName === QUANTITY) schema = { anyOf: [{ type: 'string' }, { type: 'number' }], 'x-kubesim-type': 'quantity' };
    else schema = typeToSchema(node.type, mod, defName);
  } else if (node.members.length === 0) {
    schema = {}; // RawExtension, JSON, FieldsV1: any JSON value
  } else {
    const properties = {};
    const required = [];
    for (const mem of node.members) {
      if (!ts.isPropertySignature(mem)) continue;
      const prop = mem.name.text;
      const fieldKey = `${defName}.${prop}`;
      let ps;
      if (mem.type.kind === ts.SyntaxKind.NumberKeyword && FLOAT_FIELDS.has(fieldKey)) ps = { type: 'number' };
      else ps = typeToSchema(mem.type, mod, fieldKey);
      const d = docOf(mem, m.sf);
      // A property that is a $ref can't carry siblings in draft-07 ajv; keep its doc aside.
      if (d) ps = ps.$ref ? { ...ps, 'x-kubesim-doc': d } : { ...ps, description: d };
      properties[prop] = ps;
      if (!mem.questionToken) required.push(prop);
    }
    if (defName.endsWith('apiextensions.v1.JSONSchemaProps')) {
      for (const [k, v] of Object.entries(JSONSCHEMAPROPS_EXTRA)) properties[k] = v;
      define(mod, 'ValidationRule');
    }
    schema = { type: 'object', properties, additionalProperties: false };
    if (required.length) schema.required = required;
  }
  if (description) schema.description = description;
  definitions[defName] = schema;
  return defName;
}

function typeToSchema(t, mod, where) {
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
      return typeToSchema(t.type, mod, where);
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(t.literal)) return { type: 'string', enum: [t.literal.text] };
      break;
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeToSchema(t.elementType, mod, where) };
    case ts.SyntaxKind.TypeLiteral: {
      const idx = t.members.find((m) => ts.isIndexSignatureDeclaration(m));
      if (idx) return { type: 'object', additionalProperties: typeToSchema(idx.type, mod, where) };
      break;
    }
    case ts.SyntaxKind.UnionType: {
      const kinds = t.types.map((x) => x.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) return ref(INT_OR_STRING);
      return { anyOf: t.types.map((x) => typeToSchema(x, mod, where)) };
    }
    case ts.SyntaxKind.TypeReference: {
      const name = t.typeName.text;
      if (name === 'Array' && t.typeArguments?.length === 1) return { type: 'array', items: typeToSchema(t.typeArguments[0], mod, where) };
      const m = modules.get(mod);
      const target = m.decls.has(name) ? mod : m.imports.get(name);
      if (!target) throw new Error(`unresolved type ${name} at ${where}`);
      const defName = define(target, name);
      if (defName === 'io.k8s.apimachinery.pkg.apis.meta.v1.Time' || defName === 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime') return ref(defName);
      return ref(defName);
    }
  }
  throw new Error(`unsupported type syntax ${ts.SyntaxKind[t.kind]} at ${where}`);
}

// --- roots: every served version of every built-in kind that kubernetes-types has ------------
const roots = {};
const missing = [];
for (const r of BUILTIN_RESOURCES) {
  const dir = r.group === '' ? 'core' : r.group.split('.')[0];
  for (const v of r.versions) {
    const mod = `${dir}/${v}`;
    const key = `${r.group ? r.group + '/' : ''}${v}/${r.kind}`;
    if (!modules.get(mod)?.decls.has(r.kind)) {
      missing.push(key);
      continue;
    }
    roots[key] = define(mod, r.kind);
  }
}

// Sort definitions for stable output.
const sortedDefs = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
const schemasDoc = { kubernetesTypesVersion: typesVersion, roots, missing, definitions: sortedDefs };

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

const ajv = new Ajv({ allErrors: true, inlineRefs: false, strict: false, code: { source: true, esm: false, optimize: true } });
ajv.addSchema({ $id: 'k8s', definitions: stripDocs(sortedDefs) });
const mapping = {};
for (const [key, defName] of Object.entries(roots)) mapping[exportName(key)] = `k8s#/definitions/${defName}`;
let code = standaloneCode(ajv, mapping);
code += `\nexports.roots = ${JSON.stringify(Object.fromEntries(Object.keys(roots).map((k) => [k, exportName(k)])))};\n`;
code += `exports.kubernetesTypesVersion = ${JSON.stringify(typesVersion)};\n`;

// A default export gathering all validators keeps lookups by name simple.
code += `exports.default = { ${Object.keys(mapping).map((k) => `${k}: exports.${k}`).join(', ')} };\n`;

mkdirSync(outDir, { recursive: true });
function writeIfChanged(file, content) {
  const p = join(outDir, file);
  if (existsSync(p) && readFileSync(p, 'utf8') === content) return false;
  writeFileSync(p, content);
  return true;
}
const changed = [
  writeIfChanged('schemas.json', JSON.stringify(schemasDoc)),
  writeIfChanged('validators.cjs', code),
].some(Boolean);

process.stderr.write(
  `gen-schemas: ${Object.keys(roots).length} kinds, ${Object.keys(sortedDefs).length} definitions, kubernetes-types ${typesVersion}` +
    (missing.length ? `; no types for ${missing.join(', ')}` : '') +
    `; ${changed ? 'written' : 'unchanged'} in ${Date.now() - started} ms\n`,
);
