// The real kubectl 1.32 against `kubesim serve`, for what earlier rounds left different (issue
// #11): each command's stdout, stderr and exit code equal kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBECTL, ServedCluster } from './harness';
import { BIN } from '../e2e/helpers';

const c = new ServedCluster('fidel8');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
});

after(async () => {
  await c.stop();
});

test('events -w -o json|yaml|name: each watched Event on its own through the -o printer (struct order, `---` between YAML documents), then each new one', async () => {
  const ns = 'evwo';
  await c.hostedOk(['create', 'namespace', ns]);
  await c.hostedOk(['create', 'deployment', 'first', '--image=nginx', '-n', ns]);
  await c.okAsync(['reconcile', '--until-stable']);
  const events = async () => (await c.hostedOk(['get', 'events', '-n', ns, '-o', 'name'])).trim().split('\n').length;
  const count = (out: string, re: RegExp) => out.match(re)?.length ?? 0;
  for (const [output, each] of [['json', /^\{$/gm], ['yaml', /^kind: Event$/gm], ['name', /^event\//gm]] as const) {
    const existing = await events();
    const args = ['events', '-w', '-o', output, '-n', ns];
    const k = c.started([KUBECTL, ...args]);
    const s = c.started([process.execPath, BIN, ...args]); // in-process (KUBESIM_NO_DAEMON)
    const d = c.started([process.execPath, BIN, ...args], c.env({ KUBESIM_NO_DAEMON: '' })); // a client of the server
    try {
      for (const w of [k, s, d]) await w.until((out) => count(out, each) === existing);
      // a change while all three watch: each new Event printed as it comes
      await c.hostedOk(['scale', 'deployment', 'first', `--replicas=${output === 'json' ? 2 : output === 'yaml' ? 3 : 4}`, '-n', ns]);
      await c.okAsync(['reconcile', '--until-stable']);
      await k.until((out) => count(out, each) > existing + 2);
      const total = await events();
      for (const w of [k, s, d]) await w.until((out) => count(out, each) === total);
      assert.equal(s.out(), k.out(), `in-process -o ${output}`);
      assert.equal(d.out(), k.out(), `through the server -o ${output}`);
    } finally {
      for (const w of [k, s, d]) w.child.kill();
    }
    if (output === 'json') assert.match(k.out(), /^\{\n {4}"kind": "Event",\n {4}"apiVersion": "v1",\n {4}"metadata": \{\n {8}"name": /);
    if (output === 'yaml') assert.match(k.out(), /\ntype: Normal\n---\n[a-z]/);
  }
});

test('create|run|autoscale -o json: every kind in k8s.io/api\'s struct order (the order gen-proto records), zero fields Go writes, whether built client-side or decoded from the server', async () => {
  await c.hostedOk(['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *']);
  await c.hostedOk(['create', 'deployment', 'scaled', '--image=nginx']);
  const masked = (s: string) =>
    s
      .replace(/"((controller-)?uid|batch\.kubernetes\.io\/controller-uid)": "[^"]*"/g, '"$1": "X"')
      .replace(/"(creationTimestamp|time)": "[^"]*"/g, '"$1": "T"')
      .replace(/kube-api-access-\w+/g, 'kube-api-access-X')
      .replace(/"nodePort": \d+/g, '"nodePort": 0');
  for (const args of [
    ['create', 'job', 'fromcj', '--from=cronjob/cj'], // the CronJob's template copied: Container, OwnerReference in struct order
    ['autoscale', 'deployment', 'scaled', '--max=3', '--cpu-percent=50'], // HorizontalPodAutoscalerStatus's non-omitempty replicas
    ['create', 'clusterrole', 'agg', '--aggregation-rule=a=b'],
    ['create', 'quota', 'q', '--hard=pods=2', '--scopes=BestEffort'],
    ['run', 'rp', '--image=nginx', '--port=80', '--env=A=B', '--labels=a=b', '--restart=Never'],
    // the zeros of every k8s.io/api struct (gen-proto's `z`): Deployment's strategy, Service's
    // and Ingress's status, PodDisruptionBudgetStatus's counts, a null pathType
    ['create', 'deployment', 'd', '--image=nginx', '--image=redis', '--port=80'],
    ['create', 'cronjob', 'cj2', '--image=busybox', '--schedule=* * * * *', '--restart=Never'],
    ['create', 'service', 'nodeport', 'np', '--tcp=80:8080'],
    ['create', 'service', 'externalname', 'en', '--external-name=example.com'],
    ['create', 'poddisruptionbudget', 'pdb', '--selector=app=x', '--max-unavailable=50%'],
    ['create', 'ingress', 'ing', '--rule=foo.com/bar*=svc:8080,tls=s', '--class=nginx', '--default-backend=def:80'],
    ['expose', 'deployment', 'scaled', '--port=80', '--target-port=8080', '--type=NodePort'],
    // --overrides decoded into the Pod: a replaced container's resources written, an unknown field gone
    ['run', 'ro', '--image=nginx', '--override-type=merge', '--overrides={"spec":{"containers":[{"name":"ro","image":"redis","bogus":1}]}}'],
  ]) {
    for (const dryRun of ['client', 'server']) {
      const [k, s] = await c.bothClients([...args, `--dry-run=${dryRun}`, '-o', 'json']);
      assert.equal(k.code, 0, k.stderr);
      assert.equal(masked(s.stdout), masked(k.stdout), `${args.join(' ')} --dry-run=${dryRun}`);
    }
  }
  // YAML and jsonpath print the typed object too
  for (const output of ['yaml', 'jsonpath={.spec.containers[0]}']) {
    const [k, s] = await c.bothClients(['run', 'ro', '--image=nginx', '--dry-run=client', '-o', output, '--overrides={"spec":{"containers":[{"name":"ro","image":"redis","bogus":1}]}}']);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(s.stdout, k.stdout, output);
  }
  assert.match((await c.hostedOk(['run', 'ro', '--image=nginx', '--dry-run=client', '-o', 'yaml', '--overrides={"spec":{"containers":[{"name":"ro","image":"redis","bogus":1}]}}'])), /\n {2}- image: redis\n {4}name: ro\n {4}resources: \{\}\n/);
});

test('apply edit-last-applied: the file given to the editor (ApplyEditMode\'s `#` header above YAML; JSON as its JSON printer writes it), unchanged: "Edit cancelled"', async () => {
  await c.kubectlAsync(['apply', '-f', c.file('la.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: la}\ndata: {a: b}\n')]);
  const editor = c.file('copy-editor.sh', '#!/bin/sh\ncp "$1" "$COPY_TO"\n');
  chmodSync(editor, 0o755);
  for (const output of ['yaml', 'json']) {
    const args = ['apply', 'edit-last-applied', 'configmap/la', '-o', output];
    const k = await c.kubectlAsync(args, { env: { EDITOR: editor, COPY_TO: join(c.dir, `k.${output}`) } });
    const s = await c.kubesimAsync(args, { env: { EDITOR: editor, COPY_TO: join(c.dir, `s.${output}`) } });
    assert.deepEqual(s, k, output);
    assert.deepEqual([k.code, k.stderr], [0, 'Edit cancelled, no changes made.\n']);
    assert.equal(readFileSync(join(c.dir, `s.${output}`), 'utf8'), readFileSync(join(c.dir, `k.${output}`), 'utf8'), `the file to edit, -o ${output}`);
  }
  assert.match(readFileSync(join(c.dir, 'k.yaml'), 'utf8'), /^# Please edit the 'last-applied-configuration' annotations below\.\n/);
});

test('auth reconcile: --dry-run=server refused before anything is read; a Role or RoleBinding into a missing namespace creates the namespace first (tryEnsureNamespace)', async () => {
  const role = (ns: string) => c.file(`role-${ns}.yaml`, `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r1, namespace: ${ns}}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b1, namespace: ${ns}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}\nsubjects: [{kind: User, name: jane}]\n`);
  await c.refusedAlike(['auth', 'reconcile', '-f', role('dryns'), '--dry-run=server'], '', 'error: --dry-run=server for command reconcile is not supported yet\n');
  const k = await c.kubectlAsync(['auth', 'reconcile', '-f', role('recns-k')]);
  const s = await c.hosted(['auth', 'reconcile', '-f', role('recns-s')]);
  assert.equal(k.code, 0, k.stderr);
  assert.deepEqual(s, { ...k, stderr: k.stderr.replaceAll('recns-k', 'recns-s') });
  for (const ns of ['recns-k', 'recns-s']) assert.equal(await c.hostedOk(['get', 'namespace', ns, '-o', 'name']), `namespace/${ns}\n`);
  assert.equal((await c.hosted(['get', 'namespace', 'dryns'])).code, 1, 'the refused dry run created nothing');
});

test('exec -f FILE: the file\'s object as read, no GET of it (a workload\'s pods listed by the file\'s selector), so a renamed copy of a workload still reaches its pods', async () => {
  await c.hostedOk(['create', 'namespace', 'exf']);
  await c.hostedOk(['create', 'deployment', 'ex', '--image=nginx', '-n', 'exf']);
  await c.okAsync(['reconcile', '--until-stable']);
  const live = await c.hostedOk(['get', 'deployment', 'ex', '-n', 'exf', '-o', 'yaml']);
  const renamed = c.file('ex-renamed.yaml', live.replace(/^ {2}name: ex$/m, '  name: ex-not-in-the-cluster'));
  const args = ['exec', '-f', renamed, '--', 'echo', 'hi'];
  const [k, s] = await c.bothClients(args);
  assert.deepEqual(k, { code: 0, stdout: 'hi\n', stderr: '' });
  assert.deepEqual(s, k, 'in-process');
  assert.deepEqual(await c.kubesimAsync(args, { env: { KUBESIM_NO_DAEMON: '' } }), k, 'through the server');
  // Two objects in the file: kubectl's builder returns a List, and exec refuses it.
  const two = c.file('ex-two.yaml', `${live}---\n${live.replace(/^ {2}name: ex$/m, '  name: ex-2')}`);
  const both = ['exec', '-f', two, '--', 'echo', 'hi'];
  const [k2, s2] = await c.bothClients(both);
  assert.deepEqual(k2, { code: 1, stdout: '', stderr: 'error: cannot exec into multiple objects at a time\n' });
  assert.deepEqual(s2, k2, 'in-process');
  assert.deepEqual(await c.kubesimAsync(both, { env: { KUBESIM_NO_DAEMON: '' } }), k2, 'through the server');
});

test('rollout history -o and create token -o: the typed objects kubectl decodes (a ReplicaSet, a TokenRequest) in struct order', async () => {
  await c.hostedOk(['create', 'namespace', 'hist']);
  await c.hostedOk(['create', 'deployment', 'h', '--image=nginx', '-n', 'hist']);
  await c.okAsync(['reconcile', '--until-stable']);
  await c.hostedOk(['set', 'image', 'deployment/h', 'nginx=nginx:1.27', '-n', 'hist']);
  await c.okAsync(['reconcile', '--until-stable']);
  for (const args of [['-o', 'json'], ['--revision=1', '-o', 'json'], ['-o', 'yaml']]) {
    const [k, s] = await c.bothClients(['rollout', 'history', 'deployment/h', '-n', 'hist', ...args]);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(s.stdout, k.stdout, args.join(' '));
  }
  // Each token is new: its text, its times and its jti differ; the shape does not.
  const masked = (s: string) => s.replace(/"(token|creationTimestamp|expirationTimestamp)": "[^"]*"/g, '"$1": "X"');
  const [k, s] = await c.bothClients(['create', 'token', 'default', '-o', 'json']);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(masked(s.stdout), masked(k.stdout));
  assert.match(k.stdout, /^\{\n {4}"kind": "TokenRequest",\n {4}"apiVersion": "authentication\.k8s\.io\/v1",\n {4}"metadata": \{\n {8}"name": "default",/);
});
