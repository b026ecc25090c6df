// /openapi/v3 (index and one document per group/version) and /openapi/v2, built from the
// generated schemas (generated/schemas.json) seen as kube-apiserver publishes them, plus
// the CRDs' structural schemas, so that `kubectl explain` works against the server.

import { createHash } from 'node:crypto';
import { loadSchemas } from '../validation/schema-store';
import { toOpenApiView, type OpenApiSchema } from '../../explain/openapi-view';
import { crdRootSchema, kubeNativeRoot } from '../../explain/crd-schema';
import { crdVersionSchema } from '../crd';
import { REVIEW_RESOURCES, type ResourceRegistry, type ResourceType } from '../resources';
import { groupsOf, reviewGroups, typesIn } from './discovery';
import { notFoundPath } from './handler';
import { parseMediaTypes } from './negotiate';
import { OPENAPI_V2_PROTO, OPENAPI_V2_PROTO_TYPES, encodeOpenApiV2 } from './openapi-v2-proto';
import { jsonResponse, notAcceptable } from './status';
import { openApiSchemaOrdered, openApiV3Document } from './openapi-order';
import type { ApiRequest, ApiResponse } from './types';
import type { KObject } from '../types';

let builtin: Record<string, OpenApiSchema> | undefined;
/** The built-in schemas in /openapi/v3's key order (openapi-order.ts), ordered once. */
let builtinOrdered: Record<string, OpenApiSchema> | undefined;
let roots: Record<string, string> = {};

async function builtinSchemas(): Promise<Record<string, OpenApiSchema>> {
  if (!builtin) {
    const doc = (await loadSchemas()).doc;
    const view = toOpenApiView(doc);
    builtin = view.schemas;
    roots = view.roots;
  }
  return builtin;
}

/**
 * The schema /openapi/v3 serves for a kind (a built-in's, or `crd`'s version's), and the
 * components its references name: what kube's schema resolvers give the policy type checker.
 */
export async function kindSchema(group: string, version: string, kind: string, crd?: KObject): Promise<{ root: OpenApiSchema; components: Record<string, OpenApiSchema> } | undefined> {
  const components = await builtinSchemas();
  const root = crd ? crdRootSchema(crd, version) : components[roots[`${group ? group + '/' : ''}${version}/${kind}`] ?? ''];
  return root && { root, components };
}

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

function gvkExt(t: ResourceType, version: string) {
  return [{ group: t.group, version, kind: t.kind }];
}

const QUERY = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });

/** The REST paths of one type, with the operations kubectl's query-param verifier reads. */
function pathsOf(t: ResourceType, version: string): Record<string, unknown> {
  const base = `/${gvPath(t.group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
  const gvk = { group: t.group, version, kind: t.kind };
  const op = (action: string, extra: Record<string, unknown> = {}) => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, ...extra });
  const writeParams = [QUERY('dryRun', 'When present, indicates that modifications should not be persisted.'), QUERY('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'), QUERY('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields.')];
  // A review is only ever created.
  if (t.verbs.length === 1 && t.verbs[0] === 'create') return { [base]: { post: op('post', { parameters: writeParams }) } };
  return {
    [base]: { get: op('list'), post: op('post', { parameters: writeParams }) },
    [`${base}/{name}`]: { get: op('get'), put: op('put', { parameters: writeParams }), patch: op('patch', { parameters: [...writeParams, QUERY('force', 'Force is going to "force" Apply requests.')] }), delete: op('delete') },
  };
}

async function crdsByName(registry: ResourceRegistry, getCrd: (name: string) => Promise<KObject | undefined>, types: ResourceType[]): Promise<Map<string, KObject>> {
  const out = new Map<string, KObject>();
  for (const t of types) if (t.crd && !out.has(t.crd)) {
    const c = await getCrd(t.crd);
    if (c) out.set(t.crd, c);
  }
  void registry;
  return out;
}

// Each group/version's document, and what it was built from: kubectl asks for the index (every
// document's hash) at each apply, and building them all took a second of the server's time.
const cache = new Map<string, { key: string; hash: string; text: string }>();

async function gvDocument(registry: ResourceRegistry, group: string, version: string, getCrd: (name: string) => Promise<KObject | undefined>): Promise<{ hash: string; text: string } | undefined> {
  const types = [...typesIn(registry, group, version), ...REVIEW_RESOURCES.filter((r) => r.group === group && r.version === version)];
  if (!types.length) return undefined;
  const crds = await crdsByName(registry, getCrd, types);
  // the document's inputs: its types' paths and kinds, and their CRDs as they are now
  const key = JSON.stringify([types.map((t) => [t.group, t.plural, t.kind, t.namespaced, t.verbs, t.crd ?? '']), [...crds.values()].map((c) => [c.metadata.uid, c.metadata.resourceVersion])]);
  const prev = cache.get(`${group}/${version}`);
  if (prev?.key === key) return prev;
  builtinOrdered ??= Object.fromEntries(Object.entries(await builtinSchemas()).map(([k, v]) => [k, openApiSchemaOrdered(v)]));
  const schemas: Record<string, OpenApiSchema> = { ...builtinOrdered };
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    Object.assign(paths, pathsOf(t, version));
    if (t.crd) {
      const crd = crds.get(t.crd);
      const root = crd ? crdRootSchema(crd, version) : undefined;
      if (root) schemas[`${reverseGroup(t.group)}.${version}.${t.kind}`] = openApiSchemaOrdered({ ...root, 'x-kubernetes-group-version-kind': gvkExt(t, version) });
      continue;
    }
    const name = roots[`${group ? group + '/' : ''}${version}/${t.kind}`];
    if (name && schemas[name]) schemas[name] = openApiSchemaOrdered({ ...schemas[name], 'x-kubernetes-group-version-kind': gvkExt(t, version) });
  }
  const text = JSON.stringify(openApiV3Document({ title: 'Kubernetes', version: 'v1.32.4' }, paths, schemas));
  const hash = prev && prev.text === text ? prev.hash : createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase();
  const entry = { key, hash, text };
  cache.set(`${group}/${version}`, entry);
  return entry;
}

function reverseGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

export async function openapiV3Index(registry: ResourceRegistry, getCrd: (name: string) => Promise<KObject | undefined>): Promise<ApiResponse> {
  const paths: Record<string, unknown> = {};
  const gvs: [string, string][] = [['', 'v1'], ...[...groupsOf(registry), ...reviewGroups(registry)].flatMap((g) => g.versions.map((v) => [g.name, v] as [string, string]))];
  for (const [g, v] of gvs) {
    const d = await gvDocument(registry, g, v, getCrd);
    if (d) paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${d.hash}` };
  }
  return jsonResponse(200, { paths });
}

