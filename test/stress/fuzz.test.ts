// Bounded form (npm test): a few hundred rejected inputs; the long form is fuzz.stress.ts.
import { test } from 'node:test';
import { join } from 'node:path';
import { fuzzRun, writeRejectedInputs } from './fuzz';
import { removeHome, tempHome } from './cli';
import { seedOf } from './corpus-util';

test('malformed and hostile manifests: no stack trace, no hang, non-zero exit with a message, store unchanged', { timeout: 180_000 }, (t) => {
  const home = tempHome();
  try {
    const inputs = writeRejectedInputs(join(home, 'inputs'), 250, seedOf(25));
    const f = fuzzRun(home, inputs, 40, 100);
    t.diagnostic(`fuzz: ${f.inputs} rejected inputs tried in ${f.processes} processes`);
  } finally {
    removeHome(home);
  }
});
