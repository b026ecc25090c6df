// A map of store keys that a list can walk by prefix without visiting every key: the lock
// holder's deferred writes (PendingWrites) and every reader's parsed journal tail
// (Journal.pendingAfter) hold thousands of Events' keys, and a namespaced list of pods laid
// over them must not cost as much as the tail is long (issue #12: the daemon's journal poll
// ran four lists per change, each over a tail of 10,000+ keys).

/** Keys the `under` walks visited, all maps together (what a list's overlay costs; tests read it). */
export const keyIndexStats = { visited: 0 };

/** One resource's keys: those of two segments or fewer, and by namespace (`resource/namespace`) the rest. */
interface ResourceKeys {
  own: Set<string>;
  namespaces: Map<string, Set<string>>;
}

/**
 * A Map by key, also indexed by resource (the key's first segment) and namespace (its first
 * two, for keys with three or more segments). Each key is in one Set: a resource's walk goes
 * through its namespaces' Sets, not a Set of its own holding every key again (a key in two
 * Sets was ~26 B more a deferred Event, 3.3 MB of a settled 20,000-pod daemon). The index is
 * built at the first `under` and kept from then on: a map nobody lists by prefix (a lock
 * take's tail in a process that only writes) costs no more than a Map.
 */
export class KeyIndexedMap<V> extends Map<string, V> {
  private byResource: Map<string, ResourceKeys> | undefined;

  override set(key: string, value: V): this {
    if (this.byResource && !super.has(key)) this.index(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    if (this.byResource) this.keysOf(key, false)?.delete(key);
    return true;
  }

  override clear(): void {
    super.clear();
    this.byResource = undefined;
  }

  /** The entries of keys under `prefix` (`prefix/...`), visiting only its resource's or namespace's keys. */
  *under(prefix: string): IterableIterator<[string, V]> {
    if (!this.byResource) {
      this.byResource = new Map();
      for (const key of super.keys()) this.index(key);
    }
    const within = prefix + '/';
    // A prefix of two segments or more: every key under it is in its namespace's Set.
    const ns = namespacePrefix(within + 'x');
    const r = this.byResource.get(resourceOf(prefix));
    if (!r) return;
    const sets = ns ? [r.namespaces.get(ns)] : [r.own, ...r.namespaces.values()];
    for (const keys of sets) {
      if (!keys) continue;
      for (const key of keys) {
        keyIndexStats.visited++;
        if (key.startsWith(within)) yield [key, super.get(key)!];
      }
    }
  }

  private index(key: string): void {
    this.keysOf(key, true)!.add(key);
  }

  /** The Set that holds (or is to hold) `key`; made when `make` and missing. */
  private keysOf(key: string, make: boolean): Set<string> | undefined {
    const resource = resourceOf(key);
    let r = this.byResource!.get(resource);
    if (!r) {
      if (!make) return undefined;
      this.byResource!.set(resource, (r = { own: new Set(), namespaces: new Map() }));
    }
    const ns = namespacePrefix(key);
    if (!ns) return r.own;
    let keys = r.namespaces.get(ns);
    if (!keys && make) r.namespaces.set(ns, (keys = new Set()));
    return keys;
  }
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
