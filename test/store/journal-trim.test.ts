// The journal's trim in steps (src/store/file-store-trim.ts): the newer half is copied aside
// outside the lock and swapped in under it; a large tail's files are written a slice per
// release. A writer stopped in the copy window holds no lock; a writer killed in any of the
// new windows leaves a store that loads with every acknowledged write, and the next writer
// finishes the trim.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { procState, untilTrue } from '../helpers/process';

const STORE = JSON.stringify(join(__dirname, '../../src/store/file-store.ts'));
const LIMIT = 64 * 1024;
const PAD = 'x'.repeat(400);

/**
 * A writer process: `count` ConfigMaps named `<prefix>-<i>` (one write each, or all in one
 * group), each acknowledged on stdout once create() returned.
 */
function writer(dir: string, prefix: string, count: number, mode: 'single' | 'group', env: Record<string, string> = {}): { child: ChildProcess; acked: string[] } {
  const script = `
    const fs = require('node:fs');
    const { FileStore } = require(${STORE});
    const [dir, prefix, count, mode, pad] = process.argv.slice(1);
    const s = new FileStore(dir, { fsync: process.env.TEST_FSYNC === '1' });
    const one = (i) => {
      const name = prefix + '-' + i;
      s.create('configmaps/default/' + name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { i: String(i), pad } });
      fs.writeSync(1, name + '\\n');
    };
    if (mode === 'group') s.group(() => { for (let i = 0; i < Number(count); i++) one(i); });
    else for (let i = 0; i < Number(count); i++) one(i);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, prefix, String(count), mode, PAD], {
    env: { ...process.env, KUBESIM_JOURNAL_MAX_BYTES: String(LIMIT), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    acked.push(...lines);
  });
  return { child, acked };
}

const until = (what: string, cond: () => boolean, ms = 60_000) => untilTrue(what, cond, ms);
const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

/** Every acknowledged ConfigMap is there with its data, for a store opened afresh. */
function assertAll(dir: string, names: string[]): void {
  const s = new FileStore(dir, { fsync: false });
  const listed = new Map(s.list('configmaps/default').items.map((o) => [o.metadata.name, o]));
  for (const name of names) {
    const got = s.get(`configmaps/default/${name}`);
    assert.ok(got, `${name} was acknowledged and must be readable`);
    assert.equal(got.data?.i, name.slice(name.lastIndexOf('-') + 1));
    assert.ok(listed.has(name), `${name} is listed`);
  }
  s.close();
}

/** Every object file as the journal's newest entry says (after a writer compacted). */
function assertFilesCurrent(dir: string): void {
  const s = new FileStore(dir, { fsync: false });
  const rev = Number(readFileSync(join(dir, 'rev'), 'utf8'));
  assert.equal(rev, s.currentRev(), '`rev` is at the journal\'s last revision');
  for (const o of s.list('configmaps/default').items) {
    const file = JSON.parse(readFileSync(join(dir, 'registry', 'configmaps', 'default', o.metadata.name!), 'utf8'));
    assert.equal(file.metadata.resourceVersion, o.metadata.resourceVersion, `${o.metadata.name}'s file is current`);
  }
  s.close();
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.tmp-') || n === 'journal.trim');

