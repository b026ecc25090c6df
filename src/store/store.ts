// The storage interface every backend implements (in the spirit of kine's Backend): keys
// are etcd-like registry paths, every write returns the new cluster-wide revision, and
// updates are compare-and-swap on the object's revision. Nothing above src/api/ calls this;
// drivers are opened by URL through registry.ts.

import type { KObject } from '../api/types';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: EventType;
  key: string;
  rev: number;
  /** The object after the change; for DELETED the last state before deletion. */
  object: KObject;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

/** A compare-and-swap failed: the stored object has another revision than expected. */
export class RevisionConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: KObject | undefined,
  ) {
    super(`revision conflict on ${key}`);
  }
}

export class StoreError extends Error {}

/**
 * An opener other than `cluster create` found no store in the directory (removed, or never
 * made), or a command that opened it found it removed when it came to write.
 */
export class StoreNotFoundError extends StoreError {
  constructor(readonly dir: string) {
    super(`no kubesim store in ${dir}`);
  }
}

/**
 * A leader's fencing token: writes made under it (Store.fenced) land only while the record
 * at `key` (its leader-election Lease) names `holder`, checked by the store at the write
 * itself, so a write that waited in a queue or a stalled event loop past the end of the
 * leader's term is refused rather than landing over what the next holder wrote.
 */
export interface WriteFence {
  key: string;
  holder: string;
  /** A revision of `key` at which it named `holder` (0: none known yet; the store finds it). */
  rev: number;
}

/** A write under a WriteFence whose record names another holder (or is gone): not applied. */
export class FencedWriteError extends StoreError {
  constructor(fence: WriteFence, holder: string) {
    super(`leader election lost: ${fence.holder} no longer holds the lease ${fence.key}${holder ? ` (held by ${holder})` : ''}; write refused`);
  }
}

/**
 * Whether `e` says the change feed no longer holds the revision asked for (etcd's
 * "mvcc: required revision has been compacted"): the caller lists again (HTTP 410 Gone).
 */
export function isRevisionCompacted(e: unknown): boolean {
  return e instanceof StoreError && typeof (e as { compactRev?: unknown }).compactRev === 'number';
}

export interface ListResult {
  rev: number;
  items: KObject[];
}

/** How a list hands out its objects. */
/** One write of Store.updateMany: `obj` at `key`, if it is still at `expectRev` (when given). */
export interface StoreUpdate {
  key: string;
  obj: KObject;
  expectRev?: number;
}

export interface ListReadOptions {
  /**
   * The stored objects themselves, deep-frozen, instead of copies: for callers that only
   * read and encode them (the REST list), so a list of thousands copies nothing. A caller
   * that changes one gets a TypeError, never a corrupted store. Drivers whose reads decode
   * fresh objects anyway (etcd) may ignore it.
   */
  shared?: boolean;
}

export interface ListPageOptions {
  limit: number;
  /** The key (relative to the prefix + '/') the page starts after. */
  after?: string;
  rev?: number;
  filter?: (obj: KObject) => boolean;
}

export interface ListPage extends ListResult {
  /** The relative key of the last object read, when more keys follow it. */
  next?: string;
  /** Keys after the page (only without a filter). */
  remaining?: number;
}

/**
 * The storage interface every driver implements (in the spirit of kine's Backend), and the
 * only one the API layer sees. It is Promise-based so that network backends (etcd) plug in
 * as they are; the file and memory drivers answer from synchronous engines behind it.
 */
