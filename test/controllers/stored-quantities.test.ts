// Objects an older kubesim stored (before session 40) keep their quantities as written
// (`cpu: 1000m`) until their next write, which stores kube's canonical form ("1"). kube
// decodes every object it reads, so its controllers only ever compare canonical templates: a
// Deployment's next update must find its ReplicaSet, a StatefulSet's and a DaemonSet's their
// ControllerRevision, and roll nothing. The old form is written into the store directly (the
// Store interface, under the API server), as that kubesim wrote it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, deployment } from './harness';
import { deploymentReconciler } from '../../src/controllers/deployment';
import { replicaSetReconciler } from '../../src/controllers/replicaset';
import { statefulSetReconciler } from '../../src/controllers/statefulset';
import { daemonSetReconciler } from '../../src/controllers/daemonset';
import { objectKey } from '../../src/api/keys';
import type { KObject } from '../../src/api/types';

const RESOURCES = { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '2000m' } };
const CANONICAL = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2' } };

/** Rewrites the stored object's pod template resources as an older kubesim left them (the API server bypassed). */
async function storeAsWritten(h: Harness, o: KObject): Promise<void> {
  const rt = h.type(o.apiVersion, o.kind);
  const raw = structuredClone(await h.get(o.apiVersion, o.kind, o.metadata.name!, o.metadata.namespace));
  raw.spec.template.spec.containers[0].resources = structuredClone(RESOURCES);
  await h.api.store.update(objectKey(rt, o.metadata.namespace, o.metadata.name!), raw, Number(raw.metadata.resourceVersion));
}

const withResources = (o: KObject): KObject => {
  o.spec.template.spec.containers[0].resources = structuredClone(RESOURCES);
  return o;
};

test('a Deployment and its ReplicaSet stored with quantities as written: an update of the Deployment scales the same ReplicaSet, no new one', async () => {
  const h = await Harness.create([deploymentReconciler, replicaSetReconciler], { nodes: 2 });
  const d = await h.api.create(withResources(deployment(2)));
  assert.deepEqual(d.spec.template.spec.containers[0].resources, CANONICAL, 'written now: canonical');
  // the older kubesim's store: the Deployment as written, its ReplicaSet made from that (named
  // by that template's hash) and stored as written too
  await storeAsWritten(h, d);
  await h.run();
  const [rs] = await h.list('apps/v1', 'ReplicaSet');
  await storeAsWritten(h, rs);
  await h.run();
  assert.equal((await h.list('apps/v1', 'ReplicaSet')).length, 1, 'read as kube decodes them, the templates are one');
  // the next write stores the Deployment canonical; its ReplicaSet is still as written
  await h.api.mutate(h.type('apps/v1', 'Deployment'), 'default', 'web', (o) => void (o.spec.replicas = 3));
  await h.run();
  const rss = await h.list('apps/v1', 'ReplicaSet');
  assert.deepEqual(rss.map((r) => [r.metadata.name, r.spec.replicas, r.metadata.annotations?.['deployment.kubernetes.io/revision']]), [[rs.metadata.name, 3, '1']]);
  assert.equal((await h.pods()).length, 3);
  // a real change of the template still rolls out
  await h.api.mutate(h.type('apps/v1', 'Deployment'), 'default', 'web', (o) => void (o.spec.template.spec.containers[0].resources.requests.cpu = '1500m'));
  await h.run();
  assert.equal((await h.list('apps/v1', 'ReplicaSet')).length, 2);
});

const sts = (): KObject =>
  withResources({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } } },
  });

const ds = (): KObject =>
  withResources({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } } },
  });

for (const [kind, make, reconciler] of [['StatefulSet', sts, statefulSetReconciler], ['DaemonSet', ds, daemonSetReconciler]] as const) {
  test(`a ${kind} stored with quantities as written, its revision and pods made from that: its next update keeps the revision, no pod rolled`, async () => {
    const h = await Harness.create([reconciler], { nodes: 2 });
    const created = await h.api.create(make());
    // stored as the older kubesim stored it, before its controller first ran
    await storeAsWritten(h, created);
    await h.run();
    const revisions = async () => (await h.list('apps/v1', 'ControllerRevision')).map((r) => [r.metadata.name, r.revision]);
    const podRevs = async () => (await h.pods()).map((p) => [p.metadata.name, p.metadata.labels?.['controller-revision-hash'], p.metadata.uid]).sort();
    const [revsBefore, podsBefore] = [await revisions(), await podRevs()];
    assert.equal(revsBefore.length, 1);
    assert.equal(podsBefore.length, 2);
    // an update (a label): the stored template becomes canonical
    await h.api.mutate(h.type('apps/v1', kind), 'default', created.metadata.name!, (o) => void (o.metadata.labels = { team: 'a' }));
    const updated = await h.get('apps/v1', kind, created.metadata.name!);
    assert.deepEqual(updated.spec.template.spec.containers[0].resources, CANONICAL);
    await h.run();
    assert.deepEqual(await revisions(), revsBefore);
    assert.deepEqual(await podRevs(), podsBefore);
    const status = (await h.get('apps/v1', kind, created.metadata.name!)).status;
    if (kind === 'StatefulSet') assert.deepEqual([status.currentRevision, status.updateRevision], [revsBefore[0][0], revsBefore[0][0]]);
    else assert.equal(status.updatedNumberScheduled, 2);
  });
}
