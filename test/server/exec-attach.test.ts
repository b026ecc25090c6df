// The real kubectl 1.32 exec and attach against `kubesim serve` (WebSocket, v5.channel.k8s.io):
// the same stdout, stderr and exit code as `kubesim exec` on the same cluster, kube's
// messages for every refusal, RBAC on pods/exec, and attach following new output.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { JANE_READS_PODS, KUBECTL, ServedCluster, sleep } from './harness';
import { BIN } from '../e2e/helpers';
import { runOnPty, type PtyStep } from '../helpers/pty';

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
---
# a process that is not a shell, on the terminal it reads (as \`kubectl run -it -- cat\` makes it)
apiVersion: v1
kind: Pod
metadata: {name: typist}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: [cat], stdin: true, tty: true}
---
# debug's own target: the ephemeral containers it adds would show in box's container list
apiVersion: v1
kind: Pod
metadata: {name: target}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
`;

before(async () => {
  // badimg backs off pulling for ever: the cluster never settles, a minute is enough
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: `${PODS}---\n${JANE_READS_PODS}`, settle: ['--timeout', '1m'] });
  assert.match(await c.hostedOk(['get', 'pod', 'badimg', '--no-headers']), /ImagePullBackOff|ErrImagePull/);
});

after(() => c.stop());

/** kubectl exec ARGS and kubesim exec ARGS (in the cluster's CLI host), at once: same stdout, stderr and exit code. */
async function same(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [k, s] = await Promise.all([c.kubectlAsync(['exec', ...args], { stdin }), c.hosted(['exec', ...args], { stdin })]);
  assert.equal(s.stdout, k.stdout, `stdout of exec ${args.join(' ')}`);
  assert.equal(s.stderr, k.stderr, `stderr of exec ${args.join(' ')}`);
  assert.equal(s.code, k.code, `exit code of exec ${args.join(' ')}`);
  return k;
}

test('kubectl exec runs the command in the simulated shell, exit code through the error channel', async () => {
  const r = await same(['box', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 3']);
  assert.equal(r.stdout, 'hi\n');
  assert.equal(r.stderr, 'Defaulted container "main" out of: main, side\noops\ncommand terminated with exit code 3\n');
  assert.equal(r.code, 3);
  assert.equal((await same(['box', '-c', 'side', '--', 'printenv', 'COLOR'])).stdout, 'teal\n');
  await same(['box', '-c', 'side', '--', 'env']);
  await same(['box', '-c', 'side', '--', 'ls', '/var/run/secrets/kubernetes.io/serviceaccount']);
  await same(['box', '-c', 'side', '--', 'nosuch']);
  await same(['box', '-q', '--', 'sh', '-c', 'exit 0']);
});

test('kubectl exec -i sends stdin, ended by the v5 close signal', async () => {
  const r = await same(['-i', 'box', '-c', 'side', '--', 'sh', '-c', 'wc -l; cat'], 'one\ntwo\n');
  assert.equal(r.stdout, '2\n');
  assert.equal((await same(['-i', 'box', '-c', 'side', '--', 'sh'], 'echo from-script $((6*7))\nexit 4\n')).code, 4);
});

test('refusals carry kube messages: missing pod, container, not running, exited, completed', async () => {
  assert.equal((await same(['nope', '--', 'true'])).stderr, 'Error from server (NotFound): pods "nope" not found\n');
  assert.equal((await same(['box', '-c', 'nope', '--', 'true'])).stderr, 'Error from server (BadRequest): container nope is not valid for pod box\n');
  assert.equal((await same(['badimg', '--', 'true'])).stderr, 'error: unable to upgrade connection: container not found ("app")\n');
  assert.equal((await same(['half', '-c', 'done', '--', 'true'])).stderr, 'error: Internal error occurred: error executing command in container: failed to exec in container: container is in CONTAINER_EXITED state\n');
  assert.equal((await same(['finished', '--', 'true'])).stderr, 'error: cannot exec into a container in a completed pod; current phase is Succeeded\n');
});

test('exec needs create on pods/exec', async () => {
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

test('a client stalled after the upgrade still gets every message once it reads (client-go 1.32 drops what comes before its streams exist)', async () => {
  // A model of kubectl 1.32 on a loaded machine: nothing is read for STALL ms after the
  // upgrade; then its reader starts (answering the ping that waited) a few milliseconds
  // before its streams exist, and drops what it reads in between ("Unknown stream id").
  const STALL = 300;
  const STREAMS_AFTER = 5;
  const u = new URL(c.url);
  const path = '/api/v1/namespaces/default/pods/box/exec?container=side&command=sh&command=-c&command=echo%20out%3B%20echo%20err%20%3E%262%3B%20exit%203&stdout=true&stderr=true';
  const ws = new WebSocket(`wss://${u.host}${path}`, ['v5.channel.k8s.io'], { ca: c.pki('ca.crt'), cert: c.pki('admin.crt'), key: c.pki('admin.key'), autoPong: false });
  const arrived: Array<{ at: number; frame?: Buffer; ping?: Buffer }> = [];
  let openedAt = 0;
  ws.on('open', () => (openedAt = Date.now()));
  ws.on('message', (d: Buffer) => arrived.push({ at: Date.now(), frame: Buffer.from(d) }));
  ws.on('ping', (d: Buffer) => arrived.push({ at: Date.now(), ping: Buffer.from(d) }));
  // The reader starts: pings that waited are answered now, frames are kept only once the streams exist.
  const reading = new Promise<void>((resolve) => ws.once('open', () => setTimeout(() => {
    for (const a of arrived) if (a.ping) ws.pong(a.ping);
    ws.on('ping', (d: Buffer) => ws.pong(d));
    resolve();
  }, STALL)));
  await new Promise<void>((resolve, reject) => {
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  await reading;
  const streamsAt = openedAt + STALL + STREAMS_AFTER;
  const kept = arrived.filter((a) => a.frame && Math.max(a.at, openedAt + STALL) >= streamsAt).map((a) => [a.frame![0], a.frame!.subarray(1).toString()]);
  assert.deepEqual(kept.slice(0, 2), [[1, 'out\n'], [2, 'err\n']]);
  assert.equal(JSON.parse(String(kept[2]?.[1])).reason, 'NonZeroExitCode');
});

