// The foundation verbs end to end: apply, get, describe, delete, and their errors, through
// the real CLI in a throwaway state directory. Every test starts from its own copy of one
// cluster holding the applied ConfigMap cfg (a: "2").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;

const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  a: "1"
`;

copyPerTest(
  (base) => new Hosted(base).ok(['apply', '-f', base.file('cm.yaml', CM.replace('"1"', '"2"'))]),
  (copy) => (sb = new Hosted(copy)),
);

test('apply creates, re-apply is unchanged, a change is configured', async () => {
  const fresh = CM.replace('name: cfg', 'name: fresh');
  const f = sb.file('fresh.yaml', fresh);
  assert.equal(await sb.ok(['apply', '-f', f]), 'configmap/fresh created\n');
  assert.equal(await sb.ok(['apply', '-f', f]), 'configmap/fresh unchanged\n');
  sb.file('fresh.yaml', fresh.replace('"1"', '"2"'));
  assert.equal(await sb.ok(['apply', '-f', f]), 'configmap/fresh configured\n');
  assert.equal(await sb.ok(['get', 'cm', 'fresh', '-o', 'jsonpath={.data.a}']), '2');
});

test('get --no-headers drops the header row of tables, wide and custom-columns', async () => {
  assert.match(await sb.ok(['get', 'cm', 'cfg', '--no-headers']), /^cfg\s+1\s+\d+s\n$/);
  assert.match(await sb.ok(['get', 'cm', 'cfg', '-o', 'wide', '--no-headers']), /^cfg\s+1\s+\d+s\n$/);
  assert.equal(await sb.ok(['get', 'cm', 'cfg', '-o', 'custom-columns=NAME:.metadata.name,A:.data.a', '--no-headers']), 'cfg   2\n');
  assert.equal(await sb.ok(['get', 'cm', 'cfg', '-o', 'custom-columns=NAME:.metadata.name']), 'NAME\ncfg\n');
});

test('get prints kubectl tables and formats', async () => {
  const table = await sb.ok(['get', 'configmaps']);
  assert.match(table, /^NAME\s+DATA\s+AGE\n/);
  assert.match(table, /\ncfg\s+1\s+\d+s\n/);
  assert.equal(await sb.ok(['get', 'cm', 'cfg', '-o', 'name']), 'configmap/cfg\n');
  const obj = JSON.parse(await sb.ok(['get', 'cm', 'cfg', '-o', 'json']));
  assert.equal(obj.kind, 'ConfigMap');
  assert.match(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"name":"cfg"/);
  const list = JSON.parse(await sb.ok(['get', 'cm', '-o', 'json']));
  assert.equal(list.kind, 'List');
  assert.ok(list.items.length >= 2); // cfg and kube-root-ca.crt
});

test('an empty --namespace= is no namespace: the context\'s is used, as client-go ignores an empty override', async () => {
  assert.equal(await sb.ok(['get', 'cm', 'cfg', '--namespace=', '-o', 'jsonpath={.metadata.namespace}']), 'default');
  assert.equal(await sb.ok(['get', 'cm', '-n', '', '-o', 'name']), 'configmap/cfg\nconfigmap/kube-root-ca.crt\n');
});

test('get of a missing object fails like kubectl', async () => {
  const r = await sb.run(['get', 'pod', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): pods "nope" not found\n');
  const t = await sb.run(['get', 'foos']);
  assert.equal(t.code, 1);
  assert.equal(t.stderr, 'error: the server doesn\'t have a resource type "foos"\n');
});

test('empty list says so on stderr', async () => {
  const r = await sb.run(['get', 'pods', '-n', 'kube-public']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'No resources found in kube-public namespace.\n');
});

test('bootstrap namespaces exist', async () => {
  const names = (await sb.ok(['get', 'ns', '-o', 'name'])).trim().split('\n');
  for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(`namespace/${n}`), n);
});

test('a deployment is defaulted like the API server does it', async () => {
  const f = sb.file('deploy.yaml', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
`);
  assert.equal(await sb.ok(['apply', '-f', f]), 'deployment.apps/web created\n');
  const d = JSON.parse(await sb.ok(['get', 'deploy', 'web', '-o', 'json']));
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(d.metadata.generation, 1);
});

test('unknown fields are rejected by the server, as kubectl 1.32 leaves them to it (fieldValidation=Strict)', async () => {
  const f = sb.file('typo.yaml', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: typo
spec:
  replica: 2
  selector:
    matchLabels: {app: t}
  template:
    metadata:
      labels: {app: t}
    spec:
      containers:
      - name: c
        image: nginx
`);
  const r = await sb.run(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error from server (BadRequest): error when creating "${f}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"\n`);
  assert.equal((await sb.run(['get', 'deploy', 'typo'])).code, 1, 'nothing was stored');
});

