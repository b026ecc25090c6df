// apply view-last-applied / set-last-applied / edit-last-applied, delete --interactive,
// api-resources --categories, and plugin list (against the real kubectl on the same PATH).
// Each test starts from its own copy of a fresh default cluster.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  () => undefined,
  (copy) => (sb = new Hosted(copy)),
  'kubesim-verbs-misc-',
);

const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  b: "2"
  a: x
`;

test('the last-applied annotation: view, set, edit', { timeout: 90_000 }, async () => {
  await sb.ok(['apply', '-f', sb.file('cm.yaml', CM)]);
  assert.equal(await sb.ok(['apply', 'view-last-applied', 'configmap', 'cfg']), 'apiVersion: v1\ndata:\n  a: x\n  b: "2"\nkind: ConfigMap\nmetadata:\n  annotations: {}\n  name: cfg\n  namespace: default\n');
  assert.match(await sb.ok(['apply', 'view-last-applied', 'cm/cfg', '-o', 'json']), /^\{\n  "apiVersion": "v1",\n  "data": \{\n    "a": "x",/);
  assert.equal((await sb.run(['apply', 'view-last-applied', 'cm/cfg', '-o', 'wide'])).stderr, "error: unexpected -o output mode: wide, the flag 'output' must be one of yaml|json\n");

  await sb.ok(['create', 'configmap', 'plain', '--from-literal=q=1']);
  assert.equal((await sb.run(['apply', 'view-last-applied', 'cm', 'plain'])).stderr, 'error: no last-applied-configuration annotation found on resource: plain\n');

  assert.equal(await sb.ok(['apply', 'set-last-applied', '-f', sb.file('cm2.yaml', CM.replace('a: x', 'a: changed'))]), 'configmap/cfg configured\n');
  assert.match(await sb.ok(['apply', 'view-last-applied', 'cm', 'cfg']), /\n  a: changed\n/);
  assert.equal(await sb.ok(['get', 'cm', 'cfg', '-o', 'jsonpath={.data.a}']), 'x', 'only the annotation changes');
  const plain = sb.file('plain.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {q: "2"}\n');
  assert.match((await sb.run(['apply', 'set-last-applied', '-f', plain])).stderr, /to create the annotation, run the command with --create-annotation/);
  assert.equal(await sb.ok(['apply', 'set-last-applied', '-f', plain, '--create-annotation', '-o', 'name']), 'configmap/plain\n');

  const r = await sb.run(['apply', 'edit-last-applied', 'cm', 'cfg'], { env: { EDITOR: 'sed -i s/changed/edited/' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(await sb.ok(['apply', 'view-last-applied', 'cm', 'cfg']), /\n  a: edited\n/);
});

test('delete --interactive asks, and deletes only on y', { timeout: 60_000 }, async () => {
  await sb.ok(['create', 'configmap', 'keep', '--from-literal=a=b']);
  await sb.ok(['create', 'configmap', 'gone', '--from-literal=a=b']);
  const no = await sb.run(['delete', 'configmap', 'keep', '-i'], { stdin: 'n\n' });
  assert.equal(no.stdout, 'You are about to delete the following 1 resource(s):\nconfigmap/keep\nDo you want to continue? (y/n): deletion is cancelled\n');
  assert.equal((await sb.run(['get', 'cm', 'keep'])).code, 0);
  const yes = await sb.run(['delete', 'configmap', 'gone', '--interactive'], { stdin: 'Y\n' });
  assert.equal(yes.stdout, 'You are about to delete the following 1 resource(s):\nconfigmap/gone\nDo you want to continue? (y/n): configmap "gone" deleted\n');
  assert.equal((await sb.run(['get', 'cm', 'gone'])).code, 1);
  assert.equal((await sb.run(['delete', 'configmap', 'nosuch', '-i'], { stdin: 'y\n' })).stderr, 'Error from server (NotFound): configmaps "nosuch" not found\n');
});

test('api-resources --categories keeps the resources in every category asked for', { timeout: 60_000 }, async () => {
  const names = (await sb.ok(['api-resources', '--categories=all', '-o', 'name'])).trim().split('\n');
  assert.ok(names.includes('pods') && names.includes('deployments.apps'), names.join(' '));
  assert.ok(!names.includes('configmaps') && !names.includes('nodes'));
});

test('plugin list finds kubectl-* executables on PATH as kubectl does', { timeout: 60_000 }, async () => {
  const dir = join(sb.home, 'plugins');
  const dir2 = join(sb.home, 'plugins2');
  mkdirSync(dir);
  mkdirSync(dir2);
  for (const [d, n, mode] of [[dir, 'kubectl-foo', 0o755], [dir, 'kubectl-bar', 0o644], [dir, 'kubectl-get', 0o755], [dir2, 'kubectl-foo', 0o755]] as const) {
    writeFileSync(join(d, n), '#!/bin/sh\n');
    chmodSync(join(d, n), mode);
  }
  const PATH = `${dir}:/usr/bin:/bin:${dir2}`;
  for (const args of [['plugin', 'list'], ['plugin', 'list', '--name-only']]) {
    const k = spawnSync('/usr/bin/kubectl', args, { env: { PATH, HOME: sb.home }, encoding: 'utf8' });
    assert.equal(k.status, 1, 'kubectl must be installed (the oracle)');
    const s = await sb.run(args, { env: { PATH } });
    assert.deepEqual([s.code, s.stdout, s.stderr], [k.status, k.stdout, k.stderr]);
  }
  const none = await sb.run(['plugin', 'list'], { env: { PATH: '/usr/bin:/bin' } });
  assert.equal(none.stderr, 'error: unable to find any kubectl plugins in your PATH\n');
});

test('certificate approve and deny add kubectl conditions', { timeout: 60_000 }, async () => {
  const key = join(sb.home, 'u.key');
  const csrFile = join(sb.home, 'u.csr');
  const r = spawnSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=alice', '-out', csrFile], { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl makes the request: ${r.stderr}`);
  const request = readFileSync(csrFile).toString('base64');
  for (const name of ['alice', 'bob']) {
    await sb.ok(['create', '-f', sb.file(`${name}.yaml`, `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: ${name}}\nspec:\n  request: ${request}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\n`)]);
  }
  assert.equal(await sb.ok(['certificate', 'approve', 'alice']), 'certificatesigningrequest.certificates.k8s.io/alice approved\n');
  assert.equal(await sb.ok(['certificate', 'approve', 'alice']), 'certificatesigningrequest.certificates.k8s.io/alice approved\n');
  assert.equal(await sb.ok(['get', 'csr', 'alice', '-o', 'jsonpath={.status.conditions[*].reason}']), 'KubectlApprove', 'approving twice adds one condition');
  assert.equal((await sb.run(['certificate', 'deny', 'alice'])).stderr, 'error: certificate signing request "alice" is already Approved\n');
  assert.equal(await sb.ok(['certificate', 'deny', 'bob', '-o', 'name']), 'certificatesigningrequest.certificates.k8s.io/bob\n');
  assert.equal(await sb.ok(['get', 'csr', 'bob', '-o', 'jsonpath={.status.conditions[0].type} {.status.conditions[0].message}']), 'Denied This CSR was denied by kubectl certificate deny.');
});

