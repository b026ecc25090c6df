// Issue 3's workload controllers as a user sees them through get / describe / events, on the
// virtual clock: StatefulSet ordinals and claims, DaemonSet following nodes, CronJob on the
// cluster clock, readiness and a Service's endpoints.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

async function cluster(nodes: number): Promise<Hosted> {
  const sb = new Hosted(new Sandbox());
  sandboxes.push(sb.sb);
  await sb.ok(['cluster', 'create', '--nodes', String(nodes)]);
  return sb;
}

const rows = (text: string): string[][] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(/\s{2,}/));

test('StatefulSet: web-0 before web-1, one Bound claim per ordinal from the default StorageClass', async () => {
  const sb = await cluster(2);
  await sb.ok(['apply', '-f', sb.file('sts.yaml', `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: {app: sts}
  template:
    metadata:
      labels: {app: sts}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`)]);
  // Ordered start: right after the first steps only web-0 exists.
  await sb.ok(['clock', 'advance', '1s']);
  assert.deepEqual(rows(await sb.ok(['get', 'pods', '-l', 'app=sts', '--no-headers'])).map((r) => r[0]), ['web-0']);
  await sb.ok(['reconcile', '--until-stable']);
  const pods = rows(await sb.ok(['get', 'pods', '-l', 'app=sts', '--no-headers']));
  assert.deepEqual(pods.map((r) => [r[0], r[1], r[2]]), [['web-0', '1/1', 'Running'], ['web-1', '1/1', 'Running']]);
  const pvcs = rows(await sb.ok(['get', 'pvc', '--no-headers']));
  assert.deepEqual(pvcs.map((r) => [r[0], r[1], r[3], r[4], r[5]]), [['data-web-0', 'Bound', '1Gi', 'RWO', 'standard'], ['data-web-1', 'Bound', '1Gi', 'RWO', 'standard']]);
  assert.match(await sb.ok(['get', 'sts', 'web', '--no-headers']), /^web\s+2\/2\s+/);
  const ev = await sb.ok(['events', '--for', 'statefulset/web']);
  assert.match(ev, /SuccessfulCreate\s+StatefulSet\/web\s+create Claim data-web-0 Pod web-0 in StatefulSet web success\n/);
  assert.match(ev, /SuccessfulCreate\s+StatefulSet\/web\s+create Pod web-0 in StatefulSet web successful\n/);
});

test('DaemonSet: one pod per node, following node add and remove', async () => {
  const sb = await cluster(2);
  await sb.ok(['apply', '-f', sb.file('ds.yaml', `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "while true; do sleep 60; done"]
`)]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.match(await sb.ok(['get', 'ds', 'agent', '--no-headers']), /^agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+/);
  await sb.ok(['node', 'add', 'node-3']);
  await sb.ok(['reconcile', '--until-stable']);
  const wide = rows(await sb.ok(['get', 'pods', '-l', 'app=agent', '-o', 'wide', '--no-headers']));
  assert.deepEqual(wide.map((r) => r[6]).sort(), ['node-1', 'node-2', 'node-3']);
  await sb.ok(['node', 'remove', 'node-3']);
  await sb.ok(['reconcile', '--until-stable']);
  assert.match(await sb.ok(['get', 'ds', 'agent', '--no-headers']), /^agent\s+2\s+2\s+2\s+2\s+2\s+/);
});

test('CronJob: fires on the cluster clock, its Job completes, history is kept', async () => {
  const sb = await cluster(1);
  await sb.ok(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'echo tick']);
  assert.equal((await sb.ok(['get', 'jobs', '--no-headers'])).trim(), '');
  await sb.ok(['clock', 'advance', '3m']);
  const jobs = rows(await sb.ok(['get', 'jobs', '--no-headers']));
  assert.ok(jobs.length >= 2 && jobs.length <= 3, JSON.stringify(jobs));
  assert.ok(jobs.every((r) => r[0].startsWith('tick-') && r[1] === 'Complete' && r[2] === '1/1'), JSON.stringify(jobs));
  assert.match(await sb.ok(['get', 'cronjob', 'tick', '--no-headers']), /^tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+\d+s\s+/);
  const ev = await sb.ok(['events', '--for', 'cronjob/tick']);
  assert.match(ev, /SuccessfulCreate\s+CronJob\/tick\s+Created job tick-\d+\n/);
  assert.match(ev, /SawCompletedJob\s+CronJob\/tick\s+Saw completed job: tick-\d+, status: Complete\n/);
  const job = jobs[0][0];
  assert.equal(await sb.ok(['logs', `job/${job}`]), 'tick\n');
});

test('readiness: a Service\'s endpoints list only Ready pods', async () => {
  const sb = await cluster(1);
  await sb.ok(['apply', '-f', sb.file('ready.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: ok
  labels: {app: svc}
spec:
  containers:
  - name: app
    image: nginx:1.27
    ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Pod
metadata:
  name: never-ready
  labels: {app: svc}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "while true; do sleep 60; done"]
    readinessProbe:
      exec: {command: ["cat", "/tmp/ready"]}
      periodSeconds: 5
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  selector: {app: svc}
  ports: [{port: 80, targetPort: 80}]
`)]);
  await sb.ok(['clock', 'advance', '30s']);
  assert.deepEqual(rows(await sb.ok(['get', 'pod', 'never-ready', '--no-headers']))[0].slice(1, 3), ['0/1', 'Running']);
  const okIP = await sb.ok(['get', 'pod', 'ok', '-o', 'jsonpath={.status.podIP}']);
  assert.match(await sb.ok(['get', 'endpoints', 'svc', '--no-headers']), new RegExp(`^svc\\s+${okIP.replace(/\./g, '\\.')}:80\\s+`));
  assert.match(await sb.ok(['describe', 'pod', 'never-ready']), /Warning\s+Unhealthy\s+.*kubelet\s+Readiness probe failed: cat: can't open '\/tmp\/ready': No such file or directory\n/);
});

test('pod IPs: distinct on a node, from its pod CIDR, and free again once pods are gone', async () => {
  const sb = await cluster(1);
  const cidr = await sb.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.podCIDR}']);
  const prefix = cidr.split('/')[0].split('.').slice(0, 3).join('.') + '.';
  await sb.ok(['create', 'deployment', 'many', '--image=nginx:1.27', '--replicas=40']);
  await sb.ok(['reconcile', '--until-stable']);
  const ips = async () => (await sb.ok(['get', 'pods', '-l', 'app=many', '-o', 'jsonpath={.items[*].status.podIP}'])).split(' ').filter(Boolean);
  const first = await ips();
  assert.equal(first.length, 40);
  assert.equal(new Set(first).size, 40, 'no two pods share an IP');
  assert.ok(first.every((ip) => ip.startsWith(prefix)), `${first.join(' ')} not in ${cidr}`);
  // Replace every pod a few times: 160 pods over time on a /24, so addresses must be reused.
  for (let round = 0; round < 4; round++) {
    await sb.ok(['delete', 'pods', '-l', 'app=many', '--wait=false']);
    await sb.ok(['reconcile', '--until-stable']);
    const now = await ips();
    assert.equal(now.length, 40);
    assert.equal(new Set(now).size, 40, `round ${round}: duplicate IPs ${now.join(' ')}`);
  }
});
