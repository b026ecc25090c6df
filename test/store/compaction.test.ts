// The object files of a group's deferred writes are put in place a bounded slice per lock
// release (src/store/file-store-compaction.ts): a group's end with a large tail leaves the
// rest to the next releases, another process goes on from where the last one stopped (the
// `compaction` file), `rev` moves only once every file of the round is in place, and every
// read meanwhile sees the newest state (the journal's tail laid over the files).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { PendingWrites } from '../../src/store/file-store-support';
import { setStoreFaultHook } from '../../src/store/fault-points';
import { heapGrowth } from '../helpers/heap';
import type { KObject } from '../../src/api/types';

const STORE = JSON.stringify(join(__dirname, '../../src/store/file-store.ts'));
const COUNT = 6_000;
const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
const revOf = (dir: string) => (existsSync(join(dir, 'rev')) ? Number(readFileSync(join(dir, 'rev'), 'utf8')) : 0);
const fileOf = (dir: string, name: string) => {
  const file = join(dir, 'registry', 'configmaps', 'default', name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KObject) : undefined;
};
/** The last key the round has done, as the `compaction` file records it. */
const cursor = (dir: string) => JSON.parse(readFileSync(join(dir, 'compaction'), 'utf8').split(' ').slice(2).join(' ')) as string;
const name = (i: number) => `c-${String(i).padStart(5, '0')}`;
const key = (i: number) => `configmaps/default/${name(i)}`;

