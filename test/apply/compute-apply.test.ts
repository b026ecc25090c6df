import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeApply } from '../../src/api/apply/compute-apply';
import { LAST_APPLIED, lastAppliedJson } from '../../src/api/apply/last-applied';
import type { KObject } from '../../src/api/types';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

test('last-applied JSON: the reference ConfigMap example byte for byte', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-cfg', namespace: 'default' }, data: { k: 'v' } };
  assert.equal(
    lastAppliedJson(cm),
    '{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"api-cfg","namespace":"default"}}\n',
  );
});

test('last-applied JSON: sorted keys, Go HTML escaping, own annotation dropped, others kept', () => {
  const obj = {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'c', annotations: { [LAST_APPLIED]: 'old', note: 'a<b>&c' } },
    data: { z: 'ü', a: 'line\nnext' },
  };
  assert.equal(
    lastAppliedJson(obj),
    '{"apiVersion":"v1","data":{"a":"line\\nnext","z":"ü"},"kind":"ConfigMap","metadata":{"annotations":{"note":"a\\u003cb\\u003e\\u0026c"},"name":"c"}}\n',
  );
  assert.equal(obj.metadata.annotations[LAST_APPLIED], 'old', 'input untouched');
});

function deployment(extra: (d: any) => void = () => {}): KObject {
  const d: any = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
    },
  };
  extra(d);
  return d;
}

/** Simulate the server storing an object: defaults and server-set metadata. */
function store(obj: KObject): KObject {
  const live: any = clone(obj);
  live.metadata.uid = 'uid-1';
  live.metadata.resourceVersion = '7';
  live.metadata.generation = 1;
  live.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  if (live.spec.replicas === undefined) live.spec.replicas = 1;
  live.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  live.spec.template.spec.restartPolicy = 'Always';
  for (const c of live.spec.template.spec.containers) {
    c.imagePullPolicy = 'IfNotPresent';
    c.terminationMessagePath = '/dev/termination-log';
  }
  live.status = { replicas: live.spec.replicas };
  return live;
}

test('create: the object carries its last-applied annotation, nulls removed', () => {
  const d = deployment((x) => (x.metadata.creationTimestamp = null));
  const r = computeApply(d, undefined);
  assert.equal(r.action, 'create');
  assert.equal(r.result.metadata.annotations?.[LAST_APPLIED], lastAppliedJson(d));
  assert.ok(r.result.metadata.annotations![LAST_APPLIED].includes('"creationTimestamp":null'));
  assert.ok(!('creationTimestamp' in r.result.metadata));
  assert.equal(r.missingAnnotation, false);
});

test('unchanged: re-applying the same manifest onto a defaulted live object', () => {
  const d = deployment();
  const live = store(computeApply(d, undefined).result);
  const r = computeApply(d, live);
  assert.equal(r.action, 'unchanged');
  assert.equal(r.patch, undefined);
  assert.deepEqual(r.result, live);
});

test('patch: image change is configured and server defaults survive', () => {
  const live = store(computeApply(deployment(), undefined).result);
  const next = deployment((x) => (x.spec.template.spec.containers[0].image = 'nginx:1.27'));
  const r = computeApply(next, live);
  assert.equal(r.action, 'patch');
  assert.equal(r.patchType, 'strategic');
  const c = r.result.spec.template.spec.containers[0];
  assert.equal(c.image, 'nginx:1.27');
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(r.result.metadata.annotations![LAST_APPLIED], lastAppliedJson(next));
  assert.equal(r.result.metadata.uid, 'uid-1');
});

test('replicas removed from the manifest is deleted (the server re-defaults it)', () => {
  const live = store(computeApply(deployment(), undefined).result);
  const next = deployment((x) => delete x.spec.replicas);
  const r = computeApply(next, live);
  assert.equal(r.action, 'patch');
  assert.equal((r.patch as any).spec.replicas, null);
  assert.equal(r.result.spec.replicas, undefined);
});

test('replicas scaled by someone else survive when the manifest has none, and are re-asserted when it has', () => {
  const noReplicas = deployment((x) => delete x.spec.replicas);
  const live: any = store(computeApply(noReplicas, undefined).result);
  live.spec.replicas = 4;
  assert.equal(computeApply(noReplicas, live).action, 'unchanged');
  const withReplicas = deployment();
  const live2: any = store(computeApply(withReplicas, undefined).result);
  live2.spec.replicas = 4;
  const r = computeApply(withReplicas, live2);
  assert.deepEqual(r.patch, { spec: { replicas: 2 } });
  assert.equal(r.result.spec.replicas, 2);
});

test('strategy switched to Recreate clears rollingUpdate in the result', () => {
  const live = store(computeApply(deployment((x) => (x.spec.strategy = { type: 'RollingUpdate' })), undefined).result);
  const r = computeApply(deployment((x) => (x.spec.strategy = { type: 'Recreate' })), live);
  assert.deepEqual(r.result.spec.strategy, { type: 'Recreate' });
});

test('list merge by key keeps order and containers injected by others', () => {
  const two = deployment((x) => x.spec.template.spec.containers.push({ name: 'log', image: 'busybox' }));
  const live: any = store(computeApply(two, undefined).result);
  live.spec.template.spec.containers.push({ name: 'injected', image: 'proxy' });
  const next = deployment((x) => {
    x.spec.template.spec.containers = [{ name: 'log', image: 'busybox:2' }, { name: 'web', image: 'nginx:1.25' }];
  });
  const r = computeApply(next, live);
  assert.deepEqual(
    r.result.spec.template.spec.containers.map((c: any) => `${c.name}:${c.image}`),
    ['log:busybox:2', 'web:nginx:1.25', 'injected:proxy'],
  );
  assert.equal(r.result.spec.template.spec.containers[1].imagePullPolicy, 'IfNotPresent');
});

test('a removed container is deleted from the live object', () => {
  const two = deployment((x) => x.spec.template.spec.containers.push({ name: 'log', image: 'busybox' }));
  const live = store(computeApply(two, undefined).result);
  const r = computeApply(deployment(), live);
  assert.deepEqual(r.result.spec.template.spec.containers.map((c: any) => c.name), ['web']);
});

test('live object without the annotation: warning flag, no deletions, annotation added', () => {
  const live: any = store(deployment((x) => (x.metadata.labels = { keep: 'me' })));
  const r = computeApply(deployment(), live);
  assert.equal(r.missingAnnotation, true);
  assert.equal(r.action, 'patch');
  assert.deepEqual(r.result.metadata.labels, { keep: 'me' });
  assert.equal(r.result.metadata.annotations![LAST_APPLIED], lastAppliedJson(deployment()));
});

test('custom resources: JSON merge patch, lists replaced, removed fields deleted', () => {
  const cr = (spec: any): KObject => ({ apiVersion: 'ex.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec });
  const live: any = clone(computeApply(cr({ size: 1, tags: ['a', 'b'], old: true }), undefined).result);
  live.status = { ready: true };
  live.spec.extra = 'server';
  const r = computeApply(cr({ size: 2, tags: ['c'] }), live);
  assert.equal(r.action, 'patch');
  assert.equal(r.patchType, 'merge');
  assert.deepEqual(r.result.spec, { size: 2, tags: ['c'], extra: 'server' });
  assert.deepEqual(r.result.status, { ready: true });
  assert.equal(computeApply(cr({ size: 2, tags: ['c'] }), r.result).action, 'unchanged');
});
