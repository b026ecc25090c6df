// FileStore remembers parsed object files while they are unchanged: every write by this or
// another store instance (or process) must still be seen at once, including rewrites of
// the same size in quick succession, and callers must get copies they may change.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import type { KObject } from '../../src/api/types';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

test('file store: cached reads follow every write, from this store, another instance and another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-cache-'));
  try {
    const reader = new FileStore(dir, { fsync: false });
    const writer = new FileStore(dir, { fsync: false });
    writer.create('configmaps/default/a', cm('a', '0'));
    for (let i = 1; i <= 200; i++) {
      assert.equal(reader.get('configmaps/default/a')!.data.v, String((i - 1) % 10));
      // Same length every time: only the inode and times tell the versions apart.
      writer.update('configmaps/default/a', cm('a', String(i % 10)));
      assert.equal(reader.list('configmaps').items[0].data.v, String(i % 10));
      // A shared list is remembered while the journal is unchanged: every write changes it.
      assert.equal(reader.list('configmaps', undefined, { shared: true }).items[0].data.v, String(i % 10));
      assert.equal(reader.list('configmaps/default', undefined, { shared: true }).items[0].data.v, String(i % 10));
    }
    writer.create('configmaps/default/b', cm('b', '0'));
    assert.deepEqual(reader.list('configmaps', undefined, { shared: true }).items.map((o) => o.metadata.name), ['a', 'b']);
    writer.delete('configmaps/default/b');
    assert.deepEqual(reader.list('configmaps', undefined, { shared: true }).items.map((o) => o.metadata.name), ['a']);
    // Several changes between two lists, merged in key order; other prefixes' writes change nothing.
    writer.create('configmaps/kube/x', { ...cm('x', '0'), metadata: { name: 'x', namespace: 'kube' } });
    writer.create('configmaps/default/0', cm('0', '0'));
    writer.create('secrets/default/s', { ...cm('s', '0'), kind: 'Secret' });
    const names = () => reader.list('configmaps', undefined, { shared: true }).items.map((o) => `${o.metadata.name}=${o.data.v}`);
    assert.deepEqual(names(), ['0=0', `a=${200 % 10}`, 'x=0']);
    writer.delete('configmaps/default/0');
    writer.update('configmaps/default/a', cm('a', 'z'));
    writer.create('configmaps/default/b', cm('b', '1'));
    assert.deepEqual(names(), ['a=z', 'b=1', 'x=0']);
    writer.delete('configmaps/default/b');
    writer.delete('configmaps/kube/x');
    writer.update('configmaps/default/a', cm('a', String(200 % 10)));
    // Handed-out objects are copies.
    reader.get('configmaps/default/a')!.data.v = 'changed';
    reader.list('configmaps').items[0].data.v = 'changed';
    assert.notEqual(reader.get('configmaps/default/a')!.data.v, 'changed');
    // Another process writes.
    const script = `const { FileStore } = require(${JSON.stringify(join(process.cwd(), 'src/store/file-store.ts'))}); new FileStore(${JSON.stringify(dir)}, { fsync: false }).update('configmaps/default/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { v: 'x' } });`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(reader.get('configmaps/default/a')!.data.v, 'x');
    assert.equal(reader.list('configmaps', undefined, { shared: true }).items[0].data.v, 'x');
    // A file replaced behind the store's back (same size, renamed into place).
    const file = join(dir, 'registry', 'configmaps', 'default', 'a');
    const obj = reader.get('configmaps/default/a')!;
    obj.data.v = 'y';
    writeFileSync(file + '.new', JSON.stringify(obj, null, 2) + '\n');
    renameSync(file + '.new', file);
    assert.equal(reader.get('configmaps/default/a')!.data.v, 'y');
    // Deleted by another instance.
    writer.delete('configmaps/default/a');
    assert.equal(reader.get('configmaps/default/a'), undefined);
    assert.deepEqual(reader.list('configmaps').items, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file store: meta documents this store wrote are remembered, yet follow other writers and removal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-cache-'));
  try {
    const a = new FileStore(dir, { fsync: false });
    const b = new FileStore(dir, { fsync: false });
    assert.equal(a.readMeta('doc'), undefined); // absent
    for (let i = 0; i < 50; i++) {
      // Same length every time: only the inode and times tell the versions apart.
      a.writeMeta('doc', { v: i % 10 });
      assert.deepEqual(a.readMeta('doc'), { v: i % 10 });
      b.writeMeta('doc', { v: (i + 1) % 10 });
      assert.deepEqual(a.readMeta('doc'), { v: (i + 1) % 10 });
    }
    // Inside a group the write is deferred; after the release the cached copy is what was written.
    a.group(() => a.writeMeta('doc', { v: 'grouped' }));
    assert.deepEqual(b.readMeta('doc'), { v: 'grouped' });
    assert.deepEqual(a.readMeta('doc'), { v: 'grouped' });
    // Handed-out documents are copies.
    (a.readMeta('doc') as { v: string }).v = 'changed';
    assert.deepEqual(a.readMeta('doc'), { v: 'grouped' });
    b.deleteMeta('doc');
    assert.equal(a.readMeta('doc'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file store: a follower idle between writes opens no file to ask for the revision, yet sees every write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-cache-'));
  const opens: string[] = [];
  const openSync = fs.openSync;
  try {
    const follower = new FileStore(dir, { fsync: false });
    const writer = new FileStore(dir, { fsync: false });
    writer.create('configmaps/default/a', cm('a', '0'));
    let rev = follower.currentRev();
    assert.equal(rev, writer.currentRev());
    // The manager and the watch cache ask every 50 ms: with nothing written, no file is opened.
    // Counted in the module object (and its ESM view) the store reads fs through.
    fs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => (opens.push(String(file)), (openSync as (...a: unknown[]) => number)(file, ...rest))) as typeof fs.openSync;
    syncBuiltinESMExports();
    // The counter counts: a read of `rev` (what every poll did before) opens it.
    follower.readRevFile();
    assert.deepEqual(opens, [join(dir, 'rev')]);
    opens.length = 0;
    for (let i = 0; i < 100; i++) assert.equal(follower.currentRev(), rev);
    assert.deepEqual(opens, []);
    fs.openSync = openSync;
    syncBuiltinESMExports();
    for (let i = 1; i <= 50; i++) {
      // A single write, a group's journal lines (files not yet written), then its compaction.
      writer.update('configmaps/default/a', cm('a', String(i % 10)));
      assert.equal(follower.currentRev(), ++rev);
      writer.group(() => {
        writer.update('configmaps/default/a', cm('a', 'g'));
        writer.create(`configmaps/default/g${i}`, cm('g', '0'));
      });
      rev += 2;
      assert.equal(follower.currentRev(), rev);
    }
    // `rev` moved alone (fsck sets it past the journal when objects are ahead of it).
    writer.writeRevFile(rev + 5);
    assert.equal(follower.currentRev(), rev + 5);
    // Both gone (the cluster deleted): nothing remembered is answered.
    rmSync(join(dir, 'journal.log'));
    rmSync(join(dir, 'rev'));
    assert.equal(follower.currentRev(), 0);
  } finally {
    fs.openSync = openSync;
    syncBuiltinESMExports();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file store: Events are parsed for each read and never kept, other objects are kept while unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-cache-'));
  try {
    const store = new FileStore(dir, { fsync: false });
    const ev = (name: string, n: number): KObject => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, reason: 'Started', count: n } as unknown as KObject);
    // Written in a group (files written at its end, as the daemon's reconcile passes do).
    store.group(() => {
      for (let i = 0; i < 20; i++) store.create(`events/default/e${i}`, ev(`e${i}`, 1));
      store.create('configmaps/default/a', cm('a', '0'));
    });
    const other = new FileStore(dir, { fsync: false });
    for (const s of [store, other]) {
      // A shared read hands out the kept object itself: the same one twice, unless it is an Event.
      assert.equal(s.get('configmaps/default/a', { shared: true }), s.get('configmaps/default/a', { shared: true }));
      const a = s.get('events/default/e3', { shared: true });
      assert.equal((a as any).count, 1);
      assert.notEqual(a, s.get('events/default/e3', { shared: true }));
      const l1 = s.list('events/default', undefined, { shared: true }).items;
      const l2 = s.list('events', undefined, { shared: true }).items;
      assert.equal(l1.length, 20);
      assert.equal(l2.length, 20);
      assert.ok(l1.every((o, i) => o !== l2[i]), 'a list of Events parses them again');
      const c1 = s.list('configmaps', undefined, { shared: true }).items;
      assert.equal(c1[0], s.list('configmaps', undefined, { shared: true }).items[0]);
    }
    // Not kept, still current: an update by one store is what the other reads next, list or get.
    const cur = other.get('events/default/e3')!;
    store.update('events/default/e3', ev('e3', 2), Number(cur.metadata.resourceVersion));
    assert.equal((other.get('events/default/e3') as any).count, 2);
    assert.equal((other.list('events/default', undefined, { shared: true }).items.find((o) => o.metadata.name === 'e3') as any).count, 2);
    store.delete('events/default/e3');
    assert.equal(other.get('events/default/e3'), undefined);
    assert.equal(store.list('events', undefined, { shared: true }).items.length, 19);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
