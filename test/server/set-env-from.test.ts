// `set env --from=configmap/x|secret/x` against the real kubectl 1.32 on a served cluster.
// kubectl ranges over a Go map of the object's data, so the order of the variables it adds
// is random on each run: with one key (and for every refusal) its output is deterministic
// and must be kubesim's byte for byte; with several, every order kubectl printed is a
// rotation of the keys' order, and kubesim's is the unrotated one, so it is one of kubectl's.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('sef');
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec: {containers: [{name: c, image: nginx, env: [{name: KEEP, value: "1"}]}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {my.key: v}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {tok-en: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: many}
data: {a: "1", b-c: "2", d: "3", e.f: "4", g: "5"}
`;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  c.ok(['apply', '-f', c.file('m.yaml', MANIFEST)]);
});
after(() => c.stop());

test('set env --from with one key, and its refusals, print what kubectl prints', () => {
  for (const args of [
    ['--from=configmap/one'],
    ['--from=secret/sec', '--prefix=P_'],
    ['--from=configmap/many', '--keys=d'],
    ['--from=configmap/one', '--keys=nope'],
    ['--from=configmap/one', '-c', 'nosuch'],
    ['--from=configmap/one', 'X=1'],
    ['--from=deploy/d'],
    ['--from=configmap/nosuch'],
  ]) {
    const full = ['set', 'env', 'deploy/d', ...args, '--dry-run=client', '-o', 'yaml'];
    const k = c.kubectl(full);
    assert.deepEqual(c.kubesim(full), k, args.join(' '));
  }
  const k = c.kubectl(['set', 'env', 'deploy/d', '--from=configmap/one', '--dry-run=client', '-o', 'jsonpath={.spec.template.spec.containers[0].env}']);
  assert.deepEqual(JSON.parse(k.stdout), [{ name: 'KEEP', value: '1' }, { name: 'MY_KEY', valueFrom: { configMapKeyRef: { key: 'my.key', name: 'one' } } }]);
  assert.equal(k.stderr, 'Warning: key my.key transferred to MY_KEY\n');
});

test('set env --from with several keys: kubectl\'s order is a random rotation of the keys, kubesim\'s the unrotated one', () => {
  const args = ['set', 'env', 'deploy/d', '--from=configmap/many', '--dry-run=client', '-o', 'json'];
  const names = (stdout: string) => JSON.parse(stdout).spec.template.spec.containers[0].env.map((e: { name: string }) => e.name) as string[];
  const s = c.kubesim(args);
  assert.equal(s.code, 0, s.stderr);
  const sorted = ['A', 'B_C', 'D', 'E_F', 'G'];
  assert.deepEqual(names(s.stdout), ['KEEP', ...sorted]);
  const rotations = sorted.map((_, i) => [...sorted.slice(i), ...sorted.slice(0, i)].join(' '));
  for (let run = 0; run < 6; run++) {
    const k = c.kubectl(args);
    assert.equal(k.code, 0, k.stderr);
    const order = names(k.stdout).slice(1).join(' ');
    assert.ok(rotations.includes(order), `kubectl's order ${order} is a rotation of ${sorted.join(' ')}`);
    // the same output and warnings once kubectl's rotation is undone: only the order differs
    const n = sorted.length - rotations.indexOf(order);
    const unrotate = <T>(xs: T[]) => [...xs.slice(n), ...xs.slice(0, n)];
    const kObj = JSON.parse(k.stdout);
    const [keep, ...added] = kObj.spec.template.spec.containers[0].env;
    kObj.spec.template.spec.containers[0].env = [keep, ...unrotate(added)];
    assert.deepEqual(kObj, JSON.parse(s.stdout));
    assert.equal(unrotate(k.stderr.split('\n').slice(0, -1)).join('\n') + '\n', s.stderr);
  }
});
