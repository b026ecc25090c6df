// The real kubectl 1.32 against `kubesim serve`, for what earlier rounds left different (issue
// #11): each command's stdout, stderr and exit code equal kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
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
  // a Role whose file names no namespace keeps none (kubectl's Local() builder), -n or not: its
  // GET is at the cluster scope, then its namespace "" cannot be ensured
  const unplaced = c.file('role-unplaced.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: unplaced}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n');
  for (const n of [[], ['-n', 'recns-k']]) await c.refusedAlike(['auth', 'reconcile', '-f', unplaced, ...n], '', 'error: resource name may not be empty\n');
  const [kd, sd] = await c.bothClients(['auth', 'reconcile', '-f', unplaced, '--dry-run=client']);
  assert.deepEqual([kd.code, kd.stdout], [0, 'role.rbac.authorization.k8s.io/unplaced reconciled (dry run)\n'], kd.stderr);
  assert.deepEqual(sd, kd, 'dry run');
  assert.equal((await c.hosted(['get', 'roles', '-A', '-o', 'name'])).stdout.includes('unplaced'), false);
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

/**
 * One run of `args` by kubectl ('k') or kubesim ('s') with an editor that copies each file it
 * is handed to views/, then runs that pass's shell command on it ("$1"): what the run printed
 * (its temp file's path as TMP) and every file the editor saw.
 */
