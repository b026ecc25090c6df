// The etcd driver (`etcd://host:2379[,host:2379…]`): kubesim's registry kept in a real etcd
// cluster, laid out as kube-apiserver lays it out. Objects are JSON values under
// `/registry/<key>` (`/registry/pods/default/web`), stored without metadata.resourceVersion,
// which is the kv's mod revision on every read. Writes are transactions comparing
// revisions (create: create_revision == 0; update/delete: mod_revision == expected), so
// several processes or machines can share one cluster safely. The change feed is an etcd
// watch: one long-lived watcher per store buffers events in revision order; older history
// is read by a watch from the requested revision, and a compacted one is an error the API
// layer turns into 410 Gone. Small documents (clock, profile) live under `/kubesim/meta/`.
//
// Every call has a deadline: when a quorum cannot be reached the caller gets a StoreError
// naming the endpoints that do not answer instead of a hang.

import { AsyncLocalStorage } from 'node:async_hooks';
import * as net from 'node:net';
import type { Etcd3 as Etcd3Client, IKeyValue, IResponseHeader, ITxnResponse, ICompare, IOptions } from 'etcd3';
import type { KObject } from '../api/types';
import { EtcdFollower, type FollowerOptions } from './etcd-watch';
import { PrefixInformer } from './etcd-informer';
import {
  assertSafeKey,
  FencedWriteError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  StoreError,
  type ListPage,
  type ListPageOptions,
  type ListResult,
  type Store,
  type WatchEvent,
  type WriteFence,
} from './store';
import { parseJson, stringifyJson } from '../util/exact-json';
import { decodeStored } from './stored-decoder';

export const REGISTRY_PREFIX = '/registry/';
export const META_PREFIX = '/kubesim/meta/';
const DEFAULT_PORT = 2379;
const DEFAULT_TIMEOUT_MS = 5000;
const LIST_PAGE = 2000;
const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

// etcd's compare targets and results (rpc.proto), as numbers.
const TARGET_CREATE = 1;
const TARGET_MOD = 2;
const RESULT_EQUAL = 0;
const RESULT_GREATER = 1;

/** The revision asked for is older than etcd still keeps: the caller must list again (HTTP 410 Gone). */
export class RevisionCompactedError extends StoreError {
  constructor(
    readonly requestedRev: number,
    readonly compactRev: number,
  ) {
    super(`revision ${requestedRev} has been compacted${compactRev >= 0 ? ` (etcd keeps history from revision ${compactRev})` : ''}: list again`);
  }
}

/** The cluster did not answer in time or refused: names the endpoints that do not answer. */
export class EtcdUnavailableError extends StoreError {
  constructor(
    message: string,
    readonly unreachable: string[],
  ) {
    super(message);
  }
}

export interface EtcdStoreOptions {
  /** host:port of every member given in the URL. */
  endpoints: string[];
  /** Deadline of one store call, in milliseconds. */
  timeoutMs?: number;
}

/** Parses the location of an `etcd://` URL: `host[:port][,host[:port]…]`, default port 2379. */
export function parseEtcdEndpoints(location: string): string[] {
  const hosts = location
    .replace(/\/+$/, '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (hosts.length === 0) throw new StoreError('etcd:// store URL without an endpoint: expected etcd://HOST:PORT[,HOST:PORT...]');
  return hosts.map((h) => {
    const m = /^(?:https?:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
    if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
      throw new StoreError(`invalid etcd endpoint ${JSON.stringify(h)}: expected HOST:PORT`);
    }
    return `${m[1]}:${m[2] ?? DEFAULT_PORT}`;
  });
}

/** `timeout=5s`, `timeout=1500ms` or a number of milliseconds. */
export function parseTimeout(v: string | null): number | undefined {
  if (v === null) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new StoreError(`invalid etcd timeout ${JSON.stringify(v)}: expected e.g. 5s or 1500ms`);
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  if (n <= 0) throw new StoreError(`invalid etcd timeout ${JSON.stringify(v)}: must be positive`);
  return n;
}

/** Opens the store an `etcd://` URL names and checks that the cluster answers. */
export async function openEtcdStore(location: string, params: URLSearchParams): Promise<EtcdStore> {
  const store = new EtcdStore({ endpoints: parseEtcdEndpoints(location), timeoutMs: parseTimeout(params.get('timeout')) });
  try {
    await store.currentRev();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

// etcd3 reads its .proto files from its own directory when it loads, so it is required at
// run time from node_modules (an indirect require, which the bundler leaves alone) and
// only by this driver: nothing else pays for loading gRPC.
function loadEtcd3(): typeof import('etcd3') {
  const load: NodeRequire = require;
  return load('etcd3') as typeof import('etcd3');
}

/** One call through, no retries: the store retries itself, knowing which calls are safe to repeat. */
const passThrough = {
  execute: <T>(fn: (ctx: { signal: AbortSignal; attempt: number }) => PromiseLike<T> | T) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal, attempt: 0 })),
  onSuccess: () => ({ dispose() {} }),
  onFailure: () => ({ dispose() {} }),
};

