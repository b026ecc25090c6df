// RegistryFiles remembers a folder's listing while the store holds the lock, so that a new
// Event's name costs no lstat and a list no readdir. A settled daemon keeps the events folder's
// listing: five or so entries a pod (535,000 at 100,000 pods), so what an entry costs matters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RegistryFiles } from '../../src/store/file-store-files';
import type { KObject } from '../../src/api/types';
import { heapGrowth } from '../helpers/heap';

function registry(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-listing-'));
}

const obj = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } }) as unknown as KObject;

test('a remembered listing answers presence, follows this holder\'s writes and keeps key order with folders', (t) => {
  const reg = registry();
  t.after(() => fs.rmSync(reg, { recursive: true, force: true }));
  const dir = path.join(reg, 'configmaps', 'ns');
  fs.mkdirSync(path.join(dir, 'a'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'a-b'), { recursive: true });
  for (const [file, name] of [['a-b/x', 'x'], ['a/x', 'x'], ['b', 'b'], ['a.c', 'a.c']]) fs.writeFileSync(path.join(dir, file), JSON.stringify(obj(name)));
  fs.symlinkSync(path.join(dir, 'b'), path.join(dir, 'link'));
  const files = new RegistryFiles(reg, () => true);

  assert.equal(files.readUnshared('configmaps/ns/none', path.join(dir, 'none')), undefined);
  assert.equal(files.knownPresent(path.join(dir, 'b')), true);
  assert.equal(files.knownPresent(path.join(dir, 'none')), false);

  // Key (etcd) order, folders as their name + '/' (their files here are not objects of these
  // keys: skipped as damaged); the symlink is skipped with a warning.
  const write = process.stderr.write;
  const warned: string[] = [];
  process.stderr.write = ((s: string) => (warned.push(String(s)), true)) as typeof process.stderr.write;
  const out = new Map<string, KObject>();
  try {
    files.collect('configmaps/ns', out);
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual([...out.keys()], ['configmaps/ns/a.c', 'configmaps/ns/b']);
  const skipped = warned.filter((w) => w.includes('damaged')).map((w) => /ns\/(\S+) \(/.exec(w)?.[1]);
  assert.deepEqual(skipped, ['a-b/x', 'a/x'], warned.join(''));
  assert.ok(warned.some((w) => w.includes('a symlink, never followed')), warned.join(''));

  // This holder's writes keep the listing in step.
  fs.writeFileSync(path.join(dir, 'c'), JSON.stringify(obj('c')));
  files.noteWritten(path.join(dir, 'c'), obj('c'));
  assert.equal(files.knownPresent(path.join(dir, 'c')), true);
  fs.rmSync(path.join(dir, 'b'));
  files.noteWritten(path.join(dir, 'b'), null);
  assert.equal(files.knownPresent(path.join(dir, 'b')), false);
  const again = new Map<string, KObject>();
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    files.collect('configmaps/ns', again);
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual([...again.keys()], ['configmaps/ns/a.c', 'configmaps/ns/c']);
});

test('a remembered listing of 20,000 Events keeps their names and little else', (t) => {
  const reg = registry();
  t.after(() => fs.rmSync(reg, { recursive: true, force: true }));
  const dir = path.join(reg, 'events', 'default');
  fs.mkdirSync(dir, { recursive: true });
  const n = 20_000;
  for (let i = 0; i < n; i++) fs.writeFileSync(path.join(dir, `p-${i}.${(0x1879a0b1c2d3e4f5n + BigInt(i)).toString(16)}`), '');
  const listed = () =>
    heapGrowth([0], () => {
      const files = new RegistryFiles(reg, () => true);
      assert.equal(files.readUnshared('events/default/none', path.join(dir, 'none')), undefined);
      assert.equal(files.knownPresent(path.join(dir, `p-7.${(0x1879a0b1c2d3e4f5n + 7n).toString(16)}`)), true);
      return files;
    });
  // The smaller of two listings: the first also holds the code its first run compiled.
  const perEntry = Math.min(listed(), listed()) / n;
  // The name (~24 characters) and its slot: ~50 B; with an object per entry (main before
  // round 117) 88 B.
  assert.ok(perEntry < 65, `${perEntry.toFixed(1)} B an entry`);
});
