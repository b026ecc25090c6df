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

// The sides work in their own namespaces, so each step runs them side by side.
/** A run and how long it took (ms). */
type Ran = RunResult & { ms: number };

async function run(side: Side, args: string[]): Promise<Ran> {
  const full = [...args, '-n', NS[side]];
  const t0 = Date.now();
  // kubesim's sides in a CLI host each (test/helpers/cli-host.ts), not a process per command
  const r = side === 'kubectl' ? await c.kubectlAsync(full) : await c.hosted(full, { env: { KUBESIM_NO_DAEMON: side === 'local' ? '1' : '' } });
  return { ...r, ms: Date.now() - t0 };
}

/** `f` on every side at once; each side's result. */
async function each<T>(f: (side: Side) => Promise<T>): Promise<Record<Side, T>> {
  const out = await Promise.all(SIDES.map(f));
  return Object.fromEntries(SIDES.map((side, i) => [side, out[i]])) as Record<Side, T>;
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
async function step(args: (side: Side) => string[]): Promise<Record<Side, Ran>> {
  const out = await each((side) => run(side, args(side)));
  const shown = (side: Side) => [out[side].code, norm(out[side].stdout, side), norm(out[side].stderr, side)];
  for (const side of ['daemon', 'local'] as const) assert.deepEqual(shown(side), shown('kubectl'), `${side}: ${args(side).join(' ')}`);
  return out;
}

const get = async (side: Side, what: string, path: string) => (await run(side, ['get', what, '-o', `jsonpath=${path}`, '--ignore-not-found'])).stdout;

/** The DELETE kubectl and kubesim's daemon path send (-v=8): its path and body. */
function deletes(r: RunResult, side: Side): string[] {
  const paths = [...r.stderr.matchAll(/\] DELETE https:\/\/[^/]+(\S+)/gm)].map((m) => m[1]);
  // klog quotes a one-line body, and sets one ending in a newline (kubectl's encoder) on lines of its own.
  const bodies = [...r.stderr.matchAll(/"Request Body" body=(?:(".*")$|<\n\t(.*)\n >$)/gm)].map((m) => (m[1] !== undefined ? (JSON.parse(m[1]) as string) : m[2])).filter((b) => b.includes('propagationPolicy'));
  return [...paths, ...bodies].map((s) => norm(s, side));
}

test('apply --force deletes and re-creates what a patch cannot change: a Job template, a Service clusterIP (--cascade, --grace-period sent)', async () => {
  const j1 = c.file('job1.yaml', job(1000));
  const j2 = c.file('job2.yaml', job(2000));
  await step(() => ['apply', '-f', j1]);
  const uid = await each((s) => get(s, 'job/j1', '{.metadata.uid}'));
  // Without --force the server refuses the patch (the template is immutable).
  const refused = await step(() => ['apply', '-f', j2]);
  assert.equal(refused.kubectl.code, 1);
  assert.match(refused.kubectl.stderr, /field is immutable/);
  const forced = await step(() => ['apply', '-f', j2, '--force']);
  assert.equal(forced.kubectl.stdout, 'job.batch/j1 configured\n');
  const now = await each((s) => get(s, 'job/j1', '{.metadata.uid} {.spec.template.spec.containers[0].command[2]}'));
  for (const side of SIDES) {
    const newUid = now[side].split(' ')[0];
    assert.notEqual(newUid, uid[side], `${side}: a new Job`);
    assert.equal(now[side].slice(newUid.length + 1), 'sleep 2000', side);
  }
  // A Service's clusterIP: the options of the DELETE are --cascade's and --grace-period's.
  ip += 1;
  await step((side) => ['apply', '-f', c.file(`svc1-${side}.yaml`, svc(`10.96.200.${ip + SIDES.indexOf(side)}`))]);
  const moved = await step((side) => ['apply', '-f', c.file(`svc2-${side}.yaml`, svc(`10.96.201.${ip + SIDES.indexOf(side)}`)), '--force', '--cascade=orphan', '--grace-period=0', '-o', 'name']);
  assert.equal(moved.kubectl.stdout, 'service/s1\n');
  const ips = await each((s) => get(s, 'svc/s1', '{.spec.clusterIP}'));
  for (const side of SIDES) assert.equal(ips[side], `10.96.201.${ip + SIDES.indexOf(side)}`, side);
  // What was sent: kubectl's DELETE body, byte for byte.
  ip += 10;
  const sent = await Promise.all((['kubectl', 'daemon'] as const).map(async (side) => {
    await run(side, ['apply', '-f', c.file(`svc3-${side}.yaml`, svc(`10.96.202.${ip + SIDES.indexOf(side)}`))]);
    const r = await run(side, ['apply', '-f', c.file(`svc4-${side}.yaml`, svc(`10.96.203.${ip + SIDES.indexOf(side)}`)), '--force', '--cascade=foreground', '--grace-period=3', '-v=8']);
    assert.equal(r.code, 0, r.stderr);
    return deletes(r, side);
  }));
  assert.deepEqual(sent[1], sent[0]);
  assert.deepEqual(sent[0], ['/api/v1/namespaces/NS/services/s1', '{"gracePeriodSeconds":3,"propagationPolicy":"Foreground"}']);
});

