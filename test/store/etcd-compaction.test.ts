// Compaction on a real etcd member, seen from above the store: the controller manager
// re-lists only when etcd compacted history it had not read (writes of meta documents move
// etcd's revision too, and are no reason to re-list), and a watch through the API server
// from a compacted revision ends with 410 Expired "too old resource version".

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { openEtcdStore, type EtcdStore } from '../../src/store/etcd-store';
import { ApiServer } from '../../src/api/server';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { defaultProfile } from '../../src/sim/profile';
import { ControllerManager } from '../../src/controllers/manager';
import { startApiServer, type RunningServer } from '../../src/server/http-server';

let etcd: EtcdCluster | undefined;
let store: EtcdStore | undefined;
let other: EtcdStore | undefined;
let server: RunningServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'kubesim-compaction-'));
after(async () => {
  await server?.close();
  await store?.close();
  await other?.close();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The watchers etcd holds open, by its own gauge: 0 once every watch stream has closed. */
async function openWatchers(endpoint: string): Promise<number> {
  const metrics = await (await fetch(`http://${endpoint}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const m = /^etcd_debugging_mvcc_watcher_total (\d+)$/m.exec(metrics);
  assert.ok(m, 'etcd reports etcd_debugging_mvcc_watcher_total');
  return Number(m[1]);
}

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: {} });

test('etcd compaction: the manager re-lists only on a real compaction; a watch from a compacted revision is 410 Expired', async () => {
  etcd = await EtcdCluster.start(1);
  store = await openEtcdStore(etcd.endpoints[0], new URLSearchParams('timeout=10s'));
  const api = await ApiServer.open(store, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(3));
  await api.bootstrap();
  const logs: string[] = [];
  const manager = new ControllerManager([], { api, clock: api.clock, rng: api.rng, profile: defaultProfile('t'), log: (m) => logs.push(m) });
  await manager.pollChanges(); // the first look lists everything
  assert.equal(manager.stats.relists, 0);

  // Meta documents move etcd's revision without a registry event: no re-list.
  const before = await api.currentRev();
  for (let i = 0; i < 5; i++) await api.sim.setFlag(`f${i}`);
  assert.ok((await api.currentRev()) > before);
  assert.equal(await manager.pollChanges(), 0);
  assert.equal(manager.stats.relists, 0);
  // registry changes are followed, still without a re-list
  await api.create(cm('a'));
  assert.ok((await manager.pollChanges()) >= 1);
  assert.equal(manager.stats.relists, 0);

  // A watcher's revision; then, while the manager's watch stream is closed (it closes
  // when nobody asks for a while, as a broken one would be), another client writes and etcd
  // compacts past what the manager has read.
  const oldRev = await api.currentRev();
  for (const deadline = Date.now() + 10_000; (await openWatchers(etcd.endpoints[0])) > 0; ) {
    assert.ok(Date.now() < deadline, "the manager's idle watch stream was never closed");
    await new Promise((r) => setTimeout(r, 50));
  }
  other = await openEtcdStore(etcd.endpoints[0], new URLSearchParams('timeout=10s'));
  const writer = await ApiServer.open(other, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(4));
  for (let i = 0; i < 5; i++) await writer.create(cm(`b${i}`));
  const compactAt = await writer.currentRev();
  etcd.etcdctl(['compact', String(compactAt)]);
  // the manager had not read those writes: it re-lists, once
  assert.equal(await manager.pollChanges(), 1);
  assert.equal(manager.stats.relists, 1);
  assert.ok(logs.some((l) => /the change feed was compacted past revision \d+: listing everything again/.test(l)), logs.join('\n'));
  assert.equal(await manager.pollChanges(), 0);
  assert.equal(manager.stats.relists, 1);

  // Through the API server: a watch from before the compaction is told to list again.
  server = await startApiServer({ api, clusterDir: dir, insecureHttp: true });
  const token = server.pki.token;
  const res = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${oldRev}&timeoutSeconds=5`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const first = JSON.parse((await res.text()).split('\n')[0]);
  assert.equal(first.type, 'ERROR');
  assert.equal(first.object.kind, 'Status');
  assert.equal(first.object.code, 410);
  assert.equal(first.object.reason, 'Expired');
  assert.match(first.object.message, new RegExp(`^too old resource version: ${oldRev} \\(\\d+\\)$`));
  // from a revision etcd still holds, the watch delivers the events after it
  const ok = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${compactAt}&timeoutSeconds=3`, { headers: { authorization: `Bearer ${token}` } });
  await api.create(cm('c'));
  const lines = (await ok.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => `${l.type} ${l.object.metadata.name}`), ['ADDED c']);
});
