// The oldest revision among a holder's deferred writes without a pass over them: `rev` may
// only move to just before it (PendingWrites.floor, lease-beats.ts). At rest at 5,000 nodes
// every release ended a compaction round that walked ~5,000 deferred beats to find it.
// A binary min-heap of (revision, entry); an entry replaced or dropped since it was pushed
// is stale and popped once it reaches the top (`live` says which are not).

export class RevHeap<T> {
  private revs: number[] = [];
  private keys: string[] = [];
  private items: T[] = [];

  get size(): number {
    return this.revs.length;
  }

  push(rev: number, key: string, item: T): void {
    const { revs, keys, items } = this;
    let i = revs.length;
    revs.push(rev);
    keys.push(key);
    items.push(item);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (revs[up] <= rev) break;
      revs[i] = revs[up];
      keys[i] = keys[up];
      items[i] = items[up];
      i = up;
    }
    revs[i] = rev;
    keys[i] = key;
    items[i] = item;
  }

  /** The smallest revision of an item for which `live` holds (stale ones on top are dropped); Infinity when none. */
  min(live: (key: string, item: T) => boolean): number {
    while (this.revs.length > 0 && !live(this.keys[0], this.items[0])) this.pop();
    return this.revs.length > 0 ? this.revs[0] : Infinity;
  }

  clear(): void {
    this.revs = [];
    this.keys = [];
    this.items = [];
  }

  private pop(): void {
    const { revs, keys, items } = this;
    const rev = revs.pop()!;
    const key = keys.pop()!;
    const item = items.pop()!;
    const n = revs.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && revs[c + 1] < revs[c]) c++;
      if (revs[c] >= rev) break;
      revs[i] = revs[c];
      keys[i] = keys[c];
      items[i] = items[c];
      i = c;
    }
    revs[i] = rev;
    keys[i] = key;
    items[i] = item;
  }
}
