// What kubesim refused or answered otherwise than kubectl 1.32 against the same served cluster,
// compared on three sides: the real kubectl (through `kubesim serve`), kubesim through the
// cluster's daemon, and kubesim in-process (KUBESIM_NO_DAEMON=1).
// - `patch`/`get --subresource=ephemeralcontainers` (kubectl checks no subresource name: one
//   the server does not serve is its NotFound); the subresource writes only ephemeral
//   containers, and refuses removing or changing one (ValidatePodEphemeralContainersUpdate).
// - apply, delete, replace and get -f of a review (create-only) and of a nameless document.
// - `create --raw` of a SubjectAccessReview in-process: answered by RBAC, as the server does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import type { RunResult } from '../e2e/helpers';

const c = new ServedCluster('erv');
type Side = 'kubectl' | 'daemon' | 'local';
const SIDES: Side[] = ['kubectl', 'daemon', 'local'];
/** kubesim's sides run in a CLI host each (test/helpers/cli-host.ts), not a process per command. */
const run = (side: Side, args: string[]): Promise<RunResult> =>
  side === 'kubectl' ? c.kubectlAsync(args) : c.hosted(args, { env: { KUBESIM_NO_DAEMON: side === 'local' ? '1' : '' } });

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  const pods = SIDES.map((s) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p-${s}, labels: {app: web}}\nspec: {containers: [{name: app, image: nginx}]}\n`).join('---\n');
  const r = await run('daemon', ['create', '-f', c.file('pods.yaml', pods)]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => c.stop());

/** Runs args on every side at once (`{side}` in an argument is the side's name: none changes what another reads); all must print and exit as kubectl does. */
async function same(args: string[], expectCode?: number): Promise<RunResult> {
  const [want, ...rest] = await Promise.all(SIDES.map((s) => run(s, args.map((a) => a.replaceAll('{side}', s)))));
  const text = (r: RunResult, s: Side) => [r.code, r.stdout.replaceAll(s, '{side}'), r.stderr.replaceAll(s, '{side}')];
  if (expectCode !== undefined) assert.equal(want.code, expectCode, `kubectl ${args.join(' ')}: ${want.stderr}`);
  rest.forEach((r, i) => assert.deepEqual(text(r, SIDES[i + 1]), text(want, 'kubectl'), `${SIDES[i + 1]}: ${args.join(' ')}`));
  return want;
}

const ephemeral = async (pod: string) => JSON.parse((await run('kubectl', ['get', 'pod', pod, '-o', 'jsonpath={.spec.ephemeralContainers}'])).stdout || '[]') as { name: string; image: string }[];
const patch = (type: string, body: unknown) => ['patch', 'pod', 'p-{side}', '--subresource=ephemeralcontainers', `--type=${type}`, '-p', JSON.stringify(body)];

test('patch --subresource=ephemeralcontainers with every patch type; existing ones may not be removed or changed', async () => {
  const add = (name: string) => ({ spec: { ephemeralContainers: [{ name, image: 'busybox' }] } });
  // strategic merges by name (and drops what is no ephemeral container: the label); merge replaces the list; json adds.
  assert.equal((await same(patch('strategic', { metadata: { labels: { x: 'y' } }, ...add('e1') }), 0)).stdout, 'pod/p-kubectl patched\n');
  await same(patch('merge', { spec: { ephemeralContainers: [{ name: 'e1', image: 'busybox' }, { name: 'e2', image: 'busybox' }] } }), 0);
  await same(patch('json', [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'e3', image: 'busybox' } }]), 0);
  for (const s of SIDES) {
    assert.deepEqual((await ephemeral(`p-${s}`)).map((e) => e.name), ['e1', 'e2', 'e3'], s);
    assert.equal((await run('kubectl', ['get', 'pod', `p-${s}`, '-o', 'jsonpath={.metadata.labels}'])).stdout, '{"app":"web"}', s);
  }
  // Removing (a merge patch's shorter list) and changing (a json patch), refused by name, each message ending in a newline.
  const removed = await same(patch('merge', add('e4')), 1);
  assert.equal(removed.stderr, ['The Pod "p-kubectl" is invalid: ', ...['e1', 'e2', 'e3'].map((n) => `* spec.ephemeralContainers: Forbidden: existing ephemeral containers "${n}" may not be removed\n`)].join('\n') + '\n');
  const changed = await run('kubectl', patch('json', [{ op: 'replace', path: '/spec/ephemeralContainers/1/image', value: 'alpine' }]).map((a) => a.replace('{side}', 'kubectl')));
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /^The Pod "p-kubectl" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "e2" may not be changed\n/);
  for (const side of ['daemon', 'local'] as const) {
    const r = await run(side, patch('json', [{ op: 'replace', path: '/spec/ephemeralContainers/1/image', value: 'alpine' }]).map((a) => a.replace('{side}', side)));
    // go-cmp's diff that follows is unstable by design (it varies its spacing): the first line is compared.
    assert.deepEqual([r.code, r.stdout, r.stderr.split('\n')[0]], [1, '', changed.stderr.split('\n')[0].replace('kubectl', side)], side);
    assert.match(r.stderr, /^- \t\tImage: "busybox",\n\+ \t\tImage: "alpine",$/m, side);
  }
  for (const s of SIDES) assert.deepEqual((await ephemeral(`p-${s}`)).map((e) => [e.name, e.image]), [['e1', 'busybox'], ['e2', 'busybox'], ['e3', 'busybox']], s);
  // GET of the subresource is the pod; a subresource the server does not serve is its NotFound.
  assert.equal((await same(['get', 'pod', 'p-{side}', '--subresource=ephemeralcontainers', '-o', 'name'], 0)).stdout, 'pod/p-kubectl\n');
  for (const args of [['get', 'pod', 'p-{side}', '--subresource=nope'], ['patch', 'pod', 'p-{side}', '--subresource=nope', '-p', '{}']]) {
    assert.equal((await same(args, 1)).stderr, 'Error from server (NotFound): the server could not find the requested resource\n');
  }
  assert.equal((await same(['get', 'pods', '--subresource=status'], 1)).stderr, 'error: subresource cannot be used when bulk resources are specified\n');
});

test('apply, delete, replace and get -f of a review (create-only) and of a document without a name', async () => {
  const docs = {
    ssar: 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec: {resourceAttributes: {verb: get, resource: pods}}\n',
    sar: 'apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nmetadata: {name: named}\nspec: {user: jane, resourceAttributes: {verb: get, resource: pods}}\n',
    tr: 'apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec: {token: abc}\n',
    cm: 'apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n',
  };
  const verbs = [['apply'], ['apply', '--server-side'], ['delete'], ['delete', '--ignore-not-found'], ['replace'], ['get', '-o', 'yaml'], ['get', '-o', 'name'], ['get', '-o', 'name', '--ignore-not-found']];
  for (const [name, text] of Object.entries(docs)) {
    const file = c.file(`${name}.yaml`, text);
    for (const verb of verbs) await same([...verb, '-f', file]);
  }
  // Spot checks of what all sides printed alike.
  assert.equal((await same(['apply', '-f', c.file('sar.yaml', docs.sar)], 0)).stdout, 'subjectaccessreview.authorization.k8s.io/<unknown> created\n');
  assert.equal((await same(['delete', '-f', c.file('sar.yaml', docs.sar)], 1)).stderr, `Error from server (NotFound): error when deleting "${c.dir}/sar.yaml": the server could not find the requested resource\n`);
  assert.equal((await same(['replace', '-f', c.file('cm.yaml', docs.cm)], 1)).stderr, `error: error when replacing "${c.dir}/cm.yaml": resource name may not be empty\n`);
  assert.equal((await same(['apply', '--server-side', '-f', c.file('ssar.yaml', docs.ssar)], 1)).stderr, 'error: resource name may not be empty\n');
  assert.equal((await same(['get', '-o', 'yaml', '-f', c.file('cm.yaml', docs.cm)], 0)).stdout, 'apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  namespace: default\n');
});

test('create --raw of a SubjectAccessReview is answered by RBAC on every side', async () => {
  const sar = c.file('sar.json', JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'jane', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } }));
  const out = (await same(['create', '--raw', '/apis/authorization.k8s.io/v1/subjectaccessreviews', '-f', sar], 0)).stdout;
  assert.deepEqual(JSON.parse(out).status, { allowed: false });
});
