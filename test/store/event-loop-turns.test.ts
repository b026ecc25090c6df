// The daemon's store calls let its event loop turn during a long reconcile (setEventLoopTurns):
// the engines are synchronous, so without it a task awaiting thousands of writes never let a
// request (a timer, a socket) run until it ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { asUserRequest, EngineStore, setEventLoopTurns } from '../../src/store/async-store';
import { FileLock } from '../../src/store/file-lock';
import { MemoryStore } from '../../src/store/memory-store';
import { FileStore, TMP_PREFIX } from '../../src/store/file-store';

/** Writes until a timer set at the start has run, or `max` writes; returns the writes made. */
async function writesBeforeTimer(store: EngineStore, prefix: string, max: number): Promise<{ writes: number; ms: number }> {
  let fired = false;
  const timer = setTimeout(() => (fired = true), 0);
  const t0 = Date.now();
  let writes = 0;
  while (!fired && writes < max) {
    await store.create(`configmaps/default/${prefix}-${writes}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${writes}`, namespace: 'default' } });
    writes++;
  }
  clearTimeout(timer);
  return { writes, ms: Date.now() - t0 };
}

test('a long run of store calls lets the event loop turn every few ms once asked to, and never by default', async () => {
  const store = new EngineStore(new MemoryStore());
  try {
    const off = await writesBeforeTimer(store, 'off', 3000);
    assert.equal(off.writes, 3000, 'the timer ran while the writes never left the event loop');
    setEventLoopTurns(5);
    const on = await writesBeforeTimer(store, 'on', 3000);
    assert.ok(on.writes < 3000, `the timer waited for all ${on.writes} writes (${on.ms} ms)`);
  } finally {
    setEventLoopTurns(0);
  }
});

// The two flows (asUserRequest): a user's request in the daemon goes ahead of the
// controllers' store calls, which wait at their next call outside a batch; a stream of
// requests still leaves them turns.
test("a user's request is served ahead of a background task's store calls, which still get turns", async () => {
  const store = new EngineStore(new MemoryStore());
  setEventLoopTurns(5);
  let stop = false;
  let background = 0;
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
  const loop = (async () => {
    while (!stop) await store.create(`configmaps/default/bg-${background++}`, cm(`bg-${background}`));
  })();
  try {
    await new Promise((r) => setTimeout(r, 20)); // the background task under way
    // A request whose calls await between them (as a handler's do): the background task
    // would take turns at each of them.
    const before = background;
    const t0 = Date.now();
    await asUserRequest(async () => {
      for (let i = 0; i < 20; i++) {
        await store.create(`configmaps/default/user-${i}`, cm(`user-${i}`));
        await new Promise((r) => setImmediate(r));
      }
    });
    const during = background - before;
    // (Without the flows it wrote at each of the request's awaits: about 20 times.)
    assert.ok(during <= 2, `the background task wrote ${during} times during a ${Date.now() - t0}-ms request`);
    // Requests back to back for 400 ms: the background task waits at most 100 ms at a time.
    const from = background;
    const until = Date.now() + 400;
    while (Date.now() < until) await asUserRequest(async () => void (await store.get('configmaps/default/user-0'), await new Promise((r) => setImmediate(r))));
    assert.ok(background - from > 10, `the background task wrote ${background - from} times in 400 ms of requests`);
  } finally {
    stop = true;
    await loop;
    setEventLoopTurns(0);
  }
});

