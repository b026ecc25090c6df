// Group commit: inside a group (a reconcile pass) a write is its journal line; the object
// files follow once per key when the lock is given up. Readers elsewhere see every write at
// once (the journal), the holder sees its own, another writer gets the lock when it asks, a
// holder killed mid-group leaves nothing the next writer does not put in place, and after a
// reboot (another boot id in `unsynced`) the files are rewritten from the journal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { EngineStore } from '../../src/store/async-store';
import { RevisionConflictError } from '../../src/store/store';
import { sleepSync } from '../../src/store/file-lock';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
const file = (dir: string, name: string) => join(dir, 'registry', 'configmaps', 'default', name);

/** Another process's write of `configmaps/default/user`; prints how long it took (the lock wait). */
const USER_WRITE = `
  const { FileStore } = require(${JSON.stringify(join(__dirname, '../../src/store/file-store.ts'))});
  const t0 = Date.now();
  new FileStore(process.argv[1], { fsync: false }).create('configmaps/default/user', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'user', namespace: 'default' } });
  process.stdout.write(String(Date.now() - t0));
`;

test('group: writes are journal lines first, files once per key at the end; everyone sees them meanwhile', () => withTempDir('kubesim-group-', (dir) => {
  const s = new FileStore(dir, { fsync: false });
  s.create('configmaps/default/old', cm('old', '0'));
  const other = new FileStore(dir, { fsync: false });
  s.group(() => {
    for (let i = 0; i < 5; i++) {
      s.batch(() => (i === 0 ? s.create('configmaps/default/a', cm('a', '0')) : s.update('configmaps/default/a', cm('a', String(i)))));
    }
    s.batch(() => s.delete('configmaps/default/old'));
    // Not in the files yet (one file per key at the end)...
    assert.equal(existsSync(file(dir, 'a')), false);
    assert.equal(existsSync(file(dir, 'old')), true);
    // ...but committed: the holder and another reader both see the newest state.
    assert.equal(s.get('configmaps/default/a')!.data.v, '4');
    assert.equal(s.get('configmaps/default/old'), undefined);
    assert.deepEqual(s.list('configmaps').items.map((o) => o.metadata.name), ['a']);
    assert.equal(other.get('configmaps/default/a')!.data.v, '4');
    assert.equal(other.get('configmaps/default/old'), undefined);
    assert.deepEqual(other.list('configmaps').items.map((o) => o.metadata.name), ['a']);
    assert.deepEqual(other.changesSince(1).map((e) => `${e.type} ${e.key} ${e.rev}`), [
      'ADDED configmaps/default/a 2', 'MODIFIED configmaps/default/a 3', 'MODIFIED configmaps/default/a 4', 'MODIFIED configmaps/default/a 5', 'MODIFIED configmaps/default/a 6', 'DELETED configmaps/default/old 7',
    ]);
    // A create of an existing deferred key is still refused, a CAS on a stale revision too.
    assert.throws(() => s.create('configmaps/default/a', cm('a', 'x')), /key exists/);
    assert.throws(() => s.update('configmaps/default/a', cm('a', 'x'), 3), /revision conflict/);
  });
  // Given up: the files are in place, `rev` says so.
  assert.equal(JSON.parse(readFileSync(file(dir, 'a'), 'utf8')).data.v, '4');
  assert.equal(existsSync(file(dir, 'old')), false);
  assert.equal(readFileSync(join(dir, 'rev'), 'utf8').trim(), '7');
  assert.equal(new FileStore(dir, { fsync: false }).get('configmaps/default/a')!.metadata.resourceVersion, '6');
}));

test('group: an object handed back by a deferred write may be changed without changing the store', () => withTempDir('kubesim-group-', (dir) => {
  const s = new FileStore(dir, { fsync: false });
  s.group(() => {
    const got = s.create('configmaps/default/a', cm('a', '1'));
    got.data.v = 'changed';
    s.get('configmaps/default/a')!.data.v = 'changed too';
  });
  assert.equal(s.get('configmaps/default/a')!.data.v, '1');
  assert.equal(JSON.parse(readFileSync(file(dir, 'a'), 'utf8')).data.v, '1');
}));

