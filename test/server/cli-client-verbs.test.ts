// edit, drain and rollout status/history/undo as clients of the cluster's daemon: with the
// daemon serving they send kubectl's requests (GET then PATCH; a pod list by node, evictions
// and polls; a watch on the Deployment; a PATCH of its template) and print, exit and write
// exactly what the in-process path (KUBESIM_NO_DAEMON=1) does on the same cluster. Each side
// works in a namespace of its own (d through the daemon, l in-process), with the same names.
// Each side's commands run in a long-lived CLI host (test/helpers/cli-host.ts: the CLI's own
// `run`, as bin/kubesim calls it, its -v=6 lines and the editor it launches included): ~110
// commands were a process each and most of this file's CPU time. bin/kubesim itself runs
// once per side to show a user's process logs the same requests; the real kubectl is spawned.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster } from './harness';
import { ROOT, type RunResult } from '../e2e/helpers';
import { CliHost } from '../helpers/cli-host';

const c = new ServedCluster('clv');
const daemonHost = new CliHost({ cwd: ROOT, env: c.env({ KUBESIM_NO_DAEMON: '' }) });
const localHost = new CliHost({ cwd: ROOT, env: c.env({ KUBESIM_NO_DAEMON: '1' }) });
/** A command through the daemon's REST API, or in-process (KUBESIM_NO_DAEMON=1), each in its host; `env` for this command only. */
const viaDaemon = (args: string[], env: Record<string, string> = {}) => daemonHost.run(args, { env });
const inProcess = (args: string[], env: Record<string, string> = {}) => localHost.run(args, { env });
type Side = typeof viaDaemon;
const SIDES: [string, Side][] = [['d', viaDaemon], ['l', inProcess]];

const DEPLOY = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: sd}
spec:
  replicas: 1
  selector: {matchLabels: {app: sd}}
  template:
    metadata: {labels: {app: sd}}
    spec: {containers: [{name: c, image: ${image}}]}
`;

/** A pod with no controller, bound to NODE, labelled with its side (drain --pod-selector keeps the sides apart on the shared node). */
const POD = (name: string, side: string, node: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {side: ${side}, app: bare}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: nginx}]
`;