/** kubectl ARGS with its stdin left open, written to as a person types. */
const kubectlStreaming = (args: string[]) => c.started([KUBECTL, ...args]);

test('kubectl attach follows what the container writes from now on', async () => {
  // nothing the container wrote before this moment may show up in the attach
  const tStart = Date.parse((await c.hostedOk(['clock'])).split(' ')[0]);
  const k = kubectlStreaming(['attach', 'box', '-c', 'main']);
  try {
    // the attach is open once kubectl says so
    await k.until(() => k.err().includes("If you don't see a command prompt"));
    const t0 = Date.parse((await c.hostedOk(['clock'])).split(' ')[0]);
    await c.hostedOk(['clock', 'advance', '11s']);
    const lines = (await c.hostedOk(['logs', 'box', '-c', 'main', '--timestamps'])).trim().split('\n');
    const text = (ls: string[]) => ls.map((l) => l.slice(l.indexOf(' ') + 1));
    const sinceStart = text(lines.filter((l) => Date.parse(l.split(' ')[0]) >= tStart));
    const fresh = text(lines.filter((l) => Date.parse(l.split(' ')[0]) >= t0));
    assert.ok(fresh.length >= 2, `new lines: ${fresh}`);
    await k.until((out) => out.includes(`${fresh[fresh.length - 1]}\n`));
    const out = k.out();
    // a tail of what came after the attach began, with everything written since it was ready
    const printed = out.trim().split('\n');
    const got = printed.slice(0, printed.indexOf(fresh[fresh.length - 1]) + 1);
    assert.deepEqual(got, sinceStart.slice(sinceStart.length - got.length));
    assert.ok(got.length >= fresh.length, out);
  } finally {
    k.child.kill('SIGTERM');
  }
});

test('kubectl attach -i: what it pipes is the stdin of the container process waiting on it (closed after, stdinOnce)', async () => {
  await c.hostedOk(['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: reader}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: busybox:1.36, stdin: true, stdinOnce: true, command: [sh, -c, "echo waiting; cat; echo done"]}]\n' });
  await c.hostedOk(['wait', '--for=condition=Ready', 'pod/reader', '--timeout=60s']);
  const k = kubectlStreaming(['attach', '-i', 'reader']);
  k.child.stdin.end('piped\n');
  try {
    // this server only serves: the cluster's time moves when told to, until the attach ends
    for (const deadline = Date.now() + 40_000; k.child.exitCode === null; ) {
      assert.ok(Date.now() < deadline, `attach printed: ${k.out()}`);
      await c.hostedOk(['clock', 'advance', '1s']);
      await sleep(100);
    }
    const r = await k.done; // its output read to the end
    assert.deepEqual([r.code, r.stdout], [0, 'piped\ndone\n']);
    assert.equal(await c.hostedOk(['logs', 'reader']), 'waiting\npiped\ndone\n');
  } finally {
    k.child.kill('SIGTERM');
  }
});

