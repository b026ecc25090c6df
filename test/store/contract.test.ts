// The Store contract, run against every driver in the registry (opened by URL, as the API
// layer opens them): revisions, compare-and-swap, the change feed, key safety, small
// documents, copies, and batches that hold across awaits without swallowing other tasks.
// A driver registered without a way to open it here fails: every driver passes this suite
// (etcd:// needs the etcd binary, as test/store/etcd-contract.test.ts does).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driverSchemes, openStore } from '../../src/store/registry';
import { EtcdCluster } from '../helpers/etcd';
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError, type Store } from '../../src/store/store';
import type { KObject } from '../../src/api/types';

const cm = (name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

/**
 * How this suite opens a fresh, empty store of each driver; returns the store, its cleanup,
 * and for a driver that keeps its state outside the process, how to open that state again.
 */
const openers: Record<string, () => Promise<{ store: Store; done: () => void | Promise<void>; reopen?: () => Promise<Store> }>> = {
  file: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-contract-'));
    const url = `file://${dir}?fsync=0&create=1`;
    return { store: await openStore(url), done: () => rmSync(dir, { recursive: true, force: true }), reopen: () => openStore(url) };
  },
  memory: async () => ({ store: await openStore('memory://'), done: () => {} }),
  // A fresh single-member etcd per case: the cases expect an empty store (revisions, lists).
  etcd: async () => {
    const etcd = await EtcdCluster.start(1);
    return { store: await openStore(etcd.url), done: () => etcd.close(), reopen: () => openStore(etcd.url) };
  },
};

const tick = () => new Promise<void>((r) => setImmediate(r));

test('every registered driver has a way to be opened by this suite', () => {
  assert.deepEqual(driverSchemes().filter((s) => !openers[s]), []);
  assert.ok(driverSchemes().includes('file') && driverSchemes().includes('memory'));
});