test("the daemon's wait for another holder's store lock lets its event loop run (acquireAsync)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-lock-async-'));
  try {
    const holder = new FileLock(join(dir, 'lock'), 5000);
    holder.acquire();
    // Released by a timer: a wait that blocked the event loop would never see it and time out.
    setTimeout(() => holder.release(), 50);
    const waiter = new FileLock(join(dir, 'lock'), 2000);
    const t0 = Date.now();
    assert.equal(await waiter.acquireAsync(), false);
    assert.ok(Date.now() - t0 >= 40, 'taken before the holder let go');
    waiter.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A disk stall in the journal's sync: fs.fdatasync(Sync) of `journal.log` (or of the files
 * `which` picks by path) made to take `stallMs` (the other files' syncs run as they are);
 * `fail` makes it fail with EIO instead.
 */
function stallJournalSync(stallMs: number, fail = false, which: (file: string) => boolean = (file) => file.endsWith("/journal.log")) {
  // The CommonJS module object itself (what the store's `import * as fs` reads through).
  const mod = require('node:fs') as Record<string, any>;
  const orig = { sync: mod.fdatasyncSync, async: mod.fdatasync };
  const isJournal = (fd: number) => {
    try {
      return which(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  };
  const state = { syncs: 0, doneAt: 0 };
  const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  mod.fdatasyncSync = (fd: number) => {
    if (!isJournal(fd)) return orig.sync(fd);
    state.syncs++;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stallMs); // the thread stands still
    state.doneAt = performance.now();
    if (fail) throw eio();
    return orig.sync(fd);
  };
  mod.fdatasync = (fd: number, cb: (e: Error | null) => void) => {
    if (!isJournal(fd)) return orig.async(fd, cb);
    state.syncs++;
    orig.async(fd, (e: Error | null) =>
      setTimeout(() => {
        state.doneAt = performance.now();
        cb(fail ? eio() : e);
      }, stallMs),
    );
  };
  return { state, restore: () => Object.assign(mod, { fdatasyncSync: orig.sync, fdatasync: orig.async }) };
}

const cmOf = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });

test("the daemon's release syncs the journal off its event loop: a stalled sync holds the lock and this process's writers, not its timers; the group is answered once synced", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-release-sync-'));
  const engine = new FileStore(dir, { fsync: true });
  const store = new EngineStore(engine);
  setEventLoopTurns(5);
  let stall: ReturnType<typeof stallJournalSync> | undefined;
  try {
    await store.batch(() => store.create('configmaps/default/first', cmOf('first'))); // the daemon's take (beginBatchAsync)
    stall = stallJournalSync(800);
    const events: string[] = [];
    let lockDuringStall = '';
    let laterWrite: Promise<unknown> | undefined;
    const timer = setTimeout(() => {
      events.push('timer');
      lockDuringStall = readFileSync(join(dir, 'lock'), 'utf8');
      // Another task of this process writes while the release is in flight: it waits for it.
      laterWrite = store.create('configmaps/default/later', cmOf('later')).then(() => events.push('later write'));
    }, 50);
    // A group (the REST API's group commit): one write, answered when the group settles.
    await store.group(() => store.create('configmaps/default/grouped', cmOf('grouped')));
    events.push('group answered');
    const answeredAt = performance.now();
    clearTimeout(timer);
    await laterWrite;
    assert.equal(stall.state.syncs >= 1, true, 'the journal was synced');
    assert.deepEqual(events, ['timer', 'group answered', 'later write'], 'the timer ran during the sync (on main the sync blocked it until after the group)');
    assert.ok(answeredAt >= stall.state.doneAt, 'the group was answered only once its journal was synced');
    assert.match(lockDuringStall, new RegExp(`^${process.pid}\\b`), 'the lock was still held during the sync');
    assert.equal((await store.get('configmaps/default/later'))?.metadata.name, 'later');
  } finally {
    stall?.restore();
    setEventLoopTurns(0);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `rev`'s new content before its rename: a temporary file in the store's folder holding a number. */
const isRevFile = (dir: string) => (file: string) => dirname(file) === dir && basename(file).startsWith(TMP_PREFIX) && /^\d+\n$/.test(readFileSync(file, 'utf8'));

for (const c of [
  { what: 'journal', which: undefined, error: /EIO/ },
  { what: '`rev`', which: isRevFile, error: /input\/output error while writing .*\/rev\b/ },
]) {
  test(`the daemon's release whose ${c.what} sync fails: the group is refused with the error, \`rev\` stays, and the lock given up`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-release-sync-'));
    const store = new EngineStore(new FileStore(dir, { fsync: true }));
    setEventLoopTurns(5);
    try {
      await store.batch(() => store.create('configmaps/default/first', cmOf('first')));
      const revBefore = readFileSync(join(dir, 'rev'), 'utf8');
      const stall = stallJournalSync(20, true, c.which?.(dir));
      try {
        await assert.rejects(store.group(() => store.create('configmaps/default/grouped', cmOf('grouped'))), c.error);
      } finally {
        stall.restore();
      }
      assert.equal(readFileSync(join(dir, 'rev'), 'utf8'), revBefore);
      // Given up: another process takes the lock at once.
      const other = new FileStore(dir, { fsync: false });
      assert.equal(other.create('configmaps/default/other', cmOf('other')).metadata.name, 'other');
      other.close();
      await store.create('configmaps/default/after', cmOf('after'));
      assert.equal(readdirSync(dir).filter((n) => n.startsWith(TMP_PREFIX)).length, 0, 'no temporary file left');
    } finally {
      setEventLoopTurns(0);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("the daemon's release syncs `rev`'s own file off its event loop too: a stalled sync holds the lock, not its timers; `rev` moves once synced", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-release-sync-'));
  const store = new EngineStore(new FileStore(dir, { fsync: true }));
  setEventLoopTurns(5);
  let stall: ReturnType<typeof stallJournalSync> | undefined;
  try {
    await store.batch(() => store.create('configmaps/default/first', cmOf('first'))); // the daemon's take (beginBatchAsync)
    stall = stallJournalSync(800, false, isRevFile(dir));
    const events: string[] = [];
    let during = { lock: '', rev: '' };
    const timer = setTimeout(() => {
      events.push('timer');
      during = { lock: readFileSync(join(dir, 'lock'), 'utf8'), rev: readFileSync(join(dir, 'rev'), 'utf8') };
    }, 100);
    // A small group: its end writes every file and `rev`.
    const written = await store.group(() => store.create('configmaps/default/grouped', cmOf('grouped')));
    events.push('group answered');
    clearTimeout(timer);
    assert.equal(stall.state.syncs >= 1, true, "`rev`'s file was synced");
    assert.deepEqual(events, ['timer', 'group answered'], "the timer ran during `rev`'s sync (on main the sync blocked it until after the group)");
    assert.match(during.lock, new RegExp(`^${process.pid}\\b`), 'the lock was still held during the sync');
    assert.ok(Number(during.rev) < Number(written.metadata.resourceVersion), '`rev` not moved before its file was synced');
    assert.equal(Number(readFileSync(join(dir, 'rev'), 'utf8')), Number(written.metadata.resourceVersion), '`rev` moved once synced');
    assert.equal(readdirSync(dir).filter((n) => n.startsWith(TMP_PREFIX)).length, 0, 'no temporary file left');
  } finally {
    stall?.restore();
    setEventLoopTurns(0);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
