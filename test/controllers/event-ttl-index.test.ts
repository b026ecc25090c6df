// The Event TTL sweep keeps each namespace's Events' last-write times from the change feed:
// after one list to fill it, a sweep reads only the Events it expires (it listed and read every
// Event of the namespace every period: ~15 % of the daemon's CPU at rest at 5,000 nodes).
// Expiry is unchanged: one TTL after the latest of the Event's times, creation included, so an
// Event written with an old lastTimestamp still lives one TTL from its creation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createControllerManager } from '../../src/controllers';
import { expireEvents } from '../../src/controllers/event-ttl';
import { advanceClock } from '../../src/controllers/manager';
import { advanceManager as advance } from '../../src/cli/in-process';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { ApiServer } from '../../src/api/server';
import type { KObject } from '../../src/api/types';

before(async () => {
  await loadValidation();
});

const MIN = 60_000;
const TTL = 30 * MIN; // sweeps every 3 minutes

/** Counts the store's lists and single reads of Events. */
function countEventReads(api: ApiServer): { lists: number; gets: number } {
  const counts = { lists: 0, gets: 0 };
  const store = api.store as unknown as Record<'list' | 'get', (key: string, ...rest: unknown[]) => Promise<unknown>>;
  for (const op of ['list', 'get'] as const) {
    const orig = store[op].bind(store);
    store[op] = (key, ...rest) => {
      if (key.startsWith('events/')) counts[op === 'list' ? 'lists' : 'gets']++;
      return orig(key, ...rest);
    };
  }
  return counts;
}

const eventNames = async (api: ApiServer, ns: string) => (await api.list(api.registry.forKind('v1', 'Event'), { namespace: ns })).items.map((e) => e.metadata.name!).sort();
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function cluster() {
  const profile = defaultProfile('t', { nodes: 1 });
  profile.timings.eventTtlMs = TTL;
  return createMemoryCluster(profile, { validator: apiValidator() });
}

function userEvent(name: string, ns: string, lastTimestamp: string): KObject {
  return {
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns },
    involvedObject: { kind: 'ConfigMap', name: 'x', namespace: ns }, reason: 'Test', message: name, type: 'Normal',
    source: { component: 'test' }, firstTimestamp: lastTimestamp, lastTimestamp, count: 1,
  } as unknown as KObject;
}

test('event TTL sweep: after one list it reads only the Events it expires, and each expires one TTL after its last write', { timeout: 120_000 }, async () => {
  const c = await cluster();
  const m = createControllerManager(c.ctx);
  await m.runUntilStable();
  await c.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'busy' } });
  const rt = c.api.registry.forKind('v1', 'Event');
  const t0 = c.clock.now();
  // 2,000 Events written with an old lastTimestamp: their TTL counts from their creation (now).
  const N = 2_000;
  for (let i = 0; i < N; i++) await c.api.create(userEvent(`old-${i}`, 'busy', iso(t0 - 5 * TTL)));
  await advance(c.api, m, 4 * MIN); // the namespace's first sweep fills its index (one list)

  const counts = countEventReads(c.api);
  await advance(c.api, m, 20 * MIN); // six or seven sweeps of every namespace, nothing due yet
  assert.deepEqual(counts, { lists: 0, gets: 0 }, 'sweeps with nothing due read no Event');
  assert.equal((await eventNames(c.api, 'busy')).length, N, 'an Event written with an old lastTimestamp expired before one TTL from its creation');

  // Written later: the index learns it from the feed; an update refreshes its TTL.
  const young = await c.api.create(userEvent('young', 'busy', iso(c.clock.now())));
  const refreshedAt = c.clock.now() + 5 * MIN;
  await advance(c.api, m, 5 * MIN);
  const cur = await c.api.get(rt, 'busy', 'old-0');
  await c.api.update({ ...cur, lastTimestamp: iso(refreshedAt) } as KObject);
  counts.lists = counts.gets = 0;
  const rev = await c.api.currentRev();

  // t0 + 29 + 3 min: the 1,999 untouched old Events have expired (within a sweep period of their TTL).
  await advance(c.api, m, t0 + TTL + 3 * MIN - c.clock.now());
  const swept = { ...counts };
  const deleted = (await c.api.changesSince(rev)).filter((ch) => ch.type === 'DELETED' && ch.object.kind === 'Event').length;
  assert.ok(deleted >= N - 1, `${deleted} Events deleted`);
  assert.deepEqual(await eventNames(c.api, 'busy'), ['old-0', 'young'], 'not expired on time');
  assert.equal(swept.lists, 0, 'a sweep listed the Events');
  assert.ok(swept.gets <= 2 * deleted, `${swept.gets} reads for ${deleted} deletions: only the Events due are read (by the sweep and by their deletion)`);

  // young expires one TTL after its creation, old-0 one TTL after its update.
  await advance(c.api, m, Date.parse(young.metadata.creationTimestamp!) + TTL - MIN - c.clock.now());
  assert.deepEqual(await eventNames(c.api, 'busy'), ['old-0', 'young'], 'young expired early');
  await advance(c.api, m, 4 * MIN);
  assert.deepEqual(await eventNames(c.api, 'busy'), ['old-0'], 'young outlived its TTL');
  await advance(c.api, m, refreshedAt + TTL + 3 * MIN - c.clock.now());
  assert.deepEqual(await eventNames(c.api, 'busy'), [], 'old-0 outlived the TTL from its update');
});

