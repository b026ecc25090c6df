// FileStore.changesSince reads the journal incrementally (only what was appended since the
// last call): its answers must stay those of a store reading the whole journal afresh,
// across appends by other processes' stores, torn last lines, and trims (a new file).
// The writer indexes the lines it appends, so it never reads back its own burst.
// MemoryStore hands out copies that callers may change freely.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { Journal, journalLineText } from '../../src/store/journal';
import { MemoryStore } from '../../src/store/memory-store';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const cm = (name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

const summary = (evs: ReturnType<FileStore['changesSince']>) => evs.map((e) => `${e.type} ${e.key} ${e.rev} ${e.object.data?.v ?? ''}`);

test('file store: incremental changesSince equals a fresh read after every append', () =>
  withTempDir('kubesim-journal-', (dir) => {
    const watcher = new FileStore(dir, { fsync: false });
    const writer = new FileStore(dir, { fsync: false });
    let last = 0;
    const seen: string[] = [];
    for (let round = 0; round < 6; round++) {
      writer.batch(() => {
        for (let i = 0; i < 5; i++) writer.create(`configmaps/default/r${round}-${i}`, cm(`r${round}-${i}`));
        writer.update(`configmaps/default/r${round}-0`, cm(`r${round}-0`, '2'));
        if (round > 0) writer.delete(`configmaps/default/r${round - 1}-1`);
      });
      const inc = watcher.changesSince(last);
      const fresh = new FileStore(dir, { fsync: false }).changesSince(last);
      assert.deepEqual(summary(inc), summary(fresh));
      assert.ok(inc.length >= 5, `round ${round}: ${inc.length} changes`);
      seen.push(...summary(inc));
      last = Math.max(...inc.map((e) => e.rev));
      // Asking again from an older revision still answers from the start of the journal.
      assert.deepEqual(summary(watcher.changesSince(0)), summary(new FileStore(dir, { fsync: false }).changesSince(0)));
    }
    assert.ok(seen.some((l) => l.startsWith('DELETED configmaps/default/r0-1')));
    assert.deepEqual(watcher.changesSince(last), []);
  }));

test('file store: a torn last line is skipped until it is complete; a trimmed journal is read again', () =>
  withTempDir('kubesim-journal-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/a', cm('a'));
    const journal = join(dir, 'journal.log');
    assert.equal(s.changesSince(0).length, 1);
    // Half a line, as a crash mid-append leaves it: not an event, and not indexed.
    appendFileSync(journal, '{"rev":2,"type":"ADDED","key":"configmaps/def');
    assert.deepEqual(summary(s.changesSince(1)), []);
    // The next writer cuts the torn line (its writer died before acknowledging) and appends whole lines.
    s.create('configmaps/default/b', cm('b'));
    assert.deepEqual(summary(s.changesSince(1)), summary(new FileStore(dir, { fsync: false }).changesSince(1)));
    assert.deepEqual(summary(s.changesSince(0)).map((l) => l.split(' ')[1]), ['configmaps/default/a', 'configmaps/default/b']);
    assert.equal(s.changesSince(1)[0].rev, 2, 'the torn revision is handed out again: it was never acknowledged');
    s.create('configmaps/default/c', cm('c'));
    assert.deepEqual(summary(s.changesSince(0)).map((l) => l.split(' ')[1]), ['configmaps/default/a', 'configmaps/default/b', 'configmaps/default/c']);

    // A trim replaces the file with its newer part (another inode, shorter).
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(dir, 'journal.tmp'), lines.slice(-1).join('\n') + '\n');
    renameSync(join(dir, 'journal.tmp'), journal);
    // Asking from before the trimmed part gets nothing (the caller re-lists, as after etcd
    // compaction), never a partial answer; from the kept part on, every change.
    assert.deepEqual(s.changesSince(0), []);
    assert.deepEqual(summary(s.changesSince(2)).map((l) => l.split(' ')[1]), ['configmaps/default/c']);
    s.update('configmaps/default/a', cm('a', '9'));
    assert.deepEqual(summary(s.changesSince(2)), summary(new FileStore(dir, { fsync: false }).changesSince(2)));
    assert.equal(s.changesSince(2).at(-1)!.object.data.v, '9');
  }));

test('memory store: objects handed out (get, list, writes, journal) are copies', () => {
  const s = new MemoryStore();
  const created = s.create('configmaps/default/a', { ...cm('a'), metadata: { name: 'a', namespace: 'default', labels: undefined } });
  // The write's own object comes back with its resourceVersion (as from the file store); what
  // is stored is a JSON copy of it: undefined members dropped.
  assert.equal(created.metadata.resourceVersion, '1');
  assert.ok(!('labels' in s.get('configmaps/default/a')!.metadata), 'undefined members are dropped as JSON would');
  created.data.v = 'changed';
  s.get('configmaps/default/a')!.data.v = 'changed';
  s.list('configmaps').items[0].data.v = 'changed';
  s.changesSince(0)[0].object.data.v = 'changed';
  assert.equal(s.get('configmaps/default/a')!.data.v, '1');
  assert.equal(s.changesSince(0)[0].object.data.v, '1');
  const input = cm('b');
  const stored = s.create('configmaps/default/b', input);
  input.data.v = 'later';
  assert.equal(s.get('configmaps/default/b')!.data.v, '1');
  assert.equal(stored.metadata.resourceVersion, '2');
  const gone = s.delete('configmaps/default/b');
  gone.data.v = 'x';
  assert.equal(s.changesSince(2)[0].object.data.v, '1');
  assert.equal(s.changesSince(2)[0].type, 'DELETED');
});

test('journal: the writer indexes its own appends (not read back), and a line taken back leaves the index', () =>
  withTempDir('kubesim-journal-', (dir) => {
    const file = join(dir, 'journal.log');
    const line = (rev: number, v: string) => journalLineText({ rev, type: 'ADDED', key: `configmaps/default/c${rev}`, object: cm(`c${rev}`, v) });
    const j = new Journal(file);
    j.append(line(1, 'a'));
    assert.equal(j.lastRev(), 1); // the index now reaches the end of the file
    j.append(line(2, 'a'));
    j.append(line(3, 'a'));
    const undo = j.append(line(4, 'a'));
    undo();
    j.append(line(4, 'b'));
    j.closeWriter();
    // The lines it appended are not read back: rewritten in place behind its back (same
    // size; only the holder appends, so this never happens in use), its index still says 4.
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('{"rev":4,', '{"rev":7,'));
    assert.equal(new Journal(file).lastRev(), 7);
    assert.equal(j.lastRev(), 4);
    writeFileSync(file, text);
    // What it answers equals a fresh reader's.
    const fresh = new Journal(file);
    assert.deepEqual(j.entriesAfter(0), fresh.entriesAfter(0));
    assert.deepEqual(j.entriesAfter(0)!.map((l) => `${l.rev} ${l.object?.data?.v}`), ['1 a', '2 a', '3 a', '4 b']);
  }));
