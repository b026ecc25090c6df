// rollout for StatefulSets and DaemonSets (ControllerRevision history): status lines,
// history, undo, restart, and what kubectl refuses for them. Each test starts from its own
// copy of a fresh default cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  () => undefined,
  (copy) => (sb = new Hosted(copy)),
);

const STS = (image: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: ${image}
`;

const DS = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: ${image}
`;

test('StatefulSet: partitioned roll out lines, two revisions, undo to the first template', async () => {
  const f = sb.file('db.yaml', STS('nginx:1.25'));
  await sb.ok(['apply', '-f', f]);
  const first = await sb.ok(['rollout', 'status', 'statefulset/db']);
  assert.match(first, /Waiting for \d pods to be ready\.\.\.\n/);
  assert.match(first, /partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/);
  sb.file('db.yaml', STS('nginx:1.26'));
  await sb.ok(['apply', '-f', f]);
  assert.match(await sb.ok(['rollout', 'status', 'sts/db']), /partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/);
  assert.equal(await sb.ok(['rollout', 'history', 'statefulset/db']), 'statefulset.apps/db \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
  const rev1 = await sb.ok(['rollout', 'history', 'statefulset/db', '--revision=1']);
  assert.match(rev1, /^statefulset\.apps\/db with revision #1\nPod Template:\n  Labels:\tapp=db\n  Containers:\n   db:\n    Image:\tnginx:1\.25\n/);
  assert.equal(await sb.ok(['rollout', 'undo', 'statefulset/db']), 'statefulset.apps/db rolled back\n');
  assert.match(await sb.ok(['rollout', 'status', 'statefulset/db']), /partitioned roll out complete/);
  assert.equal(await sb.ok(['get', 'pod', 'db-0', '-o', 'jsonpath={.spec.containers[0].image}']), 'nginx:1.25');
  assert.equal(await sb.ok(['rollout', 'undo', 'statefulset/db', '--to-revision=3']), 'statefulset.apps/db skipped rollback (current template already matches revision 3)\n');
  const missing = await sb.run(['rollout', 'undo', 'statefulset/db', '--to-revision=7']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'error: unable to find specified revision 7 in history\n');
  const pause = await sb.run(['rollout', 'pause', 'statefulset/db']);
  assert.equal(pause.code, 1);
  assert.equal(pause.stderr, 'error: statefulsets.apps "db" pausing is not supported\n');
  assert.equal(await sb.ok(['rollout', 'restart', 'statefulset/db']), 'statefulset.apps/db restarted\n');
  assert.match(await sb.ok(['rollout', 'status', 'statefulset/db']), /partitioned roll out complete/);
});

test('DaemonSet: status lines, history and undo', async () => {
  const f = sb.file('agent.yaml', DS('nginx:1.25'));
  await sb.ok(['apply', '-f', f]);
  assert.match(await sb.ok(['rollout', 'status', 'daemonset/agent']), /daemon set "agent" successfully rolled out\n$/);
  const noHistory = await sb.run(['rollout', 'undo', 'daemonset/agent']);
  assert.equal(noHistory.code, 1);
  assert.equal(noHistory.stderr, 'error: no last revision to roll back to\n');
  sb.file('agent.yaml', DS('nginx:1.26'));
  await sb.ok(['apply', '-f', f]);
  const out = await sb.ok(['rollout', 'status', 'ds/agent']);
  for (const l of out.trimEnd().split('\n').slice(0, -1)) {
    assert.match(l, /^(Waiting for daemon set spec update to be observed\.\.\.|Waiting for daemon set "agent" rollout to finish: \d+ (out of 3 new pods have been updated|of 3 updated pods are available)\.\.\.)$/);
  }
  assert.match(out, /daemon set "agent" successfully rolled out\n$/);
  assert.equal(await sb.ok(['rollout', 'history', 'ds/agent']), 'daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
  assert.equal(await sb.ok(['rollout', 'undo', 'ds/agent', '--to-revision=1']), 'daemonset.apps/agent rolled back\n');
  assert.equal(await sb.ok(['get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
  // a bare type means every object of it
  assert.match(await sb.ok(['rollout', 'status', 'daemonsets']), /daemon set "agent" successfully rolled out\n$/);
});
