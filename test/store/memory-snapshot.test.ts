// Snapshots of the memory driver: a memory:// store lives inside the process that opened it,
// so that process saves and restores it (the bundle format of `kubesim snapshot` on files, in
// either direction); the CLI, another process, refuses memory:// with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { restoreMemoryStore, saveMemoryStore, type Bundle } from '../../src/store/bundle';
import type { ApiServer } from '../../src/api/server';
import { Sandbox } from '../e2e/helpers';

const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

/** The ConfigMaps of `default` as name=value, and the cluster's node names. */
async function state(api: ApiServer): Promise<string[]> {
  const cms = (await api.list(api.resolve('configmaps'), { namespace: 'default' })).items.filter((o) => o.metadata.name !== 'kube-root-ca.crt');
  const nodes = (await api.list(api.resolve('nodes'))).items;
  return [...cms.map((o) => `${o.metadata.name}=${o.data.v}`), ...nodes.map((n) => `node/${n.metadata.name}`)].sort();
}

test('a memory store saved and restored by the process holding it comes back as saved', async () => {
  const c = await createMemoryCluster(defaultProfile('mem', { nodes: 2 }));
  await c.api.create(cm('keep', '1'));
  await c.api.create(cm('change', '1'));
  const saved = await state(c.api);
  const bundle = JSON.parse(JSON.stringify(saveMemoryStore(c.api.store))) as Bundle; // as written to a file
  assert.equal(bundle.kind, 'StoreSnapshot');
  assert.equal(bundle.revision, await c.api.store.currentRev());
  assert.ok(bundle.objects.some((o) => o.key === 'configmaps/default/keep'));
  assert.ok(Object.keys(bundle.meta).length > 0, 'the meta documents (profile, clock, ...) are saved too');

  await c.api.delete(c.api.resolve('configmaps'), 'default', 'keep');
  const cur = await c.api.get(c.api.resolve('configmaps'), 'default', 'change');
  await c.api.update({ ...cur, data: { v: '2' } });
  await c.api.create(cm('extra', '1'));
  assert.notDeepEqual(await state(c.api), saved);

  const counts = restoreMemoryStore(c.api.store, bundle);
  assert.deepEqual(counts, { objects: bundle.objects.length, created: 1, updated: 1, deleted: 1 });
  assert.deepEqual(await state(c.api), saved);
  assert.deepEqual(JSON.parse(JSON.stringify(saveMemoryStore(c.api.store).meta)), bundle.meta);
});

test('a file cluster snapshot restores into a memory store, and the CLI refuses memory://', async () => {
  const sb = new Sandbox();
  try {
    sb.ok(['create', 'configmap', 'from-files', '--from-literal', 'v=7']);
    const file = join(sb.home, 'files.snapshot');
    sb.ok(['snapshot', 'save', file]);
    const c = await createMemoryCluster(defaultProfile('mem', { nodes: 1 }));
    await c.api.create(cm('only-in-memory', '1'));
    restoreMemoryStore(c.api.store, JSON.parse(readFileSync(file, 'utf8')) as Bundle);
    assert.deepEqual(await state(c.api), ['from-files=7', ...sb.ok(['get', 'nodes', '-o', 'name']).trim().split('\n')].sort());

    const out = join(sb.home, 'mem.snapshot');
    const save = sb.run(['snapshot', 'save', out, '--store', 'memory://']);
    assert.deepEqual({ code: save.code, stdout: save.stdout, stderr: save.stderr }, { code: 1, stdout: '', stderr: 'error: cannot snapshot a memory:// store: it lives only inside the process that opened it (another process would open a new, empty one)\n' });
    assert.equal(existsSync(out), false);
    const restore = sb.run(['snapshot', 'restore', file, '--store', 'memory://']);
    assert.deepEqual({ code: restore.code, stdout: restore.stdout, stderr: restore.stderr }, { code: 1, stdout: '', stderr: 'error: cannot restore into a memory:// store: it lives only inside the process that opened it (another process would open a new, empty one)\n' });
  } finally {
    rmSync(sb.home, { recursive: true, force: true });
  }
});
