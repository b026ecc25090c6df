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
import { wakeThreadReady } from '../../src/store/lock-wake';

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

/**
 * A synchronous wait (this process blocks in acquire) behind a live holder (another process,
 * as the lock file names it), and (`behind`) a live waiter first in line. A shell script then
 * runs `steps` ([after s, mark, command]): noting when each ran, by its mark. Returns when the
 * lock was asked for and taken, each step's time and the looks at the lock (lstat) meanwhile.
 */
function syncWait(behind: boolean, steps: (paths: { lockPath: string; firstWant: string }) => Array<[number, string, string]>) {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-waiters-'));
  const lockPath = join(dir, 'lock');
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  const first = behind ? spawn('sleep', ['60'], { stdio: 'ignore' }) : undefined;
  // An older ticket than this process will draw.
  const firstWant = join(dir, `lock.want.1${String((Date.now() - 1000) * 1000).padStart(19, '0')}.${first?.pid}`);
  const plan = steps({ lockPath, firstWant });
  const script = plan.map(([after, mark, cmd]) => `sleep ${after}; date +%s%N > ${dir}/${mark}.tmp && mv ${dir}/${mark}.tmp ${dir}/${mark} && ${cmd}`).join('; ');
  const releaser = spawn('sh', ['-c', script], { stdio: 'ignore' });
  const looks = countCalls('lstatSync', lockPath);
  try {
    writeFileSync(lockPath, processIdentity(holder.pid!) + '\n', { mode: 0o600 });
    if (first) writeFileSync(firstWant, '');
    const lock = new FileLock(lockPath, 10_000);
    const start = Date.now();
    assert.equal(lock.acquire(), false);
    const takenAt = Date.now();
    assert.equal(readFileSync(lockPath, 'utf8'), processIdentity() + '\n');
    lock.release();
    const at = Object.fromEntries(plan.map(([, mark]) => [mark, Number(readFileSync(join(dir, mark), 'utf8')) / 1e6]));
    return { start, takenAt, at, looks: looks.at };
  } finally {
    looks.restore();
    holder.kill();
    first?.kill();
    releaser.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a synchronous wait first in line is woken by the lock file\'s change, not a look every 1 ms, and takes the lock at once when given up', () => {
  // The process's first 500 ms of waiting poll, then start the wake-up thread, polling until
  // it is up: at load 40 that took seconds (194 looks in the measured 2 s once), which says
  // how fast a thread starts, not how the waiter waits. A first wait starts it; the wait
  // measured begins once it is up, so its looks are the thread's wake-ups and the 50 ms
  // checks of the holder's life (~40 in 2 s), against ~1,000-2,000 (fewer, loaded, but
  // hundreds) were it polling every 1 ms.
  // (500 polls, not 500 ms: on a loaded machine a 1 ms poll takes several, so waits of 0.8 s
  // until it is up.)
  const until = Date.now() + 60_000;
  while (!wakeThreadReady()) {
    assert.ok(Date.now() < until, 'the wake-up thread was not up within 60 s of waiting');
    syncWait(false, ({ lockPath }) => [[0.8, 'released', `rm ${lockPath}`]]);
  }
  // The holder's release, 4 s from now, by another process (this one blocks in acquire).
  const { start, takenAt, at, looks } = syncWait(false, ({ lockPath }) => [[4, 'released', `rm ${lockPath}`]]);
  assert.ok(takenAt - start >= 3500, `taken after ${takenAt - start} ms, while the holder held it`);
  assert.ok(wakeThreadReady(), 'the wake-up thread was taken for dead during the wait');
  const late = looks.filter((t) => t >= takenAt - 2000 && t < at.released).length;
  assert.ok(late <= 100, `${late} looks at the lock in the last 2 s of waiting`);
  assert.ok(takenAt - at.released < 300, `taken ${Math.round(takenAt - at.released)} ms after the release`);
});

test('a synchronous wait further back is woken when the waiter ahead leaves the queue, not a look every few ms, and takes the lock at once when given up', () => {
  // 4 s from now the first in line leaves the queue (it took the lock, and the lock stays
  // held), 0.5 s later the lock is given up.
  const { start, takenAt, at, looks } = syncWait(true, ({ lockPath, firstWant }) => [
    [4, 'left', `rm ${firstWant}`],
    [0.5, 'released', `rm ${lockPath}`],
  ]);
  assert.ok(takenAt - start >= 4000, `taken after ${takenAt - start} ms, while the holder held it`);
  // Second in line for 4 s: polled every 5 ms, ~400 looks in the last 2 s before the first
  // left (fewer on a loaded machine); woken by the first one's leaving, or a look every
  // 250 ms (the queue read again), ~10.
  const late = looks.filter((t) => t >= at.left - 2000 && t < at.left).length;
  assert.ok(late <= 60, `${late} looks at the lock in the last 2 s second in line`);
  // First in line once the first left (the lock not changing hands): woken by the lock's
  // change or every 50 ms, not at once at every turn by the file gone (~10 looks in 0.5 s).
  const first = looks.filter((t) => t >= at.left && t < at.released).length;
  assert.ok(first <= 40, `${first} looks at the lock in 0.5 s first in line`);
  assert.ok(takenAt - at.released < 300, `taken ${Math.round(takenAt - at.released)} ms after the release`);
});
