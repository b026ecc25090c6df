// apply's DeleteFlags and --overwrite, with the real kubectl 1.32 as the oracle against the
// same served cluster: --force replaces what a patch cannot change (a Job's template, a
// Service's clusterIP) by a DELETE (--cascade, --grace-period) and a POST, waiting up to
// --timeout for the old object to be gone; --prune deletes with --cascade and --grace-period;
// --overwrite=false refuses a patch over a field someone else changed. kubesim runs through
// the daemon and in-process; each step prints, exits, sends and leaves what kubectl's does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import type { RunResult } from '../e2e/helpers';

const c = new ServedCluster('apf');
const NS = { kubectl: 'apf-k', daemon: 'apf-d', local: 'apf-l' } as const;
type Side = keyof typeof NS;
const SIDES = Object.keys(NS) as Side[];

const job = (sleep: number) =>
  `apiVersion: batch/v1\nkind: Job\nmetadata: {name: j1}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: [sh, -c, "sleep ${sleep}"]}]\n`;
// A finalizer holds the Service after its DELETE, so --force's wait for it to be gone times out.
const svc = (ip: string, finalizer = false) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: s1${finalizer ? ', finalizers: [example.com/hold]' : ''}}\nspec: {clusterIP: ${ip}, ports: [{port: 80}]}\n`;
const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, labels: {set: a}}\ndata: {${data}}\n`;
const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1, labels: {set: a}}\nspec: {containers: [{name: c, image: busybox, command: [sh, -c, "sleep 1000"]}]}\n';
const deploy = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d1, labels: {set: a}}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: d1}}\n  template:\n    metadata: {labels: {app: d1}}\n    spec: {containers: [{name: c, image: nginx}]}\n';