export interface Store {
  /** The last revision handed out. */
  currentRev(): Promise<number>;
  /** `opts.shared`: the stored object itself, frozen, as for lists (ListReadOptions). */
  get(key: string, opts?: ListReadOptions): Promise<KObject | undefined>;
  /**
   * Objects whose key starts with `prefix` + '/', sorted by key (etcd order). `filter`,
   * when given, sees each stored object before it is copied (it must not change it), so
   * that selective lists do not pay for copying what they drop.
   */
  list(prefix: string, filter?: (obj: KObject) => boolean, opts?: ListReadOptions): Promise<ListResult>;
  /**
   * One page of such a list, read from the store itself (etcd's range with a limit): up to
   * `limit` matching objects whose key (after `prefix` + '/') sorts after `after`, at
   * revision `rev` when given (a continued list sees the snapshot its first page saw; a
   * compacted `rev` is an isRevisionCompacted error). `remaining` counts the keys after the
   * page when no filter is given. Drivers that hold everything in memory leave it out.
   */
  listPage?(prefix: string, opts: ListPageOptions): Promise<ListPage>;
  /**
   * `prefix`'s list as an informer holds it (objects shared, as ListReadOptions.shared):
   * kept up to date by a watch, so a read asks nothing of the store while nothing changed.
   * Every write this store acknowledged is in it; other processes' writes arrive as fast as
   * the watch brings them. Drivers whose shared lists cost no round trip leave it out.
   */
  watchedList?(prefix: string): Promise<ListResult>;
  /** Stores a new object; metadata.resourceVersion is set to the new revision. */
  create(key: string, obj: KObject): Promise<KObject>;
  /**
   * Replaces an object if its stored revision equals `expectRev` (when given). Returns the
   * caller's object with its new resourceVersion, or with `opts.shared` the stored object
   * itself, frozen, as a shared read would hand it out (ListReadOptions).
   */
  update(key: string, obj: KObject, expectRev?: number, opts?: ListReadOptions): Promise<KObject>;
  delete(key: string, expectRev?: number): Promise<KObject>;
  /**
   * Several updates in one batch (a tick's node Lease renewals), each its own revision and
   * event, in order; each result is the stored object or that write's own error (a
   * Conflict leaves the others written). Drivers without it take one update() each.
   */
  updateMany?(writes: readonly StoreUpdate[], opts?: ListReadOptions): Promise<Array<KObject | Error>>;
  /**
   * Changes with rev > afterRev, oldest first, as far as the journal still holds them.
   * `opts.shared`: the events' objects frozen rather than copied (ListReadOptions).
   */
  changesSince(afterRev: number, opts?: ListReadOptions): Promise<WatchEvent[]>;
  /**
   * True when changesSince reports history it no longer holds as an error
   * (isRevisionCompacted: etcd, whose revision also moves for writes outside the registry)
   * rather than as an empty answer (the file and memory journals).
   */
  readonly reportsCompaction?: boolean;
  /**
   * Runs several operations as one unit with respect to other writers (one lock held
   * until `fn` settles), which also makes bulk writes fast. Calls made from within `fn`
   * (however deep, across awaits) join it; other tasks of the process wait for it.
   */
  batch<T>(fn: () => Promise<T> | T): Promise<T>;
  /**
   * Runs `fn` (a reconcile), whose writes share the store's lock in small groups instead of
   * each taking it, or one batch holding it for all of `fn`: cheap, and fair to other
   * writers. Stores without a lock simply run `fn`.
   */
  group<T>(fn: () => Promise<T> | T): Promise<T>;
  /**
   * True when concurrent writes gain from going together through group() (one lock hold and
   * one fsync for all): the API server then commits its requests' writes in groups.
   */
  readonly groupCommits?: boolean;
  /**
   * With groupCommits: makes what this process wrote so far durable, also inside a group
   * that another task of the process opened (its lock kept): a write is answered after it.
   */
  syncWritten?(): Promise<void>;
  /**
   * Runs `fn` with every write it makes (however deep, across awaits) fenced by `fence`
   * (FencedWriteError once the record names another holder). Drivers whose store has one
   * writer process at a time (files, memory) leave it out.
   */
  fenced?<T>(fence: WriteFence, fn: () => T): T;
  /** Small named documents next to the registry (clock, allocations, profile). `shared`: the caller changes nothing of it (it may be the store's own, frozen or not). */
  readMeta<T>(name: string, shared?: boolean): Promise<T | undefined>;
  writeMeta(name: string, value: unknown, opts?: MetaWriteOptions): Promise<void>;
  /** Removes a meta document (a deleted pod's kubelet record); absent is fine. */
  deleteMeta?(name: string): Promise<void>;
  close(): Promise<void>;
  /** A directory for bulky side data (container logs) when the driver keeps its data on disk. */
  readonly dataDir?: string;
}

