// `kubesim run` as kubectl 1.32's RunOptions.Run: --attach/-i wait for the pod, attach (or
// print the logs of a pod that already ended), return the container's exit code with
// --restart=Never, and --rm deletes the pod; -it drives the container's shell on a terminal
// (a pseudo-terminal from script(1)); --expose creates the Service first; the help and the
// flag errors are kubectl's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, copyPerTest, ROOT } from './helpers';
import { Hosted } from './hosted';
import { run } from '../../src/cli/root';
import type { Terminal } from '../../src/cli/context';

let sb!: Hosted;

copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['cluster', 'create', 'runs', '--nodes', '1']);
    // busybox already on the node: the waits below are the container's, not a pull's
    await base.ok(['image', 'load', 'busybox']);
  },
  (copy) => (sb = new Hosted(copy)),
  'kubesim-run-attach-',
);

const PROMPT = "If you don't see a command prompt, try pressing enter.\n";

test('run -i --rm --restart=Never: a container that ended before the attach prints its logs, the pod is deleted, its exit code is returned', async () => {
  const r = await sb.run(['run', 'a', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo hi; exit 3']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, 'hi\npod "a" deleted\n', 'pod default/a terminated (Error)\n']);
  assert.equal((await sb.run(['get', 'pod', 'a'])).stderr, 'Error from server (NotFound): pods "a" not found\n');
});

test('run --attach follows a running container from its start to its end; without --rm the pod stays', async () => {
  const r = await sb.run(['run', 'b', '--attach', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo start; sleep 3; echo end']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'start\nend\n', PROMPT]);
  assert.equal(await sb.ok(['get', 'pod', 'b', '-o', 'jsonpath={.status.phase}']), 'Succeeded');
  // -q: no prompt message, no deletion line
  const q = await sb.run(['run', 'bq', '-i', '-q', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo start; sleep 2; exit 2']);
  assert.deepEqual([q.code, q.stdout, q.stderr], [2, 'start\n', 'pod default/bq terminated (Error)\n']);
});

test('run -i without a terminal: the container\'s shell reads the piped input as its script; its exit is the container\'s', async () => {
  const r = await sb.run(['run', 'c', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh'], { stdin: 'echo from stdin; hostname; exit 4\n' });
  assert.deepEqual([r.code, r.stdout, r.stderr], [4, 'from stdin\nc\npod "c" deleted\n', `${PROMPT}pod default/c terminated (Error)\n`]);
  const ok = await sb.run(['run', 'd', '-i', '--restart=Never', '--image=busybox', '--', 'sh'], { stdin: 'echo fine\n' });
  assert.deepEqual([ok.code, ok.stdout], [0, 'fine\n']);
  const st = JSON.parse(await sb.ok(['get', 'pod', 'd', '-o', 'json'])).status;
  assert.deepEqual([st.phase, st.containerStatuses[0].state.terminated?.exitCode], ['Succeeded', 0]);
});

test("run -i -- sh -c SCRIPT: the piped input is the script's stdin (kubectl attach's), the script waits for it; no attach, it waits on", async () => {
  const r = await sb.run(['run', 'e', '-i', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo start; while read l; do echo "got $l"; done; exit 5'], { stdin: 'one\ntwo\n' });
  assert.deepEqual([r.code, r.stdout, r.stderr], [5, 'start\ngot one\ngot two\n', `${PROMPT}pod default/e terminated (Error)\n`]);
  // what the process wrote is its log too
  assert.equal(await sb.ok(['logs', 'e']), 'start\ngot one\ngot two\n');
  const cat = await sb.run(['run', 'f', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'cat'], { stdin: 'hi\n' });
  assert.deepEqual([cat.code, cat.stdout, cat.stderr], [0, 'hi\npod "f" deleted\n', PROMPT]);
  // a container with stdin that no attach has written to waits on its read, as a real one does
  await sb.ok(['create', '-f', sb.file('wait.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: busybox, stdin: true, stdinOnce: true, command: [sh, -c, "echo waiting; cat; echo done"]}]\n')]);
  await sb.ok(['clock', 'advance', '30s']);
  assert.equal(await sb.ok(['get', 'pod', 'w', '-o', 'jsonpath={.status.phase}']), 'Running');
  assert.equal(await sb.ok(['logs', 'w']), 'waiting\n');
  // an attach that sends it the input (and closes it, stdinOnce) lets it go on
  // (no daemon here: the cluster's time moves when told to, until the attach has seen the end)
  // a process of its own: the host runs one command at a time, and the clock must move meanwhile
  const attached = sb.sb.runAsync(['attach', '-i', 'w'], { stdin: 'x\n' });
  let ended = false;
  void attached.then(() => (ended = true));
  for (const deadline = Date.now() + 40_000; !ended && Date.now() < deadline; ) {
    await sb.ok(['clock', 'advance', '1s']);
    await new Promise((res) => setTimeout(res, 100));
  }
  const a = await attached;
  assert.deepEqual([a.code, a.stdout], [0, 'x\ndone\n']);
  assert.equal(await sb.ok(['get', 'pod', 'w', '-o', 'jsonpath={.status.phase}']), 'Succeeded');
  assert.equal(await sb.ok(['logs', 'w']), 'waiting\nx\ndone\n');
});

/** kubesim ARGS in a process of its own, its stdin left open to write to as a person types. */
function streaming(args: string[], env: NodeJS.ProcessEnv = sb.sb.env(), o: { terminal?: boolean } = {}) {
  // on a terminal: a pseudo-terminal from script(1), its output what the terminal shows
  const cmd = [process.execPath, BIN, ...args];
  const child = o.terminal ? spawn('script', ['-qec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: ROOT, env }) : spawn(cmd[0], cmd.slice(1), { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  // the exit status, or the signal that ended it
  const exited = new Promise<number | string>((res) => child.on('exit', (code, signal) => res(code ?? signal ?? -1)));
  /** Waits (with a deadline) until what it printed holds `cond`. */
  const until = async (cond: (out: string) => boolean) => {
    const deadline = Date.now() + 40_000;
    while (!cond(out)) {
      if (Date.now() > deadline) throw new Error(`timed out; output so far: ${JSON.stringify(out)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, until, exited, out: () => out, err: () => err };
}

/** A command printing `start` then cat's: each line sent is read and echoed while the input is still open; then the input ends. */
async function echoedWhileOpen(p: ReturnType<typeof streaming>): Promise<void> {
  p.child.stdin!.write('hi\n');
  await p.until((out) => out.includes('hi\n'));
  assert.equal(p.out(), 'start\nhi\n');
  p.child.stdin!.write('there\n');
  await p.until((out) => out.includes('there\n'));
  p.child.stdin!.end();
}

test('run -i streams its stdin: the container\'s cat writes each line as it is sent, before the input ends', async () => {
  const p = streaming(['run', 's', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo start; cat; echo "got $?"']);
  try {
    await echoedWhileOpen(p);
    assert.equal(await p.exited, 0);
    assert.equal(p.out(), 'start\nhi\nthere\ngot 0\npod "s" deleted\n');
  } finally {
    p.child.kill('SIGKILL'); // a failed wait leaves no kubesim behind
  }
});

test('Ctrl-C during run --rm -i: kubesim ends as kubectl (killed by the signal, the pod not deleted); the attach gone, stdinOnce closes the process\'s stdin', async () => {
  const p = streaming(['run', 'c', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo start; cat; echo "got $?"']);
  try {
    await p.until((out) => out.includes('start\n'));
    p.child.kill('SIGINT');
    assert.deepEqual([await p.exited, p.out()], ['SIGINT', 'start\n']);
  } finally {
    p.child.kill('SIGKILL');
  }
  await sb.ok(['clock', 'advance', '5s']);
  assert.equal(await sb.ok(['get', 'pod', 'c', '-o', 'jsonpath={.status.phase}']), 'Succeeded');
  assert.equal(await sb.ok(['logs', 'c']), 'start\ngot 0\n');
});

test('exec -i streams its stdin, in-process and through the daemon: cat echoes each line while the input is open; a command done with it ends the exec', async () => {
  await sb.ok(['run', 'box', '--image=busybox', '--', 'sleep', '36000']);
  await sb.ok(['wait', '--for=condition=Ready', 'pod/box', '--timeout=60s']);
  const daemon = sb.sb.env({ KUBESIM_NO_DAEMON: '' });
  try {
    for (const env of [sb.sb.env(), daemon]) await execStreams(env);
  } finally {
    spawnSync(process.execPath, [BIN, 'cluster', 'stop'], { cwd: ROOT, env: daemon });
  }
});

/** exec -i with a stdin left open: what cat reads is echoed at once; exit code at the end. */
async function execStreams(env: NodeJS.ProcessEnv): Promise<void> {
  const p = streaming(['exec', '-i', 'box', '--', 'sh', '-c', 'echo start; cat; echo "got $?" >&2; exit 3'], env);
  try {
    await echoedWhileOpen(p);
    assert.equal(await p.exited, 3);
    assert.deepEqual([p.out(), p.err()], ['start\nhi\nthere\n', 'got 0\ncommand terminated with exit code 3\n']);
    // a command that does not read its stdin ends the exec with the input still open
    const q = streaming(['exec', '-i', 'box', '--', 'echo', 'done'], env);
    try {
      assert.deepEqual([await q.exited, q.out()], [0, 'done\n']);
    } finally {
      q.child.kill('SIGKILL');
    }
    // head has its line: it ends, and so does the exec, with the input still open
    const h = streaming(['exec', '-i', 'box', '--', 'sh', '-c', 'head -1; echo after'], env);
    try {
      h.child.stdin!.write('one\n');
      const ended = await Promise.race([h.exited, new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000))]);
      assert.deepEqual([ended, h.out()], [0, 'one\nafter\n']);
    } finally {
      h.child.kill('SIGKILL');
    }
  } finally {
    p.child.kill('SIGKILL');
  }
}

test('run -it on a terminal: the container\'s shell session; exit ends the container with its status', async () => {
  const p = streaming(['run', 'e', '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'sh'], sb.sb.env(), { terminal: true });
  try {
    await p.until((out) => out.includes('/ # '));
    p.child.stdin!.write('echo hi\r');
    await p.until((out) => out.includes('hi\r\n/ # '));
    p.child.stdin!.write('exit 5\r');
    assert.equal(await p.exited, 5);
    assert.equal(p.out(), `${PROMPT.replace('\n', '\r\n')}/ # echo hi\r\nhi\r\n/ # exit 5\r\npod "e" deleted\r\npod default/e terminated (Error)\r\n`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('run -it on a terminal to a process that is not a shell (cat): each typed line reaches it (the terminal echoes it, cat writes it), Ctrl-D ends its input', async () => {
  const p = streaming(['run', 't', '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'cat'], sb.sb.env(), { terminal: true });
  try {
    await p.until((out) => out.includes(PROMPT.replace('\n', '\r\n')));
    p.child.stdin!.write('hello\r');
    await p.until((out) => out.endsWith('hello\r\nhello\r\n'));
    p.child.stdin!.write('\x04');
    assert.equal(await p.exited, 0);
    assert.equal(p.out(), `${PROMPT.replace('\n', '\r\n')}hello\r\nhello\r\npod "t" deleted\r\n`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

/** A terminal as the kernel keeps it: until a program makes it raw, it echoes what is typed itself and turns Enter into \n (ECHO, ICRNL). */
class LineDiscipline implements Terminal {
  raw = false;
  shown = '';
  private typed: string[] = [];
  private wake = () => {};
  setRaw(raw: boolean): void {
    this.raw = raw;
  }
  type(keys: string): void {
    if (!this.raw) this.shown += keys = keys.replace(/\r/g, '\n');
    this.typed.push(keys);
    this.wake();
  }
  async *keys(): AsyncGenerator<string> {
    for (;;) {
      while (this.typed.length) yield this.typed.shift()!;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

/** `args` run in this process on `term` (its output to `show`), with the sandbox's environment; its exit code. */
async function onTerminal(args: string[], term: LineDiscipline, show: (t: string) => void): Promise<unknown> {
  const saved = { ...process.env };
  Object.assign(process.env, sb.sb.env());
  try {
    return await Promise.race([
      run(args, { out: show, err: show, stdinText: () => '', isTTY: true, terminal: term }, 'kubesim'),
      new Promise((_, fail) => setTimeout(() => fail(new Error(`timed out; shown so far: ${JSON.stringify(term.shown)}`)), 40_000).unref()),
    ]);
  } finally {
    process.env = saved;
  }
}

test('run -it to cat, in-process: the terminal is raw once the prompt shows, so a line typed at once is echoed once (by the container\'s terminal) and cat writes it once', async () => {
  const term = new LineDiscipline();
  let sentEnd = false;
  const show = (t: string) => {
    term.shown += t;
    // a person typing the moment the prompt shows, and Ctrl-D once cat wrote the line back
    if (t === PROMPT) term.type('hello\r');
    if (!sentEnd && term.shown.endsWith('hello\nhello\n')) term.type('\x04'), (sentEnd = true);
  };
  const code = await onTerminal(['run', 't', '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'cat'], term, show);
  assert.deepEqual([code, term.shown, term.raw], [0, `${PROMPT}hello\nhello\npod "t" deleted\n`, false]);
});

test('run -it to sh, in-process: the shell session reads the keys of the terminal it is given (the context\'s streams), not the process\'s stdin', async () => {
  const term = new LineDiscipline();
  let typed = 0;
  const show = (t: string) => {
    term.shown += t;
    // a person typing at each prompt: a command, then exit
    if (term.shown.endsWith('/ # ') && typed < 2) term.type(['echo hi\r', 'exit 4\r'][typed++]);
  };
  const code = await onTerminal(['run', 'i', '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'sh'], term, show);
  assert.deepEqual([code, term.shown, term.raw], [4, `${PROMPT}/ # echo hi\nhi\n/ # exit 4\npod "i" deleted\npod default/i terminated (Error)\n`, false]);
});

test('run -it on a terminal to cat: Ctrl-C goes to the container (the terminal there kills cat by SIGINT: 130), not to kubesim', async () => {
  const p = streaming(['run', 'u', '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'cat'], sb.sb.env(), { terminal: true });
  try {
    await p.until((out) => out.includes(PROMPT.replace('\n', '\r\n')));
    p.child.stdin!.write('hellp\x7fo\r');
    await p.until((out) => out.endsWith('o\r\nhello\r\n'));
    p.child.stdin!.write('\x03');
    assert.equal(await p.exited, 130);
    assert.equal(p.out(), `${PROMPT.replace('\n', '\r\n')}hellp\b \bo\r\nhello\r\n^Cpod "u" deleted\r\npod default/u terminated (Error)\r\n`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('run --expose creates the Service first (selector run=NAME, no labels); -o yaml separates them', async () => {
  assert.equal(await sb.ok(['run', 'web', '--image=nginx', '--port=80', '--expose']), 'service/web created\npod/web created\n');
  const svc = JSON.parse(await sb.ok(['get', 'svc', 'web', '-o', 'json']));
  assert.deepEqual([svc.metadata.labels, svc.spec.selector, svc.spec.ports], [undefined, { run: 'web' }, [{ port: 80, protocol: 'TCP', targetPort: 80 }]]);
  const y = await sb.ok(['run', 'w2', '--image=nginx', '--port=8080', '--expose', '-l', 'app=w2', '--dry-run=client', '-o', 'yaml']);
  assert.match(y, /^apiVersion: v1\nkind: Service\nmetadata:\n {2}creationTimestamp: null\n {2}labels:\n {4}app: w2\n {2}name: w2\n[\s\S]*\n---\napiVersion: v1\nkind: Pod\n/);
});

test('run: kubectl\'s help, and its errors for the attach, expose and timeout flags', async () => {
  const k = spawnSync('/usr/bin/kubectl', ['run', '--help'], { encoding: 'utf8' });
  assert.equal(k.status, 0, 'kubectl must be installed (the oracle)');
  assert.equal((await sb.ok(['run', '--help'])).replace(/kubesim/g, 'kubectl'), k.stdout);
  const usage = (msg: string) => `error: ${msg}\nSee 'kubesim run -h' for help and examples\n`;
  const cases: Array<[string[], string]> = [
    [['--rm'], usage('--rm should only be used for attached containers')],
    [['-i', '--dry-run=client'], usage("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)")],
    [['--expose'], usage('--port must be set when exposing a service')],
    [['-i', '--pod-running-timeout=0'], usage('--pod-running-timeout must be higher than zero')],
    [['--pod-running-timeout=x'], 'Error: invalid argument "x" for "--pod-running-timeout" flag: time: invalid duration "x"\nSee \'kubesim run --help\' for usage.\n'],
    [['--cascade=bogus'], 'error: invalid cascade value (bogus). Must be "background", "foreground", or "orphan"\n'],
  ];
  for (const [extra, stderr] of cases) {
    const r = await sb.run(['run', 'x', '--image=busybox', ...extra]);
    assert.deepEqual([r.code, r.stderr], [1, stderr], extra.join(' '));
  }
  assert.equal((await sb.run(['get', 'pod', 'x'])).code, 1, 'nothing was created');
});
