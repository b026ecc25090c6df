// `clock advance D` while the daemon runs steps through every timer on the way, as the
// in-process advance does: a stopped node turns NotReady about 50 s into the jump and its
// pods are evicted 5 minutes later -- within one advance, done when it returns (a CronJob
// every minute shows the daemon stepped to the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeHome, run, tempHome } from '../stress/cli';

async function until<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('clock advance with the daemon running: node NotReady and pod eviction happen on the way, in one advance', { timeout: 180_000 }, async () => {
  const home = tempHome('kubesim-step-');
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '1']).code, 0);
    assert.equal(run(home, ['run', 'p', '--image=nginx:1.27']).code, 0);
    assert.equal(run(home, ['create', 'cronjob', 'c', '--image=busybox', '--schedule=*/1 * * * *', '--', 'true']).code, 0);
    assert.equal(run(home, ['cluster', 'start']).code, 0);
    await until('pod p bound', () => run(home, ['get', 'pod', 'p', '-o', 'jsonpath={.spec.nodeName}']).stdout || undefined, 60_000);
    assert.equal(run(home, ['node', 'stop', 'node-1']).code, 0);
    const stoppedAt = Date.parse(run(home, ['clock']).stdout.match(/\d{4}-\d\d-\d\dT[\d:.]+Z/)?.[0] ?? '');
    const adv = run(home, ['clock', 'advance', '1h']);
    assert.equal(adv.code, 0, adv.stderr);
    // When the advance returns, the daemon has stepped to its end: the CronJob fired in its last minute.
    const end = Date.parse(adv.stdout.match(/\d{4}-\d\d-\d\dT[\d:.]+Z/)?.[0] ?? '');
    const last = Date.parse(run(home, ['get', 'cronjob', 'c', '-o', 'jsonpath={.status.lastScheduleTime}']).stdout);
    assert.ok(end - last <= 60_000, `last scheduled ${(end - last) / 1000} s before the end of the advance`);
    // The pod (tolerating not-ready/unreachable for 300 s) is evicted without a second advance,
    // by the time the advance returns (it waits for the daemon to step through the jump).
    const evicted = run(home, ['get', 'pod', 'p', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    assert.ok(evicted.code !== 0 || evicted.stdout, `pod p not evicted when the advance returned: ${evicted.stdout}${evicted.stderr}`);
    const ready = JSON.parse(run(home, ['get', 'node', 'node-1', '-o', 'json']).stdout).status.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.equal(ready.status, 'Unknown');
    if (Number.isFinite(stoppedAt)) {
      const at = Date.parse(ready.lastTransitionTime) - stoppedAt;
      assert.ok(at < 120_000, `NotReady ${at / 1000} s after the stop, not at the end of the 1 h jump`);
    }
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});
