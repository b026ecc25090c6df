// `scripts/test.mjs --save-durations` rewrites the committed test times where they changed,
// not every figure with each run's load-dependent jitter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain ES module of the scripts, without type declarations
import { steadyTimes } from '../../scripts/test-times.mjs';

test('a time within 20 % of the recorded one is kept; a changed, new or gone file is updated', () => {
  const recorded = { 'test/b.test.ts': 10_000, 'test/a.test.ts': 4_000, 'test/gone.test.ts': 1_000 };
  const measured = { 'test/b.test.ts': 11_940, 'test/a.test.ts': 6_420, 'test/new.test.ts': 2_345 };
  const out = steadyTimes(recorded, measured, 100);
  assert.deepEqual(out, { 'test/a.test.ts': 6_400, 'test/b.test.ts': 10_000, 'test/new.test.ts': 2_300 });
  // keys sorted, so the file's order does not depend on the run's
  assert.deepEqual(Object.keys(out), ['test/a.test.ts', 'test/b.test.ts', 'test/new.test.ts']);
  // saving the same run again changes nothing
  assert.deepEqual(steadyTimes(out, measured, 100), out);
  // nothing recorded (a first save): every figure is the run's
  assert.deepEqual(steadyTimes(undefined, { 'test/a.test.ts': 3_456 }, 10), { 'test/a.test.ts': 3_460 });
});
