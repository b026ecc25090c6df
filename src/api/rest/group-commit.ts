// Group commit for the REST API's writes: requests that arrive while others are being
// written wait and then go together, as one store group (one lock hold, one journal
// fsync for all of them), and each is answered only once that group is on disk. On the
// file store a lone write costs an fsync of its own; twenty clients writing at once would
// otherwise queue behind twenty fsyncs, each blocking the event loop (and every reader)
// in turn. Stores that gain nothing from it (etcd: each write is its own transaction, and
// running them one after another would only serialise them) are not wrapped.

import { AsyncResource } from 'node:async_hooks';
import type { ApiServer } from '../server';
import { requestWaits } from '../../store/async-store';

interface Pending<T> {
  run: () => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private draining = false;

  constructor(private readonly api: ApiServer) {}

  /** Runs `run` in the next group; settles once that group has been committed. */
  submit(run: () => Promise<T>): Promise<T> {
    // Run in the submitter's async context (the drain runs in the first submitter's): its
    // request's flow, and its wait for the group counted as its own.
    const waits = requestWaits();
    const t0 = performance.now();
    const bound = AsyncResource.bind(() => {
      if (waits) waits.queueMs += performance.now() - t0;
      return run();
    });
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: bound, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        // The store's calls return without real waits (the engine is synchronous), so a
        // group would run, and fsync, before the event loop even reads the requests that
        // have already arrived: let it read them first, so that they join this group.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0);
        const results: ({ ok: true; value: T } | { ok: false; error: unknown })[] = [];
        let failed: unknown;
        try {
          await this.api.group(async () => {
            // One after another: each sees the ones before it (a create then a patch of it).
            for (const p of batch) {
              try {
                results.push({ ok: true, value: await p.run() });
              } catch (error) {
                results.push({ ok: false, error });
              }
            }
          });
          // Inside a group another task opened (the controllers' pass) the lock is not given
          // up, nor the journal synced: the answers wait for its sync all the same.
          await this.api.store.syncWritten?.();
        } catch (e) {
          failed = e; // the journal's sync failed (the disk): nothing of the group is acknowledged
        }
        batch.forEach((p, i) => {
          const r = results[i];
          if (failed !== undefined) p.reject(failed);
          else if (r.ok) p.resolve(r.value);
          else p.reject(r.error);
        });
      }
    } finally {
      this.draining = false;
    }
  }
}
