// Connection upgrades (WebSocket exec/attach). Until those land, an upgrade request gets a
// Status error instead of a hanging socket.

import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiServer } from '../api/server';
import type { RbacGate } from './authz';
import type { ClusterPki } from './pki';

export interface UpgradeDeps {
  api: ApiServer;
  gate: RbacGate;
  pki: ClusterPki;
  log: (line: string) => void;
}

export function attachUpgrades(server: http.Server, deps: UpgradeDeps): void {
  void deps;
  server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'upgrade request not supported', reason: 'BadRequest', code: 400 });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
