// Long form (npm run stress): 20 concurrent workers for 60 s, 300 kill -9 injections,
// 3,000 rejected inputs, 20,000 parser mutants. Figures go to the test diagnostics.
import { test } from 'node:test';
import { join } from 'node:path';
import { concurrencyRun } from './concurrency';
import { crashRun } from './crash';
import { fuzzRun, writeRejectedInputs } from './fuzz';
import assert from 'node:assert/strict';
import { removeHome, run, tempHome } from './cli';
import { createCluster, soakRun } from './soak';
import { seedOf } from './corpus-util';
import { cleanupRun } from './cleanup';
import { fairnessRun, watchRun } from './sizes';

test('long: 20 concurrent CLI processes for 60 s while the daemon reconciles', { timeout: 600_000 }, async (t) => {
  const home = tempHome();
  try {
    const f = await concurrencyRun(home, 20, 60_000, seedOf(20), { daemon: true });
    t.diagnostic(`concurrency: ${f.workers} workers, ${f.operations} operations, ${f.acknowledged} acknowledged, ${f.lost} lost`);
  } finally {
    removeHome(home);
  }
});

test('long: 300 kill -9 injections', { timeout: 1_200_000 }, async (t) => {
  const home = tempHome();
  try {
    const f = await crashRun(home, 300, seedOf(300), 4);
    t.diagnostic(`crashes: ${f.injected} kills injected (${f.killedMidRun} before the process finished), ${f.acknowledged} acknowledged objects, ${f.lost} lost`);
  } finally {
    removeHome(home);
  }
});

test('long: 3,000 rejected inputs', { timeout: 1_200_000 }, (t) => {
  const home = tempHome();
  try {
    const inputs = writeRejectedInputs(join(home, 'inputs'), 3000, seedOf(3000));
    const f = fuzzRun(home, inputs, 100, 100);
    t.diagnostic(`fuzz: ${f.inputs} rejected inputs tried in ${f.processes} processes`);
  } finally {
    removeHome(home);
  }
});

test('long: soak of 10,000 pods from 10 processes while the daemon runs', { timeout: 1_800_000 }, async (t) => {
  const home = tempHome('kubesim-soak-');
  try {
    createCluster(home, 10_000);
    run(home, ['cluster', 'start'], '', 30_000);
    const f = await soakRun(home, 10, 1000, 1_200_000);
    t.diagnostic(`soak: ${JSON.stringify(f)}`);
    assert.equal(f.lost, 0);
    assert.deepEqual(f.unreconciled, []);
    // Under load nothing is dropped or left waiting: every create acknowledged, each bound
    // within a second of cluster time.
    assert.deepEqual(f.failures, []);
    assert.equal(f.acknowledged, f.created);
    assert.equal(f.boundLate, 0, `${f.boundLate} pods bound more than 1 s after creation (max ${f.maxBindDelayS} s)`);
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});

test('long: a watch under 70 concurrent writer processes sees every acknowledged write once, in order', { timeout: 1_200_000 }, async (t) => {
  const home = tempHome('kubesim-watch-');
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '1']).code, 0);
    const f = await watchRun(home, 70, 20, 300_000);
    t.diagnostic(`watch: ${JSON.stringify(f)}`);
    assert.equal(f.acknowledged, 70 * 20);
    assert.equal(f.missed, 0);
    assert.equal(f.duplicates, 0);
    assert.equal(f.outOfOrder, 0);
  } finally {
    removeHome(home);
  }
});

