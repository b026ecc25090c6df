// `rollout status` prints one line per watch event on the Deployment, repeats included, as
// kubectl 1.32 does (UntilWithSync: the list's state, then every MODIFIED event): the real
// kubectl watches the served cluster while kubesim, in-process, watches the same rollout
// and drives it (its writes are the events both see), so both must print the same lines.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, ServedCluster } from './harness';
import { BIN, type RunResult } from '../e2e/helpers';

const c = new ServedCluster('rse');

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx:1.25}]}
`;

before(async () => {
  await c.setUp({ kubectl: true, manifest: DEPLOY });
});
after(() => c.stop());

/** `rollout status deploy/web` started with `cmd`; `listed` resolves once it printed its first line (its list is done, its watch starts from it). */
function rolloutStatus(on: ServedCluster, cmd: string[], env: NodeJS.ProcessEnv): { listed: Promise<void>; done: Promise<RunResult> } {
  const p = on.started([...cmd, 'rollout', 'status', 'deploy/web', '--timeout=120s'], env);
  return { listed: p.until((out) => out.includes('\n')), done: p.done };
}

test('rollout status of an image change prints the line of every event, as kubectl watching the same rollout', async () => {
  for (const image of ['nginx:1.26', 'nginx:1.27']) {
    c.ok(['set', 'image', 'deploy/web', `nginx=${image}`]);
    const kubectl = rolloutStatus(c, [KUBECTL], c.env());
    await kubectl.listed;
    const kubesim = await c.kubesimAsync(['rollout', 'status', 'deploy/web', '--timeout=120s']);
    const real = await kubectl.done;
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual([kubesim.code, kubesim.stdout, kubesim.stderr], [real.code, real.stdout, real.stderr], image);
    const lines = real.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'deployment "web" successfully rolled out');
    // The revision annotation's write, then the status's: the first line twice, and each
    // replica's step is several events with the same line.
    assert.deepEqual(lines.slice(0, 2), Array(2).fill('Waiting for deployment spec update to be observed...'));
    assert.ok(new Set(lines).size < lines.length - 2, real.stdout);
  }
});

test('through the daemon: kubesim and kubectl watching one rollout print the same lines', async (t) => {
  const d = new ServedCluster('rsd');
  t.after(() => d.stop());
  await d.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  // the daemon's cluster at 5x: its two rollouts take a fifth of the wall time
  d.ok(['clock', 'speed', '5']);
  const ok = (args: string[]) => d.okAsync(args, { env: { KUBESIM_NO_DAEMON: '' }, timeoutMs: 120_000 });
  await ok(['apply', '-f', d.file('web.yaml', DEPLOY)]);
  await ok(['rollout', 'status', 'deploy/web', '--timeout=100s']);
  // Paused, the change is observed without a rollout: both watchers start from one state.
  await ok(['rollout', 'pause', 'deploy/web']);
  await ok(['set', 'image', 'deploy/web', 'nginx=nginx:1.26']);
  const observed = () => ok(['get', 'deploy/web', '-o', 'jsonpath={.metadata.generation} {.status.observedGeneration}']);
  const deadline = Date.now() + 60_000;
  for (let g = await observed(); g.split(' ')[0] !== g.split(' ')[1]; g = await observed()) {
    assert.ok(Date.now() < deadline, `the paused deployment's change was never observed: ${g}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kubectl = rolloutStatus(d, [KUBECTL], d.env());
  const kubesim = rolloutStatus(d, [process.execPath, BIN], d.env({ KUBESIM_NO_DAEMON: '' }));
  await Promise.all([kubectl.listed, kubesim.listed]);
  await ok(['rollout', 'resume', 'deploy/web']);
  const [real, sim] = await Promise.all([kubectl.done, kubesim.done]);
  assert.equal(real.code, 0, real.stderr);
  assert.deepEqual([sim.code, sim.stdout, sim.stderr], [real.code, real.stdout, real.stderr]);
  const lines = real.stdout.trimEnd().split('\n');
  assert.equal(lines.at(-1), 'deployment "web" successfully rolled out');
  assert.ok(new Set(lines).size < lines.length, real.stdout);
});
