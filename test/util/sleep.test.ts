// util/sleep.ts: the one sleep, cut short by an AbortSignal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../src/util/sleep';

test('sleep waits its time, and an abort (before or during) ends it at once', async () => {
  let t = Date.now();
  await sleep(30);
  assert.ok(Date.now() - t >= 25, 'waited');
  const before = new AbortController();
  before.abort();
  t = Date.now();
  await sleep(60_000, before.signal);
  const during = new AbortController();
  const slept = sleep(60_000, during.signal);
  during.abort();
  await slept;
  assert.ok(Date.now() - t < 5_000, `an aborted sleep returned after ${Date.now() - t} ms`);
});
