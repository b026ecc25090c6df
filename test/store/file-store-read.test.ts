// FileStoreReader (the start-up fast path's read of one object, src/api/fast-read.ts) answers
// what FileStore.get answers: an object committed in the journal whose file is not written yet
// (a group's write, a deletion), an object whose file a symlink replaced (not followed), a
// key that would leave the store (refused), a damaged `rev` (refused), meta documents.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, existsSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { FileStoreReader } from '../../src/store/file-store-read';
import type { KObject } from '../../src/api/types';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
const key = (name: string) => `configmaps/default/${name}`;

function withStore(fn: (dir: string, s: FileStore) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-reader-'));
    const s = new FileStore(dir, { fsync: false });
    try {
      fn(dir, s);
    } finally {
      s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** What a fresh FileStore and a fresh reader answer for `k`: they must agree. */
function both(dir: string, k: string): KObject | undefined {
  const viaStore = new FileStore(dir, { fsync: false, create: false }).get(k);
  const viaReader = new FileStoreReader(dir).get(k);
  assert.deepEqual(viaReader, viaStore, k);
  return viaReader;
}

test('a write committed in the journal is read before its file exists (a group), and a deletion too', withStore((dir, s) => {
  s.create(key('old'), cm('old', '0'));
  s.create(key('kept'), cm('kept', '0'));
  s.group(() => {
    s.batch(() => s.create(key('a'), cm('a', '1')));
    s.batch(() => s.update(key('a'), cm('a', '2')));
    s.batch(() => s.delete(key('old')));
    assert.equal(existsSync(join(dir, 'registry', key('a'))), false, 'the file follows at the end of the group');
    assert.equal(both(dir, key('a'))?.data.v, '2');
    assert.equal(both(dir, key('a'))?.metadata.resourceVersion, '4');
    assert.equal(both(dir, key('old')), undefined);
    assert.equal(both(dir, key('kept'))?.data.v, '0');
    assert.equal(both(dir, key('never')), undefined);
  });
  assert.equal(both(dir, key('a'))?.data.v, '2');
  assert.equal(both(dir, key('old')), undefined);
}));

test('a symlink in place of an object file is not followed; keys that would leave the store are refused', withStore((dir, s) => {
  s.create(key('a'), cm('a', '1'));
  const outside = join(dir, 'outside.json');
  writeFileSync(outside, JSON.stringify(cm('a', 'planted')));
  unlinkSync(join(dir, 'registry', key('a')));
  symlinkSync(outside, join(dir, 'registry', key('a')));
  const reader = new FileStoreReader(dir);
  const store = new FileStore(dir, { fsync: false, create: false });
  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  const read = outcome(() => reader.get(key('a')));
  assert.deepEqual(read, outcome(() => store.get(key('a'))));
  assert.notEqual((read as { value?: KObject }).value?.data?.v, 'planted');
  for (const bad of ['configmaps/default/../../../etc', '../x', 'configmaps//a', '']) {
    assert.throws(() => reader.get(bad), (e: Error) => e.message === outcome(() => store.get(bad)).error, bad);
  }
}));

test('a folder of the registry that a symlink replaced is not followed, the store named by an absolute or a relative path', withStore((dir, s) => {
  s.create(key('a'), cm('a', '1'));
  const outside = mkdtempSync(join(tmpdir(), 'kubesim-outside-'));
  try {
    // Namespace `other` of configmaps: a folder elsewhere holding a well-formed object file.
    writeFileSync(join(outside, 'b'), JSON.stringify({ ...cm('b', 'planted'), metadata: { name: 'b', namespace: 'other', resourceVersion: '1' } }));
    symlinkSync(outside, join(dir, 'registry', 'configmaps', 'other'));
    assert.equal(both(dir, 'configmaps/other/b'), undefined);
    const rel = relative(process.cwd(), dir);
    assert.ok(!rel.startsWith('/'), rel);
    assert.equal(new FileStoreReader(rel).get('configmaps/other/b'), undefined);
    assert.equal(new FileStoreReader(rel).get(key('a'))?.data?.v, '1');
    // A real folder in its place: read through both paths.
    rmSync(join(dir, 'registry', 'configmaps', 'other'));
    mkdirSync(join(dir, 'registry', 'configmaps', 'other'));
    writeFileSync(join(dir, 'registry', 'configmaps', 'other', 'b'), JSON.stringify({ ...cm('b', 'real'), metadata: { name: 'b', namespace: 'other', resourceVersion: '1' } }));
    assert.equal(new FileStoreReader(dir).get('configmaps/other/b')?.data?.v, 'real');
    assert.equal(new FileStoreReader(rel).get('configmaps/other/b')?.data?.v, 'real');
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
}));

test('a damaged rev is refused as the store refuses it; meta documents read as the store reads them', withStore((dir, s) => {
  s.create(key('a'), cm('a', '1'));
  s.writeMeta('clock', { realAnchor: 1, virtualAnchor: 2, speed: 1, frozenAt: 3 });
  assert.deepEqual(new FileStoreReader(dir).readMeta('clock'), { realAnchor: 1, virtualAnchor: 2, speed: 1, frozenAt: 3 });
  assert.equal(new FileStoreReader(dir).readMeta('absent'), undefined);
  writeFileSync(join(dir, 'rev'), 'garbage\n');
  assert.throws(() => new FileStoreReader(dir).get(key('a')), /the revision counter .* is damaged/);
}));