/**
 * A synchronous storage engine (the file and memory backends). Only the async adapter
 * (async-store.ts) calls it; everything else sees the Promise-based `Store`.
 */
export interface SyncStore {
  /** The last revision handed out. */
  currentRev(): number;
  get(key: string, opts?: ListReadOptions): KObject | undefined;
  /**
   * Objects whose key starts with `prefix` + '/', sorted by key (etcd order). `filter`,
   * when given, sees each stored object before it is copied (it must not change it), so
   * that selective lists do not pay for copying what they drop.
   */
  list(prefix: string, filter?: (obj: KObject) => boolean, opts?: ListReadOptions): ListResult;
  /** Stores a new object; metadata.resourceVersion is set to the new revision. */
  create(key: string, obj: KObject): KObject;
  /** Replaces an object if its stored revision equals `expectRev` (when given); `opts.shared` as Store.update. */
  update(key: string, obj: KObject, expectRev?: number, opts?: ListReadOptions): KObject;
  delete(key: string, expectRev?: number): KObject;
  /** Store.updateMany; the file store appends their journal lines in one write inside a group. */
  updateMany?(writes: readonly StoreUpdate[], opts?: ListReadOptions): Array<KObject | Error>;
  /** Changes with rev > afterRev, oldest first, as far as the journal still holds them. */
  changesSince(afterRev: number, opts?: ListReadOptions): WatchEvent[];
  /**
   * Runs several operations as one unit with respect to other writers (one lock taken),
   * which also makes bulk writes fast. Nested calls join the outer one.
   */
  batch<T>(fn: () => T): T;
  /**
   * The two halves of batch() for a batch whose body awaits (the async adapter): takes
   * the lock (or joins the open batch) and releases it. Always paired, never interleaved.
   */
  beginBatch(): void;
  /** beginBatch whose wait for another process's lock lets the event loop turn (the file store). */
  beginBatchAsync?(): Promise<void>;
  /**
   * After beginBatchAsync: a release whose journal sync runs off the event loop, the lock
   * still held; settles when it is given up (rejects when the sync failed, unless `quiet`).
   * Nothing of this process writes, and no hold's write is acknowledged, before it.
   */
  releaseInFlight?(quiet?: boolean): Promise<void> | undefined;
  /** Makes the journal lines written so far durable without giving the lock up (see Store.syncWritten). */
  syncWritten?(): Promise<void>;
  endBatch(): void;
  /** Opens a group of batches sharing the lock (see Store.group); false when one is open already. */
  beginGroup(): boolean;
  endGroup(started: boolean): void;
  /** Small named documents next to the registry (clock, allocations, profile); `shared` as Store's. */
  readMeta<T>(name: string, shared?: boolean): T | undefined;
  writeMeta(name: string, value: unknown, opts?: MetaWriteOptions): void;
  deleteMeta?(name: string): void;
  close(): void;
}

export interface MetaWriteOptions {
  /**
   * Visible to other processes at once, even inside a group (whose meta writes otherwise
   * wait for the lock's release): the cluster clock, which must never be behind a
   * timestamp a reader can already see in the journal.
   */
  immediate?: boolean;
  /** The caller changes the value no more (the kubelet's records): a store may keep it uncopied. */
  handOver?: boolean;
}

const SEGMENT = /^[^/\\\0]+$/;
/** A key none of whose segments starts with a dot (every key the API server makes): one test. */
const PLAIN_KEY = /^[^/\\\0.][^/\\\0]*(?:\/[^/\\\0.][^/\\\0]*)*$/;

/**
 * Checks that a key cannot escape the registry: every segment non-empty, not `.`/`..`,
 * without separators or NUL. Object names are validated by the API layer first; this is
 * the last line of defence before a name becomes a path.
 */
export function assertSafeKey(key: string): void {
  // Checked on every read and write: the common case without a split.
  if (key.length <= 253 && PLAIN_KEY.test(key)) return;
  const parts = key.split('/');
  for (const p of parts) {
    if (!SEGMENT.test(p) || p === '.' || p === '..' || p.length > 253) {
      throw new StoreError(`invalid storage key ${JSON.stringify(key)}`);
    }
  }
}
