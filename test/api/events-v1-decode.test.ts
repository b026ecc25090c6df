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
