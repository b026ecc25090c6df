// Event names as client-go's recorder makes them: "<object>.<hex UnixNano>" of the first
// occurrence, so that the API server's lists (sorted by key) and describe's stable sort by
// lastTimestamp show an object's events in the order they happened (Scheduled, Pulling,
// Pulled, Created, Started), not in the order of a hash.
//
// Repeats aggregate onto the first event (count, lastTimestamp), as client-go's correlator
// does with its cache of what it recorded. This index is that cache: per namespace, which
// event holds each identity. It is filled from one list of the namespace's events the first
// time a process records an event there (the daemon once; a CLI run without a daemon once
// per run), then kept up to date by the process's own writes. A stale entry (the event
// expired) only means a new event is created, as upstream after its cache forgets.
//
// Before that, client-go's EventCorrelator (tools/record/events_cache.go) runs, and so does
// this: a source may record 25 events about an object, then one per 5 minutes (the spam
// filter; the rest are dropped), and from the 10th distinct message of the same reason about
// the same object within 10 minutes on, the events become one "(combined from similar
// events): ..." event whose count grows. A 1,000-replica ReplicaSet thus records 25
// SuccessfulCreate writes, not 1,000, as kube-controller-manager does.
import { hash } from 'node:crypto';
import type { KObject } from './types';

const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
/** client-go's LRU caches hold 4,096 entries. */
const CACHE_MAX = 4096;

/** What an event is about and who records it, as the correlator keys on them. */
export interface EventSubject {
  involved: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string };
  component: string;
  host: string;
  type: string;
  reason: string;
  message: string;
}

/** The correlator's answer: drop the event, or record it under `identity` with `message`. */
export type Correlated = { skip: true } | { skip: false; identity?: string; message: string };

interface LruEntry<V> {
  key: string;
  value: V;
  older?: LruEntry<V>;
  newer?: LruEntry<V>;
}

/**
 * An LRU cache of at most `max` entries, as client-go's (a map and a list): a use moves its
 * entry to the newest end of the list, a new entry past `max` drops the oldest. A Map kept in
 * order by delete and set instead fills with deleted slots at its front, which each eviction's
 * `keys().next()` walks past (2 % of a 10,000-replica run).
 */
export class Lru<V> {
  private readonly map = new Map<string, LruEntry<V>>();
  private oldest?: LruEntry<V>;
  private newest?: LruEntry<V>;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value under `key`, its place unchanged. */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Puts `key` (with `value`) at the newest end, dropping the oldest entry past `max`. */
  touch(key: string, value: V): void {
    let e = this.map.get(key);
    if (e) {
      e.value = value;
      if (e === this.newest) return;
      this.unlink(e);
    } else {
      // Flat, not the rope a template literal joins its parts into (V8 flattens a rope in
      // place at its first character read): the spam filter's and the aggregator's keys are
      // ~8 parts, ~130 B more a key as a rope.
      key.charCodeAt(0);
      this.map.set(key, (e = { key, value }));
    }
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
    if (this.map.size > this.max) {
      const drop = this.oldest!;
      this.unlink(drop);
      this.map.delete(drop.key);
    }
  }

  /** Keys from the oldest to the newest. */
  *keys(): IterableIterator<string> {
    for (let e = this.oldest; e; e = e.newer) yield e.key;
  }

  private unlink(e: LruEntry<V>): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = undefined;
  }
}

/** What makes two events "the same" for aggregation. */
export function eventIdentity(involvedUid: string, reason: string, message: string, fieldPath: string, component: string, type: string): string {
  return digestOf(`${involvedUid}\u0000${reason}\u0000${message}\u0000${fieldPath}\u0000${component}\u0000${type}`);
}

/**
 * An identity as the index keeps it: the SHA-1 of its parts, 20 one-byte characters (40 B)
 * in place of the ~150 of the parts (a pod's uid, the message, the component, ...). The
 * daemon's index holds 50,000 identities from 10,000 pods on: ~6 MB less. Two different
 * events share a key only if their parts collide in SHA-1 (160 bits).
 */
function digestOf(parts: string): string {
  return hash('sha1', parts, 'binary');
}

function identityOf(e: KObject): string {
  return eventIdentity(String(e.involvedObject?.uid ?? ''), String(e.reason ?? ''), String(e.message ?? ''), String(e.involvedObject?.fieldPath ?? ''), String(e.source?.component ?? ''), String(e.type ?? ''));
}

/**
 * A namespace's index keeps at most this many identities, forgetting the least recently used
 * (client-go's cache is an LRU too). It is never dropped and re-read whole: at 10,000 pods
 * (50,000 events) that made every further event a list of all of them.
 */
const MAX_PER_NAMESPACE = 50_000;

export class EventIndex {
  private readonly byNamespace = new Map<string, Lru<string>>();
  private lastNanos = 0n;
  /** Spam filter token buckets by source and object (client-go's getSpamKey). */
  private readonly spam = new Lru<{ tokens: number; at: number }>(CACHE_MAX);
  /** Distinct messages seen per source, object, type and reason (EventAggregatorByReasonFunc). */
  private readonly similar = new Lru<{ messages: Set<string>; at: number }>(CACHE_MAX);

