// The journal's parsed tail (the newest line per key after `rev`, what reads between lock
// holds and a holder's next take lay over the files) keeps the holder's own lines as the
// holder's frozen copies, not parsed back: one object per key in a daemon that also holds
// them as deferred writes, and another process's line costs the next read that line only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { Journal, journalLineText, type JournalLine } from '../../src/store/journal';
import { frozenCopy } from '../../src/store/clone';
import { setStoreFaultHook } from '../../src/store/fault-points';
import type { KObject } from '../../src/api/types';
import { heapGrowth } from '../helpers/heap';
import { withTempDir } from '../helpers/temp-dir';

/** A pod-sized object (~1.5 KB of JSON), distinct per name. */
const pod = (name: string, rev: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: String(rev), labels: { app: 'web', 'pod-template-hash': '5d4f8b9c7' } },
  spec: {
    nodeName: `node-${name.length}`,
    containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }],
  },
  status: {
    phase: 'Running',
    podIP: `10.0.${name}`,
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: '2026-12-07T02:00:00Z' })),
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: `docker-pullable://nginx@sha256:${name}`, containerID: `containerd://${name}`, state: { running: { startedAt: '2026-12-07T02:00:01Z' } } }],
  },
});

/** What the holder does: the line's text appended with its own frozen copy. */
function appendOwn(j: Journal, rev: number, key: string, object: KObject): JournalLine {
  const own: JournalLine = { rev, type: 'ADDED', key, object: frozenCopy(object) };
  j.append(journalLineText({ rev, type: 'ADDED', key, object }), own);
  return own;
}

test('the parsed tail holds the writer\'s own lines as its copies, and another writer\'s as parsed; equal to a fresh read', () =>
  withTempDir('kubesim-own-lines-', (dir) => {
    const file = join(dir, 'journal.log');
    const holder = new Journal(file);
    holder.openWriter();
    assert.equal(holder.pendingAfter(0).tail.size, 0);
    const own = new Map<string, JournalLine>();
    for (let i = 1; i <= 20; i++) own.set(`pods/default/p${i % 15}`, appendOwn(holder, i, `pods/default/p${i % 15}`, pod(`p${i % 15}`, i)));
    holder.closeWriter();
    // Another process appends (its own Journal: nothing of it is in this one's memory).
    const other = new Journal(file);
    other.openWriter();
    other.append(journalLineText({ rev: 21, type: 'ADDED', key: 'pods/default/x', object: pod('x', 21) }));
    other.append(journalLineText({ rev: 22, type: 'DELETED', key: 'pods/default/p3', object: pod('p3', 22) }));
    other.closeWriter();
    const { tail, lastRev } = holder.pendingAfter(0);
    assert.equal(lastRev, 22);
    for (const [key, line] of own) {
      if (key === 'pods/default/p3') continue;
      assert.equal(tail.get(key), line, `${key}: the holder's own copy`);
    }
    assert.equal(tail.get('pods/default/p3')!.type, 'DELETED');
    const fresh = new Journal(file).pendingAfter(0).tail;
    assert.deepEqual([...tail.keys()].sort(), [...fresh.keys()].sort());
    for (const [key, line] of fresh) assert.deepEqual(JSON.parse(JSON.stringify(tail.get(key))), JSON.parse(JSON.stringify(line)), key);
    // `rev` moves past some of them: those leave, the rest stay the same objects.
    const after = holder.pendingAfter(10).tail;
    assert.equal(after.has('pods/default/p1'), true); // rev 16
    assert.equal(after.get('pods/default/p1'), own.get('pods/default/p1'));
    assert.equal([...after.values()].every((l) => l.rev > 10), true);
    // The holder's `rev` moves past them all (its files written): the tail lets go of them at once.
    holder.committedTo(22);
    assert.equal(holder.pendingAfter(22).tail.size, 0);
  }));

test('a line taken back (undo) leaves the parsed tail as it was', () =>
  withTempDir('kubesim-own-lines-', (dir) => {
    const file = join(dir, 'journal.log');
    const j = new Journal(file);
    j.openWriter();
    j.pendingAfter(0);
    const first = appendOwn(j, 1, 'pods/default/a', pod('a', 1));
    const undo = j.append(journalLineText({ rev: 2, type: 'ADDED', key: 'pods/default/a', object: pod('a', 2) }), { rev: 2, type: 'ADDED', key: 'pods/default/a', object: frozenCopy(pod('a', 2)) });
    undo();
    const { tail, lastRev } = j.pendingAfter(0);
    assert.equal(lastRev, 1);
    assert.equal(tail.get('pods/default/a'), first);
    // And the next append goes on from there.
    const third = appendOwn(j, 2, 'pods/default/b', pod('b', 2));
    assert.equal(j.pendingAfter(0).tail.get('pods/default/b'), third);
    assert.deepEqual([...new Journal(file).pendingAfter(0).tail.keys()].sort(), ['pods/default/a', 'pods/default/b']);
  }));

test('a file store: a failed write (its file not renamed in) is in no later read of the tail', () =>
  withTempDir('kubesim-own-lines-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    const other = new FileStore(dir, { fsync: false });
    s.group(() => s.create('pods/default/a', pod('a', 0)));
    setStoreFaultHook((point, key) => {
      if (point === 'after-journal' && key === 'pods/default/b') throw Object.assign(new Error('injected'), { code: 'EIO' });
    });
    try {
      assert.throws(() => s.create('pods/default/b', pod('b', 0)));
    } finally {
      setStoreFaultHook(undefined);
    }
    other.create('pods/default/c', pod('c', 0));
    assert.equal(s.get('pods/default/b'), undefined);
    assert.deepEqual(s.list('pods').items.map((o) => o.metadata.name), ['a', 'c']);
    s.create('pods/default/d', pod('d', 0));
    assert.deepEqual(s.list('pods').items.map((o) => o.metadata.name), ['a', 'c', 'd']);
    assert.deepEqual(new FileStore(dir, { fsync: false }).list('pods').items.map((o) => `${o.metadata.name} ${o.metadata.resourceVersion}`), s.list('pods').items.map((o) => `${o.metadata.name} ${o.metadata.resourceVersion}`));
  }));

test('what the parsed tail holds beyond the holder\'s own copies: under 400 B a key (a parsed copy each before)', () =>
  withTempDir('kubesim-own-lines-', (dir) => {
    const file = join(dir, 'journal.log');
    const N = 4000;
    const objects = Array.from({ length: N }, (_, i) => pod(`p${i}`, i + 1));
    const texts = objects.map((o, i) => journalLineText({ rev: i + 1, type: 'ADDED', key: `pods/default/p${i}`, object: o }));
    // The holder's copies exist either way (its deferred writes hold them): made outside the measure.
    const own: JournalLine[] = objects.map((o, i) => ({ rev: i + 1, type: 'ADDED', key: `pods/default/p${i}`, object: frozenCopy(o) }));
    const j = new Journal(file);
    j.openWriter();
    j.pendingAfter(0);
    const grown = heapGrowth([0], () => {
      for (let i = 0; i < N; i++) j.append(texts[i], own[i]);
      j.closeWriter();
      const other = new Journal(file);
      other.openWriter();
      other.append(journalLineText({ rev: N + 1, type: 'ADDED', key: 'pods/default/x', object: pod('x', N + 1) }));
      other.closeWriter();
      return j.pendingAfter(0).tail.size;
    });
    assert.equal(j.pendingAfter(0).tail.size, N + 1);
    assert.ok(grown / N < 400, `${Math.round(grown / N)} B a key`);
  }));
