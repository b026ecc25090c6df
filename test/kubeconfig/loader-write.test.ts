// kubeconfig/loader.ts writeFile: the mode a written kubeconfig gets (a given mode, else the
// file's own, else 0600), and the file's mode is asked only when no mode is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadFile, writeFile } from '../../src/kubeconfig/loader';

/** Runs fn counting fs.statSync calls on `file` (the module's own function, wrapped for the call). */
function statsOf(file: string, fn: () => void): number {
  const mod = fs as { statSync: typeof fs.statSync };
  const real = mod.statSync;
  let n = 0;
  mod.statSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    if (path.resolve(String(p)) === path.resolve(file)) n++;
    return (real as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fs.statSync;
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    mod.statSync = real;
    syncBuiltinESMExports();
  }
  return n;
}

test('writeFile: a given mode is the file\'s without asking its current one; otherwise the current mode is kept, 0600 when new', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-kcwrite-'));
  try {
    const file = path.join(dir, 'sub', 'config');
    const c = loadFile(file); // missing: an empty config
    // New file, no mode: 0600 (the directory is created).
    assert.equal(statsOf(file, () => writeFile(file, c)), 1);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    // An existing file's own mode is kept when none is given.
    fs.chmodSync(file, 0o640);
    assert.equal(statsOf(file, () => writeFile(file, c)), 1);
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    // A given mode replaces it, and the file's mode is not asked for.
    assert.equal(statsOf(file, () => writeFile(file, c, 0o600)), 0);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadFile(file), c);
    // No temporary file left behind.
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['config']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Every command reads the kubeconfig to pick its cluster: an endless device or a FIFO nobody
// writes to hung them all (fs.readFileSync), eating memory on /dev/zero.
test('a kubeconfig that is /dev/zero or a FIFO with no writer: bounded, never a hang', () => {
  assert.throws(() => loadFile('/dev/zero'), { message: /^error loading config file "\/dev\/zero": the input "\/dev\/zero" is larger than the limit of \d+ bytes/ });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-kubeconfig-fifo-'));
  try {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const c = loadFile(fifo);
    assert.equal(c.contexts.size, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
