// A reader of the journal across another process's trim (issue #12): the trim renames a copy of
// the journal's newer part over it, so every reader sees a new inode. Its index and its parsed
// tail (pendingAfter, what every read and every lock take lays over the files) carry over,
// shifted, instead of the new file being indexed and parsed again: at 32 MB that was 0.5 s of
// the daemon's CPU after each trim, outside its lock turn, while pods waited to be bound.
// A file that is not a trim of the one indexed is read afresh. The daemon's store leaves the
// trim's copy (and its file system sync, before a lock turn) to users' processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, journalLineText } from '../../src/store/journal';
import { FileStore } from '../../src/store/file-store';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const PAD = 'p'.repeat(300);
const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v, pad: PAD } });
const line = (rev: number, key: number, v: string) => journalLineText({ rev, type: 'MODIFIED', key: `configmaps/default/c${key}`, object: cm(`c${key}`, v) });
/** Revisions up to 400 cycle over keys c0-c19; later ones write a key each (c401 ...). */
const keyOf = (rev: number) => (rev <= 400 ? rev % 20 : rev);

const tail = (j: Journal, committed: number) =>
  [...j.pendingAfter(committed).tail.values()].map((l) => `${l.key} ${l.rev} ${l.object?.data?.v}`).sort();

let tmpN = 0;
const tmpName = (dir: string) => join(dir, `.tmp-trim-${process.pid}-${tmpN++}`);

/** Writes revisions [from, to] through `w`. */
function appendRange(w: Journal, from: number, to: number, v: string): void {
  for (let rev = from; rev <= to; rev++) w.append(line(rev, keyOf(rev), `${v}${rev}`));
}

