// ValidateEventCreate for a create through events.k8s.io/v1 (k8s.io/kubernetes
// pkg/apis/core/validation/events.go): legacyValidateEvent, then the strict checks, on the
// core Event the body is converted to. Paths are the internal type's (`message`,
// `involvedObject.namespace`), as kube prints them. ObjectMeta is validated with every kind.
import type { FieldError } from '../errors';
import type { KObject } from '../types';
import { invalid, q, required } from './name-rules';
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

/** The errors of a core Event created through events.k8s.io/v1 (`namespace`: the request's). */
export function eventsV1CreateErrors(event: KObject, namespace: string): FieldError[] {
  const e = event as Record<string, any>;
  const out = legacyErrors(e, namespace);
  if (e.series != null) {
    if (!(typeof e.series.count === 'number' && e.series.count >= 2)) out.push(invalid('series.count', q(''), 'should be at least 2'));
    if (unset(e.series.lastObservedTime)) out.push(required('series.lastObservedTime'));
  }
  if (unset(e.eventTime)) out.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') out.push(invalid('type', q(''), `has invalid value: ${str(e.type)}`));
  if (!unset(e.firstTimestamp)) out.push(invalid('firstTimestamp', q(''), 'needs to be unset'));
  if (!unset(e.lastTimestamp)) out.push(invalid('lastTimestamp', q(''), 'needs to be unset'));
  if (typeof e.count === 'number' && e.count !== 0) out.push(invalid('count', q(''), 'needs to be unset'));
  if (str(e.source?.component) !== '' || str(e.source?.host) !== '') out.push(invalid('source', q(''), 'needs to be unset'));
  return out;
}
