// Events as client-go's recorder writes them: repeats of one event about one object aggregate
// into its count and lastTimestamp (the correlator in event-names.ts decides), new ones are
// named by time. Recording is best effort, as in a real cluster: a lost event fails nothing.

import { ApiError } from './errors';
import type { KObject } from './types';
import { eventIdentity, type EventIndex, type EventSubject } from './event-names';
import type { ApiServer } from './server';

export interface EventRecord {
  involved: KObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  source: { component: string; host?: string };
  fieldPath?: string;
}

export async function recordEvent(api: ApiServer, index: EventIndex, record: EventRecord): Promise<void> {
  let message = record.message;
  const evType = api.registry.forKind('v1', 'Event');
  const namespace = record.involved.metadata.namespace ?? 'default';
  const now = api.timestamp();
  // Repeats of the same event about the same object aggregate (count, lastTimestamp), as
  // client-go's correlator does; new events are named by time (see event-names.ts).
  const verdict = index.correlate(subjectOf(record), api.clock.now());
  if (verdict.skip) return;
  message = verdict.message;
  const identity = identityFor(record, verdict);
  const known = await index.lookup(namespace, identity);
  const existing = known ? await api.tryGet(evType, namespace, known) : undefined;
  if (existing) {
    existing.count = (existing.count ?? 1) + 1;
    existing.lastTimestamp = now;
    existing.message = message; // a combined event shows the newest message (client-go's patch)
    try {
      await api.update(existing);
    } catch {
      /* a lost event update is harmless */
    }
    return;
  }
  await createEvent(api, index, { ...record, message }, identity, now);
}

function subjectOf(r: EventRecord): EventSubject {
  const m = r.involved.metadata;
  return { involved: { apiVersion: r.involved.apiVersion, kind: r.involved.kind, namespace: m.namespace, name: m.name, uid: m.uid }, component: r.source.component, host: r.source.host ?? '', type: r.type, reason: r.reason, message: r.message };
}

function identityFor(r: EventRecord, verdict: { identity?: string; message: string }): string {
  return verdict.identity ?? eventIdentity(String(r.involved.metadata.uid ?? ''), r.reason, verdict.message, r.fieldPath ?? '', r.source.component, r.type);
}

async function createEvent(api: ApiServer, index: EventIndex, record: EventRecord, identity: string, now: string): Promise<string | undefined> {
  const { involved, type, reason, message, source, fieldPath } = record;
  const namespace = involved.metadata.namespace ?? 'default';
  const event: KObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: '', namespace },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: involved.metadata.namespace,
      uid: involved.metadata.uid,
      resourceVersion: involved.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    },
    reason,
    message,
    source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: source.component,
    reportingInstance: source.host ?? '',
  };
  if (!involved.metadata.namespace) delete event.involvedObject.namespace;
  const name = await createNamedEvent(api, index, event);
  if (name !== undefined) index.remember(namespace, identity, name);
  return name;
}

/**
 * Creates `event` (its caller's to give up) under a new name "<involved object>.<hex nanos>" (EventIndex.newName);
 * another process taking the name first (the same simulated instant) gets the next one.
 * Best effort, as in a real cluster: undefined when it could not be written.
 */
export async function createNamedEvent(api: ApiServer, index: EventIndex, event: KObject): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const next = index.newName(event.metadata.namespace ?? 'default', String(event.involvedObject?.name ?? ''));
    const name = typeof next === 'string' ? next : await next;
    try {
      // Handed over, not deep-copied (the callers build `event` for this call): a fresh top
      // level and metadata per attempt, which the create fills in; the nested members
      // (involvedObject, source) shared, as defaulting (idempotent) is all that may touch them.
      await api.createHandedOver({ ...event, metadata: { ...event.metadata, name } });
      return name;
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) return undefined;
    }
  }
  return undefined;
}

/**
 * Events a fast-forward accounts for without stepping (records at past cluster times `at`,
 * ascending, all after the last event recorded): each goes through the correlator at its
 * time, as recordEvent would, and the stored events they would leave at the end are written
 * once, at the time each would be created and last updated (`hold` moves this process's
 * view of the clock there). An event not written for a TTL is expired at the next sweep
 * (a multiple of `sweepMs`), as the Event-TTL sweep would do on the way.
 */
export async function replayEvents(api: ApiServer, index: EventIndex, records: Iterable<EventRecord & { at: number }>, opts: { ttlMs: number; sweepMs: number; hold: (t: number) => void }): Promise<void> {
  const evType = api.registry.forKind('v1', 'Event');
  const expiredBy = (last: number, at: number) => Math.ceil((last + opts.ttlMs) / opts.sweepMs) * opts.sweepMs <= at;
  interface Left { record: EventRecord; name?: string; first: number; last: number; count: number; message: string; touched: boolean }
  const left = new Map<string, Left>();
  let end = -Infinity;
  for (const r of records) {
    end = r.at;
    const verdict = index.correlate(subjectOf(r), r.at);
    if (verdict.skip) continue;
    const identity = identityFor(r, verdict);
    let e = left.get(identity);
    if (!e) {
      const namespace = r.involved.metadata.namespace ?? 'default';
      const name = await index.lookup(namespace, identity);
      const stored = name ? await api.tryGet(evType, namespace, name) : undefined;
      if (stored) e = { record: r, name, first: Date.parse(stored.firstTimestamp), last: Date.parse(stored.lastTimestamp), count: stored.count ?? 1, message: stored.message, touched: false };
    }
    if (e && !expiredBy(e.last, r.at)) Object.assign(e, { last: r.at, count: e.count + 1, message: verdict.message, touched: true });
    else e = { record: r, first: r.at, last: r.at, count: 1, message: verdict.message, touched: true };
    left.set(identity, e);
  }
  for (const [identity, e] of left) {
    if (!e.touched || expiredBy(e.last, end)) continue; // gone by the end, or never changed
    const record = { ...e.record, message: e.message };
    if (e.name === undefined) {
      opts.hold(e.first);
      e.name = await createEvent(api, index, record, identity, api.timestamp());
      if (e.name === undefined || e.count === 1) continue;
    }
    opts.hold(e.last);
    const namespace = record.involved.metadata.namespace ?? 'default';
    const stored = await api.tryGet(evType, namespace, e.name);
    if (!stored) continue;
    Object.assign(stored, { count: e.count, lastTimestamp: api.timestamp(), message: e.message });
    try {
      await api.update(stored);
    } catch {
      /* a lost event update is harmless */
    }
  }
}
