// The watch cache sees every revision once and in order, also when a write of this process
// (a controller reacting to another process's create) is recorded before the change feed
// has delivered the other process's write: both must reach watchers, each as of its revision.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/registry';
import { ApiServer } from '../../src/api/server';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { WatchCache } from '../../src/api/rest/watch-cache';

/** A memory store's API server and its watch cache without the interval timer: the feed is read only when a write or the test asks. */
async function memoryCache(): Promise<{ api: ApiServer; cache: WatchCache }> {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(1));
  await api.bootstrap();
  const cache = new WatchCache(api);
  await cache.start();
  cache.stop();
  return { api, cache };
}

test("another process's create, then this process's update of the same object before the feed is read: both events, in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-watch-cache-'));
  try {
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const api = await ApiServer.open(await openStore(`file://${dir}?create=1`), clock, seededRng(1));
    await api.bootstrap();
    const other = await ApiServer.open(await openStore(`file://${dir}`), clock, seededRng(2)); // "another process"
    const cache = new WatchCache(api);
    await cache.start();
    cache.stop(); // no timer: the feed is read only when this test (or a captured write) asks
    const from = await api.currentRev();
    const created = await other.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { v: '1' } });
    // This process writes the object before its cache has read the feed (as the daemon's
    // scheduler binds a pod another process created): its write is recorded first.
    await api.update({ ...created, data: { v: '2' } });
    await cache.poll();
    const got = await cache.since(from);
    assert.ok(got);
    const mine = got.events.filter((e) => e.key.endsWith('/default/x'));
    assert.deepEqual(mine.map((e) => `${e.type} ${(e.object as unknown as { data: { v: string } }).data.v}`), ['ADDED 1', 'MODIFIED 2']);
    assert.deepEqual(mine.map((e) => e.rev), [...mine.map((e) => e.rev)].sort((a, b) => a - b));
    assert.equal(String(mine[0].rev), created.metadata.resourceVersion);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("this process's write is recorded with the store's own frozen copy (no second copy), which the writer's object does not reach", async () => {
  const { api, cache } = await memoryCache();
  const from = await api.currentRev();
  const created = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { v: '1' } });
  await cache.poll();
  const got = await cache.since(from);
  assert.ok(got);
  const ev = got.events.find((e) => e.key.endsWith('/default/x'));
  assert.ok(ev);
  const prefix = ev.key.slice(0, -'/x'.length);
  const kept = (await api.store.list(prefix, undefined, { shared: true })).items.find((o) => o.metadata.name === 'x');
  assert.equal(ev.object, kept, "the cache's object is the store's kept copy");
  assert.ok(Object.isFrozen(ev.object));
  (created.data as Record<string, string>).v = 'changed';
  assert.equal((ev.object as unknown as { data: { v: string } }).data.v, '1');
});

// Two missed wake-ups (perf-issue-18 rounds 86, 88): each left a change waiting for the next
// interval tick or write. The tests stop the cache's interval timer, so only what these code
// paths do themselves can deliver the change.

const turn = () => new Promise<void>((r) => setImmediate(r));

test('a write recorded while a poll awaits the feed is delivered by a poll run right after it, with no tick', async () => {
  const { api, cache } = await memoryCache();
  const from = await api.currentRev();
  // The feed's answer held back after it was read, as while a store's read or sync is in flight.
  const feed = api.changesSince.bind(api);
  let reads = 0;
  let read = false;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  api.changesSince = async (rev, opts) => {
    const evs = await feed(rev, opts);
    if (++reads === 1) {
      read = true;
      await held;
    }
    return evs;
  };
  const first = cache.poll();
  for (let i = 0; !read && i < 1000; i++) await turn();
  assert.ok(read, 'the first poll read the feed');
  // Written after that read: the running poll's answer does not have it. The write asks for
  // a poll (one event-loop turn later), which must not start a second read alongside.
  const created = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { v: '1' } });
  await turn();
  assert.equal(reads, 1);
  release();
  await first;
  const delivered = async () => (await cache.since(from))?.events.find((e) => e.key.endsWith('/default/x'));
  const deadline = Date.now() + 3000;
  while (!(await delivered()) && Date.now() < deadline) await cache.wait(10);
  const ev = await delivered();
  assert.ok(ev, 'the change reached the watermark without a tick');
  assert.equal(String(ev.rev), created.metadata.resourceVersion);
  assert.equal(reads, 2, 'the poll asked for ran once, after the running one');
});