test('a trimmer stopped while it copies the journal aside holds no lock; its swap keeps what others wrote meanwhile', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-trim-'));
  try {
    // Past the limit first, with nobody trimming yet (the limit is the child's alone).
    const seed = new FileStore(dir, { fsync: false });
    for (let i = 0; i < 180; i++) seed.create(`configmaps/default/seed-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `seed-${i}`, namespace: 'default' }, data: { i: String(i), pad: PAD } });
    seed.close();
    const before = statSync(join(dir, 'journal.log'));
    // Past the limit, and under it once halved (the child trims once).
    assert.ok(before.size > LIMIT * 1.5 && before.size < LIMIT * 2, String(before.size));
    const w = writer(dir, 'late', 3, 'single', { KUBESIM_STORE_FAULT: 'trim-copied:stop' });
    await until('the trimmer to stop after its copy', () => procState(w.child.pid!) === 'T');
    assert.equal(existsSync(join(dir, 'lock')), false, 'nobody holds the lock while the copy is made');
    assert.ok(existsSync(join(dir, 'journal.trim')), 'the trimmer claimed the trim');
    // Another writer gets the lock at once and writes (it does not trim: the claim is taken).
    const other = new FileStore(dir, { fsync: false });
    const t = Date.now();
    other.create('configmaps/default/meanwhile-0', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'meanwhile-0', namespace: 'default' }, data: { i: '0' } });
    assert.ok(Date.now() - t < 10_000, 'the write did not wait for the stopped trimmer');
    assert.equal(statSync(join(dir, 'journal.log')).ino, before.ino, 'the other writer did not trim');
    other.close();
    process.kill(w.child.pid!, 'SIGCONT');
    await exited(w.child);
    assert.equal(w.child.exitCode, 0);
    const after = statSync(join(dir, 'journal.log'));
    assert.notEqual(after.ino, before.ino, 'the journal was replaced');
    assert.ok(after.size < before.size, 'by its newer part');
    assert.deepEqual(leftovers(dir), []);
    assertAll(dir, [...Array.from({ length: 180 }, (_, i) => `seed-${i}`), 'meanwhile-0', ...w.acked]);
    const reader = new FileStore(dir, { fsync: false });
    assert.ok(reader.changesSince(reader.currentRev() - 4).some((e) => e.key === 'configmaps/default/meanwhile-0'), "the write made during the copy is in the swapped-in journal");
    assert.equal(reader.changesSince(0).length, 0, 'a consumer from before the kept part re-lists');
    reader.close();
    assertFilesCurrent(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a trimmer killed under the lock just before its swap: the journal is whole, the next writer trims', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-trim-'));
  try {
    // fsync on, files written by a group's compaction: the power-loss marker is set, so the
    // trim syncs the files before it drops lines and moves the marker past them.
    const group = writer(dir, 'g', 200, 'group', { TEST_FSYNC: '1' });
    await exited(group.child);
    assert.equal(group.child.exitCode, 0);
    assert.ok(existsSync(join(dir, 'unsynced')), 'files were written without their own fsync');
    const w = writer(dir, 'k', 50, 'single', { KUBESIM_STORE_FAULT: 'trim-swap:kill', TEST_FSYNC: '1' });
    await exited(w.child);
    assert.equal(w.child.signalCode, 'SIGKILL', 'killed at the swap');
    assert.ok(statSync(join(dir, 'journal.log')).size > LIMIT, 'not trimmed');
    assertAll(dir, [...group.acked, ...w.acked]);
    const next = writer(dir, 'n', 3, 'single', { TEST_FSYNC: '1' });
    await exited(next.child);
    assert.equal(next.child.exitCode, 0);
    assert.ok(statSync(join(dir, 'journal.log')).size < LIMIT, 'the next writer trimmed (its stale claim taken over)');
    assert.deepEqual(leftovers(dir), [], "the dead trimmer's copy and claim are gone");
    // A reboot's replay starts at the marker: the journal must still hold every entry after it.
    const marker = Number(readFileSync(join(dir, 'unsynced'), 'utf8').trim().split(' ')[1]);
    const firstKept = Number(/^(?:\{"trim":\d+\}\n)?\{"rev":(\d+),/.exec(readFileSync(join(dir, 'journal.log'), 'utf8'))![1]); // after the trim's header
    assert.ok(marker >= firstKept - 1, `marker ${marker} vs the journal's first revision ${firstKept}`);
    assertAll(dir, [...group.acked, ...w.acked, ...next.acked]);
    assertFilesCurrent(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a long group past the limit writes its tail in slices: a holder killed inside one loses nothing', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-trim-'));
  try {
    // One group writing for over 3 s: it gives the lock up mid-pass (HOLD_MAX_MS) with every
    // write deferred, the journal well past its limit: that release writes a slice.
    const big = writer(dir, 'g', 1_000_000, 'group', { KUBESIM_STORE_FAULT: 'compaction-files:kill' });
    await exited(big.child);
    assert.equal(big.child.signalCode, 'SIGKILL', 'killed while writing a slice of the tail');
    assert.ok(big.acked.length > 256, `killed mid-group (${big.acked.length} acknowledged)`);
    const s = new FileStore(dir, { fsync: false });
    const rev = existsSync(join(dir, 'rev')) ? Number(readFileSync(join(dir, 'rev'), 'utf8')) : 0;
    assert.ok(rev < s.currentRev(), '`rev` stayed behind the tail the slice was writing');
    s.close();
    assertAll(dir, big.acked);
    // The next writer's group end writes a slice of that tail (test/store/compaction.test.ts
    // follows a round to its end); a compaction of all of it leaves every file current.
    const next = writer(dir, 'n', 1, 'group');
    await exited(next.child);
    assert.equal(next.child.exitCode, 0);
    assertAll(dir, [...big.acked, ...next.acked]);
    const later = new FileStore(dir, { fsync: false });
    later.compact();
    later.close();
    assertFilesCurrent(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
