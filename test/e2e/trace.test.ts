// `kubesim trace pod`: a learner's step-by-step view of one pod, through the real CLI.
// Every test starts from its own copy of one settled cluster (below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;

const podNames = async (selector: string, status?: string): Promise<string[]> =>
  (await sb.ok(['get', 'pods', '-l', selector, '--no-headers']))
    .split('\n')
    .filter((l) => l && (!status || l.includes(` ${status} `)))
    .map((l) => l.split(/\s+/)[0]);

copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['cluster', 'create', '--nodes', '3', '--node-cpu', '2']);
    await base.ok(['taint', 'nodes', 'node-3', 'dedicated=gpu:NoSchedule']);
    await base.ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);
    await base.ok(['set', 'resources', 'deployment', 'web', '--requests=cpu=700m']);
    await base.ok(['reconcile', '--until-stable']);
  },
  (copy) => (sb = new Hosted(copy)),
);

test('a Running pod: created by its ReplicaSet of its Deployment, scheduled with the other nodes explained, pulled, started, Ready', async () => {
  const [name] = await podNames('app=web', 'Running');
  const out = await sb.ok(['trace', 'pod', name]);
  const lines = out.split('\n');
  assert.equal(lines[0], `Pod default/${name}`);
  assert.match(out, /Created by ReplicaSet\/web-[a-z0-9]+ of Deployment\/web\n/);
  assert.match(out, new RegExp(`ReplicaSet event SuccessfulCreate: Created pod: ${name}\\n`));
  assert.match(out, /defaulted: serviceAccountName: default, schedulerName: default-scheduler/);
  assert.match(out, /tolerates not-ready for 300s, unreachable for 300s/);
  // Each other node's reason is computed as the cluster is now (the pod itself left out).
  assert.match(out, /Scheduled to node-[12] by default-scheduler\n\s+3 node\(s\) considered\n(\s+node-\d: .*\n)*\s+node-3: node\(s\) had untolerated taint \{dedicated: gpu\}\n/);
  assert.match(out, /Pulling image "nginx:1\.27" \(container nginx\)/);
  assert.match(out, /Container nginx started/);
  assert.match(out, /Ready: every container running, no readiness probe/);
  assert.match(out, /\nNow: Running, ready 1\/1, restarts 0, on node-[12], IP 10\.244\.\d+\.\d+\n$/);
  // Steps are in the order the cluster performed them.
  const order = ['Created by', 'Scheduled to', 'Pulling image', 'Image pulled', 'Container nginx created', 'Container nginx started', 'Ready:'].map((s) => out.indexOf(s));
  assert.deepEqual([...order].sort((a, b) => a - b), order, out);
  assert.ok(order.every((i) => i > 0), out);
});

test('a Pending pod: the FailedScheduling message and each node\'s reason now', async () => {
  await sb.ok(['scale', 'deployment', 'web', '--replicas=5']);
  await sb.ok(['reconcile', '--until-stable']);
  const [name] = await podNames('app=web', 'Pending');
  assert.ok(name, 'a pod stays Pending (2 nodes × 2 cpu, 700m each)');
  const out = await sb.ok(['trace', `pod/${name}`]);
  // The scheduler may retry while the nodes come up (their status changes requeue it): the
  // event then carries its count, as `kubectl describe` aggregates it.
  assert.match(out, /! Could not be scheduled(?: \(\d+ times, last at \d\d:\d\d:\d\d\))?: 0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\./);
  assert.match(out, /\nNow: Pending, ready 0\/1, restarts 0\nWhy it is not Running and Ready:\n {2}Pending, not scheduled: 0\/3 nodes are available/);
  assert.match(out, /\n {4}node-1: Insufficient cpu\n {4}node-2: Insufficient cpu\n {4}node-3: node\(s\) had untolerated taint \{dedicated: gpu\}\n$/);
  const json = JSON.parse(await sb.ok(['trace', 'pod', name, '-o', 'json']));
  assert.equal(json.name, name);
  assert.equal(json.now.status, 'Pending');
  assert.ok(json.steps.some((s: { source: string }) => s.source === 'event FailedScheduling'));
});

test('an image that cannot be pulled: where it is stuck, in the kubelet\'s words', async () => {
  await sb.ok(['run', 'broken', '--image=nginx:doesnotexist']);
  // Pull back-off never settles: reconcile reports that and exits 1 after the simulated minute.
  assert.equal((await sb.run(['reconcile', '--until-stable', '--timeout', '1m'])).code, 1);
  const out = await sb.ok(['trace', 'pod', 'broken']);
  assert.match(out, /Created directly \(no controller owns it/);
  assert.match(out, /! Failed \(container broken\).*: Failed to pull image "nginx:doesnotexist"/);
  assert.match(out, /Why it is not Running and Ready:\n {2}container broken: waiting, (ImagePullBackOff|ErrImagePull)/);
});

test('errors: a missing pod is NotFound (exit 1); other kinds are refused with a hint', async () => {
  const missing = await sb.run(['trace', 'pod', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
  const deploy = await sb.run(['trace', 'deployment', 'web']);
  assert.equal(deploy.code, 1);
  assert.match(deploy.stderr, /trace follows pods only/);
});
