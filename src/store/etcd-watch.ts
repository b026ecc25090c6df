// The etcd driver's change feed: an etcd watch from a start revision, buffering the
// registry's events in revision order. It watches the whole keyspace (and keeps only
// /registry/ events) because then every revision etcd hands out shows up as an event, so
// "every event up to revision R has arrived" is simply "an event of revision >= R has
// arrived" — with no reliance on progress notifications (those that come, when nothing
// happened for etcd's progress interval, move that mark too). A broken stream is re-opened
// from the revision after the last one seen; a start revision etcd has compacted away
// ends the follower with `compactRev` set.

import type { Etcd3, IKeyValue, IWatchResponse, IEvent } from 'etcd3';
import type { KObject } from '../api/types';
import { cloneJson } from './clone';
import { StoreError, type WatchEvent } from './store';
import { parseValue } from './etcd-store';

const REGISTRY_PREFIX = '/registry/';
const MAX_EVENTS = 100_000;
/**
 * An open watch stream keeps the process alive (gRPC holds its socket while a call is
 * active), so the stream is closed when nobody has asked for changes for this long; the
 * next request re-opens it from the revision after the last one seen (etcd replays what
 * happened meanwhile). A CLI verb thus exits once it is done; a polling consumer (the
 * controller manager, `get -w`) keeps the stream open.
 */
export const IDLE_MS = 250;

export interface FollowerOptions {
  /** Told the highest revision seen after every response with events. */
  onRevision?: (rev: number) => void;
  maxEvents?: number;
}

export type WaitOutcome = 'ok' | 'compacted' | 'failed' | 'timeout';

export interface WatchStream {
  on(event: 'data', fn: (res: IWatchResponse) => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
  write(req: unknown): unknown;
  cancel?(): void;
  end(): void;
}

export class EtcdFollower {
  /** The buffer holds every registry event with a revision >= from. */
  from: number;
  /** Every event up to this revision has arrived. */
  private seen: number;
  compactRev: number | undefined;
  /** Set when etcd cancelled the watch for another reason than compaction. */
  failure: Error | undefined;
  /** The last error of a stream that is being re-opened. */
  lastError: Error | undefined;
  private events: WatchEvent[] = [];
  private stream: WatchStream | undefined;
  private closed = false;
  private waiters = new Set<() => void>();
  private retryMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The stream was closed for being idle (not broken): re-opened on the next request. */
  private idle = false;
  private readonly maxEvents: number;

  constructor(
    private readonly client: Etcd3,
    from: number,
    private readonly opts: FollowerOptions = {},
  ) {
    this.from = Math.max(1, from);
    // Revision 1 is etcd's empty initial state, the one revision without an event.
    this.seen = Math.max(this.from - 1, 1);
    this.maxEvents = opts.maxEvents ?? MAX_EVENTS;
    void this.connect();
    this.touch();
  }

