// The file store's small durability records next to its journal:
// - `rev`: up to which revision every object file is in place (readers lay the journal's
//   entries after it over the files);
// - `objects-rev`: the objects' high-water mark, the last `rev` written. A lock holder whose
//   counter (`rev`, or the journal's last line) is behind it refuses to write: with `rev` and
//   `journal.log` both copied back from an older state, a create would otherwise reuse a
//   revision some object file already holds (`rev` alone rewound is caught by the journal).
//   Written in place (fixed width, no rename, no fsync) after `rev`: the journal, synced
//   before any `rev` is written, always reaches at least as far, so a power loss never
//   leaves it ahead of the counter;
// - `unsynced`: the power-loss marker. Object files put in place from the journal are not
//   fsync'd one by one; this boot's id and a revision before any such file are written (and
//   fsync'd) once per boot, and a lock holder that finds another boot's id there replays the
//   journal from that revision (FileStore.recover).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSmallFile } from './file-lock';
import { StoreError } from './store';
import { bootId, syncFileSystem, fsyncPath, fdatasyncPath, storeIoError, fsyncPathAsync } from './file-store-support';
import { atomicWrite, warnOnce, writeTemp } from './file-store-files';

/** The `rev` file: absent is 0; anything but a safe integer is damage, refused. */
export function readRevFile(revPath: string): number {
  const text = readSmallFile(revPath, 64);
  if (text === undefined) return 0;
  const n = /^\d{1,16}\n?$/.test(text) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new StoreError(`the revision counter ${revPath} is damaged (it holds ${JSON.stringify(text.slice(0, 40))}); run "kubesim cluster fsck --repair"`);
  }
  return n;
}

export function writeRevFile(revPath: string, rev: number, fsync: boolean): void {
  atomicWrite(revPath, String(rev) + '\n', fsync);
}

/**
 * A store's writes of `rev` and, after each, of the high-water mark. The daemon's release
 * (its journal synced off the event loop, file-store-hold.ts) puts its write off (`defer`):
 * the newest value goes into a temporary file at the release's end (begin), fsync'd on the
 * thread pool (syncAsync) or on this thread (sync), then renamed over `rev` (end), the lock
 * held throughout: a disk stall in that fsync stood the daemon's event loop still as long.
 * The same durability: `rev` is renamed into place only once its data is on disk (a torn
 * `rev` after a power loss would be refused as damage).
 */
export class RevWriter {
  private due: number | undefined;
  private tmp: string | undefined;

  constructor(
    readonly revPath: string,
    private readonly fsync: boolean,
    private readonly highWater: HighWaterMark,
  ) {}

  write(rev: number, defer = false): void {
    if (defer && this.fsync) {
      this.due = rev;
      return;
    }
    writeRevFile(this.revPath, rev, this.fsync);
    this.highWater.raise(rev);
  }

  /** Writes the value put off into its temporary file (not synced). */
  begin(): void {
    if (this.due !== undefined) this.tmp = writeTemp(this.revPath, String(this.due) + '\n', false);
  }

  /** Whether a put-off write's file waits for its sync and rename. */
  begun(): boolean {
    return this.tmp !== undefined;
  }

  sync(): void {
    if (this.tmp === undefined) return;
    try {
      fdatasyncPath(this.tmp);
    } catch (e) {
      throw storeIoError(e, this.revPath);
    }
  }

  syncAsync(): Promise<void> {
    return this.tmp === undefined ? Promise.resolve() : fsyncPathAsync(this.tmp).catch((e: unknown) => Promise.reject(storeIoError(e, this.revPath)));
  }

  /** Renames the synced file over `rev` and raises the mark (`synced` false: the file removed, `rev` left as it was). */
  end(synced: boolean): void {
    const { tmp, due } = this;
    this.tmp = this.due = undefined;
    if (tmp === undefined || due === undefined) return;
    try {
      if (!synced) return;
      fs.renameSync(tmp, this.revPath);
    } catch (e) {
      throw storeIoError(e, this.revPath);
    } finally {
      fs.rmSync(tmp, { force: true }); // gone already once renamed
    }
    this.highWater.raise(due);
  }
}

