// KeyIndexedMap: a map of store keys walked by prefix (a resource, a namespace, deeper) without
// visiting other resources' or namespaces' keys. A settled 20,000-pod daemon holds ~128,000
// deferred keys in one (most of them Events'), so what each key costs in its index matters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyIndexedMap, keyIndexStats } from '../../src/store/key-index';
import { heapGrowth } from '../helpers/heap';

const under = (m: KeyIndexedMap<number>, prefix: string) => {
  const before = keyIndexStats.visited;
  const keys = [...m.under(prefix)].map(([k, v]) => `${k}=${v}`).sort();
  return { keys, visited: keyIndexStats.visited - before };
};

test('a walk by resource, namespace or deeper prefix finds exactly its keys, as they change', () => {
  const m = new KeyIndexedMap<number>();
  m.set('pods/a/x', 1);
  m.set('pods/b/y', 2);
  m.set('nodes/n1', 3);
  m.set('podsx/a/z', 4);
  // The index is made at the first walk; later writes keep it.
  assert.deepEqual(under(m, 'pods').keys, ['pods/a/x=1', 'pods/b/y=2']);
  m.set('pods/a/w', 5);
  m.set('pods/b/y', 6);
  m.set('nodes/n2', 7);
  m.set('pods/a/deep/er', 8);
  m.set('pods', 9);
  assert.deepEqual(under(m, 'pods').keys, ['pods/a/deep/er=8', 'pods/a/w=5', 'pods/a/x=1', 'pods/b/y=6']);
  const a = under(m, 'pods/a');
  assert.deepEqual(a.keys, ['pods/a/deep/er=8', 'pods/a/w=5', 'pods/a/x=1']);
  assert.equal(a.visited, 3, 'only namespace a of pods is visited');
  assert.deepEqual(under(m, 'pods/a/deep').keys, ['pods/a/deep/er=8']);
  assert.deepEqual(under(m, 'nodes').keys, ['nodes/n1=3', 'nodes/n2=7']);
  assert.equal(under(m, 'nodes').visited, 2);
  assert.deepEqual(under(m, 'pods/c').keys, []);
  assert.deepEqual(under(m, 'services').keys, []);
  assert.ok(m.delete('pods/a/x'));
  assert.ok(!m.delete('pods/a/x'));
  assert.ok(m.delete('nodes/n1'));
  assert.deepEqual(under(m, 'pods').keys, ['pods/a/deep/er=8', 'pods/a/w=5', 'pods/b/y=6']);
  assert.deepEqual(under(m, 'nodes').keys, ['nodes/n2=7']);
  assert.equal(under(m, 'pods').visited, 4, "the resource's own key 'pods' and its namespaces' three");
  m.clear();
  assert.deepEqual(under(m, 'pods').keys, []);
  m.set('pods/a/x', 10);
  assert.deepEqual(under(m, 'pods').keys, ['pods/a/x=10']);
  assert.equal(m.get('pods/a/x'), 10);
});

test("each key is held once by the index, not in its resource's and its namespace's sets both", () => {
  const n = 100_000;
  // Flat strings, as a journal's parse makes them (a rope would be flattened by the Map's hashing, which frees memory).
  const keys: string[] = JSON.parse(JSON.stringify(Array.from({ length: n }, (_, i) => `events/ns-${i % 4}/p-${i}.${(0x18f00000000000 + i).toString(16)}`)));
  const grown = heapGrowth([keys], (ks) => {
    const m = new KeyIndexedMap<number>();
    for (const k of ks) m.set(k, 1);
    assert.equal(under(m, 'events').keys.length, n);
    return m;
  });
  const perKey = grown / n;
  // A Map entry and one Set entry: 63 B a key; with a second Set (main before round 108), 89.
  assert.ok(perKey < 75, `${perKey.toFixed(1)} B a key`);
});