test('apply --force waits --timeout for the old object to be gone: at 0 it looks once, and fails as kubectl does while a finalizer holds it', async () => {
  ip += 20;
  await step((side) => ['apply', '-f', c.file(`hold1-${side}.yaml`, svc(`10.96.210.${ip + SIDES.indexOf(side)}`, true).replace('s1', 's2'))]);
  const held = await step((side) => ['apply', '-f', c.file(`hold2-${side}.yaml`, svc(`10.96.211.${ip + SIDES.indexOf(side)}`, true).replace('s1', 's2')), '--force']);
  assert.equal(held.kubectl.code, 1);
  assert.match(norm(held.kubectl.stderr, 'kubectl'), /^error: error when applying patch:\n\{.*\}\n\nto:\nResource: "\/v1, Resource=services", GroupVersionKind: "\/v1, Kind=Service"\nName: "s2", Namespace: "NS"\nfor: ".*hold2-SIDE\.yaml": context deadline exceeded\n$/);
  // With a --timeout it polls until then (the finalizer still holds it: the same error, later).
  const waited = await step((side) => ['apply', '-f', c.file(`hold2-${side}.yaml`, svc(`10.96.211.${ip + SIDES.indexOf(side)}`, true).replace('s1', 's2')), '--force', '--timeout=2s']);
  for (const side of SIDES) assert.ok(waited[side].ms >= 2000, `${side} waited its --timeout (${waited[side].ms} ms)`);
  // The old object is left deleting, as kubectl leaves it.
  const deleting = await each((s) => get(s, 'svc/s2', '{.metadata.deletionTimestamp}'));
  for (const side of SIDES) assert.notEqual(deleting[side], '', side);
});