test('get --raw answers as the API server does', { timeout: 60_000 }, async () => {
  await sb.ok(['create', 'configmap', 'keep', '--from-literal=a=b']);
  const cm = JSON.parse(await sb.ok(['get', '--raw', '/api/v1/namespaces/default/configmaps/keep'])) as { kind: string; metadata: { name: string } };
  assert.deepEqual([cm.kind, cm.metadata.name], ['ConfigMap', 'keep']);
  const missing = await sb.run(['get', '--raw', '/api/v1/namespaces/default/configmaps/nope']);
  assert.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): configmaps "nope" not found\n']);
  assert.equal((await sb.run(['get', 'pods', '--raw', '/api'])).stderr, 'error: arguments may not be passed when --raw is specified\n');
});

test('auth reconcile creates, then adds missing rules and subjects', { timeout: 60_000 }, async () => {
  const role = (verbs: string, users: string[]) =>
    sb.file('rbac.yaml', `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, namespace: default}\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: [${verbs}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader-b, namespace: default}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n${users.map((u) => `- {kind: User, apiGroup: rbac.authorization.k8s.io, name: ${u}}\n`).join('')}`);
  // kubectl's printResults: the objects on stdout, what reconciliation did on stderr (a new object's rules or subjects all missing ones)
  const created = await sb.run(['auth', 'reconcile', '-f', role('get, list', ['alice'])]);
  assert.deepEqual([created.code, created.stdout, created.stderr], [
    0,
    'role.rbac.authorization.k8s.io/reader reconciled\nrolebinding.rbac.authorization.k8s.io/reader-b reconciled\n',
    '\treconciliation required create\n\tmissing rules added:\n\t\t{Verbs:[get list] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}\n' +
      '\treconciliation required create\n\tmissing subjects added:\n\t\t{Kind:User APIGroup:rbac.authorization.k8s.io Name:alice Namespace:}\n',
  ]);
  assert.equal(await sb.ok(['auth', 'reconcile', '-f', role('get', ['alice'])]), 'role.rbac.authorization.k8s.io/reader reconciled\nrolebinding.rbac.authorization.k8s.io/reader-b reconciled\n', 'covered rules need nothing');
  const updated = await sb.run(['auth', 'reconcile', '-f', role('get, list, watch', ['alice', 'bob'])]);
  assert.deepEqual([updated.code, updated.stdout, updated.stderr], [
    0,
    'role.rbac.authorization.k8s.io/reader reconciled\nrolebinding.rbac.authorization.k8s.io/reader-b reconciled\n',
    // Covers breaks the expected rules down to single verbs: only watch is missing
    '\treconciliation required update\n\tmissing rules added:\n\t\t{Verbs:[watch] APIGroups:[] Resources:[pods] ResourceNames:[] NonResourceURLs:[]}\n' +
      '\treconciliation required update\n\tmissing subjects added:\n\t\t{Kind:User APIGroup:rbac.authorization.k8s.io Name:bob Namespace:}\n',
  ]);
  assert.equal(await sb.ok(['auth', 'can-i', 'watch', 'pods', '--as', 'bob']), 'yes\n');
  await sb.ok(['auth', 'reconcile', '-f', role('get, list, watch', ['alice']), '--remove-extra-subjects']);
  assert.equal(await sb.ok(['get', 'rolebinding', 'reader-b', '-o', 'jsonpath={.subjects[*].name}']), 'alice');
});
