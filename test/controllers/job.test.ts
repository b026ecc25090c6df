import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { jobReconciler, formatIndexes, JOB_TRACKING_FINALIZER } from '../../src/controllers/job';
import type { KObject } from '../../src/api/types';

const job = (spec: any = {}): KObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default' },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
    ...spec,
  },
});

const conds = (j: KObject) => (j.status.conditions ?? []).map((c: any) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);

test('a Job runs its pods to completion: labels, finalizer, counts, conditions, events', async () => {
  const h = await Harness.create([jobReconciler], { nodes: 1 });
  h.behaviour = () => 'running';
  await h.api.create(job({ completions: 3, parallelism: 2 }));
  await h.run();
  let j = await h.get('batch/v1', 'Job', 'pi');
  const uid = j.metadata.uid!;
  // (selector defaulting is the API server's; the controller does not write spec)
  assert.equal(j.metadata.generation, 1);
  let pods = await h.pods();
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.match(p.metadata.name!, /^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(p.metadata.labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' });
    assert.deepEqual(p.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
  }
  assert.equal(j.status.active, 2);
  assert.equal(j.status.ready, 0);
  assert.equal(j.status.startTime, '2025-01-01T00:00:00Z');
  h.behaviour = () => 'succeed';
  h.clock.advance(5000);
  await h.settle();
  j = await h.get('batch/v1', 'Job', 'pi');
  assert.equal(j.status.succeeded, 3);
  assert.equal(j.status.active, undefined);
  assert.equal(j.status.completionTime, '2025-01-01T00:00:05Z');
  assert.deepEqual(conds(j), ['SuccessCriteriaMet=True CompletionsReached: Reached expected number of succeeded pods', 'Complete=True CompletionsReached: Reached expected number of succeeded pods']);
  assert.deepEqual(j.status.uncountedTerminatedPods, {});
  pods = await h.pods();
  assert.equal(pods.length, 3);
  assert.ok(pods.every((p) => !p.metadata.finalizers));
  const ev = await h.events();
  assert.equal(ev.filter((e) => e.startsWith('SuccessfulCreate Created pod: pi-')).length, 3);
  assert.equal(ev[ev.length - 1], 'Completed Job completed');
});

test('failures back off 10s, 20s, … and stop at backoffLimit with BackoffLimitExceeded', async () => {
  const h = await Harness.create([jobReconciler], { nodes: 1 });
  h.behaviour = () => 'fail';
  await h.api.create(job({ backoffLimit: 2 }));
  await h.settle();
  assert.equal((await h.pods()).length, 1);
  assert.equal((await h.get('batch/v1', 'Job', 'pi')).status.failed, 1);
  h.clock.advance(9_000);
  await h.settle();
  assert.equal((await h.pods()).length, 1, 'still backing off after 9s');
  h.clock.advance(1_000);
  await h.settle();
  assert.equal((await h.pods()).length, 2, 'second pod after 10s');
  h.clock.advance(19_000);
  await h.settle();
  assert.equal((await h.pods()).length, 2, 'second back-off is 20s');
  h.clock.advance(1_000);
  await h.settle();
  assert.equal((await h.pods()).length, 3);
  const j = await h.get('batch/v1', 'Job', 'pi');
  assert.equal(j.status.failed, 3);
  assert.deepEqual(conds(j), ['FailureTarget=True BackoffLimitExceeded: Job has reached the specified backoff limit', 'Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit']);
  assert.ok((await h.events()).includes('BackoffLimitExceeded Job has reached the specified backoff limit'));
  await h.advance(600_000);
  assert.equal((await h.pods()).length, 3, 'no more pods after failing');
});

test('activeDeadlineSeconds fails the job and deletes its running pods', async () => {
  const h = await Harness.create([jobReconciler], { nodes: 1 });
  h.behaviour = () => 'ready';
  await h.api.create(job({ activeDeadlineSeconds: 30 }));
  await h.run(29_000);
  assert.equal(await isFailed(h), false);
  await h.advance(2_000);
  assert.equal(await isFailed(h), true);
  const j = await h.get('batch/v1', 'Job', 'pi');
  assert.ok(conds(j).includes('Failed=True DeadlineExceeded: Job was active longer than specified deadline'));
  assert.equal((await h.pods()).length, 0);
  assert.ok((await h.events()).includes('DeadlineExceeded Job was active longer than specified deadline'));
});

async function isFailed(h: Harness): Promise<boolean> {
  return ((await h.get('batch/v1', 'Job', 'pi')).status.conditions ?? []).some((c: any) => c.type === 'Failed');
}

test('Indexed jobs name pods by index and report completedIndexes', async () => {
  const h = await Harness.create([jobReconciler], { nodes: 1 });
  h.behaviour = () => 'succeed';
  await h.api.create(job({ completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  await h.run(1000);
  const pods = await h.pods();
  assert.deepEqual(pods.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index']).sort(), ['0', '1', '2']);
  for (const p of pods) assert.ok(p.metadata.name!.startsWith(`pi-${p.metadata.labels!['batch.kubernetes.io/job-completion-index']}-`));
  const j = await h.get('batch/v1', 'Job', 'pi');
  assert.equal(j.status.completedIndexes, '0-2');
  assert.equal(j.status.succeeded, 3);
  assert.equal(formatIndexes([0, 1, 2, 4, 6, 7]), '0-2,4,6-7');
});

test('suspend deletes active pods; ttlSecondsAfterFinished deletes the finished job', async () => {
  const h = await Harness.create([jobReconciler], { nodes: 1 });
  h.behaviour = () => 'running';
  await h.api.create(job({ ttlSecondsAfterFinished: 100 }));
  await h.run();
  assert.equal((await h.pods()).length, 1);
  await h.api.mutate(h.type('batch/v1', 'Job'), 'default', 'pi', (o) => void (o.spec.suspend = true));
  await h.run();
  assert.equal((await h.pods()).length, 0);
  assert.ok(conds(await h.get('batch/v1', 'Job', 'pi')).includes('Suspended=True JobSuspended: Job suspended'));
  await h.api.mutate(h.type('batch/v1', 'Job'), 'default', 'pi', (o) => void (o.spec.suspend = false));
  h.behaviour = () => 'succeed';
  await h.run(1000);
  assert.ok(conds(await h.get('batch/v1', 'Job', 'pi')).some((c: string) => c.startsWith('Complete=True')));
  const done = Date.parse((await h.get('batch/v1', 'Job', 'pi')).status.completionTime);
  assert.equal((await h.get('batch/v1', 'Job', 'pi')).status.failed, undefined, 'suspension is not a failure');
  h.clock.set(done + 99_000);
  await h.settle();
  assert.ok(await h.api.tryGet(h.type('batch/v1', 'Job'), 'default', 'pi'));
  h.clock.set(done + 100_000);
  await h.settle();
  assert.equal(await h.api.tryGet(h.type('batch/v1', 'Job'), 'default', 'pi'), undefined);
});

test('deleting a running Job does not leave pods stuck on the tracking finalizer', async () => {
  const h = await Harness.create([jobReconciler], { nodes: 1 });
  h.behaviour = () => 'running';
  await h.api.create(job({ parallelism: 2, completions: 2 }));
  await h.run();
  assert.equal((await h.pods()).length, 2);
  await h.api.delete(h.type('batch/v1', 'Job'), 'default', 'pi');
  await h.run();
  assert.deepEqual((await h.pods()).map((p) => p.metadata.name), []);
});