test('apply --prune deletes with --cascade and --grace-period: an orphaned Deployment leaves its ReplicaSet, a pod at 0 is gone at once', async () => {
  const files = [c.file('deploy.yaml', deploy), c.file('pod.yaml', pod), c.file('cm.yaml', cm('a: "1"'))];
  await each(async (side) => {
    for (const f of files) assert.equal((await run(side, ['apply', '-f', f])).code, 0);
  });
  // The Deployment's ReplicaSet, once its controller made it (one look at every side's namespace a poll).
  const deadline = Date.now() + 30_000;
  const namespaces = async () => (JSON.parse((await c.request('GET', '/apis/apps/v1/replicasets?labelSelector=app%3Dd1')).body).items as { metadata: { namespace: string } }[]).map((rs) => rs.metadata.namespace);
  let seen = await namespaces();
  while (!Object.values(NS).every((ns) => seen.includes(ns)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    seen = await namespaces();
  }
  const rs = await each((s) => get(s, 'rs', '{.items[*].metadata.name}'));
  for (const side of SIDES) assert.notEqual(rs[side], '', `${side}: the ReplicaSet`);
  // A dry run prints what it would prune (the server's is a DELETE with dryRun=All) and deletes nothing.
  const dry = await step(() => ['apply', '--prune', '-l', 'set=a', '-f', c.file('cm.yaml', cm('a: "1"')), '--dry-run=client']);
  assert.equal(dry.kubectl.stdout, 'configmap/c1 configured (dry run)\npod/p1 pruned (dry run)\ndeployment.apps/d1 pruned (dry run)\n');
  const serverDry = await step(() => ['apply', '--prune', '-l', 'set=a', '-f', c.file('cm.yaml', cm('a: "1"')), '--dry-run=server']);
  assert.match(serverDry.kubectl.stdout, /^configmap\/c1 unchanged \(server dry run\)\npod\/p1 pruned \(server dry run\)\n/);
  const kept = await each((s) => get(s, 'pod/p1', '{.metadata.name}'));
  for (const side of SIDES) assert.equal(kept[side], 'p1', `${side}: nothing pruned`);
  const pruned = await step(() => ['apply', '--prune', '-l', 'set=a', '-f', c.file('cm.yaml', cm('a: "1"')), '--cascade=orphan', '--grace-period=0']);
  assert.equal(pruned.kubectl.stdout, 'configmap/c1 unchanged\npod/p1 pruned\ndeployment.apps/d1 pruned\n');
  const left = await each(async (s) => [await get(s, 'pod/p1', '{.metadata.name}'), await get(s, 'deploy/d1', '{.metadata.name}'), await get(s, 'rs', '{.items[*].metadata.name}')]);
  for (const side of SIDES) {
    const [p1, d1, orphans] = left[side];
    assert.equal(p1, '', `${side}: the pod is gone at once (grace period 0)`);
    assert.equal(d1, '', side);
    assert.notEqual(orphans, '', `${side}: the orphaned ReplicaSet stays`);
  }
});

test('apply --overwrite=false refuses a patch over a field another manager changed, with kubectl error (and its OpenAPI warnings unless --openapi-patch=false)', async () => {
  await step(() => ['apply', '-f', c.file('cm2.yaml', cm('a: "1", b: "1"').replace('c1', 'c2'))]);
  await step(() => ['patch', 'cm', 'c2', '-p', '{"data":{"a":"9"}}']);
  const changed = c.file('cm2-changed.yaml', cm('a: "2", b: "1"').replace('c1', 'c2'));
  const refused = await step(() => ['apply', '-f', changed, '--overwrite=false', '--openapi-patch=false']);
  assert.equal(refused.kubectl.code, 1);
  assert.match(refused.kubectl.stderr, /^error: error when applying patch:\n\nto:\n/);
  assert.match(refused.kubectl.stderr, /conflicts with changes made from original to current:\ndata:\n  a: "9"\n/);
  // With --openapi-patch (the default) kubectl first tries the OpenAPI v3, then v2, patch and
  // warns as each fails the same way (patcher.go); kubesim's server serves no OpenAPI, so the
  // real kubectl skips both here and only kubesim's own output shows them.
  const conflict = refused.kubectl.stderr.slice(refused.kubectl.stderr.indexOf('for:: ') + 6);
  const warned = await run('daemon', ['apply', '-f', changed, '--overwrite=false']);
  const expected = `warning: error calculating patch from openapi v3 spec: ${conflict}\nwarning: error calculating patch from openapi spec: ${conflict}\n${refused.kubectl.stderr}`;
  assert.deepEqual([warned.code, norm(warned.stderr, 'daemon')], [1, norm(expected, 'kubectl')]);
  const unwritten = await each((s) => get(s, 'cm/c2', '{.data.a}'));
  for (const side of SIDES) assert.equal(unwritten[side], '9', `${side}: nothing written`);
  // By default (--overwrite=true) the manifest wins; --wait is taken and, as in kubectl, changes nothing.
  await step(() => ['apply', '-f', changed, '--wait']);
  const written = await each((s) => get(s, 'cm/c2', '{.data.a}'));
  for (const side of SIDES) assert.equal(written[side], '2', side);
});
