// `logs` on pods the simulated kubelet runs: the script's output, container choice,
// --previous after a crash restart, workloads, and the kubelet's errors.
// Each test starts from its own copy of one cluster running the pods below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

// Commands run in the file's CLI host (hosted.ts); `logs -f` is spawned, as a user runs it.
let sb!: Hosted;

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: talker, labels: {app: talker}}
spec:
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'echo one; echo two; echo three; sleep 3600']
  - name: web
    image: nginx
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo starting up; echo giving up; exit 1']
---
apiVersion: v1
kind: Pod
metadata: {name: custom}
spec:
  containers:
  - name: app
    image: our-registry.io/app:v1
---
apiVersion: v1
kind: Pod
metadata: {name: broken}
spec:
  containers:
  - name: app
    image: nginx:doesnotexist
`;

copyPerTest(
  async (base) => {
    const h = new Hosted(base);
    await h.ok(['apply', '-f', base.file('pods.yaml', PODS)]);
    await h.ok(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=120s']);
    await h.ok(['wait', '--for=jsonpath={.status.containerStatuses[0].restartCount}=2', 'pod/crasher', '--timeout=300s']);
  },
  (copy) => (sb = new Hosted(copy)),
);

test('logs prints the container script output, with the default-container notice', async () => {
  const r = await sb.run(['logs', 'talker']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'one\ntwo\nthree\n');
  assert.equal(r.stderr, 'Defaulted container "main" out of: main, web\n');
});

test('-c, --tail, --timestamps and --prefix', async () => {
  assert.equal(await sb.ok(['logs', 'talker', '-c', 'main', '--tail=2']), 'two\nthree\n');
  assert.equal(await sb.ok(['logs', 'talker', '-c', 'main', '--tail=0']), '');
  const ts = await sb.ok(['logs', 'talker', '-c', 'main', '--timestamps', '--tail=1']);
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
  assert.equal(await sb.ok(['logs', 'talker', '-c', 'main', '--prefix', '--tail=1']), '[pod/talker/main] three\n');
  // the legacy `logs POD CONTAINER` form
  assert.equal(await sb.ok(['logs', 'talker', 'main', '--tail=1']), 'three\n');
});

test('an image the catalog knows (nginx) logs its start-up; an unknown program gets one line marked as simulated', async () => {
  const nginx = (await sb.ok(['logs', 'talker', '-c', 'web'])).split('\n');
  assert.equal(nginx[0], '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
  assert.ok(nginx.some((l) => /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: nginx\/1\.\d+\.\d+$/.test(l)), nginx.join('\n'));
  const out = await sb.ok(['logs', 'custom']);
  assert.match(out, /^\[kubesim\] container "app" \(image our-registry.io\/app:v1\) started; .*not simulated/);
  assert.equal(out.trim().split('\n').length, 1);
});

test('--all-containers and -l', async () => {
  const all = await sb.run(['logs', 'talker', '--all-containers', '--prefix']);
  assert.equal(all.code, 0);
  const lines = all.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['[pod/talker/main] one', '[pod/talker/main] two', '[pod/talker/main] three']);
  assert.match(lines[3], /^\[pod\/talker\/web\] \/docker-entrypoint\.sh: /);
  assert.equal(all.stderr, '');
  assert.equal(await sb.ok(['logs', '-l', 'app=talker', '-c', 'main']), 'one\ntwo\nthree\n');
  const none = await sb.run(['logs', '-l', 'app=nothing']);
  assert.equal(none.code, 0);
  assert.equal(none.stderr, 'No resources found in default namespace.\n');
});

test('--previous shows the run before the restart', async () => {
  const prev = await sb.run(['logs', 'crasher', '--previous']);
  assert.equal(prev.code, 0, prev.stderr);
  assert.equal(prev.stdout, 'starting up\ngiving up\n');
  // a container that never restarted has no previous run
  const r = await sb.run(['logs', 'talker', '-c', 'main', '-p']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (BadRequest): previous terminated container "main" in pod "talker" not found\n');
});

test('errors: unknown pod, unknown container, image that cannot be pulled, argument rules', async () => {
  let r = await sb.run(['logs', 'nope']);
  assert.equal(r.code, 1);
  // kubectl 1.32 words its builder's NotFound itself (compared with it in test/server/kubectl.test.ts)
  assert.equal(r.stderr, 'error: error from server (NotFound): pods "nope" not found in namespace "default"\n');
  r = await sb.run(['logs', 'talker', '-c', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: container nope is not valid for pod talker\n');
  r = await sb.run(['logs', 'broken']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error from server \(BadRequest\): container "app" in pod "broken" is waiting to start: (image can't be pulled|trying and failing to pull image|ContainerCreating)\n$/);
  r = await sb.run(['logs']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: expected 'logs \[-f\] \[-p\] \(POD \| TYPE\/NAME\) \[-c CONTAINER\]'\./);
  r = await sb.run(['logs', 'talker', '-l', 'app=talker']);
  assert.equal(r.stderr, 'error: only one of selector or a resource name can be provided\n');
  r = await sb.run(['logs', 'talker', '--since=1m', '--since-time=2024-01-01T00:00:00Z']);
  assert.equal(r.stderr, 'error: at most one of `sinceTime` or `sinceSeconds` may be specified\n');
});

test('a Job: logs job/NAME picks its pod', async () => {
  await sb.ok(['create', 'job', 'hello', '--image=busybox', '--', 'sh', '-c', 'echo hello from the job']);
  await sb.ok(['wait', '--for=condition=Complete', 'job/hello', '--timeout=120s']);
  const r = await sb.run(['logs', 'job/hello']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello from the job\n');
  // a completed pod refuses exec
  const pod = await sb.ok(['get', 'pods', '-l', 'job-name=hello', '-o', 'jsonpath={.items[0].metadata.name}']);
  const e = await sb.run(['exec', pod, '--', 'ls']);
  assert.equal(e.code, 1);
  assert.equal(e.stderr, 'error: cannot exec into a container in a completed pod; current phase is Succeeded\n');
});

test('-f follows new lines until --request-timeout (cluster time)', async () => {
  await sb.ok(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; done']);
  await sb.ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s']);
  const r = sb.sb.run(['logs', '-f', 'ticker', '--request-timeout=20s']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'tick 0');
  assert.ok(lines.length >= 4, r.stdout);
  lines.forEach((l, i) => assert.equal(l, `tick ${i}`));
});
