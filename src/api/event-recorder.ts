// Events as client-go's recorder writes them: repeats of one event about one object aggregate
// into its count and lastTimestamp (the correlator in event-names.ts decides), new ones are
// named by time. Recording is best effort, as in a real cluster: a lost event fails nothing.

import { ApiError } from './errors';
import type { KObject } from './types';
import { eventIdentity, type EventIndex } from './event-names';
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
  const { involved, type, reason, source, fieldPath } = record;
  let message = record.message;
  const evType = api.registry.forKind('v1', 'Event');
  const namespace = involved.metadata.namespace ?? 'default';
  const now = api.timestamp();
  // Repeats of the same event about the same object aggregate (count, lastTimestamp), as
  // client-go's correlator does; new events are named by time (see event-names.ts).
  const m = involved.metadata;
  const verdict = index.correlate({ involved: { apiVersion: involved.apiVersion, kind: involved.kind, namespace: m.namespace, name: m.name, uid: m.uid }, component: source.component, host: source.host ?? '', type, reason, message }, api.clock.now());
  if (verdict.skip) return;
  message = verdict.message;
  const identity = verdict.identity ?? eventIdentity(String(m.uid ?? ''), reason, message, fieldPath ?? '', source.component, type);
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
  for (let attempt = 0; attempt < 3; attempt++) {
    event.metadata.name = index.newName(involved.metadata.name ?? '', api.clock.now());
    try {
      await api.create(event);
      index.remember(namespace, identity, event.metadata.name);
      return;
    } catch (e) {
      // another process took the name in the same simulated millisecond: take the next
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) return; // best effort, as in a real cluster
    }
  }
}
