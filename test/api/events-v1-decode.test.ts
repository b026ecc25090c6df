// An events.k8s.io/v1 Event is stored as a core Event, but kube-apiserver decodes the body in
// the group's own type first: its decoding errors name the fields the client wrote
// (`Event.regarding`, `Event.note`), never the core fields they are converted to (creates;
// an update's body is still checked as the core Event: server-side apply merges into it).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

const event = (name: string, extra: Record<string, unknown>): KObject => ({
  apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name, namespace: 'default' },
  eventTime: '2026-12-07T00:00:00.000000Z', reportingController: 'example.com/c', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', ...extra,
});

test('decoding errors of an events.k8s.io/v1 Event name its own fields', async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-07T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  const prefix = 'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal';
  const cases: [Record<string, unknown>, string][] = [
    [{ regarding: 'pod/x' }, `${prefix} string into Go struct field Event.regarding of type v1.ObjectReference`],
    [{ note: 5 }, `${prefix} number into Go struct field Event.note of type string`],
    [{ deprecatedCount: '5' }, `${prefix} string into Go struct field Event.deprecatedCount of type int32`],
  ];
  for (const [extra, message] of cases) await assert.rejects(async () => api.create(event('e', extra)), { message });
  assert.equal((await api.create(event('ok', { note: 'n' }))).message, 'n');
});

test('an events.k8s.io/v1 create is validated as ValidateEventCreate does: required fields, a note of at most 1024 bytes, nothing deprecated', async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-07T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  const bare = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'bare', namespace: 'default' }, eventTime: null, regarding: null, note: null, series: null };
  await assert.rejects(async () => api.create(bare), { code: 422, message: 'Event.events.k8s.io "bare" is invalid: [eventTime: Required value, type: Invalid value: "": has invalid value: ]' });
  await assert.rejects(async () => api.create(event('big', { note: 'x'.repeat(1_000_000) })), { code: 422, message: 'Event.events.k8s.io "big" is invalid: message: Invalid value: "": can have at most 1024 characters' });
  await assert.rejects(async () => api.create(event('old', { reportingController: '', action: 'a'.repeat(129), series: { count: 1 }, deprecatedCount: 5, deprecatedSource: { component: 'c' } })), {
    code: 422,
    message: 'Event.events.k8s.io "old" is invalid: [reportingController: Required value, reportingController: Invalid value: "": name part must be non-empty, ' +
      `reportingController: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), ` +
      'action: Invalid value: "": can have at most 128 characters, series.count: Invalid value: "": should be at least 2, series.lastObservedTime: Required value, count: Invalid value: "": needs to be unset, source: Invalid value: "": needs to be unset]',
  });
  for (const name of ['bare', 'big', 'old']) await assert.rejects(() => api.get(api.resolve('events'), 'default', name), { code: 404 });
  // A core Event written through /api/v1 is not held to them.
  assert.equal((await api.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'core' }, involvedObject: {}, message: 'x'.repeat(2000) })).message.length, 2000);
});

test('series.count and count are int32 (the generated schemas mark k8s.io/api int32 fields): past 2^31-1 the decoding refuses them, in either group', async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-07T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  const prefix = 'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal';
  const series = (count: number) => ({ series: { count, lastObservedTime: '2026-12-07T00:00:01.000000Z' } });
  await assert.rejects(async () => api.create(event('v1-series', series(2 ** 31))), { message: `${prefix} number 2147483648 into Go struct field EventSeries.series.count of type int32` });
  await assert.rejects(async () => api.create(event('v1-big', series(1e20))), { message: `${prefix} number 100000000000000000000 into Go struct field EventSeries.series.count of type int32` });
  const core = (name: string, extra: Record<string, unknown>): KObject => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', message: 'm', type: 'Normal', ...extra,
  });
  await assert.rejects(async () => api.create(core('core-series', series(2 ** 31))), { message: `${prefix} number 2147483648 into Go struct field EventSeries.series.count of type int32` });
  await assert.rejects(async () => api.create(core('core-count', { count: -(2 ** 31) - 1 })), { message: `${prefix} number -2147483649 into Go struct field Event.count of type int32` });
  // int32's bounds are taken.
  assert.equal((await api.create(event('v1-max', series(2 ** 31 - 1)))).series?.count, 2 ** 31 - 1);
  assert.equal((await api.create(core('core-min', { count: -(2 ** 31) }))).count, -(2 ** 31));
});

test('a core v1 Event create and update pass legacyValidateEvent only (ValidateEventCreate/Update by the request group version)', async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-07T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  const core = (name: string, extra: Record<string, unknown>): KObject => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', message: 'm', ...extra,
  });
  await assert.rejects(async () => api.create(core('other-ns', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } })), {
    code: 422, message: 'Event "other-ns" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  });
  // With an eventTime, the new-style fields are required and a message holds at most 1024 bytes.
  await assert.rejects(async () => api.create(core('new-style', { eventTime: '2026-12-07T00:00:00.000000Z', message: 'é'.repeat(513) })), {
    code: 422,
    message: 'Event "new-style" is invalid: [reportingController: Required value, reportingController: Invalid value: "": name part must be non-empty, ' +
      `reportingController: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), ` +
      'reportingInstance: Required value, action: Required value, message: Invalid value: "": can have at most 1024 characters]',
  });
  // Looser than events.k8s.io/v1: no type, timestamps and a count are fine, and every field may change.
  const e = await api.create(core('legacy', { firstTimestamp: '2026-12-07T00:00:00Z', count: 4 }));
  e.message = 'changed';
  e.count = 5;
  assert.equal((await api.update(e)).message, 'changed');
  const again = await api.get(api.typeOf(e), 'default', 'legacy');
  again.involvedObject.namespace = 'kube-system';
  await assert.rejects(async () => api.update(again), { code: 422, message: 'Event "legacy" is invalid: involvedObject.namespace: Invalid value: "kube-system": does not match event.namespace' });
});

test('an events.k8s.io/v1 update passes ValidateEventUpdate: its fields are immutable (the core paths, each value as Go prints it), a changed series is validated', async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-07T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  const base = event('upd', { note: 'n', regarding: { kind: 'Pod', name: 'p', namespace: 'default' } });
  await api.create(base);
  const changed = { ...base, note: 'x', reason: 'R2', regarding: { kind: 'Pod', name: 'q', namespace: 'default' }, eventTime: '2026-12-07T00:00:01.500000Z', series: { count: 1 } };
  await assert.rejects(async () => api.update(changed), {
    code: 422,
    message: 'Event.events.k8s.io "upd" is invalid: [series.count: Invalid value: "": should be at least 2, series.lastObservedTime: Required value, ' +
      'involvedObject: Invalid value: core.ObjectReference{Kind:"Pod", Namespace:"default", Name:"q", UID:"", APIVersion:"", ResourceVersion:"", FieldPath:""}: field is immutable, ' +
      // kube checks reason twice; the aggregate message drops the repeat.
      'reason: Invalid value: "R2": field is immutable, message: Invalid value: "x": field is immutable, ' +
      'eventTime: Invalid value: 2026-12-07 00:00:01.5 +0000 UTC: field is immutable]',
  });
  const ok = await api.update({ ...base, series: { count: 2, lastObservedTime: '2026-12-07T00:00:02.000000Z' } });
  assert.equal(ok.series?.count, 2);
});
