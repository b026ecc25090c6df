// ResourceQuota: admission refuses creates over a hard limit with the API server's message,
// the quota controller reports usage, and a ReplicaSet held back by a quota retries with
// back-off (one FailedCreate per attempt, a stable ReplicaFailure condition) and recovers.
// Each test starts from its own copy of one two-node cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  (base) => new Hosted(base).ok(['cluster', 'create', '--nodes', '2']),
  (copy) => (sb = new Hosted(copy)),
);

test('count quotas: a create over the limit is forbidden (exit 1); get/describe quota show usage', async () => {
  assert.equal(await sb.ok(['create', 'quota', 'counts', '--hard=configmaps=3,count/deployments.apps=1']), 'resourcequota/counts created\n');
  await sb.ok(['create', 'configmap', 'a']);
  await sb.ok(['create', 'deployment', 'one', '--image=nginx:1.27']);
  await sb.ok(['reconcile', '--until-stable']);
  // kube-root-ca.crt counts too: 2 of 3 configmaps used.
  assert.match(await sb.ok(['get', 'quota', 'counts', '--no-headers']), /^counts\s+configmaps: 2\/3, count\/deployments\.apps: 1\/1\s+\d+s\n$/);
  assert.match(await sb.ok(['describe', 'quota', 'counts']), /Resource {16}Used {2}Hard\n-{8} {16}-{4} {2}-{4}\nconfigmaps {14}2 {5}3\ncount\/deployments\.apps {2}1 {5}1\n/);
  const r = await sb.run(['create', 'deployment', 'two', '--image=nginx:1.27']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'error: failed to create deployment: deployments.apps "two" is forbidden: exceeded quota: counts, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1\n',
  );
  assert.equal((await sb.run(['get', 'deployment', 'two'])).code, 1, 'nothing was stored');
});

