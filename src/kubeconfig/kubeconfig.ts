// The user's kubeconfig (KUBECONFIG, else ~/.kube/config): read, merge one cluster's
// entries in the way kind does (entries with our names replaced, everything else kept,
// current-context switched), and written back atomically with mode 0600 under a lock.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withFileLock } from './loader';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

export interface Kubeconfig {
  apiVersion: string;
  kind: string;
  preferences: Record<string, unknown>;
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  'current-context': string;
  [key: string]: unknown;
}

/** The file to write: the first path in KUBECONFIG (as kind does), else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length) return path.resolve(list.find((p) => fs.existsSync(p)) ?? list[0]);
  return path.join(env.HOME ?? os.homedir(), '.kube', 'config');
}

export function emptyKubeconfig(): Kubeconfig {
  return { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [], 'current-context': '' };
}

export function readKubeconfig(file: string): Kubeconfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyKubeconfig();
    throw e;
  }
  const doc = text.trim() ? parseYaml(text) : {};
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: not a kubeconfig (expected a mapping)`);
  const c = { ...emptyKubeconfig(), ...(doc as Record<string, unknown>) } as Kubeconfig;
  for (const k of ['clusters', 'users', 'contexts'] as const) if (!Array.isArray(c[k])) c[k] = [];
  if (typeof c['current-context'] !== 'string') c['current-context'] = '';
  return c;
}

export function serializeKubeconfig(c: Kubeconfig): string {
  return stringifyYaml(c, { lineWidth: 0 });
}

/** Writes atomically, 0600, creating the directory (0700) if needed. */
export function writeKubeconfig(file: string, c: Kubeconfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.kubesim-${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeKubeconfig(c), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function upsert(list: NamedEntry[], entry: NamedEntry): NamedEntry[] {
  const i = list.findIndex((e) => e?.name === entry.name);
  if (i >= 0) return list.map((e, j) => (j === i ? entry : e));
  return [...list, entry];
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

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig holding only this cluster (what `kubesim kubeconfig` prints). */
export function singleClusterConfig(e: ClusterEntry): Kubeconfig {
  return mergeEntry(emptyKubeconfig(), e, true);
}

export function mergeEntry(c: Kubeconfig, e: ClusterEntry, makeCurrent: boolean): Kubeconfig {
  const cluster: Record<string, unknown> = {};
  if (e.caData) cluster['certificate-authority-data'] = b64(e.caData);
  cluster.server = e.server;
  const user: Record<string, unknown> = {};
  if (e.clientCertData) user['client-certificate-data'] = b64(e.clientCertData);
  if (e.clientKeyData) user['client-key-data'] = b64(e.clientKeyData);
  if (e.token) user.token = e.token;
  const context: Record<string, unknown> = { cluster: e.name, user: e.name };
  if (e.namespace) context.namespace = e.namespace;
  return {
    ...c,
    clusters: upsert(c.clusters, { cluster, name: e.name }),
    users: upsert(c.users, { name: e.name, user }),
    contexts: upsert(c.contexts, { context, name: e.name }),
    'current-context': makeCurrent ? e.name : c['current-context'],
  };
}

export function removeEntry(c: Kubeconfig, name: string): Kubeconfig {
  const keep = (l: NamedEntry[]) => l.filter((e) => e?.name !== name);
  return { ...c, clusters: keep(c.clusters), users: keep(c.users), contexts: keep(c.contexts), 'current-context': c['current-context'] === name ? '' : c['current-context'] };
}

/** Runs fn while holding `<file>.lock`: the one lock of the kubeconfig writers (loader.ts). */
export async function withKubeconfigLock<T>(file: string, fn: () => T): Promise<T> {
  return withFileLock(file, fn);
}

/** Adds or replaces the cluster's entries in the user's kubeconfig; returns the file. */
export async function writeClusterEntry(e: ClusterEntry, opts: { makeCurrent: boolean; env?: NodeJS.ProcessEnv }): Promise<string> {
  const file = kubeconfigPath(opts.env);
  await withKubeconfigLock(file, () => writeKubeconfig(file, mergeEntry(readKubeconfig(file), e, opts.makeCurrent)));
  return file;
}

/** Removes the cluster's entries (if any) from the user's kubeconfig. */
export async function removeClusterEntry(name: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const file = kubeconfigPath(env);
  if (!fs.existsSync(file)) return false;
  return withKubeconfigLock(file, () => {
    const c = readKubeconfig(file);
    if (![...c.clusters, ...c.users, ...c.contexts].some((x) => x?.name === name)) return false;
    writeKubeconfig(file, removeEntry(c, name));
    return true;
  });
}
