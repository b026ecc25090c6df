// Reading a file store without opening it for writing: the consistent read every reader makes
// (FileStore's, outside its lock holds), and FileStoreReader, one object or meta document
// read by a process that does nothing else with the store (the start-up fast path of `get`,
// src/api/fast-read.ts), without the store's write side (lock, group commit, compaction)
// in its bundle.

import * as path from 'node:path';
import type { KObject } from '../api/types';
import type { Journal, JournalLine } from './journal';
import { Journal as JournalFile } from './journal';
import { RegistryFiles } from './file-store-files';
import { MetaDocs } from './file-store-meta';
import { readRevFile } from './file-store-marks';
import { assertSafeKey } from './store';
import type { KeyIndexedMap } from './key-index';

/**
 * Runs `read` (which reads object files) so that its answer plus the returned journal tail
 * is the state at `committed` plus the tail: `rev` is read first, then the files, then the
 * journal entries after it (a writer appends before it renames, so anything the files showed
 * is in the journal read after them). `tail` maps keys to their newest pending entry.
 */
export function consistentRead<T>(revPath: string, journal: Journal, read: () => T): { value: T; committed: number; tail: KeyIndexedMap<JournalLine>; lastRev: number; ino?: number; size: number } {
  const committed = readRevFile(revPath);
  const value = read();
  return { value, committed, ...journal.pendingAfter(committed) };
}

/** One cluster's file store, read as FileStore.get and readMeta read it, by a process that never writes it. */
export class FileStoreReader {
  private readonly files: RegistryFiles;
  private readonly meta: MetaDocs;
  private readonly journal: JournalFile;

  constructor(private readonly root: string) {
    this.files = new RegistryFiles(path.join(root, 'registry'), () => false);
    this.meta = new MetaDocs(path.join(root, 'meta'), false);
    this.journal = new JournalFile(path.join(root, 'journal.log'));
  }

  /** The object as parsed, not a copy (a one-shot reader: nothing else holds it; the same key read again may give the same object). */
  get(key: string): KObject | undefined {
    assertSafeKey(key);
    const file = path.join(this.root, 'registry', key);
    const { value, tail } = consistentRead(path.join(this.root, 'rev'), this.journal, () => this.files.readUnshared(key, file));
    const pending = tail.get(key);
    if (pending) return pending.type === 'DELETED' ? undefined : pending.object;
    return value;
  }

  readMeta<T>(name: string): T | undefined {
    return this.meta.read<T>(name);
  }
}
