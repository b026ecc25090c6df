import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, deployment } from './harness';
import { deploymentReconciler, resolveFenceposts } from '../../src/controllers/deployment';
// The status line users see (`kubectl rollout status`) says whether the controller is done.
import { rolloutStatus } from '../../src/cli/rollout';
import { replicaSetReconciler } from '../../src/controllers/replicaset';
import type { KObject } from '../../src/api/types';

async function setup(): Promise<Harness> {
  return await Harness.create([deploymentReconciler, replicaSetReconciler], { nodes: 2 });
}

const dtype = (h: Harness) => h.type('apps/v1', 'Deployment');
const rsOf = async (h: Harness) => (await h.list('apps/v1', 'ReplicaSet')).sort((a, b) => Number(a.metadata.annotations!['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations!['deployment.kubernetes.io/revision']));
const setImage = (h: Harness, image: string) =>
  h.api.mutate(dtype(h), 'default', 'web', (d) => {
    d.spec.template.spec.containers[0].image = image;
  });

test('fenceposts round surge up and unavailable down', () => {
  assert.deepEqual(resolveFenceposts(deployment(3)), { maxSurge: 1, maxUnavailable: 0 });
  assert.deepEqual(resolveFenceposts(deployment(4)), { maxSurge: 1, maxUnavailable: 1 });
  assert.deepEqual(resolveFenceposts(deployment(10)), { maxSurge: 3, maxUnavailable: 2 });
  assert.deepEqual(resolveFenceposts(deployment(3, 'x', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })), { maxSurge: 0, maxUnavailable: 1 });
});

test('create: ReplicaSet named by template hash, pods, events, status and conditions', async () => {
  const h = await setup();
  await h.api.create(deployment(3));
  await h.run();
  const rss = await h.list('apps/v1', 'ReplicaSet');
  assert.equal(rss.length, 1);
  const rs = rss[0];
  const hash = rs.metadata.labels!['pod-template-hash'];
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.spec.selector.matchLabels['pod-template-hash'], hash);
  assert.equal(rs.spec.template.metadata.labels['pod-template-hash'], hash);
  assert.deepEqual(
    { r: rs.metadata.annotations!['deployment.kubernetes.io/revision'], d: rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], m: rs.metadata.annotations!['deployment.kubernetes.io/max-replicas'] },
    { r: '1', d: '3', m: '4' },
  );
  assert.equal(rs.metadata.ownerReferences![0].kind, 'Deployment');
  assert.equal(rs.metadata.ownerReferences![0].controller, true);
  const pods = await h.pods();
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    assert.deepEqual(p.metadata.ownerReferences![0], { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true });
  }
  const ev = await h.events();
  assert.ok(ev.includes(`ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`), ev.join('\n'));
  assert.equal(ev.filter((e) => e.startsWith('SuccessfulCreate Created pod: web-')).length, 3);
  const d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual(
    { ...d.status, conditions: undefined },
    { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: undefined },
  );
  const conds = d.status.conditions.map((c: any) => `${c.type} ${c.status} ${c.reason} ${c.message}`);
  assert.deepEqual(conds, ['Available True MinimumReplicasAvailable Deployment has minimum availability.', `Progressing True NewReplicaSetAvailable ReplicaSet "web-${hash}" has successfully progressed.`]);
  assert.equal(rolloutStatus(d, 0).message, 'deployment "web" successfully rolled out\n');
  const rsNow = await h.get('apps/v1', 'ReplicaSet', rs.metadata.name!);
  assert.deepEqual(rsNow.status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
});

test('the hash is stable for a template and differs when it changes', async () => {
  const a = await setup();
  await a.api.create(deployment(1));
  await a.run();
  const b = await setup();
  await b.api.create(deployment(1));
  await b.run();
  assert.equal((await a.list('apps/v1', 'ReplicaSet'))[0].metadata.name, (await b.list('apps/v1', 'ReplicaSet'))[0].metadata.name);
  const c = await setup();
  await c.api.create(deployment(1, 'nginx:1.26'));
  await c.run();
  assert.notEqual((await a.list('apps/v1', 'ReplicaSet'))[0].metadata.name, (await c.list('apps/v1', 'ReplicaSet'))[0].metadata.name);
});