let node = '';
let tmp = '';

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  // the daemon's cluster at 5x: its rollouts, pod starts and timeouts take a fifth of the wall time
  c.ok(['clock', 'speed', '5']);
  node = (await viaDaemon(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
  assert.ok(node);
  tmp = join(c.dir, 'tmp');
  mkdirSync(tmp);
  const ns = ['d', 'l'].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}\n`).join('---\n');
  const r = await viaDaemon(['apply', '-f', c.file('ns.yaml', ns)]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  daemonHost.stop();
  localHost.stop();
  await c.stop();
});

/** Output with the side's namespace and the editor's temp file names made alike. */
function norm(r: RunResult, side: string): [number, string, string] {
  // A host that died answers alike on both sides: never a result to compare.
  assert.doesNotMatch(r.stderr, /^kubesim host ended/, 'the CLI host ended');
  const n = (s: string) => s.replaceAll(`"${side}"`, '"NS"').replaceAll(` ${side}/`, ' NS/').replace(/kubesim-edit-\d+\.yaml/g, 'kubesim-edit-N.yaml');
  return [r.code, n(r.stdout), n(r.stderr)];
}

/** Runs each command on both sides (in its own namespace); the outputs, normalised, must be equal. */
async function bothSides(cmds: string[][], env: Record<string, string> = {}): Promise<void> {
  for (const args of cmds) {
    const d = norm(await viaDaemon([...args, '-n', 'd'], env), 'd');
    const l = norm(await inProcess([...args, '-n', 'l'], env), 'l');
    assert.deepEqual(d, l, args.join(' '));
  }
}

/** The command on each side in turn (d, then l). */
async function eachSide(cmd: (ns: string, run: Side) => Promise<RunResult>): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const [ns, run] of SIDES) out.push(await cmd(ns, run));
  return out;
}

const ok = (r: RunResult) => assert.equal(r.code, 0, r.stdout + r.stderr);
const jsonOf = async (ref: string, ns: string) => JSON.parse((await viaDaemon(['get', ref, '-n', ns, '-o', 'json', '--show-managed-fields'])).stdout);

/** The lines of `-v=6` that name a request to the daemon: `METHOD path?query status`. */
function requests(r: RunResult): string[] {
  return [...r.stderr.matchAll(/\] (GET|POST|PUT|PATCH|DELETE) https:\/\/127\.0\.0\.1:\d+(\S+) (\d+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}

test('rollout history, undo and status through the daemon print and exit as in-process, and send kubectl\'s requests', async () => {
  for (const [ns] of SIDES) {
    ok(await viaDaemon(['apply', '-f', c.file('deploy.yaml', DEPLOY('nginx')), '-n', ns]));
    ok(await viaDaemon(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=60s']));
    ok(await viaDaemon(['apply', '-f', c.file('deploy2.yaml', DEPLOY('nginx:1.27')), '-n', ns]));
    ok(await viaDaemon(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=60s']));
  }
  await bothSides([
    ['rollout', 'status', 'deploy/sd'],
    ['rollout', 'status', 'deploy/sd', '--revision=1'],
    ['rollout', 'status', 'deploy/nope'],
    ['rollout', 'history', 'deploy/sd'],
    ['rollout', 'history', 'deploy/sd', '--revision=1'],
    ['rollout', 'history', 'deploy', '-o', 'name'],
    ['rollout', 'history', 'deploy/sd', '--revision=7'],
    ['rollout', 'undo', 'deploy/sd', '--to-revision=7'],
    ['rollout', 'undo', 'deploy/sd', '--dry-run=server'],
    ['rollout', 'undo', 'deploy/sd', '--to-revision=2'],
    ['rollout', 'undo', 'deploy/sd'],
  ]);
  const template = async (ns: string) => (await jsonOf('deploy/sd', ns)).spec.template;
  assert.equal((await template('d')).spec.containers[0].image, 'nginx');
  assert.deepEqual(await template('d'), await template('l'));
  // The rollback's rollout: watched until done (the lines on the way depend on timing).
  const [d, l] = await eachSide((ns, run) => run(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=60s']));
  for (const r of [d, l]) assert.deepEqual([r.code, r.stdout.split('\n').at(-2), r.stderr], [0, 'deployment "sd" successfully rolled out', '']);

  const status = await viaDaemon(['rollout', 'status', 'deploy/sd', '-n', 'd', '-v=6']);
  const base = '/apis/apps/v1/namespaces/d/deployments';
  assert.deepEqual(requests(status), [`GET ${base}/sd 200`]);
  // A rollout that cannot finish (a tag the registry does not have): watched until the timeout.
  for (const [ns] of SIDES) ok(await viaDaemon(['set', 'image', 'deploy/sd', 'c=nginx:2', '-n', ns]));
  const [stuckD, stuckL] = await eachSide((ns, run) => run(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=2s', '-v=6']));
  for (const r of [stuckD, stuckL]) {
    assert.deepEqual([r.code, r.stderr.split('\n').at(-2)], [1, 'error: timed out waiting for the condition'], r.stdout + r.stderr);
    // kubectl's first line may be that the controller has not yet seen the new template (the daemon runs on its own time)
    assert.match(r.stdout, /^(Waiting for deployment spec update to be observed\.\.\.\n)*(Waiting for deployment "sd" rollout to finish: .*\n)+$/);
  }
  assert.match(stuckD.stderr, new RegExp(`\\] GET https://\\S+${base}\\?fieldSelector=metadata\\.name%3Dsd&resourceVersion=\\d+&watch=true 200 `), stuckD.stderr);
  assert.doesNotMatch(stuckL.stderr, /round_trippers/);
  const undo = await viaDaemon(['rollout', 'undo', 'deploy/sd', '-n', 'd', '-v=6']);
  assert.equal(undo.stdout, 'deployment.apps/sd rolled back\n');
  assert.deepEqual(requests(undo), [`GET ${base}/sd 200`, `GET ${base}/sd 200`, 'GET /apis/apps/v1/namespaces/d/replicasets?labelSelector=app%3Dsd 200', `PATCH ${base}/sd?fieldManager=kubectl&fieldValidation=Strict 200`]);
  const historyRequests = [`GET ${base}/sd 200`, 'GET /apis/apps/v1/namespaces/d/replicasets?labelSelector=app%3Dsd 200'];
  const history = await viaDaemon(['rollout', 'history', 'deploy/sd', '-n', 'd', '-v=6']);
  assert.deepEqual(requests(history), historyRequests);
  assert.doesNotMatch((await inProcess(['rollout', 'history', 'deploy/sd', '-n', 'l', '-v=6'])).stderr, /round_trippers/);
  // bin/kubesim as a user runs it: the same requests logged, and none in-process.
  const spawned = c.kubesim(['rollout', 'history', 'deploy/sd', '-n', 'd', '-v=6'], { env: { KUBESIM_NO_DAEMON: '' } });
  assert.deepEqual([spawned.code, requests(spawned)], [0, historyRequests], spawned.stderr);
  assert.doesNotMatch(c.kubesim(['rollout', 'history', 'deploy/sd', '-n', 'l', '-v=6'], { env: { KUBESIM_NO_DAEMON: '1' } }).stderr, /round_trippers/);
});

