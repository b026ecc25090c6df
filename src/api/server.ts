// The API layer: every read and write of cluster objects goes through here, whoever the
// caller is (CLI verbs, controllers, the kubelet, a future HTTP front end). A write runs
// the same pipeline as kube-apiserver: resolve the type, check the namespace, strict
// schema check, defaulting, mutating admission, validation, metadata, storage.

import { ApiError, type FieldError } from './errors';
import { retryOnConflict } from './retry';
import { applyObject, type ApplyOptions } from './server-apply';
import { typeOfManifest } from './manifest-type';
import { objectKey, listPrefix, validName, CRD_INDEX } from './keys';
import { ResourceRegistry, KINDS_WITH_GENERATION, pluralGroup, type ResourceType } from './resources';
import type { KObject } from './types';
import { cloneJson as deepCopy } from '../store/clone';
import { deepEqual } from '../util/json-equal';
import { applyDefaults } from './defaulting';
import { canonicalQuantities } from './quantity-fields';
import { checkStorable } from './object-size';
import { policyAdmission } from './admission/validating-policy';
import { checkLimitRanges, checkNamespaceWritable, checkQuota, limitRangesFor } from './admission/write-checks';
import { asDecodedFromStorage, coerceDecoded, withCrdDefaults } from './crd';
import { syncCrdIndex } from './crd-registration';
import { deleteObject, finishDelete } from './deletion';
import type { Store, WatchEvent, WriteFence } from '../store/store';
import { SimState } from './sim-state';
import { EventIndex } from './event-names';
import { createNamedEvent, recordEvent, replayEvents, type EventRecord } from './event-recorder';
import { hasStatusSubresource, strategyFor } from './strategies';
import { dropDisabledFields } from './feature-gates';
import { ambientFieldManager, keepManaged, trackUpdate, type TrackContext } from './managed-fields/index';

import { KeyExistsError, KeyNotFoundError, RevisionConflictError } from '../store/store';
import type { Clock } from '../sim/clock';
import { randomSuffix, uuid, type Rng } from '../sim/rng';
import { bootstrapCluster } from './bootstrap';
import { dedupOwnerReferencesAndWarn } from './owner-references';
import { orderUpdateErrors } from './validation/update-errors';
import type { Requester } from './strategies/types';
import type { Undecodable } from './apply/patch-decode';
import { RbacGate } from '../rbac/gate';
import { renewLease, renewLeases, type LeaseRenewal } from './lease-renewal';
import { asStored, isEventsV1 } from './conversion/events';
import { eventCreateErrors, eventUpdateErrors } from './validation/event';

export type DryRun = 'none' | 'client' | 'server';

export interface WriteOptions {
  dryRun?: boolean;
  /** Records the write in metadata.managedFields as this manager's (operation Update). */
  fieldManager?: string;
  /** The subresource written through ('scale'), for the managedFields entry. */
  subresource?: string;
  /** Who writes (a CertificateSigningRequest records its requestor); unset: the CLI's admin. */
  user?: Requester;
  /** Where the write's warnings go (kube-apiserver's Warning headers): repeated owner references dropped, a Warn binding's failed ValidatingAdmissionPolicy. */
  warn?: (text: string) => void;
  /** The write is a PATCH's (server-side apply's too): its owner references are deduplicated only once patched (owner-references.ts). */
  patch?: boolean;
  /** A PATCH's answer to a value the decoder refuses (apply/patch-decode.ts): its patcher decodes, not the body decoder. */
  undecodable?: Undecodable;
  /** The apiVersion written through when it is not the stored one's (events.k8s.io/v1 for a core Event): its managedFields entry's. */
  requestVersion?: string;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: PropagationPolicy;
  /** undefined: the object's own terminationGracePeriodSeconds (pods) */
  gracePeriodSeconds?: number;
}

export interface ListOptions {
  namespace?: string;
  /** Compiled label selector: true when an object's labels match. Must only read. */
  labelMatch?: (labels: Record<string, string>) => boolean;
  /** Sees the stored object itself (before the copy a list hands out): must only read. */
  fieldMatch?: (obj: KObject) => boolean;
  /** The stored objects themselves, frozen, not copies (ListReadOptions.shared): for callers that only read. */
  shared?: boolean;
}

