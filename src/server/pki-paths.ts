// Where a cluster's PKI lives (pki/, 0700) and the Unix socket its API server listens on
// there, without the PKI's makers (node-forge, crypto): the start-up fast path
// (src/fast-get.ts) needs the paths alone.

import * as path from 'node:path';

export function pkiDir(clusterDir: string): string {
  return path.join(clusterDir, 'pki');
}

/**
 * The Unix socket the cluster's first API server also listens on, for the cluster's own
 * CLI (src/client/rest-client.ts): in the private pki folder, so only who may read the
 * admin credentials can connect (and requests still carry the admin token).
 */
export function localSocketPath(clusterDir: string): string {
  return path.join(pkiDir(clusterDir), 'api.sock');
}
