// The etcd driver's watched lists (Store.watchedList, src/store/etcd-informer.ts) against a
// real etcd: a read while nothing changed asks etcd nothing, the store's own acknowledged
// writes are always in the next read, another client's arrive through the watch; and
// ValidatingAdmissionPolicy admission on etcd, which reads its bindings that way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdCluster } from '../helpers/etcd';
import { EtcdStore, openEtcdStore } from '../../src/store/etcd-store';
import type { KObject } from '../../src/api/types';
import { ApiServer } from '../../src/api/server';
import { ApiError } from '../../src/api/errors';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';

const cm = (name: string, v = '1', ns = 'default'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } });
const names = (items: KObject[]) => items.map((o) => o.metadata.name);

let etcd: EtcdCluster;
const open: EtcdStore[] = [];
async function store(): Promise<EtcdStore> {
  const s = await openEtcdStore(etcd.endpoints.join(','), new URLSearchParams());
  open.push(s);
  return s;
}

/** Counts the store's range requests (what a read costs in round trips). */
function countRanges(s: EtcdStore): () => number {
  const kv = (s as unknown as { client: { kv: { range: (...a: unknown[]) => unknown } } }).client.kv;
  const range = kv.range.bind(kv);
  let n = 0;
  kv.range = (...a: unknown[]) => (n++, range(...a));
  return () => n;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`not within ${ms}ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  await loadValidation();
  etcd = await EtcdCluster.start(1);
});
after(async () => {
  for (const s of open) await s.close();
  await etcd?.close();
});

test('etcd watched list: own writes are in the next read, unchanged reads cost no request, objects frozen in key order', async () => {
  const s = await store();
  const ranges = countRanges(s);
  await s.create('configmaps/w1/b', cm('b', '1', 'w1'));
  assert.deepEqual(names((await s.watchedList('configmaps/w1')).items), ['b']);
  const listed = ranges();
  for (let i = 0; i < 20; i++) await s.watchedList('configmaps/w1');
  assert.equal(ranges(), listed, 'reads while nothing changed asked etcd nothing');

  // Each write is in the very next read, with no list requested for it.
  await s.create('configmaps/w1/a', cm('a', '1', 'w1'));
  assert.deepEqual(names((await s.watchedList('configmaps/w1')).items), ['a', 'b']);
  const b = await s.update('configmaps/w1/b', cm('b', '2', 'w1'));
  const read = (await s.watchedList('configmaps/w1')).items;
  assert.equal(read[1].data!.v, '2');
  assert.equal(read[1].metadata.resourceVersion, b.metadata.resourceVersion);
  assert.ok(Object.isFrozen(read[1]) && Object.isFrozen(read[1].data));
  await s.delete('configmaps/w1/a');
  assert.deepEqual(names((await s.watchedList('configmaps/w1')).items), ['b']);
  assert.equal(ranges(), listed, 'kept up to date by the watch alone');
  // Another prefix's writes do not touch it; a key sharing the text prefix is not under it.
  await s.create('configmaps/w10/c', cm('c', '1', 'w10'));
  assert.deepEqual(names((await s.watchedList('configmaps/w1')).items), ['b']);
});

test("etcd watched list: another client's writes arrive through the watch", async () => {
  const reader = await store();
  const writer = await store();
  assert.deepEqual((await reader.watchedList('configmaps/w2')).items, []);
  await writer.create('configmaps/w2/x', cm('x', '1', 'w2'));
  await until('the other client\'s create', async () => ((await reader.watchedList('configmaps/w2')).items.length === 1 ? true : undefined));
  await writer.delete('configmaps/w2/x');
  await until('the other client\'s delete', async () => ((await reader.watchedList('configmaps/w2')).items.length === 0 ? true : undefined));
});

test('etcd: a policy binding denies the next write at once, and its deletion stops denying at once', async () => {
  const s = await store();
  const api = await ApiServer.open(s, new ManualClock(Date.parse('2026-12-06T09:00:00Z')), seededRng(3), apiValidator());
  await api.bootstrap();
  await api.create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'small' },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] }, validations: [{ expression: "!has(object.data) || !('big' in object.data)" }] },
  });
  await api.create(cm('before', '1'));
  const binding = await api.create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'small' }, spec: { policyName: 'small', validationActions: ['Deny'] } });
  const big = (name: string): KObject => ({ ...cm(name), data: { big: 'x' } });
  await assert.rejects(api.create(big('denied')), (e: unknown) => e instanceof ApiError && /ValidatingAdmissionPolicy 'small' with binding 'small' denied request/.test(e.message));
  await api.delete(api.typeOf(binding), undefined, 'small');
  assert.equal((await api.create(big('admitted'))).metadata.name, 'admitted');
});