test('a mis-indented block: apply has the server refuse it, validate says where it belongs', async () => {
  const f = sb.file('indent.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
containers:
- name: c
  image: nginx
`);
  const r = await sb.run(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error from server (BadRequest): error when creating "${f}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "containers"\n`);
  const v = await sb.run(['validate', f]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /indent\.yaml:6:1: error: unknown field "containers"/);
  assert.match(v.stdout, /is valid under spec: check its indentation/);
});

test('malformed YAML, empty files and missing paths', async () => {
  const bad = sb.file('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n');
  const r = await sb.run(['apply', '-f', bad]);
  assert.equal(r.code, 1);
  // kubectl's line (kubesim adds a caret display and a hint after it)
  assert.equal(r.stderr.split('\n')[0], `error: error parsing ${bad}: error converting YAML to JSON: yaml: line 4: did not find expected ',' or ']'`);
  const empty = sb.file('empty.yaml', '');
  const e = await sb.run(['apply', '-f', empty]);
  assert.equal(e.code, 1);
  assert.equal(e.stderr, 'error: no objects passed to apply\n');
  const m = await sb.run(['apply', '-f', '/nonexistent.yaml']);
  assert.equal(m.code, 1);
  assert.equal(m.stderr, 'error: the path "/nonexistent.yaml" does not exist\n');
});

test('a multi-document file applies the valid documents and reports the invalid one', async () => {
  const f = sb.file('multi.yaml', `apiVersion: v1
kind: ConfigMap
metadata:
  name: good-one
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
---
apiVersion: v1
kind: Secret
metadata:
  name: good-two
stringData:
  k: v
`);
  const r = await sb.run(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'configmap/good-one created\nsecret/good-two created\n');
  assert.match(r.stderr, /metadata\.name: Invalid value: "Bad_Name"/);
});

test('a namespace that does not exist', async () => {
  const f = sb.file('ns.yaml', CM.replace('name: cfg', 'name: x\n  namespace: nope'));
  const r = await sb.run(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /namespaces "nope" not found/);
});

test('describe shows the object and delete removes it', async () => {
  const d = await sb.ok(['describe', 'configmap', 'cfg']);
  assert.match(d, /^Name:\s+cfg\nNamespace:\s+default\n/);
  assert.match(d, /\nData\n====\na:\n----\n2\n/);
  assert.equal(await sb.ok(['delete', 'configmap', 'cfg']), 'configmap "cfg" deleted\n');
  const r = await sb.run(['delete', 'configmap', 'cfg']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): configmaps "cfg" not found\n');
  assert.equal((await sb.run(['delete', 'configmap', 'cfg', '--ignore-not-found'])).code, 0);
});

test('state files are private to the user', async () => {
  const dir = join(sb.home, 'clusters', 'kubesim');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const cmDir = join(dir, 'registry', 'configmaps', 'default');
  for (const f of readdirSync(cmDir)) assert.equal(statSync(join(cmDir, f)).mode & 0o777, 0o600, f);
});

test('quantities are stored canonical: apply, patch of each type and get -o json show kube\'s form, last-applied the text', async () => {
  const f = sb.file('rq.yaml', 'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: rq\nspec:\n  hard:\n    requests.cpu: 1000m\n    requests.memory: 2048Ki\n    pods: 1e3\n    limits.cpu: "1e3"\n');
  assert.equal(await sb.ok(['apply', '-f', f]), 'resourcequota/rq created\n');
  const hard = async () => JSON.parse(await sb.ok(['get', 'quota', 'rq', '-o', 'json'])).spec.hard;
  // YAML's 1e3 is the number 1000 ("1k"); the string "1e3" is kept, as ParseQuantity keeps it.
  assert.deepEqual(await hard(), { 'requests.cpu': '1', 'requests.memory': '2Mi', pods: '1k', 'limits.cpu': '1e3' });
  // kubectl's three-way patch sees "1000m" against the live "1": configured every time, as against kube.
  assert.equal(await sb.ok(['apply', '-f', f]), 'resourcequota/rq configured\n');
  const live = JSON.parse(await sb.ok(['get', 'quota', 'rq', '-o', 'json']));
  assert.match(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"requests.cpu":"1000m","requests.memory":"2048Ki"/);
  await sb.ok(['patch', 'quota', 'rq', '-p', '{"spec":{"hard":{"requests.cpu":"1.5"}}}']);
  await sb.ok(['patch', 'quota', 'rq', '--type', 'merge', '-p', '{"spec":{"hard":{"pods":20000}}}']);
  await sb.ok(['patch', 'quota', 'rq', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/hard/requests.memory","value":"1024Mi"}]']);
  assert.deepEqual(await hard(), { 'requests.cpu': '1500m', 'requests.memory': '1Gi', pods: '20k', 'limits.cpu': '1e3' });
  assert.equal(await sb.ok(['apply', '--server-side', '--force-conflicts', '-f', f]), 'resourcequota/rq serverside-applied\n');
  assert.deepEqual(await hard(), { 'requests.cpu': '1', 'requests.memory': '2Mi', pods: '1k', 'limits.cpu': '1e3' });
});
