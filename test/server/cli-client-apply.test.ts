// apply --server-side and apply --prune as clients of the cluster's daemon: an apply patch
// (PATCH application/apply-patch+yaml), a list and DELETE for the prune, printing, exiting
// and writing what the in-process path (KUBESIM_NO_DAEMON=1) does. And the verbs that
// change what they read (label, set, taint, cordon, client-side apply) send the PATCH
// kubectl 1.32 sends: its method, query, Content-Type and body, byte for byte (-v=8); so do
// scale, patch --subresource, edit --subresource and rollout pause/resume/restart, request
// for request.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ServedCluster } from './harness';
import type { RunResult } from '../e2e/helpers';

const c = new ServedCluster('cla');
const viaDaemon = (args: string[]) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '' } });
const inProcess = (args: string[]) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '1' } });

// A custom resource kind (its patches are JSON merge patches).
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.org}
spec:
  group: example.org
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg]}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const cm = (name: string, data: string, labels = '{team: a}') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, labels: ${labels}}\ndata: {${data}}\n`;
const widget = (name: string, size: string) => `apiVersion: example.org/v1alpha1\nkind: Widget\nmetadata: {name: ${name}, labels: {team: a}}\nspec: {size: ${size}, keep: true}\n`;

const FILES: Record<string, string> = {
  'cms.yaml': `${cm('c1', 'k: "1"')}---\n${cm('c2', 'k: "2"')}`,
  'cms-changed.yaml': `${cm('c1', 'k: "10"', '{team: b}')}---\n${cm('c2', 'k: "2"')}`,
  'only-c1.yaml': cm('c1', 'k: "1"'),
  'widget.yaml': widget('w1', 'small'),
  'widget-changed.yaml': widget('w1', 'big').replace(', keep: true', ''),
  'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sd}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: sd}}\n  template:\n    metadata: {labels: {app: sd}}\n    spec: {containers: [{name: c, image: nginx}]}\n',
};

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  for (const [name, text] of Object.entries(FILES)) c.file(name, text);
  const nsDocs = ['ssa-d', 'ssa-l', 'prn-d', 'prn-l', 'wk', 'ws', 'sk', 'ss', 'mf', 'pka', 'psa'].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}\n`).join('---\n');
  const r = viaDaemon(['create', '-f', c.file('setup.yaml', `${nsDocs}---\n${CRD}`)]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => c.stop());