test('changesSince: a store follows its own writes from memory, and another writer\'s once the journal moved', () => withTempDir('kubesim-group-', (dir) => {
  const s = new FileStore(dir, { fsync: false });
  const other = new FileStore(dir, { fsync: false });
  const feed = (store: FileStore, after: number) => store.changesSince(after).map((e) => `${e.type} ${e.key} ${e.rev} ${e.object.data?.v ?? ''}`);
  s.group(() => {
    s.batch(() => s.create('configmaps/default/a', cm('a', '1')));
    s.batch(() => s.update('configmaps/default/a', cm('a', '2')));
    s.batch(() => s.create('configmaps/default/b', cm('b', '1')));
    assert.deepEqual(feed(s, 1), ['MODIFIED configmaps/default/a 2 2', 'ADDED configmaps/default/b 3 1']);
    // Objects handed out are copies: changing one changes no later answer.
    s.changesSince(0)[0].object.data.v = 'changed';
    s.batch(() => s.delete('configmaps/default/b'));
  });
  assert.deepEqual(feed(s, 0), ['ADDED configmaps/default/a 1 1', 'MODIFIED configmaps/default/a 2 2', 'ADDED configmaps/default/b 3 1', 'DELETED configmaps/default/b 4 1']);
  // Another store's write (another process: the journal grew past where this one left it).
  other.update('configmaps/default/a', cm('a', '3'));
  assert.deepEqual(feed(s, 2), ['ADDED configmaps/default/b 3 1', 'DELETED configmaps/default/b 4 1', 'MODIFIED configmaps/default/a 5 3']);
  // Writing again after it: the feed holds both stores' writes, in order.
  s.update('configmaps/default/a', cm('a', '4'));
  assert.deepEqual(feed(s, 3), ['DELETED configmaps/default/b 4 1', 'MODIFIED configmaps/default/a 5 3', 'MODIFIED configmaps/default/a 6 4']);
  assert.deepEqual(feed(other, 3), feed(s, 3));
  // A failed write (a conflict) adds nothing to it.
  assert.throws(() => s.update('configmaps/default/a', cm('a', 'x'), 1), /revision conflict/);
  assert.deepEqual(feed(s, 5), ['MODIFIED configmaps/default/a 6 4']);
}));

test("group: a take after another writer's turn adds that writer's lines to the deferred writes, keeping the holder's own (not read back)", () => withTempDir('kubesim-group-', (dir) => {
  const a = new FileStore(dir, { fsync: false });
  const b = new FileStore(dir, { fsync: false });
  // A live process of another pid announced as waiting: the group hands the lock over at its
  // next call past its slice, mid-group, its 300 deferred writes left to the journal.
  const want = join(dir, `lock.want.1${'0'.repeat(19)}.${process.ppid}`);
  const handOver = () => {
    writeFileSync(want, '');
    sleepSync(60);
    a.get('configmaps/default/a1');
    rmSync(want);
    assert.equal(existsSync(join(dir, 'lock')), false, 'the group gave the lock up');
  };
  const v = (s: FileStore, name: string) => s.get(`configmaps/default/${name}`)?.data?.v;
  a.group(() => {
    for (let i = 0; i < 300; i++) a.create(`configmaps/default/a${i}`, cm(`a${i}`, '1'));
    const mine = a.update('configmaps/default/a0', cm('a0', '2'), undefined, { shared: true });
    handOver();
    b.update('configmaps/default/a1', cm('a1', 'b'));
    b.create('configmaps/default/b0', cm('b0', 'b'));
    a.update('configmaps/default/a2', cm('a2', '3')); // a's take: the journal moved
    assert.equal(a.get('configmaps/default/a0', { shared: true }), mine, "the holder's deferred write was read back from the journal");
    assert.deepEqual([v(a, 'a1'), v(a, 'b0'), v(a, 'a2'), v(a, 'a299')], ['b', 'b', '3', '1']);
    // Another writer puts every file in place and moves `rev` meanwhile: what the files hold
    // is no longer deferred, the writes since are.
    handOver();
    b.compact();
    b.update('configmaps/default/a3', cm('a3', 'b'));
    a.update('configmaps/default/a4', cm('a4', '4'));
    assert.deepEqual([v(a, 'a0'), v(a, 'a1'), v(a, 'b0'), v(a, 'a2'), v(a, 'a3'), v(a, 'a4')], ['2', 'b', 'b', '3', 'b', '4']);
  });
  // Every file as the holder's deferred writes say (all at once: a group's end writes a slice).
  a.compact();
  const files = Object.fromEntries(readdirSync(join(dir, 'registry', 'configmaps', 'default')).map((n) => [n, JSON.parse(readFileSync(file(dir, n), 'utf8')).data.v]));
  assert.deepEqual([files.a0, files.a1, files.a2, files.a3, files.a4, files.b0, files.a299], ['2', 'b', '3', 'b', '4', 'b', '1']);
  assert.equal(Number(readFileSync(join(dir, 'rev'), 'utf8')), a.currentRev());
  assert.equal(Object.keys(files).length, 301);
}));