  /**
   * client-go's EventCorrelator before an event is recorded at `nowMs` (cluster time): the
   * spam filter, then the aggregator. `identity` is set for a combined event (the aggregate's
   * own identity, whose repeats update one event); otherwise the caller's usual identity holds.
   */
  correlate(e: EventSubject, nowMs: number): Correlated {
    const o = e.involved;
    const objectKey = `${e.component}\u0000${e.host}\u0000${o.kind ?? ''}\u0000${o.namespace ?? ''}\u0000${o.name ?? ''}\u0000${o.uid ?? ''}\u0000${o.apiVersion ?? ''}\u0000${e.type}`;
    // Token bucket: SPAM_BURST tokens, one more every SPAM_REFILL_MS.
    const b = this.spam.peek(objectKey) ?? { tokens: SPAM_BURST, at: nowMs };
    b.tokens = Math.min(SPAM_BURST, b.tokens + Math.max(0, nowMs - b.at) / SPAM_REFILL_MS);
    b.at = nowMs;
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    this.spam.touch(objectKey, b);
    if (!allowed) return { skip: true };
    const aggregateKey = `${objectKey}\u0000${e.reason}`;
    let r = this.similar.peek(aggregateKey);
    if (!r || nowMs - r.at > AGGREGATE_INTERVAL_MS) r = { messages: new Set(), at: nowMs };
    r.messages.add(e.message);
    r.at = nowMs;
    this.similar.touch(aggregateKey, r);
    if (r.messages.size < AGGREGATE_MAX_EVENTS) return { skip: false, message: e.message };
    // The set does not grow past the threshold (sets.String.PopAny).
    r.messages.delete(r.messages.values().next().value!);
    return { skip: false, identity: digestOf(`combined\u0000${aggregateKey}`), message: `(combined from similar events): ${e.message}` };
  }

  constructor(
    private readonly listEvents: (namespace: string) => Promise<KObject[]>,
    private readonly now: () => number,
  ) {}

  /** The name of the event already holding `identity` in `namespace`, if any is known. */
  async lookup(namespace: string, identity: string): Promise<string | undefined> {
    const index = await this.indexOf(namespace);
    const name = index.peek(identity);
    if (name !== undefined) index.touch(identity, name);
    return name;
  }

  private async indexOf(namespace: string): Promise<Lru<string>> {
    let index = this.byNamespace.get(namespace);
    if (index) return index;
    index = new Lru(MAX_PER_NAMESPACE);
    // Names are only ever made after the newest one already there (up to a second of cluster
    // time ahead, past which a name is not one of ours): other processes recorded them, maybe
    // at this very instant (a clock that stands still without a daemon).
    const ceiling = BigInt(Math.floor(this.now()) + 1000) * 1_000_000n;
    // In name order, which is the order of first occurrence: the newest are kept.
    for (const e of await this.listEvents(namespace)) {
      const name = e.metadata.name;
      if (!name) continue;
      index.touch(identityOf(e), name);
      const nanos = nanosOf(name);
      if (nanos !== undefined && nanos > this.lastNanos && nanos <= ceiling) this.lastNanos = nanos;
    }
    this.byNamespace.set(namespace, index);
    return index;
  }

  remember(namespace: string, identity: string, name: string): void {
    const index = this.byNamespace.get(namespace);
    index?.touch(identity, name);
  }

  /**
   * A new event's name in `namespace`: the object's name and the cluster time in nanoseconds,
   * in hex. Strictly increasing within the process, and after every name the namespace held
   * when this process first looked (so a later command's event sorts after an earlier one's
   * even at one cluster instant). The sub-millisecond part is random so that two processes
   * recording in the same simulated millisecond rarely pick the same name (a clash is
   * retried by the caller with the next name). Not drawn from the cluster's seeded stream:
   * a name holds the time anyway, and KUBESIM_SEED replays must draw the same UIDs.
   */
  newName(namespace: string, objectName: string): string | Promise<string> {
    // The namespace's index read once: every later name without a promise (the scheduler
    // and the kubelets name thousands a second).
    if (!this.byNamespace.has(namespace)) return this.indexOf(namespace).then(() => this.nextName(objectName));
    return this.nextName(objectName);
  }

  private nextName(objectName: string): string {
    const base = BigInt(Math.floor(this.now())) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    this.lastNanos = base > this.lastNanos ? base : this.lastNanos + 1n + BigInt(Math.floor(Math.random() * 1000));
    return `${objectName}.${this.lastNanos.toString(16)}`;
  }
}

/** The time in a name "<object>.<hex nanos>" (undefined for other names). */
function nanosOf(name: string): bigint | undefined {
  const m = /\.([0-9a-f]{1,16})$/.exec(name);
  return m ? BigInt('0x' + m[1]) : undefined;
}