test('unready pods: Available False and rollout status waits', async () => {
  const h = await setup();
  h.behaviour = () => 'running';
  await h.api.create(deployment(2));
  await h.run();
  const d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.status.unavailableReplicas, 2);
  assert.equal(d.status.conditions[0].reason, 'MinimumReplicasUnavailable');
  assert.equal(d.status.conditions[0].message, 'Deployment does not have minimum availability.');
  assert.equal(rolloutStatus(d, 0).message, 'Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available...\n');
});

test('scale up and down with events', async () => {
  const h = await setup();
  await h.api.create(deployment(2));
  await h.run();
  await h.api.mutate(dtype(h), 'default', 'web', (d) => void (d.spec.replicas = 5));
  await h.run();
  assert.equal((await h.pods()).length, 5);
  await h.api.mutate(dtype(h), 'default', 'web', (d) => void (d.spec.replicas = 1));
  await h.run();
  assert.equal((await h.pods()).length, 1);
  const rs = (await h.list('apps/v1', 'ReplicaSet'))[0].metadata.name;
  const ev = (await h.events()).filter((e) => e.startsWith('ScalingReplicaSet'));
  assert.deepEqual(ev, [
    `ScalingReplicaSet Scaled up replica set ${rs} from 0 to 2`,
    `ScalingReplicaSet Scaled up replica set ${rs} from 2 to 5`,
    `ScalingReplicaSet Scaled down replica set ${rs} from 5 to 1`,
  ]);
  assert.equal((await h.events()).filter((e) => e.startsWith('SuccessfulDelete Deleted pod: ')).length, 4);
  assert.equal((await h.get('apps/v1', 'ReplicaSet', rs!)).metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '1');
});

test('rolling update: two ReplicaSets mid-way within maxSurge/maxUnavailable, then old scaled to 0', async () => {
  const h = await setup();
  await h.api.create(deployment(4));
  await h.run();
  // New pods stay unready until released, so the rollout stops part-way.
  h.behaviour = async (pod) => (pod.metadata.labels!['pod-template-hash'] === (await rsOf(h))[0].metadata.labels!['pod-template-hash'] ? 'ready' : 'running');
  await setImage(h, 'nginx:1.26');
  await h.run();
  const [oldRS, newRS] = await rsOf(h);
  assert.ok(newRS, 'a second ReplicaSet exists');
  // replicas 4: maxSurge 1, maxUnavailable 1 → at most 5 pods, at least 3 available
  assert.equal(oldRS.spec.replicas, 3);
  assert.equal(newRS.spec.replicas, 2);
  assert.equal((await h.pods()).length, 5);
  let d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
  assert.equal(d.status.updatedReplicas, 2);
  assert.equal(d.status.availableReplicas, 3);
  assert.equal(rolloutStatus(d, 0).message, 'Waiting for deployment "web" rollout to finish: 2 out of 4 new replicas have been updated...\n');
  const prog = d.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.equal(prog.reason, 'ReplicaSetUpdated');
  assert.equal(prog.message, `ReplicaSet "${newRS.metadata.name}" is progressing.`);
  // Release: everything becomes ready.
  h.behaviour = () => 'ready';
  await h.run();
  const [o2, n2] = await rsOf(h);
  assert.equal(o2.spec.replicas, 0);
  assert.equal(n2.spec.replicas, 4);
  assert.equal((await h.pods()).length, 4);
  assert.ok((await h.pods()).every((p) => p.metadata.labels!['pod-template-hash'] === n2.metadata.labels!['pod-template-hash']));
  d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(rolloutStatus(d, 0).message, 'deployment "web" successfully rolled out\n');
  const ev = (await h.events()).filter((e) => e.startsWith('ScalingReplicaSet'));
  assert.ok(ev.includes(`ScalingReplicaSet Scaled up replica set ${n2.metadata.name} from 0 to 1`) || ev.includes(`ScalingReplicaSet Scaled up replica set ${n2.metadata.name} from 0 to 2`), ev.join('\n'));
  assert.ok(ev.some((e) => e.startsWith(`ScalingReplicaSet Scaled down replica set ${o2.metadata.name} from 4 to `)), ev.join('\n'));
  // The old ReplicaSet is kept at 0 (revision history).
  assert.equal((await h.list('apps/v1', 'ReplicaSet')).length, 2);
});

