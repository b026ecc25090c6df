// `kubesim snapshot save|restore` against a real etcd, through the CLI: the file is etcd's
// own snapshot (etcdctl reads it), and after changes (an object changed, one deleted, one
// added, a meta document rewritten) a restore brings back exactly the saved keys and
// values, while the cluster stays up and a running watcher sees the restore as events.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { Sandbox } from '../e2e/helpers';
import { openEtcdStore, type EtcdStore } from '../../src/store/etcd-store';
import type { KObject } from '../../src/api/types';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

let etcd: EtcdCluster | undefined;
let store: EtcdStore | undefined;
const dir = mkdtempSync(join(tmpdir(), 'kubesim-snap-'));
after(async () => {
  await store?.close();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every key under the registry and meta prefixes with its value, as etcdctl prints them. */
function dump(c: EtcdCluster): Record<string, string> {
  const out: Record<string, string> = {};
  for (const prefix of ['/registry/', '/kubesim/meta/']) {
    const res = JSON.parse(c.etcdctl(['get', '--prefix', prefix, '-w', 'json'])) as { kvs?: { key: string; value: string }[] };
    for (const kv of res.kvs ?? []) out[Buffer.from(kv.key, 'base64').toString()] = Buffer.from(kv.value, 'base64').toString();
  }
  return out;
}

test('snapshot save/restore on etcd: a genuine etcd snapshot, restored exactly into the running cluster', async () => {
  etcd = await EtcdCluster.start(1);
  store = await openEtcdStore(etcd.endpoints.join(','), new URLSearchParams());
  for (let i = 0; i < 30; i++) await store.create(`configmaps/default/cm-${i}`, cm(`cm-${i}`, 'saved'));
  await store.writeMeta('clock', { now: '2026-01-01T00:00:00Z', speed: 1 });
  const saved = dump(etcd);
  const savedRev = await store.currentRev();

  const sb = new Sandbox();
  try {
    const file = join(dir, 'etcd.snapshot');
    const out = sb.ok(['snapshot', 'save', file, '--store', etcd.url]);
    assert.match(out, new RegExp(`^Snapshot saved at ${file} \\(etcd snapshot, \\d+ bytes`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // etcd's own tool reads it: the revision and the keys are there
    const status = JSON.parse(etcd.etcdctl(['snapshot', 'status', file, '-w', 'json'])) as { revision: number; totalKey: number };
    assert.ok(status.revision >= savedRev);

    // changes after the save: one changed, one deleted, one added, meta rewritten and added
    const c3 = (await store.get('configmaps/default/cm-3'))!;
    await store.update('configmaps/default/cm-3', cm('cm-3', 'changed'), Number(c3.metadata.resourceVersion));
    await store.delete('configmaps/default/cm-4');
    await store.create('configmaps/default/new', cm('new', 'added'));
    await store.writeMeta('clock', { now: '2027-01-01T00:00:00Z', speed: 5 });
    await store.writeMeta('extra', { x: 1 });
    assert.notDeepEqual(dump(etcd), saved);

    const before = await store.currentRev();
    assert.deepEqual(await store.changesSince(before), []);
    const restored = sb.ok(['snapshot', 'restore', file, '--store', etcd.url]);
    assert.equal(restored, `Snapshot restored from ${file}: 30 objects (1 created, 1 updated, 1 deleted)\n`);
    assert.deepEqual(dump(etcd), saved, 'every registry and meta key back with its saved value, nothing else');
    // the cluster stayed up, and a watcher saw the restore as ordinary events
    // (another process wrote them: this client's feed has them once etcd's watch delivers)
    const end = Date.now() + 10_000;
    while ((await store.changesSince(before)).length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const seen = (await store.changesSince(before)).map((e) => [e.type, e.key]);
    assert.deepEqual(seen.sort(), [
      ['ADDED', 'configmaps/default/cm-4'],
      ['DELETED', 'configmaps/default/new'],
      ['MODIFIED', 'configmaps/default/cm-3'],
    ]);
    // a second restore changes nothing
    assert.equal(sb.ok(['snapshot', 'restore', file, '--store', etcd.url]), `Snapshot restored from ${file}: 30 objects (0 created, 0 updated, 0 deleted)\n`);

    // not a snapshot: a clear error, nothing touched
    const junk = sb.file('junk.db', 'not a snapshot');
    const bad = sb.run(['snapshot', 'restore', junk, '--store', etcd.url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not an etcd snapshot etcdctl can restore/);
    assert.deepEqual(dump(etcd), saved);
  } finally {
    rmSync(sb.home, { recursive: true, force: true });
  }
});