test('compute quotas: pods must state what the quota limits', async () => {
  await sb.ok(['create', 'namespace', 'compute']);
  await sb.ok(['create', 'quota', 'cpu', '-n', 'compute', '--hard=requests.cpu=1,limits.memory=1Gi']);
  const r = await sb.run(['run', 'bare', '-n', 'compute', '--image=nginx:1.27']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (Forbidden): pods "bare" is forbidden: failed quota: cpu: must specify limits.memory for: bare; requests.cpu for: bare\n');
  const pod = (name: string, cpu: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: compute}
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: {cpu: ${cpu}}
      limits: {memory: 256Mi}
`;
  await sb.ok(['apply', '-f', sb.file('p1.yaml', pod('p1', '600m'))]);
  const over = await sb.run(['apply', '-f', sb.file('p2.yaml', pod('p2', '500m'))]);
  assert.equal(over.code, 1);
  assert.match(over.stderr, /pods "p2" is forbidden: exceeded quota: cpu, requested: requests\.cpu=500m, used: requests\.cpu=600m, limited: requests\.cpu=1\n/);
});

test('a Deployment over a pods quota: FailedCreate with back-off, a stable ReplicaFailure, recovery once the quota allows', () => {
  // A process per command, as a user without the daemon runs them: the back-off must carry
  // over from one process to the next (it is stored, not held in memory).
  const proc = sb.sb;
  proc.ok(['create', 'namespace', 'capped']);
  proc.ok(['create', 'quota', 'pods', '-n', 'capped', '--hard=pods=2']);
  proc.ok(['create', 'deployment', 'web', '-n', 'capped', '--image=nginx:1.27', '--replicas=4']);
  // Retrying a refused create is steady state, not progress: reconcile settles.
  assert.match(proc.ok(['reconcile', '--until-stable', '--timeout', '15m']), /^cluster is stable/);
  const rs = proc.ok(['get', 'rs', '-n', 'capped', '-o', 'name']).trim().replace('replicaset.apps/', '');
  assert.match(proc.ok(['get', 'rs', '-n', 'capped', '--no-headers']), new RegExp(`^${rs}\\s+4\\s+2\\s+2\\s+`));
  const cond = JSON.parse(proc.ok(['get', 'rs', rs, '-n', 'capped', '-o', 'jsonpath={.status.conditions[0]}']));
  assert.equal(cond.type, 'ReplicaFailure');
  assert.equal(cond.reason, 'FailedCreate');
  assert.match(cond.message, /^pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2$/);

  const failures = () => (proc.ok(['events', '-n', 'capped', '--for', `replicaset/${rs}`]).match(/FailedCreate/g) ?? []).length;
  const first = failures();
  // The back-off doubles from 10 s per failed attempt and carries over from the command that
  // made them (each command is a new process without the daemon): after four failures the
  // next attempt comes 80 s after the last, the one after it 160 s later. So in 3 minutes,
  // one or two more attempts, not one per pod status change, nor a fresh start at 10 s.
  proc.ok(['clock', 'advance', '3m']);
  assert.ok(failures() - first <= 2 && failures() > first, `${first} → ${failures()}`);
  assert.equal(JSON.parse(proc.ok(['get', 'rs', rs, '-n', 'capped', '-o', 'jsonpath={.status.conditions[0]}'])).lastTransitionTime, cond.lastTransitionTime);

  proc.ok(['patch', 'quota', 'pods', '-n', 'capped', '--type=merge', '-p', '{"spec":{"hard":{"pods":"10"}}}']);
  proc.ok(['clock', 'advance', '5m']);
  proc.ok(['reconcile', '--until-stable']);
  assert.match(proc.ok(['get', 'deploy', 'web', '-n', 'capped', '--no-headers']), /^web\s+4\/4\s+4\s+4\s+/);
  assert.equal(proc.ok(['get', 'rs', rs, '-n', 'capped', '-o', 'jsonpath={.status.conditions}']), '');
  assert.match(proc.ok(['get', 'quota', 'pods', '-n', 'capped', '--no-headers']), /^pods\s+pods: 4\/10\s+/);
});

test('40 replicas under a 30-pod quota settle: 30/40, ReplicaFailure on the Deployment, retries every 5 minutes', async () => {
  await sb.ok(['create', 'namespace', 'big']);
  await sb.ok(['create', 'quota', 'pods', '-n', 'big', '--hard=pods=30']);
  await sb.ok(['create', 'deployment', 'web', '-n', 'big', '--image=nginx:1.27', '--replicas=40']);
  // Settles once the progress deadline (10 minutes) has passed; the retries are steady state.
  assert.match(await sb.ok(['reconcile', '--until-stable', '--timeout', '15m']), /^cluster is stable/);
  assert.match(await sb.ok(['get', 'deploy', 'web', '-n', 'big', '--no-headers']), /^web\s+30\/40\s+30\s+30\s+/);
  assert.ok(
    (await sb.ok(['describe', 'deploy', 'web', '-n', 'big'])).includes(
      '\nConditions:\n  Type             Status  Reason\n  ----             ------  ------\n  Available        True    MinimumReplicasAvailable\n  Progressing      False   ProgressDeadlineExceeded\n  ReplicaFailure   True    FailedCreate\nOldReplicaSets:',
    ),
  );
  // Still retrying an hour later, every 5 minutes, and still settled.
  await sb.ok(['clock', 'advance', '1h']);
  const newest = (await sb.ok(['get', 'events', '-n', 'big', '--field-selector', 'reason=FailedCreate', '--sort-by=.lastTimestamp', '--no-headers'])).trim().split('\n').pop()!;
  assert.match(newest, /^(\d{1,2}s|[0-4]m\d{1,2}s|5m0?s?) +Warning +FailedCreate +replicaset\/web-/);
  assert.match(await sb.ok(['reconcile', '--until-stable']), /^cluster is stable \(simulated time advanced 0s\)\n$/);
});

test('scoped quotas track only the pods their scopes select', async () => {
  await sb.ok(['create', 'namespace', 'scoped']);
  await sb.ok(['create', 'quota', 'best-effort', '-n', 'scoped', '--hard=pods=1', '--scopes=BestEffort']);
  // Not BestEffort: untracked, however many.
  await sb.ok(['apply', '-f', sb.file('burst.yaml', ['a', 'b'].map((n) => `apiVersion: v1
kind: Pod
metadata: {name: sized-${n}, namespace: scoped}
spec:
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: 100m}}}]
`).join('---\n'))]);
  await sb.ok(['run', 'be-1', '-n', 'scoped', '--image=nginx:1.27']);
  const r = await sb.run(['run', 'be-2', '-n', 'scoped', '--image=nginx:1.27']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pods "be-2" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1\n$/);
});

test('the default reconcile window sees a quota-stuck Deployment time out; a crash loop still ends unsettled', async () => {
  await sb.ok(['create', 'namespace', 'deadline']);
  await sb.ok(['create', 'quota', 'pods', '-n', 'deadline', '--hard=pods=6']);
  await sb.ok(['create', 'deployment', 'web', '-n', 'deadline', '--image=nginx:1.27', '--replicas=8']);
  // The pods that fit become available a few seconds in, so the 10-minute progress deadline
  // passes just after the default 10-minute window: that wait still ends, and then nothing
  // changes by itself (the quota retries are steady state).
  const settled = await sb.run(['reconcile', '--until-stable']);
  assert.deepEqual([settled.code, settled.stdout], [0, 'cluster is stable (simulated time advanced 10m)\n']);
  assert.equal(settled.stderr, 'Warning: deployment "web" in namespace "deadline" exceeded its progress deadline\n');
  assert.match(await sb.ok(['describe', 'deploy', 'web', '-n', 'deadline']), /\n {2}Progressing {6}False {3}ProgressDeadlineExceeded\n/);
  const status = await sb.run(['rollout', 'status', 'deploy/web', '-n', 'deadline']);
  assert.deepEqual([status.code, status.stderr], [1, 'error: deployment "web" exceeded its progress deadline\n']);

  // A crash loop keeps waiting on back-offs: the run ends, unsettled, within twice the window.
  await sb.ok(['create', 'namespace', 'crash']);
  await sb.ok(['run', 'crash', '-n', 'crash', '--image=busybox', '--', 'sh', '-c', 'exit 1']);
  const before = Date.parse((await sb.ok(['clock'])).split(' ')[0]);
  const r = await sb.run(['reconcile', '--until-stable', '--timeout', '3m']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^cluster is not stable after \d+m\d*s? of simulated time\n$/);
  const advanced = Date.parse((await sb.ok(['clock'])).split(' ')[0]) - before;
  assert.ok(advanced >= 3 * 60_000 && advanced <= 6 * 60_000 + 5_000, `advanced ${advanced} ms`);
  assert.match(await sb.ok(['get', 'pod', 'crash', '-n', 'crash', '--no-headers']), /CrashLoopBackOff/);
});