test('rolling update never drops below minAvailable (replicas 3: surge 1, unavailable 0)', async () => {
  const h = await setup();
  await h.api.create(deployment(3));
  await h.run();
  h.behaviour = (pod) => (pod.spec.containers[0].image === 'nginx:1.26' ? 'running' : 'ready');
  await setImage(h, 'nginx:1.26');
  await h.run();
  const [oldRS, newRS] = await rsOf(h);
  assert.equal(oldRS.spec.replicas, 3);
  assert.equal(newRS.spec.replicas, 1);
});

// `rollout undo` itself (which revision, skip, errors) is tested through the CLI in
// test/e2e/rollout-deployment.test.ts; here, what the controller does with the old template.
test('rollback re-applies an old template and reuses its ReplicaSet with revision history', async () => {
  const h = await setup();
  await h.api.create(deployment(2));
  await h.run();
  const first = (await h.list('apps/v1', 'ReplicaSet'))[0].metadata.name;
  await setImage(h, 'nginx:1.26');
  await h.run();
  await h.api.mutate(dtype(h), 'default', 'web', (o) => void (o.spec.template.spec.containers[0].image = 'nginx:1.25'));
  await h.run();
  const rss = await h.list('apps/v1', 'ReplicaSet');
  assert.equal(rss.length, 2, 'no third ReplicaSet');
  const reused = await h.get('apps/v1', 'ReplicaSet', first!);
  assert.equal(reused.spec.replicas, 2);
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  const d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.deepEqual(rss.map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision']).sort(), ['2', '3']);
});

test('revisionHistoryLimit deletes the oldest idle ReplicaSets', async () => {
  const h = await setup();
  await h.api.create(deployment(1, 'nginx:1', { revisionHistoryLimit: 1 }));
  await h.run();
  for (const img of ['nginx:2', 'nginx:3', 'nginx:4']) {
    await setImage(h, img);
    await h.run();
  }
  const revs = (await rsOf(h)).map((r) => r.metadata.annotations!['deployment.kubernetes.io/revision']);
  assert.deepEqual(revs, ['3', '4']);
});

test('progress deadline exceeded → Progressing False ProgressDeadlineExceeded', async () => {
  const h = await setup();
  h.behaviour = () => 'running';
  await h.api.create(deployment(1, 'nginx:1.25', { progressDeadlineSeconds: 60 }));
  await h.run(30_000);
  let d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.status.conditions.find((c: any) => c.type === 'Progressing').status, 'True');
  await h.advance(60_000);
  d = await h.get('apps/v1', 'Deployment', 'web');
  const p = d.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.deepEqual([p.status, p.reason, p.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${(await h.list('apps/v1', 'ReplicaSet'))[0].metadata.name}" has timed out progressing.`]);
  assert.throws(() => rolloutStatus(d, 0), { message: 'deployment "web" exceeded its progress deadline' });
});

test('a ReplicaSet refused pods by a quota: its ReplicaFailure shows on the Deployment, and goes once pods fit', async () => {
  const h = await setup();
  await h.api.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'default' }, spec: { hard: { pods: '2' } } });
  await h.api.create(deployment(3));
  await h.run(30_000);
  const [rs] = await rsOf(h);
  const failure = rs.status.conditions.find((c: any) => c.type === 'ReplicaFailure');
  assert.match(failure.message, /^pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2$/);
  let d = await h.get('apps/v1', 'Deployment', 'web');
  // As the deployment controller's getReplicaFailures: the condition as the ReplicaSet has it.
  assert.deepEqual(
    d.status.conditions.map((c: any) => c.type),
    ['Available', 'Progressing', 'ReplicaFailure'],
  );
  assert.deepEqual(d.status.conditions[2], { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });

  await h.api.mutate(h.type('v1', 'ResourceQuota'), 'default', 'pods', (q) => void (q.spec.hard.pods = '3'));
  await h.run(10 * 60_000);
  d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.status.readyReplicas, 3);
  assert.deepEqual(d.status.conditions.map((c: any) => c.type), ['Available', 'Progressing']);
});

