import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { hpaReconciler } from '../../src/controllers/hpa';
import { deploymentReconciler } from '../../src/controllers/deployment';
import { replicaSetReconciler } from '../../src/controllers/replicaset';
import { collectGarbage } from '../../src/controllers/garbage-collector';
import type { KObject } from '../../src/api/types';

const deploy: KObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'php', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'php' } },
    template: {
      metadata: { labels: { app: 'php' }, annotations: { 'kubesim.io/cpu-usage': '300m' } },
      spec: { containers: [{ name: 'php', image: 'php', resources: { requests: { cpu: '200m' } } }] },
    },
  },
};
const hpa: KObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'php', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'php' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
  },
};

test('HPA scales a Deployment up on simulated CPU usage, with the real event text and status', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler, hpaReconciler], { nodes: 1 });
  await h.api.create(deploy);
  await h.api.create(hpa);
  // The HPA's first sync sees no pod ready yet; the next, one sync period (15 s) later, scales.
  await h.run(15_000);
  // 300m of 200m = 150% vs 50% → ceil(3 * 2) = 6
  assert.equal((await h.get('apps/v1', 'Deployment', 'php')).spec.replicas, 6);
  const st = (await h.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'php')).status;
  assert.equal(st.desiredReplicas, 6);
  assert.deepEqual(st.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '300m' } } }]);
  assert.ok((await h.events()).includes('SuccessfulRescale New size: 6; reason: cpu resource utilization (percentage of request) above target'), (await h.events()).join('\n'));
  const sa = st.conditions.find((c: any) => c.type === 'ScalingActive');
  assert.equal(sa.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
  assert.deepEqual(st.conditions.map((c: any) => c.type), ['AbleToScale', 'ScalingActive', 'ScalingLimited']);
  // capped by maxReplicas on the next sync (6 pods at 150% → 18 → 10)
  h.clock.advance(15_000);
  await h.settle();
  assert.equal((await h.get('apps/v1', 'Deployment', 'php')).spec.replicas, 10);
  const lim = (await h.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'php')).status.conditions.find((c: any) => c.type === 'ScalingLimited');
  assert.equal(lim.reason, 'TooManyReplicas');
});

test('HPA without CPU requests reports FailedGetResourceMetric', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler, hpaReconciler], { nodes: 1 });
  const d = structuredClone(deploy);
  delete d.spec.template.spec.containers[0].resources;
  await h.api.create(d);
  await h.api.create(hpa);
  await h.run(15_000);
  const st = (await h.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'php')).status;
  const c = st.conditions.find((x: any) => x.type === 'ScalingActive');
  assert.equal(c.reason, 'FailedGetResourceMetric');
  assert.match(c.message, /missing request for cpu in container php of Pod php-/);
  assert.equal((await h.get('apps/v1', 'Deployment', 'php')).spec.replicas, 2);
});

test('garbage collector deletes objects whose owners are gone and drops dangling references', async () => {
  const h = await Harness.create([], { nodes: 0 });
  const cm = await h.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
  const ref = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid });
  await h.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', ownerReferences: [ref('ghost', '00000000-0000-4000-8000-000000000000')] } });
  await h.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'half', ownerReferences: [ref('ghost', '00000000-0000-4000-8000-000000000000'), ref('owner', cm.metadata.uid!)] } });
  await h.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', ownerReferences: [ref('owner', cm.metadata.uid!)] } });
  const r = await collectGarbage(h.ctx, 'default');
  assert.deepEqual(r, { deleted: ['configmaps/orphan'], orphaned: ['configmaps/half'] });
  const cmType = h.type('v1', 'ConfigMap');
  assert.equal(await h.api.tryGet(cmType, 'default', 'orphan'), undefined);
  assert.deepEqual((await h.get('v1', 'ConfigMap', 'half')).metadata.ownerReferences!.map((x) => x.name), ['owner']);
  assert.ok(await h.api.tryGet(cmType, 'default', 'kept'));
});
