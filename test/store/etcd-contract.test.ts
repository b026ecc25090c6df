// One store contract, run against every driver as the API layer opens them (by URL through
// the registry): memory://, file:// and etcd:// (a real etcd member). Each case uses a
// resource name of its own, so the drivers start from an empty key range even on the one
// etcd shared by this file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { openStore, fileStoreUrl } from '../../src/store/registry';
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError, type Store } from '../../src/store/store';
import type { KObject } from '../../src/api/types';

const obj = (name: string, v = '1', namespace = 'default'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { v } });
const rv = (o: KObject): number => Number(o.metadata.resourceVersion);

let etcd: EtcdCluster;
const dirs: string[] = [];
const stores: Store[] = [];
before(async () => {
  etcd = await EtcdCluster.start(1);
});
after(async () => {
  for (const s of stores) await s.close();
  await etcd?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const drivers: [string, () => string][] = [
  ['memory', () => 'memory://'],
  ['file', () => {
    const d = mkdtempSync(join(tmpdir(), 'kubesim-contract-'));
    dirs.push(d);
    return fileStoreUrl(d) + '?fsync=0&create=1';
  }],
  ['etcd', () => etcd.url],
];

let n = 0;
async function open(url: string): Promise<{ s: Store; r: string }> {
  const s = await openStore(url);
  stores.push(s);
  return { s, r: `things${++n}` };
}

for (const [name, url] of drivers) {
  test(`${name} driver: revisions increase, CAS rejects stale writes, the feed records changes`, async () => {
    const { s, r } = await open(url());
    const a = await s.create(`${r}/default/a`, obj('a'));
    const b = await s.create(`${r}/default/b`, obj('b'));
    assert.ok(rv(b) > rv(a));
    await assert.rejects(s.create(`${r}/default/a`, obj('a')), KeyExistsError);
    const a2 = await s.update(`${r}/default/a`, obj('a', '2'), rv(a));
    const conflict = await s.update(`${r}/default/a`, obj('a', '3'), rv(a)).catch((e) => e);
    assert.ok(conflict instanceof RevisionConflictError);
    assert.equal(conflict.current?.data.v, '2');
    assert.equal((await s.get(`${r}/default/a`))!.data.v, '2');
    const list = await s.list(r);
    assert.deepEqual(list.items.map((o) => o.metadata.name), ['a', 'b']);
    assert.ok(list.rev >= rv(a2));
    const gone = await s.delete(`${r}/default/b`);
    assert.equal(gone.data.v, '1');
    assert.equal(rv(gone), rv(a2) + 1);
    assert.equal(await s.get(`${r}/default/b`), undefined);
    const changes = (await s.changesSince(rv(a))).filter((c) => c.key.startsWith(`${r}/`));
    // (the file journal keeps no bodies for states already gone, so b's ADDED may be skipped)
    assert.deepEqual(changes.filter((c) => c.type !== 'ADDED').map((c) => [c.type, c.key, c.rev]), [
      ['MODIFIED', `${r}/default/a`, rv(a2)],
      ['DELETED', `${r}/default/b`, rv(gone)],
    ]);
    assert.equal(changes.find((c) => c.type === 'DELETED')!.object.metadata.resourceVersion, String(rv(gone)));
    assert.equal(await s.currentRev(), rv(gone));
  });

  test(`${name} driver: missing keys, guarded deletes, unsafe keys`, async () => {
    const { s, r } = await open(url());
    await assert.rejects(s.update(`${r}/default/x`, obj('x')), KeyNotFoundError);
    await assert.rejects(s.update(`${r}/default/x`, obj('x'), 3), KeyNotFoundError);
    await assert.rejects(s.delete(`${r}/default/x`), KeyNotFoundError);
    const x = await s.create(`${r}/default/x`, obj('x'));
    await assert.rejects(s.delete(`${r}/default/x`, rv(x) + 100), RevisionConflictError);
    assert.equal(rv(await s.delete(`${r}/default/x`, rv(x))), rv(x) + 1);
    for (const key of [`${r}/default/..`, `${r}/../../etc/passwd`, `${r}/default/a\0b`, `${r}//x`]) {
      await assert.rejects(s.create(key, obj('x')), StoreError, key);
    }
  });

  test(`${name} driver: list order, filters, meta documents, batches`, async () => {
    const { s, r } = await open(url());
    // (the key's namespace segment is the object's namespace, as the file store checks)
    for (const k of ['b', 'a', 'c']) await s.create(`${r}/ns2/${k}`, obj(k, '1', 'ns2'));
    await s.create(`${r}/ns1/z`, obj('z', '1', 'ns1'));
    await s.create(`${r}x/ns1/y`, obj('y', '1', 'ns1')); // shares the text, not the directory
    assert.deepEqual((await s.list(r)).items.map((o) => `${o.metadata.name}`), ['z', 'a', 'b', 'c']);
    assert.deepEqual((await s.list(`${r}/ns2`)).items.map((o) => o.metadata.name), ['a', 'b', 'c']);
    assert.deepEqual((await s.list(r, (o) => o.metadata.name !== 'b')).items.map((o) => o.metadata.name), ['z', 'a', 'c']);
    assert.equal(await s.readMeta(`${r}-meta`), undefined);
    await s.writeMeta(`${r}-meta`, { a: [1, 2] });
    assert.deepEqual(await s.readMeta(`${r}-meta`), { a: [1, 2] });
    const out = await s.batch(async () => {
      await s.create(`${r}/ns3/one`, obj('one', '1', 'ns3'));
      await s.batch(async () => s.create(`${r}/ns3/two`, obj('two', '1', 'ns3'))); // nested: joins
      return 'done';
    });
    assert.equal(out, 'done');
    assert.equal((await s.list(`${r}/ns3`)).items.length, 2);
  });
}
