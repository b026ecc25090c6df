// `kubesim snapshot save FILE` / `kubesim snapshot restore FILE`: the whole stored state of
// a cluster, saved and put back (etcdctl snapshot save/restore for kubesim). For the file
// store, a JSON bundle (every object, every meta document, the revision) taken under the
// store's lock, so no writer is half-way through; for etcd, etcd's own snapshot (see
// src/store/etcd-snapshot.ts). Files are written 0600, atomically. Restoring replays the
// saved state into the live store: objects the snapshot lacks are deleted, the others
// created or updated, so watchers (the daemon's controllers) see it as changes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { BUNDLE_API, BUNDLE_KIND, putBundle, takeBundle, type Bundle, type BundleEngine, type RestoreCounts } from '../store/bundle';
import { clusterStoreUrl } from '../cluster/store-url';
import type { CliContext } from './context';
import type { Program } from './root';
import { parseJson, stringifyJson } from '../util/exact-json';

interface SnapshotFlags {
  store?: string;
}

export function register(program: Command, p: Program): void {
  const snapshot = program
    .command('snapshot')
    .description('Save the cluster state to a file, or restore it from one')
    .addHelpText('after', `
For a cluster on files the snapshot is a JSON bundle taken under the store's lock; for a
cluster on etcd it is etcd's own snapshot (etcdctl snapshot status FILE reads it). Restore
puts the saved state back into the running store: what the snapshot lacks is deleted, the
rest written again; resourceVersions move forward, as with every write.
`);
  snapshot
    .command('save')
    .description('Save the whole state of the cluster (or of --store) to FILE')
    .argument('<file>')
    .option('--store <url>', 'the store to save instead of the current cluster\'s (file://DIR, etcd://HOST:PORT,...)')
    .action(
      p.action(async (ctx, file: string, flags: SnapshotFlags) => {
        const url = storeUrlFor(ctx, flags);
        ctx.out(await save(url, file));
      }),
    );
  snapshot
    .command('restore')
    .description('Put the state saved in FILE back into the cluster (or --store)')
    .argument('<file>')
    .option('--store <url>', 'the store to restore into instead of the current cluster\'s')
    .action(
      p.action(async (ctx, file: string, flags: SnapshotFlags) => {
        const url = storeUrlFor(ctx, flags);
        ctx.out(await restore(url, file, ctx));
      }),
    );
}

function storeUrlFor(ctx: CliContext, flags: SnapshotFlags): string {
  if (flags.store) return flags.store;
  if (!ctx.clusterExists()) throw new CliError(`cluster "${ctx.clusterName}" does not exist`);
  return clusterStoreUrl(ctx.clusterDir);
}

function parseUrl(url: string): { scheme: string; location: string; params: URLSearchParams } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^?]*)(?:\?(.*))?$/i.exec(url);
  if (!m) throw new CliError(`invalid store URL ${JSON.stringify(url)}: expected SCHEME://LOCATION`);
  return { scheme: m[1].toLowerCase(), location: m[2], params: new URLSearchParams(m[3] ?? '') };
}

export async function save(url: string, file: string): Promise<string> {
  const u = parseUrl(url);
  if (u.scheme === 'file') {
    const bundle = await saveFileStore(fileStoreDir(u.location));
    const { writePrivateFileFrom } = await import('../store/etcd-snapshot');
    await writePrivateFileFrom(file, async (fd) => void fs.writeSync(fd, stringifyJson(bundle) + '\n'));
    return `Snapshot saved at ${file} (${bundle.objects.length} objects, revision ${bundle.revision})\n`;
  }
  if (u.scheme === 'etcd') {
    const { openEtcdStore } = await import('../store/etcd-store');
    const { saveEtcdSnapshot } = await import('../store/etcd-snapshot');
    const store = await openEtcdStore(u.location, u.params);
    try {
      const rev = await store.currentRev();
      const bytes = await saveEtcdSnapshot(store, file);
      return `Snapshot saved at ${file} (etcd snapshot, ${bytes} bytes, revision ${rev} or later)\n`;
    } finally {
      await store.close();
    }
  }
  throw new CliError(`cannot snapshot a ${u.scheme}:// store${MEMORY_ONLY(u.scheme)}`);
}

