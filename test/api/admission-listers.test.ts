// The admission plugins' reads (admission/listers.ts) are answered from memory while their
// resources are unwritten, and read again once another process (another FileStore over the
// same directory) or this one writes them: LimitRanger's defaults and ServiceAccount's
// refusal follow every change at once, as the uncached reads did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCluster, openCluster } from '../../src/cluster/cluster';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { loadValidation, apiValidator } from '../../src/api/validator-adapter';
import type { ApiServer } from '../../src/api/server';
import type { KObject } from '../../src/api/types';

let home: string;
before(async () => {
  await loadValidation();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'admission-listers-'));
});
after(() => fs.rmSync(home, { recursive: true, force: true }));

const pod = (name: string, sa?: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...(sa ? { serviceAccountName: sa } : {}), containers: [{ name: 'c', image: 'nginx' }] } }) as KObject;
const limitRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'default' }, spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '150m' } }] } } as KObject;

async function checks(writer: ApiServer, admitting: ApiServer): Promise<void> {
  const first = await admitting.create(pod('p1'));
  assert.equal(first.spec.containers[0].resources?.requests, undefined);
  const reads = admitting.listers.counts.reads;
  const hits = admitting.listers.counts.hits;
  await admitting.create(pod('p2'));
  // Nothing written under the plugins' resources since p1: every read answered from memory.
  assert.equal(admitting.listers.counts.reads, reads);
  assert.ok(admitting.listers.counts.hits > hits);

  await writer.create(limitRange);
  const p3 = await admitting.create(pod('p3'));
  assert.deepEqual(p3.spec.containers[0].resources, { requests: { cpu: '150m' } });
  assert.equal(p3.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container c');
  await writer.delete(writer.registry.forKind('v1', 'LimitRange'), 'default', 'lr');
  const p4 = await admitting.create(pod('p4'));
  assert.equal(p4.spec.containers[0].resources?.requests, undefined);

  await assert.rejects(admitting.create(pod('p5', 'robot')), /error looking up service account default\/robot: serviceaccount "robot" not found/);
  await writer.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' }, automountServiceAccountToken: false } as KObject);
  const p5 = await admitting.create(pod('p5', 'robot'));
  assert.equal(p5.spec.serviceAccountName, 'robot');
  assert.equal(p5.spec.volumes, undefined); // the account's automount: false, read from the new account
}

test('file store: another process\'s LimitRange and ServiceAccount writes reach the next pod\'s admission', async () => {
  const a = await createCluster(home, 'c1', defaultProfile('c1', { nodes: 1 }));
  const b = await openCluster(home, 'c1');
  try {
    await checks(b.api, a.api);
  } finally {
    await a.api.store.close();
    await b.api.store.close();
  }
});

test('memory store: this process\'s own writes reach the next pod\'s admission', async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 1 }), { validator: apiValidator() });
  await checks(c.api, c.api);
});