test('an unknown scheme or a malformed URL is a StoreError', async () => {
  await assert.rejects(openStore('nope://x'), (e: unknown) => e instanceof StoreError && /no store driver for nope:\/\//.test(e.message));
  await assert.rejects(openStore('/just/a/path'), StoreError);
});

for (const scheme of driverSchemes()) {
  const withStore = (fn: (s: Store, reopen?: () => Promise<Store>) => Promise<void>) => async () => {
    const open = openers[scheme];
    assert.ok(open, `no opener for ${scheme}://`);
    const { store, done, reopen } = await open();
    try {
      await fn(store, reopen);
    } finally {
      await store.close();
      await done();
    }
  };

  test(`${scheme}://: revisions increase, CAS rejects stale writes, the feed records changes`, withStore(async (s) => {
    const a = await s.create('configmaps/default/a', cm('a'));
    const b = await s.create('configmaps/default/b', cm('b'));
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    await assert.rejects(s.create('configmaps/default/a', cm('a')), KeyExistsError);
    const a2 = await s.update('configmaps/default/a', cm('a', '2'), Number(a.metadata.resourceVersion));
    await assert.rejects(s.update('configmaps/default/a', cm('a', '3'), Number(a.metadata.resourceVersion)), RevisionConflictError);
    await assert.rejects(s.update('configmaps/default/zz', cm('zz')), KeyNotFoundError);
    assert.equal((await s.get('configmaps/default/a'))!.data.v, '2');
    assert.deepEqual((await s.list('configmaps')).items.map((o) => o.metadata.name), ['a', 'b']);
    assert.deepEqual((await s.list('configmaps', (o) => o.metadata.name === 'b')).items.map((o) => o.metadata.name), ['b']);
    await s.delete('configmaps/default/b');
    assert.equal(await s.get('configmaps/default/b'), undefined);
    await assert.rejects(s.delete('configmaps/default/b'), KeyNotFoundError);
    const seen = (await s.changesSince(Number(a.metadata.resourceVersion))).map((c) => [c.type, c.key]).filter(([t]) => t !== 'ADDED');
    assert.deepEqual(seen, [
      ['MODIFIED', 'configmaps/default/a'],
      ['DELETED', 'configmaps/default/b'],
    ]);
    assert.equal(await s.currentRev(), Number(a2.metadata.resourceVersion) + 1);
    assert.equal((await s.list('configmaps')).rev, await s.currentRev());
  }));

  test(`${scheme}://: keys that could leave the store are refused`, withStore(async (s) => {
    for (const key of ['configmaps/default/..', 'configmaps/../../etc/passwd', 'configmaps/default/a\0b', 'configmaps//x']) {
      await assert.rejects(s.create(key, cm('x')), StoreError, key);
    }
  }));

  test(`${scheme}://: objects handed out are copies`, withStore(async (s) => {
    const created = await s.create('configmaps/default/a', cm('a'));
    created.data.v = 'changed';
    const got = (await s.get('configmaps/default/a'))!;
    assert.equal(got.data.v, '1');
    got.data.v = 'changed';
    assert.equal((await s.list('configmaps')).items[0].data.v, '1');
  }));

  test(`${scheme}://: a shared list's objects cannot be changed, and later writes do not change them`, withStore(async (s) => {
    await s.create('configmaps/default/a', cm('a'));
    for (const inBatch of [false, true]) {
      const read = () => (inBatch ? s.batch(() => s.list('configmaps', undefined, { shared: true })) : s.list('configmaps', undefined, { shared: true }));
      const listed = (await read()).items[0];
      // Whatever the driver hands out (frozen shared objects, or fresh copies), a caller
      // changing one never changes what the store holds.
      try {
        listed.data.v = 'changed';
        listed.metadata.labels = { x: 'y' };
      } catch (e) {
        assert.ok(e instanceof TypeError, String(e));
      }
      assert.equal((await s.get('configmaps/default/a'))!.data.v, inBatch ? '2' : '1');
      assert.equal((await read()).items[0].data.v, inBatch ? '2' : '1');
      assert.equal((await read()).items[0].metadata.labels, undefined);
      const before = (await read()).items[0];
      const cur = (await s.get('configmaps/default/a'))!;
      await s.update('configmaps/default/a', { ...cur, data: { v: inBatch ? '3' : '2' } });
      assert.equal(before.data.v, inBatch ? '2' : '1', 'an object listed before a write keeps its state');
      assert.equal((await read()).items[0].data.v, inBatch ? '3' : '2');
      assert.equal((await s.list('configmaps')).items[0].data.v, inBatch ? '3' : '2');
    }
  }));

  test(`${scheme}://: an update asked for shared hands back the stored object, frozen, as a shared read does`, withStore(async (s) => {
    const a = await s.create('configmaps/default/a', cm('a'));
    for (const inBatch of [false, true]) {
      const v = inBatch ? 'batch' : 'alone';
      const write = () => s.update('configmaps/default/a', cm('a', v), undefined, { shared: true });
      const got = inBatch ? await s.batch(write) : await write();
      assert.equal(got.data.v, v);
      assert.ok(Number(got.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
      const read = await s.get('configmaps/default/a', { shared: true });
      assert.deepEqual(got, read);
      // The drivers that hold the objects (file, memory) hand out the copy they keep (the
      // memory store's shared reads that very object), not one more.
      if (scheme === 'file' || scheme === 'memory') assert.ok(Object.isFrozen(got) && Object.isFrozen(got.data), `${scheme}, ${v}`);
      if (scheme === 'memory') assert.equal(got, read);
      // a plain update hands back the caller's own object
      const own = await s.update('configmaps/default/a', cm('a', `${v}-own`));
      own.data.v = 'mine';
      assert.equal((await s.get('configmaps/default/a'))!.data.v, `${v}-own`);
    }
  }));

  test(`${scheme}://: a shared change feed's objects cannot be changed, and later writes do not change them`, withStore(async (s) => {
    const from = await s.currentRev();
    const a = await s.create('configmaps/default/a', cm('a'));
    await s.update('configmaps/default/a', cm('a', '2'), Number(a.metadata.resourceVersion));
    const shared = await s.changesSince(from, { shared: true });
    assert.deepEqual(shared.map((c) => [c.type, c.object.data.v]), [['ADDED', '1'], ['MODIFIED', '2']]);
    // The drivers that hold the objects (file, memory) hand them out frozen, not copied;
    // whatever a driver hands out, a caller changing it never changes the store.
    if (scheme === 'file' || scheme === 'memory') for (const c of shared) assert.ok(Object.isFrozen(c.object) && Object.isFrozen(c.object.data), scheme);
    await s.update('configmaps/default/a', cm('a', '3'));
    assert.deepEqual(shared.map((c) => c.object.data.v), ['1', '2'], 'objects handed out before a write keep their state');
    for (const c of shared) {
      try {
        c.object.data.v = 'changed';
      } catch (e) {
        assert.ok(e instanceof TypeError, String(e));
      }
    }
    const copies = await s.changesSince(from);
    assert.deepEqual(copies.map((c) => c.object.data.v), ['1', '2', '3']);
    copies[0].object.data.v = 'mine'; // a plain feed hands out copies the caller may change
    assert.deepEqual((await s.changesSince(from, { shared: true })).map((c) => c.object.data.v), ['1', '2', '3']);
    assert.equal((await s.get('configmaps/default/a'))!.data.v, '3');
  }));

  test(`${scheme}://: lists follow creates, deletes and re-creates in key order`, withStore(async (s) => {
    const names = (shared: boolean) => s.list('configmaps/default', undefined, { shared }).then((r) => r.items.map((o) => o.metadata.name).join(','));
    for (const n of ['m', 'c', 'x']) await s.create(`configmaps/default/${n}`, cm(n));
    assert.equal(await names(true), 'c,m,x');
    await s.delete('configmaps/default/m');
    await s.create('configmaps/default/a', cm('a'));
    await s.create('configmaps/default/n', cm('n'));
    await s.delete('configmaps/default/n'); // added and removed between two lists
    await s.create('configmaps/default/m', cm('m')); // removed and added back
    assert.equal(await names(false), 'a,c,m,x');
    assert.equal(await names(true), 'a,c,m,x');
    await s.delete('configmaps/default/x');
    await s.create('configmaps/default/z', cm('z'));
    assert.equal(await names(true), 'a,c,m,z');
  }));

  test(`${scheme}://: lists are in key order across folders ("a-b/…" before "a/…", as etcd orders bytes)`, withStore(async (s) => {
    for (const key of ['configmaps/a/x', 'configmaps/a-b/y', 'configmaps/a.c/z', 'configmaps/ab/w']) {
      const [, ns, name] = key.split('/');
      await s.create(key, { ...cm(name), metadata: { name, namespace: ns } });
    }
    const keys = ['configmaps/a-b/y', 'configmaps/a.c/z', 'configmaps/a/x', 'configmaps/ab/w'];
    for (const shared of [false, true]) {
      const items = (await s.list('configmaps', undefined, { shared })).items;
      assert.deepEqual(items.map((o) => `configmaps/${o.metadata.namespace}/${o.metadata.name}`), keys);
    }
  }));

  test(`${scheme}://: int64s past 2^53 are kept exact (bigints) in objects, lists, the feed, documents, and a second opening`, withStore(async (s, reopen) => {
    const spec = { activeDeadlineSeconds: 9007199254740993n, low: -9223372036854775808n, high: 9223372036854775807n, safe: 9007199254740991, float: 0.5 };
    const pod = (): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'default' }, spec: { ...spec } });
    // The digits alone, in a string, stay a string.
    const labels = { id: '12345678901234567890' };
    const created = await s.create('pods/default/big', { ...pod(), metadata: { ...pod().metadata, labels } });
    const want = (o: KObject, what: string) => {
      assert.deepEqual(o.spec, spec, what);
      assert.deepEqual(o.metadata.labels, labels, what);
    };
    want(created, 'create');
    const updated = await s.update('pods/default/big', { ...created, spec: { ...spec, activeDeadlineSeconds: 9007199254740995n } });
    assert.equal(updated.spec.activeDeadlineSeconds, 9007199254740995n);
    await s.update('pods/default/big', { ...updated, spec: { ...spec } });
    await s.writeMeta('big-doc', { n: 18014398509481985n, list: [1, 2n ** 60n] });
    const check = async (st: Store, when: string) => {
      want((await st.get('pods/default/big'))!, `${when}: get`);
      want((await st.get('pods/default/big', { shared: true }))!, `${when}: shared get`);
      want((await st.list('pods')).items[0], `${when}: list`);
      const feed = await st.changesSince(0);
      assert.deepEqual(feed.map((e) => e.object.spec?.activeDeadlineSeconds), [9007199254740993n, 9007199254740995n, 9007199254740993n], `${when}: feed`);
      assert.deepEqual(await st.readMeta('big-doc'), { n: 18014398509481985n, list: [1, 2n ** 60n] }, `${when}: document`);
    };
    await check(s, 'this store');
    if (!reopen) return; // memory://: nothing outside the process to open again
    const again = await reopen();
    try {
      await check(again, 'opened again');
    } finally {
      await again.close();
    }
  }));

  test(`${scheme}://: small documents round-trip; a missing one is undefined`, withStore(async (s) => {
    assert.equal(await s.readMeta('nothing-here'), undefined);
    await s.writeMeta('profile', { nodes: [{ name: 'n1' }] });
    assert.deepEqual(await s.readMeta('profile'), { nodes: [{ name: 'n1' }] });
    await s.writeMeta('profile', null);
    assert.equal(await s.readMeta('profile'), null);
  }));

  test(`${scheme}://: the kubelet's runtime records round-trip and go away one by one, in a group or not`, withStore(async (s) => {
    const rec = (i: number) => `kubelet-pod-${i}-uid`;
    await s.group(async () => {
      for (let i = 0; i < 40; i++) await s.writeMeta(rec(i), { uid: `${i}-uid`, containers: [{ name: 'c', phase: 'running' }] });
      await s.deleteMeta!(rec(3));
      assert.equal(await s.readMeta(rec(3)), undefined, 'a removal is seen at once inside the group');
    });
    await s.deleteMeta!(rec(4));
    await s.writeMeta(rec(5), { uid: '5-uid', containers: [] });
    for (let i = 0; i < 40; i++) {
      const want = i === 3 || i === 4 ? undefined : i === 5 ? { uid: '5-uid', containers: [] } : { uid: `${i}-uid`, containers: [{ name: 'c', phase: 'running' }] };
      assert.deepEqual(await s.readMeta(rec(i)), want, rec(i));
    }
  }));

  test(`${scheme}://: a batch holds across awaits; other tasks' writes wait for it, nested calls join`, withStore(async (s) => {
    const order: string[] = [];
    const inBatch = s.batch(async () => {
      await s.create('configmaps/default/first', cm('first'));
      order.push('batch:first');
      await tick();
      await tick();
      // A nested batch from the same task joins instead of waiting for itself.
      await s.batch(async () => {
        await s.create('configmaps/default/second', cm('second'));
        order.push('batch:second');
      });
      return 'done';
    });
    await tick(); // the batch is open now
    const outside = s.create('configmaps/default/outside', cm('outside')).then((o) => {
      order.push('outside');
      return o;
    });
    assert.equal(await inBatch, 'done');
    const o = await outside;
    assert.deepEqual(order, ['batch:first', 'batch:second', 'outside']);
    const second = (await s.get('configmaps/default/second'))!;
    assert.ok(Number(o.metadata.resourceVersion) > Number(second.metadata.resourceVersion));
  }));

  test(`${scheme}://: a batch that throws releases the store for the next one`, withStore(async (s) => {
    await assert.rejects(
      s.batch(async () => {
        await s.create('configmaps/default/a', cm('a'));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await s.batch(async () => (await s.create('configmaps/default/b', cm('b'))).metadata.name), 'b');
  }));

  test(`${scheme}://: two tasks' batches run one after the other`, withStore(async (s) => {
    const log: string[] = [];
    const job = (name: string) =>
      s.batch(async () => {
        log.push(`${name}:start`);
        await tick();
        await s.create(`configmaps/default/${name}`, cm(name));
        log.push(`${name}:end`);
      });
    await Promise.all([job('x'), job('y')]);
    assert.deepEqual(log, ['x:start', 'x:end', 'y:start', 'y:end']);
  }));
}