test('event TTL sweep: a new manager (the daemon restarted) fills its index from a list and expires what was written while it was stopped', { timeout: 60_000 }, async () => {
  const c = await cluster();
  const m1 = createControllerManager(c.ctx);
  await m1.runUntilStable();
  await advance(c.api, m1, 4 * MIN); // m1's index of default is filled
  // "Stopped": m1 no longer runs while an Event is written and the clock moves past its TTL.
  const ev = await c.api.create(userEvent('while-stopped', 'default', iso(c.clock.now())));
  await advanceClock(c.clock, TTL + MIN);
  const counts = countEventReads(c.api);
  const m2 = createControllerManager(c.ctx);
  await advance(c.api, m2, 10 * MIN); // four sweeps of each namespace
  assert.ok(!(await eventNames(c.api, 'default')).includes(ev.metadata.name!), 'an Event written while the manager was stopped outlived its TTL');
  const namespaces = (await c.api.list(c.api.registry.forKind('v1', 'Namespace'))).items.length;
  assert.equal(counts.lists, namespaces + 1, 'one list of Events per namespace to fill the index (and one here)');
});

test('event TTL sweep: an update the index has not seen yet (written since the last poll) keeps the Event', { timeout: 60_000 }, async () => {
  const c = await cluster();
  const m = createControllerManager(c.ctx);
  await m.runUntilStable();
  const ev = await c.api.create(userEvent('refreshed', 'default', iso(c.clock.now())));
  await advance(c.api, m, 4 * MIN); // the index holds it
  await advanceClock(c.clock, TTL);
  // A user refreshes it and the sweep runs before the manager polls the feed.
  await c.api.update({ ...(await c.api.get(c.api.registry.forKind('v1', 'Event'), 'default', 'refreshed')), lastTimestamp: iso(c.clock.now()) } as KObject);
  await expireEvents(c.ctx, 'default', TTL);
  assert.ok((await eventNames(c.api, 'default')).includes(ev.metadata.name!), 'an Event updated just now was expired by its previous time');
});

test('event TTL sweep: times weeks away from when the index was filled (kept relative to it) expire one TTL after them', { timeout: 60_000 }, async () => {
  const c = await cluster();
  const t0 = c.clock.now();
  const DAY = 24 * 60 * MIN;
  await c.api.create(userEvent('then', 'default', iso(t0)));
  await c.api.create(userEvent('later', 'default', iso(t0 + 30 * DAY)));
  // The index is filled at the first sweep, 30 days and a TTL on: 'then' lies 30 days
  // before it (further than a small integer's milliseconds reach), 'later' a TTL before.
  await advanceClock(c.clock, 30 * DAY + TTL - MIN);
  await expireEvents(c.ctx, 'default', TTL);
  assert.deepEqual((await eventNames(c.api, 'default')).filter((n) => n === 'then' || n === 'later'), ['later'], 'only the Event a TTL and more old expired');
  await advanceClock(c.clock, 2 * MIN);
  await expireEvents(c.ctx, 'default', TTL);
  assert.deepEqual((await eventNames(c.api, 'default')).filter((n) => n === 'then' || n === 'later'), [], 'the newer Event expired one TTL after its lastTimestamp');
});
