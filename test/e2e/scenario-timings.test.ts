// Timings and statuses kubectl users know (issue 14 §3), through the CLI on the virtual
// clock: nodes register with the kubelet's events and heartbeat, CronJob Jobs start at
// their scheduled minute, init containers report as the kubelet does, image events come
// before a config error, and a crashing container shows its exit between restarts.
// Every test starts from its own copy of one settled two-node cluster whose clock nearly
// stands still between commands (speed 0.001), so none depends on another's objects (a
// CronJob firing every minute, a stopped node) or on how long the machine takes per command.
import { test, after, afterEach, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const base = new Hosted(new Sandbox());
let sb: Hosted;
before(async () => {
  await base.ok(['cluster', 'create', '--nodes', '2']);
  await base.ok(['clock', 'speed', '0.001']);
  await base.ok(['reconcile', '--until-stable']);
});
after(() => base.sb.cleanup());
beforeEach(() => (sb = new Hosted(base.sb.clone())));
afterEach(() => sb.sb.cleanup());

const json = async (args: string[]): Promise<any> => JSON.parse(await sb.ok([...args, '-o', 'json']));

test('nodes: the kubelet start-up and RegisteredNode events, Lease renewals, lastHeartbeatTime moving, NodeNotReady', async () => {
  await sb.ok(['reconcile', '--until-stable']);
  const d = await sb.ok(['describe', 'node', 'node-1']);
  for (const [reason, from, msg] of [
    ['Starting', 'kubelet', 'Starting kubelet.'],
    ['NodeHasSufficientMemory', 'kubelet', 'Node node-1 status is now: NodeHasSufficientMemory'],
    ['NodeAllocatableEnforced', 'kubelet', 'Updated Node Allocatable limit across pods'],
    ['RegisteredNode', 'node-controller', 'Node node-1 event: Registered Node node-1 in Controller'],
    ['NodeReady', 'kubelet', 'Node node-1 status is now: NodeReady'],
  ]) {
    assert.match(d, new RegExp(`Normal\\s+${reason}\\s+\\S+\\s+${from}\\s+${msg.replace(/\./g, '\\.')}`), `${reason} in\n${d}`);
  }
  const lease1 = (await json(['get', 'lease', 'node-1', '-n', 'kube-node-lease'])).spec.renewTime;
  const beat1 = (await json(['get', 'node', 'node-1'])).status.conditions.find((c: any) => c.type === 'Ready').lastHeartbeatTime;
  // The first unchanged status after the kubelet's start comes 5 min +- 2.5 min later (its phase).
  await sb.ok(['clock', 'advance', '8m']);
  const lease2 = (await json(['get', 'lease', 'node-1', '-n', 'kube-node-lease'])).spec.renewTime;
  const beat2 = (await json(['get', 'node', 'node-1'])).status.conditions.find((c: any) => c.type === 'Ready').lastHeartbeatTime;
  assert.ok(Date.parse(lease2) - Date.parse(lease1) >= 5 * 60_000, `lease ${lease1} -> ${lease2}`);
  assert.ok(Date.parse(beat2) > Date.parse(beat1), `heartbeat ${beat1} -> ${beat2}`);

  await sb.ok(['node', 'stop', 'node-2']);
  await sb.ok(['clock', 'advance', '1m']);
  assert.match(await sb.ok(['describe', 'node', 'node-2']), /Normal\s+NodeNotReady\s+\S+\s+node-controller\s+Node node-2 status is now: NodeNotReady/);
  await sb.ok(['node', 'start', 'node-2']);
  await sb.ok(['clock', 'advance', '20s']);
  assert.match(await sb.ok(['get', 'node', 'node-2', '--no-headers']), /^node-2\s+Ready\s/);
});

test('a CronJob creates its Job at the scheduled minute, and the pod starts seconds later', async () => {
  await sb.ok(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'echo tick']);
  await sb.ok(['clock', 'advance', '150s']);
  const jobs = (await json(['get', 'jobs'])).items.filter((j: any) => j.metadata.name.startsWith('tick-'));
  assert.ok(jobs.length >= 2, `${jobs.length} jobs`);
  for (const j of jobs) {
    const scheduled = Date.parse(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    assert.equal(new Date(scheduled).getUTCSeconds(), 0);
    const late = Date.parse(j.metadata.creationTimestamp) - scheduled;
    assert.ok(late >= 0 && late <= 1000, `${j.metadata.name} created ${late} ms after its minute`);
    assert.equal(Number(j.metadata.name.split('-').pop()) * 60_000, scheduled);
  }
  const pods = (await json(['get', 'pods'])).items.filter((p: any) => p.metadata.name.startsWith('tick-'));
  for (const p of pods) {
    const job = jobs.find((j: any) => p.metadata.name.startsWith(j.metadata.name + '-'));
    if (!job || !p.status.startTime) continue;
    assert.ok(Date.parse(p.status.startTime) - Date.parse(job.metadata.creationTimestamp) <= 10_000, `${p.metadata.name} started ${p.status.startTime}, job created ${job.metadata.creationTimestamp}`);
  }
});

test('init containers: the running one is not ready, the next waits in PodInitializing', async () => {
  await sb.ok(['apply', '-f', sb.file('init.yaml', `apiVersion: v1
kind: Pod
metadata: {name: initpod}
spec:
  initContainers:
  - {name: wait, image: busybox:1.36, command: [sh, -c, 'sleep 60']}
  - {name: setup, image: busybox:1.36, command: [sh, -c, 'echo ok']}
  containers:
  - {name: app, image: nginx:1.27}
`)]);
  await sb.ok(['clock', 'advance', '15s']);
  const st = (await json(['get', 'pod', 'initpod'])).status;
  const [wait, setup] = st.initContainerStatuses;
  assert.ok(wait.state.running, JSON.stringify(wait));
  assert.deepEqual([wait.ready, wait.started], [false, true]);
  assert.deepEqual(setup.state, { waiting: { reason: 'PodInitializing' } });
  assert.deepEqual(st.containerStatuses[0].state, { waiting: { reason: 'PodInitializing' } });
  assert.match(await sb.ok(['get', 'pod', 'initpod', '--no-headers']), /^initpod\s+0\/1\s+Init:0\/2\s/);
  await sb.ok(['clock', 'advance', '60s']);
  const done = (await json(['get', 'pod', 'initpod'])).status;
  assert.equal(done.phase, 'Running');
  assert.deepEqual(done.initContainerStatuses.map((s: any) => [s.state.terminated?.reason, s.ready]), [['Completed', true], ['Completed', true]]);
});

test('the image is pulled before the container config fails: Pulling, Pulled, then CreateContainerConfigError', async () => {
  await sb.ok(['apply', '-f', sb.file('cfg.yaml', `apiVersion: v1
kind: Pod
metadata: {name: cfgpod}
spec:
  containers:
  - name: app
    image: redis:7.4
    envFrom: [{configMapRef: {name: missing-config}}]
`)]);
  await sb.ok(['clock', 'advance', '10s']);
  assert.match(await sb.ok(['get', 'pod', 'cfgpod', '--no-headers']), /^cfgpod\s+0\/1\s+CreateContainerConfigError\s/);
  const events = (await json(['get', 'events', '--field-selector', 'involvedObject.name=cfgpod'])).items.sort((a: any, b: any) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  const seq = events.map((e: any) => `${e.reason}: ${e.message}`);
  const pulling = seq.findIndex((s: string) => s === 'Pulling: Pulling image "redis:7.4"');
  const pulled = seq.findIndex((s: string) => s.startsWith('Pulled: Successfully pulled image "redis:7.4"'));
  const failed = seq.findIndex((s: string) => s === 'Failed: Error: configmap "missing-config" not found');
  assert.ok(pulling >= 0 && pulling < pulled && pulled < failed, seq.join('\n'));
  assert.ok(!seq.some((s: string) => s.startsWith('Created')), 'no container is created');
});

test('a crashing container shows Error between its restarts, then CrashLoopBackOff', async () => {
  await sb.ok(['run', 'crash', '--image=busybox:1.36', '--', 'sh', '-c', 'echo boom; exit 1']);
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await sb.ok(['clock', 'advance', '1s']);
    const cells = (await sb.ok(['get', 'pod', 'crash', '--no-headers'])).trim().split(/\s{2,}/);
    seen.add(`${cells[2]} ${cells[3].split(' ')[0]}`);
  }
  // each exit shows for the kubelet's relist second before the restart or the back-off
  const all = [...seen].join(', ');
  assert.ok(seen.has('Error 0'), all);
  assert.ok([...seen].filter((s) => /^Error [1-9]/.test(s)).length >= 2, all);
  assert.ok([...seen].filter((s) => /^CrashLoopBackOff [1-9]/.test(s)).length >= 2, all);
});

test('a Secret stores stringData folded into data', async () => {
  await sb.ok(['apply', '-f', sb.file('secret.yaml', `apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {user: YWRtaW4=}
stringData: {password: hunter2}
`)]);
  const s = await json(['get', 'secret', 'creds']);
  assert.deepEqual(s.data, { password: 'aHVudGVyMg==', user: 'YWRtaW4=' });
  assert.equal(s.stringData, undefined);
});

test('deleting a namespace: Terminating while its controller empties it; delete -f prints every object', async () => {
  const file = sb.file('shop.yaml', `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {a: b}
`);
  await sb.ok(['apply', '-f', file]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.equal(await sb.ok(['delete', '-f', file, '--wait=false']), 'namespace "shop" deleted\ndeployment.apps "web" deleted\nconfigmap "cfg" deleted\n');
  assert.match(await sb.ok(['get', 'ns', 'shop', '--no-headers']), /^shop\s+Terminating\s/);
  const r = await sb.run(['create', 'configmap', 'late', '-n', 'shop']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unable to create new content in namespace shop because it is being terminated/);
  await sb.ok(['reconcile', '--until-stable']);
  assert.match((await sb.run(['get', 'ns', 'shop'])).stderr, /namespaces "shop" not found/);
  assert.equal((await sb.run(['get', 'pods', '-n', 'shop'])).stderr, 'No resources found in shop namespace.\n');

  // with --wait (the default) the verb returns once the namespace is gone
  await sb.ok(['apply', '-f', file]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.equal(await sb.ok(['delete', '-f', file]), 'namespace "shop" deleted\ndeployment.apps "web" deleted\nconfigmap "cfg" deleted\n');
  assert.match((await sb.run(['get', 'ns', 'shop'])).stderr, /namespaces "shop" not found/);
});
