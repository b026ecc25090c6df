// What a kubesim cluster's kubeconfig entry holds: the server URL it is (or will be)
// served at, the cluster CA, and the admin's client certificate (or token for plain HTTP).

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensurePki } from '../server/pki';
import { removeClusterEntry, writeClusterEntry, type ClusterEntry } from './kubeconfig';
import { RECORD, readServerRecord, recordedServerRuns, type ServerRecord } from './server-record';

export { readServerRecord, type ServerRecord } from './server-record';


export function contextName(cluster: string): string {
  return `kubesim-${cluster}`;
}

export function writeServerRecord(clusterDir: string, r: ServerRecord): void {
  const file = path.join(clusterDir, RECORD);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(r) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The cluster's server record, choosing its port on first use. */
export async function ensureServerRecord(clusterDir: string, want?: { port?: number; insecureHttp?: boolean }): Promise<ServerRecord> {
  const cur = readServerRecord(clusterDir);
  if (cur && want?.port === undefined && want?.insecureHttp === undefined) return cur;
  const r: ServerRecord = { port: want?.port ?? cur?.port ?? (await freePort()), insecureHttp: want?.insecureHttp ?? cur?.insecureHttp ?? false };
  writeServerRecord(clusterDir, r);
  return r;
}

/** Where the cluster is served: the running server's URL, else the recorded port (where the next server listens). */
export function serverUrl(r: ServerRecord): string {
  return recordedServerRuns(r) ? r.url : `${r.insecureHttp ? 'http' : 'https'}://127.0.0.1:${r.port}`;
}

export function clusterEntry(cluster: string, clusterDir: string, r: ServerRecord, namespace?: string): ClusterEntry {
  const pki = ensurePki(clusterDir);
  const name = contextName(cluster);
  if (r.insecureHttp) return { name, server: serverUrl(r), token: pki.token, namespace };
  return { name, server: serverUrl(r), caData: pki.caCert, clientCertData: pki.adminCert, clientKeyData: pki.adminKey, namespace };
}

/**
 * `cluster create`: records the API port and merges the context kubesim-<name> into the
 * user's kubeconfig. Returns a warning for stderr when the kubeconfig cannot be written
 * (the cluster itself is fine; `kubesim kubeconfig` prints the entry).
 */
export async function writeClusterKubeconfig(cluster: string, clusterDir: string, opts: { port?: number; makeCurrent: boolean }): Promise<string | undefined> {
  const rec = await ensureServerRecord(clusterDir, opts.port !== undefined ? { port: opts.port } : undefined);
  try {
    await writeClusterEntry(clusterEntry(cluster, clusterDir, rec), { makeCurrent: opts.makeCurrent });
    return undefined;
  } catch (e) {
    return `warning: could not write the kubeconfig: ${(e as Error).message}\n`;
  }
}

export async function removeClusterKubeconfig(cluster: string): Promise<void> {
  try {
    await removeClusterEntry(contextName(cluster));
  } catch {
    /* a kubeconfig we cannot read is not ours to fix */
  }
}
