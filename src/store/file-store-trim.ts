// The journal's trim, in steps that keep each lock hold short. Past its size limit the journal
// keeps its newer half; the lines it drops must be in durable object files first. Done in one
// lock hold (every deferred file, a syncfs, the newer 16 MB read and rewritten), that held the
// lock 3-12 s on a loaded machine, so pods bound seconds late (issue #12). Now:
// - a tail of deferred writes that keeps `rev` far back is written a slice per release
//   (file-store-compaction.ts), so the copy can drop more;
// - before taking the lock, one process (it claims `journal.trim`) copies the newer half
//   aside (never lines after `rev`), fsync'd, and syncs the file system when object files were
//   written without their own fsync;
// - at its next release, under the lock, it appends what the journal gained since, moves the
//   power-loss marker past the dropped lines and renames the copy over the journal.
// A kill at any step leaves the journal whole (or already swapped, complete), `rev` true and
// the marker no later than any file not yet durable.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { journalMaxBytes, type Journal, type TrimCopy } from './journal';
import type { UnsyncedMarker } from './file-store-marks';
import { readRevFile } from './file-store-marks';
import { readSmallFile } from './file-lock';
import { parseProcessIdentity, processAlive, processIdentity } from './process-alive';
import { tempPath, warnOnce } from './file-store-files';
import { storeFaultPoint } from './fault-points';

/** A claim not followed by its swap within this long is another process's to take over. */
const CLAIM_STALE_MS = 60_000;

export class JournalTrim {
  private copy: TrimCopy | undefined;
  /** `rev` as read before the copy's sync (see UnsyncedMarker.raise), undefined when nothing was synced. */
  private synced: number | undefined;
  private readonly claimPath: string;

  constructor(
    private readonly root: string,
    private readonly registryDir: string,
    private readonly revPath: string,
    private readonly journal: Journal,
    private readonly unsynced: UnsyncedMarker,
  ) {
    this.claimPath = path.join(root, 'journal.trim');
  }

  /** Before taking the lock: a journal past `past` times its limit has its newer half copied aside. */
  beforeTake(past = 1): void {
    if (this.copy) return;
    const st = this.journal.stat();
    if (!st || st.size <= journalMaxBytes() * past) return;
    try {
      if (!this.claim()) return;
      const committed = readRevFile(this.revPath);
      const copy = this.journal.copyNewer(committed, tempPath);
      if (!copy) return this.unclaim();
      // The lines it drops have their files (`rev` says so): make them durable before they go.
      this.copy = copy;
      this.synced = this.unsynced.syncFiles(this.root, this.registryDir) ? committed : undefined;
      // What was appended during the sync is copied now, not under the lock.
      if (!this.journal.extendCopy(copy)) this.close(); // a line taken back meanwhile: the next writer copies again
      storeFaultPoint('trim-copied', '');
    } catch (e) {
      this.abandon(e);
    }
  }

  /** Under the lock, at a release (the journal fsync'd, `rev` written): the copy swapped in. */
  atRelease(): void {
    const copy = this.copy;
    if (!copy) return;
    this.copy = undefined;
    try {
      if (this.synced !== undefined) this.unsynced.raise(copy.cutRev, this.synced);
      this.journal.closeWriter();
      this.journal.swapIn(copy);
      this.unclaim();
    } catch (e) {
      this.abandon(e);
    }
  }

  /** The store is closed (or the copy is stale): a copy not swapped in is dropped. */
  close(): void {
    if (!this.copy) return;
    fs.rmSync(this.copy.tmp, { force: true });
    this.copy = undefined;
    this.unclaim();
  }

  private abandon(e: unknown): void {
    if (this.copy) fs.rmSync(this.copy.tmp, { force: true });
    this.copy = undefined;
    this.unclaim();
    warnOnce(this.root + '#trim', `the journal of ${this.root} was not trimmed (${e instanceof Error ? e.message : String(e)}); the next writer tries again`);
  }

  /** One process copies at a time: `journal.trim` names it until its swap. */
  private claim(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(this.claimPath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
        try {
          fs.writeSync(fd, processIdentity() + '\n');
        } finally {
          fs.closeSync(fd);
        }
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      }
      let live = false;
      try {
        const id = parseProcessIdentity(readSmallFile(this.claimPath, 64) ?? '');
        const age = Date.now() - fs.lstatSync(this.claimPath).mtimeMs;
        live = id !== undefined && id.pid !== process.pid && processAlive(id.pid, id.startTime) && age < CLAIM_STALE_MS;
      } catch {
        /* gone meanwhile, or not a file: taken over */
      }
      if (live) return false;
      fs.rmSync(this.claimPath, { force: true });
    }
    return false;
  }

  private unclaim(): void {
    try {
      const id = parseProcessIdentity(readSmallFile(this.claimPath, 64) ?? '');
      if (id?.pid === process.pid) fs.rmSync(this.claimPath, { force: true });
    } catch {
      /* not ours to remove */
    }
  }
}
