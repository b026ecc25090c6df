// A list outside the lock lays the journal's parsed tail over the object files. The tail is
// indexed by resource and namespace (KeyIndexedMap), so a list visits only its own keys: the
// daemon's journal poll runs four namespaced lists per change, and a tail of 10,000 Events'
// keys made each cost as much as the tail is long (issue #12). Its answers stay those of the
// files once the tail is in them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { keyIndexStats } from '../../src/store/key-index';
import type { KObject } from '../../src/api/types';

const obj = (kind: string, ns: string, name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: ns }, data: { v } });
const names = (items: KObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}:${o.data?.v}`);

/** What `list(prefix)` answers and how many tail keys it visited. */
function listCounted(s: FileStore, prefix: string): { items: string[]; visited: number } {
  const before = keyIndexStats.visited;
  const items = names(s.list(prefix).items);
  return { items, visited: keyIndexStats.visited - before };
}

test("a reader's list visits only its resource's and namespace's tail keys, whatever else the tail holds", () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-tailidx-'));
  try {
    const writer = new FileStore(dir, { fsync: false });
    const reader = new FileStore(dir, { fsync: false });
    // In the files before the group: one to be updated, one to be deleted, one left alone.
    writer.batch(() => {
      for (const n of ['keep', 'upd', 'del']) writer.create(`configmaps/b/${n}`, obj('ConfigMap', 'b', n));
      writer.create('configmaps/c/other', obj('ConfigMap', 'c', 'other'));
    });
    let small: ReturnType<typeof listCounted> | undefined;
    writer.group(() => {
      writer.create('configmaps/b/new', obj('ConfigMap', 'b', 'new'));
      writer.update('configmaps/b/upd', obj('ConfigMap', 'b', 'upd', '2'));
      writer.delete('configmaps/b/del');
      writer.create('configmaps/c/more', obj('ConfigMap', 'c', 'more'));
      small = listCounted(reader, 'configmaps/b');
      // Thousands of another resource's keys, and of this resource in another namespace.
      for (let i = 0; i < 3000; i++) writer.create(`events/b/e${i}`, obj('Event', 'b', `e${i}`));
      for (let i = 0; i < 300; i++) writer.create(`configmaps/d/x${i}`, obj('ConfigMap', 'd', `x${i}`));
      const big = listCounted(reader, 'configmaps/b');
      assert.deepEqual(big.items, ['b/keep:1', 'b/new:1', 'b/upd:2']);
      assert.deepEqual(big.items, small.items);
      // The namespace's own tail keys only: new, upd, del.
      assert.equal(small.visited, 3);
      assert.equal(big.visited, small.visited);
      // All namespaces: the resource's keys (its 305 in the tail), none of the Events'.
      const all = listCounted(reader, 'configmaps');
      assert.equal(all.items.length, 3 + 2 + 300);
      assert.ok(all.visited <= 305, `${all.visited} keys visited`);
      const events = listCounted(reader, 'events/b');
      assert.equal(events.items.length, 3000);
      // A prefix that is no resource's whole name, and an empty namespace: nothing, nothing walked.
      assert.deepEqual(listCounted(reader, 'configmap'), { items: [], visited: 0 });
      assert.deepEqual(listCounted(reader, 'configmaps/none'), { items: [], visited: 0 });
    });
    // The group's files are in place: a fresh store (no tail) answers the same.
    const fresh = new FileStore(dir, { fsync: false });
    assert.deepEqual(names(fresh.list('configmaps/b').items), small!.items);
    assert.deepEqual(names(reader.list('configmaps/b').items), small!.items);
    assert.equal(fresh.list('configmaps').items.length, 305);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
