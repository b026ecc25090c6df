// kube's Event strategy (pkg/registry/core/event/strategy.go → pkg/apis/core/validation/
// events.go): every Event write passes legacyValidateEvent; a create or an update through
// events.k8s.io/v1 also passes the strict checks (ValidateEventCreate / ValidateEventUpdate,
// by the request's group version). Paths are the internal type's (`message`,
// `involvedObject.namespace`), as kube prints them. ObjectMeta is validated with every kind,
// an Event's name as a path segment; a strict create checks it as a DNS subdomain first.
import type { FieldError } from '../errors';
import type { KObject } from '../types';
import { invalid, objectMetaErrors, q, required } from './name-rules';
import { isDns1123Subdomain, isQualifiedName } from './string-rules';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

/** A string field as Go holds it: '' for absent or null. */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Go's len(): bytes. */
const len = (v: unknown): number => Buffer.byteLength(str(v));
/** A Time or MicroTime that is its zero value (absent, null). */
const unset = (v: unknown): boolean => v === undefined || v === null || v === '';

function legacyErrors(e: Record<string, any>, namespace: string): FieldError[] {
  const out: FieldError[] = [];
  const involvedNs = str(e.involvedObject?.namespace);
  const nsMismatch = () => invalid('involvedObject.namespace', q(involvedNs), 'does not match event.namespace');
  if (unset(e.eventTime)) {
    if (involvedNs === '' ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs) out.push(nsMismatch());
  } else {
    if (involvedNs === '' && namespace !== 'default' && namespace !== 'kube-system') out.push(nsMismatch());
    if (len(e.reportingComponent) === 0) out.push(required('reportingController'));
    for (const m of isQualifiedName(str(e.reportingComponent))) out.push(invalid('reportingController', q(str(e.reportingComponent)), m));
    if (len(e.reportingInstance) === 0) out.push(required('reportingInstance'));
    if (len(e.reportingInstance) > REPORTING_INSTANCE_LIMIT) out.push(invalid('reportingInstance', q(''), `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    if (len(e.action) === 0) out.push(required('action'));
    if (len(e.action) > ACTION_LIMIT) out.push(invalid('action', q(''), `can have at most ${ACTION_LIMIT} characters`));
    if (len(e.reason) === 0) out.push(required('reason'));
    if (len(e.reason) > REASON_LIMIT) out.push(invalid('reason', q(''), `can have at most ${REASON_LIMIT} characters`));
    if (len(e.message) > NOTE_LIMIT) out.push(invalid('message', q(''), `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const m of isDns1123Subdomain(namespace)) out.push(invalid('namespace', q(namespace), m));
  return out;
}

/** The request's group version is one ValidateEventCreate/Update hold to the strict checks (events.k8s.io/v1). */
const strict = (requestVersion: string | undefined): boolean => requestVersion === 'events.k8s.io/v1';

/** validateV1EventSeries. */
function seriesErrors(e: Record<string, any>): FieldError[] {
  if (e.series == null) return [];
  const out: FieldError[] = [];
  if (!(typeof e.series.count === 'number' && e.series.count >= 2)) out.push(invalid('series.count', q(''), 'should be at least 2'));
  if (unset(e.series.lastObservedTime)) out.push(required('series.lastObservedTime'));
  return out;
}

/** ValidateEventCreate: the errors of a core Event created (`namespace`: the request's; `requestVersion`: its apiVersion). */
export function eventCreateErrors(event: KObject, namespace: string, requestVersion: string | undefined): FieldError[] {
  const e = event as Record<string, any>;
  const out = legacyErrors(e, namespace);
  if (!strict(requestVersion)) return out;
  // Strict: ValidateObjectMeta with DNS subdomain names (a core Event's name is any path segment).
  out.push(...objectMetaErrors(e.metadata, 'subdomain', true, 'metadata', true));
  out.push(...seriesErrors(e));
  if (unset(e.eventTime)) out.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') out.push(invalid('type', q(''), `has invalid value: ${str(e.type)}`));
  if (!unset(e.firstTimestamp)) out.push(invalid('firstTimestamp', q(''), 'needs to be unset'));
  if (!unset(e.lastTimestamp)) out.push(invalid('lastTimestamp', q(''), 'needs to be unset'));
  if (typeof e.count === 'number' && e.count !== 0) out.push(invalid('count', q(''), 'needs to be unset'));
  if (str(e.source?.component) !== '' || str(e.source?.host) !== '') out.push(invalid('source', q(''), 'needs to be unset'));
  return out;
}

/**
 * ValidateEventUpdate's immutable fields, in its order (`reason` twice, as kube checks it
 * twice). Each is compared as Go's DeepEqual compares the internal value: an absent field
 * and its zero value are the same.
 */
const IMMUTABLE: [string, (e: Record<string, any>) => unknown][] = [
  ['involvedObject', (e) => e.involvedObject],
  ['reason', (e) => str(e.reason)],
  ['message', (e) => str(e.message)],
  ['source', (e) => e.source],
  ['firstTimestamp', (e) => str(e.firstTimestamp)],
  ['lastTimestamp', (e) => str(e.lastTimestamp)],
  ['count', (e) => e.count ?? 0],
  ['reason', (e) => str(e.reason)],
  ['type', (e) => str(e.type)],
  ['eventTime', (e) => str(e.eventTime)],
  ['action', (e) => str(e.action)],
  ['related', (e) => e.related],
  ['reportingController', (e) => str(e.reportingComponent)],
  ['reportingInstance', (e) => str(e.reportingInstance)],
];

/** Go's reflect.DeepEqual of two decoded structs, zero values and absent members alike ('' , 0, false, null). */
function sameValue(a: unknown, b: unknown): boolean {
  const zero = (v: unknown) => v === undefined || v === null || v === '' || v === 0 || v === false || (typeof v === 'object' && Object.values(v as object).every(zero));
  if (zero(a) || zero(b)) return zero(a) && zero(b);
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) if (!sameValue((a as any)[k], (b as any)[k])) return false;
  return true;
}

/** time.Time's String() (metav1.Time, MicroTime): `2026-12-07 00:00:00.5 +0000 UTC`; the zero time for unset. */
function goTime(v: unknown): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(str(v));
  if (!m) return '0001-01-01 00:00:00 +0000 UTC';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${frac ? '.' + frac : ''} +0000 UTC`;
}

/** %#v of the internal core.ObjectReference. */
const goObjectReference = (r: any): string =>
  `core.ObjectReference{${(['Kind', 'Namespace', 'Name', 'UID', 'APIVersion', 'ResourceVersion', 'FieldPath'] as const)
    .map((k) => `${k}:${q(str(r?.[k === 'UID' ? 'uid' : k === 'APIVersion' ? 'apiVersion' : k[0].toLowerCase() + k.slice(1)]))}`)
    .join(', ')}}`;

/** The new value as field.Invalid prints it: strings quoted, ints as they are, times by String(), structs by %#v, a nil pointer `null`. */
function immutableValue(field: string, e: Record<string, any>): string {
  switch (field) {
    case 'involvedObject':
      return goObjectReference(e.involvedObject);
    case 'related':
      return e.related == null ? 'null' : goObjectReference(e.related);
    case 'source':
      return `core.EventSource{Component:${q(str(e.source?.component))}, Host:${q(str(e.source?.host))}}`;
    case 'count':
      return String(e.count ?? 0);
    case 'firstTimestamp':
    case 'lastTimestamp':
    case 'eventTime':
      return goTime(e[field]);
    default:
      return q(IMMUTABLE.find(([f]) => f === field)![1](e));
  }
}

/** ValidateEventUpdate: the errors of a core Event update (ObjectMeta's update rules are the generic validator's). */
export function eventUpdateErrors(next: KObject, old: KObject, requestVersion: string | undefined): FieldError[] {
  const n = next as Record<string, any>;
  const o = old as Record<string, any>;
  const out = legacyErrors(n, n.metadata?.namespace ?? '');
  if (!strict(requestVersion)) return out;
  if (!sameValue(n.series, o.series)) out.push(...seriesErrors(n));
  for (const [field, get] of IMMUTABLE) {
    if (!sameValue(get(n), get(o))) out.push(invalid(field, immutableValue(field, n), 'field is immutable'));
  }
  return out;
}
