// The real kubectl 1.32 exec and attach against `kubesim serve` (WebSocket, v5.channel.k8s.io):
// the same stdout, stderr and exit code as `kubesim exec` on the same cluster, kube's
// messages for every refusal, RBAC on pods/exec, and attach following new output.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { JANE_READS_PODS, KUBECTL, ServedCluster, sleep } from './harness';

const c = new ServedCluster('exec');

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; done"]
  - {name: side, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"], env: [{name: COLOR, value: teal}]}
---
apiVersion: v1
kind: Pod
metadata: {name: half}
spec:
  restartPolicy: Never
  containers:
  - {name: done, image: busybox:1.36, command: ["sh", "-c", "echo bye"]}
  - {name: up, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
---
apiVersion: v1
kind: Pod
metadata: {name: badimg}
spec:
  containers:
  - {name: app, image: "busybox:no-such-tag-9"}
---
apiVersion: v1
kind: Pod
metadata: {name: finished}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: busybox:1.36, command: ["sh", "-c", "echo ok"]}
`;

before(async () => {
  // badimg backs off pulling for ever: the cluster never settles, a minute is enough
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: `${PODS}---\n${JANE_READS_PODS}`, settle: ['--timeout', '1m'] });
  assert.match(c.ok(['get', 'pod', 'badimg', '--no-headers']), /ImagePullBackOff|ErrImagePull/);
});

after(() => c.stop());

/** kubectl exec ARGS and kubesim exec ARGS: same stdout, stderr and exit code. */
function same(args: string[], stdin?: string): { code: number; stdout: string; stderr: string } {
  const k = c.kubectl(['exec', ...args], { stdin });
  const s = c.kubesim(['exec', ...args], { stdin });
  assert.equal(s.stdout, k.stdout, `stdout of exec ${args.join(' ')}`);
  assert.equal(s.stderr, k.stderr, `stderr of exec ${args.join(' ')}`);
  assert.equal(s.code, k.code, `exit code of exec ${args.join(' ')}`);
  return k;
}

test('kubectl exec runs the command in the simulated shell, exit code through the error channel', () => {
  const r = same(['box', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 3']);
  assert.equal(r.stdout, 'hi\n');
  assert.equal(r.stderr, 'Defaulted container "main" out of: main, side\noops\ncommand terminated with exit code 3\n');
  assert.equal(r.code, 3);
  assert.equal(same(['box', '-c', 'side', '--', 'printenv', 'COLOR']).stdout, 'teal\n');
  same(['box', '-c', 'side', '--', 'env']);
  same(['box', '-c', 'side', '--', 'ls', '/var/run/secrets/kubernetes.io/serviceaccount']);
  same(['box', '-c', 'side', '--', 'nosuch']);
  same(['box', '-q', '--', 'sh', '-c', 'exit 0']);
});

test('kubectl exec -i sends stdin, ended by the v5 close signal', () => {
  const r = same(['-i', 'box', '-c', 'side', '--', 'sh', '-c', 'wc -l; cat'], 'one\ntwo\n');
  assert.equal(r.stdout, '2\n');
  assert.equal(same(['-i', 'box', '-c', 'side', '--', 'sh'], 'echo from-script $((6*7))\nexit 4\n').code, 4);
});

test('refusals carry kube messages: missing pod, container, not running, exited, completed', () => {
  assert.equal(same(['nope', '--', 'true']).stderr, 'Error from server (NotFound): pods "nope" not found\n');
  assert.equal(same(['box', '-c', 'nope', '--', 'true']).stderr, 'Error from server (BadRequest): container nope is not valid for pod box\n');
  assert.equal(same(['badimg', '--', 'true']).stderr, 'error: unable to upgrade connection: container not found ("app")\n');
  assert.equal(same(['half', '-c', 'done', '--', 'true']).stderr, 'error: Internal error occurred: error executing command in container: failed to exec in container: container is in CONTAINER_EXITED state\n');
  assert.equal(same(['finished', '--', 'true']).stderr, 'error: cannot exec into a container in a completed pod; current phase is Succeeded\n');
});

test('exec needs create on pods/exec', () => {
  const r = c.kubectl(['exec', 'box', '--as=jane', '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error from server \(Forbidden\): pods "box" is forbidden: User "jane" cannot create resource "pods\/exec" in API group "" in the namespace "default"\n$/);
});

test('a v4-only client gets v4 framing and the Status on channel 3', async () => {
  const u = new URL(c.url);
  const path = '/api/v1/namespaces/default/pods/box/exec?container=side&command=sh&command=-c&command=echo%20x%3B%20exit%207&stdout=true&stderr=true';
  const ws = new WebSocket(`wss://${u.host}${path}`, ['v4.channel.k8s.io'], { ca: c.pki('ca.crt'), cert: c.pki('admin.crt'), key: c.pki('admin.key') });
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
  await new Promise<void>((resolve, reject) => {
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  assert.deepEqual(frames.map((f) => [f[0], f.subarray(1).toString()][0]), [1, 3]);
  assert.equal(frames[0].subarray(1).toString(), 'x\n');
  const status = JSON.parse(frames[1].subarray(1).toString());
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '7' }]);
});

test('kubectl attach follows what the container writes from now on', async () => {
  // nothing the container wrote before this moment may show up in the attach
  const tStart = Date.parse(c.ok(['clock']).split(' ')[0]);
  const child = spawn(KUBECTL, ['attach', 'box', '-c', 'main'], { env: c.env() });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  try {
    // the attach is open once kubectl says so
    const deadline = Date.now() + 30_000;
    while (!err.includes("If you don't see a command prompt")) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `attach did not start: ${err}`);
      await sleep(50);
    }
    const t0 = Date.parse(c.ok(['clock']).split(' ')[0]);
    c.ok(['clock', 'advance', '11s']);
    const lines = c.ok(['logs', 'box', '-c', 'main', '--timestamps']).trim().split('\n');
    const text = (ls: string[]) => ls.map((l) => l.slice(l.indexOf(' ') + 1));
    const sinceStart = text(lines.filter((l) => Date.parse(l.split(' ')[0]) >= tStart));
    const fresh = text(lines.filter((l) => Date.parse(l.split(' ')[0]) >= t0));
    assert.ok(fresh.length >= 2, `new lines: ${fresh}`);
    const deadline2 = Date.now() + 30_000;
    while (!out.includes(`${fresh[fresh.length - 1]}\n`)) {
      assert.ok(Date.now() < deadline2, `attach printed: ${out}\nstderr: ${err}`);
      await sleep(50);
    }
    // a tail of what came after the attach began, with everything written since it was ready
    const printed = out.trim().split('\n');
    const got = printed.slice(0, printed.indexOf(fresh[fresh.length - 1]) + 1);
    assert.deepEqual(got, sinceStart.slice(sinceStart.length - got.length));
    assert.ok(got.length >= fresh.length, out);
  } finally {
    child.kill('SIGTERM');
  }
});
