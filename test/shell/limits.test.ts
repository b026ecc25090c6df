// The simulated shell is bounded: memory, output, busy loops and regular expressions on
// user data end the script with a clear error, quickly, instead of taking the kubelet's
// process down.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runShellAsync, runScript } from '../../src/shell/run';

const opts = { flavor: 'busybox' as const, env: [] as Array<[string, string]> };

async function timed(script: string, stdin = '') {
  const t = Date.now();
  const r = await runShellAsync(script, { ...opts, stdin });
  return { ...r, ms: Date.now() - t };
}

test('a string doubling in a loop ends with an out-of-memory error', async () => {
  const r = await timed('x=a; while true; do x="$x$x"; done; echo never');
  assert.equal(r.code, 137);
  assert.match(r.stderr, /^kubesim: sh: out of memory: .* larger than 1024 KiB/);
  assert.equal(r.stdout, '');
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
});

test('doubling through command substitution and a file is bounded too', async () => {
  let r = await timed('x=ab; while :; do x=$(echo "$x$x"); done');
  assert.equal(r.code, 137);
  assert.match(r.stderr, /out of memory/);
  r = await timed('echo abcdefgh > f; while :; do cat f f > g; cat g > f; done');
  assert.equal(r.code, 137);
  assert.match(r.stderr, /out of memory: the files the script wrote/);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
});

test('a busy loop is stopped with an error naming it', async () => {
  const r = await timed('i=0; while :; do i=$((i+1)); done');
  assert.equal(r.code, 124);
  assert.match(r.stderr, /^kubesim: sh: the script ran 100000 commands without sleeping \(a busy loop\?\)/);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
});

test('a loop that sleeps is not a busy loop', async () => {
  const r = await runShellAsync('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); [ $((i % 500)) -eq 0 ] && sleep 1; done; echo $i', { ...opts, limits: { maxBusySteps: 5000 } });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '20000\n');
  assert.equal(r.code, 0);
  assert.equal(r.elapsedMs, 40_000);
});

test('huge output ends with an error, not an unbounded buffer', async () => {
  const r = await timed('x=$(printf "%01000d" 0); while :; do echo $x; done');
  assert.equal(r.code, 137);
  assert.match(r.stderr, /out of memory: the output written without sleeping/);
  assert.ok(r.stdout.length <= 8 << 20);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  const p = await timed('x=$(printf "%01000d" 0); while :; do echo $x; done | wc -l');
  assert.equal(p.code, 137);
  assert.match(p.stderr, /a pipe or \$\(\.\.\.\) buffer/);
});

test('pathological regular expressions run in linear time', async () => {
  const input = 'a'.repeat(50_000) + '!\n';
  for (const script of ["grep -E '(a*)*b'", "grep -E '(a|aa)+$'", "sed -E 's/(a+)+b/x/'", "grep '\\(a*\\)*b'"]) {
    const r = await timed(script, input);
    assert.ok(r.ms < 15_000, `${script} took ${r.ms} ms`);
    assert.ok(r.code === 0 || r.code === 1, `${script}: ${r.stderr}`);
  }
  const back = await timed("grep '\\(a\\)\\1'", 'aa\n');
  assert.equal(back.code, 2);
  assert.match(back.stderr, /back-references .* not supported/);
});

test('pattern removal on a long value is bounded', async () => {
  const r = await timed('x=a; i=0; while [ $i -lt 19 ]; do x=$x$x; i=$((i+1)); done; y=${x%%*b*}; echo ${#y}');
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  assert.equal(r.code, 137);
  assert.match(r.stderr, /too much work/);
});

test('deep recursion is an error, not a stack overflow', async () => {
  const r = await timed('f() { f; }; f');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nested more than 200 deep/);
});

test('in a container: the limit ends the script with the error in its log', () => {
  const r = runScript('echo start; x=a; while true; do x=$x$x; done', { env: {}, hostname: 'h', files: {}, startMs: 0 }, 3_600_000);
  assert.equal(r.exit?.code, 137);
  assert.deepEqual(r.lines[0], { atMs: 0, text: 'start', stream: 'stdout' });
  assert.match(r.lines[1].text, /out of memory/);
  assert.equal(r.lines[1].stream, 'stderr');
});

test('printf with a huge width or precision stops as out of memory, not a raw JavaScript error', async () => {
  for (const f of ['%0999999999d', '%.999999999d', '%*s', '%1000000s'.repeat(2000)]) {
    const r = await timed(`printf '${f}' 999999999 x; echo never`);
    assert.equal(r.code, 137, `${f}: ${r.stderr}`);
    assert.match(r.stderr, /^kubesim: sh: out of memory: (a printf field|the output of printf) is larger than \d+ KiB/, f);
    assert.doesNotMatch(r.stderr, /internal error|Invalid string length/, f);
    assert.equal(r.stdout, '', f);
    assert.ok(r.ms < 15_000, `${f} took ${r.ms} ms`);
  }
  // C prints any precision: past toFixed's 100 digits, the zeros past the double's own
  const r = await timed(`printf '%.150f|%.105e|%.200g|%.*f\\n' 0.5 2.5 0.1 -3 1.5`);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `0.5${'0'.repeat(149)}|2.5${'0'.repeat(104)}e+00|0.1000000000000000055511151231257827021181583404541015625|1.500000\n`);
});
