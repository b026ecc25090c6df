// Node Lease beats (node-lifecycle): due within the kubelet's renewInterval jitter (10 s,
// +4 %), on a step of 400 ms, so the beats of thousands of nodes share clock steps and
// their renewals share one group commit each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { untilNextBeat } from '../../src/controllers/node-lifecycle';

test('lease beats: 10 s to 10.4 s after the last, on 400 ms steps shared by nodes renewing close together', () => {
  const dues = new Set<number>();
  for (let now = 1_000_001; now <= 1_000_400; now += 7) {
    const wait = untilNextBeat(now, 10_000);
    assert.ok(wait >= 10_000 && wait <= 10_400, `wait ${wait} at ${now}`);
    dues.add(now + wait);
  }
  assert.deepEqual([...dues], [1_010_400], 'renewals within one step are due together');
  assert.equal(untilNextBeat(1_000_000, 10_000), 10_000, 'on a step: exactly the interval');
});
