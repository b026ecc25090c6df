import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createThreeWayMergePatch } from '../../src/api/apply/strategic-merge';
import { LAST_APPLIED, lastAppliedJson, withLastApplied } from '../../src/api/apply/last-applied';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

// A three-way apply recorded from real kubectl: last-applied, live object, new manifest, patch.
const lastApplied = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'fe' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'api',
            image: 'nginx:1.25',
            args: ['--x', '--y'],
            ports: [{ containerPort: 80 }, { containerPort: 9090 }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'side', image: 'busybox' },
        ],
      },
    },
  },
};

const manifest = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'api',
            image: 'nginx:1.27',
            args: ['--x'],
            ports: [{ containerPort: 80 }],
            env: [
              { name: 'A', value: '1' },
              { name: 'C', value: '3' },
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
  },
};

/** What the server stored: last-applied plus defaults and server-set fields. */
function liveFrom(applied: any): any {
  const live = withLastApplied(clone(applied)) as any;
  live.metadata.uid = 'u-1';
  live.metadata.resourceVersion = '42';
  live.metadata.generation = 1;
  live.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  live.metadata.annotations['deployment.kubernetes.io/revision'] = '1';
  live.spec.progressDeadlineSeconds = 600;
  live.spec.revisionHistoryLimit = 10;
  live.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  live.spec.template.metadata.creationTimestamp = null;
  const pod = live.spec.template.spec;
  pod.restartPolicy = 'Always';
  pod.dnsPolicy = 'ClusterFirst';
  pod.terminationGracePeriodSeconds = 30;
  pod.schedulerName = 'default-scheduler';
  pod.securityContext = {};
  for (const c of pod.containers) {
    c.imagePullPolicy = 'IfNotPresent';
    c.terminationMessagePath = '/dev/termination-log';
    c.terminationMessagePolicy = 'File';
    c.resources = {};
    for (const p of c.ports ?? []) p.protocol = 'TCP';
  }
  live.status = { observedGeneration: 1, replicas: 2, readyReplicas: 2 };
  return live;
}

test('the recorded kubectl patch is reproduced exactly', () => {
  const live = liveFrom(lastApplied);
  const modified = withLastApplied(manifest);
  const original = JSON.parse(live.metadata.annotations[LAST_APPLIED]);
  const patch = createThreeWayMergePatch(original, modified, live, 'Deployment', 'apps/v1') as any;
  assert.equal(patch.metadata.annotations[LAST_APPLIED], lastAppliedJson(manifest));
  delete patch.metadata.annotations[LAST_APPLIED];
  assert.deepEqual(patch, {
    metadata: { annotations: {}, labels: { tier: null } },
    spec: {
      replicas: null,
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'api' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
              '$setElementOrder/ports': [{ containerPort: 80 }],
              args: ['--x'],
              env: [
                { name: 'C', value: '3' },
                { $patch: 'delete', name: 'B' },
              ],
              image: 'nginx:1.27',
              name: 'api',
              ports: [{ $patch: 'delete', containerPort: 9090 }],
              volumeMounts: [{ mountPath: '/data', name: 'data' }],
            },
            { $patch: 'delete', name: 'side' },
          ],
          volumes: [{ emptyDir: {}, name: 'data' }],
        },
      },
    },
  });
});

test('re-applying the same manifest on a defaulted live object gives an empty patch', () => {
  const live = liveFrom(manifest);
  const modified = withLastApplied(manifest);
  const patch = createThreeWayMergePatch(JSON.parse(live.metadata.annotations[LAST_APPLIED]), modified, live, 'Deployment', 'apps/v1');
  assert.deepEqual(patch, {});
});

test('replicas changed by scale is re-asserted when the manifest sets it', () => {
  const live = liveFrom(lastApplied);
  live.spec.replicas = 5;
  const patch = createThreeWayMergePatch(JSON.parse(live.metadata.annotations[LAST_APPLIED]), withLastApplied(lastApplied), live, 'Deployment', 'apps/v1');
  assert.deepEqual(patch, { spec: { replicas: 2 } });
});

test('replicas set by scale survives when the manifest never had it', () => {
  const live = liveFrom(manifest);
  live.spec.replicas = 5;
  const patch = createThreeWayMergePatch(JSON.parse(live.metadata.annotations[LAST_APPLIED]), withLastApplied(manifest), live, 'Deployment', 'apps/v1');
  assert.deepEqual(patch, {});
});

test('labels added by someone else are kept; labels removed from the manifest become null', () => {
  const live = liveFrom(lastApplied);
  live.metadata.labels.owner = 'ops';
  const next = clone(lastApplied) as any;
  delete next.metadata.labels.tier;
  const patch = createThreeWayMergePatch(JSON.parse(live.metadata.annotations[LAST_APPLIED]), withLastApplied(next), live, 'Deployment', 'apps/v1') as any;
  assert.deepEqual(patch.metadata.labels, { tier: null });
  assert.deepEqual(Object.keys(patch.metadata).sort(), ['annotations', 'labels']);
  assert.equal(patch.spec, undefined);
});

