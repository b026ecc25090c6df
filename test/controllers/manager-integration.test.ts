// The workload controllers under the real ControllerManager (journal-driven, watches) and
// the API server's validation, with a stand-in kubelet: pods become Running/Ready when
// seen, and finish terminating at once.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerManager } from '../../src/controllers/manager';
import { workloadReconcilers } from '../../src/controllers/workloads';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { Reconciler } from '../../src/controllers/types';
import type { KObject } from '../../src/api/types';
import { rolloutStatus } from '../../src/cli/rollout';
import { jobNameFor } from '../../src/controllers/cronjob';

before(async () => {
  await loadValidation();
});

const fakeKubelet: Reconciler = {
  name: 'fake-kubelet',
  primary: ['v1', 'Pod'],
  async reconcile(key, ctx) {
    const podType = ctx.api.registry.forKind('v1', 'Pod');
    const pod = await ctx.api.tryGet(podType, key.namespace, key.name);
    if (!pod) return;
    if (pod.metadata.deletionTimestamp) {
      await ctx.api.delete(podType, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
      return;
    }
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded') return;
    if (!pod.spec.nodeName) {
      const term = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0];
      const node = term?.matchFields?.[0]?.values?.[0] ?? 'node-1';
      await ctx.api.mutate(podType, pod.metadata.namespace, pod.metadata.name!, (p) => void (p.spec.nodeName = node));
    }
    const ts = ctx.api.timestamp();
    const job = pod.metadata.labels?.['job-name'] !== undefined;
    await ctx.api.mutate(podType, pod.metadata.namespace, pod.metadata.name!, (p) => {
      p.status = { ...p.status, phase: job ? 'Succeeded' : 'Running', podIP: `10.244.0.${Number(p.metadata.resourceVersion) % 250}`, conditions: [{ type: 'Ready', status: job ? 'False' : 'True', lastTransitionTime: ts }] };
    }, { status: true });
  },
};

async function cluster() {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 2 }), { validator: apiValidator() });
  const m = new ControllerManager([fakeKubelet, ...workloadReconcilers], c.ctx);
  return { ...c, m };
}

test('deployment under the manager: create, rolling update, self-heal — stable, no errors', async () => {
  const { api, m, logs } = await cluster();
  await api.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
  });
  await api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  let r = await m.runUntilStable();
  assert.equal(r.stable, true);
  assert.deepEqual(logs, []);
  const dType = api.registry.forKind('apps/v1', 'Deployment');
  assert.equal(rolloutStatus(await api.get(dType, 'default', 'web'), 0).message, 'deployment "web" successfully rolled out\n');
  const podType = api.registry.forKind('v1', 'Pod');
  assert.equal((await api.list(podType)).items.length, 3);
  const ep = await api.get(api.registry.forKind('v1', 'Endpoints'), 'default', 'web');
  assert.equal(ep.subsets[0].addresses.length, 3);

  await api.mutate(dType, 'default', 'web', (d) => void (d.spec.template.spec.containers[0].image = 'nginx:1.26'));
  r = await m.runUntilStable();
  assert.equal(r.stable, true);
  const rss = (await api.list(api.registry.forKind('apps/v1', 'ReplicaSet'))).items;
  assert.deepEqual(rss.map((x: KObject) => x.spec.replicas).sort(), [0, 3]);
  assert.ok((await api.list(podType)).items.every((p) => p.spec.containers[0].image === 'nginx:1.26'));

  const victim = (await api.list(podType)).items[0].metadata.name!;
  await api.delete(podType, 'default', victim);
  r = await m.runUntilStable();
  const names = (await api.list(podType)).items.map((p) => p.metadata.name);
  assert.equal(names.length, 3);
  assert.ok(!names.includes(victim));
  assert.deepEqual(logs, []);
});

