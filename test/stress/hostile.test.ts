// Bounded torture run of hostile inputs (see hostile.ts): 0 hangs over 10 s, 0 crashes, every
// case a clear error, peak memory under 512 MB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { removeHome, run, tempHome } from './cli';
import { hostileCases, runHostile, writeHostileInputs } from './hostile';

test('hostile inputs end quickly with a clear error, bounded in memory', { timeout: 600_000 }, async (t) => {
  const home = tempHome('kubesim-hostile-');
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    assert.equal(run(home, ['create', 'deployment', 'web', '--image=nginx']).code, 0);
    const dir = join(home, 'inputs');
    writeHostileInputs(dir);
    assert.equal(run(home, ['apply', '-f', join(dir, 'widgets-crd.yaml')]).code, 0);
    const f = await runHostile(home, hostileCases(dir), 10_000);
    t.diagnostic(`hostile: ${JSON.stringify(f)}`);
    assert.deepEqual(f.hangs, []);
    assert.deepEqual(f.crashes, []);
    assert.deepEqual(f.unclear, []);
    assert.equal(f.clean, f.tried);
    assert.ok(f.peakRssMb < 512, `peak RSS ${f.peakRssMb} MB`);
  } finally {
    removeHome(home);
  }
});
