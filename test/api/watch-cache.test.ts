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
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(1));
  await api.bootstrap();
  const cache = new WatchCache(api);
  await cache.start();
  cache.stop();
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
