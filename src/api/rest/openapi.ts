// /openapi/v3 (index and one document per group/version) and /openapi/v2, built from the
// generated schemas (generated/schemas.json) seen as kube-apiserver publishes them, plus
// the CRDs' structural schemas, so that `kubectl explain` works against the server.

import { createHash } from 'node:crypto';
import { loadSchemas } from '../validation/schema-store';
import { toOpenApiView, type OpenApiSchema } from '../../explain/openapi-view';
import { crdRootSchema } from '../../explain/crd-schema';
import { REVIEW_RESOURCES, type ResourceRegistry, type ResourceType } from '../resources';
import { groupsOf, reviewGroups, typesIn } from './discovery';
import { notFoundPath } from './handler';
import { parseMediaTypes } from './negotiate';
import { OPENAPI_V2_PROTO, OPENAPI_V2_PROTO_TYPES, encodeOpenApiV2 } from './openapi-v2-proto';
import { jsonResponse, notAcceptable } from './status';
import type { ApiRequest, ApiResponse } from './types';
import type { KObject } from '../types';

let builtin: Record<string, OpenApiSchema> | undefined;
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
  const schemas: Record<string, OpenApiSchema> = { ...(await builtinSchemas()) };
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    Object.assign(paths, pathsOf(t, version));
    if (t.crd) {
      const crd = crds.get(t.crd);
      const root = crd ? crdRootSchema(crd, version) : undefined;
      if (root) schemas[`${reverseGroup(t.group)}.${version}.${t.kind}`] = { ...root, 'x-kubernetes-group-version-kind': gvkExt(t, version) };
      continue;
    }
    const name = roots[`${group ? group + '/' : ''}${version}/${t.kind}`];
    if (name && schemas[name]) schemas[name] = { ...schemas[name], 'x-kubernetes-group-version-kind': gvkExt(t, version) };
  }
  const doc = { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths, components: { schemas } };
  const text = JSON.stringify(doc);
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
 * /openapi/v2 as last built: its built-in types (CRDs are not in it), its JSON, its protobuf
 * once asked for, and the registry (and its generation) it was last checked against.
 */
let v2: { key: string; text: string; proto?: Buffer; registry: ResourceRegistry; generation: number } | undefined;

/**
 * Swagger 2.0 with the same definitions, as JSON or, for the clients that ask only for it
 * (client-go's OpenAPISchema(), kubectl's fallbacks), as gnostic protobuf.
 */
export async function openapiV2(registry: ResourceRegistry, req: ApiRequest): Promise<ApiResponse> {
  const types = parseMediaTypes(req.headers.accept);
  const pick = types.length ? types.find((m) => m.type === 'application/json' || m.type === '*/*' || OPENAPI_V2_PROTO_TYPES.includes(m.type)) : { type: 'application/json' };
  if (!pick) throw notAcceptable(`only the following media types are accepted: application/json, ${OPENAPI_V2_PROTO}`);
  v2 = await v2For(registry);
  if (!OPENAPI_V2_PROTO_TYPES.includes(pick.type)) return { status: 200, headers: { 'content-type': 'application/json' }, body: v2.text + '\n' };
  v2.proto ??= encodeOpenApiV2(JSON.parse(v2.text));
  return { status: 200, headers: { 'content-type': OPENAPI_V2_PROTO }, body: v2.proto };
}

/** The v2 document of `registry`'s built-in types: its key computed once per registry generation, the document rebuilt only when the key moved. */
async function v2For(registry: ResourceRegistry): Promise<NonNullable<typeof v2>> {
  if (v2?.registry === registry && v2.generation === registry.generation) return v2;
  const generation = registry.generation;
  const builtins = [...registry.all(), ...REVIEW_RESOURCES].filter((t) => !t.crd);
  const key = JSON.stringify(builtins.map((t) => [t.group, t.kind, t.versions]));
  if (v2?.key === key) return { ...v2, registry, generation };
  return { key, text: v2Document(await builtinSchemas(), builtins), registry, generation };
}

function v2Document(schemas: Record<string, OpenApiSchema>, builtins: ResourceType[]): string {
  const definitions: Record<string, unknown> = {};
  const text = JSON.stringify(schemas).replaceAll('#/components/schemas/', '#/definitions/');
  Object.assign(definitions, JSON.parse(text));
  for (const t of builtins) {
    for (const v of t.versions) {
      const name = roots[`${t.group ? t.group + '/' : ''}${v}/${t.kind}`];
      if (name && definitions[name]) definitions[name] = { ...(definitions[name] as object), 'x-kubernetes-group-version-kind': gvkExt(t, v) };
    }
  }
  return JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths: {}, definitions });
}