test('group: a writer in another process gets the lock while a long group runs', () => withTempDir('kubesim-group-', async (dir) => {
  const s = new EngineStore(new FileStore(dir, { fsync: false }));
  let out = '';
  let done = false;
  await s.group(async () => {
    await s.create('configmaps/default/first', cm('first', '0'));
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', USER_WRITE, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', () => (done = true));
    // Keep writing (one key over and over) until the other process got its write in.
    const deadline = Date.now() + 60_000;
    for (let i = 0; !done && Date.now() < deadline; i++) {
      await s.update('configmaps/default/first', cm('first', String(i)));
      await new Promise((r) => setTimeout(r, 2));
    }
  });
  assert.ok(done, 'the other writer never got the lock');
  assert.ok(Number(out) < 20_000, `waited ${out} ms`);
  const names = (await s.list('configmaps')).items.map((o) => o.metadata.name);
  assert.deepEqual(names, ['first', 'user']);
  // Revisions stayed one sequence across both writers.
  const revs = (await s.changesSince(0)).map((e) => e.rev);
  assert.deepEqual(revs, revs.map((_, i) => i + 1));
}));

test('group: a writer in another process gets the lock while the group awaits something else (no store call to hand it over)', () => withTempDir('kubesim-group-', async (dir) => {
  const s = new EngineStore(new FileStore(dir, { fsync: false }));
  let out = '';
  let done = false;
  let doneInGroup = false;
  await s.group(async () => {
    await s.create('configmaps/default/first', cm('first', '0'));
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', USER_WRITE, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) =>
      child.on('exit', () => {
        done = true;
        r();
      }),
    );
    // The group's task waits for the other writer (the daemon's: a request being answered,
    // another task's turn) without a store call: before, it kept the lock all that time.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
    clearTimeout(timer);
    doneInGroup = done;
    await s.update('configmaps/default/first', cm('first', '1'));
  });
  assert.ok(doneInGroup, 'the other writer got the lock only once the group ended');
  assert.ok(Number(out) < 10_000, `waited ${out} ms`);
  const names = (await s.list('configmaps')).items.map((o) => o.metadata.name);
  assert.deepEqual(names, ['first', 'user']);
  const revs = (await s.changesSince(0)).map((e) => e.rev);
  assert.deepEqual(revs, revs.map((_, i) => i + 1));
}));