test('long: user writes while the daemon creates a 1,000,000-replica Deployment (p99 <= 1 s)', { timeout: 900_000 }, async (t) => {
  const home = tempHome('kubesim-fair-');
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '1']).code, 0);
    const f = await fairnessRun(home, 1_000_000, 120_000);
    t.diagnostic(`fairness: ${JSON.stringify(f)}`);
    assert.ok(f.writes >= 100, `only ${f.writes} user writes in 2 minutes`);
    assert.ok(f.p99 <= 1000, `p99 ${f.p99} ms`);
    // What the daemon makes a user wait: its share of each request (arrival to answer, from
    // its Server-Timing header), and the round trip of a client already running. A CLI
    // command's own wall time is reported, not asserted: on two loaded cores most of it is
    // the node process starting (session 29: the daemon's share 10-450 ms of 2-4 s).
    const k = f.keptAlive;
    assert.deepEqual(k.failures, []);
    assert.ok(k.rtt.n >= 100, `only ${k.rtt.n} kept-alive requests in 2 minutes`);
    assert.ok(k.daemon.p99 <= 1000, `the daemon's share of a request during the burst: p99 ${k.daemon.p99} ms (queue p99 ${k.queue.p99}, lock p99 ${k.lock.p99}, handler p99 ${k.handler.p99})`);
    assert.ok(k.rtt.p99 <= 1000, `a kept-alive client's round trip during the burst: p99 ${k.rtt.p99} ms`);
    assert.deepEqual(f.cli.failures, []);
    assert.ok(f.cli.lockWait.p99 <= 1000, `CLI lock wait p99 ${f.cli.lockWait.p99} ms`);
    for (const kind of ['create', 'apply'] as const) assert.ok(f.cli.wall[kind].n >= 10, `${kind}: only ${f.cli.wall[kind].n} CLI commands`);
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});

// The same year in one `clock advance` (the CronJob fast-forward, src/controllers/
// cronjob-fastforward.ts): minutes, not hours, and the same bounds.
test('long: a CronJob every minute, a simulated year in one clock advance, in minutes', { timeout: 3_600_000 }, (t) => {
  const home = tempHome('kubesim-year1-');
  try {
    const f = cleanupRun(home, 365 * 24, 365 * 24, 1_800_000, 60);
    const s = f.samples[0];
    t.diagnostic(`year in one jump: ${Math.round(f.realMs / 1000)} s; ${JSON.stringify(s)}`);
    assert.ok(f.realMs < 10 * 60_000, `${f.realMs} ms`);
    assert.ok(s.events <= 66 * 11 && s.records <= 4 && s.logPods <= 4, JSON.stringify(s));
    const jobs = run(home, ['get', 'jobs', '--no-headers']);
    assert.equal(jobs.stdout.trim().split('\n').filter((l) => /\sComplete\s/.test(l)).length, 3, jobs.stdout);
  } finally {
    removeHome(home);
  }
});

// A CronJob every minute for a simulated year (`clock advance` one day at a time, so the
// figures show the trend). KUBESIM_STRESS_YEAR_BUDGET_MS (default 3 h) caps the real time:
// past it the run stops and reports how far it got; what it covered must stay bounded.
test('long: a CronJob every minute for a simulated year stays bounded on disk', { timeout: 12 * 3_600_000 }, (t) => {
  const home = tempHome('kubesim-year-');
  const budget = Number(process.env.KUBESIM_STRESS_YEAR_BUDGET_MS ?? 3 * 3_600_000);
  try {
    const f = cleanupRun(home, 365 * 24, 24, 3_600_000, 60, budget);
    const last = f.samples.at(-1)!;
    t.diagnostic(`year: ${f.samples.length} simulated days in ${Math.round(f.realMs / 1000)} s (${f.msPerSimulatedHour} ms per simulated hour); last: ${JSON.stringify(last)}; first: ${JSON.stringify(f.samples[0])}`);
    for (const s of f.samples) {
      assert.ok(s.events <= 66 * 11, `day ${s.hour / 24}: ${s.events} events`);
      assert.ok(s.records <= 4 && s.logPods <= 4, `day ${s.hour / 24}: ${s.records} kubelet records, ${s.logPods} pods with logs`);
      assert.ok(s.bytes <= f.samples[0].bytes * 1.5 + 1_048_576, `day ${s.hour / 24}: ${s.bytes} bytes`);
      assert.ok(s.journalBytes <= 40 * 1_048_576, `day ${s.hour / 24}: journal ${s.journalBytes} bytes`);
    }
  } finally {
    removeHome(home);
  }
});