export async function openapiV3GroupVersion(registry: ResourceRegistry, group: string, version: string, getCrd: (name: string) => Promise<KObject | undefined>): Promise<ApiResponse> {
  const d = await gvDocument(registry, group, version, getCrd);
  if (!d) throw notFoundPath();
  return { status: 200, headers: { 'content-type': 'application/json', etag: `"${d.hash}"`, 'cache-control': 'public, immutable' }, body: d.text };
}

/**
 * /openapi/v2's built-in part as last built: its JSON and the registry (and its generation) it
 * was last checked against; and the whole document with the CRDs' definitions as last built,
 * its protobuf once asked for.
 */
let v2: { key: string; text: string; registry: ResourceRegistry; generation: number; crdTypes: ResourceType[] } | undefined;
let v2Full: { key: string; text: string; proto?: Buffer } | undefined;

/**
 * Swagger 2.0 with the same definitions, as JSON or, for the clients that ask only for it
 * (client-go's OpenAPISchema(), kubectl's fallbacks and explain's plaintext-openapiv2), as
 * gnostic protobuf.
 */
export async function openapiV2(registry: ResourceRegistry, req: ApiRequest, getCrd: (name: string) => Promise<KObject | undefined> = async () => undefined): Promise<ApiResponse> {
  const types = parseMediaTypes(req.headers.accept);
  const pick = types.length ? types.find((m) => m.type === 'application/json' || m.type === '*/*' || OPENAPI_V2_PROTO_TYPES.includes(m.type)) : { type: 'application/json' };
  if (!pick) throw notAcceptable(`only the following media types are accepted: application/json, ${OPENAPI_V2_PROTO}`);
  const doc = await v2Text(registry, getCrd);
  if (!OPENAPI_V2_PROTO_TYPES.includes(pick.type)) return { status: 200, headers: { 'content-type': 'application/json' }, body: doc.text + '\n' };
  doc.proto ??= encodeOpenApiV2(JSON.parse(doc.text));
  return { status: 200, headers: { 'content-type': OPENAPI_V2_PROTO }, body: doc.proto };
}

/** The /openapi/v2 document kube-apiserver would serve for `registry` (what kubectl explain's plaintext-openapiv2 reads). */
export async function openapiV2Document(registry: ResourceRegistry, getCrd: (name: string) => Promise<KObject | undefined>): Promise<{ definitions: Record<string, OpenApiSchema> }> {
  return JSON.parse((await v2Text(registry, getCrd)).text);
}

/** The built-in document, with the definitions of the CRDs' served versions added when there are any (rebuilt when a CRD changed). */
async function v2Text(registry: ResourceRegistry, getCrd: (name: string) => Promise<KObject | undefined>): Promise<{ key: string; text: string; proto?: Buffer }> {
  v2 = await v2For(registry);
  const crdTypes = v2.crdTypes;
  const crds = await crdsByName(registry, getCrd, crdTypes);
  if (!crds.size) return (v2Full = v2Full?.key === v2.key ? v2Full : { key: v2.key, text: v2.text });
  const key = JSON.stringify([v2.key, crdTypes.map((t) => [t.group, t.kind, t.versions, t.crd]), [...crds.values()].map((c) => [c.metadata.uid, c.metadata.resourceVersion])]);
  if (v2Full?.key === key) return v2Full;
  const doc = JSON.parse(v2.text);
  for (const t of crdTypes) {
    const crd = crds.get(t.crd!);
    for (const version of t.versions) {
      const root = crd && crdV2Schema(crd, version);
      if (root) doc.definitions[`${reverseGroup(t.group)}.${version}.${t.kind}`] = { ...root, 'x-kubernetes-group-version-kind': gvkExt(t, version) };
    }
  }
  return (v2Full = { key, text: JSON.stringify(doc) });
}

