// The CronJob fast-forward of a long clock jump (src/controllers/cronjob-fastforward.ts) leaves
// what stepping every firing leaves: the same CronJob status, Jobs, pods and events, up to
// what a real cluster draws at random (UIDs, pod name suffixes, pod IPs, resourceVersions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { clusterManager } from '../../src/cli/in-process';
import { defaultProfile } from '../../src/sim/profile';
import { lastSeen } from '../../src/controllers/event-ttl';
import type { ApiServer } from '../../src/api/server';
import type { KObject } from '../../src/api/types';

const MIN = 60_000;

function cronJob(name: string, spec: Record<string, unknown>, script: string, job: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: { ...spec, jobTemplate: { spec: { backoffLimit: 0, ...job, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', script] }] } } } } },
  } as KObject;
}

const CRONJOBS = [
  cronJob('tick', { schedule: '* * * * *' }, 'echo tick'),
  // Fails at every fifth minute: one failed Job kept (failedJobsHistoryLimit 1), two completed.
  cronJob('flaky', { schedule: '* * * * *', successfulJobsHistoryLimit: 2 }, 'm=$(date +%M); [ $((m % 5)) -ne 0 ]'),
  cronJob('forbid', { schedule: '*/2 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 30 }, 'echo once'),
  // Runs overlap: the fast-forward must not account for them, every firing is stepped.
  cronJob('replace', { schedule: '*/3 * * * *', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 100 }, 'sleep 200'),
  cronJob('busy', { schedule: '*/4 * * * *', concurrencyPolicy: 'Forbid', failedJobsHistoryLimit: 2 }, 'sleep 300; exit 1'),
];

/**
 * What `get cronjob,jobs,pods,events -o json` shows, without what a cluster draws at random.
 * The CronJob's own events included: the recorder's correlator (spam filter, "combined from
 * similar events") keeps one alive through the jump, counting every firing.
 */
async function visible(api: ApiServer): Promise<string[]> {
  const out: string[] = [];
  for (const [v, k] of [['batch/v1', 'CronJob'], ['batch/v1', 'Job'], ['v1', 'Pod'], ['v1', 'Event']]) {
    for (const o of (await api.list(api.registry.forKind(v, k), { namespace: 'default' })).items) {
      const text = JSON.stringify(o, (key, val) => (key === 'resourceVersion' || (k === 'Event' && key === 'name' && val === o.metadata.name) ? undefined : val))
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID')
        .replace(/\b([a-z]+-\d{8})-[a-z0-9]{5}\b/g, '$1-POD')
        .replace(/\b10\.244\.\d+\.\d+\b/g, 'IP')
        .replace(/kube-api-access-[a-z0-9]{5}\b/g, 'kube-api-access-X')
        .replace(/containerd:\/\/[0-9a-f]{64}/g, 'containerd://ID');
      out.push(`${k} ${text}`);
    }
  }
  return out.sort();
}

async function jumpAndLook(hours: number, exact: boolean) {
  const profile = defaultProfile('ff', { nodes: 1 });
  profile.timings.eventTtlMs = 10 * MIN; // a short TTL: most of a 1-hour jump is skippable
  const c = await createMemoryCluster(profile, { now: Date.parse('2025-03-01T09:00:30Z') });
  for (const cj of CRONJOBS) await c.api.create(cj);
  const manager = await clusterManager(c.api, 'ff');
  await manager.processReady();
  const rev = await c.api.currentRev();
  const from = c.clock.now();
  c.clock.advance(hours * 60 * MIN);
  await manager.stepThrough({ from, to: from + hours * 60 * MIN }, (t) => c.clock.hold(t), { exact, onError: (e) => { throw e; } });
  await manager.processReady();
  return { state: await visible(c.api), writes: (await c.api.currentRev()) - rev };
}

test('a 1-hour jump: fast-forwarding steady CronJobs leaves exactly what stepping every firing does', { timeout: 180_000 }, async () => {
  const exact = await jumpAndLook(1, true);
  const fast = await jumpAndLook(1, false);
  const leaves = (v: any, p = '', out = new Map<string, string>()) => {
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, `${p}.${k}`, out);
    else out.set(p, JSON.stringify(v));
    return out;
  };
  const onlyIn = (a: string[], b: string[]) => a.filter((x) => !b.includes(x)).map((x) => {
    const o = JSON.parse(x.slice(x.indexOf(' ') + 1));
    const twin = b.map((y) => JSON.parse(y.slice(y.indexOf(' ') + 1))).find((y) => y.kind === o.kind && (o.kind === 'Event' ? y.involvedObject.name === o.involvedObject.name && y.reason === o.reason : y.metadata.name === o.metadata.name));
    if (!twin) return `${o.kind} ${o.metadata.name ?? o.involvedObject?.name} ${o.reason ?? ''} ${o.message ?? ''} ${o.count ?? ''}`;
    const l1 = leaves(o), l2 = leaves(twin);
    return `${o.kind} ${o.metadata.name ?? o.involvedObject?.name}: ` + [...l1].filter(([k, v]) => l2.get(k) !== v).map(([k, v]) => `${k}=${v}/${l2.get(k)}`).join(' ');
  });
  assert.deepEqual(fast.state, exact.state, `only stepped: ${onlyIn(exact.state, fast.state).join('\n')}\nonly fast-forwarded: ${onlyIn(fast.state, exact.state).join('\n')}`);
  // What a user checks after the jump, on the stepped run (so the comparison is not vacuous).
  const get = (kind: string, name: string) => JSON.parse(exact.state.find((l) => l.startsWith(`${kind} `) && JSON.parse(l.slice(kind.length + 1)).metadata.name === name)!.slice(kind.length + 1));
  const end = Date.parse('2025-03-01T10:00:30Z');
  assert.equal(get('CronJob', 'tick').status.lastScheduleTime, '2025-03-01T10:00:00Z');
  assert.equal(get('CronJob', 'flaky').status.lastScheduleTime, '2025-03-01T10:00:00Z');
  const jobs = exact.state.filter((l) => l.startsWith('Job ')).map((l) => JSON.parse(l.slice(4)).metadata.name).sort();
  const minute = (iso: string) => `${Math.floor(Date.parse(iso) / MIN)}`;
  for (const t of ['09:58', '09:59', '10:00']) assert.ok(jobs.includes(`tick-${minute(`2025-03-01T${t}:00Z`)}`), `tick's last three runs kept: ${jobs}`);
  // flaky: 10:00 failed (the one failed Job kept), 09:58 and 09:59 completed.
  for (const t of ['09:58', '09:59', '10:00']) assert.ok(jobs.includes(`flaky-${minute(`2025-03-01T${t}:00Z`)}`), `flaky's kept: ${jobs}`);
  assert.equal(jobs.filter((j) => j.startsWith('flaky-')).length, 3, `${jobs}`);
  assert.equal(jobs.filter((j) => j.startsWith('tick-')).length, 3, `${jobs}`);
  for (const l of exact.state.filter((x) => x.startsWith('Event '))) {
    const e = JSON.parse(l.slice(6));
    assert.ok(end - lastSeen(e) <= 12 * MIN, `an event older than its TTL: ${l}`);
  }
  // The correlator's aggregate about a CronJob lives through the jump, counting every firing.
  const combined = exact.state.filter((l) => l.startsWith('Event ')).map((l) => JSON.parse(l.slice(6))).filter((e) => e.involvedObject.name === 'tick' && e.message.startsWith('(combined from similar events)'));
  assert.ok(combined.some((e) => e.count > 5 && end - Date.parse(e.firstTimestamp) > 40 * MIN), `tick's combined events: ${JSON.stringify(combined.map((e) => [e.reason, e.count, e.firstTimestamp]))}`);
  assert.ok(fast.writes < exact.writes * 0.7, `the fast-forward skipped firings: ${fast.writes} writes against ${exact.writes}`);
});

/**
 * A CronJob edited while a jump is stepped, after the fast-forward skipped its firings (the
 * edit lands at the first stop past `edits[i][0]`; `replace`'s overlapping runs, stepped,
 * make stops all along). Returns the warnings recorded about it during the jump (a watch on
 * its events would see them: most have expired by the end), and its status at each edit.
 */
async function jumpWithEdits(hours: number, edits: Array<[number, (cj: any) => void]>) {
  const profile = defaultProfile('ffe', { nodes: 1 });
  profile.timings.eventTtlMs = 5 * MIN;
  const c = await createMemoryCluster(profile, { now: Date.parse('2025-03-01T09:00:30Z') });
  await c.api.create(cronJob('tick', { schedule: '* * * * *' }, 'echo tick'));
  await c.api.create(cronJob('replace', { schedule: '*/10 * * * *', concurrencyPolicy: 'Replace' }, 'sleep 700'));
  const manager = await clusterManager(c.api, 'ffe');
  await manager.processReady();
  const rev = await c.api.currentRev();
  const cjType = c.api.registry.forKind('batch/v1', 'CronJob');
  const from = c.clock.now();
  const to = from + hours * 60 * MIN;
  c.clock.advance(to - from);
  const pending = [...edits];
  const seen: Array<{ at: number; lastScheduleTime?: string }> = [];
  await manager.stepThrough({ from, to }, (t) => {
    c.clock.hold(t);
    if (t === undefined || !pending.length || t < from + pending[0][0]) return;
    const [, edit] = pending.shift()!;
    void c.api.mutate(cjType, 'default', 'tick', (o) => {
      seen.push({ at: t, lastScheduleTime: o.status?.lastScheduleTime });
      edit(o);
    });
  }, { onError: (e) => { throw e; } });
  await manager.processReady();
  assert.equal(pending.length, 0, 'every edit was made during the jump');
  const changes = await c.api.changesSince(rev);
  assert.equal(changes[0]?.rev, rev + 1, 'the change feed still holds the whole jump');
  const warnings = changes.filter((ch) => ch.type === 'ADDED' && ch.object.kind === 'Event' && ch.object.involvedObject?.name === 'tick' && ch.object.type === 'Warning').map((ch) => `${ch.object.reason} ${ch.object.lastTimestamp}`);
  const skipped = changes.filter((ch) => ch.object.kind === 'Job' && ch.type === 'ADDED' && ch.object.metadata.name!.startsWith('tick-')).length < hours * 60 / 2;
  return { warnings, seen, cj: await c.api.get(cjType, 'default', 'tick'), skipped, from };
}

// kube-controller-manager counts missed start times from status.lastScheduleTime: the firings
// a fast-forward skipped before an edit happened for it, so the edit must not make them 'missed'.
test('a CronJob edited mid-jump after a fast-forward skip: missed start times counted as kube would', { timeout: 180_000 }, async () => {
  const minute = (t: number) => new Date(Math.floor(t / MIN) * MIN).toISOString().replace('.000Z', 'Z');
  // A new schedule 3.5 h in: 105 of its times since the lead-in's last firing, none since the firing before the edit.
  const sched = await jumpWithEdits(4, [[210 * MIN, (cj) => (cj.spec.schedule = '*/2 * * * *')]]);
  assert.ok(sched.skipped, 'the fast-forward skipped firings (the case under test)');
  assert.deepEqual(sched.warnings, []);
  assert.equal(sched.seen[0].lastScheduleTime !== undefined && Date.parse(sched.seen[0].lastScheduleTime) < sched.from + 60 * MIN, true, `the edit came during the skip: ${JSON.stringify(sched.seen)}`);
  assert.equal(sched.cj.status.lastScheduleTime, '2025-03-01T13:00:00Z');

  // Suspended at 2 h for 30 minutes: 30 missed times, the most recent started, no warning;
  // while suspended, the status shows the last firing before the suspension.
  const short = await jumpWithEdits(4, [[120 * MIN, (cj) => (cj.spec.suspend = true)], [150 * MIN, (cj) => (cj.spec.suspend = false)]]);
  assert.deepEqual(short.warnings, []);
  assert.equal(short.seen[1].lastScheduleTime, minute(short.seen[0].at));
  assert.equal(short.cj.status.lastScheduleTime, '2025-03-01T13:00:00Z');

  // Suspended for 150 minutes: kube does warn (over 100 missed since the last firing).
  const long = await jumpWithEdits(4, [[60 * MIN, (cj) => (cj.spec.suspend = true)], [210 * MIN, (cj) => (cj.spec.suspend = false)]]);
  assert.equal(long.warnings.length, 1, `${long.warnings}`);
  assert.match(long.warnings[0], /^TooManyMissedTimes /);
  assert.equal(long.seen[1].lastScheduleTime, minute(long.seen[0].at));
});
