// `wait` end to end: conditions, jsonpath, delete, create, timeouts and kubectl's errors.
// Every test starts from its own copy of one cluster (pod p1 Ready, Deployment web with 2
// replicas Available), so none depends on another's changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest, Sandbox } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  async (base) => {
    const h = new Hosted(base);
    await h.ok(['run', 'p1', '--image=nginx']);
    await h.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    await h.ok(['wait', '--for=condition=Ready', 'pod/p1', '--timeout=60s']);
    await h.ok(['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']);
  },
  (copy) => (sb = new Hosted(copy)),
);

test('--for=condition waits for a pod and a deployment, printing "condition met"', async () => {
  // From an empty cluster, not the prepared one.
  const fresh = new Hosted(new Sandbox());
  try {
    await fresh.ok(['run', 'p1', '--image=nginx']);
    assert.equal(await fresh.ok(['wait', '--for=condition=Ready', 'pod/p1']), 'pod/p1 condition met\n');
    assert.equal(await fresh.ok(['get', 'pod', 'p1', '-o', 'jsonpath={.status.phase}']), 'Running');
    await fresh.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    assert.equal(await fresh.ok(['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']), 'deployment.apps/web condition met\n');
    // case-insensitive names and values, -o name
    assert.equal(await fresh.ok(['wait', '--for=condition=ready=TRUE', 'pod/p1', '-o', 'name']), 'pod/p1\n');
  } finally {
    fresh.sb.cleanup();
  }
});

test('--for=jsonpath with and without a value, including filters with ==', async () => {
  assert.equal(await sb.ok(['wait', "--for=jsonpath={.status.phase}=Running", 'pod/p1']), 'pod/p1 condition met\n');
  // quotes around the value are trimmed, as kubectl does
  assert.equal(await sb.ok(['wait', "--for=jsonpath={.status.phase}='Running'", 'pod/p1']), 'pod/p1 condition met\n');
  assert.equal(await sb.ok(['wait', '--for=jsonpath={.status.podIP}', 'pod/p1']), 'pod/p1 condition met\n');
  assert.equal(await sb.ok(['wait', '--for=jsonpath={.status.conditions[?(@.type=="Ready")].status}=True', 'pod/p1']), 'pod/p1 condition met\n');
  assert.equal(await sb.ok(['wait', '--for=jsonpath=.status.readyReplicas=2', 'deploy/web']), 'deployment.apps/web condition met\n');
  const empty = await sb.run(['wait', '--for=jsonpath={.status.phase}=', 'pod/p1']);
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr, "error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3\n");
  const many = await sb.run(['wait', "--for=jsonpath={.metadata.name}='a=b'", 'pod/p1']);
  assert.equal(many.code, 1);
  assert.equal(many.stderr, "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'\n");
  const nested = await sb.run(['wait', '--for=jsonpath={.status}=x', 'pod/p1', '--timeout=2s']);
  assert.equal(nested.code, 1);
  assert.equal(nested.stderr, 'error: jsonpath leads to a nested object or list which is not supported\n');
});

