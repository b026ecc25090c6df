// What a file store's changesSince answers (file-store.ts): its own latest journal lines from
// memory while nobody else wrote, else the journal read back. Watchers read only the journal
// (never an object file), so every event comes in revision order, once, with the object as of
// its revision.

import * as path from 'node:path';
import type { KObject } from '../api/types';
import { cloneJson, deepFreeze } from './clone';
import type { Journal } from './journal';
import type { WatchEvent } from './store';
import type { RegistryFiles } from './file-store-files';

/** The most of its own journal lines a store keeps to answer changesSince from memory. */
const OWN_LINES_MAX = 10_000;

/**
 * This store's own latest journal lines, in order: every line after `from` (-1: none known)
 * while it holds the lock (nobody else writes then) or while the journal is as it left it.
 * changesSince answers from them instead of reading back and parsing what it just appended
 * (the controllers follow their own writes). The objects are private copies.
 */
export class OwnLines {
  private lines: WatchEvent[] = [];
  private from = -1;

  /** Records a line this holder appended; the oldest go past OWN_LINES_MAX. */
  note(ev: WatchEvent): void {
    const lines = this.lines;
    lines.push(ev);
    if (lines.length > OWN_LINES_MAX) {
      lines.splice(0, lines.length >> 1);
      this.from = lines[0].rev - 1;
    }
  }

  /** The lock was taken at `rev`: `others` (someone else wrote since the last release), or these lines do not end there, start again from it. */
  taken(rev: number, others: boolean): void {
    if (others || this.from < 0 || (this.lines.at(-1)?.rev ?? this.from) !== rev) {
      this.lines = [];
      this.from = rev;
    }
  }

  /** Nothing known (a take that failed). */
  forget(): void {
    this.from = -1;
  }

  /** The lines after `afterRev` when they reach back that far (`current`: the journal holds nothing else after them), else undefined. */
  after(afterRev: number, current: () => boolean, shared: boolean): WatchEvent[] | undefined {
    if (this.from < 0 || afterRev < this.from || !current()) return undefined;
    const lines = this.lines;
    let i = lines.length;
    while (i > 0 && lines[i - 1].rev > afterRev) i--;
    const out = shared ? deepFreeze : cloneJson;
    return lines.slice(i).map((l) => ({ type: l.type, key: l.key, rev: l.rev, object: out(l.object) }));
  }
}

/** The journal's entries after `afterRev` as watch events; [] when it no longer reaches back that far (callers re-list). */
export function changesFromJournal(journal: Journal, files: RegistryFiles, registryDir: string, afterRev: number): WatchEvent[] {
  const entries = journal.entriesAfter(afterRev);
  if (!entries) return [];
  const events: WatchEvent[] = [];
  for (const entry of entries) {
    if (entry.type === 'DELETED') files.forget(path.join(registryDir, entry.key));
    let object: KObject | undefined = entry.object;
    if (!object) {
      // A line written before journal lines carried objects: the file tells the newest state.
      try {
        object = files.readObject(entry.key, path.join(registryDir, entry.key));
      } catch {
        object = undefined;
      }
      if (!object || Number(object.metadata.resourceVersion) < entry.rev) continue;
      if (events.some((e) => e.key === entry.key && e.rev >= Number(object!.metadata.resourceVersion))) continue;
    }
    events.push({ type: entry.type, key: entry.key, rev: Math.max(entry.rev, Number(object.metadata.resourceVersion) || 0), object });
  }
  return events;
}
