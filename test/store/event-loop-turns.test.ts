// The daemon's store calls let its event loop turn during a long reconcile (setEventLoopTurns):
// the engines are synchronous, so without it a task awaiting thousands of writes never let a
// request (a timer, a socket) run until it ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineStore, setEventLoopTurns } from '../../src/store/async-store';
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
