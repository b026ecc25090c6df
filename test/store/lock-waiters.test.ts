// The holder's look for waiters (FileLock.othersWaiting, every 10 ms of a long group): a lock
// folder unchanged since a look that found nobody is answered without reading it again, and
// a waiter announcing itself afterwards is seen at the very next look. The daemon's wait
// (acquireAsync) first in line: woken by the lock file's change, not a look every 1 ms; so is
// a synchronous wait (a user's CLI: acquire), through its wake-up thread (lock-wake.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock, sleepSync } from '../../src/store/file-lock';
import { processIdentity } from '../../src/store/process-alive';

/** Counts the calls of node:fs's `name` on `file` (and when each came) until restore(). */
function countCalls(name: 'readdirSync' | 'lstatSync', file: string): { count: number; at: number[]; restore(): void } {
  // The CommonJS module object itself (what file-lock.ts's `import * as fs` reads through).
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod[name] as (...a: unknown[]) => unknown;
  const spy = { count: 0, at: [] as number[], restore: () => void (mod[name] = orig) };
  mod[name] = (...a: unknown[]) => {
    if (String(a[0]) === file) {
      spy.count++;
      spy.at.push(Date.now());
    }
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

test('a synchronous wait first in line is woken by the lock file\'s change, not a look every 1 ms, and takes the lock at once when given up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-waiters-'));
  const lockPath = join(dir, 'lock');
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  // The holder's release, 4 s from now, by another process (this one blocks in acquire);
  // it notes when it let go.
  const released = join(dir, 'released');
  const releaser = spawn('sh', ['-c', `sleep 4; date +%s%N > ${released}.tmp && mv ${released}.tmp ${released} && rm ${lockPath}`], { stdio: 'ignore' });
  const looks = countCalls('lstatSync', lockPath);
  try {
    writeFileSync(lockPath, processIdentity(holder.pid!) + '\n', { mode: 0o600 });
    const lock = new FileLock(lockPath, 10_000);
    const start = Date.now();
    assert.equal(lock.acquire(), false);
    const takenAt = Date.now();
    const givenUp = Number(readFileSync(released, 'utf8')) / 1e6;
    assert.ok(takenAt - start >= 3500, `taken after ${takenAt - start} ms, while the holder held it`);
    // Its last 2 s of waiting: polled every 1 ms, ~1,000-2,000 looks; woken by the lock's
    // change or the 50 ms check of the holder's life, ~40 (the first 500 ms poll, and go on
    // polling until the wake-up thread is up).
    const late = looks.at.filter((t) => t >= takenAt - 2000 && t < givenUp).length;
    assert.ok(late <= 100, `${late} looks at the lock in the last 2 s of waiting`);
    assert.ok(takenAt - givenUp < 300, `taken ${Math.round(takenAt - givenUp)} ms after the release`);
    assert.equal(readFileSync(lockPath, 'utf8'), processIdentity() + '\n');
    lock.release();
  } finally {
    looks.restore();
    holder.kill();
    releaser.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a synchronous wait further back is woken when the waiter ahead leaves the queue, not a look every few ms, and takes the lock at once when given up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-waiters-'));
  const lockPath = join(dir, 'lock');
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  const first = spawn('sleep', ['60'], { stdio: 'ignore' });
  // A live process first in line (an older ticket than this process will draw).
  const firstWant = join(dir, `lock.want.1${String((Date.now() - 1000) * 1000).padStart(19, '0')}.${first.pid}`);
  // 4 s from now the first in line leaves the queue (it took the lock, and the lock stays
  // held), 0.5 s later the lock is given up; noted when each happened.
  const left = join(dir, 'left');
  const released = join(dir, 'released');
  const script = `sleep 4; date +%s%N > ${left}.tmp && mv ${left}.tmp ${left} && rm ${firstWant}; sleep 0.5; date +%s%N > ${released}.tmp && mv ${released}.tmp ${released} && rm ${lockPath}`;
  const releaser = spawn('sh', ['-c', script], { stdio: 'ignore' });
  const looks = countCalls('lstatSync', lockPath);
  try {
    writeFileSync(lockPath, processIdentity(holder.pid!) + '\n', { mode: 0o600 });
    writeFileSync(firstWant, '');
    const lock = new FileLock(lockPath, 10_000);
    const start = Date.now();
    assert.equal(lock.acquire(), false);
    const takenAt = Date.now();
    const leftAt = Number(readFileSync(left, 'utf8')) / 1e6;
    const givenUp = Number(readFileSync(released, 'utf8')) / 1e6;
    assert.ok(takenAt - start >= 4000, `taken after ${takenAt - start} ms, while the holder held it`);
    // Second in line for 4 s: polled every 5 ms, ~400 looks in the last 2 s before the first
    // left (fewer on a loaded machine); woken by the first one's leaving, or a look every
    // 250 ms (the queue read again), ~10.
    const late = looks.at.filter((t) => t >= leftAt - 2000 && t < leftAt).length;
    assert.ok(late <= 60, `${late} looks at the lock in the last 2 s second in line`);
    assert.ok(takenAt - givenUp < 300, `taken ${Math.round(takenAt - givenUp)} ms after the release`);
    assert.equal(readFileSync(lockPath, 'utf8'), processIdentity() + '\n');
    lock.release();
  } finally {
    looks.restore();
    holder.kill();
    first.kill();
    releaser.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