test('a follower behind the journal keeps its parsed tail across a trim: only the lines after it are read', () =>
  withTempDir('kubesim-trim-follow-', (dir) => {
    const file = join(dir, 'journal.log');
    const writer = new Journal(file);
    appendRange(writer, 1, 400, 'a');
    writer.closeWriter();
    // The follower has parsed the tail after `rev` = 150 and its changes up to 400.
    const follower = new Journal(file);
    assert.equal(tail(follower, 150).length, 20);
    assert.equal(follower.entriesAfter(390)!.length, 10);
    // Others write on (the follower is behind), then the trim's copy and swap: the newer half.
    appendRange(writer, 401, 420, 'b');
    const copy = writer.copyNewer(300, tmpName);
    assert.ok(copy, 'the journal has an older half to drop');
    appendRange(writer, 421, 430, 'c');
    writer.closeWriter();
    assert.ok(writer.swapIn(copy!));
    appendRange(writer, 431, 440, 'd');
    writer.closeWriter();
    const cutRev = Number(/^\{"trim":1\}\n\{"rev":(\d+),/.exec(readFileSync(file, 'utf8'))![1]) - 1; // after the trim's header
    assert.ok(cutRev > 150 && cutRev < 300, `the trim dropped revisions up to ${cutRev}`);

    // The lines the follower parsed before the trim are rewritten behind its back (same
    // length): it does not read them again (a fresh reader sees the change) ...
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('{"rev":399,');
    const old = text.slice(at, text.indexOf('\n', at));
    assert.ok(old.includes('"v":"a399"'));
    // (In place: a file renamed in now could reuse the inode number the trim freed.)
    writeFileSync(file, text.slice(0, at) + old.replace('"v":"a399"', '"v":"z399"') + text.slice(at + old.length));
    const fresh = tail(new Journal(file), 300);
    assert.ok(fresh.includes('configmaps/default/c19 399 z399'), fresh.join('\n'));
    // ... and what it answers is every line after the trim's cut as the journal held them.
    const got = tail(follower, 300);
    assert.ok(got.includes('configmaps/default/c19 399 a399'), `the follower parsed the trimmed journal again:\n${got.join('\n')}`);
    assert.deepEqual(got.filter((l) => !l.includes(' 399 ')), fresh.filter((l) => !l.includes(' 399 ')));
    assert.equal(got.length, 60);
    // Its changes go on from where it was, the trimmed part answered as before a trim.
    assert.deepEqual(follower.entriesAfter(425)!.map((l) => l.rev), Array.from({ length: 15 }, (_, i) => 426 + i));
    assert.equal(follower.entriesAfter(cutRev - 10), undefined, 'the dropped revisions are not answered');
    assert.equal(follower.lastRev(), 440);
  }));

test('a journal replaced by one that is not its trim is read afresh', () =>
  withTempDir('kubesim-trim-follow-', (dir) => {
    const file = join(dir, 'journal.log');
    const writer = new Journal(file);
    appendRange(writer, 1, 100, 'a');
    writer.closeWriter();
    const follower = new Journal(file);
    assert.equal(tail(follower, 0).length, 20);
    // Another store's journal at the same path (a cluster made again): revisions 50.. with other
    // objects, the line at the follower's last revision longer than the one it indexed.
    const other = Array.from({ length: 60 }, (_, i) => line(50 + i, 20 + (i % 5), `other-${50 + i}`)).join('');
    writeFileSync(file + '.new', other);
    renameSync(file + '.new', file);
    assert.deepEqual(tail(follower, 0), tail(new Journal(file), 0));
    assert.deepEqual(follower.entriesAfter(60), new Journal(file).entriesAfter(60));
    assert.equal(follower.lastRev(), 109);
  }));

test("a reader that slept through two trims does not take the second one's file, given the inode the first one freed, for the file it indexed", () =>
  withTempDir('kubesim-trim-follow-', (dir) => {
    const file = join(dir, 'journal.log');
    const writer = new Journal(file);
    appendRange(writer, 1, 400, 'a');
    writer.closeWriter();
    const reader = new Journal(file);
    assert.equal(reader.entriesAfter(350)!.length, 50);
    assert.equal(tail(reader, 300).length, 20);
    const indexedEnd = statSync(file).size;
    // The file the reader indexed is kept reachable (a hard link), so its inode is not freed
    // and the second trim's file can be put into it: what a file system reusing the number does.
    const indexed = join(dir, 'indexed');
    linkSync(file, indexed);
    const ino = statSync(file).ino;
    for (const [from, to, committed] of [[401, 600, 450], [601, 800, 650]]) {
      appendRange(writer, from, to, 'b');
      const copy = writer.copyNewer(committed, tmpName);
      assert.ok(copy, `a trim after revision ${to}`);
      writer.closeWriter();
      assert.ok(writer.swapIn(copy));
    }
    appendRange(writer, 801, 1000, 'c');
    writer.closeWriter();
    const text = readFileSync(file);
    assert.match(text.toString('utf8', 0, 20), /^\{"trim":2\}\n\{"rev":/, 'the second trim says so in its first line');
    writeFileSync(indexed, text); // in place: the inode the reader indexed
    renameSync(indexed, file);
    assert.equal(statSync(file).ino, ino);
    assert.ok(statSync(file).size > indexedEnd, 'as long as the file the reader indexed, or longer');
    // The reader answers as a fresh one: the revisions it indexed are gone, the rest as written.
    const fresh = new Journal(file);
    assert.equal(fresh.entriesAfter(350), undefined);
    assert.equal(reader.entriesAfter(350), undefined, 'the trimmed revisions are not answered');
    assert.deepEqual(reader.entriesAfter(900)!.map((l) => l.rev), Array.from({ length: 100 }, (_, i) => 901 + i));
    assert.deepEqual(tail(reader, 700), tail(fresh, 700));
    assert.equal(tail(reader, 700).length, 300);
    assert.equal(reader.lastRev(), 1000);
  }));

/** Runs `fn` with the journal's size limit at 64 KiB (KUBESIM_JOURNAL_MAX_BYTES). */
async function withSmallLimit(fn: () => void | Promise<void>): Promise<void> {
  const before = process.env.KUBESIM_JOURNAL_MAX_BYTES;
  process.env.KUBESIM_JOURNAL_MAX_BYTES = String(64 * 1024);
  try {
    await fn();
  } finally {
    if (before === undefined) delete process.env.KUBESIM_JOURNAL_MAX_BYTES;
    else process.env.KUBESIM_JOURNAL_MAX_BYTES = before;
  }
}

test("the daemon's store leaves the trim's copy to others until the journal is 1.25 times its limit", () =>
  withTempDir('kubesim-trim-follow-', (dir) =>
    withSmallLimit(async () => {
      const user = new FileStore(dir, { fsync: false });
      const daemon = new FileStore(dir, { fsync: false });
      const journal = join(dir, 'journal.log');
      const size = () => statSync(journal).size;
      const ino = () => statSync(journal).ino;
      let n = 0;
      // The daemon takes its lock turns without blocking its event loop (beginBatchAsync).
      const daemonWrite = async () => {
        await daemon.beginBatchAsync();
        try {
          daemon.update(`configmaps/default/u${n % 10}`, cm(`u${n % 10}`, String(n++)));
        } finally {
          daemon.endBatch();
        }
      };
      for (let i = 0; i < 10; i++) user.create(`configmaps/default/u${i}`, cm(`u${i}`, '0'));
      while (size() <= 64 * 1024) await daemonWrite();
      const first = ino();
      while (size() <= 64 * 1024 * 1.2) {
        await daemonWrite();
        assert.equal(ino(), first, `the daemon trimmed at ${size()} bytes`);
        assert.ok(!existsSync(join(dir, 'journal.trim')), 'the daemon claimed the trim');
      }
      // A user's write past the limit copies and swaps the newer half in its own turn.
      user.update('configmaps/default/u0', cm('u0', 'user'));
      assert.notEqual(ino(), first, 'the user trimmed');
      assert.ok(size() < 64 * 1024);
      // Alone, the daemon trims once the journal is 1.25 times its limit.
      const second = ino();
      while (ino() === second) {
        assert.ok(size() <= 64 * 1024 * 1.25 + 4096, `not trimmed at ${size()} bytes`);
        await daemonWrite();
      }
      const after = new FileStore(dir, { fsync: false });
      assert.equal(after.list('configmaps/default').items.length, 10);
      assert.equal(after.get(`configmaps/default/u${(n - 1) % 10}`)!.data!.v, String(n - 1));
      user.close();
      daemon.close();
    }),
  ));

test('a shared list remembered before a trim catches up from the trimmed journal instead of reading every file', () =>
  withTempDir('kubesim-trim-follow-', (dir) =>
    withSmallLimit(() => {
      const writer = new FileStore(dir, { fsync: false });
      const reader = new FileStore(dir, { fsync: false });
      const journal = join(dir, 'journal.log');
      let n = 0;
      const write = () => writer.update(`configmaps/default/k${n % 10}`, cm(`k${n % 10}`, String(n++)));
      for (let i = 0; i < 10; i++) writer.create(`configmaps/default/k${i}`, cm(`k${i}`, 'first'));
      writer.create('configmaps/default/still', cm('still', 'as-listed'));
      while (statSync(journal).size < 56 * 1024) write();
      const values = () => Object.fromEntries(reader.list('configmaps/default', undefined, { shared: true }).items.map((o) => [o.metadata.name, o.data!.v]));
      assert.equal(values().still, 'as-listed'); // remembered: the journal has no tail after `rev`
      const first = statSync(journal).ino;
      while (statSync(journal).ino === first) write();
      write();
      // A file changed behind the stores' backs is not read by a list caught up from the journal.
      const still = join(dir, 'registry/configmaps/default/still');
      writeFileSync(still, readFileSync(still, 'utf8').replace('as-listed', 'by-hand!!'));
      const got = values();
      assert.equal(got.still, 'as-listed', 'the list was read from the files again after the trim');
      for (let i = 0; i < 10; i++) assert.equal(got[`k${i}`], new FileStore(dir, { fsync: false }).get(`configmaps/default/k${i}`)!.data!.v);
      writer.close();
      reader.close();
    }),
  ));
