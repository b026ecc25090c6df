// events.k8s.io/v1 Event <-> core/v1 Event, as kube-apiserver converts through the internal
// type (k8s.io/kubernetes pkg/apis/events/v1/conversion.go, pkg/apis/core/v1). Both are
// stored as core Events; the events.k8s.io endpoints read and write them in their own fields.

import { apiVersionOf, splitApiVersion, type ResourceType } from '../resources';
import type { KObject } from '../types';

export const EVENTS_V1 = 'events.k8s.io/v1';

type Obj = Record<string, unknown>;

/** A core/v1 Event as events.k8s.io/v1 shows it (encoding/json of events/v1.Event: field order, omitempty). */
export function coreEventToEventsV1(e: KObject): KObject {
  const c = e as Obj;
  const out: Obj = { apiVersion: EVENTS_V1, kind: 'Event', metadata: c.metadata };
  // MicroTime and Time are structs: omitempty never drops them, zero ones are null.
  out.eventTime = c.eventTime ?? null;
  if (c.series != null) out.series = c.series;
  if (c.reportingComponent) out.reportingController = c.reportingComponent;
  if (c.reportingInstance) out.reportingInstance = c.reportingInstance;
  if (c.action) out.action = c.action;
  if (c.reason) out.reason = c.reason;
  out.regarding = c.involvedObject ?? {};
  if (c.related != null) out.related = c.related;
  if (c.message) out.note = c.message;
  if (c.type) out.type = c.type;
  out.deprecatedSource = c.source ?? {};
  out.deprecatedFirstTimestamp = c.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = c.lastTimestamp ?? null;
  if (c.count) out.deprecatedCount = c.count;
  return out as KObject;
}

/** An events.k8s.io/v1 Event as the core/v1 Event it is stored as (encoding/json of core/v1.Event). */
export function eventsV1ToCoreEvent(e: KObject): KObject {
  const v = e as Obj;
  const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: v.metadata };
  out.involvedObject = v.regarding ?? {};
  if (v.reason) out.reason = v.reason;
  if (v.note) out.message = v.note;
  out.source = v.deprecatedSource ?? {};
  out.firstTimestamp = v.deprecatedFirstTimestamp ?? null;
  out.lastTimestamp = v.deprecatedLastTimestamp ?? null;
  if (v.deprecatedCount) out.count = v.deprecatedCount;
  if (v.type) out.type = v.type;
  out.eventTime = v.eventTime ?? null;
  if (v.series != null) out.series = v.series;
  if (v.action) out.action = v.action;
  if (v.related != null) out.related = v.related;
  out.reportingComponent = v.reportingController ?? '';
  out.reportingInstance = v.reportingInstance ?? '';
  return out as KObject;
}

/**
 * `obj` (as stored) as `apiVersion`/`kind` name it: the same fields under another name, but
 * a core Event read as events.k8s.io/v1 in that group's fields.
 */
export function asVersion(obj: KObject, apiVersion: string, kind: string): KObject {
  return renamedFields(obj, apiVersion, kind) ?? { ...obj, apiVersion, kind };
}

/**
 * `obj` as `apiVersion` names its fields when that version names them otherwise (a core
 * Event as events.k8s.io/v1, or back); undefined when only the apiVersion would change.
 */
export function renamedFields(obj: KObject, apiVersion: string, kind: string): KObject | undefined {
  if (kind !== 'Event') return undefined;
  const from = (obj as Obj).apiVersion;
  if (apiVersion === EVENTS_V1 && from === 'v1') return coreEventToEventsV1(obj);
  if (apiVersion === 'v1' && from === EVENTS_V1) return eventsV1ToCoreEvent(obj);
  return undefined;
}

/** True for a body written through the events.k8s.io/v1 endpoints (stored as a core Event). */
export function isEventsV1(obj: KObject): boolean {
  return obj.apiVersion === EVENTS_V1 && obj.kind === 'Event';
}

/** A body written through the events.k8s.io/v1 endpoints as the core Event it is stored as; any other as it is. */
export function asStored(obj: KObject): KObject {
  return isEventsV1(obj) ? eventsV1ToCoreEvent(obj) : obj;
}

/**
 * `obj` as `r`'s group names it: an events.k8s.io Event read from the core events it is stored
 * as carries that group's apiVersion and fields (what the server answers, what `-o name` prints).
 */
export function inGroupOf(r: ResourceType, obj: KObject): KObject {
  return splitApiVersion(obj.apiVersion ?? '').group === r.group ? obj : asVersion(obj, apiVersionOf(r), r.kind);
}
