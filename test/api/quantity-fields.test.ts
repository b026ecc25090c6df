// The API server stores a built-in object's Quantities as kube-apiserver encodes them
// (Quantity.MarshalJSON after UnmarshalJSON): canonical unless ParseQuantity kept the text,
// on every write (create, update, the status subresource, server-side apply); custom
// resources as written.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';
import { crdObject } from '../helpers/crd';

before(async () => loadValidation());

async function server(): Promise<ApiServer> {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  return api;
}

// As written -> as kube stores it. `1e3` (a string) is kept: ParseQuantity keeps a text whose
// scale is a multiple of 3 without trailing zeros; the number 1000 is not (shifted "1000").
// (An extended resource must be whole: the fractions are kubernetes.io/-prefixed native ones.)
const WRITTEN = { cpu: '1000m', memory: '2048Ki', 'ephemeral-storage': 1000, 'example.com/a': '1e3', 'b.kubernetes.io/b': 0.001, 'c.kubernetes.io/c': ' 1.5 ' };
const STORED = { cpu: '1', memory: '2Mi', 'ephemeral-storage': '1k', 'example.com/a': '1e3', 'b.kubernetes.io/b': '1m', 'c.kubernetes.io/c': '1500m' };

const podSpec = () => ({
  containers: [{ name: 'c', image: 'nginx', resources: { requests: { ...WRITTEN }, limits: { ...WRITTEN } }, env: [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1024Ki' } } }] }],
  initContainers: [{ name: 'i', image: 'busybox', resources: { limits: { cpu: '0.5' } } }],
  volumes: [{ name: 'v', emptyDir: { sizeLimit: '1024Mi' } }],
});

test('create and update of a pod and a deployment store canonical quantities at every Quantity field', async () => {
  const api = await server();
  const pod = await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: podSpec() });
  const c = pod.spec.containers[0];
  assert.deepEqual(c.resources, { requests: STORED, limits: STORED });
  assert.equal(c.env[0].valueFrom.resourceFieldRef.divisor, '1Mi');
  assert.deepEqual(pod.spec.initContainers[0].resources, { limits: { cpu: '500m' }, requests: { cpu: '500m' } });
  assert.equal(pod.spec.volumes[0].emptyDir.sizeLimit, '1Gi');
  // What is read back is what was stored.
  assert.deepEqual((await api.get(api.resolve('pods'), 'default', 'p')).spec.containers[0].resources.limits, STORED);

  const d = await api.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec() } },
  });
  assert.deepEqual(d.spec.template.spec.containers[0].resources.requests, STORED);
  const next = structuredClone(d);
  // (the extended resource keeps its limit: it cannot be overcommitted)
  next.spec.template.spec.containers[0].resources.limits = { cpu: 2000, memory: '1.5Gi', 'example.com/a': '1000' };
  const updated = await api.update(next);
  assert.deepEqual(updated.spec.template.spec.containers[0].resources.limits, { cpu: '2k', memory: '1536Mi', 'example.com/a': '1k' });
});

test('LimitRange, ResourceQuota, PVC, PV, RuntimeClass and CSIStorageCapacity quantities are stored canonical', async () => {
  const api = await server();
  const lr = await api.create({
    apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' },
    spec: { limits: [{ type: 'Container', max: { cpu: '4000m' }, min: { memory: 1024 }, default: { cpu: '1.0' }, defaultRequest: { cpu: '0.25' }, maxLimitRequestRatio: { cpu: '10.0' } }] },
  });
  // (defaultRequest.memory: the min, defaulted.)
  assert.deepEqual(lr.spec.limits[0], { type: 'Container', max: { cpu: '4' }, min: { memory: '1024' }, default: { cpu: '1' }, defaultRequest: { cpu: '250m', memory: '1024' }, maxLimitRequestRatio: { cpu: '10' } });
  const quota = await api.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { 'requests.cpu': '10000m', 'requests.memory': '1048576Ki', pods: 10 } } });
  assert.deepEqual(quota.spec.hard, { 'requests.cpu': '10', 'requests.memory': '1Gi', pods: '10' });
  const pvc = await api.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } } });
  assert.equal(pvc.spec.resources.requests.storage, '1Gi');
  const pv = await api.create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: 5e9 }, hostPath: { path: '/x' } } });
  assert.equal(pv.spec.capacity.storage, '5G');
  const rc = await api.create({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'r' }, handler: 'h', overhead: { podFixed: { cpu: '0.1' } } });
  assert.deepEqual(rc.overhead.podFixed, { cpu: '100m' });
  const cap = await api.create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name: 's' }, storageClassName: 'sc', capacity: '2048Mi', maximumVolumeSize: 1000000 });
  assert.deepEqual([cap.capacity, cap.maximumVolumeSize], ['2Gi', '1M']);
  // The LimitRanger's defaults come from the stored (canonical) range, its messages quote it.
  const pod = await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { memory: 2048 } } }] } });
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '1' }, requests: { cpu: '250m', memory: '2048' } });
  await assert.rejects(
    () => api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '8000m' }, requests: { memory: 2048 } } }] } }),
    /maximum cpu usage per Container is 4, but limit is 8$/,
  );
});

