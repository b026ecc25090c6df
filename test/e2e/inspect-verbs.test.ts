// auth can-i, cluster-info, diff and completion through the real CLI. Every test starts
// from its own copy of one cluster holding the Role and RoleBinding below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;

const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: default}
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods, namespace: default}
subjects:
- {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: robot, namespace: default}
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
`;

copyPerTest(
  (base) => new Hosted(base).ok(['apply', '-f', base.file('rbac.yaml', RBAC)]),
  (copy) => (sb = new Hosted(copy)),
);

test('auth can-i answers from stored Roles and bindings, yes/no with exit 0/1', async () => {
  assert.deepEqual(await sb.run(['auth', 'can-i', 'create', 'pods']), { code: 0, stdout: 'yes\n', stderr: '' });
  assert.deepEqual(await sb.run(['auth', 'can-i', 'get', 'pods', '--as', 'bob']), { code: 0, stdout: 'yes\n', stderr: '' });
  assert.deepEqual(await sb.run(['auth', 'can-i', 'delete', 'pods', '--as', 'bob']), { code: 1, stdout: 'no\n', stderr: '' });
  assert.equal((await sb.run(['auth', 'can-i', 'get', 'pods', '-n', 'kube-system', '--as', 'bob'])).stdout, 'no\n');
  assert.equal((await sb.run(['auth', 'can-i', 'get', 'pods', '--subresource=log', '--as', 'bob'])).stdout, 'yes\n');
  assert.equal((await sb.run(['auth', 'can-i', 'list', 'pods', '--as', 'system:serviceaccount:default:robot'])).stdout, 'yes\n');
  assert.deepEqual(await sb.run(['auth', 'can-i', 'get', 'pods', '--as', 'bob', '-q']), { code: 0, stdout: '', stderr: '' });
  const nodes = await sb.run(['auth', 'can-i', 'list', 'nodes', '--as', 'bob']);
  assert.equal(nodes.code, 1);
  assert.equal(nodes.stderr, "Warning: resource 'nodes' is not namespace scoped\n\n");
});

test('auth can-i errors and --list', async () => {
  const r = await sb.run(['auth', 'can-i', 'get']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubesim auth can-i -h' for help and examples.\n");
  const list = await sb.ok(['auth', 'can-i', '--list', '--as', 'bob']);
  assert.match(list, /^Resources +Non-Resource URLs +Resource Names +Verbs\n/);
  assert.match(list, /\npods +\[\] +\[\] +\[get list\]\n/);
  assert.match(list, /\npods\/log +\[\] +\[\] +\[get list\]\n/);
  assert.match(await sb.ok(['auth', 'can-i', '--list']), /\n\*\.\* +\[\] +\[\] +\[\*\]\n/);
});

test('cluster-info names the state directory and CoreDNS as kind does', async () => {
  const out = await sb.ok(['cluster-info']);
  const dir = `${sb.sb.home}/clusters/kubesim`;
  assert.equal(
    out,
    `Kubernetes control plane is running at kubesim://${dir}\nCoreDNS is running at kubesim://${dir}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
  );
  assert.match(await sb.ok(['cluster-info', 'dump']), /"kind": "NodeList"/);
});

const DEPLOY = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ${image}}]
`;

test('diff: exit 1 with a unified diff of live vs applied, 0 when equal, >1 on errors', async () => {
  const f = sb.file('web.yaml', DEPLOY(2, 'nginx:1.25'));
  const created = await sb.run(['diff', '-f', f]);
  assert.equal(created.code, 1);
  assert.match(created.stdout, /^diff -u -N \S+\/LIVE-\w+\/apps\.v1\.Deployment\.default\.web \S+\/MERGED-\w+\/apps\.v1\.Deployment\.default\.web\n/);
  assert.match(created.stdout, /\n\+  replicas: 2\n/);
  await sb.ok(['apply', '-f', f]);
  assert.deepEqual(await sb.run(['diff', '-f', f]), { code: 0, stdout: '', stderr: '' });
  sb.file('web.yaml', DEPLOY(3, 'nginx:1.26'));
  const changed = await sb.run(['diff', '-f', f]);
  assert.equal(changed.code, 1);
  assert.match(changed.stdout, /\n-  replicas: 2\n\+  replicas: 3\n/);
  assert.match(changed.stdout, /\n-      - image: nginx:1\.25\n\+      - image: nginx:1\.26\n/);
  // As kubectl diff shows it (checked against kubectl 1.32 on kubesim serve): the server's
  // dry run bumps metadata.generation, and managedFields are left out.
  assert.match(changed.stdout, /\n-  generation: 1\n\+  generation: 2\n/);
  assert.doesNotMatch(changed.stdout, /managedFields/);
  // the built-in diff when there is no diff program on PATH
  const builtin = await sb.run(['diff', '-f', f], { env: { PATH: '/nonexistent' } });
  assert.equal(builtin.code, 1);
  assert.match(builtin.stdout, /\n-  replicas: 2\n\+  replicas: 3\n/);
  const missing = await sb.run(['diff', '-f', sb.sb.home + '/nope.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: the path ".*nope\.yaml" does not exist\n/);
});

test('diff --prune shows what apply --prune would delete; -l picks the file objects; apply --prune deletes them', async () => {
  const cm = (name: string, tier: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, labels: {tier: ${tier}}}\ndata: {k: v}\n`;
  await sb.ok(['apply', '-f', sb.file('both.yaml', `${cm('keep', 'web')}---\n${cm('old', 'web')}---\n${cm('other', 'db')}`)]);
  const f = sb.file('keep.yaml', cm('keep', 'web'));
  assert.deepEqual(await sb.run(['diff', '-f', f]), { code: 0, stdout: '', stderr: '' });
  const pruned = await sb.run(['diff', '-f', f, '--prune', '-l', 'tier=web']);
  assert.equal(pruned.code, 1);
  assert.match(pruned.stdout, /^diff -u -N \S+\/LIVE-\w+\/v1\.ConfigMap\.default\.old \S+\/MERGED-\w+\/v1\.ConfigMap\.default\.old\n/);
  assert.match(pruned.stdout, /\n-  name: old\n/);
  assert.doesNotMatch(pruned.stdout, /name: (keep|other)/);
  // Without -l every allowlisted object with a last-applied annotation that the file lacks.
  assert.match((await sb.run(['diff', '-f', f, '--prune'])).stdout, /ConfigMap\.default\.other/);
  // A --prune-allowlist without ConfigMaps prunes none of them.
  assert.equal((await sb.run(['diff', '-f', f, '--prune', '--prune-allowlist=apps/v1/Deployment'])).code, 0);
  // -l selects the file's own objects: nothing labelled tier=db in keep.yaml, so nothing to diff.
  assert.deepEqual(await sb.run(['diff', '-f', sb.file('new.yaml', cm('new', 'web')), '-l', 'tier=db']), { code: 0, stdout: '', stderr: '' });
  assert.match((await sb.run(['diff', '-f', f, '--show-managed-fields', '--prune', '-l', 'tier=web'])).stdout, /\n-  managedFields:\n/);
  assert.deepEqual(await sb.run(['apply', '-f', f, '--prune', '-l', 'tier=web', '--prune-allowlist=core/v1/ConfigMap']), { code: 0, stdout: 'configmap/keep unchanged\nconfigmap/old pruned\n', stderr: '' });
  assert.equal((await sb.run(['get', 'cm', 'old'])).code, 1);
  assert.equal((await sb.run(['get', 'cm', 'other'])).code, 0);
});

