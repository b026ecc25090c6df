// A lock holder's deferred Events are kept as their journal lines' places, not as objects
// (src/store/file-store-support.ts PendingWrites.setLine): a settled daemon's lagging tail
// held ~500 B an Event. What a user sees must not change: the holder's reads and writes of
// them, another process's reads, a trim renaming a new journal over the one they are in,
// and the files once the compaction writes them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { RevisionConflictError } from '../../src/store/store';
import { setStoreFaultHook } from '../../src/store/fault-points';
import { heapGrowth } from '../helpers/heap';
import type { KObject } from '../../src/api/types';

const ev = (i: number, count = 1): KObject =>
  ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `p-${i}.18eee9ca${String(i).padStart(8, '0')}`, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: `p-${i}`, uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, fieldPath: 'spec.containers{c}' },
    reason: 'Pulled',
    message: `Container image "nginx:1.27" already present on machine (${i})`,
    source: { component: 'kubelet', host: `node-${i % 100}` },
    firstTimestamp: '2026-12-07T07:59:13Z',
    lastTimestamp: '2026-12-07T07:59:13Z',
    count,
    type: 'Normal',
  }) as unknown as KObject;
const evKey = (i: number) => `events/default/p-${i}.18eee9ca${String(i).padStart(8, '0')}`;
const cm = (i: number): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${i}`, namespace: 'default' }, data: { v: 'x'.repeat(1000) } });
const revOf = (dir: string) => (existsSync(join(dir, 'rev')) ? Number(readFileSync(join(dir, 'rev'), 'utf8')) : 0);
/** Without its resourceVersion (the store's), as written. */
const bare = (o: KObject | undefined) => {
  if (!o) return o;
  const { resourceVersion: _, ...metadata } = o.metadata;
  return { ...o, metadata };
};
/** This process's descriptors open on a journal file removed from its folder (a trimmed journal kept open). */
const removedJournals = () => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return /journal\.log \(deleted\)$/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}).length;

test('a group of 50,000 Events holds their journal lines\' places, not their objects', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-deferred-lines-'));
  try {
    const s = new FileStore(dir, { fsync: false });
    const n = 50_000;
    let grown = 0;
    s.group(() => {
      // Inside the group: nothing is in its file yet, every write is deferred.
      grown = heapGrowth(Array.from({ length: n }, (_, i) => i), (i) => {
        s.create(evKey(i), ev(i));
        return 0;
      });
      assert.deepEqual(bare(s.get(evKey(123))), ev(123));
    });
    // Kept a deferred Event: its key, its file's path, the entry, the journal index's slots;
    // and the newest 10,000 lines for watchers (changesSince) with their objects. Measured:
    // 464 B; main, each Event's frozen copy kept too, 817 B.
    const perEvent = grown / n;
    assert.ok(perEvent < 600, `${perEvent.toFixed(0)} B a deferred Event`);
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("deferred Events read, update, conflict and delete as objects; another process sees them; a trim's new journal does not move them; the files get them", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-deferred-lines-'));
  const maxWas = process.env.KUBESIM_JOURNAL_MAX_BYTES;
  process.env.KUBESIM_JOURNAL_MAX_BYTES = String(300 * 1024);
  const n = 300; // past COMPACT_SMALL: the group's end writes a slice, not the whole tail
  try {
    const s = new FileStore(dir, { fsync: false });
    // ~250 KB of lines whose files are in place (`rev` covers them): a trim may drop them.
    for (let i = 0; i < 250; i++) s.create(`configmaps/default/c-${i}`, cm(i));
    const committed = revOf(dir);
    assert.equal(committed, s.currentRev());
    // Each compaction file takes longer than a slice's wall bound: one file per release.
    setStoreFaultHook((point) => {
      if (point === 'compaction-files') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    });
    s.group(() => {
      for (let i = 0; i < n; i++) s.create(evKey(i), ev(i));
      const updated = s.update(evKey(7), ev(7, 2), Number(s.get(evKey(7))!.metadata.resourceVersion));
      assert.equal((updated as unknown as { count: number }).count, 2);
      assert.throws(() => s.update(evKey(8), ev(8, 2), 1), RevisionConflictError);
      s.delete(evKey(9));
    });
    const check = (store: FileStore, who: string, count = n - 1) => {
      assert.deepEqual(bare(store.get(evKey(7))), ev(7, 2), `${who}: an updated Event`);
      assert.equal(store.get(evKey(9)), undefined, `${who}: a deleted Event`);
      assert.deepEqual(bare(store.get(evKey(n - 1), { shared: true })), ev(n - 1), `${who}: a shared read`);
      const listed = store.list('events/default');
      assert.equal(listed.items.length, count, `${who}: the list`);
      assert.deepEqual(bare(listed.items.find((o) => o.metadata.name === ev(5).metadata.name)), ev(5));
      assert.equal(store.list('events/default', (o) => (o as unknown as { count: number }).count === 2).items.length, 1, `${who}: a filtered list`);
    };
    assert.ok(revOf(dir) < s.currentRev(), 'the round goes on after the group');
    check(s, 'the holder between holds');
    // A daemon-less reader and writer: its take trims the journal past its limit (a new file renamed over it).
    const other = new FileStore(dir, { fsync: false });
    check(other, 'another process');
    const inoBefore = statSync(join(dir, 'journal.log')).ino;
    other.create('configmaps/default/other', cm(1000));
    other.create('configmaps/default/other2', cm(1001));
    const inoAfter = statSync(join(dir, 'journal.log')).ino;
    assert.notEqual(inoAfter, inoBefore, 'the other process trimmed the journal');
    assert.ok(revOf(dir) < s.currentRev(), 'the Events are still deferred');
    // The holder's next writes and reads go on from lines in the old journal's file.
    s.group(() => s.create(evKey(n), ev(n)));
    check(s, 'the holder after the trim', n);
    assert.deepEqual(bare(s.get(evKey(n))), ev(n));
    other.close();
    // Every file written, `rev` at the end: the objects are the files', the old journal let go.
    setStoreFaultHook(undefined);
    s.compact();
    assert.equal(revOf(dir), s.currentRev());
    for (const i of [0, 7, n - 1, n]) {
      const file = JSON.parse(readFileSync(join(dir, 'registry', evKey(i)), 'utf8')) as KObject;
      assert.deepEqual(bare(file), ev(i, i === 7 ? 2 : 1), `${evKey(i)}'s file`);
    }
    assert.equal(existsSync(join(dir, 'registry', evKey(9))), false);
    assert.equal(removedJournals(), 0, 'no trimmed journal kept open');
    check(new FileStore(dir, { fsync: false }), 'a reader of the files', n);
    s.close();
  } finally {
    setStoreFaultHook(undefined);
    if (maxWas === undefined) delete process.env.KUBESIM_JOURNAL_MAX_BYTES;
    else process.env.KUBESIM_JOURNAL_MAX_BYTES = maxWas;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a holder's deferred write lets the file's parsed copy go, and its lists do not read that file back (a settled daemon kept most pods' seeded versions beside their newest)", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-deferred-lines-'));
  try {
    const n = 2_000;
    const big = (i: number, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `b-${String(i).padStart(5, '0')}`, namespace: 'default' }, data: { v: `${v.repeat(2000)}${i}` } });
    const key = (i: number) => `configmaps/default/b-${String(i).padStart(5, '0')}`;
    // Written by another store (its journal lines are not this one's), read here: each object remembered.
    const w = new FileStore(dir, { fsync: false });
    for (let i = 0; i < n; i++) w.create(key(i), big(i, 'o'));
    w.close();
    const s = new FileStore(dir, { fsync: false });
    assert.equal(s.list('configmaps/default').items.length, n);
    s.group(() => {
      // Each update deferred (its file still the old one): ~2 KB a key more while the old copy is kept.
      const updated = heapGrowth(Array.from({ length: n }, (_, i) => i), (i) => {
        s.update(key(i), big(i, 'n'));
        return 0;
      });
      assert.ok(updated / n < 1000, `${(updated / n).toFixed(0)} B a deferred update kept (the old version's copy too?)`);
      // A list lays the deferred writes over the files without reading (and remembering) theirs.
      let items: KObject[] = [];
      const listed = heapGrowth([0], () => {
        items = s.list('configmaps/default').items;
        return 0;
      });
      assert.ok(listed / n < 1000, `${(listed / n).toFixed(0)} B a key after a list (files read back?)`);
      assert.deepEqual(items.map((o) => o.metadata.name), Array.from({ length: n }, (_, i) => `b-${String(i).padStart(5, '0')}`));
      assert.ok(items.every((o, i) => o.data?.v === `${'n'.repeat(2000)}${i}`));
      assert.deepEqual(s.list('configmaps/default', (o) => o.metadata.name === 'b-00007', { shared: true }).items.map((o) => o.data?.v), [`${'n'.repeat(2000)}7`]);
    });
    // Once written, the files hold the new versions; the store's reads and another reader's agree.
    s.compact();
    for (const r of [s, new FileStore(dir, { fsync: false })]) {
      const items = r.list('configmaps/default').items;
      assert.equal(items.length, n);
      assert.ok(items.every((o, i) => o.data?.v === `${'n'.repeat(2000)}${i}`));
    }
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("another writer's take leaves the tail's lines unparsed until it reads or writes their keys (issue #12: users parsed every other process's lines)", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-deferred-lines-'));
  const realParse = JSON.parse;
  const n = 2_000;
  try {
    const daemon = new FileStore(dir, { fsync: false });
    // Its group's end writes a few files only (each slowed): the rest stays the journal's tail.
    setStoreFaultHook((point) => {
      if (point === 'compaction-files') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    });
    daemon.group(() => {
      for (let i = 0; i < n; i++) daemon.create(`configmaps/default/c-${i}`, cm(i));
    });
    assert.ok(revOf(dir) < daemon.currentRev() - n / 2, 'most of the group is still the tail');
    const user = new FileStore(dir, { fsync: false });
    let parses = 0;
    JSON.parse = (...a: Parameters<typeof JSON.parse>) => (parses++, realParse(...a));
    user.beginBatch(); // the take: the tail after `rev` becomes its deferred writes
    const atTake = parses;
    const read = user.get('configmaps/default/c-1234');
    const atRead = parses;
    JSON.parse = realParse;
    assert.ok(atTake < 10, `${atTake} journal lines parsed by the take`);
    assert.deepEqual(bare(read), cm(1234), 'a deferred key read under the lock');
    assert.ok(atRead - atTake <= 1, `${atRead - atTake} lines parsed for one read`);
    const updated = user.update('configmaps/default/c-7', { ...cm(7), data: { v: 'seven' } }, Number(user.get('configmaps/default/c-7')!.metadata.resourceVersion));
    assert.equal(updated.data!.v, 'seven');
    assert.throws(() => user.create('configmaps/default/c-8', cm(8)), /exists/);
    user.endBatch();
    setStoreFaultHook(undefined);
    user.compact();
    assert.equal(revOf(dir), user.currentRev());
    for (const i of [0, 1234, n - 1]) assert.deepEqual(bare(JSON.parse(readFileSync(join(dir, 'registry', 'configmaps', 'default', `c-${i}`), 'utf8')) as KObject), cm(i), `c-${i}'s file`);
    assert.equal((JSON.parse(readFileSync(join(dir, 'registry', 'configmaps', 'default', 'c-7'), 'utf8')) as KObject).data!.v, 'seven');
    user.close();
    daemon.close();
  } finally {
    JSON.parse = realParse;
    setStoreFaultHook(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
