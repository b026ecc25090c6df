// The kubelet's driver: a container script on simulated time, paused at the horizon and
// resumed later, with separate streams and the file events exec probes look at.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerScript, runScript } from '../../src/shell/run';

const env = (startMs: number, image?: string) => ({ env: { HOME: '/root' }, hostname: 'pod-1', files: {}, startMs, image });
const TICKER = 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 5; done';

test('sleep pauses at the horizon; a later horizon resumes the same run', () => {
  const a = runScript(TICKER, env(1_000), 12_000);
  assert.deepEqual(a.lines.map((l) => [l.atMs, l.text]), [[1_000, 'tick 0'], [6_000, 'tick 1'], [11_000, 'tick 2']]);
  assert.equal(a.exit, undefined);
  assert.equal(a.truncated, true);
  const b = runScript(TICKER, env(1_000), 31_000);
  assert.deepEqual(b.lines.map((l) => l.text), ['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6']);
  // a run started fresh to the same horizon (another process) gives the same lines
  const fresh = runScript(TICKER, env(2_000), 32_000);
  assert.deepEqual(fresh.lines.map((l) => [l.atMs - 1_000, l.text]), b.lines.map((l) => [l.atMs, l.text]));
});

test('stdout and stderr are separate streams in order; `>&2` is a redirection', () => {
  const r = runScript('echo a >&2; echo b; echo c 2>&1 >&2; ls /nope 2>&1', env(0), 1_000);
  assert.deepEqual(r.lines.map((l) => [l.stream, l.text]), [['stderr', 'a'], ['stdout', 'b'], ['stdout', 'c'], ['stdout', 'ls: /nope: No such file or directory']]);
  assert.deepEqual(r.exit, { atMs: 0, code: 1 });
});

test('pipes, $((...)), ${VAR:-default}, if/for/case and functions in a container', () => {
  const r = runScript('f() { echo "f $1"; }; for x in 1 2; do case $x in 1) f one;; *) echo ${NONE:-dflt} $((x*10));; esac; done | grep -v zzz', env(0), 1_000);
  assert.deepEqual(r.lines.map((l) => l.text), ['f one', 'dflt 20']);
});

test('files created and removed are reported with their times (exec probes)', () => {
  const r = runScript('touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600', env(0), 100_000);
  assert.deepEqual(r.fileEvents, [
    { atMs: 0, path: '/tmp/healthy', exists: true },
    { atMs: 30_000, path: '/tmp/healthy', exists: false },
  ]);
});

test('messages follow the image: busybox ash or Debian dash', () => {
  assert.equal(runScript('nosuch', env(0, 'busybox:1.36'), 1).lines[0].text, 'sh: nosuch: not found');
  assert.equal(runScript('nosuch', env(0, 'nginx:1.27'), 1).lines[0].text, 'sh: 1: nosuch: not found');
});

test('containerScript: sh -c with $0 and arguments, programs run directly, servers not', () => {
  assert.equal(containerScript(['sh', '-c'], ['echo $0 $1', 'name', 'arg']), "set -- 'arg'\necho $0 $1");
  assert.equal(containerScript(['sleep', '3600'], undefined), "'sleep' '3600'");
  assert.equal(containerScript(['nginx', '-g', 'daemon off;'], undefined), undefined);
});

test('a script\'s network request waits for the cluster to reach its moment, then gets the answer of then', () => {
  const asked: string[] = [];
  const script = 'echo before; sleep 5; wget -qO- http://web/; echo after';
  const live = (nowMs: number, body: string) => ({ nowMs, answer: (req: { host: string }) => (asked.push(`${req.host}@${nowMs}`), { ok: true as const, body }) });
  // at 1 s the request (at 6 s) is not answered yet: the run stops there and says when
  const early = runScript(script, env(1_000), 60_000, live(1_000, 'old\n'));
  assert.deepEqual([early.lines.map((l) => l.text), early.netAt, early.exit, asked], [['before'], 6_000, undefined, []]);
  // once the cluster is there, the request gets the cluster's answer of that moment
  const later = runScript(script, env(1_000), 60_000, live(6_000, 'new\n'));
  assert.deepEqual([later.lines.map((l) => l.text), later.netAt, later.exit?.code, asked], [['before', 'new', 'after'], undefined, 0, ['web@6000']]);
});

test("a container's open stdin: a read waits there (no exit); the text an attach sent is read from its moment, then its end", () => {
  const script = 'echo start; read a; echo "a=$a"; cat; echo end';
  const waiting = runScript(script, { ...env(1_000), stdin: { text: '', open: true } }, 60_000);
  assert.deepEqual([waiting.lines.map((l) => l.text), waiting.exit, waiting.truncated], [['start'], undefined, false]);
  const sent = runScript(script, { ...env(1_000), stdin: { text: 'x\ny\n', open: false, atMs: 9_000 } }, 60_000);
  assert.deepEqual(sent.lines.map((l) => [l.atMs, l.text]), [[1_000, 'start'], [9_000, 'a=x'], [9_000, 'y'], [9_000, 'end']]);
  assert.deepEqual(sent.exit, { atMs: 9_000, code: 0 });
  // left open (stdinOnce false): the lines sent are read, the next read waits
  const open = runScript('while read l; do echo "got $l"; done; echo never', { ...env(1_000), stdin: { text: 'x\n', open: true, atMs: 2_000 } }, 60_000);
  assert.deepEqual([open.lines.map((l) => l.text), open.exit], [['got x'], undefined]);
});

test('cat on an open stdin writes each line as it arrives, then waits; its end (closed) ends it', () => {
  const script = 'echo start; cat -n; echo "got $?"';
  const one = runScript(script, { ...env(1_000), stdin: { text: 'hi\npart', open: true, atMs: 2_000 } }, 60_000);
  // the part of a line not yet ended waits with the rest
  assert.deepEqual([one.lines.map((l) => [l.atMs, l.text]), one.exit], [[[1_000, 'start'], [2_000, '     1\thi']], undefined]);
  const two = runScript(script, { ...env(1_000), stdin: { text: 'hi\npart of two\n', open: true, atMs: 2_000 } }, 60_000);
  assert.deepEqual([two.lines.map((l) => l.text), two.exit], [['start', '     1\thi', '     2\tpart of two'], undefined]);
  const closed = runScript(script, { ...env(1_000), stdin: { text: 'hi\npart of two\nend', open: false, atMs: 2_000 } }, 60_000);
  assert.deepEqual([closed.lines.map((l) => l.text), closed.exit?.code], [['start', '     1\thi', '     2\tpart of two', '     3\tendgot 0'], 0]);
});