test("a watcher's wait returns at once when the watermark moved while it was writing, and waits when it did not", async () => {
  const { api, cache } = await memoryCache();
  const ac = new AbortController();
  const sleeper = cache.sleeper(ac.signal);
  // Whether the wait resolved within one event-loop turn (the timeout is a minute away).
  const returnsAtOnce = (p: Promise<void>) => Promise.race([p.then(() => true), turn().then(() => false)]);
  try {
    const sent = await cache.since(await api.currentRev());
    assert.ok(sent);
    // While the watcher writes what it was sent to its socket, a change is polled in: the
    // poll wakes the watchers that wait, and this one is not waiting yet.
    await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { v: '1' } });
    await cache.poll();
    const next = await cache.since(sent.upTo);
    assert.ok(next);
    assert.ok(next.events.some((e) => e.key.endsWith('/default/x')), 'the watermark moved past what was sent');
    assert.equal(await returnsAtOnce(sleeper.wait(60_000, sent.upTo)), true);
    // Sent everything up to the watermark: the wait waits for a poll (or the timeout).
    const idle = sleeper.wait(60_000, next.upTo);
    assert.equal(await returnsAtOnce(idle), false);
    await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y', namespace: 'default' }, data: { v: '1' } });
    await cache.poll();
    assert.equal(await returnsAtOnce(idle), true, "the poll's wake-up reached the waiting watcher");
  } finally {
    ac.abort(); // ends a wait still pending (on a cache without the fix)
    sleeper.close();
  }
});

test("a tick's node Lease renewals (one updateMany, which capture() does not see) reach the cache from the feed read shared: the store's frozen copies, none copied again", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-watch-cache-'));
  try {
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const api = await ApiServer.open(await openStore(`file://${dir}?create=1&fsync=0`), clock, seededRng(1));
    await api.bootstrap();
    const micro = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const names = Array.from({ length: 20 }, (_, i) => `node-${i}`);
    for (const name of names) await api.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(clock.now()) } }, { fieldManager: 'kubelet' });
    const cache = new WatchCache(api);
    await cache.start();
    cache.stop();
    // Events the feed handed over as copies (a read without `shared`).
    let copied = 0;
    const feed = api.changesSince.bind(api);
    api.changesSince = async (rev, opts) => {
      const evs = await feed(rev, opts);
      if (!opts?.shared) copied += evs.length;
      return evs;
    };
    const L = api.resolve('leases');
    const from = await api.currentRev();
    clock.advance(10_000);
    const leases = (await api.list(L, { namespace: 'kube-node-lease', shared: true })).items;
    await api.group(() => api.renewLeases(leases.map((lease) => ({ lease, renewTime: micro(clock.now()) })), { fieldManager: 'kubelet' }));
    await cache.poll();
    const got = await cache.since(from);
    assert.ok(got);
    const renewed = got.events.filter((e) => e.key.startsWith('leases/kube-node-lease/'));
    assert.deepEqual(renewed.map((e) => [e.type, e.object.metadata.name, e.object.spec.renewTime]), names.map((n) => ['MODIFIED', n, micro(clock.now())]).sort((a, b) => (a[1] < b[1] ? -1 : 1)));
    for (const e of renewed) {
      assert.deepEqual(e.object, await api.get(L, 'kube-node-lease', e.object.metadata.name!), 'each event is the stored Lease');
      assert.ok(Object.isFrozen(e.object) && Object.isFrozen(e.object.metadata.managedFields), 'kept frozen, as watchers only read it');
    }
    // main: the poll's feed read copied each renewal (20) only for the cache to keep the copy.
    assert.equal(copied, 0, `events copied by the cache's feed read: ${copied}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
