// The etcd driver against a real etcd (one member started for this file): the store
// contract (revisions, compare-and-swap, the change feed, meta documents), the layout
// kube-apiserver uses (checked with etcdctl), history and compaction, several clients, and
// a clear bounded error when nothing answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { EtcdStore, openEtcdStore, parseEtcdEndpoints, RevisionCompactedError } from '../../src/store/etcd-store';
import { FencedWriteError, KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError } from '../../src/store/store';
import type { KObject } from '../../src/api/types';
import { ApiServer } from '../../src/api/server';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { fence, LeaderElector, microTime } from '../../src/controllers/leader-election';

const cm = (name: string, v = '1', ns = 'default'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } });
const rv = (o: KObject): number => Number(o.metadata.resourceVersion);

let etcd: EtcdCluster;
const open: EtcdStore[] = [];
async function store(params = ''): Promise<EtcdStore> {
  const s = await openEtcdStore(etcd.endpoints.join(','), new URLSearchParams(params));
  open.push(s);
  return s;
}
let n = 0;
/** A namespace of its own for each test, so tests in this file do not see each other's keys. */
const fresh = (): string => `t${++n}`;

before(async () => {
  etcd = await EtcdCluster.start(1);
});
after(async () => {
  for (const s of open) await s.close();
  await etcd?.close();
});

test('etcd store: a fresh cluster is at revision 1 with an empty feed', async () => {
  const s = await store();
  assert.equal(await s.currentRev(), 1);
  const t0 = Date.now();
  assert.deepEqual(await s.changesSince(0), []);
  assert.deepEqual(await s.changesSince(1), []);
  assert.ok(Date.now() - t0 < 2000, 'answered without waiting for a revision that has no event');
  assert.deepEqual((await s.list('configmaps')).items, []);
});

test('etcd store: revisions increase, CAS rejects stale writes, the feed records changes', async () => {
  const s = await store();
  const ns = fresh();
  const a = await s.create(`configmaps/${ns}/a`, cm('a', '1', ns));
  const b = await s.create(`configmaps/${ns}/b`, cm('b', '1', ns));
  assert.ok(rv(b) > rv(a));
  await assert.rejects(s.create(`configmaps/${ns}/a`, cm('a', '1', ns)), KeyExistsError);
  const a2 = await s.update(`configmaps/${ns}/a`, cm('a', '2', ns), rv(a));
  const conflict = await s.update(`configmaps/${ns}/a`, cm('a', '3', ns), rv(a)).catch((e) => e);
  assert.ok(conflict instanceof RevisionConflictError);
  assert.equal(conflict.current!.data.v, '2', 'the conflict carries the current object');
  assert.equal(conflict.current!.metadata.resourceVersion, a2.metadata.resourceVersion);
  assert.equal((await s.get(`configmaps/${ns}/a`))!.data.v, '2');
  const list = await s.list(`configmaps/${ns}`);
  assert.deepEqual(list.items.map((o) => o.metadata.name), ['a', 'b']);
  assert.equal(list.rev, rv(a2));
  const gone = await s.delete(`configmaps/${ns}/b`);
  assert.equal(gone.data.v, '1', 'delete returns the last state');
  assert.equal(rv(gone), rv(a2) + 1, '... with the revision of the delete');
  assert.equal(await s.get(`configmaps/${ns}/b`), undefined);
  const changes = await s.changesSince(rv(a));
  assert.deepEqual(
    changes.map((c) => [c.type, c.key, c.rev, c.object.data.v]),
    [
      ['ADDED', `configmaps/${ns}/b`, rv(b), '1'],
      ['MODIFIED', `configmaps/${ns}/a`, rv(a2), '2'],
      ['DELETED', `configmaps/${ns}/b`, rv(gone), '1'],
    ],
  );
  for (const c of changes) assert.equal(c.object.metadata.resourceVersion, String(c.rev));
  assert.equal(await s.currentRev(), rv(gone));
});