/** The validation the API server runs; provided by src/api/validation (loaded lazily). */
export interface Validator {
  /** Strict decoding: unknown fields, wrong types. Messages as `strict decoding error: ...`. */
  schemaErrors(obj: KObject, rt: ResourceType, crd?: KObject, fromMap?: boolean): string[];
  /**
   * Field errors (422); a custom resource's against its CRD's schema (`crd`), with `old` on
   * update (CEL transition rules); `status`: a status subresource write (its part of the
   * schema, but every CEL rule, the root's included).
   */
  validate(obj: KObject, rt: ResourceType, crd?: KObject, old?: KObject, status?: boolean): FieldError[];
  /** ValidateXUpdate; with subresource 'ephemeralcontainers', ValidatePodEphemeralContainersUpdate. */
  validateUpdate(oldObj: KObject, newObj: KObject, rt: ResourceType, subresource?: string): FieldError[];
}

export class ApiServer {
  readonly registry: ResourceRegistry;
  /** Simulation-only state (kubelet records, IPAM, clock, profile, daemon status). */
  readonly sim: SimState;
  /** Which event holds each repeatable event (client-go's correlator cache). */
  private readonly events: EventIndex;
  /** The RBAC authorizer over this cluster's roles: requests, reviews and admission policies' `authorizer` ask it. */
  readonly rbac: RbacGate;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly rng: Rng,
    /** Set by whoever opens the cluster; without one, objects are stored unvalidated (tests of other layers). */
    public validator?: Validator,
  ) {
    this.registry = new ResourceRegistry();
    this.sim = new SimState(store);
    this.rbac = new RbacGate(this);
    this.events = new EventIndex(async (namespace) => (await this.list(this.registry.forKind('v1', 'Event'), { namespace })).items, () => this.clock.now());
  }

  /** The cluster's current revision (what a list's resourceVersion would be now). */
  currentRev(): Promise<number> {
    return this.store.currentRev();
  }

  /** Runs `fn` as one unit with respect to other writers: its writes share one lock. */
  batch<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.store.batch(fn);
  }

  /** Runs `fn` (a reconcile) with its writes sharing the store's lock in small groups (see Store.group). */
  group<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.store.group(fn);
  }

  /**
   * The fencing token of the holder `holder` of the leader-election Lease `namespace/name`
   * (see WriteFence); its `rev` is the Lease's resourceVersion as the holder last wrote it.
   */
  leaseFence(namespace: string, name: string, holder: string): WriteFence {
    return { key: objectKey(this.registry.forKind('coordination.k8s.io/v1', 'Lease'), namespace, name), holder, rev: 0 };
  }

  /**
   * Runs `fn` (a leader's controllers at work) with every store write it makes fenced: on
   * a store shared by several processes (etcd) a write lands only while the Lease names
   * the fence's holder, checked by the store at the write itself.
   */
  fenced<T>(fence: WriteFence, fn: () => T): T {
    return this.store.fenced ? this.store.fenced(fence, fn) : fn();
  }

  /** An API server over `store`, with the custom resource types its CRDs define. */
  static async open(store: Store, clock: Clock, rng: Rng, validator?: Validator): Promise<ApiServer> {
    const api = new ApiServer(store, clock, rng, validator);
    await api.loadCustomTypes();
    return api;
  }

  /** Registers the custom resource types recorded by the CRDs in the store. */
  async loadCustomTypes(): Promise<void> {
    for (const t of (await this.store.readMeta<ResourceType[]>(CRD_INDEX)) ?? []) this.registry.register(t);
  }

  // ---------- reads ----------

  resolve(resource: string): ResourceType {
    return this.registry.resolve(resource);
  }

  typeOf(obj: { apiVersion?: unknown; kind?: unknown }): ResourceType {
    return typeOfManifest(this.registry, obj);
  }

  get(rt: ResourceType, namespace: string | undefined, name: string, opts?: { shared?: boolean }): Promise<KObject> {
    return this.tryGet(rt, namespace, name, opts).then((obj) => {
      if (!obj) throw ApiError.notFound(pluralGroup(rt), name);
      return obj;
    });
  }

  /** `opts.shared`: the stored object itself, frozen (see ListOptions.shared), for callers that only read it. */
  tryGet(rt: ResourceType, namespace: string | undefined, name: string, opts?: { shared?: boolean }): Promise<KObject | undefined> {
    if (!validName(name)) return Promise.resolve(undefined);
    if (rt.namespaced && namespace !== undefined && !validName(namespace)) return Promise.resolve(undefined);
    const read = this.store.get(objectKey(rt, rt.namespaced ? namespace ?? 'default' : undefined, name), opts?.shared ? { shared: true } : undefined);
    // A built-in object is the store's answer itself: no async layer and await around it (each
    // costs promises and their async hooks; a scheduled pod makes three reads).
    return rt.crd ? read.then(async (obj) => (obj ? (await this.asRead(rt, [obj]))[0] : obj)) : read;
  }

  /**
   * Custom resources as kube-apiserver reads them from storage (asDecodedFromStorage): pruned
   * and defaulted by the schema their CRD has now, so an object stored before a default was
   * added shows it. Built-in objects as they are.
   */
  async asRead(rt: ResourceType, items: KObject[]): Promise<KObject[]> {
    if (!rt.crd || !items.length) return items;
    const crd = await this.crdOf(rt, { shared: true });
    return crd ? items.map((o) => asDecodedFromStorage(o, crd)) : items;
  }

  async list(rt: ResourceType, opts: ListOptions = {}): Promise<{ items: KObject[]; resourceVersion: string }> {
    if (opts.namespace !== undefined && !validName(opts.namespace)) return { items: [], resourceVersion: String(await this.store.currentRev()) };
    const { labelMatch, fieldMatch } = opts;
    // Selectors run inside the store, before objects are copied: a selective list does not
    // pay for copying what it drops. Matchers only read (see ListOptions).
    const filter = labelMatch || fieldMatch ? (o: KObject) => (!labelMatch || labelMatch(o.metadata.labels ?? {})) && (!fieldMatch || fieldMatch(o)) : undefined;
    const { rev, items } = await this.store.list(listPrefix(rt, rt.namespaced ? opts.namespace : undefined), filter, opts.shared ? { shared: true } : undefined);
    return { items: await this.asRead(rt, items), resourceVersion: String(rev) };
  }

  /**
   * One page of a list read from the store itself, when the store pages (etcd): what
   * kube-apiserver does for a list with a limit or a continue token. Undefined otherwise.
   */
  async listPage(rt: ResourceType, opts: ListOptions, page: { limit: number; after?: string; rev?: number }): Promise<{ items: KObject[]; resourceVersion: string; next?: string; remaining?: number } | undefined> {
    if (!this.store.listPage) return undefined;
    if (opts.namespace !== undefined && !validName(opts.namespace)) return { items: [], resourceVersion: String(await this.store.currentRev()) };
    const { labelMatch, fieldMatch } = opts;
    const filter = labelMatch || fieldMatch ? (o: KObject) => (!labelMatch || labelMatch(o.metadata.labels ?? {})) && (!fieldMatch || fieldMatch(o)) : undefined;
    const r = await this.store.listPage(listPrefix(rt, rt.namespaced ? opts.namespace : undefined), { ...page, filter });
    return { items: await this.asRead(rt, r.items), resourceVersion: String(r.rev), next: r.next, remaining: r.remaining };
  }

  /** `opts.shared`: the events' objects frozen, not copied, for callers that only read them. */
  changesSince(rev: number, opts?: { shared?: boolean }): Promise<WatchEvent[]> {
    return this.store.changesSince(rev, opts?.shared ? { shared: true } : undefined);
  }

  /** See Store.reportsCompaction: an empty feed then means no registry change, not lost history. */
  get feedReportsCompaction(): boolean {
    return this.store.reportsCompaction === true;
  }

  // ---------- writes ----------

  create(input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    // an events.k8s.io/v1 Event is written as the core Event it is stored as
    const stored = this.decodedAsStored(input);
    const rt = this.typeOf(stored);
    const obj = deepCopy(stored);
    obj.apiVersion = stored.apiVersion;
    return this.createOwned(rt, obj, stored === input ? opts : { ...opts, requestVersion: input.apiVersion });
  }

  /**
   * create() of an object its caller built for this call and changes no more (the event
   * recorder's, five Events a pod): taken over as the input, not copied first.
   */
  createHandedOver(obj: KObject, opts: WriteOptions = {}): Promise<KObject> {
    return this.createOwned(this.typeOf(obj), obj, opts);
  }

  private createOwned(rt: ResourceType, obj: KObject, opts: WriteOptions): Promise<KObject> {
    obj.metadata ??= {};
    if (rt.namespaced) obj.metadata.namespace ??= 'default';
    else delete obj.metadata.namespace;
    return this.createTyped(rt, obj, opts);
  }

  private async createTyped(rt: ResourceType, obj: KObject, opts: WriteOptions): Promise<KObject> {
    if (!obj.metadata.name && !obj.metadata.generateName) {
      throw new ApiError('Invalid', `${rt.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, {
        kind: rt.kind,
        causes: [{ field: 'metadata.name', type: 'Required value', detail: 'name or generateName is required' }],
      });
    }
    // Decoding, defaulting and field ownership need no stored state (kube-apiserver does them
    // in the handler, before admission): done before the store's lock is taken, so that a
    // process's first write (the managed-fields schema parsed, the validators' first run)
    // does not hold every other writer, the daemon included, waiting (test/stress/soak).
    // A built-in kind's decoding needs no CRD lookup (no await: each promise costs its
    // async hooks, thousands of Events a second).
    // A Quantity that does not parse stops kube's decoder before its strict checks (400).
    canonicalQuantities(obj, rt, undefined, opts.undecodable);
    const crd = rt.crd ? await this.checkSchema(obj, rt) : this.checkDecoded(obj, rt, undefined, opts.undecodable);
    applyDefaults(obj);
    dropDisabledFields(obj, undefined, rt.group);
    dedupOwnerReferencesAndWarn(obj, Boolean(opts.patch), opts.warn);
    const manager = opts.fieldManager ?? ambientFieldManager();
    if (manager) await trackUpdate(undefined, obj, manager, this.trackContext(rt, obj, undefined, opts.requestVersion));

    return this.store.batch(async () => {
      const requestName = obj.metadata.name ?? ''; // admission's request.name: '' when generated
      if (obj.metadata.generateName && !obj.metadata.name) {
        // A generated name that is taken is generated again (RetryGenerateName, GA in 1.32).
        for (let attempt = 0; attempt < 8; attempt++) {
          obj.metadata.name = obj.metadata.generateName + randomSuffix(this.rng);
          if (!await this.store.get(objectKey(rt, rt.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name))) break;
        }
      }
      const name: string = obj.metadata.name!;
      if (rt.namespaced) await checkNamespaceWritable(this, obj.metadata.namespace!, rt);
      const strategy = strategyFor(rt);
      const limitRanges = await limitRangesFor(this, obj, rt);
      if (strategy.admit) await strategy.admit(this, obj, { requestName, limitRanges, dryRun: Boolean(opts.dryRun) });
      // PrepareForCreate: a kind that counts generations starts at 1 before validation (which refuses a negative one).
      if (KINDS_WITH_GENERATION.has(rt.kind) || rt.crd) obj.metadata.generation = 1;
      // The Event strategy's Validate (ValidateEventCreate, by the request's group version) before the common ObjectMeta checks (rest.BeforeCreate).
      if (this.validator && rt.kind === 'Event' && rt.group === '') this.checkEvent(eventCreateErrors(obj, obj.metadata.namespace!, opts.requestVersion), name, opts.requestVersion);
      this.checkValid(obj, rt, crd);
      if (this.validator && strategy.validate) {
        const errs = await strategy.validate(obj);
        if (errs.length) throw ApiError.invalid(rt.kind, rt.group, name, errs);
      }
      strategy.canonicalize?.(obj);
      checkLimitRanges(obj, rt, limitRanges);
      await policyAdmission(this, rt, 'CREATE', obj, null, { ...opts, name: requestName });
      if (rt.namespaced) await checkQuota(this, obj, rt);

      const now = this.timestamp();
      const meta = obj.metadata;
      meta.uid = uuid(this.rng);
      meta.creationTimestamp = now;
      delete meta.resourceVersion;
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
      if (KINDS_WITH_GENERATION.has(rt.kind) || rt.crd) meta.generation = 1;
      else delete meta.generation;
      strategy.prepareStatusOnCreate(obj);
      if (strategy.prepareForCreate) await strategy.prepareForCreate(this, obj, opts.user);

      const key = objectKey(rt, meta.namespace, name);
      if (opts.dryRun) {
        if (await this.store.get(key)) throw ApiError.alreadyExists(pluralGroup(rt), name);
        return obj;
      }
      checkStorable(key, obj, Boolean(rt.crd));
      let stored: KObject;
      try {
        stored = await this.store.create(key, obj);
      } catch (e) {
        if (e instanceof KeyExistsError) throw ApiError.alreadyExists(pluralGroup(rt), name);
        throw e;
      }
      if (strategy.afterCreate || rt.kind === 'CustomResourceDefinition') await this.afterCreate(stored, rt);
      return stored;
    });
  }

  /**
   * Replaces an object (PUT). A resourceVersion in the input is a precondition; without
   * one the update is unconditional. Status is kept from the stored object (status is a
   * subresource), except for kinds without a status split.
   */
  update(input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    const stored = asStored(input);
    return this.replace(stored, 'spec', stored === input ? opts : { ...opts, requestVersion: input.apiVersion });
  }

  /**
   * asStored, an events.k8s.io/v1 body first decoded in its own fields: kube's decoding errors
   * name what the client wrote (`Event.regarding`), not the core field it becomes; then
   * ValidateEventCreate's checks for this group. Creates only: server-side apply's update
   * merges the applied body into the stored core Event.
   */
  private decodedAsStored(input: KObject): KObject {
    if (!isEventsV1(input)) return input;
    this.checkDecoded(input, this.typeOf(input), undefined);
    return asStored(input);
  }

  /** Writes only .status (the status subresource), keeping spec and metadata as stored. */
  updateStatus(input: KObject, opts: WriteOptions = {}): Promise<KObject> {
    return this.replace(input, 'status', opts);
  }

  private replace(input: KObject, part: 'spec' | 'status', opts: WriteOptions): Promise<KObject> {
    const rt = this.typeOf(input);
    const name = input.metadata?.name;
    const namespace = rt.namespaced ? input.metadata?.namespace ?? 'default' : undefined;
    if (!name) throw ApiError.badRequest('name is required');
    return this.store.batch(async () => {
      // kube-apiserver's update handler decodes the body (strictly) before the object is looked up.
      const decoded = part === 'status' ? undefined : deepCopy(input);
      if (decoded) {
        decoded.apiVersion = input.apiVersion;
        canonicalQuantities(decoded, rt, undefined, opts.undecodable);
      }
      // A custom resource's CRD: its schema decodes the body (a /status body: defaults only, below).
      const crd = decoded ? await this.checkSchema(decoded, rt, opts.undecodable) : await this.crdOf(rt);
      // The request's repeated owner references go (a status write keeps the stored metadata: only the warning).
      dedupOwnerReferencesAndWarn(decoded ?? ({ metadata: { ownerReferences: input.metadata.ownerReferences } } as KObject), Boolean(opts.patch), opts.warn);
      // A status write only reads the stored object (its new version shares spec and the rest,
      // which the store's write then need not copy): shared unless a CRD's defaults rewrite it.
      const current = await this.get(rt, namespace, name, part === 'status' && !crd ? { shared: true } : undefined);
      const wantRev = input.metadata.resourceVersion;
      if (wantRev !== undefined && wantRev !== '' && wantRev !== current.metadata.resourceVersion) {
        throw ApiError.conflict(pluralGroup(rt), name);
      }
      let next: KObject;
      const strategy = strategyFor(rt);
      const viaEphemeral = opts.subresource === 'ephemeralcontainers' && rt.kind === 'Pod';
      if (part === 'status') {
        // `current` is only read from here on: a shallow copy of it carries spec and metadata
        // (metadata copied: managedFields change).
        next = { ...current, metadata: { ...current.metadata } };
        if (input.status !== undefined) next.status = deepCopy(input.status);
        else delete next.status;
        canonicalQuantities(next, rt, 'status', opts.undecodable);
        // The body is decoded with its schema's defaults (the status among them).
        if (crd) next = withCrdDefaults(next, crd);
        strategy.prepareForStatusUpdate?.(input, next);
        const manager = opts.fieldManager ?? ambientFieldManager();
        if (manager) await trackUpdate(current, next, manager, this.trackContext(rt, next, 'status'));
        else if (input.metadata.managedFields) {
          // A server-side apply's own managedFields (as the spec write's keepManaged takes them).
          next.metadata.managedFields = input.metadata.managedFields;
          keepManaged(current, next);
        }
        // A custom resource's status is validated against its schema's status (statusStrategy).
        if (crd) this.checkValid(next, rt, crd, current, true);
        await policyAdmission(this, rt, 'UPDATE', next, current, { ...opts, subresource: 'status' });
      } else {
        next = decoded!;
        applyDefaults(next);
        dropDisabledFields(next, current, rt.group);
        // podEphemeralContainersStrategy (dropNonEphemeralContainerUpdates): only the ephemeral containers change.
        if (viaEphemeral) next = { ...deepCopy(current), spec: { ...deepCopy(current.spec), ephemeralContainers: next.spec?.ephemeralContainers } };
        if (hasStatusSubresource(rt)) {
          if (current.status !== undefined) next.status = deepCopy(current.status);
          else delete next.status;
        }
        // Metadata the server owns.
        const m = next.metadata;
        m.uid = current.metadata.uid;
        m.creationTimestamp = current.metadata.creationTimestamp;
        m.namespace = current.metadata.namespace;
        if (current.metadata.deletionTimestamp) {
          m.deletionTimestamp = current.metadata.deletionTimestamp;
          m.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
        } else {
          delete m.deletionTimestamp;
          delete m.deletionGracePeriodSeconds;
        }
        // BeforeUpdate: a request cannot set the generation.
        if (current.metadata.generation !== undefined) {
          m.generation = current.metadata.generation + (specChanged(current, next) ? 1 : 0);
        } else delete m.generation;
        const manager = opts.fieldManager ?? ambientFieldManager();
        if (manager) await trackUpdate(current, next, manager, this.trackContext(rt, next, opts.subresource, opts.requestVersion));
        else keepManaged(current, next);
        if (this.validator) {
          // The new object's errors and the change's, reported together (rest.BeforeUpdate).
          const objectErrs = this.validator.validate(next, rt, crd, current);
          strategy.canonicalize?.(next);
          // pods/ephemeralcontainers may add ephemeral containers, which a pod update may not.
          const errs = orderUpdateErrors(rt.kind, Boolean(rt.crd), objectErrs, this.validator.validateUpdate(current, next, rt, opts.subresource));
          // The Event strategy's ValidateUpdate follows the common ObjectMeta checks (rest.BeforeUpdate).
          if (rt.kind === 'Event' && rt.group === '') this.checkEvent([...errs, ...eventUpdateErrors(next, current, opts.requestVersion)], name, opts.requestVersion);
          if (errs.length) throw ApiError.invalid(rt.kind, rt.group, name, errs);
        } else strategy.canonicalize?.(next);
        await strategy.prepareForUpdate?.(this, current, next);
        // LimitRanger leaves pod updates alone (their resources cannot change) and objects being deleted.
        if (rt.kind !== 'Pod' && !opts.subresource && !current.metadata.deletionTimestamp) checkLimitRanges(next, rt, await limitRangesFor(this, next, rt));
        await policyAdmission(this, rt, 'UPDATE', next, current, opts);
      }
      if (opts.dryRun) return next;
      const key = objectKey(rt, namespace, name);
      checkStorable(key, next, Boolean(rt.crd));
      const stored = await this.writeAt(rt, key, name, next, current);
      // An object being deleted whose last finalizer was just removed goes away now.
      // (A gracefully deleted kind goes once its grace period is 0: its kubelet finished it.)
      // (A namespace waits for its spec.finalizers too: its controller's status writes keep it.)
      if (stored.metadata.deletionTimestamp && !(stored.metadata.finalizers ?? []).length && !strategy.gracefulDelete && !(strategy.finalizedByController && (stored.spec?.finalizers ?? []).length)) {
        return finishDelete(this, rt, stored);
      }
      if (strategy.gracefulDelete && stored.metadata.deletionTimestamp && stored.metadata.deletionGracePeriodSeconds === 0 && !(stored.metadata.finalizers ?? []).length) {
        return finishDelete(this, rt, stored);
      }
      if (rt.kind === 'CustomResourceDefinition') await syncCrdIndex(this);
      return stored;
    });
  }

  /**
   * Stores `next` over `current` if the object is still at the version `current` was read at:
   * a later write is the API's Conflict, a deletion meanwhile its NotFound. `key`: its store
   * key (objectKey), which the caller has already made. `shared`: `next` is not changed
   * later, so the store need not copy it.
   */
  async writeAt(rt: ResourceType, key: string, name: string, next: KObject, current: KObject, opts?: { shared?: boolean }): Promise<KObject> {
    try {
      return await this.store.update(key, next, Number(current.metadata.resourceVersion), opts);
    } catch (e) {
      throw writeError(rt, name, e);
    }
  }

  /**
   * writeAt for several objects of one kind in one store call (Store.updateMany: one journal
   * append in a group); each result is the stored object or that write's own error.
   */
  async writeAllAt(rt: ResourceType, writes: ReadonlyArray<{ next: KObject; current: KObject }>, opts?: { shared?: boolean }): Promise<Array<KObject | Error>> {
    const name = (w: { current: KObject }) => w.current.metadata.name!;
    const ups = writes.map((w) => ({ key: objectKey(rt, w.current.metadata.namespace, name(w)), obj: w.next, expectRev: Number(w.current.metadata.resourceVersion) }));
    if (!this.store.updateMany) {
      const out: Array<KObject | Error> = [];
      for (let i = 0; i < writes.length; i++) out.push(await this.writeAt(rt, ups[i]!.key, name(writes[i]!), ups[i]!.obj, writes[i]!.current, opts).catch((e: Error) => e));
      return out;
    }
    const out = await this.store.updateMany(ups, opts);
    return out.map((r, i) => (r instanceof Error ? writeError(rt, name(writes[i]), r) : r));
  }

  /** A node Lease's renewal: `lease` as read (shared), only spec.renewTime moved (lease-renewal.ts). */
  renewLease(lease: KObject, renewTime: string, opts: WriteOptions = {}): Promise<KObject> {
    return renewLease(this, lease, renewTime, opts);
  }

  /** Several such renewals in one store call (a tick's kubelets, lease-renewal.ts): each result the Lease or its own error. */
  renewLeases(renewals: readonly LeaseRenewal[], opts: WriteOptions = {}): Promise<Array<KObject | Error>> {
    return renewLeases(this, renewals, opts);
  }

  /**
   * pods/NAME/binding: sets spec.nodeName and PodScheduled=True in one write, as the
   * registry's binding storage does (no second write for the status, no re-validation of
   * a spec that only gained its node). A pod already on another node is a Conflict.
   * Returns the stored pod itself, frozen (the scheduler keeps it in its snapshot, as the
   * change feed shares it): not to be changed.
   */
  bindPod(namespace: string, name: string, nodeName: string): Promise<KObject> {
    const rt = this.registry.forKind('v1', 'Pod');
    return this.store.batch(async () => {
      // Read shared (frozen): only spec.nodeName and the status change, so the new version
      // copies those two levels and the store's write copies it once (no copy of the read).
      const current = await this.tryGet(rt, namespace, name, { shared: true });
      if (!current) throw ApiError.notFound(pluralGroup(rt), name);
      if (current.spec?.nodeName && current.spec.nodeName !== nodeName) {
        throw new ApiError('Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${current.spec.nodeName}"`, { name, kind: 'pods/binding' });
      }
      const conds: any[] = (current.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
      conds.push({ lastProbeTime: null, lastTransitionTime: this.timestamp(), status: 'True', type: 'PodScheduled' });
      const next: KObject = { ...current, spec: { ...current.spec, nodeName }, status: { ...current.status, conditions: conds } };
      delete next.status.nominatedNodeName;
      return this.writeAt(rt, objectKey(rt, namespace, name), name, next, current, { shared: true });
    });
  }

  /**
   * Read-modify-write with retries on conflict: the helper controllers and CLI verbs use
   * for changes that are computed from the current object (scale, label, patch).
   */
  async mutate(rt: ResourceType, namespace: string | undefined, name: string, fn: (obj: KObject) => KObject | void | Promise<KObject | void>, opts: WriteOptions & { status?: boolean } = {}): Promise<KObject> {
    // get() hands out a private copy: fn may change it as it is.
    return retryOnConflict(() => this.get(rt, namespace, name), fn, (next) => (opts.status ? this.updateStatus(next, opts) : this.update(next, opts)));
  }

  /** Server-side apply (create or merge by field ownership, retried on conflict): REST's apply PATCH and the in-process CLI's. */
  apply(rt: ResourceType, config: KObject, opts: ApplyOptions): Promise<{ object: KObject; created: boolean }> {
    return applyObject(this, rt, config, opts);
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KObject> {
    return deleteObject(this, rt, namespace, name, opts);
  }

  // ---------- events ----------

  /**
   * Records a core/v1 Event about `involved`, aggregating repeats of the same
   * reason+message (count, lastTimestamp) as client-go's event correlator does.
   */
  recordEvent(involved: KObject, type: 'Normal' | 'Warning', reason: string, message: string, source: { component: string; host?: string }, fieldPath?: string): Promise<void> {
    return recordEvent(this, this.events, { involved, type, reason, message, source, fieldPath });
  }

  /**
   * Creates an Event its recorder built whole (the scheduler's events.k8s.io kind), named
   * as recordEvent names them; undefined when it could not be written (best effort).
   * `event` is the caller's to give up (createNamedEvent hands it over).
   */
  createEvent(event: KObject): Promise<string | undefined> {
    return createNamedEvent(this, this.events, event);
  }

  /** Events at past times a fast-forward accounts for without stepping (event-recorder.ts). */
  replayEvents(records: Iterable<EventRecord & { at: number }>, opts: { ttlMs: number; sweepMs: number; hold: (t: number) => void }): Promise<void> {
    return replayEvents(this, this.events, records, opts);
  }

  // ---------- cluster bootstrap ----------

  /** Creates what every cluster has from the start (idempotent). */
  bootstrap(): Promise<void> {
    return bootstrapCluster(this);
  }

  /** What field management needs to know about a write of `obj`. */
  trackContext(rt: ResourceType, obj: KObject, subresource?: string, apiVersion = obj.apiVersion): TrackContext {
    return { apiVersion, kind: rt.kind, statusSplit: hasStatusSubresource(rt), subresource, now: this.timestamp() };
  }

  timestamp(): string {
    // Asked several times per write (metadata, managed fields, events): one format per second.
    const sec = Math.floor(this.clock.now() / 1000);
    if (sec !== this.lastSecond) {
      this.lastSecond = sec;
      this.lastStamp = new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
    }
    return this.lastStamp;
  }
  private lastSecond = NaN;
  private lastStamp = '';

  // ---------- internals ----------

  /** A custom resource type's CRD (undefined for built-in kinds). */
  async crdOf(rt: ResourceType, opts?: { shared?: boolean }): Promise<KObject | undefined> {
    return rt.crd ? this.tryGet(this.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), undefined, rt.crd, opts) : undefined;
  }

  /** Strict decoding; returns the custom resource's CRD (for checkValid). */
  private async checkSchema(obj: KObject, rt: ResourceType, undecodable?: Undecodable): Promise<KObject | undefined> {
    return this.checkDecoded(obj, rt, await this.crdOf(rt), undecodable);
  }

  /** checkSchema with the CRD looked up (undefined for a built-in kind); `undecodable`: a PATCH's patcher decodes a built-in kind. */
  private checkDecoded(obj: KObject, rt: ResourceType, crd: KObject | undefined, undecodable?: Undecodable): KObject | undefined {
    if (crd) coerceDecoded(obj, crd);
    const patcher = crd ? undefined : undecodable;
    const errs = this.validator?.schemaErrors(obj, rt, crd, patcher?.fromMap) ?? [];
    // A wrong type: the patcher's 422 (unknown fields were the field validation's, before).
    if (patcher && errs.length && !errs[0].startsWith('strict decoding error: ')) throw patcher(errs[0]);
    if (errs.length) {
      const version = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[1] : obj.apiVersion;
      throw ApiError.badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: ${errs.join(', ')}`);
    }
    // The decoded body gets its schema's defaults before admission and validation see it.
    if (crd) Object.assign(obj, withCrdDefaults(obj, crd));
    return crd;
  }

  /** An Event's errors as a 422 of the group it was written through (`Event.events.k8s.io "x" is invalid`). */
  private checkEvent(errs: FieldError[], name: string, requestVersion: string | undefined): void {
    if (errs.length) throw ApiError.invalid('Event', requestVersion === 'events.k8s.io/v1' ? 'events.k8s.io' : '', name, errs);
  }

  private checkValid(obj: KObject, rt: ResourceType, crd?: KObject, old?: KObject, status = false): void {
    if (!this.validator) return;
    const errs = this.validator.validate(obj, rt, crd, old, status);
    if (errs.length) throw ApiError.invalid(rt.kind, rt.group, obj.metadata.name ?? '', errs);
  }

  private async afterCreate(obj: KObject, rt: ResourceType): Promise<void> {
    await strategyFor(rt).afterCreate?.(this, obj);
    if (rt.kind === 'CustomResourceDefinition') await syncCrdIndex(this);
  }
}

/** Generation moves on spec changes only: everything but metadata and status. */
function specChanged(a: KObject, b: KObject): boolean {
  return !deepEqual(withoutMeta(a), withoutMeta(b));
}

function withoutMeta(o: KObject): unknown {
  const { metadata, status, apiVersion, kind, ...rest } = o;
  return rest;
}

/** A store write's error as the API reports it: a later write is a Conflict, a deletion meanwhile NotFound. */
function writeError(rt: ResourceType, name: string, e: unknown): Error {
  if (e instanceof RevisionConflictError) return ApiError.conflict(pluralGroup(rt), name);
  if (e instanceof KeyNotFoundError) return ApiError.notFound(pluralGroup(rt), name);
  return e as Error;
}
