// The holder's look for waiters (FileLock.othersWaiting, every 10 ms of a long group): a lock
// folder unchanged since a look that found nobody is answered without reading it again, and
// a waiter announcing itself afterwards is seen at the very next look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock, sleepSync } from '../../src/store/file-lock';

test('a holder reads the lock folder again only when it changed, and sees a new waiter at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-waiters-'));
  // The CommonJS module object itself (what file-lock.ts's `import * as fs` reads through).
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod.readdirSync as (...a: unknown[]) => unknown;
  let reads = 0;
  mod.readdirSync = (...a: unknown[]) => {
    if (String(a[0]) === dir) reads++;
    return orig(...a);
  };
  try {
    const lock = new FileLock(join(dir, 'lock'), 2000);
    lock.acquire();
    reads = 0; // acquire looked for waiters too
    // A folder changed just now (the lock made) is read at every look.
    assert.equal(lock.othersWaiting(), false);
    assert.equal(lock.othersWaiting(), false);
    assert.equal(reads, 2);
    // Once its last change is well in the past, one read is trusted until it changes.
    const past = new Date(Date.now() - 60_000);
    utimesSync(dir, past, past); // the mtime; the ctime (now) must age by itself
    sleepSync(120);
    assert.equal(lock.othersWaiting(), false);
    for (let i = 0; i < 5; i++) assert.equal(lock.othersWaiting(), false);
    assert.equal(reads, 3, 'one read for six looks at an unchanged folder');
    // A live process (this one's parent) announces its wait: seen at the next look.
    writeFileSync(join(dir, `lock.want.1${String(Date.now() * 1000).padStart(19, '0')}.${process.ppid}`), '');
    assert.equal(lock.othersWaiting(), true);
    assert.equal(lock.othersWaiting(), true);
    assert.equal(reads, 5, 'a folder with a waiter is read at every look');
    lock.release();
  } finally {
    mod.readdirSync = orig;
    rmSync(dir, { recursive: true, force: true });
  }
});