test('kubectl exec -i streams: cat in the container echoes a line while kubectl\'s stdin is still open', async () => {
  const k = kubectlStreaming(['exec', '-i', 'box', '-c', 'side', '--', 'sh', '-c', 'echo start; cat; echo "got $?" >&2; exit 2']);
  try {
    k.child.stdin.write('hi\n');
    await k.until((out) => out.includes('hi\n'));
    assert.equal(k.out(), 'start\nhi\n');
    k.child.stdin.write('there\n');
    await k.until((out) => out.includes('there\n'));
    k.child.stdin.end();
    assert.equal(await k.exited, 2);
    assert.deepEqual([k.out(), k.err()], ['start\nhi\nthere\n', 'got 0\ncommand terminated with exit code 2\n']);
  } finally {
    k.child.kill('SIGKILL');
  }
});

test('kubectl attach -i streams: the container process\'s cat echoes a line while kubectl\'s stdin is still open', async () => {
  await c.hostedOk(['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: streamer}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: busybox:1.36, stdin: true, stdinOnce: true, command: [sh, -c, "echo waiting; cat; echo done"]}]\n' });
  await c.hostedOk(['wait', '--for=condition=Ready', 'pod/streamer', '--timeout=60s']);
  const k = kubectlStreaming(['attach', '-i', 'streamer']);
  // this server only serves: the cluster's time moves when told to
  const tick = () => c.hostedOk(['clock', 'advance', '1s']);
  try {
    k.child.stdin.write('first\n');
    await k.until((out) => out.includes('first\n'), tick);
    assert.equal(k.out(), 'first\n');
    assert.equal(await c.hostedOk(['get', 'pod', 'streamer', '-o', 'jsonpath={.status.phase}']), 'Running');
    k.child.stdin.end('second\n');
    await k.until((out) => out.includes('done\n'), tick);
    assert.deepEqual([await k.exited, k.out()], [0, 'first\nsecond\ndone\n']);
    assert.equal(await c.hostedOk(['logs', 'streamer']), 'waiting\nfirst\nsecond\ndone\n');
  } finally {
    k.child.kill('SIGKILL');
  }
});

// Typed as a person would at `exec -it ... -- sh`: commands, a multi-line `if` (PS2), a
// backspace, a line dropped with Ctrl-C, and `exit 3`.
const SHELL_SESSION: PtyStep[] = [
  { expect: '/ # ', send: 'echo hello $((1+2))\r' },
  { expect: '/ # ', send: 'cd /tmp; X=5\r' },
  { expect: '/tmp # ', send: 'if [ $X = 5 ]; then\r' },
  { expect: '> ', send: 'echo five > f\r' },
  { expect: '> ', send: 'fi\r' },
  { expect: '/tmp # ', send: 'cat f; ecx\x7fho edited\r' },
  { expect: '/tmp # ', send: 'nothing\x03' },
  { expect: '/tmp # ', send: 'echo $?; exit 3\r' },
];

const SHELL_TRANSCRIPT =
  '/ # echo hello $((1+2))\r\nhello 3\r\n/ # cd /tmp; X=5\r\n/tmp # if [ $X = 5 ]; then\r\n> echo five > f\r\n> fi\r\n' +
  '/tmp # cat f; ecx\b \bho edited\r\nfive\r\nedited\r\n/tmp # nothing^C\r\n/tmp # echo $?; exit 3\r\n130\r\ncommand terminated with exit code 3\r\n';

test('exec -it: kubectl over the API server and kubesim in-process give the same interactive shell on a terminal', async () => {
  const kubectl = await runOnPty([KUBECTL, 'exec', '-it', 'box', '-c', 'side', '--', 'sh'], SHELL_SESSION, c.env());
  assert.equal(kubectl.stalled, undefined, kubectl.transcript);
  assert.equal(kubectl.transcript, SHELL_TRANSCRIPT);
  assert.equal(kubectl.code, 3);
  const kubesim = await runOnPty([process.execPath, BIN, 'exec', '-it', 'box', '-c', 'side', '--', 'sh'], SHELL_SESSION, c.env());
  assert.equal(kubesim.stalled, undefined, kubesim.transcript);
  assert.equal(kubesim.transcript, SHELL_TRANSCRIPT);
  assert.equal(kubesim.code, 3);
  // what the sessions wrote stays in the container
  assert.equal(await c.hostedOk(['exec', 'box', '-c', 'side', '--', 'cat', '/tmp/f']), 'five\n');
  // -t without a terminal: kubectl's warning, then the shell reads its stdin as a script
  assert.equal((await same(['-it', 'box', '-c', 'side', '--', 'sh'], 'echo $((6*7))\n')).stdout, '42\n');
});