test('cronjob under the manager fires when the clock is advanced; until-stable does not chase the schedule', async () => {
  const { api, m, clock, logs } = await cluster();
  await api.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello' },
    spec: { schedule: '*/10 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  });
  const start = clock.now();
  let r = await m.runUntilStable();
  assert.equal(r.stable, true);
  assert.equal(clock.now(), start, 'a schedule is a periodic timer: the clock stays put');
  const jobType = api.registry.forKind('batch/v1', 'Job');
  assert.equal((await api.list(jobType)).items.length, 0);
  clock.advance(10 * 60_000);
  r = await m.runUntilStable();
  const jobs = (await api.list(jobType)).items;
  assert.deepEqual(jobs.map((j) => j.metadata.name), [jobNameFor('hello', start + 10 * 60_000)]);
  const cond = jobs[0].status.conditions.map((c: any) => c.type);
  assert.deepEqual(cond, ['SuccessCriteriaMet', 'Complete']);
  assert.deepEqual(logs, []);
});

test('statefulset, daemonset and PVC provisioning pass API validation', async () => {
  const { api, m, logs } = await cluster();
  await api.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      replicas: 2,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  await api.create({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'fluentd' }] } } },
  });
  const r = await m.runUntilStable();
  assert.equal(r.stable, true);
  assert.deepEqual(logs, []);
  const pvcs = (await api.list(api.registry.forKind('v1', 'PersistentVolumeClaim'))).items;
  assert.deepEqual(pvcs.map((c) => `${c.metadata.name}:${c.status.phase}`), ['data-db-0:Bound', 'data-db-1:Bound']);
  const pods = (await api.list(api.registry.forKind('v1', 'Pod'))).items.map((p) => p.metadata.name!);
  assert.equal(pods.filter((n) => n.startsWith('agent-')).length, 2);
  assert.ok(pods.includes('db-0') && pods.includes('db-1'));
});

test('serviceaccount and root-ca-cert-publisher: a deleted default ServiceAccount and kube-root-ca.crt come back, an edited CA bundle is restored, a terminating namespace gets none', async () => {
  const { api, m } = await cluster();
  const cm = api.registry.forKind('v1', 'ConfigMap');
  const sa = api.registry.forKind('v1', 'ServiceAccount');
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  await m.runUntilStable();
  const original = await api.get(cm, 'team', 'kube-root-ca.crt');
  await api.delete(cm, 'team', 'kube-root-ca.crt');
  await api.delete(sa, 'team', 'default');
  await api.delete(cm, 'default', 'kube-root-ca.crt');
  await m.runUntilStable();
  for (const ns of ['team', 'default']) assert.deepEqual((await api.get(cm, ns, 'kube-root-ca.crt')).data, original.data, ns);
  assert.ok(await api.tryGet(sa, 'team', 'default'));
  const edited = await api.get(cm, 'team', 'kube-root-ca.crt');
  await api.update({ ...edited, metadata: { ...edited.metadata, labels: { mine: 'yes' } }, data: { 'ca.crt': 'not a CA', extra: 'x' } });
  await m.runUntilStable();
  const restored = await api.get(cm, 'team', 'kube-root-ca.crt');
  assert.deepEqual(restored.data, original.data);
  assert.equal(restored.metadata.labels?.mine, 'yes', 'the publisher changes only the bundle and its description');
  // A namespace being deleted: its contents go and are not put back.
  await api.delete(api.registry.forKind('v1', 'Namespace'), undefined, 'team');
  await m.runUntilStable();
  assert.equal(await api.tryGet(api.registry.forKind('v1', 'Namespace'), undefined, 'team'), undefined);
  assert.equal(await api.tryGet(cm, 'team', 'kube-root-ca.crt'), undefined);
});

test('a 1,050-replica Deployment under the manager: no reconcile writes more than a burst of pods, no re-list, and at rest nothing is written', async () => {
  const { api, m, clock, logs } = await cluster();
  // Each reconcile's writes, by how far it moved the store's revision. One reconcile that
  // created every pod at once outran the file store's journal in the daemon (10,000 pods:
  // 20,000 lines) and made the manager re-list everything.
  let most = 0;
  const runItem = m.runItem.bind(m);
  m.runItem = async (item) => {
    const before = await api.currentRev();
    await runItem(item);
    most = Math.max(most, (await api.currentRev()) - before);
  };
  await api.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'big', namespace: 'default' },
    spec: { replicas: 1050, selector: { matchLabels: { app: 'big' } }, template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
  });
  const r = await m.runUntilStable();
  assert.equal(r.stable, true);
  assert.deepEqual(logs, []);
  const pods = (await api.list(api.registry.forKind('v1', 'Pod'))).items;
  assert.equal(pods.length, 1050);
  assert.equal(pods.filter((p) => p.status?.phase === 'Running').length, 1050);
  // A burst is 500 pods and their SuccessfulCreate events, and the ReplicaSet's status.
  assert.ok(most <= 2 * 500 + 5, `a reconcile wrote ${most} times`);
  assert.equal(m.stats.relists, 0);
  const rs = (await api.list(api.registry.forKind('apps/v1', 'ReplicaSet'))).items[0];
  assert.equal(rs.status.readyReplicas, 1050);

  // Settled: the queue is empty and ten minutes of cluster time write nothing.
  assert.equal(m.queue.readyCount(), 0);
  const rev = await api.currentRev();
  for (let i = 0; i < 10; i++) {
    clock.advance(60_000);
    await m.processReady();
  }
  assert.equal(await api.currentRev(), rev);
  assert.equal(m.queue.readyCount(), 0);
  assert.deepEqual(logs, []);
});
