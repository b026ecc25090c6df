// Without a daemon (KUBESIM_NO_DAEMON=1) cluster time stands still between commands and
// moves only when something waits on the cluster; a daemon or an API server starting lets it
// run again, from where it would have been had it never stood still (at speed 1, the wall
// clock kubectl ages objects against), never going back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterClock, type ClockStore } from '../../src/sim/clock';
import type { ClockState } from '../../src/api/sim-state';
import { BIN, ROOT } from '../stress/corpus-util';
import { envFor, removeHome, stateDir, tempHome } from '../stress/cli';
import { CliHost } from '../helpers/cli-host';
import { recordedServerRuns, type ServerRecord } from '../../src/kubeconfig/server-record';

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

const nothingRuns = async () => false;

test('a frozen clock stands still in real time; advances move it; running again it rejoins its line, never going back', async () => {
  let real = 1_000_000;
  const { store, writes } = sharedStore();
  const a = await ClusterClock.open(store, () => real);
  await a.freeze(nothingRuns);
  const t0 = a.now();
  assert.equal(t0, real, 'frozen where it stood (speed 1 from creation: the wall clock)');
  real += 60_000;
  assert.equal(a.now(), t0, 'frozen: real time does not move it');
  const b = await ClusterClock.open(store, () => real); // another process
  assert.equal(b.now(), t0);
  assert.ok(b.frozen());

  await b.advance(5_000);
  await a.refresh();
  assert.equal(a.now(), t0 + 5_000, 'a wait moves it, and it stays frozen');
  assert.ok(a.frozen());
  const before = writes();
  await a.freeze(nothingRuns);
  assert.equal(writes(), before, 'freezing a frozen clock writes nothing');

  // Running again 60 s of real time after it froze, having waited 5 s: at the wall clock.
  await a.unfreeze();
  assert.ok(!a.frozen());
  assert.equal(a.now(), real, 'unfrozen at the time it would have reached running (the wall clock)');
  real += 1_000;
  assert.equal(a.now(), real, 'and it runs');

  // Something runs the cluster: a command does not freeze it.
  await a.freeze(async () => true);
  assert.ok(!a.frozen());

  // Waits that took it past its line (a `clock advance 1h` without a daemon): kept.
  await a.freeze(nothingRuns);
  await a.advance(3_600_000);
  real += 10_000;
  await a.unfreeze();
  assert.equal(a.now(), real - 10_000 + 3_600_000, 'never back: from the frozen time');
});

test('speed while frozen: the line it rejoins runs at the new speed from the change', async () => {
  let real = 0;
  const { store } = sharedStore();
  const c = await ClusterClock.open(store, () => real);
  await c.freeze(nothingRuns);
  real += 10_000;
  await c.setSpeed(10);
  assert.equal(c.now(), 0, 'still frozen');
  real += 1_000;
  await c.unfreeze();
  assert.equal(c.now(), 10_000 + 10 * 1_000);
  assert.equal(c.speed(), 10);
});

test('KUBESIM_NO_DAEMON=1: cluster time is the same from command to command until one waits; a server runs it from the wall clock, a daemon from where waits took it, and the next command without one freezes it', { timeout: 180_000 }, async () => {
  const home = tempHome('kubesim-frozen-');
  // Each command opens the cluster as a process of its own would. The daemon is started by
  // bin/kubesim (the setting unset): it runs `node <main> __daemon`, which a host is not.
  const host = new CliHost({ cwd: ROOT, env: envFor(home) });
  const frozen = async (args: string[]) => {
    const r = await host.run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const daemon = async (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...envFor(home), KUBESIM_NO_DAEMON: '' }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const clockOf = (via: typeof frozen) => async () => Date.parse((await via(['clock'])).split(' ')[0]);
  const clock = clockOf(frozen);
  try {
    await frozen(['cluster', 'create', '--nodes', '1']);
    const t0 = await clock();
    await frozen(['create', 'configmap', 'a']);
    assert.equal(await clock(), t0, 'no command waited: the clock stood still');
    const stamped = await frozen(['get', 'configmap', 'a', '-o', 'jsonpath={.metadata.creationTimestamp}']);
    assert.equal(Date.parse(stamped), Math.floor(t0 / 1000) * 1000);

    // An API server (without a daemon it only serves) runs the clock at the wall clock its
    // clients (kubectl) age objects against, not from where it stood seconds ago.
    const served = await serving(home);
    try {
      const wallBefore = Date.now();
      const shown = await clock();
      assert.ok(shown >= wallBefore && shown <= Date.now(), `the served cluster's clock is ${shown - wallBefore} ms from the wall clock`);
      assert.ok(wallBefore - t0 > 100, 'the test itself took time since t0');
    } finally {
      await served.stop();
    }

    const t1 = await clock();
    assert.equal(await clock(), t1, 'frozen again by the next command without a server');
    const waited = await host.run(['wait', '--for=jsonpath={.data.never}=x', 'configmap/a', '--timeout=5s']);
    assert.equal(waited.code, 1, 'the condition never holds');
    assert.equal(await clock(), t1 + 5_000, 'wait ran the cluster for its timeout');
    await frozen(['clock', 'advance', '115s']);
    assert.equal(await clock(), t1 + 120_000);

    // A daemon: the waits took the clock two minutes past the wall clock, and it never goes
    // back: it runs on from there.
    try {
      await daemon(['get', 'configmap', 'a']); // starts it
      const first = await clockOf(daemon)();
      assert.ok(first >= t1 + 120_000 && first < t1 + 120_000 + 60_000, `${first - t1} ms after t1`);
      assert.ok((await clockOf(daemon)()) > first, 'the daemon runs the clock');
    } finally {
      await daemon(['cluster', 'stop']);
    }
    const t2 = await clock();
    assert.equal(await clock(), t2, 'frozen again once the daemon stopped');
  } finally {
    host.stop();
    removeHome(home);
  }
});

/** `kubesim serve --insecure-http` (KUBESIM_NO_DAEMON=1: it only serves) on `home`'s cluster, once it has recorded itself. */
async function serving(home: string): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--insecure-http'], { cwd: ROOT, env: envFor(home), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kubesim serve exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`kubesim serve did not start in time: ${out}`);
    if (/^Serving the Kubernetes API/m.test(out)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const record = JSON.parse(readFileSync(join(stateDir(home), 'server.json'), 'utf8')) as ServerRecord;
  assert.equal(record.pid, child.pid, 'the server recorded itself');
  assert.equal(record.startTime, readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19], 'with its start time');
  assert.ok(recordedServerRuns(record));
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
