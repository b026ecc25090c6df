// A map of store keys that a list can walk by prefix without visiting every key: the lock
// holder's deferred writes (PendingWrites) and every reader's parsed journal tail
// (Journal.pendingAfter) hold thousands of Events' keys, and a namespaced list of pods laid
// over them must not cost as much as the tail is long (issue #12: the daemon's journal poll
// ran four lists per change, each over a tail of 10,000+ keys).

/** Keys the `under` walks visited, all maps together (what a list's overlay costs; tests read it). */
export const keyIndexStats = { visited: 0 };

/**
 * A Map by key, also indexed by resource (the key's first segment) and by resource and
 * namespace (its first two, for keys with three or more segments). The index is built at
 * the first `under` and kept from then on: a map nobody lists by prefix (a lock take's tail
 * in a process that only writes) costs no more than a Map.
 */
export class KeyIndexedMap<V> extends Map<string, V> {
  private byResource: Map<string, Set<string>> | undefined;
  private byNamespace: Map<string, Set<string>> | undefined;

  override set(key: string, value: V): this {
    if (this.byResource && !super.has(key)) this.index(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    if (this.byResource) {
      this.byResource.get(resourceOf(key))?.delete(key);
      const ns = namespacePrefix(key);
      if (ns) this.byNamespace!.get(ns)?.delete(key);
    }
    return true;
  }

  override clear(): void {
    super.clear();
    this.byResource = this.byNamespace = undefined;
  }

  /** The entries of keys under `prefix` (`prefix/...`), visiting only its resource's or namespace's keys. */
  *under(prefix: string): IterableIterator<[string, V]> {
    if (!this.byResource) {
      this.byResource = new Map();
      this.byNamespace = new Map();
      for (const key of super.keys()) this.index(key);
    }
    const ns = namespacePrefix(prefix + '/x');
    const keys = ns === prefix ? this.byNamespace!.get(ns) : this.byResource.get(resourceOf(prefix));
    if (!keys) return;
    const within = prefix + '/';
    for (const key of keys) {
      keyIndexStats.visited++;
      if (key.startsWith(within)) yield [key, super.get(key)!];
    }
  }

  private index(key: string): void {
    add(this.byResource!, resourceOf(key), key);
    const ns = namespacePrefix(key);
    if (ns) add(this.byNamespace!, ns, key);
  }
}

function add(index: Map<string, Set<string>>, at: string, key: string): void {
  let keys = index.get(at);
  if (!keys) index.set(at, (keys = new Set()));
  keys.add(key);
}

function resourceOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/** `resource/namespace` of a key with three segments or more, else undefined. */
function namespacePrefix(key: string): string | undefined {
  const a = key.indexOf('/');
  const b = a < 0 ? -1 : key.indexOf('/', a + 1);
  return b < 0 ? undefined : key.slice(0, b);
}