export function etcdClient(endpoints: string[], timeoutMs: number): Etcd3Client {
  const { Etcd3 } = loadEtcd3();
  const options: IOptions = {
    hosts: endpoints.map((e) => 'http://' + e),
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
    grpcOptions: { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES },
    faultHandling: { global: passThrough as unknown as NonNullable<IOptions['faultHandling']>['global'] },
  };
  return new Etcd3(options);
}

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The end of the key range holding every key that starts with `prefix` (etcd's prefix range). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The JSON stored for an object: everything but metadata.resourceVersion (the kv's revision). */
function encode(obj: KObject): Buffer {
  const { resourceVersion: _rv, ...meta } = (obj.metadata ?? {}) as KObject['metadata'];
  return enc(stringifyJson({ ...obj, metadata: meta }));
}

/** An object as stored, with resourceVersion = `rev` (its kv's mod revision unless given). */
export function decodeKv(kv: IKeyValue, rev?: number): KObject {
  const obj = parseValue(kv);
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rev ?? Number(kv.mod_revision)) };
  return obj;
}

/**
 * A stored value as an object. kube-apiserver itself writes protobuf (`k8s\0…`) unless told
 * to store JSON, so a value that is not a JSON object is a clear error, not a crash.
 */
export function parseValue(kv: IKeyValue): KObject {
  let obj: unknown;
  try {
    obj = parseJson(kv.value.toString('utf8'));
  } catch {
    obj = undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    const key = kv.key?.toString('utf8') ?? '(a key)';
    const hint = kv.value.subarray(0, 4).toString('latin1') === 'k8s\0' ? ' (protobuf, as kube-apiserver stores it: kubesim reads JSON values only)' : '';
    throw new StoreError(`etcd value of ${key} is not a JSON object${hint}`);
  }
  return decodeStored(obj as KObject);
}

type TxnOp = NonNullable<import('etcd3').ITxnRequest['success']>[number];

/** The holder a leader-election Lease names ('' when none, or not a Lease we can read). */
function holderOf(kv: IKeyValue): string {
  try {
    return String(parseValue(kv).spec?.holderIdentity ?? '');
  } catch {
    return '';
  }
}

/** Errors of our own contract pass through; anything else is etcd or the network failing. */
function isContractError(e: unknown): boolean {
  return e instanceof KeyExistsError || e instanceof KeyNotFoundError || e instanceof RevisionConflictError || e instanceof StoreError;
}

/** Errors where the request certainly did not reach etcd, so repeating it cannot apply it twice. */
function neverSent(e: unknown): boolean {
  const name = (e as Error)?.constructor?.name ?? '';
  const msg = String((e as Error)?.message ?? '');
  return name === 'BrokenCircuitError' || /No connection established|ECONNREFUSED|connect E|circuit breaker is open/i.test(msg);
}

/** Errors where etcd certainly did not apply the request. */
function notApplied(e: unknown): boolean {
  return neverSent(e) || /etcdserver: (no leader|not capable|too many requests)/.test(String((e as Error)?.message ?? ''));
}

function transient(e: unknown): boolean {
  const name = (e as Error)?.constructor?.name ?? '';
  return neverSent(e) || /GRPCUnavailableError|GRPCDeadlineExceeded|GRPCCancelled|GRPCInternal|GRPCUnknown|EtcdError/.test(name);
}

