// e2e: `kubesim debug` (an ephemeral container through pods/ephemeralcontainers, a node
// debugging pod) and `get --subresource` / `get -w --output-watch-events`, through the
// built CLI on a real state directory. Every test starts from its own copy of one cluster
// holding the pod web and the Deployment api.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['run', 'web', '--image=nginx']);
    await base.ok(['create', 'deployment', 'api', '--image=nginx', '--replicas=2']);
  },
  (copy) => (sb = new Hosted(copy)),
  'kubesim-debug-',
);

const ephemeralNames = async () => (await sb.ok(['get', 'pod', 'web', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'])).split(' ').filter(Boolean);

test('debug POD --image --target adds an ephemeral container and says so as kubectl does', async () => {
  const r = await sb.run(['debug', 'web', '--image=busybox', '--target=web', '--profile=general']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const m = /^Targeting container "web"\. If you don't see processes from this container it may be because the container runtime doesn't support this feature\.\nDefaulting debug container name to (debugger-[bcdfghjklmnpqrstvwxz2456789]{5})\.\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const pod = JSON.parse(await sb.ok(['get', 'pod', 'web', '-o', 'json']));
  assert.equal(pod.spec.ephemeralContainers.length, 1);
  const ec = pod.spec.ephemeralContainers[0];
  assert.equal(ec.name, m[1]);
  assert.equal(ec.image, 'busybox');
  assert.equal(ec.targetContainerName, 'web');
  assert.equal(ec.terminationMessagePolicy, 'File');
  // The pod's other fields are untouched: a plain update of the spec is still refused.
  assert.equal(pod.spec.containers.length, 1);
});

test('debug with the legacy profile warns as kubectl does; -c names the container', async () => {
  const before = await ephemeralNames();
  const r = await sb.run(['debug', 'pod/web', '--image=busybox', '-c', 'dbg', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".\n');
  assert.deepEqual(await ephemeralNames(), [...before, 'dbg']);
});

test('debug node/NAME creates a pod on that node in its host namespaces with / at /host', async () => {
  const node = await sb.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
  const r = await sb.run(['debug', `node/${node}`, '--image=busybox', '--profile=general']);
  assert.equal(r.code, 0, r.stderr);
  const m = new RegExp(`^Creating debugging pod (node-debugger-${node}-[a-z0-9]{5}) with container debugger on node ${node}\\.\\n$`).exec(r.stdout);
  assert.ok(m, r.stdout);
  const pod = JSON.parse(await sb.ok(['get', 'pod', m[1], '-o', 'json']));
  assert.equal(pod.spec.nodeName, node);
  assert.equal(pod.spec.hostPID, true);
  assert.equal(pod.spec.hostNetwork, true);
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.deepEqual(pod.spec.containers[0].volumeMounts.find((v: { name: string }) => v.name === 'host-root'), { mountPath: '/host', name: 'host-root' });
  // kubectl 1.32 labels it with nothing (the managed-by label came in 1.34)
  assert.equal(pod.metadata.labels, undefined);
});

test('debug refuses what kubectl refuses, with its messages', async () => {
  assert.deepEqual(await sb.run(['debug', 'web']), { code: 1, stdout: '', stderr: 'error: you must specify --image when not using --copy-to.\n' });
  assert.deepEqual(await sb.run(['debug', 'web', '--image=busybox', '-t']), { code: 1, stdout: '', stderr: 'error: -i/--stdin is required for containers with -t/--tty=true\n' });
  const r = await sb.run(['debug', 'nosuch', '--image=busybox', '--profile=general']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): pods "nosuch" not found\n');
});

test('get --subresource=scale prints the Scale (table with kube\'s AGE column, and YAML); an unknown subresource is the server\'s NotFound', async () => {
  assert.match(await sb.ok(['get', 'deploy', 'api', '--subresource=scale']), /^NAME\s+DESIRED\s+AVAILABLE\s+AGE\napi\s+2\s+\d+\s+\d+[smhd]\n$/);
  const y = await sb.ok(['get', 'deploy', 'api', '--subresource=scale', '-o', 'yaml']);
  assert.match(y, /^apiVersion: autoscaling\/v1\nkind: Scale\n/);
  assert.match(y, /\nspec:\n {2}replicas: 2\n/);
  // kubectl 1.32 checks no name (its list only documents the flag): the server does not serve deployments/resize.
  assert.deepEqual(await sb.run(['get', 'deploy', 'api', '--subresource=resize']), { code: 1, stdout: '', stderr: 'Error from server (NotFound): the server could not find the requested resource\n' });
});

test('get -w --output-watch-events: an EVENT column for tables, watch events for -o json', async () => {
  // -w: a process of its own, as hosted.ts keeps watches
  const t = sb.sb.run(['get', 'deploy', 'api', '-w', '--output-watch-events', '--request-timeout=1s']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout.split('\n')[0], /^EVENT {6}NAME {3}READY/);
  assert.match(t.stdout.split('\n')[1], /^ADDED {6}api {4}/);
  const j = sb.sb.run(['get', 'deploy', 'api', '-w', '--output-watch-events', '-o', 'json', '--request-timeout=1s']);
  assert.equal(j.code, 0, j.stderr);
  // kubectl 1.32's JSONPrinter marshals a WatchEvent on one line (json.Marshal, not MarshalIndent).
  assert.match(j.stdout, /^\{"type":"ADDED","object":\{"apiVersion":"apps\/v1",.*\}\n$/);
  assert.equal(JSON.parse(j.stdout).object.metadata.name, 'api');
});

test('the kubelet starts an ephemeral container: debug --attach prints its output, its status is reported, the pod is untouched', async () => {
  // in the file's cluster (a copy), not one of its own: only the pod app is looked at
  await sb.ok(['run', 'app', '--image=nginx:1.27']);
  await sb.ok(['reconcile', '--until-stable']);
  // A container that ended before the attach: kubectl prints its logs instead.
  const r = await sb.run(['debug', 'app', '--image=busybox:1.36', '-c', 'once', '-i', '-q', '--profile=general', '--', 'sh', '-c', 'echo hello from debug']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello from debug\n');
  await sb.ok(['debug', 'app', '--image=busybox:1.36', '-c', 'long', '-q', '--profile=general', '--', 'sh', '-c', 'echo waiting; sleep 3600']);
  await sb.ok(['clock', 'advance', '10s']);
  const pod = JSON.parse(await sb.ok(['get', 'pod', 'app', '-o', 'json']));
  const [once, long] = pod.status.ephemeralContainerStatuses;
  assert.deepEqual([once.name, once.state.terminated?.reason, once.state.terminated?.exitCode, once.ready, once.restartCount], ['once', 'Completed', 0, false, 0]);
  assert.deepEqual([long.name, Object.keys(long.state), long.ready, long.image], ['long', ['running'], false, 'busybox:1.36']);
  // the app container and the pod's readiness are unaffected
  assert.deepEqual([pod.status.phase, pod.status.containerStatuses[0].ready, pod.status.containerStatuses[0].restartCount], ['Running', true, 0]);
  assert.equal(await sb.ok(['logs', 'app', '-c', 'long']), 'waiting\n');
  const d = await sb.ok(['describe', 'pod', 'app']);
  assert.match(d, /Ephemeral Containers:\n {2}once:\n[\s\S]*?State: {10}Terminated\n {6}Reason: {7}Completed\n[\s\S]*? {2}long:\n[\s\S]*?State: {10}Running\n/);
  assert.match(d, /Normal\s+Started\s+\S+\s+kubelet\s+Started container long\n/);
});
