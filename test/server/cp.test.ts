// The real `kubectl cp` against `kubesim serve`, both directions: kubectl runs `tar` in the
// simulated container (src/shell/applets/tar.ts) over the exec WebSocket, and what it
// extracts there stays in the container's writable layer for later exec and cp. The applet's
// archives are also checked against GNU tar, the oracle for the format.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../oracles';
import { runShellAsync } from '../../src/shell/run';
import { ServedCluster } from './harness';

const c = new ServedCluster('cp');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  c.ok(['run', 'box', '--image', 'busybox:1.36', '--command', '--', 'sleep', '36000']);
  c.ok(['run', 'deb', '--image', 'debian:12', '--command', '--', 'sleep', '36000']);
  c.ok(['reconcile', '--until-stable']);
});
after(() => c.stop());

function localTree(): string {
  const dir = join(c.dir, 'local');
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'hello é ✓\n');
  writeFileSync(join(dir, 'sub', 'b.txt'), 'bee\n');
  writeFileSync(join(dir, 'sub', 'deeper', `${'n'.repeat(120)}.txt`), 'a long name\n');
  return dir;
}

for (const pod of ['box', 'deb']) {
  test(`kubectl cp into and out of ${pod} (${pod === 'box' ? 'busybox' : 'GNU'} tar)`, () => {
    const dir = localTree();
    const one = join(c.dir, 'one.txt');
    writeFileSync(one, 'single file\n');
    for (const args of [[one, `${pod}:/tmp/one.txt`], [dir, `${pod}:/tmp/tree`], [dir, `${pod}:/root/`]]) {
      const r = c.kubectl(['cp', ...args]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], `kubectl cp ${args.join(' ')}`);
    }
    // Inside the container: exec sees what was copied in (a directory destination gets the base name).
    const cat = c.kubectl(['exec', pod, '--', 'cat', '/tmp/one.txt', '/tmp/tree/a.txt', '/tmp/tree/sub/b.txt', '/root/local/sub/b.txt']);
    assert.deepEqual([cat.code, cat.stdout], [0, 'single file\nhello é ✓\nbee\nbee\n']);
    assert.equal(c.kubectl(['exec', pod, '--', 'ls', `/tmp/tree/sub/deeper`]).stdout, `${'n'.repeat(120)}.txt\n`);

    // And back out: a directory, a file into a directory, a file the container made itself.
    assert.equal(c.kubectl(['exec', pod, '--', 'sh', '-c', 'echo made here > /tmp/made.txt']).code, 0);
    const back = join(c.dir, `back-${pod}`);
    const warning = pod === 'box' ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n";
    const r = c.kubectl(['cp', `${pod}:/tmp/tree`, back]);
    // kubectl prints the remote tar's stderr on its stdout.
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, warning, '']);
    const s = c.kubesim(['cp', `${pod}:/tmp/tree`, `${back}-kubesim`]);
    assert.deepEqual([s.code, s.stdout, s.stderr], [0, warning, '']);
    assert.deepEqual(readdirSync(`${back}-kubesim`, { recursive: true }).map(String).sort(), readdirSync(back, { recursive: true }).map(String).sort());
    assert.deepEqual(readdirSync(back, { recursive: true }).map(String).sort(), ['a.txt', 'sub', 'sub/b.txt', 'sub/deeper', `sub/deeper/${'n'.repeat(120)}.txt`]);
    assert.equal(readFileSync(join(back, 'a.txt'), 'utf8'), 'hello é ✓\n');
    mkdirSync(join(c.dir, `files-${pod}`));
    assert.equal(c.kubectl(['cp', `${pod}:/tmp/made.txt`, join(c.dir, `files-${pod}`, 'made.txt')]).code, 0);
    assert.equal(readFileSync(join(c.dir, `files-${pod}`, 'made.txt'), 'utf8'), 'made here\n');
    assert.equal(c.kubectl(['cp', `${pod}:/etc/hostname`, join(c.dir, `files-${pod}`, 'hostname')]).code, 0);
    assert.equal(readFileSync(join(c.dir, `files-${pod}`, 'hostname'), 'utf8'), `${pod}\n`);

    const tarErrors = pod === 'box' ? `${warning}tar: /nope: No such file or directory\n` : `${warning}tar: /nope: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n`;
    // What the container's tar says goes out on stderr, ahead of the archive's end...
    const tar = c.kubectl(['exec', pod, '--', 'tar', 'cf', '-', '/nope']);
    assert.deepEqual([tar.code, tar.stderr], [pod === 'box' ? 1 : 2, `${tarErrors}command terminated with exit code ${pod === 'box' ? 1 : 2}\n`]);
    // ...and kubectl cp prints it. kubectl returns once the (empty) archive ends, without
    // waiting for its goroutine copying stderr (cp.go untarAll), so a stalled kubectl can
    // lose it: the server sends stderr ahead, with time between, and this asks twice at most.
    let missing = c.kubectl(['cp', `${pod}:/nope`, join(c.dir, 'x')]);
    if (missing.stdout !== tarErrors) missing = c.kubectl(['cp', `${pod}:/nope`, join(c.dir, 'x')]);
    assert.deepEqual([missing.code, missing.stdout, missing.stderr], [0, tarErrors, '']);
    // kubesim cp, the same: exit 0, nothing written
    const ours = c.kubesim(['cp', `${pod}:/nope`, join(c.dir, 'x')]);
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [0, tarErrors, '']);
    assert.ok(!readdirSync(c.dir).includes('x'));
  });
}

