// edit, drain and rollout status/history/undo as clients of the cluster's daemon: with the
// daemon serving they send kubectl's requests (GET then PATCH; a pod list by node, evictions
// and polls; a watch on the Deployment; a PATCH of its template) and print, exit and write
// exactly what the in-process path (KUBESIM_NO_DAEMON=1) does on the same cluster. Each side
// works in a namespace of its own (d through the daemon, l in-process), with the same names.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster } from './harness';
import type { RunResult } from '../e2e/helpers';

const c = new ServedCluster('clv');
const viaDaemon = (args: string[], env: Record<string, string> = {}) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '', ...env } });
const inProcess = (args: string[], env: Record<string, string> = {}) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '1', ...env } });
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
  node = viaDaemon(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
  assert.ok(node);
  tmp = join(c.dir, 'tmp');
  mkdirSync(tmp);
  const ns = ['d', 'l'].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}\n`).join('---\n');
  const r = viaDaemon(['apply', '-f', c.file('ns.yaml', ns)]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => c.stop());

/** Output with the side's namespace and the editor's temp file names made alike. */
function norm(r: RunResult, side: string): [number, string, string] {
  const n = (s: string) => s.replaceAll(`"${side}"`, '"NS"').replaceAll(` ${side}/`, ' NS/').replace(/kubesim-edit-\d+\.yaml/g, 'kubesim-edit-N.yaml');
  return [r.code, n(r.stdout), n(r.stderr)];
}

/** Runs each command on both sides (in its own namespace); the outputs, normalised, must be equal. */
function bothSides(cmds: string[][], env: Record<string, string> = {}): void {
  for (const args of cmds) {
    const [d, l] = SIDES.map(([ns, run]) => norm(run([...args, '-n', ns], env), ns));
    assert.deepEqual(d, l, args.join(' '));
  }
}

const ok = (r: RunResult) => assert.equal(r.code, 0, r.stdout + r.stderr);
const jsonOf = (ref: string, ns: string) => JSON.parse(viaDaemon(['get', ref, '-n', ns, '-o', 'json', '--show-managed-fields']).stdout);

/** The lines of `-v=6` that name a request to the daemon: `METHOD path?query status`. */
function requests(r: RunResult): string[] {
  return [...r.stderr.matchAll(/\] (GET|POST|PUT|PATCH|DELETE) https:\/\/127\.0\.0\.1:\d+(\S+) (\d+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}

test('rollout history, undo and status through the daemon print and exit as in-process, and send kubectl\'s requests', () => {
  for (const [ns] of SIDES) {
    ok(viaDaemon(['apply', '-f', c.file('deploy.yaml', DEPLOY('nginx')), '-n', ns]));
    ok(viaDaemon(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=60s']));
    ok(viaDaemon(['apply', '-f', c.file('deploy2.yaml', DEPLOY('nginx:1.27')), '-n', ns]));
    ok(viaDaemon(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=60s']));
  }
  bothSides([
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
  const template = (ns: string) => jsonOf('deploy/sd', ns).spec.template;
  assert.equal(template('d').spec.containers[0].image, 'nginx');
  assert.deepEqual(template('d'), template('l'));
  // The rollback's rollout: watched until done (the lines on the way depend on timing).
  const [d, l] = SIDES.map(([ns, run]) => run(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=60s']));
  for (const r of [d, l]) assert.deepEqual([r.code, r.stdout.split('\n').at(-2), r.stderr], [0, 'deployment "sd" successfully rolled out', '']);

  const status = viaDaemon(['rollout', 'status', 'deploy/sd', '-n', 'd', '-v=6']);
  const base = '/apis/apps/v1/namespaces/d/deployments';
  assert.deepEqual(requests(status), [`GET ${base}/sd 200`]);
  // A rollout that cannot finish (a tag the registry does not have): watched until the timeout.
  for (const [ns] of SIDES) ok(viaDaemon(['set', 'image', 'deploy/sd', 'c=nginx:2', '-n', ns]));
  const [stuckD, stuckL] = SIDES.map(([ns, run]) => run(['rollout', 'status', 'deploy/sd', '-n', ns, '--timeout=2s', '-v=6']));
  for (const r of [stuckD, stuckL]) {
    assert.deepEqual([r.code, r.stderr.split('\n').at(-2)], [1, 'error: timed out waiting for the condition'], r.stdout + r.stderr);
    assert.match(r.stdout, /^(Waiting for deployment "sd" rollout to finish: .*\n)+$/);
  }
  assert.match(stuckD.stderr, new RegExp(`\\] GET https://\\S+${base}\\?fieldSelector=metadata\\.name%3Dsd&resourceVersion=\\d+&watch=true 200 `), stuckD.stderr);
  assert.doesNotMatch(stuckL.stderr, /round_trippers/);
  const undo = viaDaemon(['rollout', 'undo', 'deploy/sd', '-n', 'd', '-v=6']);
  assert.equal(undo.stdout, 'deployment.apps/sd rolled back\n');
  assert.deepEqual(requests(undo), [`GET ${base}/sd 200`, `GET ${base}/sd 200`, 'GET /apis/apps/v1/namespaces/d/replicasets?labelSelector=app%3Dsd 200', `PATCH ${base}/sd?fieldManager=kubectl&fieldValidation=Strict 200`]);
  const history = viaDaemon(['rollout', 'history', 'deploy/sd', '-n', 'd', '-v=6']);
  assert.deepEqual(requests(history), [`GET ${base}/sd 200`, 'GET /apis/apps/v1/namespaces/d/replicasets?labelSelector=app%3Dsd 200']);
  assert.doesNotMatch(inProcess(['rollout', 'history', 'deploy/sd', '-n', 'l', '-v=6']).stderr, /round_trippers/);
});

