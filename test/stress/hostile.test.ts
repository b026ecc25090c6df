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

// Quantities kube accepts whose exact arithmetic is enormous: `1e999999999` (10^999999999 was
// computed to compare or sum it: the scheduler never returned) and a 1 followed by 200,000
// zeros (trailing zeros stripped one division at a time: 33 s to store it).
test('huge quantities are stored as kube stores them and scheduled within seconds', { timeout: 120_000 }, () => {
  const home = tempHome('kubesim-hostile-q-');
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    const zeros = '1' + '0'.repeat(200_000);
    const pod = (name: string, cpu: string, memory: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n  - {name: c, image: nginx, resources: {requests: {cpu: "${cpu}", memory: "${memory}"}}}\n---\n`;
    const applied = run(home, ['apply', '-f', '-'], pod('huge-cpu', '1e999999999', '1Mi') + pod('huge-memory', '100m', zeros) + pod('small', '100m', '1Mi'), 20_000);
    assert.equal(applied.code, 0, applied.stderr);
    const settled = run(home, ['reconcile', '--until-stable'], '', 20_000);
    assert.equal(settled.code, 0, settled.stderr || `signal ${settled.signal}`);
    const got = run(home, ['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.containers[0].resources.requests.cpu} {.spec.containers[0].resources.requests.memory}{"\\n"}{end}']);
    assert.equal(got.stdout, 'huge-cpu Pending 1e999999999 1Mi\nhuge-memory Pending 100m 100e199998\nsmall Running 100m 1Mi\n');
    const described = run(home, ['describe', 'pod', 'huge-cpu']);
    assert.match(described.stdout, /FailedScheduling .*0\/3 nodes are available: 3 Insufficient cpu\./);
  } finally {
    removeHome(home);
  }
});
