// Which store a cluster lives in. A cluster's directory holds its state (`registry/`, the
// file store) unless `cluster create --store URL` put it elsewhere (etcd): then the
// directory keeps the daemon's files and a `store-url` file naming the store, which every
// command opens instead. The URL cannot live in the cluster profile alone: the profile is
// itself kept in the store, so it is copied there too but read from here.

import * as fs from 'node:fs';
import * as path from 'node:path';

const FILE = 'store-url';

/** The store URL of the cluster in `dir`: what `store-url` names, else the directory's own files. */
export function clusterStoreUrl(dir: string): string {
  let url: string | undefined;
  try {
    url = fs.readFileSync(path.join(dir, FILE), 'utf8').trim();
  } catch {
    // no file: the cluster is kept in its directory
  }
  return url || 'file://' + path.resolve(dir);
}

/** Records that the cluster in `dir` lives in the store at `url` (0600: it may name hosts and options). */
export function recordClusterStoreUrl(dir: string, url: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${FILE}.tmp-${process.pid}`);
  fs.writeFileSync(tmp, url + '\n', { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, FILE));
}

/** Whether the cluster in `dir` is kept in another store than its directory. */
export function hasExternalStore(dir: string): boolean {
  return fs.existsSync(path.join(dir, FILE));
}
