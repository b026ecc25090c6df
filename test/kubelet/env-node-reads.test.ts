// The kubelet's env builder reads the pod's Node once per container start (its addresses for
// status.hostIP(s), its allocatable for resourceFieldRef without a limit), not once per variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../controllers/harness';
import { containerEnv } from '../../src/kubelet/env';
import { containerView } from '../../src/exec/container-view';
import type { KObject } from '../../src/api/types';

async function setup(): Promise<{ h: Harness; pod: KObject; nodeReads: () => number; node: KObject }> {
  const h = await Harness.create([], { nodes: 1 });
  const [node] = (await h.api.list(h.type('v1', 'Node'), {})).items;
  const container = {
    name: 'c',
    image: 'busybox',
    resources: { requests: { cpu: '250m' } },
    env: [
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
    ],
    volumeMounts: [{ name: 'info', mountPath: '/info' }],
  };
  const pod = await h.api.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      nodeName: node.metadata.name,
      containers: [container],
      volumes: [{ name: 'info', downwardAPI: { items: [
        { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
        { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory' } },
      ] } }],
    },
  } as unknown as KObject);
  // count the Node reads from here on
  let reads = 0;
  const tryGet = h.api.tryGet.bind(h.api);
  h.api.tryGet = ((rt: any, ...rest: any[]) => {
    if (rt.kind === 'Node') reads++;
    return (tryGet as any)(rt, ...rest);
  }) as typeof h.api.tryGet;
  return { h, pod, nodeReads: () => reads, node };
}

test('containerEnv: five node-dependent variables, one Node read', async () => {
  const { h, pod, nodeReads, node } = await setup();
  const r = await containerEnv(h.api, pod, pod.spec!.containers[0]);
  assert.equal(r.error, undefined);
  const ip = node.status!.addresses.find((a: any) => a.type === 'InternalIP').address;
  assert.equal(r.env!.HOST_IP, ip);
  assert.equal(r.env!.HOST_IPS, ip);
  assert.equal(r.env!.CPU, String(Math.ceil(Number(node.status!.allocatable.cpu) * 1000)));
  assert.equal(r.env!.REQ, '250');
  assert.equal(nodeReads(), 1);
});

test('containerView (what exec and the container command see): env and downwardAPI files share one Node read', async () => {
  const { h, pod, nodeReads } = await setup();
  const view = await containerView(h.api, pod, pod.spec!.containers[0], { copied: false });
  assert.equal(view.files['/info/cpu'], new Map(view.env).get('CPU'));
  assert.match(view.files['/info/mem'], /^\d+$/);
  assert.equal(nodeReads(), 1);
});
