import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { pvcBinderReconciler, pvReconciler } from '../../src/controllers/pv-binder';
import type { KObject } from '../../src/api/types';

const pvc = (name: string, spec: any = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const pv = (name: string, storage: string, spec: any = {}, labels?: Record<string, string>): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` }, ...spec },
});
const consumer = (claim: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'user', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }] },
});

test('default StorageClass "standard" (kind) waits for the first consumer, then provisions pvc-<uid>', async () => {
  const h = await Harness.create([pvcBinderReconciler, pvReconciler], { nodes: 1 });
  h.behaviour = undefined;
  await h.api.create(pvc('data'));
  await h.run();
  const sc = await h.get('storage.k8s.io/v1', 'StorageClass', 'standard', undefined as any);
  assert.equal(sc.provisioner, 'rancher.io/local-path');
  assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
  assert.equal(sc.metadata.annotations!['storageclass.kubernetes.io/is-default-class'], 'true');
  let claim = await h.get('v1', 'PersistentVolumeClaim', 'data');
  assert.equal(claim.spec.storageClassName, 'standard');
  assert.equal(claim.status.phase, 'Pending');
  assert.deepEqual(await h.events(), ['WaitForFirstConsumer waiting for first consumer to be created before binding']);
  await h.api.create(consumer('data'));
  await h.run();
  claim = await h.get('v1', 'PersistentVolumeClaim', 'data');
  const name = `pvc-${claim.metadata.uid}`;
  assert.equal(claim.spec.volumeName, name);
  assert.deepEqual(claim.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
  assert.equal(claim.metadata.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
  const vol = await h.get('v1', 'PersistentVolume', name, undefined as any);
  assert.equal(vol.status.phase, 'Bound');
  assert.equal(vol.spec.claimRef.name, 'data');
  assert.equal(vol.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(vol.spec.storageClassName, 'standard');
  assert.ok((await h.events()).includes(`ProvisioningSucceeded Successfully provisioned volume ${name}`));
});

test('static binding picks the smallest matching volume; deleting the claim releases a Retain volume', async () => {
  const h = await Harness.create([pvcBinderReconciler, pvReconciler], { nodes: 1 });
  await h.api.create(pv('big', '10Gi'));
  await h.api.create(pv('small', '2Gi'));
  await h.api.create(pv('tiny', '500Mi'));
  await h.api.create(pv('rwx', '1Gi', { accessModes: ['ReadWriteMany'] }));
  await h.api.create(pvc('claim', { storageClassName: '' }));
  await h.run();
  const claim = await h.get('v1', 'PersistentVolumeClaim', 'claim');
  assert.equal(claim.spec.volumeName, 'small');
  assert.equal(claim.status.phase, 'Bound');
  assert.equal(claim.status.capacity.storage, '2Gi');
  const phases = async () => Object.fromEntries((await h.list('v1', 'PersistentVolume', undefined as any)).map((v) => [v.metadata.name, v.status.phase]));
  assert.deepEqual(await phases(), { big: 'Available', rwx: 'Available', small: 'Bound', tiny: 'Available' });
  await h.api.delete(h.type('v1', 'PersistentVolumeClaim'), 'default', 'claim');
  await h.run();
  assert.equal(await h.api.tryGet(h.type('v1', 'PersistentVolumeClaim'), 'default', 'claim'), undefined);
  assert.deepEqual(await phases(), { big: 'Available', rwx: 'Available', small: 'Released', tiny: 'Available' });
});

test('a claim with a selector only binds to labelled volumes', async () => {
  const h = await Harness.create([pvcBinderReconciler, pvReconciler], { nodes: 1 });
  await h.api.create(pv('plain', '1Gi'));
  await h.api.create(pvc('sel', { storageClassName: '', selector: { matchLabels: { tier: 'gold' } } }));
  await h.run();
  assert.equal((await h.get('v1', 'PersistentVolumeClaim', 'sel')).status.phase, 'Pending');
  await h.api.create(pv('gold', '1Gi', {}, { tier: 'gold' }));
  await h.run();
  assert.equal((await h.get('v1', 'PersistentVolumeClaim', 'sel')).spec.volumeName, 'gold');
});