test('completion scripts and the __complete candidates', async () => {
  for (const sh of ['bash', 'zsh', 'fish']) assert.match(await sb.ok(['completion', sh]), /kubesim __complete -- /);
  const bad = await sb.run(['completion', 'tcsh']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: Unsupported shell type "tcsh".\nSee \'kubesim completion -h\' for help and examples\n');
  const verbs = (await sb.ok(['__complete', '--', ''])).split('\n');
  assert.ok(verbs.includes('get') && verbs.includes('explain') && !verbs.includes('__complete'));
  assert.ok((await sb.ok(['__complete', '--', 'get', ''])).split('\n').includes('deployments'));
  await sb.ok(['apply', '-f', sb.file('web2.yaml', DEPLOY(1, 'nginx'))]);
  assert.equal(await sb.ok(['__complete', '--', 'get', 'deployments', '']), 'web\n');
  assert.equal(await sb.ok(['__complete', '--', 'get', 'deploy/']), 'deploy/web\n');
  assert.ok((await sb.ok(['__complete', '--', 'get', 'pods', '-n', ''])).split('\n').includes('kube-system'));
});

test('describe -f describes the live objects a file names, as describe TYPE NAME does; a missing one is NotFound', async () => {
  const f = sb.file('rbac-only.yaml', RBAC);
  const byFile = await sb.run(['describe', '-f', f]);
  assert.equal(byFile.code, 0, byFile.stderr);
  assert.equal(byFile.stdout, await sb.ok(['describe', 'role/pod-reader', 'rolebinding/read-pods']));
  assert.match(byFile.stdout, /^Name:\s+pod-reader\n/);
  const missing = await sb.run(['describe', '-f', sb.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nope}\n')]);
  assert.deepEqual([missing.code, missing.stdout, missing.stderr], [1, '', 'Error from server (NotFound): configmaps "nope" not found\n']);
});

test('cluster-info dump: --output-directory files with the logs, --namespaces, -o (name refused), --pod-running-timeout', async () => {
  await sb.ok(['run', 'hello', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo hi; sleep 3600']);
  await sb.ok(['wait', '--for=condition=Ready', 'pod/hello', '--timeout=120s']);
  const dir = `${sb.sb.home}/dump`;
  assert.equal(await sb.ok(['cluster-info', 'dump', '--namespaces', 'default', '-o', 'yaml', '--output-directory', dir]), `Cluster info dumped to ${dir}\n`);
  const read = (f: string) => readFileSync(`${dir}/${f}`, 'utf8');
  assert.deepEqual(readdirSync(`${dir}/default`).sort(), ['daemonsets.yaml', 'deployments.yaml', 'events.yaml', 'hello', 'pods.yaml', 'replicasets.yaml', 'replication-controllers.yaml', 'services.yaml']);
  assert.match(read('nodes.yaml'), /^apiVersion: v1\nitems:\n/);
  // One YAML printer for the whole dump: every list after the first starts with `---`.
  assert.match(read('default/pods.yaml'), /^---\napiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n/);
  assert.equal(read('default/hello/logs.txt'), '==== START logs for container hello of pod default/hello ====\nhi\n==== END logs for container hello of pod default/hello ====\n');
  // -o name refuses the first list, as kubectl's name printer does (test/server/cluster-info-dump.test.ts compares kubectl).
  const names = await sb.run(['cluster-info', 'dump', '-o', 'name']);
  assert.deepEqual([names.code, names.stdout, names.stderr], [1, '', 'error: list types are not supported by name printing: *v1.NodeList\n']);
  const r = await sb.run(['cluster-info', 'dump', '--pod-running-timeout=0']);
  assert.deepEqual([r.code, r.stderr], [1, 'error: --pod-running-timeout must be higher than zero\n']);
});