test('a group end with a large tail writes a slice of its files; later releases, of any process, go on until `rev` is at the end', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
  try {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/first', cm('first', '0'));
    const before = revOf(dir);
    s.group(() => {
      for (let i = 0; i < COUNT; i++) s.create(`configmaps/default/${name(i)}`, cm(name(i), 'a'));
    });
    const end = s.currentRev();
    // The group is over: some files are in place, not all (a slice), `rev` still behind them.
    assert.equal(revOf(dir), before, '`rev` waits for the whole round');
    assert.ok(fileOf(dir, name(0)), 'the first slice was written');
    assert.equal(fileOf(dir, name(COUNT - 1)), undefined, 'the last key is left to later releases');
    const first = cursor(dir);
    const done = Number(first.slice(-5));
    assert.ok(first.startsWith(key(0).slice(0, -5)) && done < COUNT - 1, `the round's place is recorded (${first})`);
    assert.equal(fileOf(dir, name(done + 1)), undefined, 'the key after it is not written yet');
    // Meanwhile a reader in another process sees every object (the journal's tail).
    const other = new FileStore(dir, { fsync: false });
    assert.equal(other.list('configmaps/default').items.length, COUNT + 1);
    assert.equal(other.get(`configmaps/default/${name(COUNT - 1)}`)?.data?.v, 'a');
    other.close();

    // Another process's write: its release goes on from the recorded key, not from the first.
    const script = `const { FileStore } = require(${STORE}); const s = new FileStore(process.argv[1], { fsync: false });
      s.group(() => s.update('configmaps/default/first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first', namespace: 'default' }, data: { v: '1' } }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const second = existsSync(join(dir, 'compaction')) ? cursor(dir) : undefined;
    assert.ok(second === undefined || second > first, `the other process went on from ${first} (now ${second ?? 'done'})`);
    assert.ok(fileOf(dir, name(done + 1)), 'the key after it is written');

    // This process's later releases (its journal changed: it reads the tail again) finish the round.
    let releases = 0;
    while (revOf(dir) < s.currentRev()) {
      assert.ok(++releases < 1000, 'every release writes a slice');
      s.group(() => s.update(`configmaps/default/${name(0)}`, cm(name(0), `b${releases}`)));
    }
    assert.ok(revOf(dir) > end, '`rev` at the journal\'s end once the round is done');
    assert.equal(existsSync(join(dir, 'compaction')), false, 'the finished round leaves no record');
    for (const i of [0, 1, COUNT >> 1, COUNT - 1]) {
      assert.equal(fileOf(dir, name(i))?.metadata.resourceVersion, s.get(`configmaps/default/${name(i)}`)?.metadata.resourceVersion, `${name(i)}'s file is current`);
    }
    assert.equal(fileOf(dir, 'first')?.data?.v, '1');
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a round's keys are taken from the tail once, not at every release (a pass over 130,000 keys outlasted the slice: a release then wrote one file)", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
  const proto = PendingWrites.prototype as unknown as { firsts: () => IterableIterator<unknown> };
  const iterate = proto.firsts;
  let passes = 0;
  try {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/first', cm('first', '0'));
    const before = revOf(dir);
    s.group(() => {
      for (let i = 0; i < COUNT; i++) s.create(key(i), cm(name(i), 'a'));
    });
    assert.equal(revOf(dir), before, 'the round goes on past the group end');
    proto.firsts = function (this: PendingWrites) {
      passes++;
      return iterate.call(this);
    };
    let releases = 0;
    while (revOf(dir) === before) {
      assert.ok(++releases < 1000, 'every release writes a slice');
      s.group(() => s.update('configmaps/default/first', cm('first', String(releases))));
    }
    assert.ok(releases >= 1);
    // The pass after the round (the next round: the writes made meanwhile) is the only one.
    assert.ok(passes <= 1, `${passes} passes over the tail in ${releases} releases of one round`);
    for (const i of [0, COUNT >> 1, COUNT - 1]) assert.equal(fileOf(dir, name(i))?.data?.v, 'a', `${name(i)}'s file is written`);
    s.close();
  } finally {
    proto.firsts = iterate;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged or stale `compaction` record is a hint only: the round starts again and every file is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
  try {
    const s = new FileStore(dir, { fsync: false });
    s.group(() => {
      for (let i = 0; i < 100; i++) s.create(`configmaps/default/${name(i)}`, cm(name(i), ''));
    });
    for (const text of ['garbage\n', '1 2 "zzz"\n', `${revOf(dir) + 1} ${revOf(dir) + 2} "zzz"\n`]) {
      writeFileSync(join(dir, 'compaction'), text);
      // The record is not this `rev`'s: the next releases start a round and finish it.
      s.group(() => {
        for (let i = 0; i < 100; i++) s.update(`configmaps/default/${name(i)}`, cm(name(i), text));
      });
      for (let n = 0; revOf(dir) < s.currentRev(); n++) {
        assert.ok(n < 1000, 'every release writes a slice');
        s.group(() => s.create(`configmaps/default/x-${text.length}-${n}`, cm(`x-${text.length}-${n}`, '')));
      }
      for (let i = 0; i < 100; i++) assert.equal(fileOf(dir, name(i))?.data?.v, text, `${name(i)} written after ${JSON.stringify(text)}`);
      assert.equal(revOf(dir), s.currentRev());
    }
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a deferred write keeps no path of its own (its file is made from the key when written): ~100 B a key less; a rope path.join made of it was ~560 B", () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `events/default/p-${i}.18eecdb06d97${String(i).padStart(5, '0')}`);
  const object = cm('x', 'y');
  const registry = '/tmp/kubesim-a-state-dir/clusters/kubesim/registry';
  const pending = new PendingWrites((key) => join(registry, key));
  const grown = heapGrowth(keys, (key) => pending.set(key, { type: 'ADDED', object, first: 1 }));
  assert.equal(pending.size, keys.length);
  assert.equal(pending.fileOf(keys[7]), join(registry, keys[7]));
  // The entry and the indexes' slots (the key is the caller's): ~110 B; with its file's path
  // kept flat ~220 (main before round 83), as a rope ~720.
  assert.ok(grown / keys.length < 160, `${(grown / keys.length).toFixed(0)} B a deferred write`);
});

/**
 * Runs a group of `count` creates whose end starts a round, each compaction file taking
 * `stallMs` of wall clock without CPU (a process the loaded machine runs a few ms in every
 * 50: what a settled daemon's slices were, ~10 files a second); `atFile` sees each file's
 * number. Returns how many files the group end's release wrote.
 */
function stalledRelease(dir: string, count: number, stallMs: number, atFile: (n: number) => void = () => {}): number {
  const s = new FileStore(dir, { fsync: false });
  let files = 0;
  const stall = new Int32Array(new SharedArrayBuffer(4));
  try {
    s.create('configmaps/default/first', cm('first', '0'));
    s.group(() => {
      for (let i = 0; i < count; i++) s.create(key(i), cm(name(i), 'a'));
      setStoreFaultHook((point) => {
        if (point !== 'compaction-files') return;
        atFile(++files);
        Atomics.wait(stall, 0, 0, stallMs);
      });
    });
  } finally {
    setStoreFaultHook(undefined);
    s.close();
  }
  return files;
}

test('a slice nobody waits behind is bounded by the CPU it takes, not the wall clock (a loaded machine gave a settled daemon ~10 files a second), within 250 ms of wall', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
  try {
    // 5 ms of wall a file: a 50-ms wall-clock slice writes 11 at most; 250 ms of wall, ~50
    // (~18 at load 20, each file's own work then slowed too: 14 still tells the two apart).
    const files = stalledRelease(dir, 2_000, 5);
    assert.ok(files >= 14, `${files} files in a slice whose files each waited 5 ms for the CPU`);
    assert.ok(files <= 52, `${files} files: the slice's wall clock is bounded too`);
    assert.equal(revOf(dir) < 2_000, true, 'the round goes on at later releases');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a slice nobody waited behind ends once someone announces waiting for the lock', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
  const waiter = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    let announcedAt: number | undefined;
    // Past the 50 ms every slice gets, a live process announces it waits (as FileLock.acquire does).
    const files = stalledRelease(dir, 2_000, 5, (n) => {
      if (n !== 16) return;
      writeFileSync(join(dir, `lock.want.1.${waiter.pid}`), '');
      announcedAt = n;
    });
    assert.equal(announcedAt, 16, `the slice went on past 50 ms of wall (${files} files)`);
    // Looked at every 10 ms: two or three 5-ms files more at most.
    assert.ok(files <= 16 + 4, `${files} files, the waiter announced at the 16th`);
  } finally {
    waiter.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a round left owed gets a share of the time since its last slice (a daemon releasing every 4 s wrote ~100 files a second of its start's tail), within 1 s of wall", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
  const s = new FileStore(dir, { fsync: false });
  const stall = new Int32Array(new SharedArrayBuffer(4));
  let files = 0;
  try {
    s.create('configmaps/default/first', cm('first', '0'));
    s.group(() => {
      for (let i = 0; i < 3_000; i++) s.create(key(i), cm(name(i), 'a'));
    });
    assert.ok(existsSync(join(dir, 'compaction')), 'the group end left the round owed');
    // 5 ms of wall a file, no CPU (a loaded machine): a 250-ms slice writes ~50 of them.
    setStoreFaultHook((point) => {
      if (point !== 'compaction-files') return;
      files++;
      Atomics.wait(stall, 0, 0, 5);
    });
    // The holder's next release comes 2 s later (a daemon's long tick): a quarter of that is
    // 500 ms of CPU, bounded by 1 s of wall.
    Atomics.wait(stall, 0, 0, 2_000);
    const t0 = Date.now();
    s.group(() => s.update(key(2_999), cm(name(2_999), 'b')));
    const wall = Date.now() - t0;
    assert.ok(files >= 90, `${files} files in ${wall} ms: the owed round got its share`);
    assert.ok(wall < 1_600, `${wall} ms: the share is bounded by 1 s of wall`);
    // Right after it, the next release's share is of a few ms: the usual slice.
    files = 0;
    s.group(() => s.update(key(2_999), cm(name(2_999), 'c')));
    assert.ok(files <= 52, `${files} files right after a slice`);
  } finally {
    setStoreFaultHook(undefined);
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
