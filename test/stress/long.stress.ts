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

test('long: soak of 2,000 pods from 10 processes while the daemon runs', { timeout: 900_000 }, async (t) => {
  const home = tempHome('kubesim-soak-');
  try {
    createCluster(home, 2000);
    run(home, ['cluster', 'start'], '', 30_000);
    const f = await soakRun(home, 10, 200, 600_000);
    t.diagnostic(`soak: ${JSON.stringify(f)}`);
    assert.equal(f.lost, 0);
    assert.deepEqual(f.unreconciled, []);
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});