/** `objects-rev` (see above): absent is 0; anything but a safe integer is damage, refused. */
export function readHighWater(file: string): number {
  const text = readSmallFile(file, 64);
  if (text === undefined) return 0;
  const n = /^\d{1,16}\n$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new StoreError(`the objects' revision mark ${file} is damaged (it holds ${JSON.stringify(text.slice(0, 40))}); run "kubesim cluster fsck --repair"`);
  }
  return n;
}

/**
 * Raises `objects-rev` to `rev`: one pwrite of a fixed-width line over the old one (a release
 * already renames `rev` into place; this costs no second rename or fsync). Not written is a
 * weaker check, never a wrong one: warned about, not failed on.
 */
export function writeHighWater(file: string, rev: number): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, 0o600);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    const line = Buffer.from(String(rev).padStart(16, '0') + '\n');
    if (fs.writeSync(fd, line, 0, line.length, 0) !== line.length) throw new Error('short write');
    if (st.size > line.length) fs.ftruncateSync(fd, line.length); // a longer (damaged) file's end
  } catch (e) {
    warnOnce(file, `could not write ${file} (${e instanceof Error ? e.message : String(e)}); run "kubesim cluster fsck"`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** `objects-rev` as one store last read or wrote it. */
export class HighWaterMark {
  private known = 0;

  constructor(readonly file: string) {}

  /**
   * At a lock take: a counter (`rev`, the journal's last line) behind the mark would hand out
   * revisions object files already hold: refused (fsck raises the counter).
   */
  check(rev: number): void {
    this.known = readHighWater(this.file);
    if (rev < this.known) {
      throw new StoreError(`the revision counter (${rev}) is behind the objects (revision ${this.known} recorded in ${this.file}); run "kubesim cluster fsck --repair"`);
    }
  }

  /** After `rev` was written. */
  raise(rev: number): void {
    if (rev <= this.known) return;
    writeHighWater(this.file, rev);
    this.known = rev;
  }
}

export class UnsyncedMarker {
  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  /** The marker, if any; a damaged one reads as "replay everything the journal holds". */
  read(): { boot: string; rev: number } | undefined {
    let text: string | undefined;
    try {
      text = readSmallFile(this.file, 128);
    } catch {
      text = 'damaged';
    }
    if (text === undefined) return undefined;
    const m = /^([0-9a-f-]{1,64}) (\d{1,16})\n?$/.exec(text);
    return m ? { boot: m[1], rev: Number(m[2]) } : { boot: '', rev: 0 };
  }

  /**
   * Before files are written without their own fsync: records this boot and `committed`
   * (once per boot). False when there is no boot id to go by (not Linux): then every file
   * must be fsync'd.
   */
  mark(committed: number): boolean {
    const boot = bootId();
    if (!boot) return false;
    const mark = this.read();
    if (mark && mark.boot === boot) return true;
    atomicWrite(this.file, `${boot} ${committed}\n`, this.fsync);
    return true;
  }

  clear(): void {
    fs.rmSync(this.file, { force: true });
  }

  /**
   * Before the journal drops old entries (a trim, outside the lock): makes every object file
   * written so far durable, so entries up to `rev` (read before) are no longer needed for a
   * reboot's replay. False when there is nothing to sync (no marker, or fsync off).
   */
  syncFiles(root: string, registryDir: string): boolean {
    if (!this.fsync || !this.read()) return false;
    if (!syncFileSystem(root)) {
      // No syncfs: fsync every object file (rare: once per trim).
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(dir, e.name));
          else if (e.isFile()) fsyncPath(path.join(dir, e.name));
        }
      };
      walk(registryDir);
    }
    return true;
  }

  /**
   * Under the lock, after syncFiles: a marker older than `below` (the journal is about to drop
   * entries up to it) moves to `synced` (the `rev` read before that sync: any file written
   * since holds a later entry, which the journal keeps).
   */
  raise(below: number, synced: number): void {
    const mark = this.read();
    // Another boot's (or a damaged) marker is the next lock holder's to replay, not to move.
    if (!mark || mark.boot !== bootId() || mark.rev >= below) return;
    atomicWrite(this.file, `${mark.boot} ${synced}\n`, this.fsync);
  }
}
