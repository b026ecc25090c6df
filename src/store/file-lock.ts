// The state directory's writer lock: a regular file `lock` holding its holder's identity
// ("pid starttime"), created whole by hard-linking a private temporary file into place (so
// nobody ever sees an empty lock, and a full disk fails before the link, leaving no lock).
// A dead holder's lock is broken; anything that is not a lock we wrote (a folder, a symlink,
// garbage content) is refused with a message, never removed on a guess.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, processIdentity, parseProcessIdentity } from './process-alive';
import { StoreError } from './store';
import { waitForLockChange, watchLockFile } from './lock-wake';

const FILE_MODE = 0o600;
/** How often a waiter reads the queue again while the lock stays with one holder (see acquire). */
const QUEUE_RECHECK_MS = 250;
/** How often the first in line checks that the holder still lives. */
const STALE_CHECK_MS = 50;
/** How long before a read of the lock's folder its last change must be for othersWaiting to trust it (many ticks of the file system's coarse clock). */
const DIR_SETTLED_MS = 50;

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms: number): void {
  Atomics.wait(sleepBuffer, 0, 0, ms);
}

/** Reads a small regular file without following a symlink; undefined when absent. */
export function readSmallFile(file: string, limit = 4096): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new StoreError(`refusing to follow a symlink at ${file}`);
    if (code === 'EISDIR') throw new StoreError(`${file} is a directory where a file belongs; remove it if no kubesim command is running`);
    throw new StoreError(`cannot read ${file}: ${code ?? String(e)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StoreError(`${file} is not a regular file; remove it if no kubesim command is running`);
    if (st.size > limit) throw new StoreError(`${file} is damaged: ${st.size} bytes where at most ${limit} belong`);
    const buf = Buffer.alloc(Number(st.size));
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The lock's priority levels, as kube-apiserver's API Priority and Fairness sees its clients:
 * the controllers and the scheduler (the daemon) are served at a level of their own
 * (`workload-high`), ahead of users' requests (`global-default`), so ten users writing at
 * once cannot starve them; users still get every other turn (see FileLock.acquire).
 */
export type LockPriority = 'workload-high' | 'global-default';
let processPriority: LockPriority = 'global-default';

/** Sets this process's level (the daemon: workload-high). */
export function setLockPriority(p: LockPriority): void {
  processPriority = p;
}

export function lockPriority(): LockPriority {
  return processPriority;
}

let ownIdentity: string | undefined;

/**
 * A waiter's pause before its next look: until `file` changes or goes (the lock file, first in
 * line: `stamp` the lock it saw; the nearest live waiter's file ahead of it, further back), at
 * most `maxMs`; or, without a file (or a way to watch it), a poll of `pollMs`.
 */
interface Wait {
  pollMs: number;
  file?: string;
  stamp?: string;
  maxMs: number;
}

export class FileLock {
  /** The state directory as it was when this lock was made (see dirChanged). */
  private readonly dirId: string;

  constructor(
    readonly lockPath: string,
    private readonly timeoutMs: number,
  ) {
    this.dirId = FileLock.dirIdentity(path.dirname(lockPath));
  }

  private static dirIdentity(dir: string): string {
    try {
      const st = fs.statSync(dir);
      return `${st.dev}:${st.ino}`;
    } catch {
      return '';
    }
  }

  /**
   * Whether the state directory was removed or replaced since: a copy of it holds a copy of
   * the lock file, naming a live holder (maybe this very process), which nobody will ever
   * release. The wait must end with an error, not block the process's event loop forever.
   */
  private dirChanged(): boolean {
    return this.dirId !== '' && FileLock.dirIdentity(path.dirname(this.lockPath)) !== this.dirId;
  }

  /** Waiters' liveness as last checked (pid -> [alive, when]): a queue of 70 is polled often. */
  private readonly alive = new Map<number, [boolean, number]>();

  /**
   * Takes the lock, waiting for a live holder; returns true when a dead holder's lock was
   * broken. Waiters queue in arrival order (`lock.want.<ticket>.<pid>`, the ticket a
   * timestamp): the oldest live waiter takes a lock given up (others only once it stayed
   * free for 100 ms), and a newcomer queues behind waiters rather than barging in. So 70
   * processes writing at once each get their turn instead of losing the race to faster
   * pollers. The wait times out only when the lock has not changed hands (nor the queue
   * moved) for `timeoutMs`: a holder that keeps the lock, not a long queue. A waiter at
   * workload-high queues ahead of every global-default one (its ticket sorts first); it is
   * never waiting while it holds the lock, so the users' queue moves by one at each of its
   * releases. Waiting costs little: a lstat per turn, the queue read only when the lock
   * changes hands, the holder's life checked every 50 ms by the first in line, which is woken
   * by the lock file's change (lock-wake.ts; a 1 ms poll until that is set up); each waiter
   * further back is woken when the one just ahead of it leaves the queue (it took the lock),
   * so a hand-over wakes two waiters, not the whole queue, and the rest look only every
   * QUEUE_RECHECK_MS (they poll, more slowly the further back, until that is set up).
   */
  acquire(): boolean {
    const steps = this.attempt();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      const { pollMs, file, stamp, maxMs } = step.value;
      if (!file || !waitForLockChange(file, stamp, maxMs, pollMs)) sleepSync(pollMs);
    }
  }

  /**
   * acquire without blocking the event loop while it waits (the daemon: its requests, reads
   * and writes alike, are read and queued while another process holds the lock). The caller
   * must not take the lock by another path meanwhile (the async store's batch guarantees it).
   */
  async acquireAsync(): Promise<boolean> {
    const steps = this.attempt();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await this.waitForHolder(step.value);
    }
  }

  /**
   * acquireAsync's wait before its next look. First in line (a 1 ms poll), it waits instead
   * for the lock file to change or go (inotify), up to STALE_CHECK_MS: polling every 1 ms
   * cost the daemon 66 ms of CPU per second of waiting on a loaded machine (a fifth of its
   * CPU in a 10 x 1,000 soak), taken from the holder it waits for, and made the scheduler
   * treat it as busy rather than as waking from sleep once the lock is its own (issue #12).
   */
  private waitForHolder({ pollMs, file, stamp, maxMs }: Wait): Promise<void> {
    if (!file) return new Promise((r) => setTimeout(r, pollMs));
    return new Promise((resolve) => {
      let stop: (() => void) | undefined; // unset when the watch fires at once
      const done = () => {
        clearTimeout(timer);
        stop?.();
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      stop = watchLockFile(fs, file, stamp, done);
    });
  }

  /** acquire's steps: yields how long to wait before the next look; returns acquire's answer. */
  private *attempt(): Generator<Wait, boolean> {
    let broke = false;
    let wantFile: string | undefined;
    try {
      if (!this.othersWaiting() && this.tryCreate()) return false;
      // Just given up by this workload-high process with others waiting: their turn first. It
      // queues (ahead of them) only once one of them holds the lock; otherwise it would take
      // the lock back before a sleeping waiter woke, or stand first in line while owing them.
      let owesTurn = processPriority === 'workload-high' && Date.now() - this.releasedAt < 1000;
      if (!owesTurn) wantFile = this.announceWaiting();
      let myName = wantFile ? path.basename(wantFile) : undefined;
      let deadline = Date.now() + this.timeoutMs;
      let lastAhead = Infinity;
      let ahead = 0;
      /** The nearest live waiter's file ahead of this one (its wake-up: that waiter took the lock). */
      let before: string | undefined;
      let aheadAt = 0;
      let freeSince = 0;
      let lastHolder: string | undefined;
      let staleAt = 0;
      let lastDirCheck = Date.now();
      for (;;) {
        // One lstat a turn. The queue moves only when the lock changes hands (the taker leaves
        // it) or a waiter ahead gives up or dies: read again (a readdir) on a new holder, while
        // the lock is free, and every QUEUE_RECHECK_MS; not at every poll of 70 waiters.
        const holder = this.holderStamp();
        const now = Date.now();
        const free = holder === '';
        // Also once the waiter just ahead has left without the lock changing hands (it gave
        // up, or took a lock left free): else its file, gone, would wake this one at once
        // at every turn until the recheck.
        const aheadLeft = before !== undefined && !fs.lstatSync(before, { throwIfNoEntry: false });
        if (holder !== lastHolder || free || aheadLeft || now - aheadAt >= QUEUE_RECHECK_MS) {
          [ahead, before] = owesTurn ? [1, undefined] : myName ? this.aheadOf(myName) : [0, undefined];
          aheadAt = now;
        }
        if (ahead < lastAhead || holder !== lastHolder) {
          deadline = now + this.timeoutMs; // the queue moved, the lock changed hands: keep waiting
          lastAhead = ahead;
          lastHolder = holder;
        }
        // Not first in line: still take a lock left free for a moment (the first waiter is
        // asleep on a loaded machine, or stopped without dying): the queue's order is a
        // preference, the lock is never left idle long.
        if (!free) freeSince = 0;
        else if (!freeSince) freeSince = now;
        if (!free && owesTurn) {
          owesTurn = false;
          wantFile = this.announceWaiting();
          myName = wantFile ? path.basename(wantFile) : undefined;
          aheadAt = 0;
          continue;
        }
        if (free && (ahead === 0 || now - freeSince > 100) && this.tryCreate()) return broke;
        // Whether the holder died: at once, then every STALE_CHECK_MS from the first in line
        // (every second from the rest, in case the first is stopped).
        if (!free && now - staleAt >= (ahead === 0 ? STALE_CHECK_MS : 1000)) {
          staleAt = now;
          if (this.breakStale()) {
            broke = true;
            continue;
          }
        }
        if (now > deadline) throw new StoreError(`timed out waiting for the state lock ${this.lockPath}`);
        if (now - lastDirCheck > 100) {
          lastDirCheck = now;
          if (this.dirChanged()) throw new StoreError(`the state directory ${path.dirname(this.lockPath)} was removed or replaced while waiting for its lock`);
        }
        // First in line waits for the lock file's change (the hand-over), polling at a short
        // fixed interval until it can, and so does a process owing its turn (to queue as soon
        // as the lock is taken). The rest of the queue waits for the waiter just ahead to leave
        // it, looking every QUEUE_RECHECK_MS all the same (a waiter ahead that died leaves its
        // file; the holder's life; a lock left free), or polls more slowly the further back it
        // stands: it only needs to be first by the time those ahead have had their turns.
        const pollMs = ahead === 0 || owesTurn ? 1 : Math.min(2 + 3 * ahead, 100);
        if (free || owesTurn) yield { pollMs, maxMs: pollMs };
        else if (ahead === 0) yield { pollMs, file: this.lockPath, stamp: holder, maxMs: STALE_CHECK_MS };
        else yield { pollMs, file: before, maxMs: QUEUE_RECHECK_MS };
      }
    } finally {
      if (wantFile) fs.rmSync(wantFile, { force: true });
    }
  }

  /** When this process last gave the lock up (see owesTurn in acquire). */
  private releasedAt = 0;

  release(): void {
    fs.rmSync(this.lockPath, { force: true });
    this.releasedAt = Date.now();
  }

  /** Which lock is in place (every lock is a new file: its inode and change time), '' for none. */
  private holderStamp(): string {
    try {
      const st = fs.lstatSync(this.lockPath); // a Number stat (file-store-support.ts: FileIdentity)
      return `${st.ino}:${st.ctimeMs}`;
    } catch {
      return '';
    }
  }

  private static readonly WANT = /^\.want\.(?:(\d{1,20})\.)?(\d{1,10})$/;

  /** The pid in a waiter's file name (`lock.want.<ticket>.<pid>`), undefined for other names. */
  private waiterPid(name: string): number | undefined {
    const base = path.basename(this.lockPath);
    if (!name.startsWith(base)) return undefined;
    const m = FileLock.WANT.exec(name.slice(base.length));
    return m ? Number(m[2]) : undefined;
  }

  /** Waiters' file names in queue order, this process's excluded (dead ones' included: see liveAmong). */
  private queue(): string[] {
    const out: string[] = [];
    for (const n of fs.readdirSync(path.dirname(this.lockPath))) {
      const pid = this.waiterPid(n);
      if (pid !== undefined && pid !== process.pid) out.push(n);
    }
    return out.sort();
  }

  /**
   * Whether any of `names` (in queue order) is a live waiter; the dead ones met on the way
   * are removed. Stops at the first live one: usually one check (cached), not one read of
   * /proc per waiter each time each of 70 waiters looks at the queue.
   */
  private liveAmong(names: string[]): boolean {
    const dir = path.dirname(this.lockPath);
    for (const n of names) {
      if (this.waiterAlive(this.waiterPid(n)!)) return true;
      fs.rmSync(path.join(dir, n), { force: true });
    }
    return false;
  }

  /**
   * How many waiters stand ahead of `me` in the queue (0 when none of them lives), and the
   * nearest live one's file (undefined if none is found live).
   */
  private aheadOf(me: string): [number, string | undefined] {
    const ahead = this.queue().filter((n) => n < me);
    if (!this.liveAmong(ahead)) return [0, undefined];
    for (let i = ahead.length - 1; i >= 0; i--) {
      if (this.waiterAlive(this.waiterPid(ahead[i])!)) return [ahead.length, path.join(path.dirname(this.lockPath), ahead[i])];
    }
    return [ahead.length, undefined];
  }

  private waiterAlive(pid: number): boolean {
    const now = Date.now();
    const known = this.alive.get(pid);
    if (known && now - known[1] < 500) return known[0];
    if (this.alive.size > 1000) this.alive.clear();
    const alive = processAlive(pid);
    this.alive.set(pid, [alive, now]);
    return alive;
  }

  /** `lock.want.<ticket>.<pid>`: this process's place in the queue (see acquire). */
  private announceWaiting(): string | undefined {
    // The level, then a fixed-width timestamp in microseconds: names sort by level, then in
    // arrival order.
    const level = processPriority === 'workload-high' ? '0' : '1';
    const ticket = level + String(Math.round((performance.timeOrigin + performance.now()) * 1000)).padStart(19, '0');
    const file = `${this.lockPath}.want.${ticket}.${process.pid}`;
    try {
      fs.writeFileSync(file, '', { flag: 'wx', mode: FILE_MODE });
      return file;
    } catch {
      return undefined; // best effort: fairness, not safety
    }
  }

  /** The lock folder as it was when a read of it found nobody waiting (see othersWaiting). */
  private noWaiters: { ino: number; mtimeMs: number; ctimeMs: number } | undefined;

  /**
   * Whether another live process waits for the lock (lock.want.*). A holder asks every
   * WAITER_CHECK_MS of a long group: a folder unchanged since a read that found nobody is
   * answered by one lstat, not a readdir (1.5 % of a 1,000-replica start, growing with its
   * wall time), since a waiter's file changes the folder's mtime. Only a folder last changed
   * well before that read is trusted: the file system stamps times from a coarse clock, and
   * a file made in the same tick as the change before it would leave the mtime as it was.
   */
  othersWaiting(): boolean {
    const st = fs.lstatSync(path.dirname(this.lockPath), { throwIfNoEntry: false });
    const known = this.noWaiters;
    if (st && known && st.ino === known.ino && st.mtimeMs === known.mtimeMs && st.ctimeMs === known.ctimeMs) return false;
    const settled = Date.now() - DIR_SETTLED_MS;
    const waiting = this.liveAmong(this.queue());
    this.noWaiters = !waiting && st && st.mtimeMs < settled && st.ctimeMs < settled ? { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs } : undefined;
    return waiting;
  }

  /** This process's identity as a lock names it (read from /proc once, not at every try). */
  private identity(): string {
    return (ownIdentity ??= processIdentity());
  }

  private tryCreate(): boolean {
    const tmp = `${this.lockPath}.${process.pid}`;
    fs.rmSync(tmp, { force: true }); // a leftover of ours, or something planted: never written through
    try {
      fs.writeFileSync(tmp, this.identity() + '\n', { mode: FILE_MODE, flag: 'wx' });
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw lockIoError(e, this.lockPath);
    }
    try {
      fs.linkSync(tmp, this.lockPath);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw lockIoError(e, this.lockPath);
      return false;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** The current holder, undefined when there is no lock; throws on a damaged lock. */
  private holder(): { pid: number; startTime?: string } | undefined {
    const text = readSmallFile(this.lockPath, 256);
    if (text === undefined) return undefined;
    const id = parseProcessIdentity(text);
    if (!id) {
      throw new StoreError(`the state lock ${this.lockPath} is damaged (it holds ${JSON.stringify(text.slice(0, 40))}, not a process id); remove it if no kubesim command is running`);
    }
    return id;
  }

  /**
   * Removes the lock of a writer that died. Breakers take turns (a `lock.break` file), so a
   * breaker can never delete a lock that another breaker already replaced with a live one;
   * a breaker that died itself leaves a `lock.break` that expires after a second.
   */
  private breakStale(): boolean {
    const holder = this.holder();
    if (!holder || processAlive(holder.pid, holder.startTime)) return false;
    const breakPath = `${this.lockPath}.break`;
    try {
      fs.writeFileSync(breakPath, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
    } catch {
      try {
        if (Date.now() - fs.lstatSync(breakPath).mtimeMs > 1000) fs.rmSync(breakPath, { force: true });
      } catch {
        /* gone */
      }
      return false;
    }
    try {
      const again = this.holder();
      if (again && again.pid === holder.pid && again.startTime === holder.startTime && !processAlive(again.pid, again.startTime)) {
        fs.rmSync(this.lockPath, { force: true });
        return true;
      }
      return false;
    } finally {
      fs.rmSync(breakPath, { force: true });
    }
  }
}

function lockIoError(e: unknown, file: string): StoreError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new StoreError(`no space left on device while taking the state lock ${file}; nothing was changed`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new StoreError(`cannot take the state lock ${file}: ${code === 'EROFS' ? 'read-only file system' : 'permission denied'}`);
  if (code === 'EEXIST') return new StoreError(`cannot take the state lock ${file}: a leftover temporary lock file is in the way`);
  return new StoreError(`cannot take the state lock ${file}: ${code ?? String(e)}`);
}
