// The one shell through the real CLI: a container's script (pipes, arithmetic, parameter
// expansion, stderr) as `logs` shows it, sleeps on simulated time, and `exec` scripts with
// stdout and stderr kept apart. Every test starts from its own copy of one cluster running
// the pods below, whose clock nearly stands still between commands (copyPerTest): the
// script's `sleep 30` ends only when a test advances the clock, however slow the machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest, Sandbox } from '../e2e/helpers';

let sb!: Sandbox;

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: scripted}
spec:
  containers:
  - name: main
    image: busybox
    command:
    - sh
    - -c
    - |
      echo out
      echo err >&2
      echo hi | grep hi
      echo \${NOPE:-none} $((6*7))
      for i in 1 2; do if [ $i -eq 2 ]; then echo "two"; else echo "n$i"; fi; done
      greet() { echo "hello $1"; }
      greet world
      echo "later" > /tmp/f; cat /tmp/f | wc -l
      sleep 30
      echo after-sleep
      sleep 3600
---
apiVersion: v1
kind: Pod
metadata: {name: failing}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: nginx
    command: [sh, -c, 'echo about to fail; nosuchcmd; exit 3']
---
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'echo doubling; x=a; while true; do x=$x$x; done']
`;

copyPerTest(
  (base) => {
    base.ok(['apply', '-f', base.file('pods.yaml', PODS)]);
    base.ok(['wait', '--for=condition=Ready', 'pod/scripted', '--timeout=120s']);
    base.ok(['wait', '--for=jsonpath={.status.phase}=Failed', 'pod/failing', 'pod/hog', '--timeout=120s']);
  },
  (copy) => (sb = copy),
);

test('logs show a container script run by the shell: stdout and stderr, in order', () => {
  const r = sb.run(['logs', 'scripted']);
  assert.equal(r.code, 0, r.stderr);
  // `echo err >&2` is the line `err` (on stderr), not `err 2`
  assert.equal(r.stdout, 'out\nerr\nhi\nnone 42\nn1\ntwo\nhello world\n1\n');
});

test('sleep takes simulated time: the next line appears when the clock passes it', () => {
  sb.ok(['clock', 'advance', '31s']);
  assert.match(sb.ok(['logs', 'scripted', '--tail=1']), /^after-sleep\n$/);
});

test('a failing script: its exit code and its stderr (Debian dash wording for nginx)', () => {
  assert.equal(sb.ok(['logs', 'failing']), 'about to fail\nsh: 1: nosuchcmd: not found\n');
  assert.equal(sb.ok(['get', 'pod', 'failing', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}']), '3');
});

test('exec runs scripts with pipes, arithmetic and conditionals; stderr stays apart', () => {
  const r = sb.run(['exec', 'scripted', '--', 'sh', '-c', 'echo hi | grep -c hi; x=4; echo $((x*x)); [ -d /tmp ] && echo dir; echo oops >&2; seq 3 | sed -n 2p']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1\n16\ndir\n2\n');
  assert.equal(r.stderr, 'oops\n');
  const e = sb.run(['exec', 'scripted', '--', 'sh', '-c', 'echo ${HOSTNAME:-x} | tr a-z A-Z; exit 4']);
  assert.equal(e.stdout, 'SCRIPTED\n');
  assert.equal(e.code, 4);
  assert.equal(e.stderr, 'command terminated with exit code 4\n');
});

test('a script doubling a string fails its container with an error, not the process', () => {
  assert.equal(sb.ok(['get', 'pod', 'hog', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}']), '137');
  const logs = sb.ok(['logs', 'hog']);
  assert.match(logs, /^doubling\nkubesim: sh: out of memory: [a-z ]+ is larger than 1024 KiB, the simulated shell's limit\n$/);
});
