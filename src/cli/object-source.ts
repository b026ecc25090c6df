// Where describe and delete find, read and delete objects: the store opened in this process
// (ApiSource), or the cluster's daemon over its REST API when it serves (RemoteObjects, the
// same requests kubectl sends). Both answer alike, so the verbs print the same either way.

import { ApiError } from '../api/errors';
import { NoKindMatchError, ResourceRegistry, UnknownResourceError, pluralGroup, type ResourceType } from '../api/resources';
import type { ApiServer, DeleteOptions } from '../api/server';
import { typeOfManifest } from '../api/manifest-type';
import type { KObject } from '../api/types';
import { ConnectionError, statusError, verbDaemonClient, type RestClient } from '../client/rest-client';
import type { CliContext } from './context';
import { buildListOptions } from './flags/selectors';
import { parseResourceArgs, type ResourceSelection } from './resource-args';

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
  delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject>;
  /** Lets the cluster run until done() holds (true) or timeoutMs of cluster time pass (false). */
  runUntil(ctx: CliContext, done: () => Promise<boolean>, timeoutMs: number): Promise<boolean>;
}

/** The store opened in this process. */
export class ApiSource implements ObjectSource {
  constructor(readonly api: ApiServer) {}

  get registry(): ResourceRegistry {
    return this.api.registry;
  }

  now(): number {
    return this.api.clock.now();
  }

  async selections(resources: string[]): Promise<ResourceSelection[]> {
    return parseResourceArgs(resources, this.api.registry);
  }

  async learnKinds(): Promise<void> {
    // The registry holds every established CRD already.
  }

  typeOf(obj: { apiVersion?: unknown; kind?: unknown }): ResourceType {
    return this.api.typeOf(obj);
  }

  tryGet(type: ResourceType, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    return this.api.tryGet(type, namespace, name);
  }

  async list(type: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObject[]> {
    return (await this.api.list(type, buildListOptions(type, labelSelector, fieldSelector, namespace))).items;
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject> {
    return this.api.delete(type, namespace, name, opts);
  }

  /** With no daemon, the controllers run here until done; a daemon's (started if need be) are polled. */
  async runUntil(ctx: CliContext, done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const { driveCluster } = await import('./drive-cluster');
    return driveCluster(ctx, this.api, done, timeoutMs);
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
    try {
      return parseResourceArgs(resources, this.registry);
    } catch (e) {
      if (this.crdsLoaded || !(e instanceof UnknownResourceError || e instanceof NoKindMatchError)) throw e;
      await this.loadCrds();
      return parseResourceArgs(resources, this.registry);
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

  private async loadCrds(): Promise<void> {
    if (this.crdsLoaded) return;
    this.crdsLoaded = true;
    const { crdResourceType } = await import('../api/crd');
    const list = await this.client.getJson<ListBody>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {});
    for (const crd of list.items ?? []) {
      if (crd.metadata.deletionTimestamp) continue;
      const t = crdResourceType(crd);
      if (t) this.registry.register(t);
    }
  }

  async tryGet(type: ResourceType, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    // A name that is no single path segment names nothing (the server refuses such paths).
    if (!name || name === '.' || name === '..' || name.includes('/')) return undefined;
    const res = await this.client.get(objectPath(type, namespace, name), {}, 'application/json');
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw statusError(res);
    return JSON.parse(res.body) as KObject;
  }

  async list(type: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObject[]> {
    const body = await this.client.getJson<ListBody>(resourcePath(type, namespace), { labelSelector: labelSelector || undefined, fieldSelector: fieldSelector || undefined });
    return body.items ?? [];
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject> {
    if (!name || name === '.' || name === '..' || name.includes('/')) throw ApiError.notFound(pluralGroup(type), name);
    let res;
    try {
      res = await this.client.delete(objectPath(type, namespace, name), {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
        ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
        ...(opts.dryRun ? { dryRun: ['All'] } : {}),
      });
    } catch (e) {
      if (!(e instanceof ConnectionError) || e.sent) this.committed = true;
      throw e;
    }
    this.committed = true;
    if (res.status < 200 || res.status >= 300) throw statusError(res);
    const body = JSON.parse(res.body) as KObject & { details?: { uid?: string } };
    // A Status: the object is gone already; its uid is in the details.
    if (body.kind === 'Status') return { apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, metadata: { name, namespace, uid: body.details?.uid } };
    return body;
  }

  /**
   * Polls: the daemon runs the cluster by itself (its kubelet and garbage collector); the
   * timeout counts the server's cluster time, as the answers report it.
   */
  async runUntil(_ctx: CliContext, done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const start = this.now();
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      if (await done()) return true;
      if (this.now() - start > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, delay));
    }
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
  try {
    return { value: await use(source) };
  } catch (e) {
    if (e instanceof ConnectionError && !source.committed) return undefined;
    throw e;
  } finally {
    client.close();
  }
}

/** The REST path of a type's collection (in a namespace when given and namespaced). */
export function resourcePath(type: ResourceType, namespace: string | undefined): string {
  const gv = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const ns = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${gv}${ns}/${type.plural}`;
}

function objectPath(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${resourcePath(type, namespace)}/${encodeURIComponent(name)}`;
}
