// The etcd driver's watched lists (Store.watchedList), as kube-apiserver's informers hold
// admission policies: one list of a prefix, kept up to date by a watch of that prefix from
// the list's revision, so reading it costs no round trip while nothing changed. The store
// tells it the revision of every write it makes under the prefix, and a read waits until
// the watch has brought that revision: a write this process acknowledged is always seen.
// Another process's writes arrive as fast as etcd's watch delivers them (milliseconds).
// A broken or compacted watch drops the list (the next read lists again); so does a list
// nobody read for IDLE_MS, which closes the stream so that a CLI verb can exit.

import type { Etcd3, IKeyValue, IWatchResponse } from 'etcd3';
import type { KObject } from '../api/types';
import { deepFreeze } from './clone';
import { StoreError, type ListResult } from './store';
import { IDLE_MS, stopStream, type WatchStream } from './etcd-watch';

export interface InformerSource {
  client: Etcd3;
  timeoutMs: number;
  /** Every kv of [start, end) at one revision (the store's paged range); returns the revision. */
  range(start: Buffer, end: Buffer, each: (kv: IKeyValue) => void): Promise<number>;
  decode(kv: IKeyValue): KObject;
}

export class PrefixInformer {
  /** Frozen objects by etcd key. */
  private objects = new Map<string, KObject>();
  private sorted: KObject[] | undefined;
  /** Every event of the prefix up to this revision is in `objects` (0: not listed). */
  private rev = 0;
  /** The revision of the last list. */
  private listedRev = 0;
  /** The revision of the last write this store made under the prefix. */
  private wroteRev = 0;
  private stream: WatchStream | undefined;
  private syncing: Promise<void> | undefined;
  private waiters = new Set<() => void>();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly source: InformerSource,
    private readonly start: Buffer,
    private readonly end: Buffer,
  ) {}

  /** Whether `key` (a full etcd key) is under the prefix. */
  covers(key: Buffer): boolean {
    return Buffer.compare(key, this.start) >= 0 && Buffer.compare(key, this.end) < 0;
  }

  /** The store wrote under the prefix at `rev`: later reads wait for the watch to bring it. */
  wrote(rev: number): void {
    if (rev > this.wroteRev) this.wroteRev = rev;
  }

  async list(): Promise<ListResult> {
    if (this.closed) throw new StoreError('etcd store is closed');
    this.touch();
    // The last write acknowledged before this read: the answer must hold it.
    const need = this.wroteRev;
    if (this.rev === 0) await this.sync();
    if (this.rev < need && !(await this.waitFor(need))) await this.sync();
    this.sorted ??= [...this.objects.keys()].sort(byBytes).map((k) => this.objects.get(k)!);
    return { rev: Math.max(this.rev, this.listedRev), items: this.sorted.slice() };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.drop();
  }

  /** Lists the prefix and watches it from the revision after (one sync at a time). */
  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      this.drop();
      const objects = new Map<string, KObject>();
      const rev = await this.source.range(this.start, this.end, (kv) => objects.set(kv.key.toString('latin1'), deepFreeze(this.source.decode(kv))));
      this.objects = objects;
      this.sorted = undefined;
      this.rev = this.listedRev = rev;
      // Without a watch this read still has its list; the next one lists again.
      await this.watch(rev + 1).catch(() => this.drop());
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Forgets the list and stops the stream (a read lists again). */
  private drop(): void {
    this.rev = 0;
    const s = this.stream;
    this.stream = undefined;
    if (s) stopStream(s);
    this.wake();
  }

  private async watch(from: number): Promise<void> {
    const stream = (await this.source.client.watchClient.watch()) as unknown as WatchStream;
    if (this.closed || this.rev === 0) return stopStream(stream);
    this.stream = stream;
    const broken = () => {
      if (this.stream === stream) this.drop();
    };
    stream.on('data', (res) => {
      if (this.stream === stream) this.apply(res);
    });
    stream.on('error', broken);
    stream.on('end', broken);
    stream.write({ create_request: { key: this.start, range_end: this.end, start_revision: from } });
  }

  private apply(res: IWatchResponse): void {
    if (res.canceled) return this.drop(); // compacted or refused: list again
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev <= this.rev) continue;
      const key = ev.kv.key.toString('latin1');
      if (String(ev.type).toUpperCase() === 'DELETE') this.objects.delete(key);
      else {
        try {
          this.objects.set(key, deepFreeze(this.source.decode(ev.kv)));
        } catch {
          this.objects.delete(key); // not a JSON object: a plain list would fail on it
        }
      }
      this.sorted = undefined;
      this.rev = rev;
    }
    this.wake();
  }

  /** Whether the watch brought `rev` within the store's deadline (false: it broke or is late). */
  private async waitFor(rev: number): Promise<boolean> {
    const end = Date.now() + this.source.timeoutMs;
    while (this.rev !== 0 && this.rev < rev) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
    return this.rev >= rev;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.waiters.size > 0 || this.syncing) return this.touch();
      this.drop();
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}

/** etcd's key order (bytes); the keys are latin1 strings of the raw bytes. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
