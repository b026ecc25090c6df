// Three places where kubesim answered otherwise than kubectl 1.32 against the same served
// cluster; each compared on three sides: the real kubectl (through `kubesim serve`), kubesim
// through the cluster's daemon, and kubesim in-process (KUBESIM_NO_DAEMON=1).
// - pods/ephemeralcontainers refuses a second container of the same name (validation), while
//   `debug -c NAME` naming an existing one is kubectl's no-op (its merge patch pairs the two).
// - `create -f` of a review (SelfSubjectAccessReview, SubjectAccessReview, SelfSubjectReview,
//   TokenReview) prints the answer, where kubesim said "resource mapping not found".
// - `wait` on objects that do not exist: NotFound at once, or "no matching resources found";
//   in a namespace that does not exist either, the namespace's NotFound (the Builder's Info.Get);
//   `get -o FORMAT` of one missing object prints nothing (no empty List).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import type { RunResult } from '../e2e/helpers';

const c = new ServedCluster('rew');
type Side = 'kubectl' | 'daemon' | 'local';
const SIDES: Side[] = ['kubectl', 'daemon', 'local'];
/** kubesim's sides run in a CLI host each (test/helpers/cli-host.ts), not a process per command. */
const run = (side: Side, args: string[]): Promise<RunResult> =>
  side === 'kubectl' ? c.kubectlAsync(args) : c.hosted(args, { env: { KUBESIM_NO_DAEMON: side === 'local' ? '1' : '' } });

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  const pods = ['web-kubectl', 'web-daemon', 'web-local', 'web-dup', 'web'].map((n) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, labels: {app: web}}\nspec: {containers: [{name: app, image: nginx}]}\n`).join('---\n');
  const r = await run('daemon', ['create', '-f', c.file('pods.yaml', pods)]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => c.stop());

/** Runs args on every side at once (none of them changes what another reads); all must print and exit as kubectl does. */
async function same(args: string[], expectCode?: number): Promise<RunResult> {
  const [want, ...rest] = await Promise.all(SIDES.map((s) => run(s, args)));
  if (expectCode !== undefined) assert.equal(want.code, expectCode, `kubectl ${args.join(' ')}: ${want.stderr}`);
  rest.forEach((r, i) => assert.deepEqual([r.code, r.stdout, r.stderr], [want.code, want.stdout, want.stderr], `${SIDES[i + 1]}: ${args.join(' ')}`));
  return want;
}

const ephemeral = async (pod: string) => JSON.parse((await run('kubectl', ['get', 'pod', pod, '-o', 'jsonpath={.spec.ephemeralContainers}'])).stdout || '[]') as { name: string; image: string }[];
const LEGACY = '--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".\n';

test('debug -c naming an existing ephemeral container changes nothing, as kubectl debug', async () => {
  // Each side its own pod, side by side.
  await Promise.all(SIDES.map(async (side) => {
    const pod = `web-${side}`;
    const first = await run(side, ['debug', pod, '-c', 'e1', '--image=busybox']);
    assert.deepEqual([first.code, first.stdout, first.stderr], [0, '', LEGACY], side);
    // kubectl's two-way patch pairs the new e1 with the old one (Go's sort of equal merge
    // keys): applied, the old one comes back as it was; no second e1, no error.
    const again = await run(side, ['debug', pod, '-c', 'e1', '--image=alpine']);
    assert.deepEqual([again.code, again.stdout, again.stderr], [0, '', LEGACY], side);
    assert.deepEqual((await ephemeral(pod)).map((e) => [e.name, e.image]), [['e1', 'busybox']], side);
  }));
});

test('pods/ephemeralcontainers refuses a duplicate name and a target that is no container', async () => {
  const add = JSON.stringify([{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'e1', image: 'busybox' } }]);
  const patch = () => c.kubectl(['patch', 'pod', 'web-dup', '--subresource=ephemeralcontainers', '--type=json', '-p', add]);
  assert.equal(c.kubectl(['debug', 'web-dup', '-c', 'e1', '--image=busybox']).code, 0);
  const dup = patch();
  assert.deepEqual([dup.code, dup.stdout, dup.stderr], [1, '', 'The Pod "web-dup" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "e1"\n']);
  // Also against a container's name, and through PUT: 422 with the cause, nothing written.
  // The daemon's kubelet may still be writing the pod's status (e1 starting): a Conflict is read again, as a client would.
  let put: Awaited<ReturnType<typeof c.request>>;
  for (const deadline = Date.now() + 30_000; ; ) {
    const pod = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/pods/web-dup')).body);
    pod.spec.ephemeralContainers.push({ name: 'app', image: 'busybox' });
    put = await c.request('PUT', '/api/v1/namespaces/default/pods/web-dup/ephemeralcontainers', { body: JSON.stringify(pod), headers: { 'content-type': 'application/json' } });
    if (put.status !== 409 || Date.now() > deadline) break;
  }
  assert.equal(put.status, 422, put.body);
  const status = JSON.parse(put.body);
  assert.equal(status.reason, 'Invalid');
  assert.equal(status.message, 'Pod "web-dup" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "app"');
  assert.deepEqual(status.details.causes, [{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "app"', field: 'spec.ephemeralContainers[1].name' }]);
  assert.deepEqual((await ephemeral('web-dup')).map((e) => e.name), ['e1']);
  const target = await same(['debug', 'web', '-c', 'e2', '--image=busybox', '--target=nope'], 1);
  assert.equal(target.stderr, `${LEGACY}The Pod "web" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"\n`);
  assert.deepEqual(await ephemeral('web'), []);
});