const port = () => new URL(c.url).port;
/** The request lines -v=6 logged: `METHOD path?query status`. */
const requests = (r: RunResult) => [...r.stderr.matchAll(/\] (GET|PUT|POST|PATCH|DELETE) https:\/\/127\.0\.0\.1:(\d+)(\S+) (\d+ [\w ]+?) in \d+ milliseconds$/gm)].map((m) => `${m[1]} ${m[3]} ${m[4]}`);
// -v=6's request log dropped; a warning's klog header (time, pid) made comparable (apply --prune's prune.go:71).
const withoutLog = (s: string) => s.replace(/^I\d{4} .*\n/gm, '').replace(/^([WEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, '$1 ');

/** Runs each step through the daemon (with -v=6) in one namespace and in-process in another: the same stdout, stderr (less the log) and exit code, then the same objects. */
function compareSides(steps: string[][], objects: string[], nsD: string, nsL: string): string[][] {
  const logged: string[][] = [];
  for (const step of steps) {
    const args = (ns: string) => [...step.map((a) => (a in FILES ? join(c.dir, a) : a)), '-n', ns];
    const d = viaDaemon([...args(nsD), '-v=6']);
    const l = inProcess([...args(nsL), '-v=6']);
    assert.doesNotMatch(l.stderr, /round_trippers/, `in-process ${step.join(' ')} sent a request`);
    const norm = (r: RunResult, ns: string) => [r.code, r.stdout, withoutLog(r.stderr)].map((x) => String(x).replaceAll(ns, 'NS'));
    assert.deepEqual(norm(d, nsD), norm(l, nsL), step.join(' '));
    logged.push(requests(d).map((line) => line.replaceAll(nsD, 'NS')));
  }
  const state = (ns: string) => {
    const r = viaDaemon(['get', ...objects, '-n', ns, '-o', 'json', '--ignore-not-found', '--show-managed-fields']);
    assert.equal(r.code, 0, r.stderr);
    // The namespace named in last-applied annotations as NS.
    const text = r.stdout.replaceAll(`\\"namespace\\":\\"${ns}\\"`, '\\"namespace\\":\\"NS\\"');
    const items = text.trim() ? ((JSON.parse(text) as { items?: any[] }).items ?? [JSON.parse(text)]) : [];
    return items.map((o) => ({
      name: o.metadata.name,
      labels: o.metadata.labels,
      annotations: o.metadata.annotations,
      managers: (o.metadata.managedFields ?? []).map((f: Record<string, unknown>) => ({ ...f, time: undefined })),
      data: o.data,
      spec: o.spec,
    }));
  };
  assert.deepEqual(state(nsD), state(nsL));
  return logged;
}

test('apply --server-side through the daemon sends apply patches and prints, exits and writes what the in-process path does, conflicts included', () => {
  const logged = compareSides(
    [
      ['apply', '--server-side', '-f', 'cms.yaml'],
      ['apply', '--server-side', '-f', 'cms-changed.yaml', '--field-manager=other'],
      ['apply', '--server-side', '-f', 'cms-changed.yaml', '--field-manager=other', '--force-conflicts', '--dry-run=server'],
      ['apply', '--server-side', '-f', 'cms-changed.yaml', '--field-manager=other', '--force-conflicts', '-o', 'name'],
      ['apply', '--server-side', '-f', 'widget.yaml'],
    ],
    ['cm/c1', 'cm/c2', 'wdg/w1'],
    'ssa-d',
    'ssa-l',
  );
  const patches = logged.map((lines) => lines.filter((l) => l.startsWith('PATCH')));
  assert.deepEqual(patches[0], [
    'PATCH /api/v1/namespaces/NS/configmaps/c1?fieldManager=kubectl&fieldValidation=Strict&force=false 201 Created',
    'PATCH /api/v1/namespaces/NS/configmaps/c2?fieldManager=kubectl&fieldValidation=Strict&force=false 201 Created',
  ]);
  // The first document conflicts (kubectl's error and advice, exit 1); the second co-owns its unchanged values.
  assert.deepEqual(patches[1], [
    'PATCH /api/v1/namespaces/NS/configmaps/c1?fieldManager=other&fieldValidation=Strict&force=false 409 Conflict',
    'PATCH /api/v1/namespaces/NS/configmaps/c2?fieldManager=other&fieldValidation=Strict&force=false 200 OK',
  ]);
  assert.equal(patches[2][0], 'PATCH /api/v1/namespaces/NS/configmaps/c1?dryRun=All&fieldManager=other&fieldValidation=Strict&force=true 200 OK');
  assert.equal(patches[3][0], 'PATCH /api/v1/namespaces/NS/configmaps/c1?fieldManager=other&fieldValidation=Strict&force=true 200 OK');
  assert.deepEqual(patches[4], ['PATCH /apis/example.org/v1alpha1/namespaces/NS/widgets/w1?fieldManager=kubectl&fieldValidation=Strict&force=false 201 Created']);
  const conflict = viaDaemon(['apply', '--server-side', '-f', join(c.dir, 'cms.yaml'), '--field-manager=third', '-n', 'ssa-d']);
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /^error: Apply failed with 2 conflicts: conflicts with "other":\n- \.data\.k\n- \.metadata\.labels\.team\nPlease review the fields above--they currently have other managers\./);
});

test('apply --prune through the daemon lists and deletes as kubectl does, printing, exiting and leaving what the in-process path does', () => {
  const logged = compareSides(
    [
      ['apply', '-f', 'cms.yaml'],
      ['apply', '--prune', '-f', 'only-c1.yaml'],
      ['apply', '--prune', '-f', 'only-c1.yaml', '--prune-allowlist=nope'],
      ['apply', '--prune', '-l', 'team=a', '-f', 'only-c1.yaml', '--dry-run=server'],
      ['apply', '--prune', '-l', 'team=a', '-f', 'only-c1.yaml'],
      ['apply', '-f', 'cms.yaml'],
      ['apply', '--prune', '--all', '--prune-allowlist=core/v1/ConfigMap', '-f', 'only-c1.yaml', '-o', 'name'],
    ],
    ['cm/c1', 'cm/c2'],
    'prn-d',
    'prn-l',
  );
  // As kubectl: each type listed, and its candidates deleted before the next list.
  assert.deepEqual(logged[4].filter((l) => !l.startsWith('GET /api/v1/namespaces/NS/configmaps/c1 ')), [
    'GET /api/v1/namespaces/NS/configmaps?labelSelector=team%3Da 200 OK',
    'DELETE /api/v1/namespaces/NS/configmaps/c2 200 OK',
    ...['endpoints', 'persistentvolumeclaims', 'pods', 'replicationcontrollers', 'secrets', 'services'].map((r) => `GET /api/v1/namespaces/NS/${r}?labelSelector=team%3Da 200 OK`),
    ...['batch/v1/namespaces/NS/jobs', 'batch/v1/namespaces/NS/cronjobs', 'networking.k8s.io/v1/namespaces/NS/ingresses', 'apps/v1/namespaces/NS/daemonsets', 'apps/v1/namespaces/NS/deployments', 'apps/v1/namespaces/NS/replicasets', 'apps/v1/namespaces/NS/statefulsets'].map((p) => `GET /apis/${p}?labelSelector=team%3Da 200 OK`),
    'GET /api/v1/namespaces?labelSelector=team%3Da 200 OK',
    'GET /api/v1/persistentvolumes?labelSelector=team%3Da 200 OK',
  ]);
  assert.deepEqual(logged[6].filter((l) => !l.includes('/configmaps/c1')), ['GET /api/v1/namespaces/NS/configmaps 200 OK', 'DELETE /api/v1/namespaces/NS/configmaps/c2 200 OK']);
  // The allowlist is resolved first, as kubectl's ToOptions does: before --all is looked at and the files are read.
  const nope = ['apply', '-f', '/nonexistent.yaml', '--prune', '--prune-allowlist=core/v1/Nope'];
  const k = c.kubectl(nope);
  assert.deepEqual([k.code, k.stderr], [1, 'error: no matches for kind "Nope" in version "v1"\n']);
  for (const run of [viaDaemon, inProcess]) assert.deepEqual(run(nope), k);
  const gone = viaDaemon(['get', 'cm', '-n', 'prn-d', '-o', 'name']);
  assert.equal(gone.stdout, 'configmap/c1\nconfigmap/kube-root-ca.crt\n');
});

/** The PATCH a -v=8 log shows: its path and query (namespace and taint key as NS), Content-Type and body. */
function sentPatch(r: RunResult, ns: string): string[] {
  assert.equal(r.code, 0, r.stderr);
  const bodies = [...r.stderr.matchAll(/"Request Body" body=(".+")$/gm)].map((m) => m[1]);
  const types = [...r.stderr.matchAll(/round_trippers\.go:480\]\s+Content-Type: (\S+)$/gm)].map((m) => m[1]);
  const urls = [...r.stderr.matchAll(/\] PATCH https:\/\/[^/]+(\S+)/gm)].map((m) => m[1]);
  assert.equal(urls.length, 1, r.stderr);
  return [urls[0], types.at(-1)!, bodies.at(-1)!].map((s) => s.replaceAll(ns, 'NS'));
}

