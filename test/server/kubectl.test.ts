// The real kubectl 1.32 against `kubesim serve`: for each command, kubectl's stdout and
// exit code equal kubesim's own CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { KUBECTL, ServedCluster } from './harness';
import { BIN } from '../e2e/helpers';

/** kubesim's side runs in the cluster's CLI host (c.hosted: one long-lived process), not a process per command. */
const c = new ServedCluster();

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        command: ["sh", "-c", "echo hello from web; echo second line; sleep 36000"]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {tier: config}}
data: {mode: fast}
`;

/** A cluster-scoped custom resource (no strategic merge patch, no namespace column). */
const GIZMO_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  names: {kind: Gizmo, plural: gizmos}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const twin = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - {name: app, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
`;

before(async () => {
  await c.setUp({ kubectl: true, manifest: APP });
});

after(() => c.stop());

const AGE = /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/;

function seconds(age: string): number | undefined {
  const m = AGE.exec(age);
  if (!m || !age) return undefined;
  const n = (x: string | undefined) => (x ? Number(x.slice(0, -1)) : 0);
  return n(m[1]) * 86400 + n(m[2]) * 3600 + n(m[3]) * 60 + n(m[4]);
}

/**
 * Equal, except that ages (cluster time for table cells, real time for kubectl's describe
 * events) may have ticked between two runs: those tokens may differ by a few seconds, and
 * the padding around them with it. Everything else must be the same word for word.
 */
function equalUpToAges(a: string, b: string, slack = 3): boolean {
  if (a === b) return true;
  const la = a.split('\n');
  const lb = b.split('\n');
  if (la.length !== lb.length) return false;
  for (let i = 0; i < la.length; i++) {
    if (la[i] === lb[i]) continue;
    const ta = la[i].trim().split(/\s+/);
    const tb = lb[i].trim().split(/\s+/);
    if (ta.length !== tb.length) return false;
    for (let j = 0; j < ta.length; j++) {
      if (ta[j] === tb[j]) continue;
      const x = seconds(ta[j]);
      const y = seconds(tb[j]);
      if (x === undefined || y === undefined || Math.abs(x - y) > slack) return false;
    }
  }
  return true;
}

/**
 * kubectl and kubesim print the same thing (up to ticking ages) and exit alike. Both start at
 * one moment; on a loaded machine one may still read the clock seconds after the other (the
 * cluster runs at 1×), so the ages may differ by as long as the pair took, and no more.
 */
async function same(args: string[], slack = 3): Promise<void> {
  const started = Date.now();
  const [a, b] = await Promise.all([c.kubectlAsync(args), c.hosted(args)]);
  const took = Math.ceil((Date.now() - started) / 1000);
  if (a.code === b.code && equalUpToAges(a.stdout, b.stdout, Math.max(slack, took + 1))) return;
  assert.deepEqual({ stdout: b.stdout, code: b.code }, { stdout: a.stdout, code: a.code }, `${args.join(' ')}\nkubectl stderr: ${a.stderr}\nkubesim stderr: ${b.stderr}`);
}

/** The same mutation through kubectl (on twin "ka") and kubesim (on twin "kb"), at once: same output, same result. */
async function sameMutation(args: (name: string) => string[], resultPath = '{.metadata.labels}{.metadata.annotations}{.spec.replicas}{.spec.minReadySeconds}{.spec.template.spec}'): Promise<void> {
  const [a, b] = await Promise.all([c.kubectlAsync(args('ka')), c.hosted(args('kb'))]);
  assert.equal(b.code, a.code, `${args('X').join(' ')}: ${a.stderr} / ${b.stderr}`);
  assert.equal(b.stdout.replaceAll('kb', 'X'), a.stdout.replaceAll('ka', 'X'), args('X').join(' '));
  const ra = (await c.hosted(['get', 'deploy', 'ka', '-o', `jsonpath=${resultPath}`])).stdout.replaceAll('ka', 'X');
  const rb = (await c.hosted(['get', 'deploy', 'kb', '-o', `jsonpath=${resultPath}`])).stdout.replaceAll('kb', 'X');
  assert.equal(rb, ra, `result of ${args('X').join(' ')}`);
}

test('the kubeconfig entry was written kind-style and kubectl uses it', async () => {
  const ctx = c.kubectl(['config', 'current-context']);
  assert.equal(ctx.stdout, 'kubesim-srv\n');
  const v = c.kubectl(['version', '-o', 'json']);
  assert.equal(v.code, 0, v.stderr);
  assert.deepEqual(JSON.parse(v.stdout).serverVersion, JSON.parse(await c.hostedOk(['version', '-o', 'json'])).serverVersion);
});

