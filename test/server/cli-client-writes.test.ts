// The write verbs (apply, create, label, annotate, scale, ...) as clients of the cluster's
// daemon: with the daemon serving they send POST/PUT/PATCH requests and print exactly what
// the in-process path (KUBESIM_NO_DAEMON=1) prints on the same cluster, with the same exit
// code, and leave the same objects behind. Each side's commands run in a long-lived CLI host
// (test/helpers/cli-host.ts: the CLI's own `run`, as bin/kubesim calls it): ~700 commands
// were a process each and most of this file's CPU time; the tests of the REST requests
// themselves and of delete --wait run bin/kubesim as a user does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ServedCluster } from './harness';
import { ROOT, type RunResult } from '../e2e/helpers';
import { CliHost } from '../helpers/cli-host';

const c = new ServedCluster('clw');
const daemonHost = new CliHost({ cwd: ROOT, env: c.env({ KUBESIM_NO_DAEMON: '' }) });
const localHost = new CliHost({ cwd: ROOT, env: c.env({ KUBESIM_NO_DAEMON: '1' }) });
/** A command through the daemon's REST API, or in-process (KUBESIM_NO_DAEMON=1): in a host, or spawned (bin/kubesim). */
const viaDaemon = (args: string[], stdin?: string) => daemonHost.run(args, { stdin });
const inProcess = (args: string[], stdin?: string) => localHost.run(args, { stdin });
const spawnedViaDaemon = (args: string[], stdin?: string) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '' }, stdin });
const spawnedInProcess = (args: string[], stdin?: string) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '1' }, stdin });

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`;

const cm = (name: string, data: string, labels = '{team: a}') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, labels: ${labels}}\ndata: {${data}}\n`;

/** The manifests the cases use (no namespace: each side of each case has its own, by -n), written into the test's folder. */
const FILES: Record<string, string> = {
  'cms.yaml': `${cm('c1', 'k: "1"')}---\n${cm('c2', 'k: "2"')}`,
  'cms-changed.yaml': `${cm('c1', 'k: "10"', '{team: b}')}---\n${cm('c2', 'k: "2"')}`,
  'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sd}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: sd}}\n  template:\n    metadata: {labels: {app: sd}}\n    spec: {containers: [{name: c, image: nginx}]}\n',
  'gadget.yaml': 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: small}\n',
  // One good document and one the server refuses (422: a name no ConfigMap may have).
  'mixed.yaml': `${cm('c1', 'k: "1"')}---\n${cm('Bad_Name', 'k: v')}`,
  'unknown-field.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1}\nbogus: 1\n',
  // A resourceVersion older than any live object's: a PUT precondition that fails (Conflict).
  'stale.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, resourceVersion: "1"}\ndata: {k: "9"}\n',
  // A suspended CronJob: a pod template no controller writes to, so both sides' objects stay comparable.
  'cronjob.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  schedule: "0 0 1 1 *"\n  suspend: true\n  jobTemplate:\n    spec:\n      template:\n        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}\n',
};

interface Case {
  /** A manifest applied before each side runs the command. */
  make?: string;
  /** The command; `NS` stands for the side's own namespace. */
  args: string[];
  stdin?: string;
  /** The objects compared afterwards. */
  objects?: string[];
}