let ip = 0;
before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  const r = c.kubesim(['create', '-f', c.file('ns.yaml', Object.values(NS).map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}\n`).join('---\n'))], { env: { KUBESIM_NO_DAEMON: '' } });
  assert.equal(r.code, 0, r.stderr);
});
after(() => c.stop());

function run(side: Side, args: string[]): RunResult {
  const full = [...args, '-n', NS[side]];
  if (side === 'kubectl') return c.kubectl(full);
  return c.kubesim(full, { env: { KUBESIM_NO_DAEMON: side === 'local' ? '1' : '' } });
}

/** What differs between two namespaces' objects: the namespace, uids, times, resource versions. */
function norm(s: string, side: Side): string {
  return s
    .replaceAll(NS[side], 'NS')
    .replace(/^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, '$1 ')
    .replaceAll(`-${side}.yaml`, '-SIDE.yaml')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIME')
    .replace(/(resourceVersion\\*"?:\s*\\*")\d+/g, '$1RV')
    .replace(/\b10\.96\.\d+\.\d+\b/g, 'IP');
}

/** One step on every side: the same exit code, stdout and stderr (normalised); each side's result. */
function step(args: (side: Side) => string[]): Record<Side, RunResult> {
  const out = {} as Record<Side, RunResult>;
  for (const side of SIDES) out[side] = run(side, args(side));
  const shown = (side: Side) => [out[side].code, norm(out[side].stdout, side), norm(out[side].stderr, side)];
  for (const side of ['daemon', 'local'] as const) assert.deepEqual(shown(side), shown('kubectl'), `${side}: ${args(side).join(' ')}`);
  return out;
}

const get = (side: Side, what: string, path: string) => run(side, ['get', what, '-o', `jsonpath=${path}`, '--ignore-not-found']).stdout;

/** The DELETE kubectl and kubesim's daemon path send (-v=8): its path and body. */
function deletes(r: RunResult, side: Side): string[] {
  const paths = [...r.stderr.matchAll(/\] DELETE https:\/\/[^/]+(\S+)/gm)].map((m) => m[1]);
  // klog quotes a one-line body, and sets one ending in a newline (kubectl's encoder) on lines of its own.
  const bodies = [...r.stderr.matchAll(/"Request Body" body=(?:(".*")$|<\n\t(.*)\n >$)/gm)].map((m) => (m[1] !== undefined ? (JSON.parse(m[1]) as string) : m[2])).filter((b) => b.includes('propagationPolicy'));
  return [...paths, ...bodies].map((s) => norm(s, side));
}

test('apply --force deletes and re-creates what a patch cannot change: a Job template, a Service clusterIP (--cascade, --grace-period sent)', () => {
  const j1 = c.file('job1.yaml', job(1000));
  const j2 = c.file('job2.yaml', job(2000));
  step(() => ['apply', '-f', j1]);
  const uid = Object.fromEntries(SIDES.map((s) => [s, get(s, 'job/j1', '{.metadata.uid}')]));
  // Without --force the server refuses the patch (the template is immutable).
  const refused = step(() => ['apply', '-f', j2]);
  assert.equal(refused.kubectl.code, 1);
  assert.match(refused.kubectl.stderr, /field is immutable/);
  const forced = step(() => ['apply', '-f', j2, '--force']);
  assert.equal(forced.kubectl.stdout, 'job.batch/j1 configured\n');
  for (const side of SIDES) {
    assert.notEqual(get(side, 'job/j1', '{.metadata.uid}'), uid[side], `${side}: a new Job`);
    assert.equal(get(side, 'job/j1', '{.spec.template.spec.containers[0].command[2]}'), 'sleep 2000', side);
  }
  // A Service's clusterIP: the options of the DELETE are --cascade's and --grace-period's.
  ip += 1;
  step((side) => ['apply', '-f', c.file(`svc1-${side}.yaml`, svc(`10.96.200.${ip + SIDES.indexOf(side)}`))]);
  const moved = step((side) => ['apply', '-f', c.file(`svc2-${side}.yaml`, svc(`10.96.201.${ip + SIDES.indexOf(side)}`)), '--force', '--cascade=orphan', '--grace-period=0', '-o', 'name']);
  assert.equal(moved.kubectl.stdout, 'service/s1\n');
  for (const side of SIDES) assert.equal(get(side, 'svc/s1', '{.spec.clusterIP}'), `10.96.201.${ip + SIDES.indexOf(side)}`, side);
  // What was sent: kubectl's DELETE body, byte for byte.
  ip += 10;
  const sent = (['kubectl', 'daemon'] as const).map((side) => {
    run(side, ['apply', '-f', c.file(`svc3-${side}.yaml`, svc(`10.96.202.${ip + SIDES.indexOf(side)}`))]);
    const r = run(side, ['apply', '-f', c.file(`svc4-${side}.yaml`, svc(`10.96.203.${ip + SIDES.indexOf(side)}`)), '--force', '--cascade=foreground', '--grace-period=3', '-v=8']);
    assert.equal(r.code, 0, r.stderr);
    return deletes(r, side);
  });
  assert.deepEqual(sent[1], sent[0]);
  assert.deepEqual(sent[0], ['/api/v1/namespaces/NS/services/s1', '{"gracePeriodSeconds":3,"propagationPolicy":"Foreground"}']);
});

test('apply --force waits --timeout for the old object to be gone: at 0 it looks once, and fails as kubectl does while a finalizer holds it', () => {
  ip += 20;
  step((side) => ['apply', '-f', c.file(`hold1-${side}.yaml`, svc(`10.96.210.${ip + SIDES.indexOf(side)}`, true).replace('s1', 's2'))]);
  const held = step((side) => ['apply', '-f', c.file(`hold2-${side}.yaml`, svc(`10.96.211.${ip + SIDES.indexOf(side)}`, true).replace('s1', 's2')), '--force']);
  assert.equal(held.kubectl.code, 1);
  assert.match(norm(held.kubectl.stderr, 'kubectl'), /^error: error when applying patch:\n\{.*\}\n\nto:\nResource: "\/v1, Resource=services", GroupVersionKind: "\/v1, Kind=Service"\nName: "s2", Namespace: "NS"\nfor: ".*hold2-SIDE\.yaml": context deadline exceeded\n$/);
  // With a --timeout it polls until then (the finalizer still holds it: the same error, later).
  const t0 = Date.now();
  step((side) => ['apply', '-f', c.file(`hold2-${side}.yaml`, svc(`10.96.211.${ip + SIDES.indexOf(side)}`, true).replace('s1', 's2')), '--force', '--timeout=2s']);
  assert.ok(Date.now() - t0 >= 3 * 2000, 'each side waited its --timeout');
  // The old object is left deleting, as kubectl leaves it.
  for (const side of SIDES) assert.notEqual(get(side, 'svc/s2', '{.metadata.deletionTimestamp}'), '', side);
});

test('apply --prune deletes with --cascade and --grace-period: an orphaned Deployment leaves its ReplicaSet, a pod at 0 is gone at once', async () => {
  for (const side of SIDES) {
    for (const [name, text] of [['deploy.yaml', deploy], ['pod.yaml', pod], ['cm.yaml', cm('a: "1"')]]) assert.equal(run(side, ['apply', '-f', c.file(name, text)]).code, 0);
  }
  // The Deployment's ReplicaSet, once its controller made it.
  for (const side of SIDES) {
    const deadline = Date.now() + 30_000;
    while (!get(side, 'rs', '{.items[*].metadata.name}') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.notEqual(get(side, 'rs', '{.items[*].metadata.name}'), '', `${side}: the ReplicaSet`);
  }
  // A dry run prints what it would prune (the server's is a DELETE with dryRun=All) and deletes nothing.
  const dry = step(() => ['apply', '--prune', '-l', 'set=a', '-f', c.file('cm.yaml', cm('a: "1"')), '--dry-run=client']);
  assert.equal(dry.kubectl.stdout, 'configmap/c1 configured (dry run)\npod/p1 pruned (dry run)\ndeployment.apps/d1 pruned (dry run)\n');
  const serverDry = step(() => ['apply', '--prune', '-l', 'set=a', '-f', c.file('cm.yaml', cm('a: "1"')), '--dry-run=server']);
  assert.match(serverDry.kubectl.stdout, /^configmap\/c1 unchanged \(server dry run\)\npod\/p1 pruned \(server dry run\)\n/);
  for (const side of SIDES) assert.equal(get(side, 'pod/p1', '{.metadata.name}'), 'p1', `${side}: nothing pruned`);
  const pruned = step(() => ['apply', '--prune', '-l', 'set=a', '-f', c.file('cm.yaml', cm('a: "1"')), '--cascade=orphan', '--grace-period=0']);
  assert.equal(pruned.kubectl.stdout, 'configmap/c1 unchanged\npod/p1 pruned\ndeployment.apps/d1 pruned\n');
  for (const side of SIDES) {
    assert.equal(get(side, 'pod/p1', '{.metadata.name}'), '', `${side}: the pod is gone at once (grace period 0)`);
    assert.equal(get(side, 'deploy/d1', '{.metadata.name}'), '', side);
    assert.notEqual(get(side, 'rs', '{.items[*].metadata.name}'), '', `${side}: the orphaned ReplicaSet stays`);
  }
});

test('apply --overwrite=false refuses a patch over a field another manager changed, with kubectl error (and its OpenAPI warnings unless --openapi-patch=false)', () => {
  step(() => ['apply', '-f', c.file('cm2.yaml', cm('a: "1", b: "1"').replace('c1', 'c2'))]);
  step(() => ['patch', 'cm', 'c2', '-p', '{"data":{"a":"9"}}']);
  const changed = c.file('cm2-changed.yaml', cm('a: "2", b: "1"').replace('c1', 'c2'));
  const refused = step(() => ['apply', '-f', changed, '--overwrite=false', '--openapi-patch=false']);
  assert.equal(refused.kubectl.code, 1);
  assert.match(refused.kubectl.stderr, /^error: error when applying patch:\n\nto:\n/);
  assert.match(refused.kubectl.stderr, /conflicts with changes made from original to current:\ndata:\n  a: "9"\n/);
  // With --openapi-patch (the default) kubectl first tries the OpenAPI v3, then v2, patch and
  // warns as each fails the same way (patcher.go); kubesim's server serves no OpenAPI, so the
  // real kubectl skips both here and only kubesim's own output shows them.
  const conflict = refused.kubectl.stderr.slice(refused.kubectl.stderr.indexOf('for:: ') + 6);
  const warned = run('daemon', ['apply', '-f', changed, '--overwrite=false']);
  const expected = `warning: error calculating patch from openapi v3 spec: ${conflict}\nwarning: error calculating patch from openapi spec: ${conflict}\n${refused.kubectl.stderr}`;
  assert.deepEqual([warned.code, norm(warned.stderr, 'daemon')], [1, norm(expected, 'kubectl')]);
  for (const side of SIDES) assert.equal(get(side, 'cm/c2', '{.data.a}'), '9', `${side}: nothing written`);
  // By default (--overwrite=true) the manifest wins; --wait is taken and, as in kubectl, changes nothing.
  step(() => ['apply', '-f', changed, '--wait']);
  for (const side of SIDES) assert.equal(get(side, 'cm/c2', '{.data.a}'), '2', side);
});