test('get: tables, every -o, selectors, several kinds', async () => {
  for (const args of [
    ['get', 'pods'],
    ['get', 'pods', '-o', 'wide'],
    ['get', 'deploy,rs,svc,cm'],
    ['get', 'all'],
    ['get', 'pods', '-A'],
    ['get', 'nodes', '-o', 'wide'],
    ['get', 'ns'],
    ['get', 'deploy', 'web', '-o', 'json'],
    ['get', 'deploy', 'web', '-o', 'yaml'],
    ['get', 'pods', '-o', 'json'],
    ['get', 'svc', '-o', 'yaml'],
    ['get', 'pods', '-o', 'name'],
    ['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}'],
    ['get', 'pods', '-o', 'jsonpath-as-json={.items[*].metadata.labels}'],
    ['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName'],
    ['get', 'deploy', 'web', '-o', 'go-template={{.metadata.name}} {{.spec.replicas}}'],
    ['get', 'pods', '--show-labels'],
    ['get', 'pods', '-L', 'app'],
    ['get', 'pods', '-l', 'app=web', '--no-headers'],
    ['get', 'pods', '-l', 'app notin (web)'],
    ['get', 'pods', '--field-selector', 'status.phase=Running'],
    ['get', 'pods', '--sort-by', '.metadata.name'],
    ['get', 'cm', '-l', 'tier=config', '--show-kind'],
    ['get', 'events', '--field-selector', 'involvedObject.kind=Deployment'],
    ['get', 'deploy', 'missing'],
    ['get', 'deploy', 'missing', '--ignore-not-found'],
    ['get', 'pods', '-n', 'kube-system'],
  ]) await same(args);
  // A watched name that does not exist is an error before any watch (kubesim used to wait on it).
  const [k, s] = await c.bothClients(['get', 'pods', 'missing', '-w']);
  assert.deepEqual({ code: s.code, stdout: s.stdout, stderr: s.stderr }, { code: k.code, stdout: k.stdout, stderr: k.stderr });
  assert.equal(k.code, 1);
});

/** How far cluster time is ahead of this machine's (reconcile --until-stable jumps it forward). */
async function clockLeadSeconds(): Promise<number> {
  const text = await c.hostedOk(['clock']);
  return Math.ceil(Math.abs(Date.parse(text.split(' ')[0]) - Date.now()) / 1000);
}

test('describe, api-resources, api-versions, explain', async () => {
  // kubectl describe ages events by this machine's clock, kubesim by the cluster's.
  const slack = (await clockLeadSeconds()) + 3;
  await same(['describe', 'deploy', 'web'], slack);
  await same(['describe', 'svc', 'web'], slack);
  await same(['describe', 'node', 'node-1'], slack);
  await same(['describe', 'cm', 'settings']);
  await same(['api-resources']);
  await same(['api-resources', '--namespaced=false']);
  await same(['api-resources', '--api-group=apps', '-o', 'name']);
  await same(['api-versions']);
  await same(['explain', 'pods']);
  await same(['explain', 'deployment.spec.strategy']);
  await same(['explain', 'svc.spec.ports', '--recursive']);
});