test('label, annotate, set, taint, cordon and client-side apply through the daemon send the PATCH kubectl 1.32 sends (-v=8)', () => {
  for (const ns of ['wk', 'ws']) {
    for (const f of ['cms.yaml', 'widget.yaml', 'deploy.yaml']) assert.equal(viaDaemon(['apply', '-f', join(c.dir, f), '-n', ns]).code, 0);
  }
  const node = viaDaemon(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
  const cmds = [
    ['label', 'cm', 'c1', 'x=y', 'team-'],
    ['annotate', 'cm', 'c1', 'note=hi', '--dry-run=server'],
    ['set', 'image', 'deploy/sd', 'c=nginx:2'],
    ['apply', '-f', join(c.dir, 'cms-changed.yaml')],
    ['apply', '-f', join(c.dir, 'widget-changed.yaml')],
    ['taint', 'nodes', node, 'NS=v:NoSchedule'],
    ['taint', 'nodes', node, 'NS-'],
    ['cordon', node],
    ['uncordon', node],
  ];
  const kubectl = cmds.map((args) => sentPatch(c.kubectl([...args.map((a) => a.replace(/^NS/, 'wk')), '-n', 'wk', '-v=8']), 'wk'));
  const kubesim = cmds.map((args) => sentPatch(viaDaemon([...args.map((a) => a.replace(/^NS/, 'ws')), '-n', 'ws', '-v=8']), 'ws'));
  assert.deepEqual(kubesim, kubectl);
  // What each sends: a JSON merge patch for label/annotate and custom resources, else a strategic merge patch.
  assert.deepEqual(kubesim.map((p) => p[1].replace('application/', '')), ['merge-patch+json', 'merge-patch+json', 'strategic-merge-patch+json', 'strategic-merge-patch+json', 'merge-patch+json', ...Array(4).fill('strategic-merge-patch+json')]);
});

/**
 * The requests of a -v=8 log, in order (`METHOD path?query`, the object's own ones: discovery
 * left out), each write's Content-Type and body (parsed; a Scale's identity and status, which
 * differ between namespaces, left out), with the namespace as NS and times as TIME.
 */
function sentRequests(r: RunResult, ns: string): { requests: string[]; writes: unknown[] } {
  const norm = (s: string) => s.replaceAll(ns, 'NS').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIME');
  const requests = [...r.stderr.matchAll(/round_trippers\.go:\d+\] (GET|PUT|POST|PATCH|DELETE) https:\/\/[^/]+(\S+)/gm)].map((m) => norm(`${m[1]} ${m[2]}`)).filter((l) => l.includes('/namespaces/NS/'));
  // Each body with the request's Content-Type, logged after it and before the next body (none: kubectl's scale client PUTs its JSON with no Content-Type).
  const chunks = r.stderr.split(/^(?=.*"Request Body" body=)/m).slice(1);
  const writes = chunks.flatMap((chunk) => {
    // kubectl logs a long body on lines of its own (`body=<`), a short one quoted.
    const m = /"Request Body" body=(?:(".*")$|<\n\t(.*)\n >$)/m.exec(chunk)!;
    const b = (m[1] !== undefined ? JSON.parse(m[1]) : m[2]) as string;
    if (b === '') return [];
    const body = JSON.parse(norm(b));
    if (body.kind === 'Scale') {
      body.metadata = { name: body.metadata.name, namespace: body.metadata.namespace };
      delete body.status;
    }
    return [[/round_trippers\.go:480\]\s+Content-Type: (\S+)$/m.exec(chunk)?.[1] ?? 'none', body]];
  });
  return { requests, writes };
}