/** Whether something accepts TCP connections at host:port within `ms`. */
export function reachable(endpoint: string, ms = 700): Promise<boolean> {
  const i = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(endpoint.slice(i + 1));
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(ms, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export class EtcdStore implements Store {
  readonly reportsCompaction = true;
  readonly client: Etcd3Client;
  readonly endpoints: string[];
  readonly timeoutMs: number;
  /** The highest revision any answer of etcd has shown this client. */
  private knownRev = 0;
  private follower: EtcdFollower | undefined;
  /** watchedList's informers by prefix. */
  private readonly informers = new Map<string, PrefixInformer>();
  private closed = false;
  // batch(): one batch at a time per process, and writes of other tasks wait for it (the
  // same in-process contract as the file store; across processes the CAS writes protect).
  private readonly context = new AsyncLocalStorage<symbol>();
  private active: symbol | undefined;
  private waiters: (() => void)[] = [];
  // fenced(): the leader's write fence of the current async context, if any
  private readonly fences = new AsyncLocalStorage<WriteFence>();

  constructor(opts: EtcdStoreOptions) {
    this.endpoints = opts.endpoints;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = etcdClient(this.endpoints, this.timeoutMs);
  }

  get url(): string {
    return 'etcd://' + this.endpoints.join(',');
  }

  async currentRev(): Promise<number> {
    const res = await this.call('read the revision', transient, () => this.client.kv.range({ key: enc(META_PREFIX), count_only: true }));
    return this.note(res.header);
  }

  async get(key: string): Promise<KObject | undefined> {
    const res = await this.call(`get ${key}`, transient, () => this.client.kv.range({ key: enc(REGISTRY_PREFIX + key) }));
    this.note(res.header);
    return res.kvs.length ? decodeKv(res.kvs[0]) : undefined;
  }

  async list(prefix: string, filter?: (obj: KObject) => boolean): Promise<ListResult> {
    const start = enc(REGISTRY_PREFIX + prefix + '/');
    const items: KObject[] = [];
    const rev = await this.rangeAll(start, prefixEnd(start), `list ${prefix}`, (kv) => {
      const obj = decodeKv(kv);
      if (!filter || filter(obj)) items.push(obj);
    });
    return { rev, items };
  }

  async listPage(prefix: string, opts: ListPageOptions): Promise<ListPage> {
    const base = enc(REGISTRY_PREFIX + prefix + '/');
    const end = prefixEnd(base);
    let from = opts.after !== undefined ? Buffer.concat([base, enc(opts.after), Buffer.from([0])]) : base;
    let rev = opts.rev ?? 0;
    const limit = Math.max(1, opts.limit);
    const items: KObject[] = [];
    const what = `list ${prefix}`;
    for (;;) {
      // Without a filter a range of `limit` is the page, and etcd's count gives what is left;
      // with one, larger ranges until `limit` objects match (as kube-apiserver pages etcd).
      const want = opts.filter ? Math.min(Math.max(2 * (limit - items.length), 500), 10_000) : limit;
      const at = rev;
      const res = await this.call(what, transient, () =>
        this.client.kv.range({ key: from, range_end: end, limit: want, ...(at ? { revision: at } : {}) }).catch((e: unknown) => {
          if (/required revision has been compacted/.test(String((e as Error)?.message))) throw new RevisionCompactedError(at, -1);
          throw e;
        }),
      );
      if (!rev) rev = this.note(res.header);
      for (let i = 0; i < res.kvs.length; i++) {
        const kv = res.kvs[i];
        const obj = decodeKv(kv);
        if (opts.filter && !opts.filter(obj)) continue;
        items.push(obj);
        if (items.length < limit) continue;
        const more = i < res.kvs.length - 1 || res.more;
        if (!more) return { rev, items };
        const next = kv.key.subarray(base.length).toString('utf8');
        return { rev, items, next, ...(opts.filter ? {} : { remaining: Number(res.count) - (i + 1) }) };
      }
      if (!res.more || res.kvs.length === 0) return { rev, items };
      from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    }
  }

  /**
   * Every kv in [start, end) at one revision, in key order, page by page (so that a
   * 100,000-object list is not one giant message); returns that revision.
   */
  watchedList(prefix: string): Promise<ListResult> {
    let inf = this.informers.get(prefix);
    if (!inf) {
      const start = enc(REGISTRY_PREFIX + prefix + '/');
      const source = { client: this.client, timeoutMs: this.timeoutMs, decode: (kv: IKeyValue) => decodeKv(kv), range: (s: Buffer, e: Buffer, each: (kv: IKeyValue) => void) => this.rangeAll(s, e, `list ${prefix}`, each) };
      this.informers.set(prefix, (inf = new PrefixInformer(source, start, prefixEnd(start))));
    }
    return inf.list();
  }

  /** A write of `k` acknowledged at `rev`: the informers of its prefix must show it. */
  private wrote(k: Buffer, rev: number): void {
    for (const inf of this.informers.values()) if (inf.covers(k)) inf.wrote(rev);
  }

  async rangeAll(start: Buffer, end: Buffer, what: string, each: (kv: IKeyValue) => void): Promise<number> {
    let rev = 0;
    let from = start;
    for (;;) {
      const res = await this.call(what, transient, () =>
        this.client.kv.range({ key: from, range_end: end, limit: LIST_PAGE, ...(rev ? { revision: rev } : {}) }),
      );
      if (!rev) rev = this.note(res.header);
      for (const kv of res.kvs) each(kv);
      if (!res.more || res.kvs.length === 0) return rev;
      from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    }
  }

  async create(key: string, obj: KObject): Promise<KObject> {
    assertSafeKey(key);
    await this.writeTurn();
    const k = enc(REGISTRY_PREFIX + key);
    const value = encode(obj);
    const res = await this.writeTxn(`create ${key}`, k, value, [{ key: k, target: TARGET_CREATE, result: RESULT_EQUAL, create_revision: 0 }], { request_put: { key: k, value } });
    if (!res.succeeded) throw new KeyExistsError(key);
    this.wrote(k, Number(res.header.revision));
    return decodeKv({ value } as IKeyValue, Number(res.header.revision));
  }

  async update(key: string, obj: KObject, expectRev?: number): Promise<KObject> {
    assertSafeKey(key);
    await this.writeTurn();
    const k = enc(REGISTRY_PREFIX + key);
    const value = encode(obj);
    const res = await this.writeTxn(`update ${key}`, k, value, this.guard(k, expectRev), { request_put: { key: k, value } });
    if (!res.succeeded) this.refused(key, res);
    this.wrote(k, Number(res.header.revision));
    return decodeKv({ value } as IKeyValue, Number(res.header.revision));
  }

  async delete(key: string, expectRev?: number): Promise<KObject> {
    assertSafeKey(key);
    await this.writeTurn();
    const k = enc(REGISTRY_PREFIX + key);
    const res = await this.writeTxn(`delete ${key}`, k, undefined, this.guard(k, expectRev), { request_delete_range: { key: k, prev_kv: true } });
    if (!res.succeeded) this.refused(key, res);
    this.wrote(k, Number(res.header.revision));
    const prev = res.responses[0].response_delete_range.prev_kvs[0];
    return decodeKv(prev, Number(res.header.revision));
  }

  /** The key exists (and has revision `expectRev`, when given). */
  private guard(k: Buffer, expectRev: number | undefined): ICompare[] {
    const exists: ICompare = { key: k, target: TARGET_CREATE, result: RESULT_GREATER, create_revision: 0 };
    return expectRev === undefined ? [exists] : [exists, { key: k, target: TARGET_MOD, result: RESULT_EQUAL, mod_revision: expectRev }];
  }

  /** A failed guard: the else branch read the key. */
  private refused(key: string, res: ITxnResponse): never {
    const kv = res.responses[0]?.response_range?.kvs?.[0];
    if (!kv) throw new KeyNotFoundError(key);
    throw new RevisionConflictError(key, decodeKv(kv));
  }

  /**
   * One guarded write: `op` if every compare holds, else a read of the key. When a
   * repeated put finds its own value in place (the first attempt was applied but its
   * answer lost) it is reported as the success it was.
   */
  private async writeTxn(what: string, k: Buffer, value: Buffer | undefined, compare: ICompare[], op: TxnOp): Promise<ITxnResponse> {
    let retried = false;
    // A put may be repeated after any transient failure (a repeat that finds its own value
    // in place is recognised below); a delete only when the first certainly did nothing.
    const res = await this.txn(what, value ? transient : notApplied, compare, [op], [{ request_range: { key: k } }], () => (retried = true));
    if (!res.succeeded && retried && value) {
      const kv = res.responses[0]?.response_range?.kvs?.[0];
      if (kv && Buffer.compare(kv.value, value) === 0) {
        return { ...res, succeeded: true, header: { ...res.header, revision: kv.mod_revision } };
      }
    }
    return res;
  }

  fenced<T>(fence: WriteFence, fn: () => T): T {
    return this.fences.run(fence, fn);
  }

  /**
   * One transaction: `success` if every compare holds, else `failure`. Under a write fence
   * it also compares the fence's record with the revision at which it named the holder, so
   * etcd applies the write only if the holder still holds it at the write's own revision,
   * however late the request arrives. When the holder renewed the record meanwhile, the
   * transaction is sent again against the new revision; another holder, or none, refuses it.
   */
  private async txn(what: string, mayRepeat: (e: unknown) => boolean, compare: ICompare[], success: TxnOp[], failure: TxnOp[], onRetry?: () => void): Promise<ITxnResponse> {
    const fence = this.fences.getStore();
    for (let attempt = 0; ; attempt++) {
      const fk = fence && enc(REGISTRY_PREFIX + fence.key);
      const req = fk
        ? { compare: [...compare, { key: fk, target: TARGET_MOD, result: RESULT_EQUAL, mod_revision: fence!.rev }], success, failure: [...failure, { request_range: { key: fk } }] }
        : { compare, success, failure };
      const res = await this.call(what, mayRepeat, () => this.client.kv.txn(req), onRetry);
      this.note(res.header);
      if (res.succeeded || !fence) return res;
      const record = res.responses[failure.length]?.response_range?.kvs?.[0];
      if (record && Number(record.mod_revision) === fence.rev) return res; // held: another compare failed
      const holder = record ? holderOf(record) : '';
      // (a holder renewing faster than a round trip, again and again, is not holding steadily)
      if (!record || holder !== fence.holder || attempt >= 5) throw new FencedWriteError(fence, holder);
      fence.rev = Number(record.mod_revision);
    }
  }

  async changesSince(afterRev: number): Promise<WatchEvent[]> {
    // Everything this client has seen evidence of (its own writes included) is delivered;
    // later revisions come with a later call, as etcd's watch delivers them.
    const target = this.knownRev;
    let f = this.follower;
    if (!f || f.broken() || afterRev + 1 < f.from) {
      // A new follower from the revision asked for; an older one than a running follower
      // holds is history the running one keeps following after.
      if (f && !f.broken() && afterRev + 1 < f.from) {
        const older = await this.history(afterRev + 1, f.from - 1);
        await this.waitFollower(f, target);
        return [...older, ...f.eventsAfter(f.from - 1)];
      }
      f?.close();
      f = this.follower = new EtcdFollower(this.client, afterRev + 1, this.followerOptions());
    }
    await this.waitFollower(f, target);
    return f.eventsAfter(afterRev);
  }

  /** The registry events in [from, to], read by a watch from `from` (etcd's history). */
  private async history(from: number, to: number): Promise<WatchEvent[]> {
    const h = new EtcdFollower(this.client, from, this.followerOptions());
    try {
      await this.waitFollower(h, to);
      return h.eventsAfter(from - 1).filter((e) => e.rev <= to);
    } finally {
      h.close();
    }
  }

  private followerOptions(): FollowerOptions {
    return { onRevision: (rev) => void (rev > this.knownRev && (this.knownRev = rev)) };
  }

  private async waitFollower(f: EtcdFollower, rev: number): Promise<void> {
    const outcome = await f.waitFor(rev, this.timeoutMs);
    if (outcome === 'ok') return;
    if (outcome === 'compacted') throw new RevisionCompactedError(f.from - 1, f.compactRev!);
    throw await this.unavailable(`watch the registry up to revision ${rev}`, f.failure ?? new Error(`no events within ${this.timeoutMs}ms`));
  }

  async batch<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.active !== undefined && this.context.getStore() === this.active) return fn(); // nested: join
    // Take the turn in the same synchronous step as the last check: two tasks that both saw
    // no batch open must not both open one.
    while (this.active !== undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const token = Symbol('batch');
    this.active = token;
    try {
      return await this.context.run(token, fn);
    } finally {
      this.active = undefined;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** No lock to share: the writes of `fn` are guarded transactions each. */
  async group<T>(fn: () => Promise<T> | T): Promise<T> {
    return fn();
  }

  async readMeta<T>(name: string): Promise<T | undefined> {
    assertSafeKey(name);
    const res = await this.call(`read ${name}`, transient, () => this.client.kv.range({ key: enc(META_PREFIX + name) }));
    this.note(res.header);
    return res.kvs.length ? (parseJson(res.kvs[0].value.toString('utf8')) as T) : undefined;
  }

  async writeMeta(name: string, value: unknown): Promise<void> {
    assertSafeKey(name);
    await this.writeTurn();
    // A plain put is idempotent: safe to repeat after any failure (a transaction, for the fence).
    await this.txn(`write ${name}`, transient, [], [{ request_put: { key: enc(META_PREFIX + name), value: enc(stringifyJson(value)) } }], []);
  }

  /** Removes a meta document (snapshot restore: one the snapshot does not have). */
  async deleteMeta(name: string): Promise<void> {
    assertSafeKey(name);
    await this.writeTurn();
    await this.txn(`delete ${name}`, transient, [], [{ request_delete_range: { key: enc(META_PREFIX + name) } }], []);
  }

  /** Names of the meta documents (for snapshots). */
  async metaNames(): Promise<string[]> {
    const start = enc(META_PREFIX);
    const names: string[] = [];
    await this.rangeAll(start, prefixEnd(start), 'list meta', (kv) => names.push(kv.key.toString('utf8').slice(META_PREFIX.length)));
    return names;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.follower?.close();
    this.follower = undefined;
    for (const inf of this.informers.values()) inf.close();
    this.informers.clear();
    this.client.close();
  }

  private note(header: IResponseHeader): number {
    const rev = Number(header.revision);
    if (rev > this.knownRev) this.knownRev = rev;
    return rev;
  }

  private async writeTurn(): Promise<void> {
    if (!(this.active === undefined || this.context.getStore() === this.active)) await this.turn();
  }

  private async turn(): Promise<void> {
    while (this.active !== undefined && this.context.getStore() !== this.active) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Runs one etcd call within the store's deadline, repeating it (on another member) while
   * `mayRepeat` says that is safe. Failures become an EtcdUnavailableError
   * naming the endpoints that do not answer.
   */
  private async call<T>(what: string, mayRepeat: (e: unknown) => boolean, fn: () => Promise<T>, onRetry?: () => void): Promise<T> {
    if (this.closed) throw new StoreError(`etcd store ${this.url} is closed`);
    const deadline = Date.now() + this.timeoutMs;
    let last: unknown;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          fn(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs}ms`)), left);
          }),
        ]);
      } catch (e) {
        if (isContractError(e)) throw e;
        last = e;
        if (!mayRepeat(e)) break;
        onRetry?.();
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
      } finally {
        clearTimeout(timer);
      }
    }
    throw await this.unavailable(what, last);
  }

  /** A clear error for a failed call: which endpoints do not answer, and what etcd said. */
  private async unavailable(what: string, cause: unknown): Promise<EtcdUnavailableError> {
    const up = await Promise.all(this.endpoints.map((e) => reachable(e)));
    const down = this.endpoints.filter((_, i) => !up[i]);
    const alive = this.endpoints.filter((_, i) => up[i]);
    const reason = String((cause as Error)?.message ?? cause)
      .replace(/^\d+ [A-Z_]+: /, '')
      // the client library's words for "it kept failing, so it stopped trying for a while"
      .replace(/^Execution prevented because the circuit breaker is open$/, 'no answer after repeated tries');
    const quorum = Math.floor(this.endpoints.length / 2) + 1;
    let msg = `etcd: cannot ${what}: `;
    if (down.length === this.endpoints.length) msg += `no etcd endpoint is reachable: ${down.join(', ')}`;
    else if (alive.length < quorum) msg += `unreachable etcd endpoints: ${down.join(', ')} (reachable: ${alive.join(', ')}, but etcd needs ${quorum} of ${this.endpoints.length} members to serve; ${reason})`;
    else if (down.length > 0) msg += `unreachable etcd endpoints: ${down.join(', ')} (reachable: ${alive.join(', ')}; ${reason})`;
    else msg += `${reason} (endpoints ${alive.join(', ')} accept connections)`;
    return new EtcdUnavailableError(msg, down);
  }
}
