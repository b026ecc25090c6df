// Bounded form (npm test): 6 workers for 8 s while the daemon reconciles. The long form is
// in long.stress.ts (npm run stress).
import { test } from 'node:test';
import { concurrencyRun } from './concurrency';
import { removeHome, tempHome } from './cli';
import { seedOf } from './corpus-util';

test('6 concurrent CLI processes on overlapping objects while the daemon reconciles: no corruption, no lost acknowledged write, convergence', { timeout: 120_000 }, async (t) => {
  const home = tempHome();
  try {
    const f = await concurrencyRun(home, 6, 8_000, seedOf(6), { daemon: true });
    t.diagnostic(`concurrency: ${f.workers} workers, ${f.operations} operations, ${f.acknowledged} acknowledged, ${f.lost} lost`);
  } finally {
    removeHome(home);
  }
});
