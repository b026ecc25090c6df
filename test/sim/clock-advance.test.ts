// `clock advance D` without the daemon: every timer on the way runs at its own time, but a
// jump does not stop for housekeeping beats (Lease renewals every 10 s, sweeps every
// minute): they run at the other stops and at the end, which leaves the same state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { advanceClusterInProcess, clusterManager } from '../../src/cli/in-process';
import { defaultProfile } from '../../src/sim/profile';
import { jobNameFor } from '../../src/controllers/cronjob';
import type { KObject } from '../../src/api/types';

const DAY = 24 * 3_600_000;

test('a two-day advance with a @daily CronJob: a Job per day at its minute, history pruned, heartbeats not stepped one by one', async () => {
  const start = Date.parse('2025-01-01T10:00:00Z');
  const c = await createMemoryCluster(defaultProfile('adv', { nodes: 2 }), { now: start });
  const api = c.api;
  await api.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default' },
    spec: { schedule: '@daily', successfulJobsHistoryLimit: 1, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo done'] }] } } } } },
  } as KObject);
  const rev0 = await api.currentRev();
  await advanceClusterInProcess(api, 'adv', 2 * DAY);
  assert.equal(c.clock.now(), start + 2 * DAY);

  const jobs = (await api.list(api.registry.forKind('batch/v1', 'Job'), { namespace: 'default' })).items;
  // Two schedules passed (Jan 2 and Jan 3, 00:00); successfulJobsHistoryLimit 1 keeps the last.
  assert.deepEqual(jobs.map((j) => j.metadata.name), [jobNameFor('nightly', Date.parse('2025-01-03T00:00:00Z'))]);
  assert.equal(jobs[0].status?.startTime, '2025-01-03T00:00:00Z', 'the Job starts at its scheduled minute');
  assert.ok(jobs[0].status?.conditions?.some((x: any) => x.type === 'Complete' && x.status === 'True'));
  const cj = await api.get(api.registry.forKind('batch/v1', 'CronJob'), 'default', 'nightly');
  assert.equal(cj.status.lastScheduleTime, '2025-01-03T00:00:00Z');
  const reasons = (await api.list(api.registry.forKind('v1', 'Event'), { namespace: 'default' })).items.map((e) => e.reason);
  assert.deepEqual(reasons, [], 'the last firing was more than an hour (the Event TTL) before the end');

  // The heartbeats ran at the end: every node's Lease is renewed at the final time.
  for (const lease of (await api.list(api.registry.forKind('coordination.k8s.io/v1', 'Lease'), { namespace: 'kube-node-lease' })).items) {
    assert.equal(Date.parse(lease.spec.renewTime), start + 2 * DAY, lease.metadata.name);
  }
  // Stepping every 10 s heartbeat would be 2 nodes x 17,280 Lease writes; the two firings
  // and the stops they make take a few hundred.
  const writes = (await api.currentRev()) - rev0;
  assert.ok(writes < 400, `${writes} writes for two days`);
});

test('a CronJob every minute: the work of a simulated minute does not grow with the time already run', { timeout: 120_000 }, async () => {
  // A 10-minute Event TTL: by the second window everything a firing leaves is in its steady
  // state (3 Jobs kept, one TTL of events), so the third must cost what the second did.
  const profile = defaultProfile('scale', { nodes: 1 });
  profile.timings.eventTtlMs = 10 * 60_000;
  const c = await createMemoryCluster(profile, { now: Date.parse('2025-01-01T00:00:30Z') });
  const api = c.api;
  await api.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo tick'] }] } } } } },
  } as KObject);
  const manager = await clusterManager(api, 'scale');
  const stored = async () => {
    let n = 0;
    for (const rt of api.registry.all()) if (rt.verbs.includes('list')) n += (await api.list(rt, {})).items.length;
    return n;
  };
  const window = async (minutes: number) => {
    const rev = await api.currentRev();
    const reconciles = manager.stats.reconciles;
    let stops = 0;
    const from = c.clock.now();
    c.clock.advance(minutes * 60_000);
    await manager.stepThrough({ from, to: from + minutes * 60_000 }, (t) => {
      if (t !== undefined) stops++;
      c.clock.hold(t);
    });
    return { writes: (await api.currentRev()) - rev, reconciles: manager.stats.reconciles - reconciles, stops, stored: await stored() };
  };
  await window(15);
  const second = await window(15);
  const third = await window(15);
  const msg = JSON.stringify({ second, third });
  assert.ok(second.writes >= 15 * 10, `a firing is a dozen writes or more: ${msg}`);
  for (const k of ['writes', 'reconciles', 'stops'] as const) assert.ok(Math.abs(third[k] - second[k]) <= second[k] * 0.1, `${k} per window: ${msg}`);
  assert.ok(third.stored <= second.stored + 5, `objects stored: ${msg}`);
});
