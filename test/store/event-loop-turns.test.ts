// The daemon's store calls let its event loop turn during a long reconcile (setEventLoopTurns):
// the engines are synchronous, so without it a task awaiting thousands of writes never let a
// request (a timer, a socket) run until it ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asUserRequest, EngineStore, setEventLoopTurns } from '../../src/store/async-store';
import { FileLock } from '../../src/store/file-lock';
import { MemoryStore } from '../../src/store/memory-store';

/** Writes until a timer set at the start has run, or `max` writes; returns the writes made. */
async function writesBeforeTimer(store: EngineStore, prefix: string, max: number): Promise<{ writes: number; ms: number }> {
  let fired = false;
  const timer = setTimeout(() => (fired = true), 0);
  const t0 = Date.now();
  let writes = 0;
  while (!fired && writes < max) {
    await store.create(`configmaps/default/${prefix}-${writes}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${writes}`, namespace: 'default' } });
    writes++;
  }
  clearTimeout(timer);
  return { writes, ms: Date.now() - t0 };
}

test('a long run of store calls lets the event loop turn every few ms once asked to, and never by default', async () => {
  const store = new EngineStore(new MemoryStore());
  try {
    const off = await writesBeforeTimer(store, 'off', 3000);
    assert.equal(off.writes, 3000, 'the timer ran while the writes never left the event loop');
    setEventLoopTurns(5);
    const on = await writesBeforeTimer(store, 'on', 3000);
    assert.ok(on.writes < 3000, `the timer waited for all ${on.writes} writes (${on.ms} ms)`);
  } finally {
    setEventLoopTurns(0);
  }
});

// The two flows (asUserRequest): a user's request in the daemon goes ahead of the
// controllers' store calls, which wait at their next call outside a batch; a stream of
// requests still leaves them turns.
test("a user's request is served ahead of a background task's store calls, which still get turns", async () => {
  const store = new EngineStore(new MemoryStore());
  setEventLoopTurns(5);
  let stop = false;
  let background = 0;
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
  const loop = (async () => {
    while (!stop) await store.create(`configmaps/default/bg-${background++}`, cm(`bg-${background}`));
  })();
  try {
    await new Promise((r) => setTimeout(r, 20)); // the background task under way
    // A request whose calls await between them (as a handler's do): the background task
    // would take turns at each of them.
    const before = background;
    const t0 = Date.now();
    await asUserRequest(async () => {
      for (let i = 0; i < 20; i++) {
        await store.create(`configmaps/default/user-${i}`, cm(`user-${i}`));
        await new Promise((r) => setImmediate(r));
      }
    });
    const during = background - before;
    // (Without the flows it wrote at each of the request's awaits: about 20 times.)
    assert.ok(during <= 2, `the background task wrote ${during} times during a ${Date.now() - t0}-ms request`);
    // Requests back to back for 400 ms: the background task waits at most 100 ms at a time.
    const from = background;
    const until = Date.now() + 400;
    while (Date.now() < until) await asUserRequest(async () => void (await store.get('configmaps/default/user-0'), await new Promise((r) => setImmediate(r))));
    assert.ok(background - from > 10, `the background task wrote ${background - from} times in 400 ms of requests`);
  } finally {
    stop = true;
    await loop;
    setEventLoopTurns(0);
  }
});

test("the daemon's wait for another holder's store lock lets its event loop run (acquireAsync)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-lock-async-'));
  try {
    const holder = new FileLock(join(dir, 'lock'), 5000);
    holder.acquire();
    // Released by a timer: a wait that blocked the event loop would never see it and time out.
    setTimeout(() => holder.release(), 50);
    const waiter = new FileLock(join(dir, 'lock'), 2000);
    const t0 = Date.now();
    assert.equal(await waiter.acquireAsync(), false);
    assert.ok(Date.now() - t0 >= 40, 'taken before the holder let go');
    waiter.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