test('edit through the daemon GETs then PATCHes, and prints, exits and writes what the in-process path does', async () => {
  const script = (name: string, body: string) => {
    const p = c.file(name, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ec}\ndata: {k: "1"}\n';
  for (const [ns] of SIDES) ok(await viaDaemon(['apply', '-f', c.file('ec.yaml', cm), '-n', ns]));
  const data = script('data.sh', 'sed -i \'s/^  k: "[0-9]*"/  k: "2"/\' "$1"');
  const same = script('same.sh', 'true');
  // The editors change a file once: when edit reopens its file after an error, an unchanged file ends the edit (else it loops).
  const bad = script('bad.sh', 'sed -i \'s/^  replicas: [0-9][0-9]*/  replicas: -1/\' "$1"');
  const unknown = script('unknown.sh', 'grep -q "^bogus:" "$1" || sed -i \'s/^data:/bogus: 1\\ndata:/\' "$1"');
  const env = (editor: string) => ({ KUBE_EDITOR: editor, TMPDIR: tmp });
  await bothSides([['edit', 'cm/ec'], ['edit', 'cm', 'ec', '--output-patch', '-o', 'name']], env(data));
  await bothSides([['edit', 'cm/ec'], ['edit', 'cm/nope'], ['edit', 'cm', '-l', 'none=here']], env(same));
  // A Scale (--subresource=scale) maps to no resource, so its edit fails as kubectl's does; a bad subresource is the server's 404.
  await bothSides([['edit', 'deploy/sd'], ['edit', 'deploy/sd', '--subresource=scale'], ['edit', 'deploy/sd', '--subresource=bogus'], ['edit', 'cm/ec', '--subresource=status']], env(bad));
  await bothSides([['edit', 'deploy/sd', '--subresource=status', '--output-patch']], env(script('observed.sh', 'sed -i \'s/^  observedGeneration: [0-9]*/  observedGeneration: 99/\' "$1"')));
  await bothSides([['edit', 'cm/ec']], env(unknown));
  const dir = join(c.dir, 'kust');
  mkdirSync(dir);
  c.file('kust/kustomization.yaml', 'resources: [cm.yaml]\n');
  c.file('kust/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ec}\ndata: {k: "2"}\n');
  await bothSides([['edit', '-k', dir]], env(script('k3.sh', 'sed -i \'s/^  k: "2"/  k: "3"/\' "$1"')));
  const objects = async (ns: string) => {
    const o = await jsonOf('cm/ec', ns);
    return { data: o.data, managers: o.metadata.managedFields.map((f: { manager: string; operation: string }) => `${f.manager}/${f.operation}`) };
  };
  assert.deepEqual(await objects('d'), { data: { k: '3' }, managers: ['kubectl-client-side-apply/Update', 'kubectl-edit/Update'] });
  assert.deepEqual(await objects('d'), await objects('l'));

  const r = await viaDaemon(['edit', 'cm/ec', '-n', 'd', '-v=6'], env(script('k4.sh', 'sed -i \'s/^  k: "3"/  k: "4"/\' "$1"')));
  assert.equal(r.stdout, 'configmap/ec edited\n');
  assert.deepEqual(requests(r), ['GET /api/v1/namespaces/d/configmaps/ec 200', 'PATCH /api/v1/namespaces/d/configmaps/ec?fieldManager=kubectl-edit&fieldValidation=Strict 200']);
  assert.equal((await jsonOf('cm/ec', 'd')).data.k, '4');
  const st = await viaDaemon(['edit', 'deploy/sd', '-n', 'd', '--subresource=status', '-v=6'], env(script('observed2.sh', 'sed -i \'s/^  observedGeneration: [0-9]*/  observedGeneration: 98/\' "$1"')));
  const dep = '/apis/apps/v1/namespaces/d/deployments/sd';
  // As kubectl: only the subresource is read (no GET of the object first).
  assert.deepEqual([st.stdout, requests(st)], ['deployment.apps/sd edited\n', [`GET ${dep}/status 200`, `PATCH ${dep}/status?fieldManager=kubectl-edit&fieldValidation=Strict 200`]]);
});

test('drain through the daemon lists the node\'s pods, evicts them and waits for them, printing what the in-process path prints', async () => {
  const uncordon = async () => ok(await viaDaemon(['uncordon', node]));
  const pods = async (side: string) => (await viaDaemon(['get', 'pods', '-n', side, '-l', 'app=bare', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout;
  const place = async (side: string, names: string[]) => {
    ok(await viaDaemon(['apply', '-n', side, '-f', c.file(`pods-${side}.yaml`, names.map((n) => POD(n, side, node)).join('---\n'))]));
    ok(await viaDaemon(['wait', '--for=condition=Ready', 'pods', '-l', 'app=bare', '-n', side, '--timeout=60s']));
  };
  /** A drain of this side's pods only, from an uncordoned node each time (the node is shared). */
  const drain = async (flags: string[]) =>
    (
      await eachSide(async (side, run) => {
        await uncordon();
        return run(['drain', node, `--pod-selector=side=${side}`, '--ignore-daemonsets', ...flags]);
      })
    ).map((r, i) => norm(r, SIDES[i][0]));
  for (const [side] of SIDES) await place(side, ['p1', 'p2']);
  // Unmanaged pods without --force: refused, nothing evicted.
  const [refusedD, refusedL] = await drain([]);
  assert.deepEqual(refusedD, refusedL);
  assert.equal(refusedD[0], 1);
  assert.match(refusedD[2], /cannot delete cannot delete Pods that declare no controller \(use --force to override\): NS\/p1, NS\/p2/);
  // A budget that forbids the disruption: refused with a 429, retried, then the global timeout.
  for (const [side] of SIDES) {
    ok(await viaDaemon(['create', 'pdb', 'keep', '-n', side, '--selector=side=' + side, '--min-available=2']));
  }
  const [blockedD, blockedL] = await drain(['--force', '--timeout=2s']);
  assert.deepEqual(blockedD, blockedL);
  assert.equal(blockedD[0], 1);
  assert.match(blockedD[2], /error when evicting pods\/"p1" -n "NS" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  for (const [side] of SIDES) ok(await viaDaemon(['delete', 'pdb', 'keep', '-n', side]));
  assert.equal(await pods('d'), 'p1 p2');
  // Evicted, waited for, reported.
  const [drainedD, drainedL] = await drain(['--force']);
  assert.deepEqual(drainedD, drainedL);
  // kubectl's goroutines: the last one started runs first
  assert.equal(drainedD[1], `node/${node} cordoned\nevicting pod NS/p2\nevicting pod NS/p1\npod/p2 evicted\npod/p1 evicted\nnode/${node} drained\n`);
  assert.deepEqual([await pods('d'), await pods('l')], ['', '']);

  // The requests kubectl's drain sends: the pods by node, an Eviction per pod, GETs until it is gone.
  await uncordon();
  await place('d', ['p3']);
  const r = await viaDaemon(['drain', node, '--pod-selector=side=d', '--force', '--ignore-daemonsets', '-v=6']);
  ok(r);
  const sent = requests(r);
  assert.ok(sent.includes('GET /api/v1/pods?labelSelector=side%3Dd&fieldSelector=spec.nodeName%3D' + node + ' 200'), sent.join('\n'));
  assert.ok(sent.includes('POST /api/v1/namespaces/d/pods/p3/eviction 201'), sent.join('\n'));
  assert.equal(sent.at(-1), 'GET /api/v1/namespaces/d/pods/p3 404');

  // The real kubectl's drain over the same server (it finds the Eviction subresource in discovery) prints the same.
  const kd: [number, string, string][] = [];
  for (const side of ['k', 'd'] as const) {
    await uncordon();
    if (side === 'k') ok(await viaDaemon(['create', 'namespace', 'k']));
    await place(side, ['p4']);
    const args = ['drain', node, `--pod-selector=side=${side}`, '--force', '--ignore-daemonsets'];
    kd.push(norm(side === 'k' ? c.kubectl(args) : await viaDaemon(args), side));
  }
  const [k, d] = kd;
  assert.deepEqual(k, d);
  assert.deepEqual(k, [0, `node/${node} cordoned\nevicting pod NS/p4\npod/p4 evicted\nnode/${node} drained\n`, 'Warning: deleting Pods that declare no controller: NS/p4\n']);
  // Refused without --force, in kubectl 1.32's words (its "cannot delete" doubled for unmanaged pods).
  const refused: [number, string, string][] = [];
  for (const side of ['k', 'd'] as const) {
    await uncordon();
    await place(side, ['p5']);
    const args = ['drain', node, `--pod-selector=side=${side}`, '--ignore-daemonsets'];
    refused.push(norm(side === 'k' ? c.kubectl(args) : await viaDaemon(args), side));
  }
  assert.deepEqual(refused[1], refused[0]);
  assert.match(refused[0][2], /^error: unable to drain node "[^"]+" due to error: cannot delete cannot delete Pods that declare no controller \(use --force to override\): NS\/p5, continuing command/);
  await uncordon();
});
