// The real kubectl 1.32 against `kubesim serve`, for what the fid11g sweep found different
// (issue #11): replace --force, debug, proxy and the command groups; each command's stdout,
// stderr and exit code equal kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';

const c = new ServedCluster('fid11g');

const OBJECTS = `apiVersion: v1
kind: Pod
metadata: {name: p1}
spec:
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm2}
data: {b: "2"}
`;
/** The two ConfigMaps of OBJECTS, then one the server cannot decode. */
const FORCED = OBJECTS.slice(OBJECTS.indexOf('apiVersion: v1\nkind: ConfigMap')) + '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {a: 1}\n';

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: OBJECTS });
});

after(async () => {
  await c.stop();
});

test('replace --force: every object deleted, then every one created; a create\'s refusal is the server\'s error as it is', async () => {
  const file = c.file('force.yaml', FORCED);
  const runs: [number, string, string][] = [];
  for (const run of [(a: string[]) => c.kubectlAsync(a), (a: string[]) => c.hosted(a)]) {
    runs.push(asKubectl(await run(['replace', '--force', '-f', file])));
    assert.equal((await c.kubectlAsync(['get', 'cm/cm1', 'cm/cm2', '-o', 'name'])).stdout, 'configmap/cm1\nconfigmap/cm2\n', `both re-created: ${JSON.stringify(runs)}`);
  }
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[0], [
    1,
    'configmap "cm1" deleted\nconfigmap "cm2" deleted\nconfigmap/cm1 replaced\nconfigmap/cm2 replaced\n',
    'Error from server (BadRequest): ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data.a of type string\n',
  ]);
});

test('debug of a kind it cannot debug names it as Go prints a GroupVersionKind', async () => {
  const [code, , err] = await c.alike(['debug', 'cm/cm1', '--image=busybox', '--profile=general']);
  assert.deepEqual([code, err], [1, 'error: "/v1, Kind=ConfigMap" not supported by debug\n']);
});

test('proxy: a port, address or socket it cannot listen on is refused in net.Listen\'s words', async () => {
  for (const args of [['--port=-5'], ['--port=70000'], ['--address=nosuch.invalid', '--port=0'], ['--unix-socket=/nonexistent/dir/s'], ['--address=192.0.2.1', '--port=0']]) {
    const [code, out, err] = await c.alike(['proxy', ...args]);
    assert.deepEqual([code, out], [1, ''], args.join(' '));
    assert.match(err, /^error: listen (tcp|unix)/, args.join(' '));
  }
});

test('a group given an unknown sub-command fails as kubectl\'s groups do, clock too (kubesim\'s own)', async () => {
  for (const group of ['config', 'rollout', 'set', 'auth', 'top']) await c.alike([group, 'bogus']);
  const clock = asKubectl(await c.hosted(['clock', 'bogus']));
  assert.deepEqual(clock, [1, '', "error: unknown command \"bogus\"\nSee 'kubectl clock -h' for help and examples\n"]);
  const [code, out] = asKubectl(await c.hosted(['clock']));
  assert.equal(code, 0);
  assert.match(out, /^\d{4}-\d\d-\d\dT\S+ \(speed 1x\)\n$/);
});