/** RBAC objects and PDBs for describe: rules that compact, an aggregated ClusterRole, every subject kind. */
const RBAC_AND_PDB = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: mixed, labels: {team: a}, annotations: {note: x}}
rules:
- {apiGroups: [""], resources: [pods, pods/log], verbs: [list, get]}
- {apiGroups: [""], resources: [pods], verbs: [watch, get]}
- {apiGroups: [apps, ""], resources: [deployments], resourceNames: [web, api], verbs: [get, patch]}
- {apiGroups: ["*"], resources: ["*"], verbs: [deletecollection]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg-part, labels: {rollup: "true"}}
rules:
- {nonResourceURLs: [/healthz, /metrics], verbs: [get, post]}
- {apiGroups: [batch], resources: [jobs, cronjobs/status], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rollup: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: mixed}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: mixed}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: bot, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agg}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg}
subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-min}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-max}
spec: {maxUnavailable: "30%", selector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}}
`;

test('describe of Role, ClusterRole (aggregated), RoleBinding, ClusterRoleBinding and PodDisruptionBudget', async () => {
  await c.hostedOk(['apply', '-f', c.file('rbac-pdb.yaml', RBAC_AND_PDB)]);
  // Both clients must read the aggregated rules, not the empty list before the controller ran.
  await c.hostedOk(['reconcile', '--until-stable']);
  const slack = (await clockLeadSeconds()) + 3;
  for (const args of [
    ['describe', 'role', 'mixed'],
    ['describe', 'clusterrole', 'agg-part', 'agg'],
    ['describe', 'clusterrole', 'system:basic-user'],
    ['describe', 'rolebinding', 'mixed'],
    ['describe', 'clusterrolebinding', 'agg'],
    ['describe', 'pdb'],
    ['describe', 'pdb', 'web-max', '--show-events=false'],
  ]) await same(args, slack);
  // The PolicyRule table, not a generic dump: verbs merged per resource in order of appearance.
  const role = await c.hostedOk(['describe', 'role', 'mixed']);
  assert.match(role, /\n  pods\s+\[\]\s+\[\]\s+\[list get watch\]\n/);
  assert.match(await c.hostedOk(['describe', 'clusterrole', 'agg']), /\n  jobs\.batch +\[\] +\[\] +\[create\]\n +\[\/healthz\] +\[\] +\[get\]\n/);
});

test('logs, rollout status, wait, auth can-i', async () => {
  await same(['logs', 'deploy/web']);
  await same(['logs', 'deploy/web', '--tail=1']);
  await same(['logs', 'deploy/web', '--timestamps']);
  // kubectl reads several pods' logs in map order: compare the lines, not their order.
  const sortLines = (t: string) => t.split('\n').sort().join('\n');
  const [kl, sl] = await Promise.all([c.kubectlAsync(['logs', '-l', 'app=web', '--prefix']), c.hosted(['logs', '-l', 'app=web', '--prefix'])]);
  assert.equal(sl.code, kl.code);
  assert.equal(sortLines(sl.stdout), sortLines(kl.stdout));
  await same(['rollout', 'status', 'deploy/web']);
  await same(['wait', '--for=condition=Available', 'deploy/web', '--timeout=10s']);
  await same(['auth', 'can-i', 'create', 'pods']);
  await same(['auth', 'can-i', 'delete', 'nodes', '--as=jane']);
  await same(['auth', 'can-i', 'list', 'secrets', '-n', 'kube-system', '--as=system:serviceaccount:default:default']);
  await same(['auth', 'can-i', '--list', '--as=jane']);
  await same(['auth', 'whoami']);
  // the typed review: JSON in struct order (kind before apiVersion, username before groups)
  await same(['auth', 'whoami', '-o', 'json', '--as=jane', '--as-group=g1']);
});

test('get --raw serves what kube-apiserver serves', async () => {
  const v = c.kubectl(['get', '--raw', '/version']);
  assert.equal(v.code, 0);
  assert.equal(JSON.parse(v.stdout).gitVersion, 'v1.32.4');
  assert.equal(c.kubectl(['get', '--raw', '/readyz']).stdout, 'ok');
  const pods = JSON.parse(c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb']).stdout);
  assert.equal(pods.kind, 'PodList');
  assert.deepEqual(pods.items.map((p: any) => p.metadata.name).sort(), (await c.hostedOk(['get', 'pods', '-l', 'app=web', '-o', 'name'])).trim().split('\n').map((n) => n.replace('pod/', '')).sort());
  const missing = c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
});

test('apply, create, label, annotate, scale, set image, patch, delete: same output and result', async () => {
  for (const n of ['ka', 'kb']) await c.hostedOk(['apply', '-f', c.file(`${n}.yaml`, twin(n))]);
  // apply again with a change: a three-way strategic merge patch from kubectl's side
  const [a, b] = await Promise.all([
    c.kubectlAsync(['apply', '-f', c.file('ka2.yaml', twin('ka').replace('replicas: 1', 'replicas: 2'))]),
    c.hosted(['apply', '-f', c.file('kb2.yaml', twin('kb').replace('replicas: 1', 'replicas: 2'))]),
  ]);
  assert.equal(a.stdout, 'deployment.apps/ka configured\n');
  assert.equal(b.stdout, 'deployment.apps/kb configured\n');
  await sameMutation((n) => ['label', 'deploy', n, 'tier=backend']);
  await sameMutation((n) => ['label', 'deploy', n, 'tier=frontend', '--overwrite']);
  await sameMutation((n) => ['label', 'deploy', n, 'tier-']);
  await sameMutation((n) => ['annotate', 'deploy', n, 'owner=team-a']);
  await sameMutation((n) => ['scale', 'deploy', n, '--replicas=3']);
  await sameMutation((n) => ['set', 'image', `deploy/${n}`, 'app=busybox:1.37']);
  await sameMutation((n) => ['patch', 'deploy', n, '-p', '{"spec":{"minReadySeconds":5}}']);
  await sameMutation((n) => ['patch', 'deploy', n, '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']);
  await sameMutation((n) => ['patch', 'deploy', n, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":1}]']);
  await sameMutation((n) => ['patch', 'deploy', n, '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":7}]']);
  // create -f and delete
  for (const [tool, n] of [['kubectl', 'ca'], ['kubesim', 'cb']] as const) {
    const f = c.file(`${n}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}}\ndata: {k: v}\n`);
    const run = (args: string[]) => (tool === 'kubectl' ? c.kubectlAsync(args) : c.hosted(args));
    const created = await run(['create', '-f', f]);
    assert.equal(created.stdout, `configmap/${n} created\n`, created.stderr);
    const again = await run(['create', '-f', f]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `Error from server (AlreadyExists): error when creating "${f}": configmaps "${n}" already exists\n`);
    const dry = await run(['delete', 'cm', n, '--dry-run=server']);
    assert.equal(dry.stdout, `configmap "${n}" deleted (server dry run)\n`);
    assert.equal((await c.hosted(['get', 'cm', n, '-o', 'name'])).stdout, `configmap/${n}\n`, 'a dry run deletes nothing');
    assert.equal((await run(['delete', 'cm', n])).stdout, `configmap "${n}" deleted\n`);
  }
  // create configmap/namespace: kubectl's typed clients send protobuf bodies
  const pc = c.kubectl(['create', 'cm', 'proto-cm', '--from-literal=a=b']);
  assert.equal(pc.stdout, 'configmap/proto-cm created\n', pc.stderr);
  assert.equal(await c.hostedOk(['get', 'cm', 'proto-cm', '-o', 'jsonpath={.data.a}']), 'b');
  assert.equal(c.kubectl(['create', 'ns', 'proto-ns']).stdout, 'namespace/proto-ns created\n');
  await same(['delete', 'cm', 'nothing-here']);
  await same(['get', 'cm', 'ca', 'cb', '--ignore-not-found']);
  // server-side dry run writes nothing
  const dry = c.kubectl(['create', '-f', c.file('dry.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\n'), '--dry-run=server']);
  assert.equal(dry.stdout, 'configmap/dry created (server dry run)\n');
  assert.equal((await c.hosted(['get', 'cm', 'dry'])).code, 1);
});

test('api-resources -o wide, get --raw, events, rollout history, diff: the same through both clients', async () => {
  await same(['api-resources', '-o', 'wide']);
  await same(['get', 'componentstatuses']);
  await same(['get', '--raw', '/api/v1/namespaces/default/configmaps/settings']);
  await same(['get', '--raw', '/apis/apps/v1']);
  await same(['get', '--raw', '/api/v1/namespaces/default/pods/nope']);
  await same(['events', '--for', 'deploy/web']);
  // kubectl's typed EventList (struct order, `metadata: {}`, managedFields of the items
  // omitted); `-o name` prints nothing (its printer cannot take items from a list by value).
  for (const o of ['json', 'yaml', 'name', 'jsonpath={.kind} {.items[0].involvedObject}']) await same(['events', '--for', 'deploy/web', '-o', o]);
  for (const args of [['events', '-o', 'wide'], ['events', '-n', 'kube-public', '-o', 'json']]) {
    const [k, s] = await c.bothClients(args);
    assert.deepEqual(s, k, args.join(' '));
  }
  await same(['rollout', 'history', 'deploy/web']);
  await same(['rollout', 'history', 'deploy/web', '--revision=1']);
  // diff: the same hunks (the header names temporary files and their times).
  const f = c.file('web-diff.yaml', APP.split('---')[0].replace('replicas: 2', 'replicas: 5'));
  const [a, b] = await Promise.all([c.kubectlAsync(['diff', '-f', f]), c.hosted(['diff', '-f', f])]);
  const hunks = (t: string) => t.split('\n').slice(3).join('\n');
  assert.equal(a.code, 1, a.stderr);
  assert.deepEqual({ code: b.code, out: hunks(b.stdout) }, { code: a.code, out: hunks(a.stdout) });
  assert.match(a.stdout, /^-  replicas: 2\n\+  replicas: 5$/m);
  await same(['diff', '-f', c.file('web-same.yaml', APP.split('---')[2])]);
});

test('apply --server-side creates and updates through the apply patch', async () => {
  const f = c.file('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: "1"}\n');
  const first = c.kubectl(['apply', '--server-side', '-f', f]);
  assert.equal(first.stdout, 'configmap/ssa serverside-applied\n', first.stderr);
  const second = c.kubectl(['apply', '--server-side', '-f', c.file('ssa2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: "2"}\n')]);
  assert.equal(second.stdout, 'configmap/ssa serverside-applied\n', second.stderr);
  assert.equal(await c.hostedOk(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.a}']), '2');
});

test('get -w prints the table, then a row per change made by another client', async () => {
  const w = c.started([KUBECTL, 'get', 'cm', '-l', 'watch=me', '-w']);
  try {
    await c.hostedOk(['create', 'cm', 'w1', '--from-literal=a=1']);
    await c.hostedOk(['label', 'cm', 'w1', 'watch=me']);
    await w.until((out) => /^w1\s+1\s+\d+s$/m.test(out));
    await c.hostedOk(['apply', '-f', c.file('w2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w2, labels: {watch: me}}\ndata: {a: "1", b: "2"}\n')]);
    await w.until((out) => /^w2\s+2\s+\d+s$/m.test(out));
    const out = w.out();
    assert.match(out.split('\n')[0], /^NAME\s+DATA\s+AGE$/);
    assert.equal(out.split('\n').filter((l) => l.startsWith('NAME')).length, 1, 'one header');
  } finally {
    w.child.kill('SIGTERM');
  }
});

/** kubectl and the in-process CLI at once: the same stdout, stderr and exit code (for what writes nothing). */
async function sameAll(args: string[]): Promise<void> {
  const [k, s] = await c.bothClients(args);
  assert.deepEqual({ code: s.code, stdout: s.stdout, stderr: s.stderr }, { code: k.code, stdout: k.stdout, stderr: k.stderr }, args.join(' '));
}

// Found by a sweep of ~300 commands through both clients (fidel5).
test('a user\'s sweep: cluster-scoped kinds with -A, the scale subresource\'s table, selector and patch errors, validation wording', async () => {
  await c.hostedOk(['apply', '-f', c.file('gizmo-crd.yaml', GIZMO_CRD)]);
  await c.hostedOk(['apply', '-f', c.file('gizmo.yaml', 'apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g1}\nspec: {size: 1}\n')]);
  // no NAMESPACE column for a cluster-scoped kind, -A or not; a multi-line cell keeps the rows below aligned (RememberWidths)
  for (const args of [
    ['get', 'nodes', '-A'],
    ['get', 'ns', '-A', '--show-labels'],
    ['get', 'crd', '-A'],
    ['get', 'deploy', 'web', '--subresource=scale'],
    ['get', 'cm', '-o', 'custom-columns=NAME:.metadata.name,DATA:.data'],
    ['api-resources', '--sort-by=kind', '--no-headers'],
    ['api-resources', '-o', 'name'],
  ]) await same(args);
  for (const args of [
    // the server's message once, kubectl's (and kubesim's) "Unable to find ..." before it
    ['get', 'pods', '-l', 'a b'],
    ['get', 'pods', '-l', 'app in (web'],
    ['get', 'pods', '--field-selector', 'metadata.foo=bar'],
    ['get', 'svc', '--field-selector', 'spec.type=NodePort'],
    ['describe', 'cm', '-l', 'a b'],
    ['auth', 'can-i', 'frobnicate', 'pods'],
    ['auth', 'can-i', 'get', 'nosuchthing'],
    ['api-resources', '-o', 'json'],
    ['api-resources', '--sort-by=foo'],
    ['logs', 'nope'],
    ['delete', 'cm', 'settings', '--now', '--force', '--dry-run=server'],
    ['delete', 'cm', 'settings', '--grace-period=5', '--force'],
    ['label', 'cm', 'settings', 'bad key=x'],
    ['patch', 'deploy', 'web', '-p', 'not json'],
    ['patch', 'cm', 'settings', '--type=json', '-p', '[{"op":"remove","path":"/data/nope"}]'],
    ['patch', 'gizmo', 'g1', '-p', '{"spec":{"size":2}}'],
    ['rollout', 'history', 'cm/settings'],
    ['events', '--for', 'nope/x'],
    // fid11d: beside --template no printer splits -o FORMAT=VALUE; custom-columns' file error is its own
    ['get', 'deploy', 'web', '-o', 'jsonpath={.kind}', '--template={{.kind}}'],
    ['get', 'deploy', 'web', '-o', 'custom-columns=N:.kind', '--template={{.kind}}'],
    ['get', 'deploy', 'web', '-o', 'custom-columns-file=/nonexistent.txt'],
  ]) await sameAll(args);
  assert.equal(await c.hostedOk(['get', 'cm', 'settings', '-o', 'jsonpath={.data.mode}'], {}), 'fast', 'nothing written');
});

// fidel5's leftovers (fidel6). Runs after the sweep above, which made the custom resource g1.
test('top\'s selectors parsed by the client, rollout of a custom resource refused by kubectl\'s scheme', async () => {
  for (const args of [
    ['top', 'pod', '-l', 'a in (b'],
    ['top', 'node', '-l', '=x'],
    ['top', 'pod', '-l', 'a=b=c', '--field-selector', 'x'],
    ['top', 'pod', '--field-selector', 'x'],
    ['top', 'pod', '--field-selector', 'a=b'],
    // a type listed: its <Kind>List; pause/resume/restart print it without "error: "
    ...['undo', 'history', 'status', 'pause', 'resume', 'restart'].flatMap((verb) => [
      ['rollout', verb, 'gizmos'],
      ['rollout', verb, 'gizmo/g1'],
      ['rollout', verb, 'gizmo/g1', 'gizmo/g2'],
    ]),
  ]) await sameAll(args);
  // apply --dry-run=client on an existing object: kubectl prints the object it read (it computes no patch)
  const changed = c.file('settings-dry.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, labels: {tier: config}}\ndata: {mode: slow}\n');
  for (const o of ['yaml', 'name']) await sameAll(['apply', '-f', changed, '--dry-run=client', '-o', o]);
  // --dry-run=server -o yaml|json: the server's managedFields left out, as kubectl's printers leave them out (uid and time differ per run)
  for (const o of ['yaml', 'jsonpath={.metadata.managedFields}']) {
    const [k, s] = await c.bothClients(['create', 'cm', 'dry', '--from-literal=a=b', '--dry-run=server', '-o', o]);
    // jsonpath prints the managed fields' time: each client's create is its own second
    const strip = (t: string) => t.replace(/^ {2}(uid|creationTimestamp): .*\n/gm, '').replace(/"time":"[^"]*"/g, '"time":"T"');
    assert.deepEqual([s.code, strip(s.stdout)], [k.code, strip(k.stdout)], o);
  }
});

// Last: `reconcile --until-stable` jumps cluster time ahead of this machine's, and the tests
// before compare ages that kubectl reads by this machine's clock.
test('edit with EDITOR set to a script, rollout undo: same output and result', async () => {
  for (const n of ['ea', 'eb']) await c.hostedOk(['apply', '-f', c.file(`${n}.yaml`, twin(n))]);
  await c.hostedOk(['reconcile', '--until-stable']);
  const editor = c.file('editor.sh', '#!/bin/sh\nsed -i "s/^  replicas: [0-9]*/  replicas: 3/" "$1"\n');
  chmodSync(editor, 0o755);
  const [a, b] = await Promise.all([c.kubectlAsync(['edit', 'deploy', 'ea'], { env: { EDITOR: editor } }), c.hosted(['edit', 'deploy', 'eb'], { env: { EDITOR: editor } })]);
  assert.deepEqual({ code: b.code, out: b.stdout.replace('eb', 'X') }, { code: a.code, out: a.stdout.replace('ea', 'X') }, a.stderr + b.stderr);
  assert.equal(a.stdout, 'deployment.apps/ea edited\n');
  for (const n of ['ea', 'eb']) assert.equal(await c.hostedOk(['get', 'deploy', n, '-o', 'jsonpath={.spec.replicas}']), '3');
  // Two revisions, then back to the first.
  for (const n of ['ea', 'eb']) await c.hostedOk(['set', 'image', `deploy/${n}`, 'app=busybox:1.37']);
  await c.hostedOk(['reconcile', '--until-stable']);
  const [ua, ub] = await Promise.all([c.kubectlAsync(['rollout', 'undo', 'deploy/ea']), c.hosted(['rollout', 'undo', 'deploy/eb'])]);
  assert.deepEqual({ code: ub.code, out: ub.stdout.replace('eb', 'X') }, { code: ua.code, out: ua.stdout.replace('ea', 'X') }, ua.stderr + ub.stderr);
  assert.equal(ua.stdout, 'deployment.apps/ea rolled back\n', ua.stderr);
  for (const n of ['ea', 'eb']) assert.equal(await c.hostedOk(['get', 'deploy', n, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'busybox:1.36');
});


test('an int64 past 2^53 keeps its digits through kubectl apply, patch and server-side apply, as kube-apiserver keeps int64s', async () => {
  // 2^53+7 and 2^53+5 are not doubles: a float64 anywhere on the way would change their digits.
  const pod = (name: string, seconds: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  activeDeadlineSeconds: ${seconds}
  containers: [{name: app, image: busybox:1.36, command: [sh, -c, "sleep 36000"]}]
`;
  const deadline = (name: string) => ['get', 'pod', name, '-o', 'jsonpath={.spec.activeDeadlineSeconds}'];
  const created = await c.kubectlAsync(['apply', '-f', '-'], { stdin: pod('big-int', '9007199254740999') });
  assert.equal(created.stdout, 'pod/big-int created\n', created.stderr);
  assert.equal((await c.kubectlAsync(deadline('big-int'))).stdout, '9007199254740999');
  assert.match((await c.kubectlAsync(['get', 'pod', 'big-int', '-o', 'json'])).stdout, /\n {8}"activeDeadlineSeconds": 9007199254740999,\n/);
  assert.equal((await c.hosted(deadline('big-int'))).stdout, '9007199254740999', 'kubesim reads it back exact too');
  // The last-applied configuration holds the same digits, so the same manifest changes nothing.
  const again = await c.kubectlAsync(['apply', '-f', '-'], { stdin: pod('big-int', '9007199254740999') });
  assert.equal(again.stdout, 'pod/big-int unchanged\n', again.stderr);
  const patched = await c.kubectlAsync(['patch', 'pod', 'big-int', '--type=merge', '-p', '{"spec":{"activeDeadlineSeconds":9007199254740997}}']);
  assert.equal(patched.stdout, 'pod/big-int patched\n', patched.stderr);
  assert.equal((await c.kubectlAsync(deadline('big-int'))).stdout, '9007199254740997');
  const ssa = await c.kubectlAsync(['apply', '--server-side', '-f', '-'], { stdin: pod('big-ssa', '9223372036854775807') });
  assert.equal(ssa.stdout, 'pod/big-ssa serverside-applied\n', ssa.stderr);
  assert.equal((await c.kubectlAsync(deadline('big-ssa'))).stdout, '9223372036854775807');
  // Past int64 kubectl reads a float64 (and sends Go's shortest digits for it), which the int64 field refuses.
  const over = await c.kubectlAsync(['apply', '-f', '-'], { stdin: pod('big-over', '9223372036854775808') });
  assert.equal(over.code, 1);
  assert.match(over.stderr, /cannot unmarshal number 9223372036854776000 into Go struct field PodSpec\.spec\.activeDeadlineSeconds of type int64\n$/);
  const gone = await c.kubectlAsync(['delete', 'pod', 'big-int', 'big-ssa', '--grace-period=0', '--force']);
  assert.equal(gone.code, 0, gone.stderr);
});

