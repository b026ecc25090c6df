// A Deployment's rollout end to end: apply, rolling update, `rollout status` lines,
// `rollout history` (table and --revision), `rollout undo`, pause/resume/restart, and the
// error cases with kubectl's messages and exit codes. Each test has its own cluster: a copy
// of one where deployment "web" (nginx:1.25) is rolled out, or (the first) a new one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest, Sandbox } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
`;

copyPerTest(
  async (base) => {
    const h = new Hosted(base);
    await h.ok(['apply', '-f', base.file('web.yaml', deployment('nginx:1.25'))]);
    await h.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  },
  (copy) => (sb = new Hosted(copy)),
);

test('a rolling update: status reaches "successfully rolled out", history lists two revisions, undo goes back', async (t) => {
  // from a new cluster: the apply creates web
  const fresh = new Sandbox();
  t.after(() => fresh.cleanup());
  sb = new Hosted(fresh);
  const f = sb.file('web.yaml', deployment('nginx:1.25'));
  assert.equal(await sb.ok(['apply', '-f', f]), 'deployment.apps/web created\n');
  const first = await sb.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  assert.match(first, /deployment "web" successfully rolled out\n$/);
  // Every state the Deployment went through is shown, as kubectl's watch sees each event, not
  // only its state at the end of each step of the cluster clock: the status that observed the
  // new spec before its ReplicaSet had any pods is replaced within the step.
  // (kubectl against `kubesim serve` printed the same: the revision annotation's write and
  // the status's are two events with the first line.)
  assert.match(first, /^(Waiting for deployment spec update to be observed\.\.\.\n){2}Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated\.\.\.\n/);

  // re-apply with a changed image: a new ReplicaSet, revision 2
  sb.file('web.yaml', deployment('nginx:1.26'));
  assert.equal(await sb.ok(['apply', '-f', f]), 'deployment.apps/web configured\n');
  const second = await sb.ok(['rollout', 'status', 'deploy/web']);
  const lines = second.trimEnd().split('\n');
  assert.equal(lines[lines.length - 1], 'deployment "web" successfully rolled out');
  assert.ok(lines.length > 1, `expected progress lines before the final one, got:\n${second}`);
  for (const l of lines.slice(0, -1)) {
    assert.match(l, /^(Waiting for deployment spec update to be observed\.\.\.|Waiting for deployment "web" rollout to finish: (\d+ out of 3 new replicas have been updated|\d+ old replicas are pending termination|\d+ of 3 updated replicas are available)\.\.\.)$/);
  }
  // one line per event, repeats included: the revision annotation's write and the status's
  // both print the first line, as kubectl's watch does
  assert.deepEqual(lines.slice(0, 2), Array(2).fill('Waiting for deployment spec update to be observed...'));

  assert.equal(await sb.ok(['rollout', 'history', 'deployment/web']), 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');

  // --revision shows the pod template, with kubectl's raw tabs
  const rev2 = await sb.ok(['rollout', 'history', 'deployment/web', '--revision=2']);
  assert.match(rev2, /^deployment\.apps\/web with revision #2\nPod Template:\n  Labels:\tapp=web\n\tpod-template-hash=[a-z0-9]+\n  Containers:\n   nginx:\n    Image:\tnginx:1\.26\n/);
  assert.ok(rev2.endsWith('\n\n'));
  const bad = await sb.run(['rollout', 'history', 'deployment/web', '--revision=9']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: unable to find the specified revision\n');

  // undo: back to the previous template, which becomes revision 3
  assert.equal(await sb.ok(['rollout', 'undo', 'deployment/web']), 'deployment.apps/web rolled back\n');
  assert.match(await sb.ok(['rollout', 'status', 'deployment/web']), /deployment "web" successfully rolled out\n$/);
  assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
  assert.equal(await sb.ok(['rollout', 'history', 'deployment/web']), 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');

  assert.equal(await sb.ok(['rollout', 'undo', 'deployment/web', '--to-revision=3']), 'deployment.apps/web skipped rollback (current template already matches revision 3)\n');
  const missing = await sb.run(['rollout', 'undo', 'deployment/web', '--to-revision=5']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'error: unable to find specified revision 5 in history\n');
  assert.equal(missing.stdout, '');
});

test('pause, resume and restart print kubectl messages and refuse repeats', async () => {
  // A second revision, so that undo has somewhere to go (kubectl looks for it before
  // checking for a pause).
  await sb.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
  await sb.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  assert.equal(await sb.ok(['rollout', 'pause', 'deployment/web']), 'deployment.apps/web paused\n');
  assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.paused}']), 'true');
  const again = await sb.run(['rollout', 'pause', 'deployment/web']);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'error: deployments.apps "web" is already paused\n');
  const undo = await sb.run(['rollout', 'undo', 'deployment/web']);
  assert.equal(undo.code, 1);
  assert.equal(undo.stderr, "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n");
  const restart = await sb.run(['rollout', 'restart', 'deployment/web']);
  assert.equal(restart.code, 1);
  assert.equal(restart.stderr, 'error: deployments.apps "web" can\'t restart paused deployment (run rollout resume first)\n');

  assert.equal(await sb.ok(['rollout', 'resume', 'deployment/web']), 'deployment.apps/web resumed\n');
  const notPaused = await sb.run(['rollout', 'resume', 'deployment/web']);
  assert.equal(notPaused.code, 1);
  assert.equal(notPaused.stderr, 'error: deployments.apps "web" is not paused\n');

  assert.equal(await sb.ok(['rollout', 'restart', 'deployment/web']), 'deployment.apps/web restarted\n');
  const stamp = await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
  assert.match(stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/); // RFC3339 (TZ=UTC in tests)
  assert.match(await sb.ok(['rollout', 'status', 'deployment/web']), /deployment "web" successfully rolled out\n$/);
  assert.match(await sb.ok(['rollout', 'history', 'deployment/web']), /\n3         <none>\n\n$/);
  assert.equal(await sb.ok(['rollout', 'pause', 'deployment/web', '-o', 'name']), 'deployment.apps/web\n');
  assert.equal(await sb.ok(['rollout', 'resume', 'deployment/web']), 'deployment.apps/web resumed\n');
});

test('rollout status: --watch=false, --revision, missing objects and kinds without a status viewer', async () => {
  await sb.ok(['rollout', 'pause', 'deployment/web']);
  await sb.ok(['rollout', 'resume', 'deployment/web']);
  // resume changed the spec and nothing ran since: without --watch, one line and exit 0
  assert.equal(await sb.ok(['rollout', 'status', 'deployment/web', '--watch=false']), 'Waiting for deployment spec update to be observed...\n');
  await sb.ok(['rollout', 'status', 'deployment/web']);
  assert.equal(await sb.ok(['rollout', 'status', 'deployment/web', '--watch=false']), 'deployment "web" successfully rolled out\n');
  assert.match(await sb.ok(['rollout', 'status', 'deployment/web', '--revision=1']), /successfully rolled out\n$/);
  const rev = await sb.run(['rollout', 'status', 'deployment/web', '--revision=2']);
  assert.equal(rev.code, 1);
  assert.equal(rev.stderr, 'error: desired revision (2) is different from the running revision (1)\n');
  const nope = await sb.run(['rollout', 'status', 'deployment/nope']);
  assert.equal(nope.code, 1);
  assert.equal(nope.stderr, 'Error from server (NotFound): deployments.apps "nope" not found\n');
  const none = await sb.run(['rollout', 'status']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'error: required resource not specified\n');
  await sb.ok(['run', 'solo', '--image=nginx']);
  const pod = await sb.run(['rollout', 'status', 'pod/solo']);
  assert.equal(pod.code, 1);
  assert.equal(pod.stderr, 'error: no status viewer has been implemented for Pod\n');
  const hist = await sb.run(['rollout', 'history', 'pod/solo']);
  assert.equal(hist.code, 1);
  assert.equal(hist.stderr, 'error: no history viewer has been implemented for "Pod"\n');
});

const BAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
spec:
  replicas: 1
  progressDeadlineSeconds: 10
  selector:
    matchLabels:
      app: bad
  template:
    metadata:
      labels:
        app: bad
    spec:
      containers:
      - name: c
        image: nginx:doesnotexist
`;

test('rollout status exits 1 when the progress deadline is exceeded', async () => {
  await sb.ok(['apply', '-f', sb.file('bad.yaml', BAD)]);
  const r = await sb.run(['rollout', 'status', 'deployment/bad']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: deployment "bad" exceeded its progress deadline\n');
  assert.match(r.stdout, /Waiting for deployment "bad" rollout to finish: 0 of 1 updated replicas are available\.\.\.\n/);
});

test('rollout status --timeout gives up with kubectl\'s timeout error', async () => {
  await sb.ok(['apply', '-f', sb.file('bad.yaml', BAD.replace('progressDeadlineSeconds: 10', 'progressDeadlineSeconds: 600'))]);
  const r = await sb.run(['rollout', 'status', 'deployment/bad', '--timeout=3s']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: timed out waiting for the condition\n');
});
