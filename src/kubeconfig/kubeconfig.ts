// The user's kubeconfig (KUBECONFIG, else ~/.kube/config) as `cluster create`, `cluster
// delete` and `kubesim kubeconfig --write` change it: one cluster's entries merged in the way
// kind does (entries with our names replaced, everything else kept, current-context
// switched), and written back atomically with mode 0600 under its lock. Read, locked and
// written by loader.ts (as kubectl reads and writes it: the same types, the same YAML).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadFile, withFileLock, writeFile } from './loader';
import { emptyConfig, serializeConfig, type Config, type Value } from './model';

/** The file to write: the first path in KUBECONFIG that exists, else its first (as kind does), else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length) return path.resolve(list.find((p) => fs.existsSync(p)) ?? list[0]);
  return path.join(env.HOME ?? os.homedir(), '.kube', 'config');
}

export interface ClusterEntry {
  /** The context, cluster and user name: kubesim-<cluster>. */
  name: string;
  server: string;
  caData?: string; // PEM
  clientCertData?: string; // PEM
  clientKeyData?: string; // PEM
  token?: string;
  namespace?: string;
}

/** A kubeconfig holding only this cluster (what `kubesim kubeconfig` prints). */
export function singleClusterText(e: ClusterEntry): string {
  const c = emptyConfig();
  mergeEntry(c, e, true, '');
  return serializeConfig(c);
}

function mergeEntry(c: Config, e: ClusterEntry, makeCurrent: boolean, origin: string): void {
  const cluster: Record<string, Value> = { server: e.server };
  if (e.caData) cluster['certificate-authority-data'] = Buffer.from(e.caData);
  const user: Record<string, Value> = {};
  if (e.clientCertData) user['client-certificate-data'] = Buffer.from(e.clientCertData);
  if (e.clientKeyData) user['client-key-data'] = Buffer.from(e.clientKeyData);
  if (e.token) user.token = e.token;
  const context: Record<string, Value> = { cluster: e.name, user: e.name };
  if (e.namespace) context.namespace = e.namespace;
  c.clusters.set(e.name, { fields: cluster, origin });
  c.users.set(e.name, { fields: user, origin });
  c.contexts.set(e.name, { fields: context, origin });
  if (makeCurrent) c.currentContext = e.name;
}

/** Reads, changes and writes the file (0600) under its lock; `fn` returning false writes nothing. */
function update<T>(file: string, fn: (c: Config) => T): T {
  return withFileLock(file, () => {
    const c = loadFile(file);
    const out = fn(c);
    if (out !== false) writeFile(file, c, 0o600);
    return out;
  });
}

/**
 * Points the user's existing entries of `e.name` at `e.server` (with its credentials),
 * keeping the context's namespace and the current context; with `from`, only entries that
 * point there now. Writes nothing, and returns false, when there are none or they point at
 * `e.server` already (read first without the lock: a server's start costs one read).
 */
export function repointClusterEntry(e: ClusterEntry, opts: { from?: string; env?: NodeJS.ProcessEnv } = {}): boolean {
  const file = kubeconfigPath(opts.env);
  const stale = (c: Config) => {
    const server = c.clusters.get(e.name)?.fields.server;
    return server !== undefined && server !== e.server && (opts.from === undefined || server === opts.from);
  };
  if (!stale(loadFile(file))) return false;
  return update(file, (c) => {
    if (!stale(c)) return false;
    const ns = c.contexts.get(e.name)?.fields.namespace;
    mergeEntry(c, { ...e, namespace: typeof ns === 'string' && ns ? ns : undefined }, false, file);
    return true;
  });
}

/** Adds or replaces the cluster's entries in the user's kubeconfig; returns the file. */
export async function writeClusterEntry(e: ClusterEntry, opts: { makeCurrent: boolean; env?: NodeJS.ProcessEnv }): Promise<string> {
  const file = kubeconfigPath(opts.env);
  update(file, (c) => mergeEntry(c, e, opts.makeCurrent, file));
  return file;
}

/** Removes the cluster's entries (if any) from the user's kubeconfig. */
export async function removeClusterEntry(name: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const file = kubeconfigPath(env);
  if (!fs.existsSync(file)) return false;
  return update(file, (c) => {
    const maps = [c.clusters, c.users, c.contexts];
    if (!maps.some((m) => m.has(name))) return false;
    for (const m of maps) m.delete(name);
    if (c.currentContext === name) c.currentContext = '';
    return true;
  });
}