test('etcd store: update and delete of a missing key fail KeyNotFound, with or without a revision', async () => {
  const s = await store();
  const ns = fresh();
  await assert.rejects(s.update(`configmaps/${ns}/x`, cm('x')), KeyNotFoundError);
  await assert.rejects(s.update(`configmaps/${ns}/x`, cm('x'), 0), KeyNotFoundError);
  await assert.rejects(s.update(`configmaps/${ns}/x`, cm('x'), 5), KeyNotFoundError);
  await assert.rejects(s.delete(`configmaps/${ns}/x`), KeyNotFoundError);
  const x = await s.create(`configmaps/${ns}/x`, cm('x'));
  await assert.rejects(s.delete(`configmaps/${ns}/x`, rv(x) - 1), RevisionConflictError);
  await s.delete(`configmaps/${ns}/x`, rv(x));
  assert.equal(await s.get(`configmaps/${ns}/x`), undefined);
});

test('etcd store: keys are laid out as kube-apiserver does, JSON without resourceVersion', async () => {
  const s = await store();
  const ns = fresh();
  const created = await s.create(`pods/${ns}/web`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: ns, resourceVersion: '999' }, spec: {} });
  const raw = etcd.etcdctl(['get', `/registry/pods/${ns}/web`, '--print-value-only']).trim();
  const stored = JSON.parse(raw);
  assert.equal(stored.metadata.name, 'web');
  assert.equal(stored.metadata.resourceVersion, undefined, 'resourceVersion is the kv revision, not stored');
  const kv = JSON.parse(etcd.etcdctl(['get', `/registry/pods/${ns}/web`, '-w', 'json'])).kvs[0];
  assert.equal(String(kv.mod_revision), created.metadata.resourceVersion);
  // written by someone else (etcdctl), read back with the kv's revision
  etcd.etcdctl(['put', `/registry/pods/${ns}/other`, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: ns } })]);
  const other = await s.get(`pods/${ns}/other`);
  assert.equal(other!.metadata.name, 'other');
  assert.equal(rv(other!), await s.currentRev());
});

