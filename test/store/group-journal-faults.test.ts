// Inside a group (a reconcile pass) the journal is the only place a write is: what a task
// of the process read while another's batch awaits is in it; a failed append (a full disk)
// fails the batch and leaves nothing of it, the holder's view and the next revision as the
// journal says; a holder killed in the middle of an append leaves whole lines only, and the
// next writer cuts the torn one. (Guards for round 61's tried change, docs/perf-issue-18.md:
// a batch's lines appended together at its end, reverted for no measured gain.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { EngineStore } from '../../src/store/async-store';
import { StoreError } from '../../src/store/store';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const cm = (name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

/** Replaces fs.writeSync while fn runs (the store reads it through the module object). */
function patchedWrite(impl: (orig: typeof fs.writeSync) => typeof fs.writeSync, fn: () => void): void {
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod.writeSync as typeof fs.writeSync;
  mod.writeSync = impl(orig);
  try {
    fn();
  } finally {
    mod.writeSync = orig;
  }
}

const isJournalWrite = (data: unknown) => Buffer.isBuffer(data) && data.includes('{"rev":');
const journalRevs = (dir: string) => fs.readFileSync(join(dir, 'journal.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).rev as number);

test('group: another task reading while a batch awaits finds the batch\'s writes in the journal', () => withTempDir('kubesim-batch-lines-', async (dir) => {
  const s = new EngineStore(new FileStore(dir, { fsync: false }));
  const other = new FileStore(dir, { fsync: false });
  let seenByTask = '';
  let inJournal: string | undefined;
  let resume!: () => void;
  const paused = new Promise<void>((r) => (resume = r));
  let wrote!: () => void;
  const firstWritten = new Promise<void>((r) => (wrote = r));
  await s.group(async () => {
    const batch = s.batch(async () => {
      await s.create('configmaps/default/a', cm('a', 'first'));
      wrote();
      await paused; // the batch awaits: the event loop turns, another task runs
      await s.create('configmaps/default/b', cm('b'));
    });
    await firstWritten;
    // Another task: its read sees the batch's first write, so that write must be in the file.
    seenByTask = (await s.get('configmaps/default/a'))!.data.v;
    inJournal = other.get('configmaps/default/a')?.data.v;
    resume();
    await batch;
  });
  assert.equal(seenByTask, 'first');
  assert.equal(inJournal, 'first', 'what another task read is in the journal');
  assert.deepEqual(journalRevs(dir), [1, 2]);
}));

test('group: a failed append (ENOSPC) fails the batch and leaves nothing of it; the next write takes the next revision', () => withTempDir('kubesim-batch-lines-', (dir) => {
  const s = new FileStore(dir, { fsync: false });
  s.create('configmaps/default/a', cm('a'));
  const journalBefore = fs.readFileSync(join(dir, 'journal.log'), 'utf8');
  s.group(() => {
    s.batch(() => s.update('configmaps/default/a', cm('a', '2')));
    patchedWrite(
      (orig) => ((fd: number, data: Buffer, ...rest: unknown[]) => {
        if (isJournalWrite(data) && data.includes('victim')) throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' });
        return (orig as (...a: unknown[]) => number)(fd, data, ...rest);
      }) as typeof fs.writeSync,
      () =>
        assert.throws(
          () =>
            s.batch(() => {
              s.create('configmaps/default/victim', cm('victim'));
              s.update('configmaps/default/a', cm('a', 'lost'));
            }),
          (e: unknown) => e instanceof StoreError && /no space left on device/.test(e.message),
        ),
    );
    // The holder's view is the journal's again: the batch before stays, the failed one is gone.
    assert.equal(s.get('configmaps/default/victim'), undefined);
    assert.equal(s.get('configmaps/default/a')!.data.v, '2');
    assert.equal(s.currentRev(), 2);
    assert.deepEqual(s.changesSince(1).map((e) => `${e.key} ${e.rev} ${e.object.data.v}`), ['configmaps/default/a 2 2']);
    assert.equal(s.create('configmaps/default/c', cm('c')).metadata.resourceVersion, '3');
  });
  assert.ok(fs.readFileSync(join(dir, 'journal.log'), 'utf8').startsWith(journalBefore));
  assert.deepEqual(journalRevs(dir), [1, 2, 3]);
  const fresh = new FileStore(dir, { fsync: false });
  assert.equal(fresh.get('configmaps/default/victim'), undefined);
  assert.equal(fresh.get('configmaps/default/a')!.data.v, '2');
  assert.equal(fresh.get('configmaps/default/c')!.metadata.resourceVersion, '3');
}));

test('group: a holder killed in the middle of an append leaves whole lines; the next writer cuts the torn one', () => withTempDir('kubesim-batch-lines-', async (dir) => {
  // The append of c-2's line is cut short in the middle of its name (a short write) and the
  // holder is killed there (the mid-journal fault point).
  const script = `
    const fs = require('node:fs');
    const { FileStore } = require(${JSON.stringify(join(__dirname, '../../src/store/file-store.ts'))});
    const s = new FileStore(process.argv[1], { fsync: false });
    s.create('configmaps/default/first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first', namespace: 'default' } });
    const orig = fs.writeSync;
    fs.writeSync = (fd, data, off, len, pos) => {
      if (Buffer.isBuffer(data) && data.includes('"c-2"')) {
        return orig(fd, data, off, data.indexOf('"c-2"') + 3 - off, pos);
      }
      return orig(fd, data, off, len, pos);
    };
    s.group(() => s.batch(() => {
      for (let i = 0; i < 4; i++) s.create('configmaps/default/c-' + i, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-' + i, namespace: 'default' } });
    }));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: 'inherit', env: { ...process.env, KUBESIM_STORE_FAULT: 'mid-journal:kill' } });
  await new Promise((r) => child.on('exit', r));
  assert.equal(child.signalCode, 'SIGKILL');
  assert.ok(!fs.readFileSync(join(dir, 'journal.log'), 'utf8').endsWith('\n'), 'the append was torn');
  const reader = new FileStore(dir, { fsync: false });
  assert.deepEqual(reader.list('configmaps').items.map((o) => `${o.metadata.name} ${o.metadata.resourceVersion}`), ['c-0 2', 'c-1 3', 'first 1']);
  const next = new FileStore(dir, { fsync: false });
  assert.equal(next.create('configmaps/default/after', cm('after')).metadata.resourceVersion, '4');
  assert.deepEqual(journalRevs(dir), [1, 2, 3, 4]);
}));
