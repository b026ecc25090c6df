// The holder's look for waiters (FileLock.othersWaiting, every 10 ms of a long group): a lock
// folder unchanged since a look that found nobody is answered without reading it again, and
// a waiter announcing itself afterwards is seen at the very next look. The daemon's wait
// (acquireAsync) first in line: woken by the lock file's change, not a look every 1 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock, sleepSync } from '../../src/store/file-lock';
import { processIdentity } from '../../src/store/process-alive';

/** Counts the calls of node:fs's `name` on `file` until restore(). */
function countCalls(name: 'readdirSync' | 'lstatSync', file: string): { count: number; restore(): void } {
  // The CommonJS module object itself (what file-lock.ts's `import * as fs` reads through).
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod[name] as (...a: unknown[]) => unknown;
  const spy = { count: 0, restore: () => void (mod[name] = orig) };
  mod[name] = (...a: unknown[]) => {
    if (String(a[0]) === file) spy.count++;
    return orig(...a);
  };
  return spy;
}

test('a holder reads the lock folder again only when it changed, and sees a new waiter at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-waiters-'));
  const reads = countCalls('readdirSync', dir);
  try {
    const lock = new FileLock(join(dir, 'lock'), 2000);
    lock.acquire();
    reads.count = 0; // acquire looked for waiters too
    // A folder changed just now (the lock made) is read at every look.
    assert.equal(lock.othersWaiting(), false);
    assert.equal(lock.othersWaiting(), false);
    assert.equal(reads.count, 2);
    // Once its last change is well in the past, one read is trusted until it changes.
    const past = new Date(Date.now() - 60_000);
    utimesSync(dir, past, past); // the mtime; the ctime (now) must age by itself
    sleepSync(120);
    assert.equal(lock.othersWaiting(), false);
    for (let i = 0; i < 5; i++) assert.equal(lock.othersWaiting(), false);
    assert.equal(reads.count, 3, 'one read for six looks at an unchanged folder');
    // A live process (this one's parent) announces its wait: seen at the next look.
    writeFileSync(join(dir, `lock.want.1${String(Date.now() * 1000).padStart(19, '0')}.${process.ppid}`), '');
    assert.equal(lock.othersWaiting(), true);
    assert.equal(lock.othersWaiting(), true);
    assert.equal(reads.count, 5, 'a folder with a waiter is read at every look');
    lock.release();
  } finally {
    reads.restore();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an async wait first in line looks at the lock when it changes, not every 1 ms, and takes it at once when given up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-waiters-'));
  const lockPath = join(dir, 'lock');
  // Another live process holds the lock (as its lock file names it).
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  const looks = countCalls('lstatSync', lockPath);
  try {
    writeFileSync(lockPath, processIdentity(holder.pid!) + '\n', { mode: 0o600 });
    const lock = new FileLock(lockPath, 10_000);
    let takenAt = 0;
    const taking = lock.acquireAsync().then((broke) => {
      takenAt = Date.now();
      return broke;
    });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(takenAt, 0, 'taken while another process held the lock');
    // Polled every 1 ms, a second's wait looked hundreds of times (CPU taken from the holder
    // on a loaded machine); woken by inotify or the 50 ms check of the holder's life, ~20.
    assert.ok(looks.count <= 40, `${looks.count} looks at the lock in 1 s of waiting`);
    const givenUp = Date.now();
    rmSync(lockPath); // the holder's release
    assert.equal(await taking, false);
    assert.ok(takenAt - givenUp < 1000, `taken ${takenAt - givenUp} ms after the release`);
    assert.equal(readFileSync(lockPath, 'utf8'), processIdentity() + '\n');
    lock.release();
  } finally {
    looks.restore();
    holder.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
