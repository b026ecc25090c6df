// metrics.k8s.io/v1beta1 on `kubesim serve`: the real kubectl 1.32 `top` prints exactly what
// `kubesim top` prints (one source of simulated usage), discovery lists the group, and the
// raw NodeMetrics/PodMetrics objects are what metrics-server returns.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('metrics');

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "sleep 36000"]
        resources: {requests: {cpu: 200m, memory: 128Mi}}
      - {name: sidecar, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
---
apiVersion: v1
kind: Pod
metadata:
  name: pinned
  namespace: kube-system
  labels: {tier: pinned}
  annotations: {kubesim.io/cpu-usage: 750m, kubesim.io/memory-usage: 300Mi}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
`;

before(async () => {
  await c.setUp({ kubectl: true, manifest: APP });
});

after(() => c.stop());

function same(args: string[]): string {
  const k = c.kubectl(args);
  const s = c.kubesim(args);
  assert.equal(k.stdout, s.stdout, `stdout of ${args.join(' ')}\nkubectl stderr: ${k.stderr}`);
  assert.equal(k.stderr, s.stderr, `stderr of ${args.join(' ')}`);
  assert.equal(k.code, s.code, `exit code of ${args.join(' ')}`);
  return k.stdout;
}

test('kubectl top pods prints what kubesim top pods prints', () => {
  const out = same(['top', 'pods']);
  assert.equal(out.split('\n').filter((l) => l.startsWith('api-')).length, 3, out);
  same(['top', 'pods', '--containers']);
  same(['top', 'pods', '-A']);
  same(['top', 'pods', '-A', '--sum', '--sort-by=cpu']);
  same(['top', 'pods', '-n', 'kube-system', '-l', 'tier=pinned', '--no-headers']);
  assert.match(same(['top', 'pod', 'pinned', '-n', 'kube-system']), /^pinned\s+750m\s+300Mi\s+$/m);
  same(['top', 'pod', 'nope']);
  same(['top', 'pods', '-l', 'app=none']);
});

test('kubectl top nodes prints what kubesim top nodes prints', () => {
  const out = same(['top', 'nodes']);
  assert.equal(out.split('\n').filter((l) => l.startsWith('node-')).length, 2, out);
  same(['top', 'node', 'node-1', '--show-capacity']);
  same(['top', 'nodes', '--sort-by=memory', '--no-headers']);
  same(['top', 'node', 'nope']);
});

test('discovery lists metrics.k8s.io; the objects are metrics-server\'s', async () => {
  same(['api-versions']);
  same(['api-resources', '--api-group=metrics.k8s.io']);
  const list = JSON.parse((await c.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods?labelSelector=tier%3Dpinned')).body);
  assert.equal(list.kind, 'PodMetricsList');
  assert.equal(list.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual(list.items.map((i: any) => [i.metadata.namespace, i.metadata.name, i.containers]), [['kube-system', 'pinned', [{ name: 'app', usage: { cpu: '750000000n', memory: '307200Ki' } }]]]);
  const node = await c.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes/node-2');
  assert.equal(node.status, 200);
  assert.equal(JSON.parse(node.body).kind, 'NodeMetrics');
  const missing = await c.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).message, 'podmetrics.metrics.k8s.io "default/nope" not found');
  assert.equal((await c.request('DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/node-2')).status, 405);
});
