import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { statefulSetReconciler } from '../../src/controllers/statefulset';
import type { KObject } from '../../src/api/types';

const sts = (replicas: number, extra: any = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default' },
  spec: {
    replicas,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...extra,
  },
});

const names = async (h: Harness, liveOnly = false) => (await h.pods()).filter((p) => !liveOnly || !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();

test('OrderedReady: pods one at a time, each waiting for the previous to be Ready; PVCs per ordinal', async () => {
  const h = await Harness.create([statefulSetReconciler], { nodes: 1 });
  h.behaviour = () => 'running';
  await h.api.create(sts(3));
  await h.run();
  assert.deepEqual(await names(h), ['db-0'], 'db-1 waits for db-0 to be Ready');
  h.behaviour = () => 'ready';
  await h.run();
  assert.deepEqual(await names(h), ['db-0', 'db-1', 'db-2']);
  const p0 = await h.get('v1', 'Pod', 'db-0');
  const rev = p0.metadata.labels!['controller-revision-hash'];
  assert.match(rev, /^db-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(p0.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'db-0');
  assert.equal(p0.metadata.labels!['apps.kubernetes.io/pod-index'], '0');
  assert.equal(p0.spec.hostname, 'db-0');
  assert.equal(p0.spec.subdomain, 'db');
  assert.deepEqual(p0.spec.volumes.find((v: any) => v.name === 'data'), { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } });
  const pvcs = (await h.list('v1', 'PersistentVolumeClaim')).map((c) => c.metadata.name).sort();
  assert.deepEqual(pvcs, ['data-db-0', 'data-db-1', 'data-db-2']);
  assert.deepEqual((await h.get('v1', 'PersistentVolumeClaim', 'data-db-0')).metadata.labels, { app: 'db' });
  const ev = await h.events();
  assert.deepEqual(ev.slice(0, 2), ['SuccessfulCreate create Claim data-db-0 Pod db-0 in StatefulSet db success', 'SuccessfulCreate create Pod db-0 in StatefulSet db successful']);
  assert.ok(await h.get('apps/v1', 'ControllerRevision', rev));
  const st = (await h.get('apps/v1', 'StatefulSet', 'db')).status;
  assert.deepEqual(st, { observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: rev, updateRevision: rev, collisionCount: 0, availableReplicas: 3 });
});

test('scale down removes the highest ordinal first and keeps PVCs', async () => {
  const h = await Harness.create([statefulSetReconciler], { nodes: 1 });
  await h.api.create(sts(3));
  await h.run();
  await h.api.mutate(h.type('apps/v1', 'StatefulSet'), 'default', 'db', (o) => void (o.spec.replicas = 1));
  await h.pass(); // one round of the controller: db-2 goes first, alone
  assert.deepEqual(await names(h, true), ['db-0', 'db-1']);
  assert.ok((await h.get('v1', 'Pod', 'db-2')).metadata.deletionTimestamp, 'db-2 is terminating');
  await h.run();
  assert.deepEqual(await names(h), ['db-0']);
  const del = (await h.events()).filter((e) => e.startsWith('SuccessfulDelete'));
  assert.deepEqual(del, ['SuccessfulDelete delete Pod db-2 in StatefulSet db successful', 'SuccessfulDelete delete Pod db-1 in StatefulSet db successful']);
  assert.equal((await h.list('v1', 'PersistentVolumeClaim')).length, 3);
});

test('Parallel creates every pod at once', async () => {
  const h = await Harness.create([statefulSetReconciler], { nodes: 1 });
  h.behaviour = () => 'running';
  await h.api.create(sts(3, { podManagementPolicy: 'Parallel' }));
  await h.run();
  assert.deepEqual(await names(h), ['db-0', 'db-1', 'db-2']);
});

test('rolling update replaces pods from the highest ordinal, honouring the partition', async () => {
  const h = await Harness.create([statefulSetReconciler], { nodes: 1 });
  await h.api.create(sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  await h.run();
  const oldRev = (await h.get('apps/v1', 'StatefulSet', 'db')).status.currentRevision;
  await h.api.mutate(h.type('apps/v1', 'StatefulSet'), 'default', 'db', (o) => void (o.spec.template.spec.containers[0].image = 'postgres:17'));
  await h.run();
  const st = (await h.get('apps/v1', 'StatefulSet', 'db')).status;
  assert.notEqual(st.updateRevision, oldRev);
  assert.equal(st.currentRevision, oldRev);
  const img = async (n: string) => (await h.get('v1', 'Pod', n)).spec.containers[0].image;
  assert.deepEqual(await Promise.all(['db-0', 'db-1', 'db-2'].map(img)), ['postgres:16', 'postgres:17', 'postgres:17']);
  const del = (await h.events()).filter((e) => e.startsWith('SuccessfulDelete'));
  assert.deepEqual(del, ['SuccessfulDelete delete Pod db-2 in StatefulSet db successful', 'SuccessfulDelete delete Pod db-1 in StatefulSet db successful']);
  assert.equal(st.updatedReplicas, 2);
  assert.equal(st.currentReplicas, 1);
});

test('persistentVolumeClaimRetentionPolicy whenScaled: Delete removes claims of removed ordinals', async () => {
  const h = await Harness.create([statefulSetReconciler], { nodes: 1 });
  await h.api.create(sts(3, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
  await h.run();
  await h.api.mutate(h.type('apps/v1', 'StatefulSet'), 'default', 'db', (o) => void (o.spec.replicas = 1));
  await h.run();
  const left = (await h.list('v1', 'PersistentVolumeClaim')).filter((c) => !c.metadata.deletionTimestamp).map((c) => c.metadata.name);
  assert.deepEqual(left, ['data-db-0']);
});
