// A binary min-heap of (priority, key, item) with lazy removal: an item replaced or dropped
// by its owner since it was pushed is stale, and is popped once it reaches the top (`live`
// says which are not). For "the earliest of many" without a pass over all of them: the work
// queue's due timers (WorkQueue.promote). The owner rebuilds it when stale items pile up.
// Written here rather than taken from npm: the lazy removal by key is what the queue needs,
// and three parallel arrays keep ~25,000 timers without an object per entry.

export class MinHeap<T> {
  private prios: number[] = [];
  private keys: string[] = [];
  private items: T[] = [];

  get size(): number {
    return this.prios.length;
  }

  push(prio: number, key: string, item: T): void {
    const { prios, keys, items } = this;
    let i = prios.length;
    prios.push(prio);
    keys.push(key);
    items.push(item);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (prios[up] <= prio) break;
      prios[i] = prios[up];
      keys[i] = keys[up];
      items[i] = items[up];
      i = up;
    }
    prios[i] = prio;
    keys[i] = key;
    items[i] = item;
  }

  /** The smallest priority of an item for which `live` holds (stale ones on top are dropped); Infinity when none. */
  min(live: (key: string, item: T) => boolean): number {
    while (this.prios.length > 0 && !live(this.keys[0], this.items[0])) this.pop();
    return this.prios.length > 0 ? this.prios[0] : Infinity;
  }

  /** Removes the top item (after min() said it is live) and returns its key and item. */
  take(): [string, T] {
    const top: [string, T] = [this.keys[0], this.items[0]];
    this.pop();
    return top;
  }

  clear(): void {
    this.prios = [];
    this.keys = [];
    this.items = [];
  }

  private pop(): void {
    if (this.prios.length === 0) return;
    const { prios, keys, items } = this;
    const prio = prios.pop()!;
    const key = keys.pop()!;
    const item = items.pop()!;
    const n = prios.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && prios[c + 1] < prios[c]) c++;
      if (prios[c] >= prio) break;
      prios[i] = prios[c];
      keys[i] = keys[c];
      items[i] = items[c];
      i = c;
    }
    prios[i] = prio;
    keys[i] = key;
    items[i] = item;
  }
}
