// The simulated kubelet end to end on an in-memory cluster (scheduler + kubelet + node
// lifecycle), driven by runUntilStable on a manual clock.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { createControllerManager } from '../../src/controllers/index';
import { engineReconcilers } from '../../src/controllers/index';
import { readLogs } from '../../src/kubelet/logs';
import { runScript } from '../../src/shell/run';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

async function cluster(nodes = 1) {
  const c = await createMemoryCluster(defaultProfile('t', { nodes }), { validator: apiValidator() });
  const m = createControllerManager(c.ctx, engineReconcilers());
  const P = c.api.resolve('pods');
  const get = (n: string) => c.api.get(P, 'default', n);
  const events = async (n: string) =>
    (await c.api
      .list(c.api.resolve('events'), { namespace: 'default' }))
      .items.filter((e) => e.involvedObject.name === n)
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => `${e.reason}: ${e.message}`);
  return { ...c, m, get, events };
}

const pod = (name: string, container: Record<string, any>, spec: Record<string, any> = {}, annotations?: Record<string, string>): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...container }], ...spec },
});

test('a pod reaches Running with the kubelet events in order and full status', async () => {
  const c = await cluster();
  await c.api.create(pod('web', {}));
  const r = await c.m.runUntilStable();
  assert.equal(r.stable, true);
  const p = await c.get('web');
  assert.equal(p.status.phase, 'Running');
  assert.deepEqual(
    p.status.conditions.map((x: any) => `${x.type}=${x.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
  );
  assert.equal(p.status.hostIP, '172.18.0.2');
  assert.match(p.status.podIP, /^10\.244\.0\.\d+$/);
  const cs = p.status.containerStatuses[0];
  assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
  assert.deepEqual([cs.ready, cs.started, cs.restartCount], [true, true, 0]);
  assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.deepEqual((await c.events('web')).slice(0, 1), ['Scheduled: Successfully assigned default/web to node-1']);
  const kubelet = (await c.events('web')).slice(1);
  assert.equal(kubelet[0], 'Pulling: Pulling image "nginx:1.27"');
  assert.match(kubelet[1], /^Pulled: Successfully pulled image "nginx:1\.27" in ([\d.]+s) \(\1 including waiting\)\. Image size: \d+ bytes\.$/);
  assert.deepEqual(kubelet.slice(2), ['Created: Created container: app', 'Started: Started container app']);
});

test('a second pod with IfNotPresent on the same node finds the image present', async () => {
  const c = await cluster();
  await c.api.create(pod('a', {}));
  await c.m.runUntilStable();
  await c.api.create(pod('b', {}));
  await c.m.runUntilStable();
  assert.ok((await c.events('b')).includes('Pulled: Container image "nginx:1.27" already present on machine'));
});

test('a crashing container: restarts, CrashLoopBackOff with doubling back-off, BackOff events, lastState', async () => {
  const c = await cluster();
  await c.api.create(pod('crash', { image: 'busybox:1.36', command: ['sh', '-c', 'echo boom; exit 1'] }));
  const start = c.clock.now();
  await c.m.runUntilStable({ timeoutMs: 60_000 });
  const p = await c.get('crash');
  const cs = p.status.containerStatuses[0];
  assert.equal(p.status.phase, 'Running');
  assert.equal(cs.state.waiting.reason, 'CrashLoopBackOff');
  assert.match(cs.state.waiting.message, /^back-off (10s|20s|40s) restarting failed container=app pod=crash_default\([0-9a-f-]{36}\)$/);
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.ok((await c.events('crash')).some((e) => /^BackOff: Back-off restarting failed container app in pod crash_default\(/.test(e)));
  // immediate first restart, then 10 s, 20 s: 4 restarts fit in the first minute (pull-free: tag is IfNotPresent)
  assert.ok(cs.restartCount >= 3, `restarts ${cs.restartCount}`);
  assert.ok(c.clock.now() - start <= 60_000);
  assert.deepEqual(readLogs(c.api.sim, 'default', 'crash', 'app', 0), ['boom']);
});

test('ErrImagePull then ImagePullBackOff for a missing image, with the runtime error', async () => {
  const c = await cluster();
  await c.api.create(pod('bad', { image: 'nginx:doesnotexist' }));
  await c.m.runUntilStable({ timeoutMs: 30_000 });
  const p = await c.get('bad');
  assert.equal(p.status.phase, 'Pending');
  const reason = p.status.containerStatuses[0].state.waiting.reason;
  assert.ok(reason === 'ImagePullBackOff' || reason === 'ErrImagePull', reason);
  const ev = await c.events('bad');
  assert.ok(ev.includes('Failed: Failed to pull image "nginx:doesnotexist": failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found'));
  assert.ok(ev.includes('Failed: Error: ErrImagePull'));
  assert.ok(ev.includes('BackOff: Back-off pulling image "nginx:doesnotexist"'));
  assert.ok(ev.includes('Failed: Error: ImagePullBackOff'));
});

test('InvalidImageName for a digest that is not 64 hex characters', async () => {
  const c = await cluster();
  await c.api.create(pod('inv', { image: 'nginx@sha256:abc' }));
  await c.m.runUntilStable();
  const w = (await c.get('inv')).status.containerStatuses[0].state.waiting;
  assert.equal(w.reason, 'InvalidImageName');
  assert.equal(w.message, 'Failed to apply default image tag "nginx@sha256:abc": couldn\'t parse image reference "nginx@sha256:abc": invalid reference format');
});

test('CreateContainerConfigError for a missing secret recovers once the secret exists', async () => {
  const c = await cluster();
  await c.api.create(pod('cfg', { env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }] }));
  await c.m.runUntilStable();
  let st = (await c.get('cfg')).status.containerStatuses[0];
  let w = st.state.waiting;
  assert.deepEqual([w.reason, w.message], ['CreateContainerConfigError', 'secret "db-creds" not found']);
  // no container was created: no image ID either, as the kubelet reports it (describe's empty "Image ID:")
  assert.equal(st.imageID, '');
  assert.ok((await c.events('cfg')).includes('Failed: Error: secret "db-creds" not found'));
  await c.api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-creds' }, data: { user: 'YQ==' } });
  await c.m.runUntilStable();
  w = (await c.get('cfg')).status.containerStatuses[0].state.waiting;
  assert.deepEqual([w.reason, w.message], ['CreateContainerConfigError', "couldn't find key password in Secret default/db-creds"]);
  await c.api.mutate(c.api.resolve('secrets'), 'default', 'db-creds', (s) => ({ ...s, data: { password: 'cw==' } }));
  await c.m.runUntilStable();
  st = (await c.get('cfg')).status;
  assert.equal(st.phase, 'Running');
  assert.match(st.containerStatuses[0].imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
});

test('a missing ConfigMap volume: FailedMount and ContainerCreating', async () => {
  const c = await cluster();
  await c.api.create(pod('mnt', { volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] }, { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] }));
  await c.m.runUntilStable();
  const p = await c.get('mnt');
  assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
  assert.ok((await c.events('mnt')).includes('FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found'));
  await c.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { 'a.txt': 'hello' } });
  await c.m.runUntilStable();
  assert.equal((await c.get('mnt')).status.phase, 'Running');
});

test('a job-like pod runs its script on the simulated clock and completes with its output as logs', async () => {
  const c = await cluster();
  await c.api.create(pod('job', { image: 'busybox:1.36', command: ['sh', '-c', 'for i in 1 2 3; do echo "step $i"; sleep 5; done; echo done'] }, { restartPolicy: 'Never' }));
  const t0 = c.clock.now();
  await c.m.runUntilStable();
  const p = await c.get('job');
  assert.equal(p.status.phase, 'Succeeded');
  const term = p.status.containerStatuses[0].state.terminated;
  assert.deepEqual([term.exitCode, term.reason], [0, 'Completed']);
  assert.equal(Date.parse(term.finishedAt) - Date.parse(term.startedAt), 15_000);
  assert.ok(c.clock.now() - t0 >= 15_000);
  assert.deepEqual(readLogs(c.api.sim, 'default', 'job', 'app', 0), ['step 1', 'step 2', 'step 3', 'done']);
  assert.deepEqual(
    p.status.conditions.map((x: any) => `${x.type}=${x.status}${x.reason ? '/' + x.reason : ''}`),
    ['PodReadyToStartContainers=False', 'Initialized=True/PodCompleted', 'Ready=False/PodCompleted', 'ContainersReady=False/PodCompleted', 'PodScheduled=True'],
  );
});

test('init containers run in order before the app container', async () => {
  const c = await cluster();
  await c.api.create(pod('init', {}, { initContainers: [{ name: 'one', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3'] }, { name: 'two', image: 'busybox:1.36', command: ['sh', '-c', 'echo ok'] }] }));
  await c.m.runUntilStable();
  const p = await c.get('init');
  assert.equal(p.status.phase, 'Running');
  assert.deepEqual(p.status.initContainerStatuses.map((s: any) => s.state.terminated?.reason), ['Completed', 'Completed']);
  const order = (await c.events('init')).filter((e) => e.startsWith('Started'));
  assert.deepEqual(order, ['Started: Started container one', 'Started: Started container two', 'Started: Started container app']);
});

test('deleting a running pod: Killing event, then the pod is gone', async () => {
  const c = await cluster();
  await c.api.create(pod('web', {}));
  await c.m.runUntilStable();
  await c.api.delete(c.api.resolve('pods'), 'default', 'web');
  assert.ok((await c.get('web')).metadata.deletionTimestamp);
  await c.m.runUntilStable();
  assert.equal(await c.api.tryGet(c.api.resolve('pods'), 'default', 'web'), undefined);
  assert.ok((await c.events('web')).includes('Killing: Stopping container app'));
});

test('a failing liveness probe restarts the container with Unhealthy and Killing events', async () => {
  const c = await cluster();
  await c.api.create(pod('live', { livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 } }, {}, { 'kubesim.io/probe-fail': 'liveness' }));
  await c.m.runUntilStable({ timeoutMs: 20_000 });
  const ev = await c.events('live');
  assert.ok(ev.includes('Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500'));
  assert.ok(ev.includes('Killing: Container app failed liveness probe, will be restarted'));
  assert.ok((await c.get('live')).status.containerStatuses[0].restartCount >= 1);
});

test('shell interpreter: sleep takes simulated time, exit codes, && and ||', () => {
  const r = runScript('echo a && false || echo b; sleep 2; exit 7', { env: {}, hostname: 'h', files: {}, startMs: 1000 }, 10_000);
  assert.deepEqual(r.lines.map((l) => [l.atMs, l.text]), [[1000, 'a'], [1000, 'b']]);
  assert.deepEqual(r.exit, { atMs: 3000, code: 7 });
});

test('get -w rows of a simple pod: Pending (created, then scheduled), one ContainerCreating, Running', async () => {
  const { podStatus } = await import('../../src/printers/columns/pods');
  const c = await cluster();
  const from = await c.api.currentRev();
  await c.api.create(pod('web', {}));
  await c.m.runUntilStable();
  const rows = (await c.api.changesSince(from))
    .filter((e) => e.object.kind === 'Pod' && e.object.metadata.name === 'web')
    .map((e) => {
      const s = podStatus(e.object, c.clock.now());
      return `${s.ready} ${s.status} ${e.object.spec.nodeName ?? '<none>'} ${e.object.status.podIP ?? '<none>'}`.replace(/10\.244\.0\.\d+/, 'IP');
    });
  // the kubelet's status writes: the first sync's (ContainerCreating, written before that sync
  // creates the sandbox: no pod IP yet, as syncPod's generateAPIPodStatus sees no sandbox), then
  // the started container's, with the sandbox's IP
  assert.deepEqual(rows, ['0/1 Pending <none> <none>', '0/1 Pending node-1 <none>', '0/1 ContainerCreating node-1 <none>', '1/1 Running node-1 IP']);
  // while it is being created nothing of the container shows: no ID, no image ID, no sandbox ready
  const creating = (await c.api.changesSince(from)).map((e) => e.object).find((o) => o.kind === 'Pod' && o.status.containerStatuses?.[0]?.state?.waiting);
  assert.deepEqual([creating!.status.containerStatuses[0].containerID, creating!.status.containerStatuses[0].imageID], [undefined, '']);
  const sandboxReady = creating!.status.conditions.find((x: any) => x.type === 'PodReadyToStartContainers')?.status;
  assert.deepEqual([creating!.status.podIPs, creating!.status.hostIP, sandboxReady], [undefined, '172.18.0.2', 'False']);
});