test('scale, patch and edit --subresource, and rollout pause/resume/restart through the daemon send the requests kubectl 1.32 sends and print what it prints (-v=8)', () => {
  for (const ns of ['sk', 'ss']) assert.equal(viaDaemon(['apply', '-f', join(c.dir, 'deploy.yaml'), '-n', ns]).code, 0);
  const cmds = [
    // No precondition: one JSON merge patch of the Scale; the object printed is the one read before it.
    ['scale', 'deploy', 'sd', '--replicas=2', '-o', 'jsonpath={.spec.replicas}'],
    // A precondition: the Scale read, checked and PUT back.
    ['scale', 'deploy/sd', '--replicas=3', '--current-replicas=2'],
    ['scale', 'deploy', 'sd', '--replicas=0', '--dry-run=server', '-o', 'name'],
    // The Scale read and patched (a strategic merge patch by default), and printed.
    ['patch', 'deploy', 'sd', '--subresource=scale', '-p', '{"spec":{"replicas":1}}', '-o', 'jsonpath={.kind} {.spec.replicas}'],
    ['patch', 'deploy', 'sd', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":0}}'],
    ['patch', 'deploy', 'sd', '--subresource=status', '--type=merge', '-p', '{"status":{"collisionCount":1}}'],
    ['rollout', 'pause', 'deploy/sd'],
    ['rollout', 'resume', 'deploy/sd'],
    ['rollout', 'restart', 'deploy/sd'],
    // An editor that changes nothing: only the subresource is read.
    ['edit', 'deploy/sd', '--subresource=status'],
  ];
  const env = { EDITOR: 'true' };
  for (const args of cmds) {
    const k = c.kubectl([...args, '-n', 'sk', '-v=8'], { env });
    const s = c.kubesim([...args, '-n', 'ss', '-v=8'], { env: { ...env, KUBESIM_NO_DAEMON: '' } });
    assert.deepEqual([s.code, s.stdout.replaceAll('ss', 'NS')], [k.code, k.stdout.replaceAll('sk', 'NS')], args.join(' '));
    assert.deepEqual(sentRequests(s, 'ss'), sentRequests(k, 'sk'), args.join(' '));
  }
  // What was sent: kubectl's PATCH of the scale subresource, with no field manager named (the server names it by the user agent: kubectl).
  const scaled = c.kubesim(['scale', 'deploy', 'sd', '--replicas=2', '-n', 'ss', '-v=8'], { env: { KUBESIM_NO_DAEMON: '' } });
  assert.deepEqual(sentRequests(scaled, 'ss'), { requests: ['GET /apis/apps/v1/namespaces/NS/deployments/sd', 'PATCH /apis/apps/v1/namespaces/NS/deployments/sd/scale'], writes: [['application/merge-patch+json', { spec: { replicas: 2 } }]] });
  const put = c.kubesim(['scale', 'deploy', 'sd', '--replicas=1', '--current-replicas=2', '-n', 'ss', '-v=8'], { env: { KUBESIM_NO_DAEMON: '' } });
  assert.deepEqual(sentRequests(put, 'ss').writes, [['none', { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'sd', namespace: 'NS' }, spec: { replicas: 1 } }]]);
  const managers = c.kubectl(['get', 'deploy', 'sd', '-n', 'ss', '-o', 'jsonpath={.metadata.managedFields[?(@.subresource=="scale")].manager}']);
  assert.equal(managers.stdout, 'kubectl');
});

