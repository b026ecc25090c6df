// The file store's meta documents (`meta/<name>.json`): the simulation's own records (the
// clock, container phases, IP allocations, ...), outside the registry and the journal.
// Inside a group (a reconcile pass) their writes are deferred to when the lock is given up,
// once per document, like the deferred object files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSmallFile } from './file-lock';
import { assertSafeKey } from './store';
import { storeIoError } from './file-store-support';
import { atomicWrite, warnOnce, OBJECT_MAX_BYTES } from './file-store-files';

export class MetaDocs {
  /** Meta documents written inside a group: their JSON text, written when the lock is given up. */
  private readonly pending = new Map<string, string>();

  constructor(
    readonly metaDir: string,
    private readonly fsync: boolean,
  ) {}

  private file(name: string): string {
    return path.join(this.metaDir, name + '.json');
  }

  read<T>(name: string): T | undefined {
    assertSafeKey(name);
    const file = this.file(name);
    let text: string | undefined = this.pending.get(name);
    if (text !== undefined) return JSON.parse(text) as T;
    try {
      text = readSmallFile(file, OBJECT_MAX_BYTES);
    } catch (e) {
      warnOnce(file, e instanceof Error ? e.message : String(e));
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      warnOnce(file, `ignoring the damaged file ${file} (not JSON)`);
      return undefined;
    }
  }

  /** Writes a document now, or (`defer`, inside a group holding the lock) when the lock is given up. */
  write(name: string, value: unknown, defer: boolean): void {
    assertSafeKey(name);
    const text = JSON.stringify(value, null, 2) + '\n';
    if (defer) {
      this.pending.set(name, text);
      return;
    }
    this.pending.delete(name);
    atomicWrite(this.file(name), text, this.fsync);
  }

  delete(name: string): void {
    assertSafeKey(name);
    this.pending.delete(name); // a write deferred by a group must not bring it back
    try {
      fs.unlinkSync(this.file(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw storeIoError(e, this.file(name));
    }
  }

  /**
   * Writes the documents deferred by a group. Not fsync'd one by one: they are the
   * simulation's own records (container phases, IP allocations), and after a power loss a
   * lost one reads as a pod whose containers start again, as after a node's reboot.
   */
  writePending(root: string): void {
    if (this.pending.size === 0) return;
    try {
      for (const [name, text] of this.pending) atomicWrite(this.file(name), text, false);
    } catch (e) {
      warnOnce(root + '#meta', `could not write the simulation records in ${this.metaDir} (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      this.pending.clear();
    }
  }
}