async function editedBy(client: 'k' | 's', run: string, args: string[], passes: string[]) {
  const dir = join(c.dir, 'edits', `${run}-${client}`);
  mkdirSync(join(dir, 'views'), { recursive: true });
  mkdirSync(join(dir, 'tmp'));
  const cases = passes.map((p, i) => `  ${i + 1}) ${p} ;;`).join('\n');
  const editor = c.file(`editor-${run}-${client}.sh`, `#!/bin/sh\nn=$(ls '${dir}/views' | wc -l); n=$((n+1))\ncp "$1" '${dir}/views/'view$n\ncase $n in\n${cases}\nesac\n`);
  chmodSync(editor, 0o755);
  const env = { EDITOR: editor, TMPDIR: join(dir, 'tmp') };
  const r = client === 'k' ? await c.kubectlAsync(args, { env }) : await c.kubesimAsync(args, { env });
  const views = readdirSync(join(dir, 'views')).sort().map((v) => readFileSync(join(dir, 'views', v), 'utf8'));
  return { ...r, stderr: r.stderr.replace(/"[^"]*\/kube(ctl|sim)-edit-\d+\.(yaml|json)"/g, '"TMP.$2"'), views };
}

/** kubectl and kubesim, one after the other, each given `args` with `name` (kubectl's) as its own object's. */
async function editedAlike(run: string, args: (name: string) => string[], passes: string[], names: [string, string] = ['la', 'la']) {
  const k = await editedBy('k', run, args(names[0]), passes);
  const s = await editedBy('s', run, args(names[1]), passes);
  assert.deepEqual(s, JSON.parse(JSON.stringify(k).replace(new RegExp(`\\b${names[0]}\\b`, 'g'), names[1])), `${run}: ${args(names[1]).join(' ')}`);
  return k;
}

test('apply edit-last-applied runs kubectl\'s edit loop (ApplyEditMode): a failed edit re-opens the file with the reasons, saved unchanged it ends with a copy kept; a fixed one is written', async () => {
  for (const n of ['elk', 'els', 'pyk', 'pys', 'mlk', 'mlk-b', 'mls', 'mls-b', 'la']) await c.kubectlAsync(['apply', '-f', c.file(`${n}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}}\ndata: {a: b}\n`)]);
  await c.kubectlAsync(['create', 'configmap', 'plain', '--from-literal=q=r']);
  const lastApplied = async (n: string) => (await c.kubectlAsync(['get', 'cm', n, '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}'])).stdout;
  const ELA = (n: string) => ['apply', 'edit-last-applied', `configmap/${n}`];
  const BREAK = `sed -i 's/^data:$/data: : x/' "$1"`;
  // a YAML syntax error is the validator's (yaml.ToJSON), saved again unchanged: cancelled
  const syntax = await editedAlike('syntax', ELA, [BREAK]);
  assert.equal(syntax.code, 1);
  assert.equal(syntax.stderr, 'error: configmaps "la" is invalid\nA copy of your changes has been stored to "TMP.yaml"\nerror: Edit cancelled, no valid changes were saved.\n');
  assert.match(syntax.views[1], /^# Please edit the 'last-applied-configuration' annotations below\.\n.*\n#\n# configmaps "la" was not valid:\n# \* <nil>: Invalid value: "The edited file failed validation": yaml: line 2: mapping values are not allowed in this context\n#\napiVersion: v1\ndata: : x\n/);
  // fixed on the second pass, with a change: written, on each client's own object
  const fixed = await editedAlike('fixed', ELA, [BREAK, `sed -i 's/^data: : x$/data:/; s/a: b/a: fixed/' "$1"`], ['elk', 'els']);
  assert.deepEqual([fixed.code, fixed.stdout, fixed.stderr], [0, 'configmap/elk edited\n', 'error: configmaps "elk" is invalid\n']);
  assert.equal(await lastApplied('els'), (await lastApplied('elk')).replace('elk', 'els'));
  assert.match(await lastApplied('elk'), /"a":"fixed"/);
  // -o yaml: the editing format, and the printer of what was edited (the configuration)
  const printed = await editedAlike('printed', (n) => [...ELA(n), '-o', 'yaml'], [`sed -i 's/a: b/a: printed/' "$1"`], ['pyk', 'pys']);
  assert.match(printed.stdout, /^apiVersion: v1\ndata:\n {2}a: printed\nkind: ConfigMap\n/);
  // `edit` runs the same loop: the validator's refusal of a syntax error is kubectl's
  await editedAlike('edit-syntax', (n) => ['edit', `configmap/${n}`], [BREAK]);
  // no apiVersion; an empty file; a kind the server does not serve (the builder's error, as a syntax error)
  await editedAlike('noversion', ELA, [`sed -i '/^apiVersion: v1$/d' "$1"`]);
  await editedAlike('empty', ELA, [': > "$1"']);
  const foo = await editedAlike('unknown-kind', ELA, [`sed -i 's/^kind: ConfigMap$/kind: Foo/' "$1"`]);
  assert.match(foo.views[1], /\n# The edited file had a syntax error: resource mapping not found for name: "la" namespace: "default" from "edited-file": no matches for kind "Foo" in version "v1"\n# ensure CRDs are installed first\n#\n/);
  // the patch goes to the name in the edited file: a missing one is the server's NotFound, the copy kept
  const renamed = await editedAlike('renamed', ELA, [`sed -i 's/^  name: la$/  name: nowhere/' "$1"`]);
  assert.deepEqual([renamed.code, renamed.stderr], [1, 'A copy of your changes has been stored to "TMP.yaml"\nError from server (NotFound): configmaps "nowhere" not found\n']);
  // JSON: no header; a JSON syntax error saved twice
  const json = await editedAlike('json', (n) => [...ELA(n), '-o', 'json'], [`sed -i 's/"a": "b"/"a": "b",,/' "$1"`]);
  assert.equal(json.code, 1);
  // several objects: a List of the configurations there are (plain has none); none at all is an error
  const several = await editedAlike('several', (n) => [...ELA(n), 'configmap/plain', `configmap/${n}-b`], [`sed -i 's/a: b/a: c/' "$1"`], ['mlk', 'mls']);
  assert.match(several.views[0], /\napiVersion: v1\nitems:\n- apiVersion: v1\n/);
  assert.deepEqual([several.code, several.stdout], [0, 'configmap/mlk edited\nconfigmap/mlk-b edited\n']);
  const none = await editedAlike('none', () => ELA('plain'), []);
  assert.deepEqual([none.code, none.stderr, none.views], [1, 'error: no last-applied-configuration annotation found on resources, to create the annotation, use command `kubectl apply set-last-applied --create-annotation`\n', []]);
});

test('rollout history -o and create token -o: the typed objects kubectl decodes (a ReplicaSet; a StatefulSet or DaemonSet with its ControllerRevision applied; a TokenRequest) in struct order', async () => {
  await c.hostedOk(['create', 'namespace', 'hist']);
  await c.hostedOk(['create', 'deployment', 'h', '--image=nginx', '-n', 'hist']);
  const template = (app: string) => `selector: {matchLabels: {app: ${app}}}\n  template:\n    metadata: {labels: {app: ${app}}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n`;
  await c.hostedOk(['apply', '-n', 'hist', '-f', c.file('hist.yaml', `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  ${template('s')}---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  ${template('d')}`)]);
  await c.okAsync(['reconcile', '--until-stable']);
  for (const w of ['deployment/h', 'statefulset/s', 'daemonset/d']) await c.hostedOk(['set', 'image', w, `${w === 'deployment/h' ? 'nginx' : 'c'}=nginx:1.27`, '-n', 'hist']);
  await c.okAsync(['reconcile', '--until-stable']);
  // The served cluster's kubelets and controllers run on: a ReplicaSet's status can move
  // between the two clients' reads (a clean-clone CI run saw readyReplicas land in between).
  // Compared once both read the same resourceVersions, within a deadline.
  const versions = (out: string) => [...out.matchAll(/resourceVersion"?: "?(\d+)/g)].map((m) => m[1]).join();
  for (const w of ['deployment/h', 'statefulset/s', 'daemonset/d']) {
    for (const args of [['-o', 'json'], ['--revision=1', '-o', 'json'], ['-o', 'yaml'], ['--revision=2', '-o', 'name']]) {
      for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 200))) {
        const [k, s] = await c.bothClients(['rollout', 'history', w, '-n', 'hist', ...args]);
        assert.equal(k.code, 0, k.stderr);
        if (versions(s.stdout) !== versions(k.stdout) && Date.now() < deadline) continue;
        assert.equal(s.stdout, k.stdout, `${w} ${args.join(' ')}`);
        break;
      }
    }
    // rollback's dry run describes the revision's template as history does: a plain buffer, tabs kept
    const [k, s] = await c.bothClients(['rollout', 'undo', w, '-n', 'hist', '--dry-run=client']);
    assert.equal(k.code, 0, k.stderr);
    assert.deepEqual(s, k, `${w} undo --dry-run=client`);
    // to the current revision: skipped, kubectl's restoring patch byte-equal to the ControllerRevision's data as served
    const [kc, sc] = await c.bothClients(['rollout', 'undo', w, '-n', 'hist', '--to-revision=2', '--dry-run=server']);
    assert.deepEqual([kc.code, kc.stdout], [0, `${w.replace('/', '.apps/')} skipped rollback (current template already matches revision 2) (server dry run)\n`], kc.stderr);
    assert.deepEqual(sc, kc, `${w} undo --to-revision=2 --dry-run=server`);
  }
  // the StatefulSet as it was at revision 1 (its image), not the ControllerRevision
  const [k1] = await c.bothClients(['rollout', 'history', 'statefulset/s', '-n', 'hist', '--revision=1', '-o', 'yaml']);
  assert.match(k1.stdout, /^apiVersion: apps\/v1\nkind: StatefulSet\n[^]*\n {6}- image: nginx\n/);
  assert.match((await c.bothClients(['rollout', 'undo', 'daemonset/d', '-n', 'hist', '--dry-run=client']))[0].stdout, /^daemonset\.apps\/d will roll back to Pod Template:\n {2}Labels:\tapp=d\n/);
  // Each token is new: its text, its times and its jti differ; the shape does not.
  const masked = (s: string) => s.replace(/"(token|creationTimestamp|expirationTimestamp)": "[^"]*"/g, '"$1": "X"');
  const [k, s] = await c.bothClients(['create', 'token', 'default', '-o', 'json']);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(masked(s.stdout), masked(k.stdout));
  assert.match(k.stdout, /^\{\n {4}"kind": "TokenRequest",\n {4}"apiVersion": "authentication\.k8s\.io\/v1",\n {4}"metadata": \{\n {8}"name": "default",/);
});

test('auth reconcile -o: the typed objects (`creationTimestamp: null` on one not yet created), rules missing and extra as Covers breaks them down, labels merged, a roleRef changed recreates, an opted-out object left alone', async () => {
  const doc = (kind: string, meta: string, rest: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata: {${meta}}\n${rest}`;
  const files = (ns: string) => ({
    existing: [
      doc('Role', `name: r1, namespace: ${ns}`, 'rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}, {apiGroups: [""], resources: [pods], verbs: [get]}]\n'),
      doc('RoleBinding', `name: b1, namespace: ${ns}`, 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: other}\nsubjects: [{kind: User, name: bob}]\n'),
      doc('RoleBinding', `name: b2, namespace: ${ns}, labels: {old: "1"}`, 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}\nsubjects: [{kind: User, name: jane}, {kind: ServiceAccount, name: sa, namespace: default}]\n'),
      doc('ClusterRole', `name: prot-${ns}, annotations: {rbac.authorization.kubernetes.io/autoupdate: "false"}`, 'rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n'),
      doc('ClusterRole', `name: wild-${ns}`, 'rules: [{apiGroups: ["*"], resources: ["*/status", deployments], verbs: ["*"], resourceNames: [a]}, {nonResourceURLs: ["/api/*"], verbs: [get]}]\n'),
      doc('ClusterRole', `name: agg-${ns}`, 'aggregationRule: {clusterRoleSelectors: [{matchLabels: {x: "y"}}]}\n'),
    ].join('---\n'),
    wanted: [
      doc('Role', `name: r1, namespace: ${ns}`, 'rules: [{apiGroups: [""], resources: [pods, configmaps], verbs: [get, list]}]\n'),
      doc('RoleBinding', `name: b1, namespace: ${ns}`, 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}\nsubjects: [{kind: User, name: jane}]\n'),
      // the server defaulted the existing subject's apiGroup: the file's, without one, is another subject
      doc('RoleBinding', `name: b2, namespace: ${ns}, labels: {old: "2", new: "x"}, annotations: {a: b}`, 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}\nsubjects: [{kind: User, name: jane}, {kind: Group, name: g, apiGroup: rbac.authorization.k8s.io}, {kind: Group, name: g, apiGroup: rbac.authorization.k8s.io}]\n'),
      doc('RoleBinding', `name: new, namespace: ${ns}`, 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}\nsubjects: [{kind: User, name: jane}]\n'),
      doc('ClusterRole', `name: prot-${ns}`, 'rules: [{apiGroups: [""], resources: [pods, secrets], verbs: [get]}]\n'),
      doc('ClusterRole', `name: wild-${ns}, labels: {tier: "1"}`, 'rules: [{apiGroups: [apps, ""], resources: [deployments/status, deployments, pods], verbs: [get, patch], resourceNames: [a, b]}, {nonResourceURLs: ["/api/v1", "/healthz"], verbs: [get]}]\n'),
      doc('ClusterRole', `name: agg-${ns}`, 'aggregationRule: {clusterRoleSelectors: [{matchLabels: {x: "z"}}]}\n'),
      doc('ClusterRole', `name: fresh-${ns}`, 'rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n'),
    ].join('---\n'),
  });
  for (const ns of ['reck', 'recs']) {
    await c.hostedOk(['create', 'namespace', ns]);
    await c.hostedOk(['create', '-f', c.file(`rec-existing-${ns}.yaml`, files(ns).existing)]);
    c.file(`rec-wanted-${ns}.yaml`, files(ns).wanted);
  }
  const wanted = (ns: string) => join(c.dir, `rec-wanted-${ns}.yaml`);
  for (const flags of [[], ['--remove-extra-permissions', '--remove-extra-subjects']]) {
    for (const output of ['yaml', 'json']) {
      const [k, s] = await c.bothClients(['auth', 'reconcile', '-f', wanted('reck'), '--dry-run=client', '-o', output, ...flags]);
      assert.equal(k.code, 0, k.stderr);
      assert.deepEqual(s, k, `--dry-run=client -o ${output} ${flags.join(' ')}`);
    }
  }
  // the writes, each client on its own copy: what the server returned
  const k = await c.kubectlAsync(['auth', 'reconcile', '-f', wanted('reck'), '-o', 'yaml']);
  const s = await c.hosted(['auth', 'reconcile', '-f', wanted('recs'), '-o', 'yaml']);
  const masked = (r: typeof k) => [r.code, r.stdout.replace(/(uid|creationTimestamp|resourceVersion): .*\n/g, '$1: X\n'), r.stderr].map((x) => String(x).replace(/\brec[ks]\b/g, 'NS'));
  assert.equal(k.code, 0, k.stderr);
  assert.deepEqual(masked(s), masked(k));
  assert.match(k.stderr, /\n\tmissing rules added:\n\t\t\{Verbs:\[list\] APIGroups:\[\] Resources:\[pods\] ResourceNames:\[\] NonResourceURLs:\[\]\}\n/);
  assert.match(k.stderr, /\treconciliation required update, but object opted out \(rbac\.authorization\.kubernetes\.io\/autoupdate: false\)\n/);
  const [kd] = await c.bothClients(['auth', 'reconcile', '-f', c.file('rec-fresh.yaml', doc('Role', 'name: fresh, namespace: reck', 'rules: []\n')), '--dry-run=client', '-o', 'yaml']);
  assert.match(kd.stdout, /^apiVersion: rbac\.authorization\.k8s\.io\/v1\nkind: Role\nmetadata:\n {2}creationTimestamp: null\n {2}name: fresh\n/);
});
