// The REST handler: one transport-independent entry point, `handle(req) -> response`, doing
// what kube-apiserver's endpoint handlers do (routing, verbs, content negotiation, Status
// errors, selectors, pagination, patch, watch) over the ApiServer. The HTTP front end in
// src/server/ and any in-process caller use this same path.

import { ApiError } from '../errors';
import { REVIEW_RESOURCES, apiVersionOf, atVersion, type ResourceRegistry, type ResourceType } from '../resources';
import type { ApiServer } from '../server';
import type { KObject } from '../types';
import { healthResponse } from './health';
import { aggregatedDiscovery, AGGREGATED_CONTENT_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions, subresourcesOf } from './discovery';
import { negotiate, type Representation } from './negotiate';
import { route, type Route } from './route';
import { badRequest, errorResponse, jsonResponse, methodNotAllowed, RestError } from './status';
import { toTable, type IncludeObject } from './table';
import { CLUSTER_TIME_HEADER, ROW_METADATA_HEADER, type ApiRequest, type ApiResponse, type RequestUser } from './types';
import { listObjects } from './list';
import { watchObjects } from './watch';
import { createObject, deleteCollection, deleteObject, patchObject, updateObject, scaleOf, updateScale, bindPod } from './writes';
import { podLogs } from './logs';
import { reviewRoutes } from './reviews';
import { toYaml } from '../../printers/yaml';
import type { WatchCache } from './watch-cache';
import { openapiV2, openapiV3Index, openapiV3GroupVersion } from './openapi';
import { versionInfo } from '../version-info';
import { METRICS_GROUP, METRICS_GV, metricsRoutes } from './metrics';
import { proxiedGroupVersions, type ProxiedGroupVersion } from '../apiservices';
import type { TokenIssuer } from './token-request';
import type { TokenCheck } from './types';
import { GroupCommit } from './group-commit';
import { METRICS_CONTENT_TYPE, RequestMetrics, requestLabels } from './request-metrics';
import { asUserRequest } from '../../store/async-store';
import { externalJson } from './encoded';
import { asVersion } from '../conversion/events';

/** Authorization check for SubjectAccessReviews (the HTTP front end supplies RBAC): allowed, and the authorizer's reason. */
export type AccessCheck = (user: RequestUser, attrs: { verb: string; group: string; resource: string; subresource?: string; name?: string; namespace: string } | { verb: string; path: string }) => Promise<{ allowed: boolean; reason: string }>;

