import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, T0 } from './harness';
import { cronJobReconciler, jobNameFor, mostRecentScheduleTime, nextScheduleTime, parseCron } from '../../src/controllers/cronjob';
import { jobReconciler } from '../../src/controllers/job';
import type { KObject } from '../../src/api/types';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const next = (s: string, from: string, tz?: string) => iso(nextScheduleTime(parseCron(s), Date.parse(from), tz));

test('schedule parsing and next times: steps, ranges, lists, names, descriptors, dom/dow OR', () => {
  assert.equal(next('*/5 * * * *', '2025-01-01T00:02:30Z'), '2025-01-01T00:05:00.000Z');
  assert.equal(next('*/5 * * * *', '2025-01-01T00:05:00Z'), '2025-01-01T00:10:00.000Z');
  assert.equal(next('0 9-17/4 * * mon-fri', '2025-01-03T14:00:00Z'), '2025-01-03T17:00:00.000Z'); // hours 9,13,17
  assert.equal(next('0 9-17/4 * * mon-fri', '2025-01-03T17:00:00Z'), '2025-01-06T09:00:00.000Z'); // Fri → Mon
  assert.equal(next('30 2 1,15 * *', '2025-01-02T00:00:00Z'), '2025-01-15T02:30:00.000Z');
  assert.equal(next('0 0 1 jan *', '2025-01-01T00:00:00Z'), '2026-01-01T00:00:00.000Z');
  assert.equal(next('@hourly', '2025-01-01T00:00:00Z'), '2025-01-01T01:00:00.000Z');
  assert.equal(next('@weekly', '2025-01-01T00:00:00Z'), '2025-01-05T00:00:00.000Z');
  // dom and dow both restricted: either matches (the 13th or a Friday)
  assert.equal(next('0 0 13 * 5', '2025-01-01T00:00:00Z'), '2025-01-03T00:00:00.000Z');
  assert.equal(next('0 9 * * *', '2025-01-01T00:00:00Z', 'Europe/Berlin'), '2025-01-01T08:00:00.000Z');
  assert.throws(() => parseCron('61 * * * *'));
  assert.throws(() => parseCron('* * * *'));
  assert.equal(jobNameFor('hello', Date.parse('2025-01-01T00:05:00Z')), 'hello-28928165');
});

const cronJob = (spec: any = {}): KObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox' }] } } } },
    ...spec,
  },
});

test("missed start times counted as kube's mostRecentScheduleTime does: from the first interval", () => {
  const weekdays = parseCron('0 9 * * 1-5');
  const after = (t: number) => nextScheduleTime(weekdays, t);
  const last = Date.parse('2025-03-03T09:00:00Z'); // a Monday: next Tue 03-04, then Wed (one day apart)
  // 100 days and an hour past Tuesday: 101 intervals of a day by kube's estimate (weekends
  // included; 73 weekday times in fact), so TooManyMissedTimes; the most recent is Thursday's.
  const r = mostRecentScheduleTime(after, last, Date.parse('2025-06-12T10:00:00Z'));
  assert.deepEqual({ at: iso(r.at), missed: r.missed }, { at: '2025-06-12T09:00:00.000Z', missed: 101 });
  assert.equal(mostRecentScheduleTime(after, last, Date.parse('2025-06-11T10:00:00Z')).missed, 100);
  assert.deepEqual(mostRecentScheduleTime(after, last, Date.parse('2025-03-04T08:59:00Z')), { missed: 0 });
  assert.deepEqual(mostRecentScheduleTime(after, last, Date.parse('2025-03-04T12:00:00Z')), { at: Date.parse('2025-03-04T09:00:00Z'), missed: 1 });
});

test('fires on clock advance, names jobs by minute, keeps 3 successful jobs', async () => {
  const h = await Harness.create([cronJobReconciler, jobReconciler], { nodes: 1 });
  h.behaviour = () => 'succeed';
  await h.api.create(cronJob());
  await h.run(4 * 60_000);
  assert.equal((await h.list('batch/v1', 'Job')).length, 0);
  await h.advance(60_000); // 00:05
  const jobs = await h.list('batch/v1', 'Job');
  assert.deepEqual(jobs.map((j) => j.metadata.name), [jobNameFor('hello', T0 + 5 * 60_000)]);
  const j = jobs[0];
  assert.equal(j.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-01-01T00:05:00Z');
  assert.equal(j.metadata.ownerReferences![0].kind, 'CronJob');
  let cj = await h.get('batch/v1', 'CronJob', 'hello');
  assert.equal(cj.status.lastScheduleTime, '2025-01-01T00:05:00Z');
  assert.equal(cj.status.lastSuccessfulTime, '2025-01-01T00:05:00Z');
  assert.equal(cj.status.active, undefined);
  const ev = await h.events();
  assert.ok(ev.includes(`SuccessfulCreate Created job ${j.metadata.name}`), ev.join('\n'));
  assert.ok(ev.includes(`SawCompletedJob Saw completed job: ${j.metadata.name}, status: Complete`), ev.join('\n'));
  await h.advance(20 * 60_000); // 00:25: jobs at 05,10,15,20,25 → 3 kept
  const names = (await h.list('batch/v1', 'Job')).map((x) => x.metadata.name).sort();
  assert.deepEqual(names, [15, 20, 25].map((m) => jobNameFor('hello', T0 + m * 60_000)));
  assert.ok((await h.events()).includes(`SuccessfulDelete Deleted job ${jobNameFor('hello', T0 + 5 * 60_000)}`));
  cj = await h.get('batch/v1', 'CronJob', 'hello');
  assert.equal(cj.status.lastScheduleTime, '2025-01-01T00:25:00Z');
});

test('Forbid skips while a job runs; Replace deletes it; suspend stops scheduling', async () => {
  const h = await Harness.create([cronJobReconciler, jobReconciler], { nodes: 1 });
  h.behaviour = () => 'running';
  await h.api.create(cronJob({ concurrencyPolicy: 'Forbid' }));
  await h.run(10 * 60_000);
  assert.equal((await h.list('batch/v1', 'Job')).length, 1);
  assert.ok((await h.events()).includes('JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'));
  assert.equal((await h.get('batch/v1', 'CronJob', 'hello')).status.active.length, 1);
  await h.api.mutate(h.type('batch/v1', 'CronJob'), 'default', 'hello', (o) => void (o.spec.concurrencyPolicy = 'Replace'));
  await h.advance(5 * 60_000);
  const jobs = await h.list('batch/v1', 'Job');
  assert.deepEqual(jobs.map((j) => j.metadata.name), [jobNameFor('hello', T0 + 15 * 60_000)]);
  await h.api.mutate(h.type('batch/v1', 'CronJob'), 'default', 'hello', (o) => void (o.spec.suspend = true));
  await h.advance(30 * 60_000);
  assert.equal((await h.list('batch/v1', 'Job')).length, 1);
});

test('startingDeadlineSeconds: a missed run is not started late', async () => {
  const h = await Harness.create([cronJobReconciler], { nodes: 0 });
  await h.api.create(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 10 }));
  h.clock.advance(60 * 60_000 + 30_000); // 01:00:30 without a reconcile in between
  await h.settle();
  assert.equal((await h.list('batch/v1', 'Job')).length, 0);
  assert.deepEqual(await h.events(), []);
  await h.run(60 * 60_000);
  assert.equal((await h.list('batch/v1', 'Job')).length, 1);
});
