// KUBESIM_SEED makes a scenario replay exactly, but never hands two processes the same
// stream: UIDs do not repeat across processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeHome, run, tempHome } from '../stress/cli';

function uidsOfRun(): string[] {
  const home = tempHome('kubesim-seed-');
  const prev = process.env.KUBESIM_SEED;
  process.env.KUBESIM_SEED = '7';
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    for (const n of ['a', 'b', 'c', 'd']) assert.equal(run(home, ['create', 'configmap', n]).code, 0);
    const out = run(home, ['get', 'configmaps,nodes,namespaces', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.uid}{"\\n"}{end}']).stdout;
    return out.split('\n').filter(Boolean);
  } finally {
    if (prev === undefined) delete process.env.KUBESIM_SEED;
    else process.env.KUBESIM_SEED = prev;
    removeHome(home);
  }
}

test('KUBESIM_SEED: UIDs never repeat across processes, and a run replays exactly', () => {
  const first = uidsOfRun();
  assert.ok(first.length >= 10, `${first.length} uids`);
  assert.equal(new Set(first).size, first.length, 'every uid unique');
  assert.deepEqual(uidsOfRun(), first, 'the same commands under the same seed give the same uids');
});
