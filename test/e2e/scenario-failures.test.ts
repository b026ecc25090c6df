// Issue 3's failure modes as a user sees them through get / describe / events / logs, on the
// virtual clock (KUBESIM_NO_DAEMON=1: time moves only with reconcile and clock advance).
// Every test starts from its own copy of one settled three-node cluster (2 CPUs each), so none depends
// on what another left running (back-offs, added nodes, the clock it moved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  async (base) => {
    const h = new Hosted(base);
    await h.ok(['cluster', 'create', '--nodes', '3', '--node-cpu', '2']);
    await h.ok(['reconcile', '--until-stable']);
  },
  (copy) => (sb = new Hosted(copy)),
);

/** One `get pods NAME --no-headers` row as cells. */
async function row(name: string): Promise<string[]> {
  return (await sb.ok(['get', 'pod', name, '--no-headers'])).trim().split(/\s{2,}/);
}

const pod = (name: string, spec: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${spec}`;

test('CrashLoopBackOff: restarts on the 10s/20s/40s back-off, BackOff events, logs --previous, Last State', async () => {
  await sb.ok(['apply', '-f', sb.file('crash.yaml', pod('crash', `  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo boom; exit 1"]
`))]);
  await sb.ok(['clock', 'advance', '5s']);
  // First run ends at once; the kubelet waits 10 s, then 20 s, then 40 s between restarts.
  const restartsAt = async (): Promise<number> => Number((await row('crash'))[3].split(' ')[0]);
  await sb.ok(['clock', 'advance', '15s']);
  const r1 = await restartsAt();
  await sb.ok(['clock', 'advance', '60s']);
  const r2 = await restartsAt();
  assert.ok(r1 >= 1 && r2 > r1 && r2 <= r1 + 3, `restarts ${r1} then ${r2}`);
  const cells = await row('crash');
  assert.equal(cells[1], '0/1');
  assert.match(cells[2], /^(CrashLoopBackOff|Error)$/);
  assert.match(cells[3], /^\d+ \(\d+s ago\)$/);

  const describe = await sb.ok(['describe', 'pod', 'crash']);
  assert.match(describe, /Last State: {5}Terminated\n {6}Reason: {7}Error\n {6}Exit Code: {4}1\n/);
  assert.match(describe, /Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container c in pod crash_default\(/);
  assert.equal(await sb.ok(['logs', 'crash', '--previous']), 'boom\n');
});

test('CreateContainerConfigError for a missing Secret, recovering by itself once the Secret exists', async () => {
  await sb.ok(['apply', '-f', sb.file('cfg.yaml', pod('needs-secret', `  containers:
  - name: app
    image: nginx:1.27
    env:
    - name: PASSWORD
      valueFrom:
        secretKeyRef: {name: db-creds, key: password}
`))]);
  await sb.ok(['clock', 'advance', '10s']);
  assert.equal((await row('needs-secret'))[2], 'CreateContainerConfigError');
  assert.match(await sb.ok(['describe', 'pod', 'needs-secret']), /Warning\s+Failed\s+.*kubelet\s+Error: secret "db-creds" not found\n/);
  await sb.ok(['create', 'secret', 'generic', 'db-creds', '--from-literal=password=s3cret']);
  await sb.ok(['clock', 'advance', '30s']);
  assert.deepEqual((await row('needs-secret')).slice(1, 3), ['1/1', 'Running']);
  assert.equal(await sb.ok(['exec', 'needs-secret', '--', 'sh', '-c', 'echo $PASSWORD']), 's3cret\n');
});

test('FailedMount for a missing ConfigMap volume: ContainerCreating, then Running once it exists', async () => {
  await sb.ok(['apply', '-f', sb.file('mount.yaml', pod('needs-cm', `  containers:
  - name: app
    image: nginx:1.27
    volumeMounts: [{name: cfg, mountPath: /etc/app}]
  volumes:
  - name: cfg
    configMap: {name: app-config}
`))]);
  await sb.ok(['clock', 'advance', '10s']);
  assert.equal((await row('needs-cm'))[2], 'ContainerCreating');
  assert.match(await sb.ok(['events', '--for', 'pod/needs-cm']), /Warning\s+FailedMount\s+Pod\/needs-cm\s+MountVolume\.SetUp failed for volume "cfg" : configmap "app-config" not found\n/);
  await sb.ok(['create', 'configmap', 'app-config', '--from-literal=mode=prod']);
  await sb.ok(['clock', 'advance', '2m']);
  assert.equal((await row('needs-cm'))[2], 'Running');
  assert.equal(await sb.ok(['exec', 'needs-cm', '--', 'cat', '/etc/app/mode']), 'prod');
});

test('Insufficient cpu: Pending with the scheduler\'s message, scheduled after node add', async () => {
  await sb.ok(['apply', '-f', sb.file('big.yaml', pod('big', `  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: {cpu: "3"}
`))]);
  await sb.ok(['clock', 'advance', '5s']);
  assert.equal((await row('big'))[2], 'Pending');
  assert.match(
    await sb.ok(['events', '--for', 'pod/big']),
    /Warning\s+FailedScheduling\s+Pod\/big\s+0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\.\n/,
  );
  await sb.ok(['node', 'add', 'big-node', '--cpu', '8']);
  await sb.ok(['clock', 'advance', '30s']);
  const wide = (await sb.ok(['get', 'pod', 'big', '-o', 'wide', '--no-headers'])).trim().split(/\s+/);
  assert.equal(wide[2], 'Running');
  assert.equal(wide[6], 'big-node');
});

test('ImagePullBackOff for a missing tag, InvalidImageName for a bad digest', async () => {
  await sb.ok(['run', 'missing-tag', '--image=nginx:doesnotexist']);
  // kubectl run refuses such a reference itself; a manifest gets it to the kubelet.
  assert.match((await sb.run(['run', 'bad-digest', '--image=nginx@sha256:1234'])).stderr, /^error: Invalid image name "nginx@sha256:1234": invalid reference format\n/);
  await sb.ok(['apply', '-f', sb.file('digest.yaml', pod('bad-digest', `  containers:
  - name: app
    image: nginx@sha256:1234
`))]);
  await sb.ok(['clock', 'advance', '30s']);
  assert.equal((await row('missing-tag'))[2], 'ImagePullBackOff');
  assert.equal((await row('bad-digest'))[2], 'InvalidImageName');
  const ev = await sb.ok(['events', '--for', 'pod/missing-tag']);
  assert.match(ev, /Normal\s+Pulling\s+Pod\/missing-tag\s+Pulling image "nginx:doesnotexist"/);
  assert.match(ev, /Warning\s+Failed\s+Pod\/missing-tag\s+Error: ErrImagePull/);
  assert.match(ev, /Normal\s+BackOff\s+Pod\/missing-tag\s+Back-off pulling image "nginx:doesnotexist"/);
});

test('a Job with completions 3 / parallelism 2 completes; backoffLimit 1 fails with BackoffLimitExceeded', async () => {
  await sb.ok(['apply', '-f', sb.file('ok-job.yaml', `apiVersion: batch/v1
kind: Job
metadata:
  name: ok
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox:1.36
        command: ["sh", "-c", "echo done; sleep 5"]
`)]);
  const failing = `apiVersion: batch/v1
kind: Job
metadata:
  name: bad
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox:1.36
        command: ["sh", "-c", "exit 3"]
`;
  await sb.ok(['apply', '-f', sb.file('bad-job.yaml', failing)]);
  await sb.ok(['clock', 'advance', '3m']);
  assert.match(await sb.ok(['get', 'job', 'ok', '--no-headers']), /^ok\s+Complete\s+3\/3\s+/);
  const okPods = (await sb.ok(['get', 'pods', '-l', 'job-name=ok', '--no-headers'])).trim().split('\n');
  assert.equal(okPods.length, 3);
  assert.ok(okPods.every((l) => /\s0\/1\s+Completed\s+0\s/.test(l)), okPods.join('\n'));
  assert.match(await sb.ok(['get', 'job', 'bad', '--no-headers']), /^bad\s+Failed\s+0\/1\s+/);
  assert.match(await sb.ok(['describe', 'job', 'bad']), /Warning\s+BackoffLimitExceeded\s+.*job-controller\s+Job has reached the specified backoff limit\n/);
  assert.equal((await sb.ok(['get', 'pods', '-l', 'job-name=bad', '--no-headers'])).trim().split('\n').length, 2, 'one run and one retry');
});
