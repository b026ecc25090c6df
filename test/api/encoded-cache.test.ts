// The REST layer's cache of encoded objects (src/api/rest/encoded.ts) is bounded: a daemon
// whose objects live at rest keeps at most its budget of their text, however many were listed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodedHeld, encodedOnce, externalJson } from '../../src/api/rest/encoded';
import type { KObject } from '../../src/api/types';

const BUDGET = 32 * 2 ** 20;

test('the text kept stays within its budget; the newest is served from the cache, the oldest encoded again', () => {
  const big = 'x'.repeat(256 * 1024);
  const objs = Array.from({ length: 160 }, (_, i) => Object.freeze({ apiVersion: 'v1', kind: 'ConfigMap', metadata: Object.freeze({ name: `cm-${i}` }), data: Object.freeze({ k: big }) }) as unknown as KObject);
  // 160 × 256 KiB = 40 MiB of text, more than the budget.
  for (const o of objs) externalJson(o, 'v1', 'ConfigMap');
  assert.ok(encodedHeld() <= BUDGET, `held ${encodedHeld()}`);
  assert.ok(encodedHeld() > BUDGET / 2, `held ${encodedHeld()}`);
  let encoded = 0;
  const count = (o: KObject) => encodedOnce(o, 'v1 ConfigMap', () => (encoded++, JSON.stringify({ ...o })));
  count(objs[159]);
  assert.equal(encoded, 0, 'the newest object is still cached');
  count(objs[0]);
  assert.equal(encoded, 1, 'the oldest was evicted and is encoded again');
  assert.equal(externalJson(objs[159], 'v1', 'ConfigMap'), JSON.stringify({ ...objs[159], apiVersion: 'v1', kind: 'ConfigMap' }));
});
