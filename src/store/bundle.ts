// A store's whole state as one JSON bundle (every object, every meta document, the revision),
// taken and put back inside one batch of the engine, so no writer is half-way through. The
// file store's `kubesim snapshot` and the memory store (which lives inside one process, so
// only that process can save it) share it: a bundle saved from either restores into either.

import type { KObject } from '../api/types';
import { MemoryStore } from './memory-store';
import type { Store, SyncStore } from './store';
import { deepEqual } from '../util/json-equal';

export const BUNDLE_API = 'kubesim.io/v1';
export const BUNDLE_KIND = 'StoreSnapshot';

export interface Bundle {
  apiVersion: typeof BUNDLE_API;
  kind: typeof BUNDLE_KIND;
  revision: number;
  savedAt: string;
  objects: { key: string; object: KObject }[];
  meta: Record<string, unknown>;
}

export interface RestoreCounts {
  objects: number;
  created: number;
  updated: number;
  deleted: number;
}

/** An engine with the means to enumerate it (the Store contract lists by prefix only). */
export interface BundleEngine {
  engine: SyncStore;
  keys(): string[];
  metaNames(): string[];
  removeMeta(name: string): void;
}

export function takeBundle(e: BundleEngine): Bundle {
  return e.engine.batch(() => {
    const objects: Bundle['objects'] = [];
    for (const key of e.keys()) {
      const object = e.engine.get(key);
      if (object) objects.push({ key, object });
    }
    const meta: Record<string, unknown> = {};
    for (const name of e.metaNames()) meta[name] = e.engine.readMeta(name);
    return { apiVersion: BUNDLE_API, kind: BUNDLE_KIND, revision: e.engine.currentRev(), savedAt: new Date().toISOString(), objects, meta };
  });
}

/**
 * Replays a bundle into the engine as writes (objects it lacks deleted, the rest created or
 * updated), so watchers see the changes; resourceVersions move forward.
 */
export function putBundle(e: BundleEngine, b: Bundle): RestoreCounts {
  const c = { objects: b.objects.length, created: 0, updated: 0, deleted: 0 };
  e.engine.batch(() => {
    const want = new Map(b.objects.map((o) => [o.key, o.object]));
    for (const key of e.keys()) {
      if (!want.has(key) && e.engine.get(key)) {
        e.engine.delete(key);
        c.deleted++;
      }
    }
    for (const [key, obj] of want) {
      const cur = e.engine.get(key);
      if (!cur) {
        e.engine.create(key, obj);
        c.created++;
      } else if (!sameContent(cur, obj)) {
        e.engine.update(key, obj);
        c.updated++;
      }
    }
    for (const name of e.metaNames()) if (!(name in b.meta)) e.removeMeta(name);
    for (const [name, value] of Object.entries(b.meta)) e.engine.writeMeta(name, value);
  });
  return c;
}

/** Two objects equal but for their resourceVersion. */
export function sameContent(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

function memoryEngine(store: Store): BundleEngine {
  const engine = (store as { engine?: unknown }).engine;
  if (!(engine instanceof MemoryStore)) throw new Error('not a memory:// store (file:// and etcd:// stores are saved with `kubesim snapshot`)');
  return { engine, keys: () => engine.keys(), metaNames: () => engine.metaNames(), removeMeta: (n) => engine.deleteMeta(n) };
}

/** The bundle of a memory:// store, from the process that holds it. */
export function saveMemoryStore(store: Store): Bundle {
  return takeBundle(memoryEngine(store));
}

/** Puts a bundle (of any store kubesim saves as one) back into a memory:// store. */
export function restoreMemoryStore(store: Store, b: Bundle): RestoreCounts {
  return putBundle(memoryEngine(store), b);
}