test('status writes and server-side apply store canonical quantities; a status write leaves spec as it was', async () => {
  const api = await server();
  const node = await api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '2', memory: '1Gi' }, allocatable: { cpu: '2' } } });
  const written = await api.updateStatus({ ...node, status: { ...node.status, capacity: { ...node.status.capacity, cpu: '4000m', 'example.com/gpu': 2 }, allocatable: { ...node.status.allocatable, memory: '4096Mi' } } });
  assert.equal(written.status.capacity.cpu, '4');
  assert.equal(written.status.capacity['example.com/gpu'], '2');
  assert.equal(written.status.allocatable.memory, '4Gi');

  const cms = api.resolve('pvc');
  const { object: applied } = await api.apply(cms, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'a', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0.5Gi' } } } }, { fieldManager: 'm', force: false });
  assert.equal(applied.spec.resources.requests.storage, '512Mi');
  const { object: again } = await api.apply(cms, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'a', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '524288Ki' } } } }, { fieldManager: 'm', force: false });
  assert.equal(again.spec.resources.requests.storage, '512Mi');
  const status = await api.updateStatus({ ...again, status: { phase: 'Bound', capacity: { storage: '0.5Gi' } } });
  assert.deepEqual([status.status.capacity.storage, status.spec.resources.requests.storage], ['512Mi', '512Mi']);
});

test('custom resources keep their quantities as written', async () => {
  const api = await server();
  await api.create(crdObject({ plural: 'widgets', kind: 'Widget', schema: 'properties: {spec: {type: object, properties: {cpu: {x-kubernetes-int-or-string: true}, memory: {type: string}}}}' }));
  const w = await api.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { cpu: '1000m', memory: '2048Ki' } });
  assert.deepEqual(w.spec, { cpu: '1000m', memory: '2048Ki' });
});

test("a text ParseQuantity refuses is the decoder's BadRequest on create, update and status (apply: the field manager's 500); nothing is written", async () => {
  const api = await server();
  const format = `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;
  const pod = (cpu: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu } } }] } });
  // Unicode digits, NaN, a space inside, hex, underscores: none is a quantity.
  for (const cpu of ['１', 'NaN', '1 Ki', '0x10', '1_000']) {
    await assert.rejects(() => api.create(pod(cpu)), { code: 400, message: `Pod in version "v1" cannot be handled as a Pod: ${format}` }, cpu);
  }
  await assert.rejects(() => api.create(pod('1Ki5')), { code: 400, message: `Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix` });
  await assert.rejects(() => api.get(api.resolve('pods'), 'default', 'p'), { code: 404 });
  const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', maxLimitRequestRatio: { memory: 'Infinity' } }] } };
  await assert.rejects(() => api.create(lr), { code: 400, message: `LimitRange in version "v1" cannot be handled as a LimitRange: ${format}` });
  const quota = await api.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { cpu: '1' } } });
  await assert.rejects(() => api.update({ ...quota, spec: { hard: { cpu: '٣' } } }), { code: 400, message: `ResourceQuota in version "v1" cannot be handled as a ResourceQuota: ${format}` });
  const node = await api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '2' } } });
  await assert.rejects(() => api.updateStatus({ ...node, status: { capacity: { cpu: 'lots' } } }), { code: 400, message: `Node in version "v1" cannot be handled as a Node: ${format}` });
  await assert.rejects(
    () => api.apply(api.resolve('pvc'), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'a', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1 Gi' } } } }, { fieldManager: 'm', force: false }),
    // Server-side apply converts the merged object in its field manager, whose plain error is a
    // 500 (fieldmanager's structuredMergeManager.Apply: `failed to convert new object`).
    { code: 500, message: `failed to convert new object (default/a; /v1, Kind=PersistentVolumeClaim) to proper version: unable to convert unstructured object to /v1, Kind=PersistentVolumeClaim: ${format}` },
  );
  assert.deepEqual([(await api.get(api.resolve('resourcequotas'), 'default', 'q')).spec.hard, (await api.get(api.resolve('nodes'), undefined, 'n')).status.capacity], [{ cpu: '1' }, { cpu: '2' }]);
});