test('get prints managedFields as kubectl does: jsonpath, go-template, custom-columns and watch events keep them, json and yaml omit them unless --show-managed-fields', () => {
  assert.equal(c.kubectl(['create', 'cm', 'mf1', '--from-literal=k=v', '-n', 'mf']).code, 0);
  const cmds = [
    ['-o', 'jsonpath={.metadata.managedFields[0].manager}'],
    ['-o', 'go-template={{range .metadata.managedFields}}{{.manager}} {{.operation}}{{end}}'],
    ['-o', 'custom-columns=M:.metadata.managedFields[0].manager'],
    ['-o', 'json'],
    ['-o', 'yaml'],
    ['-o', 'yaml', '--show-managed-fields'],
    ['-w', '--output-watch-events', '-o', 'json', '--request-timeout=1s'],
    ['-w', '--output-watch-events', '-o', 'yaml', '--request-timeout=1s'],
  ];
  for (const args of cmds) {
    const all = ['get', 'cm', 'mf1', '-n', 'mf', ...args];
    const k = c.kubectl(all);
    assert.equal(k.code, 0, k.stderr);
    for (const run of [viaDaemon, inProcess]) {
      const r = run(all);
      assert.deepEqual([r.code, r.stdout], [0, k.stdout], all.join(' '));
    }
  }
  assert.equal(c.kubectl(['get', 'cm', 'mf1', '-n', 'mf', '-o', 'jsonpath={.metadata.managedFields[0].manager}']).stdout, 'kubectl-create');
});

