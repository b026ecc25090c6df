// Without a daemon (KUBESIM_NO_DAEMON=1) cluster time stands still between commands and
// moves only when something waits on the cluster; a daemon lets it follow real time again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterClock, type ClockStore } from '../../src/sim/clock';
import type { ClockState } from '../../src/api/sim-state';
import { removeHome, run, tempHome } from '../stress/cli';

/** A persisted clock shared by several ClusterClocks (processes), on a real time the test moves. */
function sharedStore(): { store: ClockStore; writes: () => number } {
  let state: ClockState | undefined;
  let writes = 0;
  const store: ClockStore = {
    clock: async () => (state ? { ...state } : undefined),
    setClock: async (s) => void ((state = { ...s }), writes++),
    atomically: async (fn) => fn(),
  };
  return { store, writes: () => writes };
}

test('a frozen clock stands still in real time, keeps its freeze through advance and speed, and runs on from where it stood', async () => {
  let real = 1_000_000;
  const { store, writes } = sharedStore();
  const a = await ClusterClock.open(store, () => real);
  await a.setFrozen(true);
  const t0 = a.now();
  real += 60_000;
  assert.equal(a.now(), t0, 'frozen: real time does not move it');
  const b = await ClusterClock.open(store, () => real); // another process
  assert.equal(b.now(), t0);
  assert.ok(b.frozen());

  await b.advance(5_000);
  await b.setSpeed(10);
  real += 60_000;
  await a.refresh();
  assert.equal(a.now(), t0 + 5_000, 'an advance moves it, and it stays frozen');
  assert.ok(a.frozen() && b.frozen());

  const before = writes();
  await a.setFrozen(true);
  assert.equal(writes(), before, 'freezing a frozen clock writes nothing');
  // A daemon is running: the freeze is not applied.
  await a.setFrozen(false);
  await a.setFrozen(true, async () => true);
  assert.ok(!a.frozen());
  real += 1_000;
  assert.equal(a.now(), t0 + 5_000 + 10_000, 'unfrozen, it runs on from where it stood at its speed');
});

test('KUBESIM_NO_DAEMON=1: cluster time is the same from command to command until a verb waits', { timeout: 120_000 }, () => {
  const home = tempHome('kubesim-frozen-');
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '1']).code, 0);
    const clock = () => {
      const r = run(home, ['clock']);
      assert.equal(r.code, 0, r.stderr);
      return Date.parse(r.stdout.split(' ')[0]);
    };
    const t0 = clock();
    const cm = run(home, ['create', 'configmap', 'a']);
    assert.equal(cm.code, 0, cm.stderr);
    assert.equal(clock(), t0, 'no command waited: the clock stood still');
    const got = run(home, ['get', 'configmap', 'a', '-o', 'jsonpath={.metadata.creationTimestamp}']);
    assert.equal(Date.parse(got.stdout), Math.floor(t0 / 1000) * 1000);
    const adv = run(home, ['clock', 'advance', '90s']);
    assert.equal(adv.code, 0, adv.stderr);
    assert.equal(clock(), t0 + 90_000);
    const age = run(home, ['get', 'configmap', 'a', '--no-headers']);
    assert.match(age.stdout, /^a\s+0\s+90s\n$/);
  } finally {
    removeHome(home);
  }
});
