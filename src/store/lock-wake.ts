// Waking a lock waiter when the lock file changes (FileLock.acquire / acquireAsync), instead of
// a look every 1 ms: first in line, a synchronous waiter (a user's CLI) polled with a lstat per
// ms, 81 ms of CPU per second of waiting on an idle machine, taken from the holder it waits for
// on a loaded one (issue #12). A waiter further back is woken when the waiter just ahead of it
// leaves the queue (its `lock.want.*` file goes): in a queue of ten (the soak) their polls
// every 5-29 ms were most of the wait's CPU (docs/perf-issue-18.md rounds 96, 103).
//
// Across processes, only the kernel can tell the waiter: inotify on the lock file (its unlink
// at a release). A waiter whose event loop turns (the daemon) watches it itself. A synchronous
// waiter cannot: it blocks in Atomics.wait, and a worker thread of its own watches for it and
// wakes it through shared memory (Atomics.notify; shared memory does not reach other
// processes, a thread of this one does). The worker costs ~30 ms of CPU to start, so it is
// started only once the process has waited WAKER_AFTER_MS (500 ms) in all; polling goes on
// until it is ready, and whenever it is not usable.

import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Cumulative wait after which a synchronous waiter starts its wake-up thread: its polls have cost about what the thread costs to start (a one-off command behind a slice of the daemon never pays for it). */
const WAKER_AFTER_MS = 500;

/** How long (waits in a row) the wake-up thread may leave requests untaken before it is taken for dead. */
const MISSED_MAX_MS = 1000;

/** Whether the wake-up thread is up and taking requests (a test's warm-up waits for it). */
export function wakeThreadReady(): boolean {
  return waker !== undefined && Atomics.load(waker.cells, 1) === 1;
}

/**
 * Calls `done` once when the file at `file` changes or goes, or at once when it cannot be
 * watched (gone already) or is not the lock `stamp` names (`ino:ctimeMs`, FileLock's
 * holderStamp: it changed hands between the look and the watch; no stamp: a waiter's file,
 * which is never rewritten). Returns a function that stops the watch. Self-contained (its
 * source runs in the wake-up thread too): node:fs is passed in.
 */
export function watchLockFile(nodeFs: typeof fs, file: string, stamp: string | undefined, done: () => void): () => void {
  let watcher: fs.FSWatcher | undefined;
  let over = false;
  const stop = () => {
    over = true;
    watcher?.close();
    watcher = undefined;
  };
  const fire = () => {
    if (over) return;
    stop();
    done();
  };
  try {
    watcher = nodeFs.watch(file, { persistent: false }, fire);
    watcher.on('error', fire);
  } catch {
    fire(); // no lock file (given up since the look), or no inotify
    return stop;
  }
  if (stamp === undefined) return stop;
  let now = '';
  try {
    const st = nodeFs.lstatSync(file);
    now = `${st.ino}:${st.ctimeMs}`;
  } catch {
    /* gone: now '' */
  }
  if (now !== stamp) fire();
  return stop;
}

/**
 * The wake-up thread: watches what the waiting thread asks (a message, numbered), bumps cell 0
 * and notifies on a change; cell 1 is 1 while it works, cell 2 the last request it watches for.
 * `__name`: the name-keeping helper esbuild's keepNames (tsx, the tests' bundles) puts into a
 * function's source.
 */
const WORKER_SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const cells = workerData;
const __name = (f) => f;
const watchLockFile = ${watchLockFile.toString()};
let stop;
let watching = '';
parentPort.on('message', (m) => {
  try {
    // The same lock asked for again (a look after a timeout): its watch, still armed, kept.
    const want = m.file + '\0' + m.stamp;
    if (want !== watching) {
      if (stop) stop();
      watching = want;
      stop = watchLockFile(fs, m.file, m.stamp, () => {
        watching = '';
        Atomics.add(cells, 0, 1);
        Atomics.notify(cells, 0);
      });
    }
    Atomics.store(cells, 2, m.seq);
  } catch {
    Atomics.store(cells, 1, 0);
    Atomics.add(cells, 0, 1);
    Atomics.notify(cells, 0);
  }
});
Atomics.store(cells, 1, 1);
`;

let waker: { worker: Worker; cells: Int32Array; seq: number; missedMs: number } | undefined;
let waited = 0;
let failed = false;

/**
 * Blocks this thread until `file` changes or goes (the lock file: is no longer the lock `stamp`
 * names), or `maxMs`; false (without waiting) when no wake-up thread is ready: the caller
 * sleeps its poll interval instead. `pollMs` counts toward WAKER_AFTER_MS either way.
 */
export function waitForLockChange(file: string, stamp: string | undefined, maxMs: number, pollMs: number): boolean {
  const w = waker;
  if (!w || Atomics.load(w.cells, 1) !== 1) {
    waited += pollMs;
    if (!w && !failed && waited >= WAKER_AFTER_MS) startWaker();
    return false;
  }
  const seen = Atomics.load(w.cells, 0);
  const seq = (w.seq = (w.seq + 1) | 0);
  w.worker.postMessage({ file, stamp, seq });
  // A wake-up left over from an earlier watch only makes one more look early.
  const r = Atomics.wait(w.cells, 0, seen, maxMs);
  // A thread that took no request up for MISSED_MAX_MS of waits in a row (it died: its 'exit'
  // event waits for this thread's event loop, which a synchronous wait does not turn):
  // polling from now on. Late take-ups are a loaded machine's scheduling: three 50-ms waits
  // in a row (the count this was) can pass at load 40 with the thread alive, and then the
  // process polled every 1 ms for the rest of its life.
  w.missedMs = r === 'timed-out' && Atomics.load(w.cells, 2) !== seq ? w.missedMs + maxMs : 0;
  if (w.missedMs >= MISSED_MAX_MS) broken(w.worker);
  return true;
}

function broken(worker: Worker): void {
  if (waker?.worker === worker) waker = undefined;
  failed = true;
}

function startWaker(): void {
  try {
    const cells = new Int32Array(new SharedArrayBuffer(12));
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: cells, stdout: false, stderr: false });
    worker.unref(); // never keeps the process alive
    // Polling again (a thread that could not start, or ended): never a wait without wake-ups.
    worker.on('error', () => broken(worker));
    worker.on('exit', () => broken(worker));
    waker = { worker, cells, seq: 0, missedMs: 0 };
  } catch {
    failed = true;
  }
}