test('the tar applet and GNU tar read each other\'s archives', async () => {
  requireTool('tar', ['--version'], 'tar');
  const work = mkdtempSync(join(tmpdir(), 'kubesim-tar-'));
  try {
    const files = { '/data/a.txt': 'alpha ü\n', '/data/sub/b.txt': 'beta\n', [`/data/${'d'.repeat(90)}/${'f'.repeat(90)}.txt`]: 'long path\n' };
    const sh = (script: string, stdin = '', vfs: Record<string, string> = files) => runShellAsync(script, { flavor: 'debian', env: [], vfs: { files: vfs }, stdin });
    // Ours -> GNU tar.
    const made = await sh('tar cf - /data');
    assert.equal(made.code, 0);
    assert.equal(made.stderr, "tar: Removing leading `/' from member names\n");
    const bytes = Buffer.from(made.stdout, 'utf8');
    assert.equal(bytes.length % 10240, 0, 'GNU tar pads to its 10 KiB record');
    const listed = spawnSync('tar', ['tf', '-'], { input: bytes, encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(listed.stdout.split('\n').filter(Boolean).sort(), ['data/', 'data/a.txt', `data/${'d'.repeat(90)}/`, `data/${'d'.repeat(90)}/${'f'.repeat(90)}.txt`, 'data/sub/', 'data/sub/b.txt'].sort());
    const out = join(work, 'out');
    mkdirSync(out);
    assert.equal(spawnSync('tar', ['xf', '-', '-C', out], { input: bytes }).status, 0);
    assert.equal(readFileSync(join(out, 'data', 'a.txt'), 'utf8'), 'alpha ü\n');
    assert.equal(readFileSync(join(out, 'data', 'd'.repeat(90), `${'f'.repeat(90)}.txt`), 'utf8'), 'long path\n');

    // GNU tar (with a name past ustar's limits: a GNU long-name entry) -> ours.
    const src = join(work, 'src');
    const deep = join(src, 'x'.repeat(150), 'y'.repeat(150));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'z.txt'), 'deep ✓\n');
    writeFileSync(join(src, 'top.txt'), 'top\n');
    const gnu = spawnSync('tar', ['cf', '-', '-C', src, '.'], { maxBuffer: 1 << 24 }).stdout;
    const ext = await sh('tar -xmf - -C /dst && cat /dst/top.txt /dst/' + 'x'.repeat(150) + '/' + 'y'.repeat(150) + '/z.txt', gnu.toString('utf8'), { '/dst/.keep': '' });
    assert.deepEqual([ext.code, ext.stdout, ext.stderr], [0, 'top\ndeep ✓\n', '']);
    const bad = await sh('tar xf - -C /missing', gnu.toString('utf8'), {});
    assert.deepEqual([bad.code, bad.stderr], [2, 'tar: /missing: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n']);
    const junk = await sh('tar xf -', 'not an archive');
    assert.deepEqual([junk.code, junk.stderr], [2, 'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('cp with other than two arguments: kubectl\'s plain error, no usage hint', () => {
  for (const args of [['a'], ['a', 'b', 'c']]) {
    const k = c.kubectl(['cp', ...args]);
    assert.deepEqual([k.code, k.stdout, k.stderr], [1, '', 'error: source and destination are required\n']);
    const s = c.kubesim(['cp', ...args]);
    assert.deepEqual([s.code, s.stdout, s.stderr], [k.code, k.stdout, k.stderr], `kubesim cp ${args.join(' ')}`);
  }
});

test('kubesim cp of /dev/zero or more than a container holds: a clear error at once, nothing written; a FIFO reads as empty', () => {
  const big = join(c.dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(20 << 20, 'a'));
  const nul = join(c.dir, 'nul.bin');
  writeFileSync(nul, Buffer.alloc(3 << 20)); // 3 MiB of NUL bytes are 18 MiB of JSON in the stored record
  const cases: Array<[string, RegExp]> = [
    ['/dev/zero', /^error: the input "\/dev\/zero" is larger than the limit of 16777216 bytes \(16 MiB\)\n$/],
    [big, /^error: the input ".*big\.bin" is larger than the limit of 16777216 bytes \(16 MiB\)\n$/],
    [nul, /^error: cannot copy ".*nul\.bin": the container's files would be larger than 16 MiB, the simulated container's limit\n$/],
  ];
  for (const [src, message] of cases) {
    const t0 = Date.now();
    const r = c.kubesim(['cp', src, 'box:/tmp/hostile']);
    assert.equal(r.code, 1, `${src}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(Date.now() - t0 < 10_000, `${src} took ${Date.now() - t0} ms`);
  }
  const fifo = join(c.dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.deepEqual(c.kubesim(['cp', fifo, 'box:/tmp/from-fifo']), { code: 0, stdout: '', stderr: '' });
  const ls = c.kubectl(['exec', 'box', '--', 'sh', '-c', 'ls /tmp/hostile; wc -c < /tmp/from-fifo']);
  assert.deepEqual([ls.stdout, ls.stderr], ['0\n', 'ls: /tmp/hostile: No such file or directory\n']);
});