/** A pod whose one container runs for 0.2 s and ends (Succeeded). */
const briefPod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "sleep 0.2"]
`;

test('--for=jsonpath sees a state that came and went within one step of the cluster clock, as a watch does', async () => {
  // The container starts and ends between two looks: only the change feed still has its running state.
  await sb.ok(['apply', '-f', sb.file('brief-a.yaml', briefPod('brief-a'))]);
  assert.equal(await sb.ok(['wait', '--for=jsonpath={.status.containerStatuses[0].state.running}', 'pod/brief-a', '--timeout=30s']), 'pod/brief-a condition met\n');
  // The object printed is the one that met the condition (kubectl prints the watch event's object).
  await sb.ok(['apply', '-f', sb.file('brief-b.yaml', briefPod('brief-b'))]);
  const started = await sb.ok(['wait', '--for=jsonpath={.status.containerStatuses[0].state.running}', 'pod/brief-b', '--timeout=30s', '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}']);
  assert.match(started, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(await sb.ok(['get', 'pod', 'brief-b', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.startedAt}']), `Succeeded ${started}`);
  // Over now: a new wait for it sees only the ended container.
  const late = await sb.run(['wait', '--for=jsonpath={.status.containerStatuses[0].state.running}', 'pod/brief-a', '--timeout=3s']);
  assert.deepEqual([late.code, late.stdout, late.stderr], [1, '', 'error: timed out waiting for the condition on pods/brief-a\n']);
});

test('timeouts: "timed out waiting for the condition on pods/p1", --timeout=0 checks once', async () => {
  const r = await sb.run(['wait', '--for=condition=Ready=false', 'pod/p1', '--timeout=5s']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'error: timed out waiting for the condition on pods/p1\n');
  const once = await sb.run(['wait', '--for=condition=Ready=false', 'pod/p1', '--timeout=0']);
  assert.equal(once.code, 1);
  assert.equal(once.stderr, 'error: condition not met for pods/p1\n');
  assert.equal(await sb.ok(['wait', '--for=condition=Ready', 'pod/p1', '--timeout=0']), 'pod/p1 condition met\n');
});

test('bad --for, missing objects, empty selections', async () => {
  const bad = await sb.run(['wait', '--for=bogus', 'pod/p1']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: unrecognized condition: "bogus"\n');
  const noFor = await sb.run(['wait', 'pod/p1']);
  assert.equal(noFor.code, 1);
  assert.equal(noFor.stderr, 'error: unrecognized condition: ""\n');
  const missing = await sb.run(['wait', '--for=condition=Ready', 'pod/nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
  const none = await sb.run(['wait', '--for=condition=Ready', 'pods', '-l', 'app=none']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'error: no matching resources found\n');
  const noArgs = await sb.run(['wait', '--for=delete']);
  assert.equal(noArgs.code, 1);
  assert.match(noArgs.stderr, /^error: You must provide one or more resources by argument or filename\.\nExample resource specifications include:\n/);
  const typeOnly = await sb.run(['wait', '--for=condition=Ready', 'pods']);
  assert.equal(typeOnly.code, 1);
  assert.equal(typeOnly.stderr, 'error: resource(s) were provided, but no name was specified\n');
});

test('--all and -l wait for every match, each on its own line', async () => {
  const out = await sb.ok(['wait', '--for=condition=Ready', 'pods', '-l', 'app=web']);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.match(l, /^pod\/web-[a-z0-9]+-[a-z0-9]{5} condition met$/);
  assert.equal((await sb.ok(['wait', '--for=condition=Ready', 'pods', '--all'])).trimEnd().split('\n').length, 3);
});

test('--for=delete waits for a terminating pod; a missing object is already deleted', async () => {
  assert.equal(await sb.ok(['delete', 'pod', 'p1', '--wait=false']), 'pod "p1" deleted\n');
  assert.equal(await sb.ok(['wait', '--for=delete', 'pod/p1', '--timeout=60s']), 'pod/p1 condition met\n');
  assert.equal((await sb.run(['get', 'pod', 'p1'])).code, 1);
  const gone = await sb.run(['wait', '--for=delete', 'pod/p1']);
  assert.equal(gone.code, 0);
  assert.equal(gone.stdout, '');
  assert.equal(gone.stderr, '');
  const stays = await sb.run(['wait', '--for=delete', 'deployment/web', '--timeout=2s']);
  assert.equal(stays.code, 1);
  assert.equal(stays.stderr, 'error: timed out waiting for the condition on deployments/web\n');
});

test('--for=create: an existing object is met, a missing one times out', async () => {
  await sb.ok(['create', 'configmap', 'cfg', '--from-literal=a=1']);
  assert.equal(await sb.ok(['wait', '--for=create', 'configmap/cfg', '--timeout=5s']), 'configmap/cfg condition met\n');
  const r = await sb.run(['wait', '--for=create', 'configmap/later', '--timeout=2s']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: timed out waiting for the condition\n');
});

test('--local checks the file\'s objects once, without the cluster; TYPE/NAME is refused', async () => {
  const f = sb.file('local-web.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: local-web\nspec:\n  replicas: 3\n');
  assert.equal(await sb.ok(['wait', '--local', '-f', f, '--for=jsonpath={.spec.replicas}=3']), 'deployment.apps/local-web condition met\n');
  const unmet = await sb.run(['wait', '--local', '-f', f, '--for=condition=Available']);
  assert.deepEqual([unmet.code, unmet.stdout, unmet.stderr], [1, '', 'error: condition not met for deployments/local-web\n']);
  // int64s past 2^53 read exact (bigints): an observedGeneration one below the generation is stale.
  const big = sb.file('local-big.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\n  generation: 9007199254740993\nstatus:\n  conditions:\n  - {type: Available, status: "True", observedGeneration: 9007199254740992}\n');
  const stale = await sb.run(['wait', '--local', '-f', big, '--for=condition=Available']);
  assert.deepEqual([stale.code, stale.stdout, stale.stderr], [1, '', 'error: condition not met for deployments/big\n']);
  // the object exists only in the file: the cluster was not asked
  assert.equal((await sb.run(['get', 'deployment', 'local-web'])).code, 1);
  const named = await sb.run(['wait', '--local', 'deployment/web', '--for=delete']);
  assert.equal(named.code, 1);
  assert.match(named.stderr, /^error: you must specify resources by --filename when --local is set\.\nExample resource specifications include:\n {3}'-f rsrc\.yaml'\n {3}'--filename=rsrc\.json'\n$/);
});