test('edit through the daemon GETs then PATCHes, and prints, exits and writes what the in-process path does', () => {
  const script = (name: string, body: string) => {
    const p = c.file(name, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ec}\ndata: {k: "1"}\n';
  for (const [ns] of SIDES) ok(viaDaemon(['apply', '-f', c.file('ec.yaml', cm), '-n', ns]));
  const data = script('data.sh', 'sed -i \'s/^  k: "[0-9]*"/  k: "2"/\' "$1"');
  const same = script('same.sh', 'true');
  const bad = script('bad.sh', 'sed -i \'s/^  replicas: [0-9]*/  replicas: -1/\' "$1"');
  const unknown = script('unknown.sh', 'sed -i \'s/^data:/bogus: 1\\ndata:/\' "$1"');
  const env = (editor: string) => ({ KUBE_EDITOR: editor, TMPDIR: tmp });
  bothSides([['edit', 'cm/ec'], ['edit', 'cm', 'ec', '--output-patch', '-o', 'name']], env(data));
  bothSides([['edit', 'cm/ec'], ['edit', 'cm/nope'], ['edit', 'cm', '-l', 'none=here']], env(same));
  // A Scale (--subresource=scale) maps to no resource, so its edit fails as kubectl's does; a bad subresource is the server's 404.
  bothSides([['edit', 'deploy/sd'], ['edit', 'deploy/sd', '--subresource=scale'], ['edit', 'deploy/sd', '--subresource=bogus'], ['edit', 'cm/ec', '--subresource=status']], env(bad));
  bothSides([['edit', 'deploy/sd', '--subresource=status', '--output-patch']], env(script('observed.sh', 'sed -i \'s/^  observedGeneration: [0-9]*/  observedGeneration: 99/\' "$1"')));
  bothSides([['edit', 'cm/ec']], env(unknown));
  const dir = join(c.dir, 'kust');
  mkdirSync(dir);
  c.file('kust/kustomization.yaml', 'resources: [cm.yaml]\n');
  c.file('kust/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ec}\ndata: {k: "2"}\n');
  bothSides([['edit', '-k', dir]], env(script('k3.sh', 'sed -i \'s/^  k: "2"/  k: "3"/\' "$1"')));
  const objects = (ns: string) => {
    const o = jsonOf('cm/ec', ns);
    return { data: o.data, managers: o.metadata.managedFields.map((f: { manager: string; operation: string }) => `${f.manager}/${f.operation}`) };
  };
  assert.deepEqual(objects('d'), { data: { k: '3' }, managers: ['kubectl-client-side-apply/Update', 'kubectl-edit/Update'] });
  assert.deepEqual(objects('d'), objects('l'));

  const r = viaDaemon(['edit', 'cm/ec', '-n', 'd', '-v=6'], env(script('k4.sh', 'sed -i \'s/^  k: "3"/  k: "4"/\' "$1"')));
  assert.equal(r.stdout, 'configmap/ec edited\n');
  assert.deepEqual(requests(r), ['GET /api/v1/namespaces/d/configmaps/ec 200', 'PATCH /api/v1/namespaces/d/configmaps/ec?fieldManager=kubectl-edit&fieldValidation=Strict 200']);
  assert.equal(jsonOf('cm/ec', 'd').data.k, '4');
  const st = viaDaemon(['edit', 'deploy/sd', '-n', 'd', '--subresource=status', '-v=6'], env(script('observed2.sh', 'sed -i \'s/^  observedGeneration: [0-9]*/  observedGeneration: 98/\' "$1"')));
  const dep = '/apis/apps/v1/namespaces/d/deployments/sd';
  assert.deepEqual([st.stdout, requests(st)], ['deployment.apps/sd edited\n', [`GET ${dep} 200`, `GET ${dep}/status 200`, `PATCH ${dep}/status?fieldManager=kubectl-edit&fieldValidation=Strict 200`]]);
});

test('drain through the daemon lists the node\'s pods, evicts them and waits for them, printing what the in-process path prints', () => {
  const uncordon = () => ok(viaDaemon(['uncordon', node]));
  const pods = (side: string) => viaDaemon(['get', 'pods', '-n', side, '-l', 'app=bare', '-o', 'jsonpath={.items[*].metadata.name}']).stdout;
  const place = (side: string, names: string[]) => {
    ok(viaDaemon(['apply', '-n', side, '-f', c.file(`pods-${side}.yaml`, names.map((n) => POD(n, side, node)).join('---\n'))]));
    ok(viaDaemon(['wait', '--for=condition=Ready', 'pods', '-l', 'app=bare', '-n', side, '--timeout=60s']));
  };
  /** A drain of this side's pods only, from an uncordoned node each time (the node is shared). */
  const drain = (flags: string[]) =>
    SIDES.map(([side, run]) => {
      uncordon();
      const r = run(['drain', node, `--pod-selector=side=${side}`, '--ignore-daemonsets', ...flags]);
      return norm(r, side);
    });
  for (const [side] of SIDES) place(side, ['p1', 'p2']);
  // Unmanaged pods without --force: refused, nothing evicted.
  const [refusedD, refusedL] = drain([]);
  assert.deepEqual(refusedD, refusedL);
  assert.equal(refusedD[0], 1);
  assert.match(refusedD[2], /cannot delete Pods declare no controller \(use --force to override\): NS\/p1, NS\/p2/);
  // A budget that forbids the disruption: refused with a 429, retried, then the global timeout.
  for (const [side] of SIDES) {
    ok(viaDaemon(['create', 'pdb', 'keep', '-n', side, '--selector=side=' + side, '--min-available=2']));
  }
  const [blockedD, blockedL] = drain(['--force', '--timeout=2s']);
  assert.deepEqual(blockedD, blockedL);
  assert.equal(blockedD[0], 1);
  assert.match(blockedD[2], /error when evicting pods\/"p1" -n "NS" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  for (const [side] of SIDES) ok(viaDaemon(['delete', 'pdb', 'keep', '-n', side]));
  assert.equal(pods('d'), 'p1 p2');
  // Evicted, waited for, reported.
  const [drainedD, drainedL] = drain(['--force']);
  assert.deepEqual(drainedD, drainedL);
  assert.equal(drainedD[1], `node/${node} cordoned\nevicting pod NS/p1\nevicting pod NS/p2\npod/p1 evicted\npod/p2 evicted\nnode/${node} drained\n`);
  assert.deepEqual([pods('d'), pods('l')], ['', '']);

  // The requests kubectl's drain sends: the pods by node, an Eviction per pod, GETs until it is gone.
  uncordon();
  place('d', ['p3']);
  const r = viaDaemon(['drain', node, '--pod-selector=side=d', '--force', '--ignore-daemonsets', '-v=6']);
  ok(r);
  const sent = requests(r);
  assert.ok(sent.includes('GET /api/v1/pods?labelSelector=side%3Dd&fieldSelector=spec.nodeName%3D' + node + ' 200'), sent.join('\n'));
  assert.ok(sent.includes('POST /api/v1/namespaces/d/pods/p3/eviction 201'), sent.join('\n'));
  assert.equal(sent.at(-1), 'GET /api/v1/namespaces/d/pods/p3 404');

  // The real kubectl's drain over the same server (it finds the Eviction subresource in discovery) prints the same.
  const [k, d] = (['k', 'd'] as const).map((side) => {
    uncordon();
    if (side === 'k') ok(viaDaemon(['create', 'namespace', 'k']));
    place(side, ['p4']);
    const args = ['drain', node, `--pod-selector=side=${side}`, '--force', '--ignore-daemonsets'];
    return norm(side === 'k' ? c.kubectl(args) : viaDaemon(args), side);
  });
  assert.deepEqual(k, d);
  assert.deepEqual(k, [0, `node/${node} cordoned\nevicting pod NS/p4\npod/p4 evicted\nnode/${node} drained\n`, 'Warning: deleting Pods that declare no controller: NS/p4\n']);
  uncordon();
});
