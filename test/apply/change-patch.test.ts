// The patch a verb sends for its change to an object it read (kubectl's bodies, recorded
// from kubectl 1.32.4 -v=8), and the one retry-on-conflict loop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changePatch } from '../../src/cli/change-patch';
import { retryOnConflict } from '../../src/api/retry';
import { ApiError } from '../../src/api/errors';
import type { KObject } from '../../src/api/types';

const deploy = (image: string): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'sd', namespace: 'default', resourceVersion: '7' },
  spec: { template: { spec: { containers: [{ name: 'nginx', image }, { name: 'side', image: 'busybox' }] } } },
});

test('a built-in kind changes by a strategic merge patch with kubectl set image\'s $setElementOrder, keys sorted', () => {
  const p = changePatch(deploy('nginx'), deploy('nginx:2'), 'strategic');
  assert.equal(p.patchType, 'strategic');
  assert.equal(p.text, '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"side"}],"containers":[{"image":"nginx:2","name":"nginx"}]}}}}');
});

test('a removed field is null (uncordon), and a custom resource gets a JSON merge patch even where strategic is wanted', () => {
  const node = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec });
  assert.deepEqual(changePatch(node({ unschedulable: true }), node({}), 'strategic'), { patchType: 'strategic', text: '{"spec":{"unschedulable":null}}' });
  const gadget = (labels: Record<string, string>): KObject => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', labels }, spec: { list: [1, 2] } });
  assert.deepEqual(changePatch(gadget({ a: '1' }), gadget({ b: '2' }), 'strategic'), { patchType: 'merge', text: '{"metadata":{"labels":{"a":null,"b":"2"}}}' });
});

test('label sends a JSON merge patch; --resource-version (read without one) goes into it', () => {
  const cm = (labels: Record<string, string>, rv?: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', labels, ...(rv ? { resourceVersion: rv } : {}) } });
  assert.deepEqual(changePatch(cm({ team: 'a' }), cm({ team: 'a', z: '1' }, '1'), 'merge'), { patchType: 'merge', text: '{"metadata":{"labels":{"z":"1"},"resourceVersion":"1"}}' });
});

test('retryOnConflict reads and changes again after a Conflict, but not when the change pinned a resourceVersion', async () => {
  let rv = 1;
  let writes = 0;
  const read = async (): Promise<KObject> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: String(rv) } });
  const write = async (o: KObject) => {
    writes++;
    // Another writer gets in between the first two reads and writes.
    if (writes <= 2) {
      rv++;
      throw ApiError.conflict('configmaps', 'c');
    }
    return o;
  };
  const done = await retryOnConflict(read, (o) => void (o.data = { k: 'v' }), write);
  assert.deepEqual([writes, done.metadata.resourceVersion, done.data], [3, '3', { k: 'v' }]);
  writes = 0;
  await assert.rejects(retryOnConflict(read, (o) => void (o.metadata.resourceVersion = '1'), write), (e: unknown) => e instanceof ApiError && e.reason === 'Conflict');
  assert.equal(writes, 1);
});