const REVIEWS: Record<string, string> = {
  ssar: 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec: {resourceAttributes: {verb: get, resource: pods, namespace: default}}\n',
  sar: 'apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec: {user: jane, resourceAttributes: {verb: get, resource: pods, namespace: default}}\n',
  ssr: 'apiVersion: authentication.k8s.io/v1\nkind: SelfSubjectReview\n',
  tr: 'apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec: {token: abc}\n',
};

test('create -f of a review prints the answer, as kubectl does', async () => {
  for (const [name, text] of Object.entries(REVIEWS)) {
    const file = c.file(`${name}.yaml`, text);
    await same(['create', '-f', file], 0);
    await same(['create', '-f', file, '-o', 'name'], 0);
    const yaml = await same(['create', '-f', file, '-o', 'yaml'], 0);
    // The RBAC authorizer's reason: the binding that allowed it (kind's admin is a cluster admin through its group), folded as go-yaml folds.
    if (name === 'ssar') assert.match(yaml.stdout, /^status:\n {2}allowed: true\n {2}reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole\n {4}"cluster-admin" to Group "kubeadm:cluster-admins"'\n$/m);
    if (name === 'sar') assert.match(yaml.stdout, /^status:\n {2}allowed: false\n$/m);
  }
  assert.equal((await run('local', ['create', '-f', c.file('ssar.yaml', REVIEWS.ssar)])).stdout, 'selfsubjectaccessreview.authorization.k8s.io/<unknown> created\n');
});

test('wait (and get, describe, label) on objects that do not exist', async () => {
  const cases: Array<[string[], number]> = [
    [['--for=condition=Ready', 'pod/nope'], 1],
    [['--for=jsonpath={.status.phase}=Running', 'pod/nope'], 1],
    [['--for=condition=Ready', 'pod', 'nope', '--timeout=5s'], 1],
    [['--for=delete', 'pod/nope'], 0],
    [['--for=condition=Ready', 'pods', '-l', 'app=none'], 1],
    [['--for=delete', 'pods', '-l', 'app=none'], 0],
    [['--for=condition=Ready', 'deploy/nope'], 1],
  ];
  for (const [args, code] of cases) await same(['wait', ...args], code);
  // The Builder's Info.Get: outside default, a missing namespace is what is not found.
  const nsFile = c.file('in-nons.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: nope, namespace: nons}\nspec: {containers: [{name: a, image: b}]}\n');
  for (const args of [['wait', '--for=condition=Ready', 'pod/nope', '-n', 'nons'], ['wait', '--for=condition=Ready', '-f', nsFile], ['label', 'pod', 'nope', 'a=b', '-n', 'nons']]) {
    assert.equal((await same(args, 1)).stderr, 'Error from server (NotFound): namespaces "nons" not found\n');
  }
  await same(['wait', '--for=condition=Ready', 'pod/nope', '-n', 'kube-system'], 1);
  for (const args of [['get', 'pod', 'nope', '-n', 'nons'], ['describe', 'pod', 'nope', '-n', 'nons'], ['get', 'pod', 'nope', '-n', 'nons', '-o', 'yaml']]) {
    assert.equal((await same(args, 1)).stderr, 'Error from server (NotFound): namespaces "nons" not found\n');
  }
});

test('get -o of objects that do not exist: nothing printed for one named object, or with --ignore-not-found', async () => {
  for (const output of ['yaml', 'json', 'name', 'jsonpath={.metadata.name}']) {
    assert.equal((await same(['get', 'pod', 'nope', '-o', output], 1)).stdout, '');
    assert.equal((await same(['get', 'pod/nope', '-o', output, '--ignore-not-found'], 0)).stdout, '');
    assert.equal((await same(['get', 'pods', '-l', 'app=none', '-o', output, '--ignore-not-found'], 0)).stdout, '');
    await same(['get', 'pods', '-l', 'app=none', '-o', output], 0);
    await same(['get', 'pod', 'web', 'nope', '-o', output], 1);
  }
  assert.equal((await run('local', ['wait', '--for=condition=Ready', 'pod/nope'])).stderr, 'Error from server (NotFound): pods "nope" not found\n');
  assert.equal((await run('local', ['wait', '--for=condition=Ready', 'pods', '-l', 'app=none'])).stderr, 'error: no matching resources found\n');
});
