// Bounded soak: 10 processes create 20 pods each while the daemon runs; the daemon must see
// every acknowledged write (a missed journal entry would leave its pod unbound until the
// 10-minute resync). The long form (2,000 pods) is in long.stress.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeHome, run, tempHome } from './cli';
import { createCluster, soakRun } from './soak';

test('soak: 200 pods from 10 processes while the daemon runs, every one reconciled, none lost', { timeout: 120_000 }, async (t) => {
  const home = tempHome('kubesim-soak-');
  try {
    createCluster(home, 200);
    const s = run(home, ['cluster', 'start'], '', 30_000);
    assert.equal(s.code, 0, s.stderr);
    const f = await soakRun(home, 10, 20, 60_000);
    t.diagnostic(JSON.stringify(f));
    assert.equal(f.acknowledged, f.created);
    assert.equal(f.lost, 0);
    assert.deepEqual(f.unreconciled, []);
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});
