// Between its lock holds, a store whose journal is as it left it (nobody wrote since its last
// release) lists trusting what it checked of the object files in this hold generation, as
// under the lock: the daemon's lists at rest (the garbage collector's minute over 100,000 pods, the
// first page of `get pods -A`) cost no lstat per file. Any other writer changes the journal,
// and the next read is checked file by file again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import type { KObject } from '../../src/api/types';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

// Taken once: the ESM binding of a patched builtin follows the patch (syncBuiltinESMExports).
const lstatSync = fs.lstatSync;

/** Runs `fn` counting the lstat calls on files under `dir`/registry (the store reads fs through the module object). */
function lstatsUnder<T>(dir: string, fn: () => T): { calls: number; value: T } {
  let calls = 0;
  const registry = join(dir, 'registry') + '/';
  // Declared const in @types/node; the module object's member is writable.
  const mod = fs as unknown as { lstatSync: unknown };
  mod.lstatSync = (file: fs.PathLike, ...rest: unknown[]) => {
    if (String(file).startsWith(registry)) calls++;
    return (lstatSync as (...a: unknown[]) => unknown)(file, ...rest);
  };
  syncBuiltinESMExports();
  try {
    const value = fn();
    return { calls, value };
  } finally {
    mod.lstatSync = lstatSync;
    syncBuiltinESMExports();
  }
}

test('file store: between holds, with the journal as left, lists trust the files this generation checked; any other writer ends that', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-asleft-'));
  try {
    const daemon = new FileStore(dir, { fsync: false });
    const user = new FileStore(dir, { fsync: false });
    for (let i = 0; i < 50; i++) user.create(`configmaps/default/u${i}`, cm(`u${i}`, '0'));
    daemon.group(() => {
      for (let i = 0; i < 50; i++) daemon.create(`configmaps/default/d${i}`, cm(`d${i}`, '0'));
    });
    // The objects another store wrote are checked once (an lstat each), then trusted.
    const first = lstatsUnder(dir, () => daemon.list('configmaps'));
    assert.equal(first.value.items.length, 100);
    assert.ok(first.calls >= 50, `the first list checks the files it did not write (${first.calls} lstats)`);
    const again = lstatsUnder(dir, () => daemon.list('configmaps'));
    assert.equal(again.value.items.length, 100);
    assert.equal(again.calls, 0);
    // `get` still checks its one file: a file replaced by hand (no journal line) shows at once.
    const file = join(dir, 'registry', 'configmaps', 'default', 'u7');
    writeFileSync(file + '.new', JSON.stringify(cm('u7', 'h'), null, 2) + '\n');
    renameSync(file + '.new', file);
    const one = lstatsUnder(dir, () => daemon.get('configmaps/default/u7'));
    assert.equal(one.value?.data.v, 'h');
    assert.equal(one.calls, 1);
    // Its own writes keep the trust (it wrote the journal and the files itself).
    daemon.update('configmaps/default/d3', cm('d3', '1'));
    const own = lstatsUnder(dir, () => daemon.list('configmaps'));
    assert.equal(own.calls, 1); // the file `get` read again, checked once more for this generation
    assert.equal(own.value.items.find((o) => o.metadata.name === 'd3')?.data.v, '1');
    assert.equal(own.value.items.find((o) => o.metadata.name === 'u7')?.data.v, 'h');
    assert.equal(lstatsUnder(dir, () => daemon.list('configmaps')).calls, 0);

    // Another writer: same-size rewrites, a new object and a deletion are all seen, checked file by file.
    user.update('configmaps/default/u7', cm('u7', '1'));
    user.update('configmaps/default/d3', cm('d3', '2'));
    user.create('configmaps/default/new', cm('new', '0'));
    user.delete('configmaps/default/u8');
    const after = lstatsUnder(dir, () => daemon.list('configmaps'));
    assert.ok(after.calls > 0);
    const byName = new Map(after.value.items.map((o) => [o.metadata.name, o.data.v]));
    assert.equal(byName.get('u7'), '1');
    assert.equal(byName.get('d3'), '2');
    assert.equal(byName.get('new'), '0');
    assert.equal(byName.has('u8'), false);
    assert.equal(daemon.get('configmaps/default/u7')?.data.v, '1');
    // Once the daemon writes again (a take that sees the change), its reads are trusted again and right.
    daemon.update('configmaps/default/d0', cm('d0', '1'));
    const later = lstatsUnder(dir, () => daemon.list('configmaps'));
    assert.equal(later.value.items.length, 100);
    assert.equal(new Map(later.value.items.map((o) => [o.metadata.name, o.data.v])).get('u7'), '1');
    const settled = lstatsUnder(dir, () => daemon.list('configmaps'));
    assert.equal(settled.calls, 0);
    assert.deepEqual(settled.value.items, later.value.items);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
