// The journal is the commit point: a writer stopped (or killed) between appending its
// journal line and renaming the object file into place is already visible to readers, whole
// and in order, and a watch under many concurrent writer processes sees every revision once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import type { WatchEvent } from '../../src/store/store';
import { procState, untilTrue } from '../helpers/process';

const STORE = JSON.stringify(join(__dirname, '../../src/store/file-store.ts'));

function writer(dir: string, prefix: string, count: number, env: Record<string, string> = {}): ChildProcess {
  const script = `
    const { FileStore } = require(${STORE});
    const s = new FileStore(process.argv[1], { fsync: false });
    for (let i = 0; i < Number(process.argv[3]); i++) {
      const name = process.argv[2] + '-' + i;
      s.create('configmaps/default/' + name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { i: String(i) } });
    }
  `;
  return spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, prefix, String(count)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

const until = (what: string, cond: () => boolean, ms = 20_000) => untilTrue(what, cond, ms);
const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

test('a writer stopped between the journal append and the rename is already committed for every reader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-commit-'));
  try {
    new FileStore(dir, { fsync: false }).create('configmaps/default/before', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', namespace: 'default' } });
    const child = writer(dir, 'victim', 1, { KUBESIM_STORE_FAULT: 'after-journal:stop@victim' });
    await until('the writer to stop at the fault point', () => procState(child.pid!) === 'T');
    const file = join(dir, 'registry', 'configmaps', 'default', 'victim-0');
    assert.equal(existsSync(file), false, 'the object file is not in place yet');
    const reader = new FileStore(dir, { fsync: false });
    const events = reader.changesSince(1);
    assert.deepEqual(events.map((e) => [e.type, e.key, e.rev]), [['ADDED', 'configmaps/default/victim-0', 2]]);
    assert.equal(events[0].object.data.i, '0');
    assert.equal(reader.get('configmaps/default/victim-0')?.metadata.resourceVersion, '2');
    const listed = reader.list('configmaps');
    assert.deepEqual(listed.items.map((o) => o.metadata.name), ['before', 'victim-0']);
    assert.equal(listed.rev, 2);
    assert.equal(reader.currentRev(), 2);
    process.kill(child.pid!, 'SIGCONT');
    assert.equal(await exited(child), 0);
    assert.equal(existsSync(file), true);
    assert.deepEqual(reader.changesSince(2), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a writer killed between the journal append and the rename: the next writer puts its object in place', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-commit-'));
  try {
    const child = writer(dir, 'victim', 1, { KUBESIM_STORE_FAULT: 'after-journal:kill@victim' });
    await exited(child);
    assert.equal(child.signalCode, 'SIGKILL');
    const file = join(dir, 'registry', 'configmaps', 'default', 'victim-0');
    assert.equal(existsSync(file), false);
    const s = new FileStore(dir, { fsync: false });
    assert.equal(s.get('configmaps/default/victim-0')?.metadata.resourceVersion, '1', 'committed: readers see it');
    const next = s.create('configmaps/default/next', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'next', namespace: 'default' } });
    assert.equal(next.metadata.resourceVersion, '2', 'no revision is handed out twice');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).metadata.resourceVersion, '1', 'replayed into the file');
    assert.equal(readFileSync(join(dir, 'rev'), 'utf8').trim(), '2');
    assert.deepEqual(s.changesSince(0).map((e) => [e.type, e.rev]), [['ADDED', 1], ['ADDED', 2]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a watch under 10 concurrent writer processes sees every revision once, in order, with its object', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-commit-'));
  const WRITERS = 10;
  const EACH = 30;
  try {
    const watcher = new FileStore(dir, { fsync: false });
    const kids = Array.from({ length: WRITERS }, (_, i) => writer(dir, `w${i}`, EACH));
    const done = Promise.all(kids.map(exited));
    let finished = false;
    // The watch is judged once the writers are done (10 s more to catch up): on a loaded
    // machine the writers alone can take over a minute, and a fixed deadline counted
    // unwritten revisions as missed ones.
    let deadline = Infinity;
    void done.then(() => ((finished = true), (deadline = Date.now() + 10_000)));
    const seen: WatchEvent[] = [];
    let rev = 0;
    while (seen.length < WRITERS * EACH && Date.now() < deadline) {
      for (const e of watcher.changesSince(rev)) {
        seen.push(e);
        rev = e.rev;
      }
      // Poll as fast as a busy watcher does, but let the children run.
      await new Promise((r) => setTimeout(r, finished ? 50 : 2));
    }
    assert.deepEqual(await done, Array(WRITERS).fill(0));
    assert.equal(seen.length, WRITERS * EACH);
    seen.forEach((e, i) => {
      assert.equal(e.rev, i + 1, 'contiguous, in order, once');
      assert.equal(e.type, 'ADDED');
      assert.equal(e.object.metadata.resourceVersion, String(e.rev), 'the object as of that revision');
    });
    assert.equal(new Set(seen.map((e) => e.key)).size, WRITERS * EACH);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
