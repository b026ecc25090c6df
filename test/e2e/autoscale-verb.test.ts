// e2e: `kubesim autoscale` through the built CLI on a real state directory. Every test
// starts from its own copy of one cluster holding the Deployment web.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  (base) => new Hosted(base).ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']),
  (copy) => (sb = new Hosted(copy)),
  'kubesim-autoscale-',
);

test('autoscale creates the HPA for a Deployment and says autoscaled', async () => {
  const r = await sb.run(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'horizontalpodautoscaler.autoscaling/web autoscaled\n');
  const hpa = JSON.parse(await sb.ok(['get', 'hpa', 'web', '-o', 'json']));
  assert.equal(hpa.apiVersion, 'autoscaling/v1');
  assert.deepEqual(hpa.spec, {
    maxReplicas: 5,
    minReplicas: 2,
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    targetCPUUtilizationPercentage: 80,
  });
});

test('autoscaling the same target again: AlreadyExists as kubectl prints it (exit 1)', async () => {
  await sb.ok(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80']);
  const r = await sb.run(['autoscale', 'deploy', 'web', '--max=5']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'Error from server (AlreadyExists): horizontalpodautoscalers.autoscaling "web" already exists\n');
});

test('TYPE/NAME with --name; the minimum is left to the server default when not given', async () => {
  const r = await sb.run(['autoscale', 'deploy/web', '--max=3', '--name=web-hpa']);
  assert.equal(r.stdout, 'horizontalpodautoscaler.autoscaling/web-hpa autoscaled\n');
  const hpa = JSON.parse(await sb.ok(['get', 'hpa', 'web-hpa', '-o', 'json']));
  assert.equal(hpa.spec.maxReplicas, 3);
  assert.equal(hpa.spec.scaleTargetRef.name, 'web');
  assert.equal(hpa.spec.targetCPUUtilizationPercentage, undefined);
});

test('a create the server forbids (quota) is the server\'s error as it is, as kubectl autoscale returns it', async () => {
  await sb.ok(['create', 'quota', 'q', '--hard=count/horizontalpodautoscalers.autoscaling=0']);
  const r = await sb.run(['autoscale', 'deployment', 'web', '--max=3']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'Error from server (Forbidden): horizontalpodautoscalers.autoscaling "web" is forbidden: exceeded quota: q, requested: count/horizontalpodautoscalers.autoscaling=1, used: count/horizontalpodautoscalers.autoscaling=0, limited: count/horizontalpodautoscalers.autoscaling=0\n',
  );
});

test('a missing target is NotFound', async () => {
  const r = await sb.run(['autoscale', 'deployment', 'nope', '--max=3']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): deployments.apps "nope" not found\n');
});

test('--max is checked before the target is looked up', async () => {
  const r = await sb.run(['autoscale', 'deployment', 'nope', '--max=0']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: --max=MAXPODS is required and must be at least 1, max: 0\n');
  const r2 = await sb.run(['autoscale', 'deployment', 'web', '--min=4', '--max=2']);
  assert.equal(r2.code, 1);
  assert.equal(r2.stderr, 'error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 4\n');
  const r3 = await sb.run(['autoscale', 'deployment', 'web']);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /required flag\(s\) \\?"max\\?" not set/);
});

test('--dry-run=client -o yaml prints the HPA kubectl would send, and creates nothing', async () => {
  const r = await sb.run(['autoscale', 'deployment', 'web', '--max=4', '--cpu-percent=50', '--name=dry', '--dry-run=client', '-o', 'yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  creationTimestamp: null
  name: dry
spec:
  maxReplicas: 4
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  targetCPUUtilizationPercentage: 50
status:
  currentReplicas: 0
  desiredReplicas: 0
`,
  );
  assert.equal((await sb.run(['autoscale', 'deployment', 'web', '--max=4', '--name=dry', '--dry-run=client'])).stdout, 'horizontalpodautoscaler.autoscaling/dry created (dry run)\n');
  assert.equal((await sb.run(['get', 'hpa', 'dry'])).code, 1);
});

test('a StatefulSet can be autoscaled too', async () => {
  await sb.ok(['apply', '-f', '-'], {
    stdin: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: postgres
`,
  });
  const r = await sb.run(['autoscale', 'statefulset', 'db', '--max=3']);
  assert.equal(r.stdout, 'horizontalpodautoscaler.autoscaling/db autoscaled\n');
  assert.equal(await sb.ok(['get', 'hpa', 'db', '-o', 'jsonpath={.spec.scaleTargetRef.kind}/{.spec.scaleTargetRef.name}']), 'StatefulSet/db');
});

test('autoscale -f and expose -f act on the live objects a file names; expose --overrides changes the Service', async () => {
  const file = sb.file('web.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n');
  assert.deepEqual(await sb.run(['autoscale', '-f', file, '--max=4']), { code: 0, stdout: 'horizontalpodautoscaler.autoscaling/web autoscaled\n', stderr: '' });
  assert.equal(JSON.parse(await sb.ok(['get', 'hpa', 'web', '-o', 'json'])).spec.maxReplicas, 4);
  const svc = JSON.parse(await sb.ok(['expose', '-f', file, '--port=80', '--override-type=json', '--overrides=[{"op":"add","path":"/spec/type","value":"NodePort"}]', '-o', 'json']));
  assert.equal(svc.spec.type, 'NodePort');
  assert.deepEqual(svc.spec.selector, { app: 'web' });
  const bad = await sb.run(['expose', '-f', file, '--port=81', '--name=x', '--override-type=bogus', '--overrides={}']);
  assert.deepEqual(bad, { code: 1, stdout: '', stderr: 'error: invalid override type: bogus\n' });
});
