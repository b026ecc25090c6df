// Where the verbs find, read, write and delete objects: the store opened in this process
// (ApiSource), or the cluster's daemon over its REST API when it serves (RemoteObjects, the
// same requests kubectl sends). Both answer alike, so the verbs print the same either way.

import { ApiError } from '../api/errors';
import { NoKindMatchError, ResourceRegistry, isShortName, REVIEW_RESOURCES, UnknownResourceError, objectPath, pluralGroup, resourcePath, type ResourceType } from '../api/resources';
import type { ApiServer, DeleteOptions } from '../api/server';
import { typeOfManifest } from '../api/manifest-type';
import { retryOnConflict } from '../api/retry';
import { deepCopy, jsonText, type KObject } from '../api/types';
import { ConnectionError, statusError, verbDaemonClient, type ClientResponse, type RestClient } from '../client/rest-client';
import type { CliContext } from './context';
import type { RequestUser } from '../api/rest/types';
import type { PatchType } from './flags/patch-input';
import { buildListOptions } from './flags/selectors';
import { listError } from '../api/list-options';
import { parseResourceArgs, typeArgsOf, type ResourceSelection } from './resource-args';
import { parseJson, sortedKeys } from '../util/exact-json';

/**
 * The object as kubectl sends it: re-encoded from a Go map, every object's keys sorted. The
 * decoder meets fields in this order, so it picks which of two bad fields an error names.
 */
const asSent = (obj: KObject): KObject => sortedKeys(obj) as KObject;

