// The daemon collects its garbage once when it comes to rest after a burst (src/daemon/rest-gc.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { RestCollector } from '../../src/daemon/rest-gc';

const MB = 2 ** 20;

test('a burst then a quiet interval collects once; steady rest and a quiet start never do', () => {
  const c = new RestCollector();
  // Quiet from the start: nothing to collect (no burst left garbage).
  assert.equal(c.interval(100, 10_000, 100 * MB), false);
  // A burst (a whole core), then 9 % of a core (a settled 100,000-pod daemon's rest): one collection.
  assert.equal(c.interval(10_000, 10_000, 300 * MB), false);
  assert.equal(c.interval(900, 10_000, 400 * MB), true);
  c.collected(250 * MB);
  // Steady rest afterwards (5-15 % of a core), the heap growing slowly: V8's own GC, not ours.
  for (let i = 0; i < 100; i++) assert.equal(c.interval(500 + (i % 3) * 500, 10_000, (260 + i * 5) * MB), false, `interval ${i} at rest`);
  // A burst, then 30 % of a core (winding down): not at rest yet; then quiet: collected.
  assert.equal(c.interval(8_000, 10_000, 600 * MB), false);
  assert.equal(c.interval(3_000, 10_000, 600 * MB), false);
  assert.equal(c.interval(1_000, 10_000, 600 * MB), true);
  c.collected(250 * MB);
  // A burst that left the heap as it was collected: nothing to gain.
  assert.equal(c.interval(9_000, 10_000, 255 * MB), false);
  assert.equal(c.interval(200, 10_000, 260 * MB), false);
});

test('the daemon process can collect: --expose-gc set at run time gives a gc() that frees garbage', () => {
  // What collectAtRest relies on (v8.setFlagsFromString, then gc() from a new context).
  const { collectAtRest } = require('../../src/daemon/rest-gc') as typeof import('../../src/daemon/rest-gc');
  const stop = new AbortController();
  collectAtRest(stop.signal);
  stop.abort();
  const gc = require('node:vm').runInNewContext('gc') as () => void;
  let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
  const before = v8.getHeapStatistics().used_heap_size;
  garbage = undefined;
  gc();
  assert.equal(garbage, undefined);
  assert.ok(v8.getHeapStatistics().used_heap_size < before - 10 * MB, 'the garbage was collected');
});