test('group: a holder killed before it gave the lock up loses nothing; the next writer puts the files in place', () => withTempDir('kubesim-group-', async (dir) => {
  const script = `
    const { FileStore } = require(${JSON.stringify(join(__dirname, '../../src/store/file-store.ts'))});
    const s = new FileStore(process.argv[1], { fsync: false });
    s.group(() => {
      for (let i = 0; i < 20; i++) s.batch(() => s.create('configmaps/default/c-' + i, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-' + i, namespace: 'default' } }));
      process.kill(process.pid, 'SIGKILL');
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  assert.equal(child.signalCode, 'SIGKILL');
  const dirFiles = existsSync(join(dir, 'registry', 'configmaps', 'default')) ? readdirSync(join(dir, 'registry', 'configmaps', 'default')) : [];
  assert.deepEqual(dirFiles, [], 'no object file was written before the kill');
  const reader = new FileStore(dir, { fsync: false });
  assert.equal(reader.list('configmaps').items.length, 20, 'every committed write is visible');
  const next = new FileStore(dir, { fsync: false });
  assert.equal(next.create('configmaps/default/after', cm('after', '0')).metadata.resourceVersion, '21');
  for (let i = 0; i < 20; i++) assert.ok(existsSync(file(dir, `c-${i}`)), `c-${i} replayed into its file`);
  assert.equal(readFileSync(join(dir, 'rev'), 'utf8').trim(), '21');
}));

test('group: after a reboot (another boot id in unsynced) every file written since the mark is rewritten', () => withTempDir('kubesim-group-', (dir) => {
  if (!existsSync('/proc/sys/kernel/random/boot_id')) throw new Error('this test needs Linux boot ids');
  const s = new FileStore(dir, { fsync: true });
  s.create('configmaps/default/before', cm('before', '0'));
  s.group(() => {
    s.batch(() => s.create('configmaps/default/a', cm('a', '1')));
    s.batch(() => s.create('configmaps/default/b', cm('b', '1')));
  });
  const mark = readFileSync(join(dir, 'unsynced'), 'utf8');
  assert.match(mark, /^[0-9a-f-]+ 1\n$/, 'marked once, from the revision before the group');
  // Power lost: a file written without its own fsync comes back empty, another as it was.
  writeFileSync(file(dir, 'a'), '');
  rmSyncQuiet(file(dir, 'b'));
  writeFileSync(join(dir, 'unsynced'), mark.replace(/^[0-9a-f-]+/, '00000000-0000-0000-0000-000000000000'));
  const after = new FileStore(dir, { fsync: true });
  after.create('configmaps/default/c', cm('c', '1')); // the first writer after the reboot repairs
  assert.equal(JSON.parse(readFileSync(file(dir, 'a'), 'utf8')).data.v, '1');
  assert.equal(JSON.parse(readFileSync(file(dir, 'b'), 'utf8')).data.v, '1');
  assert.equal(existsSync(join(dir, 'unsynced')), false, 'made durable, the mark is gone');
  assert.deepEqual(after.list('configmaps').items.map((o) => o.metadata.name), ['a', 'b', 'before', 'c']);
}));

function rmSyncQuiet(f: string): void {
  rmSync(f, { force: true });
}

test('updateMany in a group: a journal line, a revision and an event per key, a conflict its own; a holder killed after it loses none', () => withTempDir('kubesim-group-', async (dir) => {
  const s = new FileStore(dir, { fsync: false });
  for (const n of ['a', 'b', 'c']) s.create(`configmaps/default/${n}`, cm(n, '0'));
  const journal = () => readFileSync(join(dir, 'journal.log'), 'utf8').split('\n').filter(Boolean);
  const before = journal().length;
  const out = s.group(() => s.updateMany([
    { key: 'configmaps/default/a', obj: cm('a', '1'), expectRev: 1 },
    { key: 'configmaps/default/b', obj: cm('b', '1'), expectRev: 1 }, // b is at 2: a conflict
    { key: 'configmaps/default/c', obj: cm('c', '1'), expectRev: 3 },
  ]));
  assert.deepEqual(out.map((r) => (r instanceof RevisionConflictError ? 'Conflict' : r instanceof Error ? r.message : `${r.metadata.name}@${r.metadata.resourceVersion}`)), ['a@4', 'Conflict', 'c@5']);
  assert.equal(journal().length, before + 2);
  assert.deepEqual(s.changesSince(3).map((e) => `${e.type} ${e.key} ${e.rev} ${e.object.data.v}`), ['MODIFIED configmaps/default/a 4 1', 'MODIFIED configmaps/default/c 5 1']);
  const other = new FileStore(dir, { fsync: false });
  assert.deepEqual(other.list('configmaps').items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}=${o.data.v}`), ['a@4=1', 'b@2=0', 'c@5=1']);

  const script = `
    const { FileStore } = require(${JSON.stringify(join(__dirname, '../../src/store/file-store.ts'))});
    const s = new FileStore(process.argv[1], { fsync: false });
    s.group(() => {
      s.updateMany(['a', 'b', 'c'].map((n) => ({ key: 'configmaps/default/' + n, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'default' }, data: { v: '2' } } })));
      process.kill(process.pid, 'SIGKILL');
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  assert.equal(child.signalCode, 'SIGKILL');
  const reader = new FileStore(dir, { fsync: false });
  assert.deepEqual(reader.list('configmaps').items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}=${o.data.v}`), ['a@6=2', 'b@7=2', 'c@8=2']);
  assert.equal(new FileStore(dir, { fsync: false }).create('configmaps/default/after', cm('after', '0')).metadata.resourceVersion, '9');
  assert.equal(readFileSync(file(dir, 'b'), 'utf8').includes('"resourceVersion": "7"'), true, 'the next writer put the files in place');
}));

test('updateMany of Events in a group: each deferred write read back from its own line of the one append', () => withTempDir('kubesim-group-', async (dir) => {
  // An Event's deferred write is kept as its line's place in the journal (keptParsed): each
  // of one append's lines must be found at its own offset, not at the last line's.
  const s = new FileStore(dir, { fsync: false });
  const ev = (n: string, v: string) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: n, namespace: 'default' }, message: `${n}-${v}` }) as KObject;
  for (const n of ['e1', 'e2', 'e3']) s.create(`events/default/${n}`, ev(n, '0'));
  s.group(() => {
    const out = s.updateMany(['e1', 'e2', 'e3'].map((n) => ({ key: `events/default/${n}`, obj: ev(n, '1') })));
    assert.deepEqual(out.map((r) => (r instanceof Error ? r.message : r.metadata.resourceVersion)), ['4', '5', '6']);
    assert.deepEqual(['e1', 'e2', 'e3'].map((n) => s.get(`events/default/${n}`)?.message), ['e1-1', 'e2-1', 'e3-1'], 'read back inside the hold');
  });
  assert.deepEqual(new FileStore(dir, { fsync: false }).list('events').items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}=${o.message}`), ['e1@4=e1-1', 'e2@5=e2-1', 'e3@6=e3-1']);
}));
