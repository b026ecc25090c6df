// The etcd driver when members fail, on a real 3-member cluster: with one member (the
// leader) killed, reads, writes and the change feed go on; with two killed, writes fail
// within the store's deadline with an error naming the endpoints that do not answer; when
// the members come back, every acknowledged write is there.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdCluster } from '../helpers/etcd';
import { openEtcdStore, type EtcdStore } from '../../src/store/etcd-store';
import { StoreError } from '../../src/store/store';
import type { KObject } from '../../src/api/types';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

let etcd: EtcdCluster | undefined;
let s: EtcdStore | undefined;
after(async () => {
  await s?.close();
  await etcd?.close();
});

async function until<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what} did not succeed within ${ms}ms: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The index of the member that leads, as etcd reports it. */
function leaderIndex(c: EtcdCluster): number {
  const status = JSON.parse(c.etcdctl(['endpoint', 'status', '-w', 'json'])) as { Endpoint: string; Status: { header: { member_id: number }; leader: number } }[];
  const lead = status.find((x) => x.Status.header.member_id === x.Status.leader);
  assert.ok(lead, 'a leader');
  return c.endpoints.findIndex((e) => lead!.Endpoint.endsWith(e));
}

test('etcd 3-member cluster: one member down keeps serving, two down fail clearly, nothing acknowledged is lost', async (t) => {
  etcd = await EtcdCluster.start(3);
  const timeoutMs = 2000;
  s = await openEtcdStore(etcd.endpoints.join(','), new URLSearchParams(`timeout=${timeoutMs}ms`));
  const acked = new Map<string, string>();
  const write = async (name: string, v: string) => {
    const existing = await s!.get(`configmaps/default/${name}`);
    if (existing) await s!.update(`configmaps/default/${name}`, cm(name, v), Number(existing.metadata.resourceVersion));
    else await s!.create(`configmaps/default/${name}`, cm(name, v));
    acked.set(name, v);
  };
  for (let i = 0; i < 20; i++) await write(`before-${i}`, 'v1');
  const feedStart = await s.currentRev();
  assert.deepEqual(await s.changesSince(feedStart), []);

  // One member down — the leader, so that the others must elect a new one.
  const first = leaderIndex(etcd);
  await etcd.stop(first);
  // The election takes a moment (500ms election timeout): writes go on once it is over.
  await until('a write after the leader died', 15_000, () => write('after-one-down', 'v1'));
  for (let i = 0; i < 20; i++) await write(`one-down-${i}`, 'v1');
  for (let i = 0; i < 20; i++) await write(`before-${i}`, 'v2');
  const list = await s.list('configmaps/default');
  assert.equal(list.items.length, acked.size);
  for (const o of list.items) assert.equal(o.data.v, acked.get(o.metadata.name!));
  // the change feed follows across the failure (its stream may have been on the dead member)
  const feed = await s.changesSince(feedStart);
  assert.ok(feed.some((e) => e.key === 'configmaps/default/one-down-19'), 'the feed has the writes made with one member down');
  assert.ok(feed.every((e, i) => i === 0 || e.rev > feed[i - 1].rev));

  // Two members down: no quorum. A write fails within the deadline (plus probing the
  // endpoints), naming both dead endpoints.
  const second = [0, 1, 2].find((i) => i !== first)!;
  const survivor = [0, 1, 2].find((i) => i !== first && i !== second)!;
  await etcd.stop(second);
  const t0 = Date.now();
  const err = await s.create('configmaps/default/no-quorum', cm('no-quorum', 'v1')).catch((e) => e);
  const took = Date.now() - t0;
  t.diagnostic(`no quorum after ${took}ms: ${String(err?.message)}`);
  assert.ok(err instanceof StoreError, String(err));
  assert.ok(took < timeoutMs + 3000, `the failure took ${took}ms`);
  for (const i of [first, second]) assert.ok(err.message.includes(etcd.endpoints[i]), `${err.message} names ${etcd.endpoints[i]}`);
  assert.ok(!err.message.includes(`unreachable etcd endpoints: ${etcd.endpoints[survivor]}`));
  assert.match(err.message, /^etcd: cannot create configmaps\/default\/no-quorum: unreachable etcd endpoints: /);
  // why the member that answers does not help, in words (not the client library's)
  assert.ok(err.message.includes(`(reachable: ${etcd.endpoints[survivor]}, but etcd needs 2 of 3 members to serve; `), err.message);
  // reads need a quorum too (they are linearizable): same kind of error, same bound
  const t1 = Date.now();
  const readErr = await s.get('configmaps/default/before-0').catch((e) => e);
  assert.ok(readErr instanceof StoreError, String(readErr));
  assert.ok(Date.now() - t1 < timeoutMs + 3000);

  // Both come back: every acknowledged write is there, with its acknowledged value.
  await etcd.restart(first);
  await etcd.restart(second);
  await etcd.waitHealthy();
  const back = await until('a list once the members are back', 20_000, () => s!.list('configmaps/default'));
  const got = new Map(back.items.map((o) => [o.metadata.name!, o.data.v as string]));
  for (const [name, v] of acked) assert.equal(got.get(name), v, `${name} is kept`);
  await until('a write once the members are back', 20_000, () => write('after-return', 'v1'));
  assert.equal((await s.get('configmaps/default/after-return'))!.data.v, 'v1');
  // each member has the data (checked on each endpoint alone, outside kubesim)
  for (const ep of etcd.endpoints) {
    const one = await openEtcdStore(ep, new URLSearchParams('timeout=5s'));
    try {
      await until(`member ${ep} catching up`, 10_000, async () => {
        const o = await one.get('configmaps/default/after-return');
        if (!o) throw new Error('not yet');
      });
      assert.equal((await one.list('configmaps/default')).items.length, back.items.length + (got.has('after-return') ? 0 : 1));
    } finally {
      await one.close();
    }
  }
});