test('Recreate scales the old ReplicaSet to 0 before creating the new one', async () => {
  const h = await setup();
  await h.api.create(deployment(2, 'nginx:1', { strategy: { type: 'Recreate' } }));
  await h.run();
  await setImage(h, 'nginx:2');
  await h.pass(); // one pass: old scaled down, new not yet created
  assert.equal((await rsOf(h)).length, 1);
  assert.equal((await rsOf(h))[0].spec.replicas, 0);
  await h.run();
  const [o, n] = await rsOf(h);
  assert.deepEqual([o.spec.replicas, n.spec.replicas], [0, 2]);
});

test('paused deployment: template change not rolled out, condition DeploymentPaused', async () => {
  const h = await setup();
  await h.api.create(deployment(2));
  await h.run();
  await h.api.mutate(dtype(h), 'default', 'web', (d) => void (d.spec.paused = true));
  await setImage(h, 'nginx:9');
  await h.run();
  assert.equal((await h.list('apps/v1', 'ReplicaSet')).length, 1);
  let d = await h.get('apps/v1', 'Deployment', 'web');
  const p = d.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.deepEqual([p.status, p.reason, p.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
  await h.api.mutate(dtype(h), 'default', 'web', (o) => void (o.spec.paused = false));
  await h.run();
  assert.equal((await h.list('apps/v1', 'ReplicaSet')).length, 2);
  d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(rolloutStatus(d, 0).done, true);
});

test('minReadySeconds: pods count as available only after being Ready that long', async () => {
  const h = await setup();
  await h.api.create(deployment(2, 'nginx:1', { minReadySeconds: 10 }));
  await h.settle();
  let d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.status.readyReplicas, 2);
  assert.equal(d.status.availableReplicas, undefined);
  assert.equal(d.status.unavailableReplicas, 2);
  await h.run(10_000);
  d = await h.get('apps/v1', 'Deployment', 'web');
  assert.equal(d.status.availableReplicas, 2);
  assert.equal(rolloutStatus(d, 0).done, true);
});

test('scaling in the middle of a rollout spreads replicas proportionally over both ReplicaSets', async () => {
  const h = await setup();
  await h.api.create(deployment(10));
  await h.run();
  h.behaviour = (pod) => (pod.spec.containers[0].image === 'nginx:1.26' ? 'running' : 'ready');
  await setImage(h, 'nginx:1.26');
  await h.run();
  const [o1, n1] = await rsOf(h);
  // replicas 10: maxSurge 3, maxUnavailable 2 → new 5, old 8
  assert.deepEqual([o1.spec.replicas, n1.spec.replicas], [8, 5]);
  await h.api.mutate(dtype(h), 'default', 'web', (d) => void (d.spec.replicas = 20));
  await h.run();
  const [o2, n2] = await rsOf(h);
  // allowed 20 + 5 = 25: 12 to add over 13 replicas, shared by size (8*12/13 → 7, 5*12/13 → 4, the leftover to the larger)
  assert.equal(o2.spec.replicas + n2.spec.replicas, 25);
  assert.ok(o2.spec.replicas > 8 && n2.spec.replicas > 5, `${o2.spec.replicas}/${n2.spec.replicas}`);
  assert.equal(o2.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '20');
  assert.equal(n2.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '25');
});

test('a ReplicaSet scaled by hand is brought back to the deployment size', async () => {
  const h = await setup();
  await h.api.create(deployment(2));
  await h.run();
  const rs = (await h.list('apps/v1', 'ReplicaSet'))[0].metadata.name!;
  await h.api.mutate(h.type('apps/v1', 'ReplicaSet'), 'default', rs, (o) => void (o.spec.replicas = 5));
  await h.run();
  assert.equal((await h.get('apps/v1', 'ReplicaSet', rs)).spec.replicas, 2);
  assert.equal((await h.pods()).length, 2);
  assert.ok((await h.events()).includes(`ScalingReplicaSet Scaled down replica set ${rs} from 5 to 2`));
});
