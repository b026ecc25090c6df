// Bounded form (npm test): ~45 kill -9 injections; the long form is crash.stress.ts.
// Also: a full disk (tiny tmpfs, when mount works) and a read-only state directory give
// clear errors and leave the store as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crashRun } from './crash';
import { configMap, hasStackTrace, registryObjects, removeHome, run, tempHome } from './cli';
import { seedOf } from './corpus-util';

test('kill -9 at random points of CLI writes: the store loads and nothing acknowledged is lost', { timeout: 180_000 }, async (t) => {
  const home = tempHome();
  try {
    const f = await crashRun(home, 45, seedOf(9));
    t.diagnostic(`crashes: ${f.injected} kills injected (${f.killedMidRun} before the process finished), ${f.acknowledged} acknowledged objects, ${f.lost} lost`);
  } finally {
    removeHome(home);
  }
});

/** Runs `body` with a fresh tmpfs of `size` mounted (root on Linux only; skips otherwise), then unmounts it. */
function withTmpfs(t: { skip: (why: string) => void }, size: string, body: (mnt: string) => void): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return t.skip('needs root on Linux to mount a tmpfs');
  const dir = tempHome('kubesim-tmpfs-');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  if (m.status !== 0) {
    removeHome(dir);
    return t.skip(`cannot mount a tmpfs here: ${String(m.stderr).trim()}`);
  }
  try {
    body(mnt);
  } finally {
    spawnSync('umount', [mnt]);
    removeHome(dir);
  }
}

test('a full disk gives a clear error and leaves the stored objects intact', { timeout: 120_000 }, (t) => {
  // Room for a fresh cluster (its built-in APIServices included) and one object, then filled.
  withTmpfs(t, '512k', (mnt) => {
    const home = join(mnt, 'home');
    const first = run(home, ['apply', '-f', '-'], configMap('kept', { a: '1' }));
    assert.equal(first.code, 0, first.stderr);
    // Fill the disk, leaving a few bytes.
    try {
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(1 << 20));
    } catch {
      /* ENOSPC: full, as intended */
    }
    const big = run(home, ['apply', '-f', '-'], configMap('big', { blob: 'x'.repeat(200_000) }));
    assert.notEqual(big.code, 0, 'a write to a full disk must fail');
    assert.ok(!hasStackTrace(big.stderr), big.stderr);
    assert.match(big.stderr, /no space left on device/i);
    const objects = registryObjects(home);
    assert.ok([...objects.keys()].some((k) => k.endsWith('/kept')), 'the object written before is still there');
    const get = run(home, ['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']);
    assert.equal(get.stdout, '1', get.stderr);
    // With space again, writes resume (a lock left by the failed writer must not block them).
    rmSync(join(mnt, 'filler'), { force: true });
    const again = run(home, ['apply', '-f', '-'], configMap('after', { a: '2' }));
    assert.equal(again.code, 0, again.stderr);
  });
});

test('a read-only file system under the state directory gives a clear error; reads still work', { timeout: 60_000 }, (t) => {
  // Root ignores file permissions, but not a read-only mount.
  withTmpfs(t, '4m', (mnt) => {
    const home = join(mnt, 'home');
    assert.equal(run(home, ['apply', '-f', '-'], configMap('kept', { a: '1' })).code, 0);
    const ro = spawnSync('mount', ['-o', 'remount,ro', mnt]);
    if (ro.status !== 0) return void t.skip(`cannot remount read-only here: ${String(ro.stderr).trim()}`);
    const w = run(home, ['apply', '-f', '-'], configMap('new', { a: '1' }));
    assert.notEqual(w.code, 0);
    assert.ok(!hasStackTrace(w.stderr), w.stderr);
    assert.match(w.stderr, /read-only file system/i);
    const get = run(home, ['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']);
    assert.equal(get.stdout, '1', get.stderr);
  });
});

test('a read-only state directory gives a clear error, not a corrupted store', (t) => {
  if (process.getuid?.() === 0) return t.skip('running as root: root ignores file permissions (the read-only mount test covers root)');
  const home = tempHome();
  try {
    assert.equal(run(home, ['apply', '-f', '-'], configMap('kept', { a: '1' })).code, 0);
    spawnSync('chmod', ['-R', 'a-w', home]);
    const w = run(home, ['apply', '-f', '-'], configMap('new', { a: '1' }));
    assert.notEqual(w.code, 0);
    assert.ok(!hasStackTrace(w.stderr), w.stderr);
    assert.match(w.stderr, /permission denied|read-only/i);
    const get = run(home, ['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']);
    assert.equal(get.stdout, '1', get.stderr);
  } finally {
    chmodSync(home, 0o700);
    spawnSync('chmod', ['-R', 'u+w', home]);
    removeHome(home);
  }
});