test('patch through the daemon sends no fieldValidation, as kubectl 1.32: unknown fields are dropped with a warning (the server\'s Warn), on both paths', () => {
  for (const ns of ['pka', 'psa']) assert.equal(c.kubectl(['create', 'cm', 'p1', '--from-literal=k=v', '-n', ns]).code, 0);
  const cmds = [
    ['patch', 'cm', 'p1', '-p', '{"data":{"k":"a"}}'],
    ['patch', 'cm', 'p1', '--type=merge', '-p', '{"data":{"k":"b"},"foo":1,"metadata":{"bar":2}}'],
    ['patch', 'cm', 'p1', '--type=json', '-p', '[{"op":"add","path":"/foo","value":1}]'],
    ['patch', 'cm', 'p1', '-p', '{"data":{"k":"c"},"foo":1}'],
    // Nothing but an unknown field: nothing written (kube-apiserver's update of identical content keeps the resourceVersion).
    ['patch', 'cm', 'p1', '-p', '{"foo":1}'],
  ];
  const sent = (r: RunResult, ns: string) => requests(r).filter((l) => l.startsWith('PATCH')).map((l) => l.replaceAll(ns, 'NS'));
  for (const args of cmds) {
    const k = c.kubectl([...args, '-n', 'pka', '-v=6']);
    const d = viaDaemon([...args, '-n', 'psa', '-v=6']);
    assert.deepEqual([d.code, d.stdout, withoutLog(d.stderr)], [k.code, k.stdout, withoutLog(k.stderr)], args.join(' '));
    assert.deepEqual(sent(d, 'psa'), sent(k, 'pka'), args.join(' '));
  }
  assert.deepEqual(sent(c.kubectl([...cmds[1], '-n', 'pka', '-v=6']), 'pka'), ['PATCH /api/v1/namespaces/NS/configmaps/p1?fieldManager=kubectl-patch 200 OK']);
  for (const run of [viaDaemon, inProcess]) assert.deepEqual(run([...cmds[4], '-n', 'psa']), { code: 0, stdout: 'configmap/p1 patched (no change)\n', stderr: 'Warning: unknown field "foo"\n' });
  // In-process: the same warnings, output and object.
  const l = inProcess([...cmds[1].slice(0, -1), '{"data":{"k":"d"},"foo":1,"metadata":{"bar":2}}', '-n', 'psa']);
  assert.deepEqual([l.code, l.stdout, l.stderr], [0, 'configmap/p1 patched\n', 'Warning: unknown field "foo"\nWarning: unknown field "metadata.bar"\n']);
  const data = (ns: string) => JSON.parse(c.kubectl(['get', 'cm', 'p1', '-n', ns, '-o', 'json']).stdout).data;
  assert.deepEqual(data('psa'), { k: 'd' });
});

test('an int64 past 2^53 keeps its digits whether the CLI writes in-process or through the daemon, and either reads it back', () => {
  const ns = c.file('bigint-ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: bigint}\n');
  assert.equal(inProcess(['create', '-f', ns]).code, 0);
  // 2^53+7 is not a double: any float64 on the way would change its digits.
  const pod = c.file('bigint-pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: bigint}\nspec:\n  activeDeadlineSeconds: 9007199254740999\n  containers: [{name: c, image: nginx}]\n');
  const created = inProcess(['apply', '-f', pod]);
  assert.equal(created.stdout, 'pod/p created\n', created.stderr);
  const deadline = ['get', 'pod', 'p', '-n', 'bigint', '-o', 'jsonpath={.spec.activeDeadlineSeconds}'];
  assert.equal(inProcess(deadline).stdout, '9007199254740999');
  assert.equal(viaDaemon(deadline).stdout, '9007199254740999');
  assert.equal(viaDaemon(['apply', '-f', pod]).stdout, 'pod/p unchanged\n');
  // A custom resource's unstructured ints too, written through the daemon by server-side apply.
  const w = c.file('bigint-widget.yaml', 'apiVersion: example.org/v1alpha1\nkind: Widget\nmetadata: {name: w, namespace: bigint}\nspec: {size: 9223372036854775807, low: -9223372036854775808}\n');
  const applied = viaDaemon(['apply', '--server-side', '-f', w]);
  assert.equal(applied.stdout, 'widget.example.org/w serverside-applied\n', applied.stderr);
  const json = inProcess(['get', 'widget', 'w', '-n', 'bigint', '-o', 'json']).stdout;
  assert.match(json, /"size": 9223372036854775807,?\n/);
  assert.match(json, /"low": -9223372036854775808,?\n/);
  assert.equal(c.kubectl(['get', 'widget', 'w', '-n', 'bigint', '-o', 'jsonpath={.spec.size} {.spec.low}']).stdout, '9223372036854775807 -9223372036854775808');
});
