// The file store's shared lists (ListReadOptions.shared), remembered per prefix with the
// journal's inode and size when they were read. Every commit appends to the journal, so
// while it is unchanged the list is too, and the next one costs no lstat per object; when
// it grew (or a trim replaced it), the lines after the list's revision (which carry the
// objects) bring it up to date, so a write elsewhere or to a few keys does not make the next
// list read every file.
// Files changed behind the store's back (not through the journal) are seen by get at once,
// by these lists within TRUST_MS, after which the prefix is read from the files again.

import type { KObject } from '../api/types';
import { deepFreeze } from './clone';
import type { Journal } from './journal';
import { lowerBound } from '../util/sorted';

const TRUST_MS = 10_000;
const MAX_PREFIXES = 64;

interface Remembered {
  ino: number;
  size: number;
  rev: number;
  /** In key order, with their objects (frozen) at the same index. */
  keys: string[];
  items: KObject[];
  /** When it was read from the files. */
  at: number;
}

export class SharedLists {
  private readonly lists = new Map<string, Remembered>();

  constructor(private readonly journal: Journal) {}

  /** The prefix's list as of now, or undefined when it must be read from the files. */
  get(prefix: string): { rev: number; items: KObject[] } | undefined {
    const hit = this.lists.get(prefix);
    if (!hit) return undefined;
    const st = Date.now() - hit.at < TRUST_MS ? this.journal.stat() : undefined;
    // A trim (another inode, the same lines from its cut on) is caught up like an append (it
    // was read whole again: 10,000 pods' files after every trim, issue #12).
    const kept = st && (st.ino === hit.ino ? st.size === hit.size || (st.size > hit.size && this.catchUp(prefix, hit, st)) : this.journal.continues(hit.ino) && this.catchUp(prefix, hit, st));
    if (!kept) {
      this.lists.delete(prefix);
      return undefined;
    }
    return { rev: hit.rev, items: hit.items.slice() };
  }

  /** Remembers a list read whole from the files at `rev`, the journal being `ino`/`size` (nothing after `rev` in it). */
  remember(prefix: string, journal: { ino: number; size: number }, rev: number, keys: string[], items: KObject[]): void {
    if (this.lists.size >= MAX_PREFIXES) this.lists.clear();
    const list: Remembered = { ino: journal.ino, size: journal.size, rev, keys: keys.slice(), items: items.slice(), at: Date.now() };
    this.lists.set(prefix, list);
    // Past TRUST_MS `get` drops it unused, so it goes then: a list nobody asks for again (the
    // scheduler's, once every pod is bound) held every object as it was when read, beside the
    // store's newer ones (36 MB at 20,000 pods).
    setTimeout(() => {
      if (this.lists.get(prefix) === list) this.lists.delete(prefix);
    }, TRUST_MS).unref();
  }

  /** Applies the journal's lines after the list's revision; false when they cannot tell (a trimmed journal, lines without objects). */
  private catchUp(prefix: string, hit: Remembered, journal: { ino: number; size: number }): boolean {
    const p = prefix + '/';
    const after = this.journal.entriesUnder(hit.rev, p);
    if (!after) return false;
    const changed = new Map<string, KObject | undefined>();
    const rev = after.lastRev;
    for (const e of after.entries) {
      if (!e.key.startsWith(p)) continue;
      if (e.type !== 'DELETED' && !e.object) return false;
      changed.set(e.key, e.type === 'DELETED' ? undefined : e.object);
    }
    let added = false;
    let removed = false;
    for (const [key, obj] of changed) {
      const i = indexOf(hit.keys, key);
      const found = i < hit.keys.length && hit.keys[i] === key;
      if (found && obj) hit.items[i] = deepFreeze(obj);
      else if (found) removed = true;
      else if (obj) added = true;
    }
    if (added || removed) {
      // Rebuild in key order: the kept keys merged with the new ones.
      const adds = [...changed.keys()].filter((k) => changed.get(k) && !has(hit.keys, k)).sort();
      const keys: string[] = [];
      const items: KObject[] = [];
      let j = 0;
      const push = (k: string, o: KObject) => (keys.push(k), items.push(o));
      for (let i = 0; i < hit.keys.length; i++) {
        const k = hit.keys[i];
        while (j < adds.length && adds[j] < k) push(adds[j], deepFreeze(changed.get(adds[j++])!));
        if (changed.has(k) && !changed.get(k)) continue;
        push(k, hit.items[i]);
      }
      while (j < adds.length) push(adds[j], deepFreeze(changed.get(adds[j++])!));
      hit.keys = keys;
      hit.items = items;
    }
    hit.ino = journal.ino;
    hit.size = journal.size;
    hit.rev = rev;
    return true;
  }
}

/** The index of the first key not below `key` (keys sorted). */
const indexOf = (keys: string[], key: string) => lowerBound(keys.length, (i) => keys[i] < key);

const has = (keys: string[], key: string) => {
  const i = indexOf(keys, key);
  return i < keys.length && keys[i] === key;
};
