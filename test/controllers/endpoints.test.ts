import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { endpointsReconciler, findPort } from '../../src/controllers/endpoints';
import { replicaSetReconciler } from '../../src/controllers/replicaset';
import type { KObject } from '../../src/api/types';

const rs: KObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } },
  },
};
const svc: KObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090 }] },
};

test('findPort resolves numbers and container port names', () => {
  const pod = rs.spec.template as KObject;
  assert.equal(findPort(pod, { port: 80, targetPort: 'http' }), 8080);
  assert.equal(findPort(pod, { port: 80, targetPort: 9000 }), 9000);
  assert.equal(findPort(pod, { port: 80 }), 80);
  assert.equal(findPort(pod, { port: 80, targetPort: 'nope' }), undefined);
});

test('Endpoints and EndpointSlice list ready and not-ready pods with resolved ports', async () => {
  const h = await Harness.create([replicaSetReconciler, endpointsReconciler], { nodes: 1 });
  h.behaviour = async (pod, hh) => (pod.metadata.name === (await hh.pods()).map((p) => p.metadata.name).sort()[0] ? 'ready' : 'running');
  await h.api.create(rs);
  await h.api.create(svc);
  await h.run();
  const pods = await h.pods();
  const ready = pods.find((p) => p.status.conditions[0].status === 'True')!;
  const notReady = pods.find((p) => p.status.conditions[0].status === 'False')!;
  const ep = await h.get('v1', 'Endpoints', 'web');
  assert.equal(ep.subsets.length, 1);
  const sub = ep.subsets[0];
  assert.deepEqual(sub.addresses, [{ ip: ready.status.podIP, nodeName: 'node-1', targetRef: { kind: 'Pod', name: ready.metadata.name, namespace: 'default', uid: ready.metadata.uid } }]);
  assert.deepEqual(sub.notReadyAddresses.map((a: any) => a.targetRef.name), [notReady.metadata.name]);
  assert.deepEqual(sub.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);

  const slices = (await h.list('discovery.k8s.io/v1', 'EndpointSlice')).filter((x) => x.metadata.labels!['kubernetes.io/service-name'] === 'web');
  assert.equal(slices.length, 1);
  const s = slices[0];
  assert.match(s.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(s.metadata.labels!['kubernetes.io/service-name'], 'web');
  assert.equal(s.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
  const byName = Object.fromEntries(s.endpoints.map((e: any) => [e.targetRef.name, e.conditions]));
  assert.deepEqual(byName[ready.metadata.name!], { ready: true, serving: true, terminating: false });
  assert.deepEqual(byName[notReady.metadata.name!], { ready: false, serving: false, terminating: false });

  // Readiness flips: the address moves.
  h.behaviour = () => 'ready';
  await h.run();
  const ep2 = await h.get('v1', 'Endpoints', 'web');
  assert.equal(ep2.subsets[0].addresses.length, 2);
  assert.equal(ep2.subsets[0].notReadyAddresses, undefined);
});

test('a Service without pods gets empty Endpoints; deleting the Service removes them', async () => {
  const h = await Harness.create([endpointsReconciler], { nodes: 1 });
  await h.api.create(svc);
  await h.run();
  const ep = await h.get('v1', 'Endpoints', 'web');
  assert.equal(ep.subsets, undefined);
  await h.api.delete(h.type('v1', 'Service'), 'default', 'web');
  await h.run();
  assert.equal(await h.api.tryGet(h.type('v1', 'Endpoints'), 'default', 'web'), undefined);
  assert.equal((await h.list('discovery.k8s.io/v1', 'EndpointSlice')).filter((x) => x.metadata.labels!['kubernetes.io/service-name'] === 'web').length, 0);
  // the kubernetes service points at the API server on 6443
  assert.deepEqual((await h.get('v1', 'Endpoints', 'kubernetes')).subsets, [{ addresses: [{ ip: '172.18.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
  assert.equal((await h.get('discovery.k8s.io/v1', 'EndpointSlice', 'kubernetes')).endpoints[0].addresses[0], '172.18.0.2');
});
