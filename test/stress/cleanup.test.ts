// Bounded form of the cleanup run (file driver, real CLI): a CronJob every minute for 40
// simulated minutes with a 10-minute event TTL; events, kubelet records and logs stay at one
// TTL's worth, disk stays flat. (The 1-hour default TTL: test/controllers/cleanup.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeHome, run, tempHome } from './cli';
import { cleanupRun } from './cleanup';

test('a CronJob every minute: events, kubelet records and logs stay bounded as the clock advances', { timeout: 300_000 }, (t) => {
  const home = tempHome('kubesim-cleanup-');
  try {
    const f = cleanupRun(home, 40 / 60, 10 / 60, 120_000, 10);
    t.diagnostic(`cleanup: ${JSON.stringify(f)}`);
    const [, h2, , h4] = f.samples;
    // ~10 events per run, one run a minute: one TTL (10 min) plus a 1-minute sweep period at most.
    for (const s of f.samples) assert.ok(s.events <= 11 * 11, `events: ${JSON.stringify(f.samples)}`);
    assert.ok(h4.events <= h2.events + 20, `events grow: ${JSON.stringify(f.samples)}`);
    // Only the pods still there (3 successful jobs kept) keep a record and logs.
    for (const s of f.samples) assert.ok(s.records <= 4 && s.logPods <= 4, `kubelet records/logs: ${JSON.stringify(f.samples)}`);
    // Disk without the journal (which keeps its own 32 MB bound) is flat after the first TTL.
    assert.ok(h4.bytes <= h2.bytes * 1.15 + 65536, `disk grows: ${f.samples.map((s) => s.bytes).join(' → ')}`);
    const events = run(home, ['get', 'events', '-o', 'name']);
    assert.equal(events.code, 0, events.stderr);
    assert.ok(events.stdout.trim().split('\n').length <= 11 * 11);
  } finally {
    removeHome(home);
  }
});
