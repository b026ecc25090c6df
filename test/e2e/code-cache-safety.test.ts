// What bin/kubesim does not trust in its V8 code cache: a damaged payload behind an intact
// header (V8 alone would crash), a cache file others can write (V8 runs the cached code for
// any source of the same length), a cache directory others can write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, Sandbox } from './helpers';

const sb = new Sandbox();
const cacheHome = mkdtempSync(join(tmpdir(), 'kubesim-cache-safety-'));
after(() => {
  sb.cleanup();
  rmSync(cacheHome, { recursive: true, force: true });
});

const cacheDir = join(cacheHome, 'kubesim');
// A global flag in front keeps `version --client` off the start-up fast path (dist/fast.cjs):
// the bundle, and so its cache, runs.
const version = (xdg = cacheHome) => sb.run(['-n', 'default', 'version', '--client'], { env: { XDG_CACHE_HOME: xdg } });
const cacheFiles = (dir = cacheDir) => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

function assertVersionOutput(r: { code: number; stdout: string; stderr: string }): void {
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Client Version: v1\.\d+\.\d+\nKustomize Version: v5\.5\.0\nkubesim Version: /);
}

/** The cache file of the current build, written by a first run. */
function currentCache(): string {
  assertVersionOutput(version());
  const files = cacheFiles();
  assert.equal(files.length, 1);
  return join(cacheDir, files[0]);
}

test('a cache damaged behind its header is rejected and replaced, not a crash', () => {
  const file = currentCache();
  const good = readFileSync(file);
  for (const at of [Math.floor(good.length / 3), good.length - 64]) {
    const damaged = Buffer.from(good);
    for (let i = at; i < at + 16; i++) damaged[i] ^= 0x5a;
    writeFileSync(file, damaged);
    assertVersionOutput(version());
    assert.ok(!readFileSync(file).equals(damaged), 'the damaged cache was replaced');
    const inode = statSync(file).ino;
    assertVersionOutput(version());
    assert.equal(statSync(file).ino, inode, 'the replacement is accepted');
  }
});

test('a cache file others can write is not used, and is replaced by a private one', () => {
  const file = currentCache();
  // A cache compiled from another source of the bundle's length, as bin/kubesim compiles.
  const plant = `
    const fs = require('fs'), vm = require('vm');
    const [bundle, out] = process.argv.slice(1);
    const wrapped = fs.readFileSync(bundle, 'utf8'); // the build writes it wrapped, and bin/kubesim compiles it as it is
    const head = '(function () { console.log("planted code ran"); })';
    const script = new vm.Script(head + ' '.repeat(wrapped.length - head.length), { filename: bundle });
    script.runInThisContext();
    fs.writeFileSync(out, script.createCachedData(), { mode: 0o600 });`;
  const made = spawnSync(process.execPath, ['--verify-snapshot-checksum', '-e', plant, join(ROOT, 'dist', 'main.cjs'), file], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  // Private, it is used: what makes a writable one dangerous.
  assert.equal(version().stdout, 'planted code ran\n');
  chmodSync(file, 0o666);
  assertVersionOutput(version());
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assertVersionOutput(version());
});

test('no cache is written to a directory others can write', () => {
  const shared = mkdtempSync(join(tmpdir(), 'kubesim-cache-shared-'));
  try {
    mkdirSync(join(shared, 'kubesim'));
    chmodSync(join(shared, 'kubesim'), 0o777);
    assertVersionOutput(version(shared));
    assert.deepEqual(cacheFiles(join(shared, 'kubesim')), []);
  } finally {
    rmSync(shared, { recursive: true, force: true });
  }
});