/** Every case, by verb; each case runs once per side, each side in a namespace of its own. */
const CASES: Record<string, Case[]> = {
  apply: [
    { args: ['apply', '-f', 'cms.yaml', '-n', 'NS'], objects: ['cm/c1', 'cm/c2'] },
    { make: 'cms.yaml', args: ['apply', '-f', 'cms-changed.yaml', '-n', 'NS'], objects: ['cm/c1', 'cm/c2'] },
    { make: 'cms.yaml', args: ['apply', '-f', 'cms-changed.yaml', '-n', 'NS', '--dry-run=server', '-o', 'name'], objects: ['cm/c1'] },
    { args: ['apply', '-f', '-', '-n', 'NS'], stdin: FILES['deploy.yaml'], objects: ['deploy/sd'] },
    { args: ['apply', '-f', 'gadget.yaml', '-n', 'NS'], objects: ['gadgets/g1'] },
    { args: ['apply', '-f', 'mixed.yaml', '-n', 'NS'], objects: ['cm/c1'] },
    { args: ['apply', '-f', 'cms.yaml', '-n', 'nons'] },
    { args: ['apply', '-f', 'unknown-field.yaml', '-n', 'NS'], objects: ['cm/c1'] },
  ],
  create: [
    { make: 'cms.yaml', args: ['create', '-f', 'cms-changed.yaml', '-n', 'NS', '--save-config'], objects: ['cm/c1'] },
    { args: ['create', '-f', 'mixed.yaml', '-n', 'NS', '--dry-run=server', '-o', 'name'], objects: ['cm/c1'] },
    { args: ['create', '-f', 'gadget.yaml', '-n', 'NS', '-o', 'name'], objects: ['gadgets/g1'] },
    { args: ['create', 'configmap', 'c1', '-n', 'NS', '--from-literal=a=b'], objects: ['cm/c1'] },
    { make: 'cms.yaml', args: ['create', 'configmap', 'c1', '-n', 'NS'], objects: ['cm/c1'] },
    { args: ['create', 'configmap', 'Bad_Name', '-n', 'NS'] },
    { args: ['create', 'deployment', 'sd', '-n', 'NS', '--image=nginx', '--replicas=2'], objects: ['deploy/sd'] },
  ],
  label: [
    { make: 'cms.yaml', args: ['label', 'cm', 'c1', 'c2', 'x=y', 'team=b', '-n', 'NS'], objects: ['cm/c1', 'cm/c2'] },
    { make: 'cms.yaml', args: ['label', 'cm', '-l', 'team=a', 'team=b', 'nope-', '--overwrite', '-n', 'NS', '-o', 'name'], objects: ['cm/c1', 'cm/c2'] },
    { make: 'cms.yaml', args: ['label', 'cm', 'c1', 'z=1', '--resource-version=1', '-n', 'NS'], objects: ['cm/c1'] },
    { make: 'cms.yaml', args: ['label', 'cm', 'c1', 'nope', 'z=1', '--dry-run=server', '-n', 'NS'], objects: ['cm/c1'] },
    { make: 'gadget.yaml', args: ['label', 'gadget', 'g1', 'z=1', '-n', 'NS'], objects: ['gadgets/g1'] },
    { make: 'cms.yaml', args: ['annotate', '-f', 'cms.yaml', 'note=hi', '-n', 'NS'], objects: ['cm/c1', 'cm/c2'] },
  ],
  patch: [
    { make: 'cms.yaml', args: ['patch', 'cm', 'c1', '-n', 'NS', '-p', '{"data":{"k":"5"},"metadata":{"labels":{"p":"q"}}}'], objects: ['cm/c1'] },
    { make: 'cms.yaml', args: ['patch', 'cm', 'c1', '-n', 'NS', '--type=merge', '-p', 'data: {k: "1"}'], objects: ['cm/c1'] },
    { make: 'cms.yaml', args: ['patch', 'cm', 'c1', '-n', 'NS', '--type=json', '-p', '[{"op":"remove","path":"/data/nope"}]'], objects: ['cm/c1'] },
    { make: 'gadget.yaml', args: ['patch', 'gadget', 'g1', '-n', 'NS', '-p', '{"spec":{"size":"big"}}'], objects: ['gadgets/g1'] },
    { make: 'gadget.yaml', args: ['patch', 'gadget', 'g1', '-n', 'NS', '--type=merge', '-p', '{"spec":{"size":"big"}}', '--dry-run=server', '-o', 'name'], objects: ['gadgets/g1'] },
    { args: ['patch', 'cm', 'nope', '-n', 'NS', '-p', '{"data":{}}'] },
    { make: 'deploy.yaml', args: ['patch', 'deploy', 'sd', '-n', 'NS', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":2}}'], objects: ['deploy/sd'] },
  ],
  replace: [
    { make: 'cms.yaml', args: ['replace', '-f', 'cms-changed.yaml', '-n', 'NS'], objects: ['cm/c1', 'cm/c2'] },
    { make: 'cms.yaml', args: ['replace', '-f', 'cms-changed.yaml', '-n', 'NS', '--dry-run=server', '-o', 'name'], objects: ['cm/c1'] },
    { make: 'cms.yaml', args: ['replace', '--force', '-f', 'cms-changed.yaml', '-n', 'NS'], objects: ['cm/c1', 'cm/c2'] },
    { make: 'gadget.yaml', args: ['replace', '-f', '-', '-n', 'NS'], stdin: FILES['gadget.yaml'].replace('small', 'big'), objects: ['gadgets/g1'] },
    { args: ['replace', '-f', 'cms.yaml', '-n', 'NS'] },
    { make: 'cms.yaml', args: ['replace', '-f', 'stale.yaml', '-n', 'NS'], objects: ['cm/c1'] },
    { args: ['replace', '-f', 'mixed.yaml', '-n', 'NS', '--dry-run=client'] },
  ],
  set: [
    { make: 'cronjob.yaml', args: ['set', 'image', 'cronjob/cj', 'c=busybox:2', '-n', 'NS'], objects: ['cronjob/cj'] },
    { make: 'cronjob.yaml', args: ['set', 'image', 'cronjob', 'cj', '*=busybox:3', '--dry-run=server', '-o', 'name', '-n', 'NS'], objects: ['cronjob/cj'] },
    { make: 'cronjob.yaml', args: ['set', 'image', 'cronjob/cj', 'nope=x', '-n', 'NS'], objects: ['cronjob/cj'] },
    { args: ['set', 'image', 'deploy/nope', 'c=x', '-n', 'NS'] },
    { make: 'cronjob.yaml', args: ['set', 'env', 'cronjob/cj', 'A=1', '-n', 'NS'], objects: ['cronjob/cj'] },
  ],
  rollout: [
    { make: 'deploy.yaml', args: ['rollout', 'pause', 'deploy/sd', '-n', 'NS'] },
    { make: 'deploy.yaml', args: ['rollout', 'resume', 'deploy/sd', '-n', 'NS'] },
    { make: 'deploy.yaml', args: ['rollout', 'restart', 'deploy', 'sd', '-n', 'NS', '-o', 'name'] },
    { args: ['rollout', 'restart', 'deploy/nope', '-n', 'NS'] },
    { make: 'cms.yaml', args: ['rollout', 'pause', 'cm/c1', '-n', 'NS'] },
  ],
  scale: [
    { make: 'deploy.yaml', args: ['scale', 'deploy', 'sd', '--replicas=3', '-n', 'NS'], objects: ['deploy/sd'] },
    { make: 'deploy.yaml', args: ['scale', 'deploy/sd', 'deploy/nope', '--replicas=3', '--current-replicas=2', '-n', 'NS'], objects: ['deploy/sd'] },
    { make: 'deploy.yaml', args: ['scale', 'deploy', 'sd', '--replicas=0', '--dry-run=server', '-n', 'NS'], objects: ['deploy/sd'] },
  ],
};

/** The side's namespace for a case: d0, d1... through the daemon, l0, l1... in-process (same widths). */
const namespaces = (prefix: string) => Object.values(CASES).flat().map((_, i) => `${prefix}${i}`);

before(async () => {
  await c.setUp({ create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  for (const [name, text] of Object.entries(FILES)) c.file(name, text);
  const nsDocs = [...namespaces('d'), ...namespaces('l')].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}\n`).join('---\n');
  // Set up through the daemon (its memory, no lock taken turn about with it).
  const r = await viaDaemon(['apply', '-f', c.file('namespaces.yaml', `${nsDocs}---\n${CRD}`)]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  daemonHost.stop();
  localHost.stop();
  await c.stop();
});

/** Manifests are named by their path in the test's folder, so both sides print the same source. */
const inDir = (args: string[], ns: string) => args.map((a) => (a in FILES ? join(c.dir, a) : a === 'NS' ? ns : a));

/** What a write leaves behind, without what differs between any two writes (namespace, uids, versions, times, status). */
async function objectsOf(refs: string[], ns: string): Promise<unknown> {
  if (!refs.length) return [];
  const r = await viaDaemon(['get', ...refs, '-n', ns, '-o', 'json', '--ignore-not-found']);
  assert.equal(r.code, 0, r.stderr);
  if (!r.stdout.trim()) return [];
  const body = JSON.parse(r.stdout) as { items?: Record<string, any>[] } & Record<string, any>;
  return (body.items ?? [body]).map((o) => {
    const { uid: _u, resourceVersion: _r, creationTimestamp: _c, namespace: _n, managedFields, ...metadata } = o.metadata;
    // The Deployment controller's revision annotation is its write, not the verb's: whether it
    // is there yet when the object is read depends on how fast the daemon reconciled.
    const { 'deployment.kubernetes.io/revision': _rev, ...own } = metadata.annotations ?? {};
    const annotations = metadata.annotations && (Object.keys(own).length ? JSON.parse(JSON.stringify(own).replaceAll(`\\"namespace\\":\\"${ns}\\"`, '')) : undefined);
    return { kind: o.kind, metadata: { ...metadata, annotations }, managers: (managedFields ?? []).map((f: Record<string, unknown>) => ({ ...f, time: undefined })), spec: o.spec, data: o.data };
  });
}

async function side(run: (args: string[], stdin?: string) => Promise<RunResult>, k: Case, ns: string): Promise<{ result: RunResult; objects: unknown }> {
  if (k.make) {
    const m = await viaDaemon(['apply', '-f', join(c.dir, k.make), '-n', ns]);
    assert.equal(m.code, 0, m.stderr);
  }
  const r = await run(inDir(k.args, ns), k.stdin);
  return { result: { code: r.code, stdout: r.stdout, stderr: r.stderr }, objects: await objectsOf(k.objects ?? [], ns) };
}

async function assertSame(verb: string): Promise<void> {
  const all = Object.values(CASES).flat();
  for (const k of CASES[verb]) {
    const i = all.indexOf(k);
    assert.deepEqual(await side(viaDaemon, k, `d${i}`), await side(inProcess, k, `l${i}`), k.args.join(' '));
  }
}

test('apply -f through the daemon prints, exits and writes what the in-process path does', () => assertSame('apply'));

test('create -f and the create generators through the daemon print, exit and write what the in-process path does', () => assertSame('create'));

test('label and annotate through the daemon print, exit and write what the in-process path does', () => assertSame('label'));

test('patch through the daemon prints, exits and writes what the in-process path does', () => assertSame('patch'));

test('replace -f (and --force) through the daemon prints, exits and writes what the in-process path does', () => assertSame('replace'));

test('set image and set env through the daemon print, exit and write what the in-process path does', () => assertSame('set'));

test('rollout pause, resume and restart through the daemon print and exit as the in-process path does', () => assertSame('rollout'));

test('scale through the daemon prints, exits and writes what the in-process path does', () => assertSame('scale'));

test('the writes go over REST to the daemon (-v=6 logs them); KUBESIM_NO_DAEMON=1 sends none', () => {
  const at = `https://127\\.0\\.0\\.1:${new URL(c.url).port}`;
  const logged = (r: RunResult, method: string, path: string, status: string) => assert.match(r.stderr, new RegExp(`\\] ${method} ${at}${path} ${status} in \\d+ milliseconds$`, 'm'), r.stderr);
  assert.equal(spawnedInProcess(['create', 'namespace', 'rest']).code, 0);
  const a = spawnedViaDaemon(['apply', '-f', join(c.dir, 'cms.yaml'), '-n', 'rest', '-v=6']);
  assert.equal(a.code, 0, a.stderr);
  logged(a, 'POST', '/api/v1/namespaces/rest/configmaps\\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', '201 Created');
  const changed = spawnedViaDaemon(['apply', '-f', join(c.dir, 'cms-changed.yaml'), '-n', 'rest', '-v=6']);
  logged(changed, 'PATCH', '/api/v1/namespaces/rest/configmaps/c1\\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', '200 OK');
  const dry = spawnedViaDaemon(['label', 'cm', 'c2', 'x=y', '-n', 'rest', '--dry-run=server', '-v=6']);
  logged(dry, 'PATCH', '/api/v1/namespaces/rest/configmaps/c2\\?dryRun=All&fieldManager=kubectl-label', '200 OK');
  const p = spawnedViaDaemon(['patch', 'cm', 'c2', '-n', 'rest', '-p', '{"data":{"k":"3"}}', '-v=6']);
  logged(p, 'PATCH', '/api/v1/namespaces/rest/configmaps/c2\\?fieldManager=kubectl-patch', '200 OK');
  const s = spawnedViaDaemon(['create', 'configmap', 'c1', '-n', 'rest', '-v=6']);
  assert.equal(s.code, 1);
  logged(s, 'POST', '/api/v1/namespaces/rest/configmaps\\?fieldManager=kubectl-create&fieldValidation=Strict', '409 Conflict');
  assert.match(s.stderr, /\nerror: failed to create configmap: configmaps "c1" already exists\n$/);
  assert.equal(spawnedInProcess(['apply', '-f', join(c.dir, 'deploy.yaml'), '-n', 'rest']).code, 0);
  const scaled = spawnedViaDaemon(['scale', 'deploy', 'sd', '-n', 'rest', '--replicas=2', '-v=6']);
  logged(scaled, 'PATCH', '/apis/apps/v1/namespaces/rest/deployments/sd/scale', '200 OK');
  assert.equal(spawnedInProcess(['get', 'deploy', 'sd', '-n', 'rest', '-o', 'jsonpath={.spec.replicas}']).stdout, '2');
  const rep = spawnedViaDaemon(['replace', '-f', c.file('rest-cm.yaml', cm('c2', 'k: "4"')), '-n', 'rest', '-v=6']);
  assert.equal(rep.stdout, 'configmap/c2 replaced\n');
  logged(rep, 'PUT', '/api/v1/namespaces/rest/configmaps/c2\\?fieldManager=kubectl-replace&fieldValidation=Strict', '200 OK');
  const paused = spawnedViaDaemon(['rollout', 'pause', 'deploy/sd', '-n', 'rest', '-v=6']);
  assert.equal(paused.stdout, 'deployment.apps/sd paused\n');
  logged(paused, 'PATCH', '/apis/apps/v1/namespaces/rest/deployments/sd\\?fieldManager=kubectl-rollout', '200 OK');
  assert.equal(spawnedViaDaemon(['rollout', 'resume', 'deploy/sd', '-n', 'rest']).code, 0);
  const img = spawnedViaDaemon(['set', 'image', 'deploy/sd', 'c=nginx:2', '-n', 'rest', '-v=6']);
  assert.equal(img.stdout, 'deployment.apps/sd image updated\n');
  logged(img, 'PATCH', '/apis/apps/v1/namespaces/rest/deployments/sd\\?fieldManager=kubectl-set', '200 OK');
  for (const args of [['apply', '-f', join(c.dir, 'cms.yaml'), '-n', 'rest', '-v=6'], ['label', 'cm', 'c2', 'x=z', '--overwrite', '-n', 'rest', '-v=6']]) {
    const r = spawnedInProcess(args);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /round_trippers/, args.join(' '));
  }
});

test('delete --wait through the daemon lists the object by name and watches it from that list until it is gone', () => {
  assert.equal(spawnedInProcess(['create', 'namespace', 'waits']).code, 0);
  assert.equal(spawnedViaDaemon(['run', 'w', '--image=nginx', '-n', 'waits']).code, 0);
  // Bound to the node and running: its deletion is graceful (the kubelet finishes it).
  const ready = spawnedViaDaemon(['wait', '--for=condition=Ready', 'pod/w', '-n', 'waits', '--timeout=60s']);
  assert.equal(ready.code, 0, ready.stderr);
  const r = spawnedViaDaemon(['delete', 'pod', 'w', '-n', 'waits', '-v=6']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'pod "w" deleted\n');
  const at = `https://127\\.0\\.0\\.1:${new URL(c.url).port}/api/v1/namespaces/waits/pods\\?fieldSelector=metadata\\.name%3Dw`;
  assert.match(r.stderr, new RegExp(`\\] GET ${at} 200 OK in \\d+ milliseconds$`, 'm'), r.stderr);
  assert.match(r.stderr, new RegExp(`\\] GET ${at}&resourceVersion=\\d+&watch=true 200 OK in \\d+ milliseconds$`, 'm'), r.stderr);
  const gone = spawnedViaDaemon(['get', 'pod', 'w', '-n', 'waits']);
  assert.deepEqual([gone.code, gone.stderr], [1, 'Error from server (NotFound): pods "w" not found\n']);
});

test('cordon and uncordon through the daemon print, exit and leave the node as the in-process path does', async () => {
  const node = (await viaDaemon(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
  assert.ok(node);
  const state = async () => (await viaDaemon(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).stdout;
  const setState = async (s: string) => assert.equal((await viaDaemon(['patch', 'node', node, '-p', JSON.stringify({ spec: { unschedulable: s === 'true' ? true : null } })])).code, 0);
  const cmds = [['cordon', node], ['cordon', node], ['uncordon', node, '--dry-run=server'], ['uncordon', node, '-o', 'name'], ['uncordon', `node/${node}`], ['cordon', '-l', 'nothing=here'], ['cordon', 'nope'], ['cordon', 'pod/x'], ['cordon']];
  for (const args of cmds) {
    // Each command from the same node state on both sides; the node cluster-wide is shared.
    const before = await state();
    const d = await viaDaemon(args);
    const after = await state();
    await setState(before);
    const l = await inProcess(args);
    assert.deepEqual([d.code, d.stdout, d.stderr, after], [l.code, l.stdout, l.stderr, await state()], args.join(' '));
  }
  assert.equal(await state(), '');
  const r = spawnedViaDaemon(['cordon', node, '-v=6']);
  assert.equal(r.stdout, `node/${node} cordoned\n`);
  assert.match(r.stderr, new RegExp(`\\] PATCH https://127\\.0\\.0\\.1:${new URL(c.url).port}/api/v1/nodes/${node} 200 OK in \\d+ milliseconds$`, 'm'), r.stderr);
  assert.equal(spawnedViaDaemon(['uncordon', node]).code, 0);
});

test('taint through the daemon prints, exits and leaves the node as the in-process path does', async () => {
  const node = (await viaDaemon(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
  // Each side its own taint key on the shared node (kd through the daemon, kl in-process); outputs compared with the key as KEY.
  const taintsOf = async (key: string) => (JSON.parse((await viaDaemon(['get', 'node', node, '-o', 'json'])).stdout).spec.taints ?? []).filter((t: { key: string }) => t.key === key);
  const run = async (side: (args: string[]) => Promise<RunResult>, key: string) => {
    const rows = [];
    for (const args of [['taint', 'nodes', node, 'KEY=v:NoSchedule'], ['taint', 'nodes', node, 'KEY=w:NoSchedule'], ['taint', 'nodes', node, 'KEY=w:NoSchedule', '--overwrite', '-o', 'name'], ['taint', 'nodes', node, 'KEY-', '--dry-run=server'], ['taint', 'nodes', 'nope', 'KEY=v:NoSchedule'], ['taint', 'nodes', '-l', 'none=x', 'KEY-'], ['taint', 'nodes', node, 'KEY:NoSchedule-'], ['taint', 'nodes', node, 'KEY-']]) {
      const r = await side(args.map((a) => a.replace('KEY', key)));
      rows.push([args.join(' '), r.code, r.stdout.replaceAll(key, 'KEY'), r.stderr.replaceAll(key, 'KEY'), JSON.stringify(await taintsOf(key)).replaceAll(key, 'KEY')]);
    }
    return rows;
  };
  assert.deepEqual(await run(viaDaemon, 'kd'), await run(inProcess, 'kl'));
  const r = spawnedViaDaemon(['taint', 'nodes', node, 'kd=v:NoSchedule', '-v=6']);
  assert.equal(r.stdout, `node/${node} tainted\n`);
  assert.match(r.stderr, new RegExp(`\\] PATCH https://127\\.0\\.0\\.1:${new URL(c.url).port}/api/v1/nodes/${node}\\?fieldManager=kubectl-taint&fieldValidation=Strict 200 OK in \\d+ milliseconds$`, 'm'), r.stderr);
  assert.equal(spawnedViaDaemon(['taint', 'nodes', node, 'kd-']).code, 0);
});
