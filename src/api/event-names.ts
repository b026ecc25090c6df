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
import type { KObject } from './types';

/** What makes two events "the same" for aggregation. */
export function eventIdentity(involvedUid: string, reason: string, message: string, fieldPath: string, component: string, type: string): string {
  return [involvedUid, reason, message, fieldPath, component, type].join('\u0000');
}

function identityOf(e: KObject): string {
  return eventIdentity(String(e.involvedObject?.uid ?? ''), String(e.reason ?? ''), String(e.message ?? ''), String(e.involvedObject?.fieldPath ?? ''), String(e.source?.component ?? ''), String(e.type ?? ''));
}

/** A namespace's index is dropped (and re-read when needed) past this many identities. */
const MAX_PER_NAMESPACE = 50_000;

export class EventIndex {
  private readonly byNamespace = new Map<string, Map<string, string>>();
  private lastNanos = 0n;

  constructor(private readonly listEvents: (namespace: string) => Promise<KObject[]>) {}

  /** The name of the event already holding `identity` in `namespace`, if any is known. */
  async lookup(namespace: string, identity: string): Promise<string | undefined> {
    let index = this.byNamespace.get(namespace);
    if (!index) {
      index = new Map();
      for (const e of await this.listEvents(namespace)) if (e.metadata.name) index.set(identityOf(e), e.metadata.name);
      this.byNamespace.set(namespace, index);
    }
    return index.get(identity);
  }

  remember(namespace: string, identity: string, name: string): void {
    const index = this.byNamespace.get(namespace);
    if (!index) return;
    if (index.size >= MAX_PER_NAMESPACE) this.byNamespace.delete(namespace);
    else index.set(identity, name);
  }

  /**
   * A new event's name: the object's name and the time in nanoseconds, in hex. Strictly
   * increasing within the process; the sub-millisecond part is random so that two processes
   * recording in the same simulated millisecond rarely pick the same name (a clash is
   * retried by the caller with the next name). Not drawn from the cluster's seeded stream:
   * a name holds the time anyway, and KUBESIM_SEED replays must draw the same UIDs.
   */
  newName(objectName: string, nowMs: number): string {
    const base = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    this.lastNanos = base > this.lastNanos ? base : this.lastNanos + 1n + BigInt(Math.floor(Math.random() * 1000));
    return `${objectName}.${this.lastNanos.toString(16)}`;
  }
}
