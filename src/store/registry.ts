// Store drivers, chosen by URL (as kine's endpoint): `file://DIR` (a directory of JSON
// files, the default for clusters on disk) and `memory://` (throwaway clusters and tests).
// A network driver (etcd) registers its scheme here and nothing above changes.

import * as path from 'node:path';
import { EngineStore } from './async-store';
import { FileStore } from './file-store';
import { MemoryStore } from './memory-store';
import { StoreError, type Store } from './store';

export interface StoreUrl {
  scheme: string;
  /** What follows `scheme://` up to `?`. */
  location: string;
  params: URLSearchParams;
}

export type Driver = (url: StoreUrl) => Store | Promise<Store>;

const drivers = new Map<string, Driver>();

export function registerDriver(scheme: string, driver: Driver): void {
  if (drivers.has(scheme)) throw new StoreError(`store driver ${scheme}:// is already registered`);
  drivers.set(scheme, driver);
}

export function getDriver(scheme: string): Driver | undefined {
  return drivers.get(scheme);
}

export function driverSchemes(): string[] {
  return [...drivers.keys()].sort();
}

export function parseStoreUrl(url: string): StoreUrl {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^?]*)(?:\?(.*))?$/i.exec(url);
  if (!m) throw new StoreError(`invalid store URL ${JSON.stringify(url)}: expected SCHEME://LOCATION`);
  return { scheme: m[1].toLowerCase(), location: m[2], params: new URLSearchParams(m[3] ?? '') };
}

/** Opens the store a URL names, e.g. `file:///home/me/.kube-sim/clusters/kubesim` or `memory://`. */
export async function openStore(url: string): Promise<Store> {
  const u = parseStoreUrl(url);
  const driver = drivers.get(u.scheme);
  if (!driver) throw new StoreError(`no store driver for ${u.scheme}:// (known: ${driverSchemes().map((s) => s + '://').join(', ')})`);
  return driver(u);
}

/** The URL of the file store in `dir`. */
export function fileStoreUrl(dir: string): string {
  return 'file://' + path.resolve(dir);
}

function flag(params: URLSearchParams, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

// Only a new store's URL says `create=1` (cluster create, tests): any other opener of a
// directory that is gone (`cluster delete` meanwhile) gets StoreNotFoundError.
registerDriver('file', (u) => {
  if (!u.location) throw new StoreError('file:// store URL without a directory');
  const dir = path.resolve(u.location);
  return new EngineStore(new FileStore(dir, { fsync: flag(u.params, 'fsync'), create: flag(u.params, 'create') ?? false }), { dataDir: dir });
});

registerDriver('memory', () => new EngineStore(new MemoryStore()));
registerDriver('etcd', async (u) => (await import('./etcd-store')).openEtcdStore(u.location, u.params));
