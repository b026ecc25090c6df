// kill -9 of the reconcile daemon at random moments while it works (bounded form: a dozen
// kills). Afterwards the state directory loads, every acknowledged object is there, no
// ReplicaSet owns more pods than its replicas, a restarted daemon resumes, and the in-process
// controllers converge. No daemon is left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoReplicaSetOverOwns, hasStackTrace, registryObjects, removeHome, run, sleep, stateDir, tempHome } from './cli';
import { seedOf } from './corpus-util';

function daemonPid(home: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir(home), 'daemon.pid'), 'utf8').trim().split(' ')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: nginx:1.27}]
`;

test('kill -9 of the daemon while it reconciles: state loads, nothing acknowledged lost, it resumes and converges', { timeout: 240_000 }, async (t) => {
  const home = tempHome('kubesim-daemon-crash-');
  let rand = seedOf(17);
  const next = () => ((rand = (rand * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const start = () => run(home, ['cluster', 'start'], '', 30_000);
  let kills = 0;
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '3']).code, 0);
    const acknowledged: string[] = [];
    for (let round = 0; round < 12; round++) {
      const s = start();
      assert.equal(s.code, 0, s.stderr);
      const name = `app-${round}`;
      const a = run(home, ['apply', '-f', '-'], deployment(name, 2 + (round % 3)));
      if (a.code === 0) acknowledged.push(name);
      await sleep(50 + Math.floor(next() * 400));
      const pid = Number(/pid (\d+)/.exec(s.stdout)?.[1]);
      if (pid && alive(pid)) {
        process.kill(pid, 'SIGKILL');
        kills++;
        for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
      }
    }
    t.diagnostic(`daemon kills: ${kills}, deployments acknowledged: ${acknowledged.length}`);
    assert.ok(kills >= 10, `only ${kills} kills landed`);

    // The store loads and holds every acknowledged object.
    const objects = registryObjects(home);
    for (const name of acknowledged) assert.ok([...objects.keys()].some((k) => k.endsWith(`deployments/default/${name}`)), `deployment ${name} lost`);

    // A restarted daemon resumes: it moves a rollout the kills left unfinished (when there
    // is one) within the deadline. Then stop it and let the in-process controllers settle.
    const readiness = () => run(home, ['get', 'deployments', '-o', 'jsonpath={range .items[*]}{.status.readyReplicas}/{.spec.replicas} {end}']).stdout;
    const atRestart = readiness();
    const settled = (r: string) => r.trim().split(' ').every((x) => x.split('/')[0] === x.split('/')[1]);
    assert.equal(start().code, 0);
    const restarted = Date.now();
    const deadline = restarted + 60_000;
    if (!settled(atRestart)) {
      for (let now = atRestart; now === atRestart; now = readiness()) {
        assert.ok(Date.now() < deadline, `the restarted daemon moved no rollout in 60 s: ${now}`);
        await sleep(200);
      }
    }
    t.diagnostic(`readiness at the restart: ${atRestart.trim()}; the daemon moved a rollout after ${Date.now() - restarted} ms`);
    assert.match(run(home, ['cluster', 'stop']).stdout, /daemon stopped/);
    const settle = run(home, ['reconcile', '--until-stable'], '', 120_000);
    assert.equal(settle.code, 0, settle.stdout + settle.stderr);
    assert.ok(!hasStackTrace(settle.stderr), settle.stderr);

    for (const name of acknowledged) {
      const ready = run(home, ['get', 'deployment', name, '-o', 'jsonpath={.spec.replicas} {.status.readyReplicas}']).stdout.split(' ');
      assert.equal(ready[0], ready[1], `deployment ${name}: ${ready.join(' ')}`);
    }
    assertNoReplicaSetOverOwns(home);
  } finally {
    const pid = daemonPid(home);
    if (pid) process.kill(pid, 'SIGKILL');
    removeHome(home);
  }
});
