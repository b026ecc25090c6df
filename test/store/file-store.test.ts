// The file store's contract: revisions, compare-and-swap, the journal, key safety, crash
// leftovers and concurrent writers in several processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, symlinkSync, readFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { MemoryStore } from '../../src/store/memory-store';
import { KeyExistsError, RevisionConflictError, StoreError, type SyncStore as Store } from '../../src/store/store';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const cm = (name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

function contract(name: string, make: (dir: string) => Store): void {
  test(`${name}: revisions increase, CAS rejects stale writes, journal records changes`, () =>
    withTempDir('kubesim-store-', (dir) => {
      const s = make(dir);
      const a = s.create('configmaps/default/a', cm('a'));
      const b = s.create('configmaps/default/b', cm('b'));
      assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
      assert.throws(() => s.create('configmaps/default/a', cm('a')), KeyExistsError);
      const a2 = s.update('configmaps/default/a', cm('a', '2'), Number(a.metadata.resourceVersion));
      assert.throws(() => s.update('configmaps/default/a', cm('a', '3'), Number(a.metadata.resourceVersion)), RevisionConflictError);
      assert.equal(s.get('configmaps/default/a')!.data.v, '2');
      assert.deepEqual(s.list('configmaps').items.map((o) => o.metadata.name), ['a', 'b']);
      s.delete('configmaps/default/b');
      assert.equal(s.get('configmaps/default/b'), undefined);
      const changes = s.changesSince(Number(a.metadata.resourceVersion));
      // Every change once, in revision order, each with the object as of its revision.
      assert.deepEqual(
        changes.map((c) => [c.type, c.key, c.rev, c.object.metadata.resourceVersion]),
        [
          ['ADDED', 'configmaps/default/b', 2, '2'],
          ['MODIFIED', 'configmaps/default/a', 3, '3'],
          ['DELETED', 'configmaps/default/b', 4, '4'],
        ],
      );
      assert.equal(changes[1].object.data.v, '2');
      assert.equal(s.currentRev(), Number(a2.metadata.resourceVersion) + 1);
    }));

  test(`${name}: keys that could leave the state directory are refused`, () =>
    withTempDir('kubesim-store-', (dir) => {
      const s = make(dir);
      for (const key of ['configmaps/default/..', 'configmaps/../../etc/passwd', 'configmaps/default/a\0b', 'configmaps//x']) {
        assert.throws(() => s.create(key, cm('x')), StoreError, key);
      }
    }));
}

contract('file store', (dir) => new FileStore(dir, { fsync: false }));
contract('memory store', () => new MemoryStore());

test('file store: files are private, JSON readable with cat', () =>
  withTempDir('kubesim-store-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    s.create('secrets/default/s', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { k: 'dg==' } });
    const file = join(dir, 'registry', 'secrets', 'default', 's');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'registry', 'secrets')).mode & 0o777, 0o700);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).data.k, 'dg==');
  }));

test('file store: a symlink planted in the registry is not followed', () =>
  withTempDir('kubesim-store-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    const outside = mkdtempSync(join(tmpdir(), 'kubesim-outside-'));
    try {
      mkdirSync(join(dir, 'registry', 'configmaps'), { recursive: true });
      symlinkSync(outside, join(dir, 'registry', 'configmaps', 'default'));
      assert.throws(() => s.create('configmaps/default/x', cm('x')), StoreError);
      assert.deepEqual(s.list('configmaps').items, []);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  }));

test('file store: a crash leftover (stale lock, torn journal line) does not block or corrupt', () =>
  withTempDir('kubesim-store-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/a', cm('a'));
    writeFileSync(join(dir, 'lock'), '999999999\n'); // a pid that does not exist
    writeFileSync(join(dir, 'journal.log'), readFileSync(join(dir, 'journal.log'), 'utf8') + '{"rev":57,"ty');
    const b = new FileStore(dir, { fsync: false }).create('configmaps/default/b', cm('b'));
    assert.ok(Number(b.metadata.resourceVersion) > 1);
    assert.equal(s.list('configmaps').items.length, 2);
  }));

test('file store: concurrent writers in separate processes never reuse a revision', () =>
  withTempDir('kubesim-store-', (dir) => {
    const script = `
      const { FileStore } = require(${JSON.stringify(join(__dirname, '../../src/store/file-store.ts'))});
      const s = new FileStore(process.argv[1], { fsync: false });
      for (let i = 0; i < 40; i++) s.create('configmaps/default/' + process.argv[2] + '-' + i, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: process.argv[2] + '-' + i } });
    `;
    const procs = Array.from({ length: 4 }, (_, i) =>
      spawnSync(process.execPath, ['--import', 'tsx', '-e', script, dir, `w${i}`], { encoding: 'utf8' }),
    );
    for (const p of procs) assert.equal(p.status, 0, p.stderr);
    const items = new FileStore(dir).list('configmaps').items;
    assert.equal(items.length, 160);
    const revs = new Set(items.map((o) => o.metadata.resourceVersion));
    assert.equal(revs.size, 160, 'every write got its own revision');
  }));