export async function restore(url: string, file: string, ctx?: CliContext): Promise<string> {
  const u = parseUrl(url);
  if (!fs.existsSync(file)) throw new CliError(`the path "${file}" does not exist`);
  if (u.scheme === 'file') {
    const c = await restoreFileStore(fileStoreDir(u.location), readBundle(file));
    return `Snapshot restored from ${file}: ${c.objects} objects (${c.created} created, ${c.updated} updated, ${c.deleted} deleted)\n`;
  }
  if (u.scheme === 'etcd') {
    const { openEtcdStore } = await import('../store/etcd-store');
    const { restoreEtcdSnapshot } = await import('../store/etcd-snapshot');
    const store = await openEtcdStore(u.location, u.params);
    try {
      const c = await restoreEtcdSnapshot(store, file, (m) => ctx?.err(m));
      return `Snapshot restored from ${file}: ${c.objects} objects (${c.created} created, ${c.updated} updated, ${c.deleted} deleted)\n`;
    } finally {
      await store.close();
    }
  }
  throw new CliError(`cannot restore into a ${u.scheme}:// store${MEMORY_ONLY(u.scheme)}`);
}

// memory:// names a new, empty store in each process: only the process holding one can save
// or restore it (src/store/bundle.ts saveMemoryStore/restoreMemoryStore, same bundle format).
const MEMORY_ONLY = (scheme: string) => (scheme === 'memory' ? ': it lives only inside the process that opened it (another process would open a new, empty one)' : '');

function fileStoreDir(location: string): string {
  const dir = path.resolve(location);
  if (!fs.existsSync(path.join(dir, 'registry'))) throw new CliError(`${dir} is not a kubesim store (no registry/ in it)`);
  return dir;
}

/** Keys of the file store: the paths of the regular files under registry/ (symlinks are never followed). */
function fileKeys(registry: string, rel = '', out: string[] = []): string[] {
  const entries = fs.readdirSync(path.join(registry, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.tmp-')) continue;
    const key = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) fileKeys(registry, key, out);
    else if (e.isFile()) out.push(key);
  }
  return out;
}

function metaNames(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'meta'), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json') && !e.name.startsWith('.'))
    .map((e) => e.name.slice(0, -'.json'.length))
    .sort();
}

// The file engine is used directly (not through the Promise-based Store): its batch()
// holds the store's lock file for the synchronous body, so the copy is consistent against
// writers in every process.
async function withFileEngine<T>(dir: string, use: (e: BundleEngine) => T): Promise<T> {
  const { FileStore } = await import('../store/file-store');
  const engine = new FileStore(dir, { create: false });
  try {
    return use({
      engine,
      keys: () => fileKeys(path.join(dir, 'registry')),
      metaNames: () => metaNames(dir),
      removeMeta: (name) => fs.rmSync(path.join(dir, 'meta', name + '.json'), { force: true }),
    });
  } finally {
    engine.close();
  }
}

function saveFileStore(dir: string): Promise<Bundle> {
  return withFileEngine(dir, takeBundle);
}

function readBundle(file: string): Bundle {
  let b: Bundle;
  try {
    b = parseJson(fs.readFileSync(file, 'utf8')) as Bundle;
  } catch (e) {
    throw new CliError(`${file} is not a kubesim snapshot of a file store: ${(e as Error).message}`);
  }
  if (b?.apiVersion !== BUNDLE_API || b.kind !== BUNDLE_KIND || !Array.isArray(b.objects) || typeof b.meta !== 'object' || b.meta === null) {
    throw new CliError(`${file} is not a kubesim snapshot of a file store (expected ${BUNDLE_API} ${BUNDLE_KIND})`);
  }
  for (const o of b.objects) {
    if (typeof o?.key !== 'string' || typeof o.object !== 'object' || o.object === null) throw new CliError(`${file}: malformed object entry`);
  }
  return b;
}

function restoreFileStore(dir: string, b: Bundle): Promise<RestoreCounts> {
  return withFileEngine(dir, (e) => putBundle(e, b));
}