/**
 * A CRD version's v2 definition (apiextensions-apiserver's builder with V2 set): a root that
 * keeps unknown fields is a bare object; otherwise ToStructuralOpenAPIV2's rewrite (no
 * junctors; nullable and preserve-unknown-fields nodes lose what kubectl cannot read), then
 * apiVersion, kind and metadata.
 */
function crdV2Schema(crd: KObject, version: string): OpenApiSchema | undefined {
  const schema = crdVersionSchema(crd, version);
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return { type: 'object' };
  return toV2Refs(kubeNativeRoot(toV2Structural(JSON.parse(JSON.stringify(schema))), true));
}

function toV2Structural(s: OpenApiSchema): OpenApiSchema {
  delete s.allOf;
  delete s.oneOf;
  delete s.anyOf;
  delete s.not;
  if (s.nullable) {
    delete s.type;
    delete s.nullable;
    delete s.items;
    delete s.properties;
  }
  if (s['x-kubernetes-preserve-unknown-fields']) {
    delete s.items;
    delete s.properties;
  }
  if (s.items === undefined && s.type === 'array') delete s.type;
  // kubectl cannot read an object that keeps unknown fields either
  if (s['x-kubernetes-preserve-unknown-fields'] && s.type === 'object') delete s.type;
  if (s.properties && Array.isArray(s.required)) {
    s.required = s.required.filter((f: string) => !s.properties[f]?.nullable);
    if (!s.required.length) delete s.required;
  }
  if (s.additionalProperties?.nullable) delete s.required;
  for (const p of Object.values(s.properties ?? {})) toV2Structural(p as OpenApiSchema);
  if (s.items && typeof s.items === 'object') toV2Structural(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') toV2Structural(s.additionalProperties);
  return s;
}

/**
 * The v3 view in Swagger 2.0's forms: a field of another type is `{$ref, description}` (no
 * allOf), and the types whose Go OpenAPISchemaType differs from their v3 oneOf have v2's type:
 * IntOrString a string of format int-or-string, Quantity a string, the JSONSchemaPropsOr* none.
 */
function toV2Refs(s: OpenApiSchema): OpenApiSchema {
  if (!s || typeof s !== 'object') return s;
  const out: OpenApiSchema = {};
  const allOf = Array.isArray(s.allOf) && s.allOf.length === 1 && typeof s.allOf[0].$ref === 'string' && s.type === undefined && s.properties === undefined ? s.allOf[0].$ref : undefined;
  for (const [k, v] of Object.entries(s)) {
    if (k === 'allOf' && allOf) out.$ref = allOf.replace('#/components/schemas/', '#/definitions/');
    else if (k === '$ref') out.$ref = String(v).replace('#/components/schemas/', '#/definitions/');
    else if (k === 'oneOf' || k === 'anyOf') {
      if (k === 'oneOf') Object.assign(out, (v as OpenApiSchema[]).some((o) => o.type === 'integer') ? { type: 'string', format: 'int-or-string' } : { type: 'string' });
    } else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, OpenApiSchema>).map(([n, p]) => [n, toV2Refs(p)]));
    else if (k === 'items' || k === 'additionalProperties') out[k] = typeof v === 'object' ? toV2Refs(v) : v;
    else out[k] = v;
  }
  return out;
}

/** The v2 document of `registry`'s built-in types: its key computed once per registry generation, the document rebuilt only when the key moved. */
async function v2For(registry: ResourceRegistry): Promise<NonNullable<typeof v2>> {
  if (v2?.registry === registry && v2.generation === registry.generation) return v2;
  const generation = registry.generation;
  const all = registry.all();
  const crdTypes = all.filter((t) => t.crd);
  const builtins = [...all, ...REVIEW_RESOURCES].filter((t) => !t.crd);
  const key = JSON.stringify(builtins.map((t) => [t.group, t.kind, t.versions]));
  if (v2?.key === key) return { ...v2, registry, generation, crdTypes };
  return { key, text: v2Document(await builtinSchemas(), builtins), registry, generation, crdTypes };
}

function v2Document(schemas: Record<string, OpenApiSchema>, builtins: ResourceType[]): string {
  const definitions: Record<string, OpenApiSchema> = {};
  for (const [name, s] of Object.entries(schemas)) definitions[name] = toV2Refs(s);
  for (const t of builtins) {
    for (const v of t.versions) {
      const name = roots[`${t.group ? t.group + '/' : ''}${v}/${t.kind}`];
      if (name && definitions[name]) definitions[name] = { ...definitions[name], 'x-kubernetes-group-version-kind': gvkExt(t, v) };
    }
  }
  return JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths: {}, definitions });
}
