// The file store keeps the kubelet's runtime records (`kubelet-pod-<uid>`) 256 to a file
// (`meta/kubelet-runtime-<hh>.json`): a lock release writes at most 256 files whatever the
// number of pods. Records written by two stores (two processes) into one file both stay; a
// record an older version left in its own file is read from there and removed for good.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { recordFileOf } from '../../src/store/file-store-meta';

function withTemp(fn: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-records-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const rec = (uid: string) => `kubelet-pod-${uid}`;
const metaFiles = (dir: string) => readdirSync(join(dir, 'meta')).filter((n) => !n.startsWith('.'));

test('1,000 records written in a group land in at most 256 files, read back by another store', withTemp((dir) => {
  const s = new FileStore(dir, { fsync: false });
  s.group(() => {
    for (let i = 0; i < 1000; i++) s.writeMeta(rec(`uid-${i}`), { uid: `uid-${i}`, phase: 'running', n: i });
  });
  const files = metaFiles(dir);
  assert.ok(files.length <= 256 && files.length > 100, `${files.length} files`);
  assert.ok(files.every((n) => /^kubelet-runtime-[0-9a-f]{2}\.json$/.test(n)), files.join(' '));
  const other = new FileStore(dir, { fsync: false });
  for (let i = 0; i < 1000; i++) assert.deepEqual(other.readMeta(rec(`uid-${i}`)), { uid: `uid-${i}`, phase: 'running', n: i });
  // Every record in its hash's file, once.
  let count = 0;
  for (const n of files) count += Object.keys(JSON.parse(readFileSync(join(dir, 'meta', n), 'utf8'))).length;
  assert.equal(count, 1000);
}));

test('two stores writing records of one file in turn: neither loses the other\'s', withTemp((dir) => {
  // Two uids whose records share a file.
  const uids: string[] = [];
  const file = recordFileOf(rec('a-0'))!;
  for (let i = 0; uids.length < 2; i++) if (recordFileOf(rec(`a-${i}`)) === file) uids.push(`a-${i}`);
  const a = new FileStore(dir, { fsync: false });
  const b = new FileStore(dir, { fsync: false });
  a.group(() => a.writeMeta(rec(uids[0]), { v: 'a1' }));
  b.group(() => b.writeMeta(rec(uids[1]), { v: 'b1' }));
  a.group(() => a.writeMeta(rec(uids[0]), { v: 'a2' }));
  b.writeMeta(rec(uids[1]), { v: 'b2' }); // outside a group: at once, under the lock
  for (const s of [a, b, new FileStore(dir, { fsync: false })]) {
    assert.deepEqual(s.readMeta(rec(uids[0])), { v: 'a2' });
    assert.deepEqual(s.readMeta(rec(uids[1])), { v: 'b2' });
  }
  b.group(() => b.deleteMeta(rec(uids[1])));
  assert.deepEqual(a.readMeta(rec(uids[0])), { v: 'a2' });
  assert.equal(a.readMeta(rec(uids[1])), undefined);
  a.deleteMeta(rec(uids[0]));
  assert.equal(existsSync(join(dir, 'meta', `${file}.json`)), false, 'a file of no records is removed');
}));

test('a record in its own file (an older version\'s) is read, replaced, and removed for good', withTemp((dir) => {
  const s = new FileStore(dir, { fsync: false });
  s.writeMeta('clock', { realAnchor: 0, virtualAnchor: 0, speed: 1 }); // makes meta/
  writeFileSync(join(dir, 'meta', `${rec('old')}.json`), JSON.stringify({ v: 'legacy' }));
  assert.deepEqual(s.readMeta(rec('old')), { v: 'legacy' });
  s.group(() => s.writeMeta(rec('old'), { v: 'new' }));
  assert.deepEqual(new FileStore(dir, { fsync: false }).readMeta(rec('old')), { v: 'new' });
  s.group(() => s.deleteMeta(rec('old')));
  assert.equal(new FileStore(dir, { fsync: false }).readMeta(rec('old')), undefined, 'the old file does not come back');
  assert.equal(existsSync(join(dir, 'meta', `${rec('old')}.json`)), false);
}));

test('other documents keep a file of their own', withTemp((dir) => {
  const s = new FileStore(dir, { fsync: false });
  s.group(() => {
    s.writeMeta('kubelet-ipam-node-1', { '10.244.1.2': 'u' });
    s.writeMeta('kubelet-runtime-x', { not: 'a record' });
  });
  assert.deepEqual(metaFiles(dir).sort(), ['kubelet-ipam-node-1.json', 'kubelet-runtime-x.json']);
  assert.deepEqual(s.readMeta('kubelet-runtime-x'), { not: 'a record' });
}));

test('a holder checks a file of records once per hold; another store\'s write between holds is read', withTemp((dir) => {
  // Two uids whose records share a file: one written in the hold (pending), the other read from the file.
  const uids: string[] = [];
  const file = recordFileOf(rec('h-0'))!;
  for (let i = 0; uids.length < 2; i++) if (recordFileOf(rec(`h-${i}`)) === file) uids.push(`h-${i}`);
  const a = new FileStore(dir, { fsync: false });
  const b = new FileStore(dir, { fsync: false });
  b.group(() => b.writeMeta(rec(uids[1]), { v: 'b1' }));
  // The CommonJS module object itself (what the store's `import * as fs` reads through).
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod.lstatSync as (p: string, o?: object) => unknown;
  const checks = { n: 0 };
  mod.lstatSync = (p: string, o?: object) => {
    if (String(p).endsWith(`/${file}.json`)) checks.n++;
    return orig(p, o);
  };
  try {
    const readInHold = (s: FileStore) => {
      checks.n = 0;
      const seen: unknown[] = [];
      s.group(() => {
        s.writeMeta(rec(uids[0]), { v: 'a' }); // takes the lock
        for (let i = 0; i < 5; i++) seen.push(s.readMeta(rec(uids[1])));
      });
      return seen;
    };
    assert.deepEqual(readInHold(a), Array(5).fill({ v: 'b1' }));
    // Five reads in the hold, then the release's rewrite of the file: one check to read, one after the write.
    assert.ok(checks.n <= 2, `${checks.n} lstat calls of ${file}.json`);
    b.group(() => b.writeMeta(rec(uids[1]), { v: 'b2' }));
    assert.deepEqual(readInHold(a), Array(5).fill({ v: 'b2' }), 'a new hold checks the file again');
    assert.ok(checks.n <= 2, `${checks.n} lstat calls of ${file}.json`);
    // Outside a hold every read checks the file.
    checks.n = 0;
    for (let i = 0; i < 3; i++) assert.deepEqual(a.readMeta(rec(uids[1])), { v: 'b2' });
    assert.equal(checks.n, 3);
  } finally {
    mod.lstatSync = orig;
  }
}));