test('retainKeys: switching the strategy to Recreate sends $retainKeys', () => {
  const withStrategy = clone(manifest) as any;
  withStrategy.spec.strategy = { type: 'RollingUpdate' };
  const live = liveFrom(withStrategy);
  const next = clone(withStrategy);
  next.spec.strategy = { type: 'Recreate' };
  const patch = createThreeWayMergePatch(JSON.parse(live.metadata.annotations[LAST_APPLIED]), withLastApplied(next), live, 'Deployment', 'apps/v1') as any;
  assert.deepEqual(patch.spec, { strategy: { $retainKeys: ['type'], type: 'Recreate' } });
});

test('missing annotation: no deletions, the annotation is added', () => {
  const live = liveFrom(lastApplied);
  delete live.metadata.annotations[LAST_APPLIED];
  const patch = createThreeWayMergePatch(undefined, withLastApplied(manifest), live, 'Deployment', 'apps/v1') as any;
  assert.equal(patch.metadata.annotations[LAST_APPLIED], lastAppliedJson(manifest));
  assert.equal(patch.metadata.labels, undefined, 'tier is not deleted without an original');
  assert.equal(patch.spec.replicas, undefined);
  // the sidecar is not deleted, but the order of the containers is asserted
  const containers = patch.spec.template.spec.containers;
  assert.ok(!containers.some((c: any) => c.$patch === 'delete'));
  assert.deepEqual(patch.spec.template.spec['$setElementOrder/containers'], [{ name: 'api' }]);
});

test('container order change emits only $setElementOrder', () => {
  const two = clone(manifest) as any;
  two.spec.template.spec.containers.push({ name: 'b', image: 'busybox' });
  const live = liveFrom(two);
  const swapped = clone(two);
  swapped.spec.template.spec.containers.reverse();
  const patch = createThreeWayMergePatch(JSON.parse(live.metadata.annotations[LAST_APPLIED]), withLastApplied(swapped), live, 'Deployment', 'apps/v1') as any;
  delete patch.metadata;
  assert.deepEqual(patch, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'api' }] } } } });
});

test('finalizers (primitive merge list) use $deleteFromPrimitiveList', () => {
  const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x/a', 'x/b'] } };
  const b = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x/b', 'x/c'] } };
  const patch = createThreeWayMergePatch(a, b, a, 'ConfigMap', 'v1');
  assert.deepEqual(patch, {
    metadata: {
      '$deleteFromPrimitiveList/finalizers': ['x/a'],
      '$setElementOrder/finalizers': ['x/b', 'x/c'],
      finalizers: ['x/c'],
    },
  });
});

test('atomic lists (tolerations, command) are replaced wholesale', () => {
  const a = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', image: 'i', command: ['a', 'b'] }] } };
  const b = clone(a) as any;
  b.spec.tolerations = [{ key: 'b', operator: 'Exists' }];
  b.spec.containers[0].command = ['a'];
  const patch = createThreeWayMergePatch(a, b, a, 'Pod', 'v1');
  assert.deepEqual(patch, {
    spec: {
      '$setElementOrder/containers': [{ name: 'c' }],
      containers: [{ command: ['a'], name: 'c' }],
      tolerations: [{ key: 'b', operator: 'Exists' }],
    },
  });
});

test('custom resources get a three-way JSON merge patch (lists replaced, no directives)', () => {
  const original = { apiVersion: 'ex.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: 1, b: 2, items: [{ name: 'x' }] } };
  const current = { ...clone(original), status: { ok: true }, spec: { a: 1, b: 2, c: 9, items: [{ name: 'x' }] } };
  const modified = { apiVersion: 'ex.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: 5, items: [{ name: 'y' }] } };
  const patch = createThreeWayMergePatch(original, modified, current, 'Widget', 'ex.com/v1');
  assert.deepEqual(patch, { spec: { a: 5, b: null, items: [{ name: 'y' }] } });
});

test('a CRD kind named like a built-in is not given the built-in strategy', () => {
  const mk = (cs: any[]) => ({ apiVersion: 'ex.com/v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: cs } });
  const patch = createThreeWayMergePatch(mk([{ name: 'a' }]), mk([{ name: 'b' }]), mk([{ name: 'a' }]), 'Pod', 'ex.com/v1');
  assert.deepEqual(patch, { spec: { containers: [{ name: 'b' }] } });
});

test('merge key missing from a container is an error naming the map', () => {
  const a = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const b = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ image: 'nginx' }] } };
  assert.throws(() => createThreeWayMergePatch(a, b, a, 'Pod', 'v1'), /map: map\[image:nginx\] does not contain declared merge key: name/);
});
