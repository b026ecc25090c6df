// Bounded form (npm test): 6 workers for 8 s. The long form is concurrency.stress.ts.
import { test } from 'node:test';
import { concurrencyRun } from './concurrency';
import { removeHome, tempHome } from './cli';
import { seedOf } from './corpus-util';

test('6 concurrent CLI processes on overlapping objects: no corruption, no lost acknowledged write', { timeout: 120_000 }, async (t) => {
  const home = tempHome();
  try {
    const f = await concurrencyRun(home, 6, 8_000, seedOf(6));
    t.diagnostic(`concurrency: ${f.workers} workers, ${f.operations} operations, ${f.acknowledged} acknowledged, ${f.lost} lost`);
  } finally {
    removeHome(home);
  }
});