test('etcd store: a value that is not JSON (kube-apiserver writes protobuf) is a clear error, the feed goes on', async () => {
  const s = await store();
  const ns = fresh();
  const start = await s.currentRev();
  // (through the raw client: etcdctl cannot take a NUL in its arguments)
  await s.client.kv.put({ key: Buffer.from(`/registry/secrets/${ns}/proto`), value: Buffer.from('k8s\u0000\n\u000bnot json') });
  const ok = await s.create(`secrets/${ns}/ok`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ok', namespace: ns } });
  const err = await s.get(`secrets/${ns}/proto`).catch((e) => e);
  assert.ok(err instanceof StoreError, String(err));
  assert.equal(err.message, `etcd value of /registry/secrets/${ns}/proto is not a JSON object (protobuf, as kube-apiserver stores it: kubesim reads JSON values only)`);
  await assert.rejects(s.list(`secrets/${ns}`), StoreError);
  assert.deepEqual((await s.changesSince(start)).map((e) => e.key), [`secrets/${ns}/ok`]);
  assert.equal((await s.changesSince(start))[0].rev, rv(ok));
});

test('etcd store: keys that could leave a directory-shaped registry are refused', async () => {
  const s = await store();
  for (const key of ['configmaps/default/..', 'configmaps/../../etc/passwd', 'configmaps/default/a\0b', 'configmaps//x']) {
    await assert.rejects(s.create(key, cm('x')), StoreError, key);
  }
});

test('etcd store: list is in key order at one revision, across pages', async () => {
  const s = await store();
  const ns = fresh();
  const names = Array.from({ length: 2300 }, (_, i) => `cm-${String(i).padStart(5, '0')}`);
  for (let i = 0; i < names.length; i += 200) {
    await Promise.all(names.slice(i, i + 200).map((name) => s.create(`configmaps/${ns}/${name}`, cm(name, '1', ns))));
  }
  // a neighbour whose key shares the prefix text but not the directory must not appear
  await s.create(`configmaps/${ns}x/zz`, cm('zz', '1', `${ns}x`));
  const list = await s.list(`configmaps/${ns}`);
  assert.equal(list.items.length, names.length);
  assert.deepEqual(list.items.map((o) => o.metadata.name), names);
  const filtered = await s.list(`configmaps/${ns}`, (o) => o.metadata.name!.endsWith('7'));
  assert.equal(filtered.items.length, 230);
  assert.ok(list.rev >= Math.max(...list.items.map(rv)));
});

test('etcd store: the change feed sees other clients, replays history, and reports compaction', async () => {
  const writer = await store();
  const reader = await store();
  const ns = fresh();
  const start = await reader.currentRev();
  const first = await reader.changesSince(start);
  assert.deepEqual(first, []);
  const a = await writer.create(`configmaps/${ns}/a`, cm('a', '1', ns));
  await writer.update(`configmaps/${ns}/a`, cm('a', '2', ns));
  await writer.writeMeta('clock', { now: 1 }); // not a registry event
  const b = await writer.create(`configmaps/${ns}/b`, cm('b', '1', ns));
  // the reader has not seen these revisions yet; its feed delivers them once they arrive
  await waitUntil(async () => (await reader.changesSince(start)).length === 3);
  const got = await reader.changesSince(start);
  assert.deepEqual(got.map((e) => [e.type, e.key]), [
    ['ADDED', `configmaps/${ns}/a`],
    ['MODIFIED', `configmaps/${ns}/a`],
    ['ADDED', `configmaps/${ns}/b`],
  ]);
  // history older than the running watcher: a fresh store asked from before `a`
  const late = await store();
  const hist = await late.changesSince(rv(a) - 1);
  assert.deepEqual(hist.filter((e) => e.key.startsWith(`configmaps/${ns}/`)).map((e) => e.rev), [rv(a), rv(a) + 1, rv(b)]);
  // and the running one, asked again from further back, still answers in order
  const back = await reader.changesSince(start - 1);
  assert.ok(back.every((e, i) => i === 0 || e.rev >= back[i - 1].rev));
  // compaction: history before the compacted revision is gone — a clear error (410 Gone)
  etcd.etcdctl(['compact', String(rv(b))]);
  const fresh2 = await store();
  const err = await fresh2.changesSince(rv(a)).catch((e) => e);
  assert.ok(err instanceof RevisionCompactedError, String(err));
  assert.ok(err instanceof StoreError);
  assert.match(err.message, /compacted/);
  // from the compaction revision on, the feed works again
  const c = await writer.create(`configmaps/${ns}/c`, cm('c', '1', ns));
  const mine = async () => (await fresh2.changesSince(rv(b))).filter((e) => e.key.startsWith(`configmaps/${ns}/`));
  await waitUntil(async () => (await mine()).length > 0);
  assert.deepEqual((await mine()).map((e) => e.rev), [rv(c)]);
  // a client that has seen revision c (its own read) gets it without waiting
  await fresh2.get(`configmaps/${ns}/c`);
  const after = await fresh2.changesSince(rv(b));
  assert.deepEqual(after.filter((e) => e.key.startsWith(`configmaps/${ns}/`)).map((e) => e.rev), [rv(c)]);
});

test('etcd store: a feed request outlasting the idle period (a busy event loop) still gets its events', async () => {
  // A loaded machine: the process is busy for longer than the watch stream's idle period
  // right after asking for changes, so the first watch response comes late. The request
  // still waiting must keep its stream open (it used to be closed as idle: nothing then
  // woke the request, which failed after the store's timeout with "no events").
  const writer = await store();
  const ns = fresh();
  const a = await writer.create(`configmaps/${ns}/a`, cm('a', '1', ns));
  const reader = await store('timeout=3s');
  await reader.get(`configmaps/${ns}/a`); // the reader knows revision a: the feed must reach it
  const t0 = Date.now();
  const feed = reader.changesSince(rv(a) - 1);
  for (const end = Date.now() + 600; Date.now() < end; ); // busy, as a loaded process is
  const got = await feed;
  assert.deepEqual(got.filter((e) => e.key.startsWith(`configmaps/${ns}/`)).map((e) => e.rev), [rv(a)]);
  assert.ok(Date.now() - t0 < 3000, `answered after ${Date.now() - t0}ms`);
});

test('etcd store: two clients racing on one object — exactly one CAS wins', async () => {
  const s1 = await store();
  const s2 = await store();
  const ns = fresh();
  const o = await s1.create(`configmaps/${ns}/race`, cm('race'));
  const results = await Promise.allSettled([
    s1.update(`configmaps/${ns}/race`, cm('race', 'one'), rv(o)),
    s2.update(`configmaps/${ns}/race`, cm('race', 'two'), rv(o)),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.ok(lost.reason instanceof RevisionConflictError);
  const creates = await Promise.allSettled([s1.create(`configmaps/${ns}/once`, cm('once')), s2.create(`configmaps/${ns}/once`, cm('once'))]);
  assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1);
});

test('etcd store: meta documents and batches', async () => {
  const s = await store();
  const ns = fresh();
  assert.equal(await s.readMeta(`none-${ns}`), undefined);
  await s.writeMeta(`profile-${ns}`, { nodes: 3, name: 'x' });
  assert.deepEqual(await s.readMeta(`profile-${ns}`), { nodes: 3, name: 'x' });
  assert.equal(etcd.etcdctl(['get', `/kubesim/meta/profile-${ns}`, '--print-value-only']).trim(), '{"nodes":3,"name":"x"}');
  // a batch runs its body with writes of other tasks held back until it settles
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const inBatch = s.batch(async () => {
    await s.create(`configmaps/${ns}/b1`, cm('b1'));
    order.push('b1');
    await gate;
    await s.create(`configmaps/${ns}/b2`, cm('b2'));
    order.push('b2');
  });
  await waitUntil(async () => order.length === 1);
  const outside = s.create(`configmaps/${ns}/o`, cm('o')).then(() => order.push('o'));
  await new Promise((r) => setImmediate(r));
  release();
  await Promise.all([inBatch, outside]);
  assert.deepEqual(order, ['b1', 'b2', 'o']);
});

test("etcd store: a leader's write fence: writes follow its renewals, a write held up past its term is refused by etcd", async () => {
  const s = await store();
  const other = await store(); // another process: the restore, or the next leader
  const ns = fresh();
  const api = await ApiServer.open(s, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(5));
  for (const name of [ns, 'kube-system']) await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const now = Date.now();
  const elector = new LeaderElector({ api, identity: 'leader-a', now: () => now });
  assert.equal(await elector.tryAcquireOrRenew(), true);
  const fenced = fence(api, elector);
  const cmType = api.registry.forKind('v1', 'ConfigMap');
  await fenced.create(cm('leading', '1', ns));
  // the Lease renewed behind the fence's back (a renewal landing while writes are on their
  // way): the holder is still the leader, so its writes land
  const LEASE = 'leases/kube-system/kube-controller-manager';
  const lease = (await other.get(LEASE))!;
  await other.update(LEASE, { ...lease, spec: { ...lease.spec, renewTime: microTime(now + 1) } }, rv(lease));
  await fenced.mutate(cmType, ns, 'leading', (o) => void (o.data = { v: '2' }));
  await fenced.sim.setFlag(`leading-${ns}`);
  assert.equal((await other.get(`configmaps/${ns}/leading`))!.data.v, '2');
  assert.equal(await other.readMeta(`leading-${ns}`), true);

  // Writes asked for while leading (the time fence is open), then held up behind another
  // task's batch (as on a loaded machine: a queue, a stalled event loop) ...
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let holding = false;
  const blocker = api.batch(async () => {
    holding = true;
    await gate;
  });
  await waitUntil(async () => holding);
  const late = [fenced.create(cm('late', '1', ns)), fenced.delete(cmType, ns, 'leading'), fenced.sim.setFlag(`late-${ns}`)].map((p) => p.then(() => 'applied', (e) => e));
  // ... while another process takes the lease, as `snapshot restore` does
  const cur = (await other.get(LEASE))!;
  await other.update(LEASE, { ...cur, spec: { ...cur.spec, holderIdentity: 'kubesim-snapshot-restore_1' } }, rv(cur));
  assert.equal(elector.isLeader(), true, 'the former leader has not noticed yet');
  release();
  await blocker;
  for (const e of await Promise.all(late)) {
    assert.ok(e instanceof FencedWriteError, String(e));
    assert.equal(e.message, 'leader election lost: leader-a no longer holds the lease leases/kube-system/kube-controller-manager (held by kubesim-snapshot-restore_1); write refused');
  }
  assert.equal(await other.get(`configmaps/${ns}/late`), undefined);
  assert.equal((await other.get(`configmaps/${ns}/leading`))!.data.v, '2');
  assert.equal(await other.readMeta(`late-${ns}`), undefined);
  // the same server's other clients (users' requests) are not fenced
  await api.create(cm('user', '1', ns));
  assert.ok(await other.get(`configmaps/${ns}/user`));
});

test('etcd store: an endpoint where nothing listens is a bounded, clear error naming it', async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const t0 = Date.now();
  const err = await openEtcdStore(`127.0.0.1:${port}`, new URLSearchParams('timeout=1500ms')).catch((e) => e);
  assert.ok(err instanceof StoreError, String(err));
  assert.match(err.message, new RegExp(`no etcd endpoint is reachable: 127\\.0\\.0\\.1:${port}`));
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0}ms`);
});

test('etcd store: objects handed out (get, list, writes, feed) are copies', async () => {
  const s = await store();
  const ns = fresh();
  const start = await s.currentRev();
  const created = await s.create(`configmaps/${ns}/c`, cm('c', '1', ns));
  created.data.v = 'mutated';
  const got = (await s.get(`configmaps/${ns}/c`))!;
  assert.equal(got.data.v, '1');
  got.data.v = 'mutated';
  (await s.list(`configmaps/${ns}`)).items[0].data.v = 'mutated';
  (await s.changesSince(start))[0].object.data.v = 'mutated';
  assert.equal((await s.get(`configmaps/${ns}/c`))!.data.v, '1');
  assert.equal((await s.list(`configmaps/${ns}`)).items[0].data.v, '1');
  assert.equal((await s.changesSince(start))[0].object.data.v, '1');
});

test('etcd store: a process that used the store and its feed exits by itself (no close needed)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-etcd-exit-'));
  try {
    const script = join(dir, 'use.ts');
    writeFileSync(
      script,
      `import { openEtcdStore } from ${JSON.stringify(resolve(__dirname, '../../src/store/etcd-store'))};
(async () => {
  const s = await openEtcdStore(${JSON.stringify(etcd.endpoints.join(','))}, new URLSearchParams());
  await s.get('configmaps/default/none');
  await s.changesSince(await s.currentRev());
  process.stdout.write(String(Date.now()));
})();`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    const ended = Date.now();
    assert.equal(r.status, 0, r.stderr);
    assert.ok(ended - Number(r.stdout) < 3000, `exited ${ended - Number(r.stdout)}ms after its work`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('etcd store: URL endpoints parse with the default port and reject junk', () => {
  assert.deepEqual(parseEtcdEndpoints('a:1,b,http://c:3/'), ['a:1', 'b:2379', 'c:3']);
  assert.throws(() => parseEtcdEndpoints(''), StoreError);
  assert.throws(() => parseEtcdEndpoints('a:99999'), StoreError);
  assert.throws(() => parseEtcdEndpoints('a b'), StoreError);
});

async function waitUntil(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
