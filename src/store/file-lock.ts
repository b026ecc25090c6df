// The state directory's writer lock: a regular file `lock` holding its holder's identity
// ("pid starttime"), created whole by hard-linking a private temporary file into place (so
// nobody ever sees an empty lock, and a full disk fails before the link, leaving no lock).
// A dead holder's lock is broken; anything that is not a lock we wrote (a folder, a symlink,
// garbage content) is refused with a message, never removed on a guess.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, processIdentity, parseProcessIdentity } from './process-alive';
import { StoreError } from './store';

const FILE_MODE = 0o600;

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

export class FileLock {
  constructor(
    readonly lockPath: string,
    private readonly timeoutMs: number,
  ) {}

  /** When this process last gave the lock up: it steps aside for waiters for a moment after. */
  private lastRelease = 0;

  /** Takes the lock, waiting for a live holder; returns true when a dead holder's lock was broken. */
  acquire(): boolean {
    this.stepAside();
    const deadline = Date.now() + this.timeoutMs;
    let wait = 1;
    let broke = false;
    let wantFile: string | undefined;
    try {
      for (;;) {
        if (this.tryCreate()) return broke;
        if (!wantFile) wantFile = this.announceWaiting();
        if (this.breakStale()) broke = true;
        if (Date.now() > deadline) throw new StoreError(`timed out waiting for the state lock ${this.lockPath}`);
        sleepSync(wait);
        wait = Math.min(wait * 2, 10);
      }
    } finally {
      if (wantFile) fs.rmSync(wantFile, { force: true });
    }
  }

  release(): void {
    fs.rmSync(this.lockPath, { force: true });
    this.lastRelease = Date.now();
  }

  /** `lock.want.<pid>`: tells a holder that gives the lock up and wants it back at once to wait. */
  private announceWaiting(): string | undefined {
    const file = `${this.lockPath}.want.${process.pid}`;
    try {
      fs.writeFileSync(file, '', { flag: 'wx', mode: FILE_MODE });
      return file;
    } catch {
      return undefined; // best effort: fairness, not safety
    }
  }

  /** Whether another live process announced that it waits for the lock (lock.want.<pid>). */
  othersWaiting(): boolean {
    const prefix = `${path.basename(this.lockPath)}.want.`;
    for (const n of fs.readdirSync(path.dirname(this.lockPath))) {
      if (!n.startsWith(prefix)) continue;
      const pid = Number(n.slice(prefix.length));
      if (pid !== process.pid && processAlive(pid)) return true;
    }
    return false;
  }

  /**
   * A process that gave the lock up a moment ago and takes it again (a daemon working through
   * a long reconcile in groups) first lets live waiters in, for at most 200 ms: without this,
   * a waiter polling every few milliseconds would almost never find the lock free.
   */
  private stepAside(): void {
    if (Date.now() - this.lastRelease > 100) return;
    const dir = path.dirname(this.lockPath);
    const prefix = `${path.basename(this.lockPath)}.want.`;
    const deadline = Date.now() + 200;
    while (Date.now() < deadline) {
      let waiting = false;
      for (const n of fs.readdirSync(dir)) {
        if (!n.startsWith(prefix)) continue;
        const pid = Number(n.slice(prefix.length));
        if (pid === process.pid) continue;
        if (processAlive(pid)) waiting = true;
        else fs.rmSync(path.join(dir, n), { force: true });
      }
      if (!waiting) return;
      sleepSync(2);
    }
  }

  private tryCreate(): boolean {
    const tmp = `${this.lockPath}.${process.pid}`;
    fs.rmSync(tmp, { force: true }); // a leftover of ours, or something planted: never written through
    try {
      fs.writeFileSync(tmp, processIdentity() + '\n', { mode: FILE_MODE, flag: 'wx' });
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
