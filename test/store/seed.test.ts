// KUBESIM_SEED makes a scenario replay exactly, but never hands two processes the same
// stream: UIDs do not repeat across processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeHome, run, runAsync, tempHome } from '../stress/cli';

async function seeded<T>(fn: (home: string) => T | Promise<T>): Promise<T> {
  const home = tempHome('kubesim-seed-');
  const prev = process.env.KUBESIM_SEED;
  process.env.KUBESIM_SEED = '7';
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    return await fn(home);
  } finally {
    if (prev === undefined) delete process.env.KUBESIM_SEED;
    else process.env.KUBESIM_SEED = prev;
    removeHome(home);
  }
}

function uids(home: string): string[] {
  const out = run(home, ['get', 'configmaps,nodes,namespaces', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.uid}{"\\n"}{end}']).stdout;
  return out.split('\n').filter(Boolean);
}

const uidsOfRun = () =>
  seeded((home) => {
    for (const n of ['a', 'b', 'c', 'd']) assert.equal(run(home, ['create', 'configmap', n]).code, 0);
    return uids(home);
  });

test('KUBESIM_SEED: UIDs never repeat across processes, and a run replays exactly', async () => {
  const first = await uidsOfRun();
  assert.ok(first.length >= 10, `${first.length} uids`);
  assert.equal(new Set(first).size, first.length, 'every uid unique');
  assert.deepEqual(await uidsOfRun(), first, 'the same commands under the same seed give the same uids');
});

test('KUBESIM_SEED: processes opening the cluster at the same revision draw different UIDs', async () => {
  const all = await seeded(async (home) => {
    const runs = await Promise.all(['a', 'b', 'c', 'd'].map((n) => runAsync(home, ['create', 'configmap', n])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    return uids(home);
  });
  assert.equal(new Set(all).size, all.length, `a uid repeated: ${all.join(' ')}`);
});