export interface ObjectSource {
  readonly registry: ResourceRegistry;
  /** Cluster time (ms), for ages. */
  now(): number;
  /** The resource arguments (`pods`, `deploy/web`, `pod,svc`), as parseResourceArgs resolves them. */
  selections(resources: string[]): Promise<ResourceSelection[]>;
  /** Makes the kinds of these manifests known (custom resources), so typeOf resolves them. */
  learnKinds(objs: { apiVersion?: unknown; kind?: unknown }[]): Promise<void>;
  typeOf(obj: { apiVersion?: unknown; kind?: unknown }): ResourceType;
  tryGet(type: ResourceType, namespace: string | undefined, name: string): Promise<KObject | undefined>;
  /** The objects of a type in a namespace (all namespaces when undefined) matching the selectors. */
  list(type: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObject[]>;
  /** Deletes one object: what remains of it (graceful deletion) or what was deleted. */
  delete(type: ResourceType, namespace: string | undefined, name: string, opts: SourceDeleteOptions): Promise<KObject>;
  /** Creates an object (POST). */
  create(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject>;
  /**
   * Replaces an object (PUT), at obj.metadata.resourceVersion when set. With subresource
   * 'scale', `obj` is an autoscaling/v1 Scale, and the Scale is answered.
   */
  update(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject>;
  /** Read, change with fn, write back at the read's resourceVersion; retried on conflict. */
  mutate(type: ResourceType, namespace: string | undefined, name: string, fn: (obj: KObject) => KObject | void, opts: SourceWriteOptions): Promise<KObject>;
  /**
   * Writes fn's change to `read`, an object this verb has read, as kubectl does: in-process a
   * read-modify-write (retried on conflict); over REST the change as one PATCH of patchType,
   * computed from `read` (kubectl's GET, then PATCH).
   */
  change(type: ResourceType, read: KObject, fn: (obj: KObject) => KObject | void, opts: ChangeOptions): Promise<KObject>;
  /**
   * Server-side apply of a configuration (PATCH application/apply-patch+yaml): created, or
   * merged into the live object by field ownership; a field conflict is an ApiError Conflict.
   */
  serverSideApply(type: ResourceType, config: KObject, opts: ApplyOptions): Promise<KObject>;
  /** Patches an object (PATCH) with a strategic merge, JSON merge or JSON patch document (JSON text); with subresource 'scale', its Scale (answered). */
  patch(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, jsonText: string, opts: SourceWriteOptions): Promise<KObject>;
  /** Runs a batch of writes (in-process: one store group, for its group commit). */
  group<T>(fn: () => Promise<T>): Promise<T>;
  /** Waits until each object is gone (or replaced: another uid); the first one left when timeoutMs pass, else undefined. */
  waitDeleted(ctx: CliContext, pending: PendingDeletion[], timeoutMs: number): Promise<PendingDeletion | undefined>;
  /**
   * Follows one object until `seen` returns true: `seen` gets it now and after each change,
   * undefined once it is deleted (or replaced: another uid). False when timeoutMs pass first.
   */
  follow(ctx: CliContext, target: PendingDeletion, seen: FollowCallback, timeoutMs: number): Promise<boolean>;
  /**
   * Checks `done` (which reads through this source) until it holds, false when timeoutMs
   * pass first: in-process the cluster is driven between checks, a daemon's polled. `now` is
   * the time the wait runs on: the cluster's clock in-process, the wall clock (as kubectl's) remote.
   */
  poll(ctx: CliContext, done: (now: number) => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean>;
  /** GET of an object's subresource (`status`: the object; `scale`: its Scale); NotFound when the kind has none. */
  getSubresource(type: ResourceType, namespace: string | undefined, name: string, subresource: string): Promise<KObject>;
  /** POSTs a policy/v1 Eviction for a pod (the eviction subresource): refused with a 429 while a disruption budget forbids it. */
  evict(namespace: string, name: string, opts: { gracePeriodSeconds?: number; dryRun?: boolean }): Promise<void>;
}

/** A DELETE's options; `untyped`: resource.Helper's body (apply --force), without kind and apiVersion. */
export interface SourceDeleteOptions extends DeleteOptions {
  untyped?: boolean;
}

export type FollowCallback = (obj: KObject | undefined) => boolean | Promise<boolean>;

/** An object deleted: gone once the name is free or held by another object (uid). */
export interface PendingDeletion {
  type: ResourceType;
  namespace?: string;
  name: string;
  uid?: string;
}

const replaced = (p: PendingDeletion, o: KObject) => p.uid !== undefined && o.metadata.uid !== p.uid;

export interface SourceWriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Writes through the status subresource. */
  status?: boolean;
  /** Written through this subresource: 'scale' (the body is, or patches, an autoscaling/v1 Scale). */
  subresource?: string;
  /** Over REST, no fieldValidation parameter (kubectl's label, annotate, set, cordon and patch send none). */
  noFieldValidation?: boolean;
  /** The write's fieldValidation (kubectl's `--validate`); Strict unless said. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** In-process: where the server's warnings go (over REST the client prints the Warning headers). */
  warn?: (text: string) => void;
}

/** How a change is sent over REST: kubectl's patch type for the verb. */
export interface ChangeOptions extends SourceWriteOptions {
  /** 'strategic' falls back to a JSON merge patch for kinds without a strategic-merge schema (custom resources). */
  patchType: 'strategic' | 'merge';
}

export interface ApplyOptions extends SourceWriteOptions {
  fieldManager: string;
  force: boolean;
}

/** The store opened in this process. */
export class ApiSource implements ObjectSource {
  /**
   * clusterDir: where the cluster's keys are, for the TokenReviews a create may ask; user: the
   * user --as impersonates, each request authorized as the daemon authorizes it and each write
   * made as that user (admission sees them, as over REST); without one the admin, unchecked.
   */
  constructor(
    readonly api: ApiServer,
    private readonly clusterDir?: string,
    private readonly user?: RequestUser,
    /** Where a write's warnings go when it names no `warn` of its own (as kubectl prints every response's Warning headers). */
    private readonly warnings?: (text: string) => void,
  ) {}

  /** The write's own `warn` (undefined when it gives the key to keep them quiet), else the source's. */
  private warnOf(opts: { warn?: (text: string) => void }): ((text: string) => void) | undefined {
    return 'warn' in opts ? opts.warn : this.warnings;
  }

  /** The request kubectl would send, refused as the API server refuses it when the user may not make it. */
  private async authorize(method: string, path: string): Promise<void> {
    if (this.user) await (await import('./impersonation')).authorizeAs(this.api, this.user, method, path);
  }

  get registry(): ResourceRegistry {
    return this.api.registry;
  }

  now(): number {
    return this.api.clock.now();
  }

  async selections(resources: string[]): Promise<ResourceSelection[]> {
    return parseResourceArgs(resources, this.api.registry, { warn: this.warnings });
  }

  async learnKinds(): Promise<void> {
    // The registry holds every established CRD already.
  }

  typeOf(obj: { apiVersion?: unknown; kind?: unknown }): ResourceType {
    return this.api.typeOf(obj);
  }

  async tryGet(type: ResourceType, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    // A review has no GET: the server's 404 reads as absent, as over REST.
    if (REVIEW_RESOURCES.includes(type)) return this.rest('GET', objectPath(type, namespace, name), {}).catch((e) => (e instanceof ApiError && e.code === 404 ? undefined : Promise.reject(e)));
    await this.authorize('GET', objectPath(type, namespace, name));
    return this.api.tryGet(type, namespace, name);
  }

  async list(type: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObject[]> {
    await this.authorize('GET', resourcePath(type, namespace));
    return (await this.api.list(type, buildListOptions(type, labelSelector, fieldSelector, namespace))).items;
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject> {
    if (REVIEW_RESOURCES.includes(type)) return this.rest('DELETE', objectPath(type, namespace, name), {});
    await this.authorize('DELETE', objectPath(type, namespace, name));
    return this.api.delete(type, namespace, name, { ...opts, user: this.user, warn: this.warnOf(opts) });
  }

  async create(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject> {
    obj = asSent(obj);
    if (REVIEW_RESOURCES.includes(type)) return this.review(type, obj, opts);
    await this.authorize('POST', resourcePath(type, obj.metadata?.namespace));
    await this.lenientDecoding(type, obj, opts);
    return this.api.create(obj, { dryRun: opts.dryRun, fieldManager: opts.fieldManager, warn: this.warnOf(opts), user: this.user });
  }

  /**
   * A review (SelfSubjectAccessReview, TokenReview, ...) is a question, never stored: the REST
   * handler answers it as `kubesim serve` does, RBAC deciding, as the admin the CLI acts as.
   */
  private review(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject> {
    return this.rest('POST', resourcePath(type, obj.metadata?.namespace), writeQuery(opts), jsonText(obj));
  }

  /** kubectl's request to the REST handler `serve` runs, in this process (subresources the verbs do not write themselves). */
  private async rest(method: string, path: string, query: Record<string, string | undefined>, body?: string, contentType?: string): Promise<KObject> {
    const { localRest } = await import('./local-rest');
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const res = await localRest(this.api, this.clusterDir, { method, path, query: params, body, contentType }, this.user);
    if (res.status < 200 || res.status >= 300) throw statusError({ status: res.status, body: res.text });
    return parseJson(res.text) as KObject;
  }

  /** fieldValidation=Warn|Ignore: the server drops unknown fields (Warn: a warning each) instead of refusing them. */
  private async lenientDecoding(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<void> {
    if (opts.fieldValidation !== 'Warn' && opts.fieldValidation !== 'Ignore') return;
    const { dropUnknownFields } = await import('../api/rest/field-validation');
    const dropped = await dropUnknownFields(this.api, obj, type);
    if (opts.fieldValidation === 'Warn') for (const f of dropped) this.warnOf(opts)?.(`unknown field "${f}"`);
  }

  async update(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject> {
    obj = asSent(obj);
    if (opts.subresource === 'scale') {
      await this.authorize('PUT', `${objectPath(type, obj.metadata.namespace, obj.metadata.name!)}/scale`);
      return this.writeScale(type, obj.metadata.namespace, obj.metadata.name!, () => obj, opts);
    }
    if (opts.subresource || REVIEW_RESOURCES.includes(type)) return this.rest('PUT', objectPath(type, obj.metadata.namespace, obj.metadata.name ?? '') + subresourcePath(opts), writeQuery(opts), jsonText(obj));
    await this.authorize('PUT', objectPath(type, obj.metadata.namespace, obj.metadata.name ?? '') + subresourcePath(opts));
    await this.lenientDecoding(type, obj, opts);
    const o = { dryRun: opts.dryRun, fieldManager: opts.fieldManager, warn: this.warnOf(opts), user: this.user };
    return opts.status ? this.api.updateStatus(obj, o) : this.api.update(obj, o);
  }

  async mutate(type: ResourceType, namespace: string | undefined, name: string, fn: (obj: KObject) => KObject | void, opts: SourceWriteOptions): Promise<KObject> {
    // Over REST a GET, then a PUT.
    await this.authorize('GET', objectPath(type, namespace, name));
    await this.authorize('PUT', objectPath(type, namespace, name) + subresourcePath(opts));
    return this.api.mutate(type, namespace, name, fn, { ...opts, user: this.user, warn: this.warnOf(opts) });
  }

  async change(type: ResourceType, read: KObject, fn: (obj: KObject) => KObject | void, opts: ChangeOptions): Promise<KObject> {
    await this.authorize('PATCH', objectPath(type, read.metadata.namespace, read.metadata.name!) + subresourcePath(opts));
    return this.api.mutate(type, read.metadata.namespace, read.metadata.name!, fn, { ...opts, user: this.user, warn: this.warnOf(opts) });
  }

  async patch(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, jsonText: string, opts: SourceWriteOptions): Promise<KObject> {
    const { patchLive, applyPatchText } = await import('./patch');
    if (!opts.subresource || opts.subresource === 'scale') await this.authorize('PATCH', objectPath(type, namespace, name) + subresourcePath(opts));
    if (opts.subresource === 'scale') return this.writeScale(type, namespace, name, (scale) => applyPatchText(scale, { ...type, kind: 'Scale' }, patchType, jsonText, false), opts);
    if (opts.subresource) return this.rest('PATCH', objectPath(type, namespace, name) + subresourcePath(opts), writeQuery(opts), jsonText, PATCH_CONTENT_TYPES[patchType]);
    const fieldValidation = opts.noFieldValidation ? 'Warn' : opts.fieldValidation ?? 'Strict';
    return patchLive(this.api, type, namespace, name, patchType, jsonText, { status: Boolean(opts.status), dryRun: Boolean(opts.dryRun), fieldManager: opts.fieldManager ?? '', fieldValidation, warn: this.warnOf(opts), user: this.user });
  }

  /** As the API server's apply patch (ApiServer.apply): retried while another write got in between (not on a field conflict). */
  async serverSideApply(type: ResourceType, config: KObject, opts: ApplyOptions): Promise<KObject> {
    config = asSent(config);
    if (REVIEW_RESOURCES.includes(type)) return this.rest('PATCH', objectPath(type, config.metadata?.namespace, config.metadata?.name ?? ''), { ...writeQuery(opts), force: String(opts.force) }, JSON.stringify(config), 'application/apply-patch+yaml');
    await this.authorize('PATCH', objectPath(type, config.metadata?.namespace, config.metadata?.name ?? ''));
    return (await this.api.apply(type, config, { dryRun: opts.dryRun, fieldManager: opts.fieldManager, force: opts.force, warn: this.warnOf(opts), user: this.user })).object;
  }

  group<T>(fn: () => Promise<T>): Promise<T> {
    return this.api.group(fn);
  }

  /** With no daemon, the controllers run here until the objects are gone; a daemon's (started if need be) are polled. */
  async waitDeleted(ctx: CliContext, pending: PendingDeletion[], timeoutMs: number): Promise<PendingDeletion | undefined> {
    const left = async () => {
      for (const p of pending) {
        const o = await this.api.tryGet(p.type, p.namespace, p.name);
        if (o && !replaced(p, o)) return p;
      }
      return undefined;
    };
    if (!(await left())) return undefined;
    const { driveCluster } = await import('./drive-cluster');
    await driveCluster(ctx, this.api, async () => !(await left()), timeoutMs);
    return left();
  }

  /**
   * Polled on the cluster clock (the daemon's controllers move it, or this process's when
   * none runs); `seen` gets every state written in between, as from a watch.
   */
  async follow(ctx: CliContext, p: PendingDeletion, seen: FollowCallback, timeoutMs: number): Promise<boolean> {
    const { driveCluster } = await import('./drive-cluster');
    const { objectRevisions } = await import('../api/object-revisions');
    const revisions = objectRevisions(this.api, p.type, p.namespace, p.name);
    return driveCluster(ctx, this.api, async () => {
      for (const o of await revisions.next()) if (await seen(o && !replaced(p, o) ? o : undefined)) return true;
      return false;
    }, timeoutMs);
  }

  async poll(ctx: CliContext, done: (now: number) => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const { driveCluster } = await import('./drive-cluster');
    return driveCluster(ctx, this.api, () => done(this.api.clock.now()), timeoutMs);
  }

  async getSubresource(type: ResourceType, namespace: string | undefined, name: string, subresource: string): Promise<KObject> {
    const kind = await subresourceKind(type, subresource);
    await this.authorize('GET', `${objectPath(type, namespace, name)}/${encodeURIComponent(subresource)}`);
    const obj = await this.api.get(type, namespace, name);
    if (kind === type.kind) return obj;
    const { scaleOf } = await import('../api/scale');
    return scaleOf(obj, type) as KObject;
  }

  /** A write of the scale subresource; a write naming no manager is named as the server names the request's: by kubectl's user agent. */
  private async writeScale(type: ResourceType, namespace: string | undefined, name: string, wanted: (scale: KObject) => KObject | Promise<KObject>, opts: SourceWriteOptions): Promise<KObject> {
    await subresourceKind(type, 'scale');
    const { writeScale } = await import('../api/scale');
    return (await writeScale(this.api, type, namespace, name, wanted, { dryRun: opts.dryRun, fieldManager: opts.fieldManager ?? 'kubectl', warn: this.warnOf(opts), user: this.user })) as KObject;
  }

  async evict(namespace: string, name: string, opts: { gracePeriodSeconds?: number; dryRun?: boolean }): Promise<void> {
    await this.authorize('POST', `${objectPath(this.api.registry.forKind('v1', 'Pod'), namespace, name)}/eviction`);
    const { evictPod } = await import('../api/eviction');
    return evictPod(this.api, namespace, name, opts);
  }
}

interface ListBody {
  metadata?: { continue?: string };
  items?: KObject[];
}

/** The cluster's daemon, over REST: built-in kinds, and its CRDs once an argument needs them. */
export class RemoteObjects implements ObjectSource {
  readonly registry = new ResourceRegistry();
  private crdsLoaded = false;
  /** The cluster's folder, where the CRD index is read for short names (withDaemonSource sets it). */
  clusterDir?: string;
  /**
   * A write may have reached the server, or output was printed: from then on a lost
   * connection is an error, never a fall-back that would write or print twice.
   */
  committed = false;

  constructor(readonly client: RestClient) {}

  now(): number {
    return this.client.clusterTime ?? Date.now();
  }

  /** The resource arguments, resolved with the built-in kinds and, when needed, the server's CRDs. */
  async selections(resources: string[]): Promise<ResourceSelection[]> {
    // `all` takes in custom resources in that category; other names need CRDs only when unknown.
    if (resources[0]?.split(',').some((r) => r.toLowerCase() === 'all')) await this.loadCrds();
    // A built-in's short name a CRD may also have: warned of from the CRDs the store's index
    // lists, as kubectl warns from its cached discovery (reading them from the server for every
    // short name would add a request kubectl does not send).
    else if (!this.crdsLoaded && typeArgsOf(resources).some((t) => isShortName(this.registry.all(), t))) await this.indexedCrds();
    try {
      return parseResourceArgs(resources, this.registry, { warn: (text) => this.client.warning(text) });
    } catch (e) {
      if (this.crdsLoaded || !(e instanceof UnknownResourceError || e instanceof NoKindMatchError)) throw e;
      await this.loadCrds();
      return parseResourceArgs(resources, this.registry, { warn: (text) => this.client.warning(text) });
    }
  }

  async learnKinds(objs: { apiVersion?: unknown; kind?: unknown }[]): Promise<void> {
    for (const o of objs) {
      try {
        typeOfManifest(this.registry, o);
      } catch (e) {
        if (!(e instanceof NoKindMatchError)) return; // typeOf reports it
        return this.loadCrds();
      }
    }
  }

  typeOf(obj: { apiVersion?: unknown; kind?: unknown }): ResourceType {
    return typeOfManifest(this.registry, obj);
  }

  /** The CRD index's types registered (the file store's, read from its folder: no request); nothing for another store. */
  private indexed = false;
  private async indexedCrds(): Promise<void> {
    if (this.indexed || this.clusterDir === undefined) return;
    this.indexed = true;
    const { indexedCrdTypes } = await import('../api/fast-read');
    for (const t of indexedCrdTypes(this.clusterDir) ?? []) this.registry.register(t);
  }

  private async loadCrds(): Promise<void> {
    if (this.crdsLoaded) return;
    this.crdsLoaded = true;
    const { servedCrdType } = await import('../api/crd');
    const list = await this.client.getJson<ListBody>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {});
    for (const crd of list.items ?? []) {
      if (crd.metadata.deletionTimestamp) continue;
      const t = servedCrdType(crd); // what the server serves: Established, under its accepted names
      if (t) this.registry.register(t);
    }
  }

  async tryGet(type: ResourceType, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    if (unaddressable(name)) return undefined;
    const res = await this.client.get(objectPath(type, namespace, name), {}, 'application/json');
    // The daemon answers: from now on a lost connection is an error (output may have followed).
    this.committed = true;
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw statusError(res);
    return parseJson(res.body) as KObject;
  }

  async list(type: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObject[]> {
    const body = await this.client.getJson<ListBody>(resourcePath(type, namespace), { labelSelector: labelSelector || undefined, fieldSelector: fieldSelector || undefined }).catch((e) => Promise.reject(listError(e, type, labelSelector, fieldSelector)));
    this.committed = true;
    return body.items ?? [];
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, opts: SourceDeleteOptions): Promise<KObject> {
    if (unaddressable(name)) throw ApiError.notFound(pluralGroup(type), name);
    const res = await this.sent(() =>
      this.client.delete(objectPath(type, namespace, name), {
        ...(opts.untyped ? {} : { kind: 'DeleteOptions', apiVersion: 'v1' }),
        ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
        ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
        ...(opts.dryRun ? { dryRun: ['All'] } : {}),
      }),
    );
    const body = parseJson(res.body) as KObject & { details?: { uid?: string } };
    // A Status: the object is gone already; its uid is in the details.
    if (body.kind === 'Status') return { apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, metadata: { name, namespace, uid: body.details?.uid } };
    return body;
  }

  /** A write's answer, or its Status as the ApiError; committed once the request may have reached the daemon. */
  private async sent(send: () => Promise<ClientResponse>): Promise<ClientResponse> {
    let res;
    try {
      res = await send();
    } catch (e) {
      if (!(e instanceof ConnectionError) || e.sent) this.committed = true;
      throw e;
    }
    this.committed = true;
    if (res.status < 200 || res.status >= 300) throw statusError(res);
    return res;
  }

  /** Sends a write; the answer's object, or its Status as the ApiError. */
  private async write(method: 'POST' | 'PUT' | 'PATCH', path: string, query: Record<string, string | undefined>, body: string, contentType?: string | null): Promise<KObject> {
    return parseJson((await this.sent(() => this.client.send(method, path, query, body, contentType))).body) as KObject;
  }

  create(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject> {
    return this.write('POST', resourcePath(type, obj.metadata?.namespace), writeQuery(opts), jsonText(asSent(obj)));
  }

  update(type: ResourceType, obj: KObject, opts: SourceWriteOptions): Promise<KObject> {
    const name = obj.metadata?.name ?? '';
    if (unaddressable(name)) throw ApiError.notFound(pluralGroup(type), name);
    // kubectl's scale client PUTs its Scale with no Content-Type.
    const contentType = opts.subresource === 'scale' ? null : undefined;
    return this.write('PUT', objectPath(type, obj.metadata.namespace, name) + subresourcePath(opts), writeQuery(opts), jsonText(asSent(obj)), contentType);
  }

  mutate(type: ResourceType, namespace: string | undefined, name: string, fn: (obj: KObject) => KObject | void, opts: SourceWriteOptions): Promise<KObject> {
    const read = async () => (await this.tryGet(type, namespace, name)) ?? Promise.reject(ApiError.notFound(pluralGroup(type), name));
    return retryOnConflict(read, fn, (next) => this.update(type, next, opts));
  }

  async change(type: ResourceType, read: KObject, fn: (obj: KObject) => KObject | void, opts: ChangeOptions): Promise<KObject> {
    const { changePatch } = await import('./change-patch');
    const copy = deepCopy(read);
    const modified = fn(copy) ?? copy;
    const { patchType, text } = changePatch(read, modified, opts.patchType);
    return this.patch(type, read.metadata.namespace, read.metadata.name!, patchType, text, opts);
  }

  patch(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, jsonText: string, opts: SourceWriteOptions): Promise<KObject> {
    if (unaddressable(name)) throw ApiError.notFound(pluralGroup(type), name);
    return this.write('PATCH', objectPath(type, namespace, name) + subresourcePath(opts), writeQuery(opts), jsonText, PATCH_CONTENT_TYPES[patchType]);
  }

  /** kubectl's apply patch: the configuration as JSON (a YAML document too), with force spelled out. */
  async serverSideApply(type: ResourceType, config: KObject, opts: ApplyOptions): Promise<KObject> {
    const name = config.metadata?.name ?? '';
    if (unaddressable(name)) throw ApiError.notFound(pluralGroup(type), name);
    const { goJson } = await import('../util/go-format');
    const query = { ...writeQuery(opts), force: String(opts.force) };
    return this.write('PATCH', objectPath(type, config.metadata.namespace, name), query, goJson(config) + '\n', 'application/apply-patch+yaml');
  }

  group<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** As kubectl's wait for deletion: one deadline for all, each object listed by name and watched from that list. */
  async waitDeleted(_ctx: CliContext, pending: PendingDeletion[], timeoutMs: number): Promise<PendingDeletion | undefined> {
    // Wall-clock time: the watch is the daemon's, whose clock runs on its own.
    const deadline = Date.now() + timeoutMs;
    for (const p of pending) if (!(await this.followUntil(p, (o) => !o, deadline))) return p;
    return undefined;
  }

  /** As kubectl's informer on one object (UntilWithSync): a list with its name, then a watch from that list's resourceVersion. */
  follow(_ctx: CliContext, p: PendingDeletion, seen: FollowCallback, timeoutMs: number): Promise<boolean> {
    return this.followUntil(p, seen, Date.now() + timeoutMs);
  }

  private async followUntil(p: PendingDeletion, seen: FollowCallback, deadline: number): Promise<boolean> {
    const path = resourcePath(p.type, p.namespace);
    const fieldSelector = `metadata.name=${p.name}`;
    const live = (o: KObject | undefined) => (o && !replaced(p, o) ? o : undefined);
    while (Date.now() < deadline) {
      const list = await this.client.getJson<ListBody & { metadata?: { resourceVersion?: string } }>(path, { fieldSelector });
      this.committed = true;
      if (await seen(live(list.items?.[0]))) return true;
      // No deadline (kubectl's `--timeout=0`): the watch runs until the server ends it.
      const signal = Number.isFinite(deadline) ? AbortSignal.timeout(Math.max(1, deadline - Date.now())) : new AbortController().signal;
      try {
        const query = { fieldSelector, resourceVersion: list.metadata?.resourceVersion, watch: 'true' };
        for await (const line of this.client.streamLines(path, query, 'application/json', signal)) {
          const ev = parseJson(line) as { type: string; object: KObject };
          // 410 Expired (the list's version is no longer watchable): list again.
          if (ev.type === 'ERROR') break;
          if (ev.type === 'BOOKMARK') continue;
          if (await seen(ev.type === 'DELETED' ? undefined : live(ev.object))) return true;
        }
      } catch (e) {
        if (signal.aborted) return false;
        throw e;
      }
      // The watch ended (the server's timeout, or the deadline): list again while time is left.
    }
    return false;
  }

  /** Checks every second, kubectl's poll interval for the pods a drain waits on; wall-clock time, the daemon's clock runs on its own. */
  async poll(_ctx: CliContext, done: (now: number) => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await done(Date.now())) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
    }
  }

  async getSubresource(type: ResourceType, namespace: string | undefined, name: string, subresource: string): Promise<KObject> {
    if (unaddressable(name)) throw ApiError.notFound(pluralGroup(type), name);
    const res = await this.client.get(`${objectPath(type, namespace, name)}/${encodeURIComponent(subresource)}`, {}, 'application/json');
    this.committed = true;
    if (res.status < 200 || res.status >= 300) throw statusError(res);
    return parseJson(res.body) as KObject;
  }

  async evict(namespace: string, name: string, opts: { gracePeriodSeconds?: number; dryRun?: boolean }): Promise<void> {
    const type = this.registry.forKind('v1', 'Pod');
    const deleteOptions = { ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}), ...(opts.dryRun ? { dryRun: ['All'] } : {}) };
    const body = { kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name, namespace }, deleteOptions };
    // A 429's Status keeps its reason, TooManyRequests, which drain retries on.
    await this.sent(() => this.client.send('POST', `${objectPath(type, namespace, name)}/eviction`, {}, JSON.stringify(body)));
  }
}

/**
 * The cluster's daemon as the object source when it serves, else undefined (the store is
 * opened in-process). The client is closed when `use` is done with it. `use` must print
 * nothing before its first request answers: an unreachable daemon falls back silently.
 */
export async function withDaemonSource<T, S extends RemoteObjects = RemoteObjects>(
  ctx: CliContext,
  use: (source: S) => Promise<T>,
  make: (client: RestClient) => S = (client) => new RemoteObjects(client) as S,
): Promise<{ value: T } | undefined> {
  const client = verbDaemonClient(ctx);
  if (!client) return undefined;
  const source = make(client);
  source.clusterDir = ctx.clusterDir;
  try {
    return { value: await use(source) };
  } catch (e) {
    if (e instanceof ConnectionError && !source.committed) return undefined;
    throw e;
  } finally {
    client.close();
  }
}

/**
 * Runs a verb against the cluster's daemon when it serves, else (or when it cannot be
 * reached before anything was answered) against the store opened in this process.
 */
export async function withObjectSource<T>(ctx: CliContext, use: (source: ObjectSource) => Promise<T>): Promise<T> {
  const remote = await withDaemonSource(ctx, use);
  return remote ? remote.value : use(await localSource(ctx));
}

/** The store opened in this process as the verb's source, acting as the user --as impersonates (else the admin). */
export async function localSource(ctx: CliContext, api?: ApiServer): Promise<ApiSource> {
  const opened = api ?? (await ctx.api());
  const { actingUser } = await import('./impersonation');
  return new ApiSource(opened, ctx.clusterDir, await actingUser(ctx.flags, opened), (text) => ctx.err(`Warning: ${text}\n`));
}

/** The subresource a write goes to (`/scale`, `/status`, `/ephemeralcontainers`...), or the object itself. */
function subresourcePath(opts: SourceWriteOptions): string {
  return opts.status ? '/status' : opts.subresource ? `/${encodeURIComponent(opts.subresource)}` : '';
}

/** A write's query: dry run, field manager, and the server's strict decoding (what the in-process API does). */
function writeQuery(opts: SourceWriteOptions): Record<string, string | undefined> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, fieldValidation: opts.noFieldValidation ? undefined : opts.fieldValidation ?? 'Strict' };
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = { strategic: 'application/strategic-merge-patch+json', merge: 'application/merge-patch+json', json: 'application/json-patch+json' };

/** What a subresource's GET answers (the kind, or Scale), as the server lists it; NotFound when the kind has none that does. */
async function subresourceKind(type: ResourceType, subresource: string): Promise<string> {
  const { subresourcesOf } = await import('../api/rest/discovery');
  const sub = subresourcesOf(type).find((s) => s.name === subresource && s.verbs.includes('get'));
  if (!sub || !(sub.kind === type.kind || sub.kind === 'Scale')) throw new ApiError('NotFound', 'the server could not find the requested resource');
  return sub.kind;
}

/** A name that is no single path segment names nothing (the server refuses such paths). */
function unaddressable(name: string): boolean {
  return !name || name === '.' || name === '..' || name.includes('/');
}
