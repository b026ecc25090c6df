// Where and how the CLI reaches its cluster's daemon: the URL it recorded, and over the
// Unix socket in the private pki folder the admin token, else HTTPS with the admin's client
// certificate. Shared by the REST client and the start-up fast path (src/fast-get.ts), which
// must not load the client's HTTP modules to find out.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readServerRecord, recordedServerRuns } from '../kubeconfig/server-record';
import { localSocketPath, pkiDir } from '../server/pki-paths';
import { runningDaemonPid } from '../daemon/daemon-pid';
import { versionInfo } from '../api/version-info';

/**
 * kubectl's user agent (rest.DefaultKubernetesUserAgent): the server names a write that
 * names no field manager by it (`kubectl`, as kubectl scale's), as it would kubectl's.
 */
export const USER_AGENT = ((v) => `kubectl/${v.gitVersion} (${v.platform}) kubernetes/${v.gitCommit}`)(versionInfo());

/** kubectl's Accept for human output: a Table, or the plain object from servers without one. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** With `socketPath`, requests go over that Unix socket (plain HTTP); the URL is still what logs name. */
export type DaemonCreds = { ca: string; cert: string; key: string } | { token: string; socketPath?: string };

/** The running daemon's URL and credentials; undefined with KUBESIM_NO_DAEMON=1 or when no daemon serves. */
export function daemonEndpoint(clusterDir: string): { url: URL; creds: DaemonCreds } | undefined {
  if (process.env.KUBESIM_NO_DAEMON === '1') return undefined;
  const rec = readServerRecord(clusterDir);
  // The record names the daemon that wrote it (pid and start time): a daemon killed without
  // cleaning up leaves a URL nobody serves (or someone else's process on that port).
  if (!recordedServerRuns(rec) || runningDaemonPid(clusterDir) !== rec.pid) return undefined;
  const dir = pkiDir(clusterDir);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  try {
    const url = new URL(rec.url);
    const socketPath = ownSocket(localSocketPath(clusterDir));
    if (socketPath !== undefined || url.protocol === 'http:') return { url, creds: { token: read('token').trim(), socketPath } };
    return { url, creds: { ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key') } };
  } catch {
    return undefined; // no readable PKI: not a server this CLI can talk to
  }
}

/**
 * The daemon's Unix socket when it is one this user owns (the admin token is sent over it),
 * in a folder no one else may enter; otherwise undefined (HTTPS then).
 */
function ownSocket(file: string): string | undefined {
  try {
    const st = fs.lstatSync(file);
    const dir = fs.lstatSync(path.dirname(file));
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (!st.isSocket() || !dir.isDirectory() || (dir.mode & 0o077) !== 0) return undefined;
    return uid === undefined || (st.uid === uid && dir.uid === uid) ? file : undefined;
  } catch {
    return undefined;
  }
}