  /** Someone is following: keep (or re-open) the stream for a while longer. */
  touch(): void {
    if (this.closed) return;
    if (this.idle) {
      this.idle = false;
      void this.connect();
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.closed || this.broken()) return;
      // A request still waits (its answer is late on a busy process): not idle.
      if (this.waiters.size > 0) return this.touch();
      this.idle = true;
      clearTimeout(this.retryTimer);
      this.stopStream();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** No longer following: compacted away, cancelled by etcd, or closed. */
  broken(): boolean {
    return this.compactRev !== undefined || this.failure !== undefined || this.closed;
  }

  get seenRev(): number {
    return this.seen;
  }

  /** Copies of the buffered events with a revision > afterRev, oldest first. */
  eventsAfter(afterRev: number): WatchEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rev <= afterRev) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo).map((e) => ({ ...e, object: cloneJson(e.object) }));
  }

  /** Resolves once every event up to `rev` has arrived, or says why it cannot within `ms`. */
  async waitFor(rev: number, ms: number): Promise<WaitOutcome> {
    const end = Date.now() + ms;
    let lastLook = false;
    for (;;) {
      this.touch();
      if (this.compactRev !== undefined) return 'compacted';
      if (this.failure !== undefined || this.closed) return 'failed';
      if (this.seen >= rev) return 'ok';
      const left = end - Date.now();
      if (left <= 0) {
        if (lastLook) return 'timeout';
        // A busy event loop runs expired timers before reading sockets: let pending
        // responses in once before calling the deadline missed.
        lastLook = true;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    this.stopStream();
    this.wake();
  }

  private async connect(): Promise<void> {
    if (this.closed || this.idle || this.stream) return;
    let stream: WatchStream;
    try {
      stream = (await this.client.watchClient.watch()) as unknown as WatchStream;
    } catch (e) {
      this.broke(e as Error);
      return;
    }
    if (this.closed || this.idle || this.stream) {
      stopStream(stream);
      return;
    }
    this.stream = stream;
    let over = false;
    const broken = (e: Error) => {
      if (over) return;
      over = true;
      if (this.stream === stream) this.stream = undefined;
      stopStream(stream);
      this.broke(e);
    };
    stream.on('data', (res) => {
      if (!over) this.onResponse(res, () => ((over = true), this.stopStream()));
    });
    stream.on('error', (e) => broken(e));
    stream.on('end', () => broken(new StoreError('the etcd watch stream ended')));
    stream.write({
      // [\0, \0): every key
      create_request: { key: Buffer.from([0]), range_end: Buffer.from([0]), start_revision: this.seen + 1, prev_kv: true, progress_notify: true },
    });
  }

  private broke(e: Error): void {
    if (this.closed || this.broken() || this.idle) return;
    this.lastError = e;
    this.wake();
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 2000);
  }

  private onResponse(res: IWatchResponse, stop: () => void): void {
    if (res.canceled) {
      const compact = Number(res.compact_revision);
      if (compact > 0) this.compactRev = compact;
      else this.failure = new StoreError(`etcd cancelled the watch${res.cancel_reason ? ': ' + res.cancel_reason : ''}`);
      stop();
      this.wake();
      return;
    }
    if (res.created) {
      this.retryMs = 100;
      this.lastError = undefined;
    }
    if (res.events.length === 0) {
      // A progress notification (progress_notify): etcd sends one only to a watcher that
      // has been sent every event up to the header's revision, so that revision is complete
      // here although no event of ours carries it (the watch cache's bookmarks move on).
      const rev = Number(res.header?.revision);
      if (!res.created && rev > this.seen) {
        this.seen = rev;
        this.opts.onRevision?.(rev);
        this.wake();
      }
      return;
    }
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev <= this.seen) continue; // already had it before a reconnect
      const key = ev.kv.key.toString('utf8');
      if (!key.startsWith(REGISTRY_PREFIX)) continue;
      try {
        this.events.push(toWatchEvent(key.slice(REGISTRY_PREFIX.length), rev, ev));
      } catch {
        // a value that is not a JSON object (not written by kubesim): reads report it
      }
    }
    const last = Number(res.events[res.events.length - 1].kv.mod_revision);
    if (last > this.seen) this.seen = last;
    this.trim();
    this.opts.onRevision?.(this.seen);
    this.wake();
  }

  private trim(): void {
    if (this.events.length <= this.maxEvents) return;
    let i = this.events.length >> 1;
    while (i < this.events.length && this.events[i].rev === this.events[i - 1].rev) i++;
    this.from = this.events[i - 1].rev + 1;
    this.events = this.events.slice(i);
  }

  private stopStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) stopStream(s);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function stopStream(s: WatchStream): void {
  try {
    if (s.cancel) s.cancel();
    else s.end();
  } catch {
    // already gone
  }
}

function toWatchEvent(key: string, rev: number, ev: IEvent): WatchEvent {
  const type = String(ev.type).toUpperCase();
  if (type === 'DELETE') {
    // The last state, with the delete's revision (what a watch of kube-apiserver shows).
    const object = ev.prev_kv ? parse(ev.prev_kv) : lostObject(key);
    object.metadata = { ...object.metadata, resourceVersion: String(rev) };
    return { type: 'DELETED', key, rev, object };
  }
  const object = parse(ev.kv);
  object.metadata = { ...object.metadata, resourceVersion: String(rev) };
  return { type: ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED', key, rev, object };
}

function parse(kv: IKeyValue): KObject {
  const obj = parseValue(kv);
  obj.metadata ??= {} as KObject['metadata'];
  return obj;
}

/** A deleted object whose last state etcd no longer has (compacted): its name from the key. */
function lostObject(key: string): KObject {
  const parts = key.split('/');
  const name = parts[parts.length - 1];
  const metadata: Record<string, string> = { name };
  if (parts.length >= 3) metadata.namespace = parts[parts.length - 2];
  return { metadata } as unknown as KObject;
}