test('repeated owner references: dropped with kube-apiserver\'s warning on create, replace and patch; kubesim prints the same', async () => {
  // The owner exists, so that the garbage collector leaves its dependents be.
  const uid = await c.hostedOk(['get', 'cm', 'settings', '-o', 'jsonpath={.metadata.uid}']);
  const owner = `{"apiVersion":"v1","kind":"ConfigMap","name":"settings","uid":"${uid}"}`;
  const dependent = (name: string, data: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","ownerReferences":[${owner},${owner}]},"data":{"k":"${data}"}}`;
  const TAIL = `API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: ${uid}`;
  const AS_SENT = `Warning: .metadata.ownerReferences contains duplicate entries; ${TAIL}\n`;
  for (const [tool, n] of [['kubectl', 'owned-a'], ['kubesim', 'owned-b']] as const) {
    const run = (args: string[], stdin?: string) => (tool === 'kubectl' ? c.kubectlAsync(args, { stdin }) : c.hosted(args, { stdin }));
    const created = await run(['create', '-f', '-'], dependent(n, '1'));
    assert.deepEqual([created.stdout, created.stderr], [`configmap/${n} created\n`, AS_SENT], tool);
    assert.equal(await c.hostedOk(['get', 'cm', n, '-o', 'jsonpath={.metadata.ownerReferences[*].name}']), 'settings', 'one reference kept');
    const replaced = await run(['replace', '-f', '-'], dependent(n, '2'));
    assert.deepEqual([replaced.stdout, replaced.stderr], [`configmap/${n} replaced\n`, AS_SENT], tool);
    // A patch is deduplicated once patched, after mutating admission, and says so.
    const patched = await run(['patch', 'cm', n, '--type=merge', '-p', `{"data":{"k":"3"},"metadata":{"ownerReferences":[${owner},${owner}]}}`]);
    assert.deepEqual([patched.stdout, patched.stderr], [`configmap/${n} patched\n`, `Warning: .metadata.ownerReferences contains duplicate entries after mutating admission happens; ${TAIL}\n`], tool);
    assert.equal(await c.hostedOk(['get', 'cm', n, '-o', 'jsonpath={.data.k} {.metadata.ownerReferences[*].name}']), '3 settings');
    // Server-side apply refuses them instead: the applied configuration is no typed value.
    const applied = await run(['apply', '--server-side', '-f', '-'], dependent(n, '4'));
    assert.deepEqual([applied.code, applied.stdout, applied.stderr], [1, '', `Error from server: failed to create typed patch object (default/${n}; /v1, Kind=ConfigMap): .metadata.ownerReferences: duplicate entries for key [uid="${uid}"]\n`], tool);
    assert.equal(await c.hostedOk(['get', 'cm', n, '-o', 'jsonpath={.data.k}']), '3', 'nothing written');
  }
});

// Many events at one instant (a frozen clock records a burst with one timestamp): kubectl
// sorts them with Go's sort.Sort, which is not stable past 12 rows, so the order among equal
// times is its pdqsort's. kubesim printed them stably (in name order) and differed.
test('events at one instant: kubectl events, describe and get --sort-by order the ties as kubectl does', async () => {
  const T = Date.parse('2026-01-01T10:00:00Z');
  const at = (s: number) => new Date(T + s * 1000).toISOString().replace('.000Z', 'Z');
  const docs: string[] = [];
  // Three spreads of times over names: all equal, ties with a few later ones, descending with ties.
  const spreads: Array<[string, number, (i: number) => number]> = [
    ['ties-all', 40, () => 0],
    ['ties-mixed', 45, (i) => (i % 7 === 3 ? i % 4 : 0)],
    ['ties-desc', 60, (i) => Math.floor((59 - i) / 9)],
  ];
  for (const [ns, n, offset] of spreads) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`);
    for (let i = 0; i < n; i++) {
      const name = `ev-${String(i).padStart(2, '0')}`;
      docs.push(`apiVersion: v1\nkind: Event\nmetadata: {name: ${name}, namespace: ${ns}}\ninvolvedObject: {apiVersion: v1, kind: ConfigMap, name: target, namespace: ${ns}}\nreason: R${i}\nmessage: event ${i}\ntype: Normal\nsource: {component: burst}\nfirstTimestamp: "${at(offset(i))}"\nlastTimestamp: "${at(offset(i))}"\ncount: 1`);
    }
    // get --sort-by on a field most objects share.
    for (let i = 0; i < 20; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${String(i).padStart(2, '0')}, namespace: ${ns}, labels: {k: "${i % 5 === 0 ? 'b' : 'a'}"}}`);
  }
  await c.hostedOk(['create', '-f', c.file('burst.yaml', docs.join('\n---\n'))]);
  // describe finds an object's events by its uid: a ConfigMap with 20 of them at one instant.
  const uid = (await c.hostedOk(['create', 'configmap', 'target', '-n', 'ties-all', '-o', 'jsonpath={.metadata.uid}'])).trim();
  const own = Array.from({ length: 20 }, (_, i) => `apiVersion: v1\nkind: Event\nmetadata: {name: own-${String(i).padStart(2, '0')}, namespace: ties-all}\ninvolvedObject: {apiVersion: v1, kind: ConfigMap, name: target, namespace: ties-all, uid: ${uid}}\nreason: Own${i}\nmessage: own ${i}\ntype: Normal\nsource: {component: burst}\nfirstTimestamp: "${at(0)}"\nlastTimestamp: "${at(i === 7 ? 1 : 0)}"\ncount: 1`);
  await c.hostedOk(['create', '-f', c.file('own.yaml', own.join('\n---\n'))]);
  for (const [ns] of spreads) {
    await same(['events', '-n', ns]);
    await same(['get', 'events', '-n', ns, '--sort-by=.lastTimestamp', '-o', 'custom-columns=NAME:.metadata.name']);
    await same(['get', 'configmaps', '-n', ns, '--sort-by=.metadata.labels.k', '-o', 'name']);
  }
  // Not in name order: the comparison above is not of two stable sorts.
  const names = (await c.kubectlAsync(['events', '-n', 'ties-all', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ');
  assert.notDeepEqual(names, [...names].sort(), names.join(' '));
  const describe = (out: string) => out.slice(out.indexOf('Events:'));
  const started = Date.now();
  const [k, s] = await c.bothClients(['describe', 'configmap', 'target', '-n', 'ties-all']);
  const took = Math.ceil((Date.now() - started) / 1000);
  assert.ok(equalUpToAges(describe(s.stdout), describe(k.stdout), Math.max(5, took + 1)), `kubesim:\n${describe(s.stdout)}\nkubectl:\n${describe(k.stdout)}`);
});

test('create VERB --dry-run=server -o json: the server\'s answer decoded into the Go struct (struct field order, zero fields), as kubectl prints it', async () => {
  // the server gives each dry run its own uid and stamps it now: those values aside, byte for byte
  const masked = (s: string) => s.replace(/"((controller-)?uid|batch\.kubernetes\.io\/controller-uid)": "[^"]*"/g, '"$1": "X"').replace(/"(creationTimestamp|time)": "[^"]*"/g, '"$1": "T"').replace(/kube-api-access-\w+/g, 'kube-api-access-X');
  for (const args of [
    ['deployment', 'dd', '--image=nginx'],
    ['configmap', 'dc', '--from-literal=a=b'],
    ['service', 'clusterip', 'ds', '--tcp=80:8080'],
    ['job', 'dj', '--image=busybox'],
    ['pdb', 'dp', '--selector=app=x', '--min-available=1'],
    ['ingress', 'di', '--rule=foo.com/bar=svc1:8080'],
    ['role', 'dr', '--verb=get', '--resource=pods'],
  ]) {
    const [k, s] = await c.bothClients(['create', ...args, '--dry-run=server', '-o', 'json']);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(masked(s.stdout), masked(k.stdout), args.join(' '));
    assert.match(k.stdout, /^\{\n {4}"kind": /, 'kind first, as TypeMeta has it');
  }
  const [k, s] = await c.bothClients(['run', 'dpod', '--image=nginx', '--dry-run=server', '-o', 'json']);
  assert.equal(masked(s.stdout), masked(k.stdout), 'run');
});

test('events -w: the existing events in key order with the heading, then each new one, one tabwriter remembering its widths', async () => {
  const ns = 'evw';
  await c.hostedOk(['create', 'namespace', ns]);
  await c.hostedOk(['create', 'deployment', 'first', '--image=nginx', '-n', ns]);
  await c.okAsync(['reconcile', '--until-stable']);
  const existing = (await c.hostedOk(['get', 'events', '-n', ns, '--no-headers'])).trim().split('\n').length;
  const lines = (s: string) => s.split('\n').length - 1;
  const k = c.started([KUBECTL, 'events', '-w', '-n', ns]);
  const s = c.started([process.execPath, BIN, 'events', '-w', '-n', ns]);
  try {
    await k.until((out) => lines(out) === existing + 1);
    await s.until((out) => lines(out) === existing + 1);
    // a change while both watch: printed by each, nothing re-sorted
    await c.hostedOk(['scale', 'deployment', 'first', '--replicas=2', '-n', ns]);
    await c.okAsync(['reconcile', '--until-stable']);
    // every event there is now, the heading line beside them, before the two are compared
    const all = (await c.hostedOk(['get', 'events', '-n', ns, '--no-headers'])).trim().split('\n').length;
    assert.ok(all > existing + 2, `${all} events after the scale, ${existing} before`);
    await k.until((out) => lines(out) === all + 1);
    await s.until((out) => lines(out) === all + 1);
    // `reconcile --until-stable` ran the cluster's clock ahead of this machine's, which kubectl
    // ages by (<invalid>): the rows compared without their LAST SEEN cell.
    const rows = (out: string) => out.split('\n').map((l) => l.split(/ {3,}/).slice(1).join('|'));
    assert.deepEqual(rows(s.out()), rows(k.out()), `kubesim:\n${s.out()}\nkubectl:\n${k.out()}`);
    assert.match(k.out(), /^LAST SEEN {3}TYPE {5}REASON/);
  } finally {
    k.child.kill();
    s.child.kill();
  }
});

test('drain --dry-run=server: the evictions in the order kubectl\'s goroutines print them (the last started first, with one P)', async () => {
  const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {drain: order}}
spec:
  nodeName: node-1
  containers: [{name: c, image: busybox:1.36, command: [sleep, "3600"]}]
`;
  c.ok(['apply', '-f', c.file('drain-order.yaml', ['d1', 'd2', 'd3'].map(pod).join('---\n'))]);
  await same(['drain', 'node-1', '--dry-run=server', '--force', '--ignore-daemonsets', '--pod-selector=drain=order']);
  const out = (await c.hosted(['drain', 'node-1', '--dry-run=server', '--force', '--ignore-daemonsets', '--pod-selector=drain=order'])).stdout;
  assert.deepEqual(out.split('\n').filter((l) => l.startsWith('evicting')).map((l) => l.split(' ')[2]), ['default/d3', 'default/d1', 'default/d2']);
  c.ok(['delete', 'pods', '-l', 'drain=order', '--grace-period=0', '--force']);
});
