// One object read for the start-up fast path of `get TYPE NAME` (src/fast-get-store.ts):
// what ApiServer.tryGet answers on the cluster's store, read without the API server (its
// validators, admission, managed fields, the REST layer), so that a read of one object does
// not load the CLI bundle. The store is the FileStore the CLI opens (its `get`: `rev`, the
// object file without following links, then the journal's entries after `rev` laid over it),
// the types are the registry plus the CRD index's, the time is the cluster clock's.
// Whatever the CLI would do differently here — create the cluster, open an etcd store, move
// the clock, read a custom resource through its schema — is declined (undefined).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileStoreReader } from '../store/file-store-read';
import { CRD_INDEX, objectKey, validName } from './keys';
import { ResourceRegistry, shortNameWarnings, type ResourceType } from './resources';
import { CLOCK, type ClockState } from './sim-state';
import { runningTime } from '../sim/clock';
import { seedFromEnv } from '../sim/seed';
import type { KObject } from './types';

export interface FastRead {
  type: ResourceType;
  /** The object, or undefined when it does not exist (or its name cannot exist). */
  object: KObject | undefined;
  /** Whether the namespace exists: read only when the object was not found outside `default`, as the CLI's NotFound asks. */
  namespaceFound?: boolean;
  /** Cluster time (ms), for ages. */
  now: number;
}

/**
 * Reads `typeArg`/`name` in `namespace` of the cluster in `clusterDir` as `get` reads it:
 * in-process (KUBESIM_NO_DAEMON=1: the CLI opens the store itself), or, with
 * `daemonServes`, as the cluster's daemon answers it (it reads the same store; the CLI reads
 * the file store without a lock whoever writes it). In-process, a running clock is read as
 * it runs when `clusterRuns()` (a daemon or `kubesim serve` runs it: the CLI then leaves it
 * running). Undefined when the CLI must run it: no cluster yet (the CLI creates the default
 * one), another store than the directory's files, a clock that runs with nothing running the
 * cluster (the CLI freezes it first) or stands still with the daemon serving (the CLI lets it
 * run), KUBESIM_SEED set in-process, a type that does not resolve or is a custom resource, or
 * `accept` refusing the type (one the caller cannot print).
 */
export function readForGet(clusterDir: string, typeArg: string, namespace: string, name: string, opts: { accept: (type: ResourceType) => boolean; daemonServes: boolean; clusterRuns: () => boolean }): FastRead | undefined {
  // In-process under KUBESIM_SEED, opening the API reserves a random stream in the store
  // (openClusterApi): a write that later commands' UIDs depend on.
  if (!opts.daemonServes && seedFromEnv() !== undefined) return undefined;
  // `store-url` names an external store (src/cluster/store-url.ts); no `registry`: not created yet.
  if (fs.existsSync(path.join(clusterDir, 'store-url')) || !fs.existsSync(path.join(clusterDir, 'registry'))) return undefined;
  const store = new FileStoreReader(clusterDir);
  const clock = store.readMeta<ClockState>(CLOCK);
  // Nothing runs the cluster: its time stands still (the CLI freezes a clock found running).
  // A daemon or a server running it: it runs, and is read on its persisted line, as they answer.
  if (clock === undefined) return undefined;
  if (opts.daemonServes ? clock.frozenAt !== undefined : clock.frozenAt === undefined && !opts.clusterRuns()) return undefined;
  const now = clock.frozenAt ?? runningTime(clock, Date.now());
  const registry = new ResourceRegistry();
  for (const t of store.readMeta<ResourceType[]>(CRD_INDEX) ?? []) registry.register(t);
  let type: ResourceType;
  try {
    type = registry.resolve(typeArg);
  } catch {
    return undefined; // the CLI's error to print
  }
  // A short name a CRD's resource also has: the CLI's to warn of (shortNameWarnings).
  if (type.crd || !opts.accept(type) || shortNameWarnings(registry.all(), typeArg).length) return undefined;
  const ns = type.namespaced ? namespace : undefined;
  // As tryGet: a name (or namespace) that can be no key is not found, and never reaches the store.
  const object = validName(name) && (ns === undefined || validName(ns)) ? store.get(objectKey(type, ns, name)) : undefined;
  if (object || ns === undefined || ns === 'default') return { type, object, now };
  const nsType = registry.forKind('v1', 'Namespace');
  const namespaceFound = validName(ns) && store.get(objectKey(nsType, undefined, ns)) !== undefined;
  return { type, object, namespaceFound, now };
}

/**
 * The custom resource types the cluster's file store indexes (ApiServer.loadCustomTypes's CRD
 * index: what its server serves, as the aggregated discovery document lists them), read
 * without the store's write side; undefined for another store (etcd: `store-url`), no
 * cluster yet, or no index. What the CLI through the daemon takes CRDs' short names from, as
 * kubectl takes them from its discovery cache: no request.
 */
export function indexedCrdTypes(clusterDir: string): ResourceType[] | undefined {
  if (fs.existsSync(path.join(clusterDir, 'store-url')) || !fs.existsSync(path.join(clusterDir, 'registry'))) return undefined;
  return new FileStoreReader(clusterDir).readMeta<ResourceType[]>(CRD_INDEX);
}
