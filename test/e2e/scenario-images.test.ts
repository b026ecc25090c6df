// Images and probes that fail for real reasons, as a user sees them through
// get / describe / logs on the virtual clock: a typo'd repository and an unknown tag fail to
// pull with containerd's words, nginx answers 404 on /healthz and refuses port 8080,
// postgres and mysql exit without their passwords, private images follow the policy and
// `kubesim image load`. Every test starts from its own copy of one settled two-node
// cluster whose clock nearly stands still between commands (speed 0.001): no test sees
// another's pods, pulled images, image policy or back-offs, nor how long a command took.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  async (base) => {
    const h = new Hosted(base);
    await h.ok(['cluster', 'create', '--nodes', '2']);
    await h.ok(['clock', 'speed', '0.001']);
    await h.ok(['reconcile', '--until-stable']);
  },
  (copy) => (sb = new Hosted(copy)),
);

async function row(name: string): Promise<string[]> {
  return (await sb.ok(['get', 'pod', name, '--no-headers'])).trim().split(/\s{2,}/);
}

const json = async (name: string): Promise<any> => JSON.parse(await sb.ok(['get', 'pod', name, '-o', 'json']));

const pod = (name: string, spec: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${spec}`;

test('a typo in the repository: pull access denied, ErrImagePull then ImagePullBackOff', async () => {
  await sb.ok(['run', 'typo', '--image=ngnix:1.27']);
  await sb.ok(['clock', 'advance', '3s']);
  assert.equal((await row('typo'))[2], 'ErrImagePull');
  await sb.ok(['clock', 'advance', '20s']);
  assert.equal((await row('typo'))[2], 'ImagePullBackOff');
  const d = await sb.ok(['describe', 'pod', 'typo']);
  assert.ok(
    d.includes(
      'Failed to pull image "ngnix:1.27": failed to pull and unpack image "docker.io/library/ngnix:1.27": failed to resolve reference "docker.io/library/ngnix:1.27": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    ),
    d,
  );
  assert.match(d, /Warning\s+Failed\s+.*kubelet\s+Error: ErrImagePull/);
  assert.match(d, /Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image "ngnix:1\.27"/);
});

test('an unknown tag of a known repository: not found', async () => {
  await sb.ok(['run', 'badtag', '--image=nginx:1.277-doesnotexist']);
  await sb.ok(['clock', 'advance', '20s']);
  assert.equal((await row('badtag'))[2], 'ImagePullBackOff');
  const d = await sb.ok(['describe', 'pod', 'badtag']);
  assert.ok(d.includes('failed to resolve reference "docker.io/library/nginx:1.277-doesnotexist": docker.io/library/nginx:1.277-doesnotexist: not found'), d);
});

test('nginx with a liveness probe on /healthz: 404, killed and restarted', async () => {
  await sb.ok(['apply', '-f', sb.file('live.yaml', pod('live', `  containers:
  - name: web
    image: nginx:1.27
    livenessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 5
      failureThreshold: 3
`))]);
  await sb.ok(['clock', 'advance', '40s']);
  const restarts = Number((await row('live'))[3].split(' ')[0]);
  assert.ok(restarts >= 1, `restarts ${restarts}`);
  const d = await sb.ok(['describe', 'pod', 'live']);
  assert.match(d, /Warning\s+Unhealthy\s+.*kubelet\s+Liveness probe failed: HTTP probe failed with statuscode: 404/);
  assert.match(d, /Normal\s+Killing\s+.*kubelet\s+Container web failed liveness probe, will be restarted/);
});

test('a probe on a port nothing listens on: connection refused; the right path and port: Ready', async () => {
  await sb.ok(['apply', '-f', sb.file('refused.yaml', pod('refused', `  containers:
  - name: web
    image: nginx:1.27
    readinessProbe:
      httpGet: {path: /, port: 8080}
      periodSeconds: 5
---
${pod('fine', `  containers:
  - name: web
    image: nginx:1.27
    readinessProbe:
      httpGet: {path: /, port: 80}
    livenessProbe:
      tcpSocket: {port: 80}
`)}`))]);
  await sb.ok(['clock', 'advance', '30s']);
  assert.deepEqual((await row('refused')).slice(1, 3), ['0/1', 'Running']);
  const ip = await sb.ok(['get', 'pod', 'refused', '-o', 'jsonpath={.status.podIP}']);
  assert.match(ip, /^10\.244\.\d+\.\d+$/);
  const d = await sb.ok(['describe', 'pod', 'refused']);
  assert.ok(d.includes(`Readiness probe failed: Get "http://${ip}:8080/": dial tcp ${ip}:8080: connect: connection refused`), d);
  assert.deepEqual((await row('fine')).slice(1, 4), ['1/1', 'Running', '0']);
});

test('the liveness-http tutorial (agnhost liveness): /healthz turns 500 after 10 s; a startup probe gates liveness and kills on its own threshold', async () => {
  await sb.ok(['apply', '-f', sb.file('tutorial.yaml', pod('liveness-http', `  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args: [liveness]
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
      initialDelaySeconds: 3
      periodSeconds: 3
---
${pod('slow', `  containers:
  - name: web
    image: nginx:1.27
    startupProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 5
      failureThreshold: 2
    livenessProbe:
      httpGet: {path: /, port: 80}
`)}`))]);
  await sb.ok(['clock', 'advance', '30s']);
  const d = await sb.ok(['describe', 'pod', 'liveness-http']);
  assert.match(d, /Warning\s+Unhealthy\s+.*kubelet\s+Liveness probe failed: HTTP probe failed with statuscode: 500/);
  assert.match(d, /Normal\s+Killing\s+.*kubelet\s+Container liveness failed liveness probe, will be restarted/);
  assert.ok(Number((await row('liveness-http'))[3].split(' ')[0]) >= 1);
  const s = await sb.ok(['describe', 'pod', 'slow']);
  assert.match(s, /Warning\s+Unhealthy\s+.*kubelet\s+Startup probe failed: HTTP probe failed with statuscode: 404/);
  assert.match(s, /Normal\s+Killing\s+.*kubelet\s+Container web failed startup probe, will be restarted/);
  assert.doesNotMatch(s, /Liveness probe failed/);
  assert.equal((await json('slow')).status.containerStatuses[0].started, false);
});

test('postgres without POSTGRES_PASSWORD: CrashLoopBackOff with its own message; with it: Running', async () => {
  await sb.ok(['run', 'db', '--image=postgres:17']);
  await sb.ok(['clock', 'advance', '60s']);
  const cells = await row('db');
  assert.match(cells[2], /^(CrashLoopBackOff|Error)$/);
  assert.ok(Number(cells[3].split(' ')[0]) >= 1);
  const logs = await sb.ok(['logs', 'db', '--previous']);
  assert.equal(logs.split('\n')[0], 'Error: Database is uninitialized and superuser password is not specified.');
  assert.ok(logs.includes('       You must specify POSTGRES_PASSWORD to a non-empty value for the\n'), logs);
  assert.match(await sb.ok(['describe', 'pod', 'db']), /Last State: {5}Terminated\n {6}Reason: {7}Error\n {6}Exit Code: {4}1\n/);

  await sb.ok(['run', 'db2', '--image=postgres:17', '--env=POSTGRES_PASSWORD=secret']);
  await sb.ok(['clock', 'advance', '20s']);
  assert.deepEqual((await row('db2')).slice(1, 4), ['1/1', 'Running', '0']);
  assert.match(await sb.ok(['logs', 'db2']), /LOG: {2}database system is ready to accept connections\n$/);
});

test('mysql without a root password option: CrashLoopBackOff with the entrypoint error', async () => {
  await sb.ok(['run', 'my', '--image=mysql:8.4']);
  await sb.ok(['clock', 'advance', '45s']);
  assert.match((await row('my'))[2], /^(CrashLoopBackOff|Error)$/);
  const logs = await sb.ok(['logs', 'my', '--previous']);
  assert.match(logs, /\[ERROR\] \[Entrypoint\]: Database is uninitialized and password option is not specified\n/);
  assert.ok(logs.includes('    - MYSQL_ROOT_PASSWORD\n'), logs);
});

test('private images: pulled by default; with policy fail they need `kubesim image load`', async () => {
  await sb.ok(['run', 'priv', '--image=our-registry.io/app:v1']);
  await sb.ok(['clock', 'advance', '10s']);
  assert.equal((await row('priv'))[2], 'Running');
  assert.equal(await sb.ok(['image', 'policy']), 'pull\n');
  assert.equal(await sb.ok(['image', 'policy', 'fail']), 'unknown images: fail\n');
  await sb.ok(['run', 'priv2', '--image=our-registry.io/other:v2']);
  await sb.ok(['clock', 'advance', '10s']);
  assert.match((await row('priv2'))[2], /^(ErrImagePull|ImagePullBackOff)$/);
  assert.ok((await sb.ok(['describe', 'pod', 'priv2'])).includes('failed to resolve reference "our-registry.io/other:v2": pulling from host our-registry.io failed with status code [manifests v2]: 401 Unauthorized'));
  assert.equal(await sb.ok(['image', 'load', 'our-registry.io/local:dev']), 'Image: "our-registry.io/local:dev" loaded on 2 nodes\n');
  await sb.ok(['run', 'local', '--image=our-registry.io/local:dev']);
  await sb.ok(['clock', 'advance', '10s']);
  assert.equal((await row('local'))[2], 'Running');
  assert.match(await sb.ok(['describe', 'pod', 'local']), /Normal\s+Pulled\s+.*Container image "our-registry.io\/local:dev" already present on machine/);
  assert.match(await sb.ok(['image', 'ls']), /node-1\s+our-registry\.io\/local:dev/);
});

test('container IDs and image digests look like sha256 hashes: no pattern repeating along them', async () => {
  await sb.ok(['apply', '-f', '-'], {
    stdin: pod('ids', `  containers:
  - {name: a, image: busybox:1.36, command: [sh, -c, 'exit 1']}
  - {name: b, image: nginx:1.27}
  - {name: c, image: postgres:16}`),
  });
  await sb.ok(['clock', 'advance', '40s']);
  const statuses: any[] = (await json('ids')).status.containerStatuses;
  // a container waiting in CrashLoopBackOff names its last one in both places, as the kubelet does
  const ids = [...new Set(statuses.flatMap((s) => [s.containerID, s.lastState?.terminated?.containerID, s.imageID]).filter(Boolean))];
  assert.ok(ids.length >= 6, JSON.stringify(statuses));
  for (const id of ids) {
    const hex = /(?:containerd:\/\/|@sha256:)([0-9a-f]{64})$/.exec(id)?.[1];
    assert.ok(hex, id);
    // in 64 random hex digits a given 3-digit string is all but never seen 4 times
    const counts = new Map<string, number>();
    for (let i = 0; i + 3 <= hex.length; i++) counts.set(hex.slice(i, i + 3), (counts.get(hex.slice(i, i + 3)) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n >= 4);
    assert.deepEqual(repeated, [], `${id} repeats ${repeated.map(([s]) => s).join(', ')}`);
  }
});