export interface RestOptions {
  /** Every change in order for watchers (without one, watches follow the store's feed). */
  watchCache?: WatchCache;
  /** Answers SubjectAccessReviews; without it every review is allowed (no authorizer). */
  authorize?: AccessCheck;
  /** The RBAC rules of a user in a namespace (SelfSubjectRulesReview). */
  rules?: (user: RequestUser, namespace: string) => Promise<{ verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[]>;
  /** Signs service account tokens (serviceaccounts/token); without it TokenRequests get a 503. */
  tokens?: TokenIssuer;
  /** Authenticates the token of a TokenReview; without it reviews come back unanswered, as from a server with no token authenticator. */
  reviewToken?: (token: string, audiences: string[]) => Promise<TokenCheck>;
}

/** What a resource request resolved to. */
export interface Target {
  rt: ResourceType;
  version: string;
  gv: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export class RestHandler {
  private crdIndexText = '';
  /** The background read of the shared state in flight (one at a time). */
  private refreshing?: Promise<void>;
  /** The last read of the shared state failed. */
  private storeFailed = false;
  private lastProxied: ProxiedGroupVersion[] = [];
  /** Writes share store groups when the store gains from it (see group-commit.ts). */
  private readonly commits?: GroupCommit<ApiResponse>;
  /** What /metrics reports of the requests this handler answered. */
  readonly metrics = new RequestMetrics();

  constructor(
    readonly api: ApiServer,
    readonly opts: RestOptions = {},
  ) {
    if (api.store.groupCommits) this.commits = new GroupCommit(api);
  }

  get watchCache(): WatchCache | undefined {
    return this.opts.watchCache;
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const started = performance.now();
    let r: Route | undefined;
    let res: ApiResponse;
    try {
      r = route(req.path);
      const routed = r;
      // A user's request goes ahead of the daemon's own reconciles (see asUserRequest).
      res = await asUserRequest(() => this.dispatch(req, routed));
    } catch (e) {
      res = errorResponse(e);
      if (isPathNotFound(e)) {
        if (!underRestfulRoot(req.path, this.api.registry) && !this.servedCustomResource(r)) res = PLAIN_NOT_FOUND;
        r = undefined; // kube's NotFound handler is not instrumented
      }
    }
    if (r) res = this.counted(req, r, res, started);
    // The simulated clock is no client's wall clock: kubesim's CLI reads ages (describe,
    // delete --wait's timeout) against the server's time.
    return { ...res, headers: { ...res.headers, [CLUSTER_TIME_HEADER]: new Date(this.api.clock.now()).toISOString() } };
  }

  /** The response, recorded in /metrics once answered (a stream: once it ends, as kube's watches are). */
  private counted(req: ApiRequest, r: Route, res: ApiResponse, started: number): ApiResponse {
    const labels = requestLabels(req, r);
    if (!labels) return res;
    const done = () => this.metrics.record(labels, res.status, (performance.now() - started) / 1000);
    if (!res.stream) {
      done();
      return res;
    }
    const inner = res.stream;
    return {
      ...res,
      stream: (async function* () {
        try {
          yield* inner;
        } finally {
          done();
        }
      })(),
    };
  }

  private async dispatch(req: ApiRequest, r: Route): Promise<ApiResponse> {
    const method = req.method.toUpperCase();
    if (r.kind !== 'resource' && method !== 'GET' && method !== 'HEAD' && !(r.kind === 'resource-list' && method === 'POST')) {
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
    // Discovery and OpenAPI are served from memory, as kube-apiserver serves them: once a
    // read of the store failed (etcd without quorum), they answer at once with what was last
    // read while the store is tried again in the background.
    const fromMemory = SERVED_FROM_MEMORY.has(r.kind) && method === 'GET';
    if (fromMemory && this.storeFailed) this.refreshing ??= this.refresh().catch(() => {}).finally(() => (this.refreshing = undefined));
    else {
      try {
        await this.refresh();
      } catch (e) {
        if (!fromMemory) throw e;
      }
    }
    if (r.kind === 'group' || r.kind === 'resource-list' || r.kind === 'resource') {
      const proxied = await this.proxiedIn(r.group);
      if (proxied) {
        const gvs = proxied.filter((x) => r.kind === 'group' || x.version === r.version);
        // the aggregator's proxy handler: a group/version whose APIService is not Available (handler_proxy.go's proxyError)
        if (r.kind !== 'group' && gvs.some((x) => !x.answered)) return SERVICE_UNAVAILABLE;
        if (r.kind === 'group' && r.group !== METRICS_GROUP && gvs.length) return jsonResponse(200, { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroupList(this.api.registry, gvs).groups as { name: string }[]).find((g) => g.name === r.group) });
      }
      if (r.group === METRICS_GROUP) return metricsRoutes(this, req, r, method);
    }
    switch (r.kind) {
      case 'version':
        return jsonResponse(200, versionInfo());
      case 'metrics':
        return { status: 200, headers: { 'content-type': METRICS_CONTENT_TYPE }, body: await this.metrics.text(this.api) };
      case 'health':
        return healthResponse(r.parts, req.query);
      case 'root':
        return jsonResponse(200, { paths: ['/api', '/api/v1', '/apis', ...(await this.groupPaths()), '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
      case 'api':
      case 'apis': {
        const rep = negotiate(req.headers.accept, { allowTable: false, discovery: true });
        if (rep === 'discovery') {
          const proxied = r.kind === 'apis' ? await this.proxied() : [];
          return { status: 200, headers: { 'content-type': AGGREGATED_CONTENT_TYPE, vary: 'Accept' }, body: JSON.stringify(aggregatedDiscovery(this.api.registry, r.kind === 'api', proxied)) };
        }
        return this.encode(200, r.kind === 'api' ? apiVersions() : apiGroupList(this.api.registry, await this.proxied()), rep);
      }
      case 'group': {
        const doc = apiGroup(this.api.registry, r.group);
        if (!doc) throw notFoundPath();
        return jsonResponse(200, doc);
      }
      case 'resource-list': {
        const review = reviewRoutes(this, req, r.group, r.version, undefined);
        if (review) return review;
        const doc = apiResourceList(this.api.registry, r.group, r.version);
        if (!doc) throw notFoundPath();
        return jsonResponse(200, doc);
      }
      case 'openapi-v2':
        return openapiV2(this.api.registry, req, this.openapiCrd);
      case 'openapi-v3':
        return openapiV3Index(this.api.registry, this.openapiCrd);
      case 'openapi-v3-gv':
        return openapiV3GroupVersion(this.api.registry, r.group, r.version, this.openapiCrd);
      case 'resource':
        return this.resource(req, r, method);
      default:
        throw notFoundPath();
    }
  }

  /**
   * The proxied group/versions (apiservices.ts), read from the store; once a read of the store
   * failed, the last read, as the rest of discovery is served from memory then.
   */
  private async proxied(): Promise<ProxiedGroupVersion[]> {
    if (this.storeFailed) return this.lastProxied;
    try {
      return (this.lastProxied = await proxiedGroupVersions(this.api));
    } catch {
      this.storeFailed = true;
      return this.lastProxied;
    }
  }

  /** The proxied group/versions of `group` when kubesim serves no API of it (or it is metrics.k8s.io): read only then. */
  private async proxiedIn(group: string): Promise<ProxiedGroupVersion[] | undefined> {
    if (!group || REVIEW_RESOURCES.some((t) => t.group === group) || (group !== METRICS_GROUP && this.api.registry.all().some((t) => t.group === group))) return undefined;
    const gvs = (await this.proxied()).filter((x) => x.group === group);
    return gvs.length ? gvs : undefined;
  }

  /** A path of a custom resource that is served (the CRD handler answers it, a subresource it lacks too), not one it delegates. */
  private servedCustomResource(r: Route | undefined): boolean {
    return r?.kind === 'resource' && this.api.registry.all().some((t) => t.crd && t.group === r.group && t.plural === r.resource && t.versions.includes(r.version));
  }

  private async groupPaths(): Promise<string[]> {
    const seen = new Set<string>();
    // the aggregator's proxy path of each APIService (listed at the root, Available or not)
    for (const p of await this.proxied()) seen.add(`/apis/${p.group}/${p.version}`);
    for (const t of this.api.registry.all()) if (t.group) for (const v of t.versions) seen.add(`/apis/${t.group}/${v}`);
    seen.add(`/apis/${METRICS_GV}`);
    return [...seen].sort();
  }

  /** Another process may have registered CRDs or moved the clock: pick that up. */
  private async refresh(): Promise<void> {
    try {
      await this.readShared();
      this.storeFailed = false;
    } catch (e) {
      this.storeFailed = true;
      throw e;
    }
  }

  private async readShared(): Promise<void> {
    const clock = this.api.clock as { refresh?: () => unknown };
    await clock.refresh?.();
    const idx = (await this.api.store.readMeta<ResourceType[]>('crd-index')) ?? [];
    const text = JSON.stringify(idx);
    if (text === this.crdIndexText) return;
    this.crdIndexText = text;
    for (const t of this.api.registry.all().filter((x) => x.crd)) this.api.registry.unregister(t.group, t.plural);
    for (const t of idx) this.api.registry.register(t);
  }

  private async resource(req: ApiRequest, r: Extract<Route, { kind: 'resource' }>, method: string): Promise<ApiResponse> {
    const review = reviewRoutes(this, req, r.group, r.version, r);
    if (review) return review;
    const found = this.api.registry.all().find((t) => t.group === r.group && t.versions.includes(r.version) && t.plural === r.resource);
    if (!found) throw notFoundPath();
    const rt = atVersion(found, r.version);
    if (r.namespace !== undefined && !rt.namespaced) throw notFoundPath();
    if (r.subresource && !subresourcesOf(rt).some((s) => s.name === r.subresource)) throw notFoundPath();
    const t: Target = { rt, version: r.version, gv: apiVersionOf(rt, r.version), namespace: rt.namespaced ? r.namespace : undefined, name: r.name, subresource: r.subresource };
    if (rt.namespaced && t.name !== undefined && t.namespace === undefined) throw notFoundPath();

    const serve = () => (t.subresource ? this.subresource(req, t, method) : this.plain(req, t, method));
    const write = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
    return write && this.commits ? this.commits.submit(serve) : serve();
  }

  private async plain(req: ApiRequest, t: Target, method: string): Promise<ApiResponse> {
    const rt = t.rt;
    if (t.name === undefined) {
      switch (method) {
        case 'GET':
        case 'HEAD': {
          const w = req.query.get('watch');
          if (parseBool(w)) return watchObjects(this, req, t);
          return listObjects(this, req, t);
        }
        case 'POST':
          return createObject(this, req, t);
        case 'DELETE':
          return deleteCollection(this, req, t);
        default:
          throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      }
    }
    switch (method) {
      case 'GET':
      case 'HEAD': {
        const w = req.query.get('watch');
        if (parseBool(w)) return watchObjects(this, req, t);
        // The stored object itself (frozen): only encoded, and its text is reused (encoded.ts).
        const obj = await this.api.get(rt, t.namespace, t.name, { shared: true });
        return this.respondObject(req, t, obj, 200);
      }
      case 'PUT':
        return updateObject(this, req, t, false);
      case 'PATCH':
        return patchObject(this, req, t, false);
      case 'DELETE':
        return deleteObject(this, req, t);
      default:
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }

  private async subresource(req: ApiRequest, t: Target, method: string): Promise<ApiResponse> {
    const sub = t.subresource!;
    if (sub === 'status') {
      if (method === 'GET') return this.respondObject(req, t, await this.api.get(t.rt, t.namespace, t.name!), 200);
      if (method === 'PUT') return updateObject(this, req, t, true);
      if (method === 'PATCH') return patchObject(this, req, t, true);
    } else if (sub === 'scale') {
      if (method === 'GET') {
        const scale = scaleOf(await this.api.get(t.rt, t.namespace, t.name!), t.rt) as KObject;
        // `kubectl get --subresource=scale` asks for a Table: the Scale's own columns (printScale)
        if (negotiate(req.headers.accept, { allowTable: true }) !== 'table') return jsonResponse(200, scale);
        return this.encode(200, toTable([scale], 'Scale', 'autoscaling', { now: this.api.clock.now(), include: includeObject(req), resourceVersion: scale.metadata.resourceVersion }), 'json');
      }
      if (method === 'PUT' || method === 'PATCH') return updateScale(this, req, t, method);
    } else if (sub === 'ephemeralcontainers' && t.rt.kind === 'Pod' && (method === 'GET' || method === 'PUT' || method === 'PATCH')) {
      // kubectl debug: the pod, its ephemeral containers added through the subresource
      if (method === 'GET') return this.respondObject(req, t, await this.api.get(t.rt, t.namespace, t.name!), 200);
      return method === 'PUT' ? updateObject(this, req, t, false) : patchObject(this, req, t, false);
    } else if (sub === 'binding' && method === 'POST') {
      return bindPod(this, req, t);
    } else if (sub === 'log' && method === 'GET') {
      return podLogs(this, req, t);
    } else if (sub === 'eviction' && method === 'POST') {
      const { evictPod } = await import('./eviction');
      return evictPod(this, req, t);
    } else if (sub === 'approval' && (method === 'GET' || method === 'PUT' || method === 'PATCH')) {
      const { csrApproval } = await import('./csr-approval');
      return csrApproval(this, req, t, method);
    } else if (sub === 'token' && method === 'POST') {
      const { createToken } = await import('./token-request');
      return createToken(this, req, t, this.opts.tokens);
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }

  // ---------- encoding ----------

  /** The object as the requested group/version names it. */
  external(t: Target, obj: KObject): KObject {
    return asVersion(obj, t.gv, t.rt.kind);
  }

  private readonly getCrd = async (name: string): Promise<KObject | undefined> =>
    this.api.tryGet(this.api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), undefined, name);

  /**
   * The CRDs as the watch cache holds them (etcd): kube-apiserver builds its OpenAPI spec
   * from its informer, so it answers while etcd is down. undefined when the cache does not
   * hold them and the store cannot be read.
   */
  async crdsInMemory(): Promise<KObject[] | undefined> {
    try {
      return (await this.opts.watchCache?.list(this.api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), {}, 0))?.items;
    } catch {
      return undefined;
    }
  }

  /** A CRD for the OpenAPI documents: from memory, else (another store, or not held yet) read. */
  private readonly openapiCrd = async (name: string): Promise<KObject | undefined> =>
    (await this.crdsInMemory())?.find((c) => c.metadata.name === name) ?? this.getCrd(name);

  crdOf(t: Target): Promise<KObject | undefined> {
    return this.api.crdOf(t.rt);
  }

  async respondObject(req: ApiRequest, t: Target, obj: KObject, status: number, reads = true): Promise<ApiResponse> {
    const rep = negotiate(req.headers.accept, { allowTable: reads });
    if (rep === 'table') {
      return this.encode(status, toTable([obj], t.rt.kind, t.rt.group, { crd: await this.crdOf(t), now: this.api.clock.now(), gv: t.gv, include: includeObject(req), resourceVersion: obj.metadata.resourceVersion }), 'json');
    }
    if (rep === 'partial') return this.encode(status, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }, 'json');
    if (rep === 'json') return { status, headers: { 'content-type': 'application/json' }, body: externalJson(obj, t.gv, t.rt.kind) + '\n' };
    return this.encode(status, this.external(t, obj), rep);
  }

  encode(status: number, body: unknown, rep: Representation, headers: Record<string, string> = {}): ApiResponse {
    if (rep === 'yaml') {
      return { status, headers: { 'content-type': 'application/yaml', ...headers }, body: toYaml(body) };
    }
    return jsonResponse(status, body, headers);
  }
}

/** Routes that answer from memory when the store cannot be read (see dispatch). */
const SERVED_FROM_MEMORY = new Set<Route['kind']>(['root', 'version', 'api', 'apis', 'group', 'resource-list', 'openapi-v2', 'openapi-v3', 'openapi-v3-gv']);

export function includeObject(req: ApiRequest): IncludeObject {
  const v = req.query.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  if (v && v !== 'Metadata') throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
  const fields = req.headers[ROW_METADATA_HEADER];
  return fields ? { metadata: fields.split(',') } : 'Metadata';
}

const NOT_FOUND_PATH = 'the server could not find the requested resource';

/** go-restful's ServiceError for a path no route of a web service matches, as kube's serviceErrorHandler writes it (NewGenericServerResponse, no causes). */
export function notFoundPath(): RestError {
  return new RestError(404, 'NotFound', NOT_FOUND_PATH, {});
}

/** http.Error(w, "service unavailable", 503): kube-aggregator's proxy for an APIService that is not Available, plain text, no Status. */
const SERVICE_UNAVAILABLE: ApiResponse = { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: 'service unavailable\n' };

/** http.NotFound, where kube-apiserver's delegation chain ends (notfoundhandler). */
const PLAIN_NOT_FOUND: ApiResponse = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: '404 page not found\n' };

/**
 * Whether kube-apiserver's director gives `path` to go-restful: a web service's root (`/api`,
 * `/api/v1`, `/version`, `/apis/<built-in group>[/<version>]`) begins it at a path boundary,
 * or it is `/apis` itself. Anything else goes the non-go-restful way: a CRD's group to the
 * apiextensions handler, which delegates what it does not serve (servedCustomResource), an unknown group, `/bogus`,
 * `/healthz/x` to the NotFound handler's plain text. /openapi keeps the Status (kube-openapi's
 * handlers answer it their own way, not modelled).
 */
function underRestfulRoot(path: string, registry: ResourceRegistry): boolean {
  const p = path.split('/');
  if (p[1] === 'api' || p[1] === 'version' || p[1] === 'openapi') return true;
  if (p[1] !== 'apis') return false;
  if (p.length === 2 || (p.length === 3 && p[2] === '')) return true;
  const group = p[2];
  return group === METRICS_GROUP || REVIEW_RESOURCES.some((t) => t.group === group) || registry.all().some((t) => t.group === group && !t.crd);
}

/** A path nothing serves (not an object that is missing). */
function isPathNotFound(e: unknown): boolean {
  return e instanceof RestError && e.code === 404 && e.message === NOT_FOUND_PATH;
}

/** dryRun=All (the only value kube-apiserver accepts). */
export function dryRunOf(req: ApiRequest, body?: Record<string, any>): boolean {
  const vals = [...req.query.getAll('dryRun'), ...((body?.dryRun as string[] | undefined) ?? [])];
  for (const v of vals) if (v !== 'All') throw ApiError.badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
  return vals.length > 0;
}

/** strconv.ParseBool's true spellings (client libraries send `watch=True`, `watch=1`). */
export function parseBool(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}