// kubectl sends raw keystrokes; the container's terminal (cooked) echoes and edits them,
// hands each line to the process, and turns Ctrl-C into SIGINT (cat ends with 130) and
// Ctrl-D on an empty line into the end of its input.
const CAT_SESSIONS: Array<[PtyStep[], string, number]> = [
  [[{ expect: 'ready\r\n', send: 'hellp\x7fo\r' }, { expect: 'o\r\nhello\r\n', send: 'x\x03' }], 'ready\r\nhellp\b \bo\r\nhello\r\nx^Ccommand terminated with exit code 130\r\n', 130],
  [[{ expect: 'ready\r\n', send: 'a\r' }, { expect: 'a\r\na\r\n', send: 'b\x04' }, { expect: 'bb', send: '\x04' }], 'ready\r\na\r\na\r\nbbafter\r\n', 0],
];

test('exec -it to a process that is not a shell (cat): kubectl over the API server and kubesim in-process get the terminal\'s echo, editing, Ctrl-C and Ctrl-D', async () => {
  for (const [steps, transcript, code] of CAT_SESSIONS) {
    for (const argv of [[KUBECTL], [process.execPath, BIN]]) {
      const r = await runOnPty([...argv, 'exec', '-it', 'box', '-c', 'side', '--', 'sh', '-c', 'echo ready; cat; echo after'], steps, c.env());
      assert.equal(r.stalled, undefined, `${argv.at(-1)}: ${JSON.stringify(r.transcript)}`);
      assert.deepEqual([r.transcript, r.code], [transcript, code], argv.at(-1));
    }
  }
});

test('attach -it to a process that is not a shell (cat): kubectl over the API server and kubesim in-process get the terminal\'s echo and cat\'s line; Ctrl-D ends cat, so the session, and the container restarts', async () => {
  const steps: PtyStep[] = [{ expect: 'enter.\r\n', raw: true, send: 'hello\r' }, { expect: 'hello\r\nhello\r\n', send: '\x04' }, { expect: 'running\r\n' }];
  const want = "If you don't see a command prompt, try pressing enter.\r\nhello\r\nhello\r\nSession ended, resume using 'kubectl attach typist -c app -i -t' command when the pod is running\r\n";
  for (const [argv, restarts] of [[[KUBECTL], 1], [[process.execPath, BIN], 2]] as const) {
    const session = runOnPty([...argv, 'attach', '-it', 'typist'], steps, c.env());
    let ended = false;
    void session.finally(() => (ended = true));
    // this server only serves: the cluster's time moves when told to, until the session ends
    for (const deadline = Date.now() + 40_000; !ended && Date.now() < deadline; await sleep(100)) await c.hostedOk(['clock', 'advance', '1s']);
    const r = await session;
    assert.deepEqual([r.stalled, r.transcript.replace(/\bkubesim\b/g, 'kubectl'), r.code], [undefined, want, 0], argv[0]);
    // cat ended by the end of its input: Completed, restarted (restartPolicy Always)
    await c.hostedOk(['wait', `--for=jsonpath={.status.containerStatuses[0].restartCount}=${restarts}`, 'pod/typist', '--timeout=60s']);
    assert.equal(await c.hostedOk(['get', 'pod', 'typist', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.reason}']), 'Completed');
  }
});

test('debug -it: a shell in a new ephemeral container, through kubectl and kubesim alike', async () => {
  const steps: PtyStep[] = [
    { expect: '/ # ', send: 'echo in $HOSTNAME; exit\r' },
    { expect: 'if it is still running' },
  ];
  const args = ['debug', '-it', 'target', '-c', '', '--image=busybox:1.36', '--profile=general', '--', 'sh'];
  const run = (argv: string[], name: string) => c.ephemeralTranscript(runOnPty([...argv, ...args.map((a) => (a === '' ? name : a))], steps, c.env()), 'target', name);
  const want = (name: string) =>
    `If you don't see a command prompt, try pressing enter.\r\n/ # echo in $HOSTNAME; exit\r\nin target\r\n` +
    `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach target -c ${name} -i -t' if it is still running\r\n`;
  assert.equal(await run([KUBECTL], 'dbg1'), want('dbg1'));
  assert.equal(await run([process.execPath, BIN], 'dbg2'), want('dbg2'));
});
