// The file store's object files brought up to its journal: the deferred writes of a lock
// hold put in place as it ends, the committed entries a writer may have lost to a reboot
// written again, and the temporary files of writers that died swept away. The journal is
// the commit point (file-store.ts): everything here only makes the files catch up with it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { carriesObject, type Journal, type JournalLine } from './journal';
import type { KObject } from '../api/types';
import { mayBeBeat } from './lease-beats';
import { storeFaultPoint } from './fault-points';
import { fsyncPath, syncFileSystem, type Deferred, type PendingWrites } from './file-store-support';
import { atomicWrite, replaceCoveredFile, sweepDeadTemporaries, warnOnce, type RegistryFiles } from './file-store-files';
import { stringifyJson } from '../util/exact-json';
import type { Slice } from './file-store-compaction';

/** Removes a file, absent or not: unlink itself (fs.rmSync walks its rimraf path: an lstat and more per file). */
function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** One deferred write's file put in place (removed for a deletion). */
function putInPlace(key: string, p: Deferred, pending: PendingWrites, files: RegistryFiles, perFileSync: boolean): void {
  const obj = p.type === 'DELETED' ? null : pending.objectOf(p);
  const file = pending.fileOf(key);
  if (!obj) removeFile(file);
  else replaceCoveredFile(file, stringifyJson(obj, 2) + '\n', perFileSync);
  files.noteWritten(file, obj, true);
}

/** A file that could not be written: what the store remembered of the files is wrong; said once. */
function lagging(files: RegistryFiles, root: string, e: unknown): void {
  files.gen++;
  warnOnce(root + '#materialise', `object files lag the journal in ${root} (${e instanceof Error ? e.message : String(e)}); reads are unaffected, the next writer retries`);
}

/**
 * Puts the deferred writes' files in place (the newest state of each key), before `rev`
 * says they are, and forgets them. They are not fsync'd one by one (unless `perFileSync`):
 * the journal, fsync'd first, holds them, and the power-loss marker (file-store-marks.ts)
 * makes the next lock holder after a reboot rewrite every file written since. Returns false
 * when a file could not be written: the journal still holds every entry, `rev` stays behind
 * them, readers lay them over the files and the next holder replays.
 */
export function materialisePending(pending: PendingWrites, files: RegistryFiles, perFileSync: boolean, root: string): boolean {
  try {
    for (const [key, p] of pending) {
      storeFaultPoint('materialise', key);
      putInPlace(key, p, pending, files, perFileSync);
    }
  } catch (e) {
    lagging(files, root, e);
    pending.clear();
    return false;
  }
  pending.clear();
  return true;
}

/**
 * A slice of a compaction (file-store-compaction.ts): the files of `keys`, in order, each as
 * the holder's newest deferred write, until the slice is over (one at least), each then no
 * longer deferred (`rev` moves only once every key of the round is done, and not past a beat
 * the round left: lease-beats.ts). Returns how many were done, or
 * undefined when a file could not be written (the journal holds every entry).
 */
export function materialiseSlice(pending: PendingWrites, keys: string[], slice: Slice, files: RegistryFiles, perFileSync: boolean, root: string): number | undefined {
  let i = 0;
  try {
    for (; i < keys.length && (i === 0 || !slice.over()); i++) {
      const p = pending.get(keys[i]);
      if (!p) continue; // in the files already: a write outside a group put it there
      storeFaultPoint('compaction-files', keys[i]);
      putInPlace(keys[i], p, pending, files, perFileSync);
      pending.delete(keys[i]);
    }
  } catch (e) {
    lagging(files, root, e);
    return undefined;
  }
  return i;
}

/** After a reboot: the object files of the journal's `entries` written again, and made durable. */
export function replayEntries(entries: JournalLine[], registryDir: string, files: RegistryFiles, fsync: boolean, root: string): void {
  for (const e of entries) {
    const file = path.join(registryDir, e.key);
    if (e.type === 'DELETED') fs.rmSync(file, { force: true });
    else if (e.object) {
      files.ensureDir(path.dirname(file));
      atomicWrite(file, stringifyJson(e.object, 2) + '\n', fsync);
    }
    files.forget(file);
  }
  if (entries.length) files.gen++; // files changed under what this store remembered
  if (!syncFileSystem(root)) for (const e of entries) if (e.type !== 'DELETED') fsyncPath(path.join(registryDir, e.key));
}

/** Removes the temporary files left by writers that died, in every folder of `registryDir` and in `others`. */
export function sweepStoreTemporaries(registryDir: string, others: string[]): string[] {
  const removed: string[] = [];
  const walk = (dir: string) => {
    removed.push(...sweepDeadTemporaries(dir));
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(registryDir);
  for (const dir of others) removed.push(...sweepDeadTemporaries(dir));
  return removed;
}

/**
 * The journal's tail after `committed`, newest entry per key, as a holder's deferred writes
 * (`rev`: its revision). Given what they stood for at this store's last release (`left`), only
 * the entries after it are added: rebuilt whole at every take, a tail of 10,000 keys cost
 * 10-40 ms of CPU a turn, two thirds of the daemon's and the users' turns in a 10 x 1,000 soak
 * (issue #12).
 */
export function loadTail(pending: PendingWrites, journal: Journal, committed: number, rev: number, left?: { rev: number; committed: number }): void {
  // Not when `rev` went back (fsck, a reboot's replay): read whole again.
  const from = left && committed >= left.committed && rev >= left.rev ? left.rev : undefined;
  if (from === undefined) pending.clear();
  else if (committed > left!.committed) pending.dropThrough(committed); // files written by others
  if (committed >= rev) return;
  // A key not deferred at `from` had its file current then: it lags since after `from`.
  const first = from === undefined ? committed + 1 : from + 1;
  for (const [key, l] of journal.pendingAfter(committed).tail) {
    // A line of an older version without its object had its file written before it.
    // Another process's line as the tail holds it: its object parsed when read or written (issue #12).
    if (l.rev <= committed || (from !== undefined && l.rev <= from)) continue;
    if (carriesObject(l)) pending.setTailLine(key, l, first, mayBeBeat(key, l.type));
    else if (l.type === 'DELETED') pending.set(key, { type: l.type, object: {} as KObject, first });
  }
}
