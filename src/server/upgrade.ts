// Connection upgrades: pods/exec and pods/attach over WebSocket (the channel protocols
// v5/v4.channel.k8s.io, ./remotecommand.ts) and pods/portforward (SPDY/3.1 tunneled over
// WebSocket, ./portforward.ts). Authentication and RBAC (`create` on the subresource) come
// first, as for any request; refusals before the upgrade are HTTP answers (a Status, or the
// kubelet's plain text), so kubectl prints kube's messages after its SPDY fallback too.

import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiServer } from '../api/server';
import { errorStatus, RestError } from '../api/rest/status';
import { route } from '../api/rest/route';
import type { RbacGate } from './authz';
import type { ClusterPki } from './pki';

export interface UpgradeDeps {
  api: ApiServer;
  gate: RbacGate;
  pki: ClusterPki;
  log: (line: string) => void;
}

/** A refusal before the upgrade: a Status object, or plain text as the kubelet writes it. */
export class UpgradeRefusal extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
  }
}

export function writeHttp(socket: Duplex, code: number, contentType: string, body: string): void {
  if (socket.destroyed) return;
  const reason = ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' } as Record<number, string>)[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`);
}

function refuse(socket: Duplex, e: unknown, log: (line: string) => void): void {
  if (e instanceof UpgradeRefusal) return writeHttp(socket, e.code, 'text/plain; charset=utf-8', e.text);
  const s = errorStatus(e);
  if (s.code === 500) log(`upgrade failed: ${(e as Error)?.stack ?? e}`);
  writeHttp(socket, s.code as number, 'application/json', JSON.stringify(s) + '\n');
}

export function attachUpgrades(server: http.Server, deps: UpgradeDeps): void {
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    handleUpgrade(req, socket, head, deps).catch((e) => refuse(socket, e, deps.log));
  });
}

async function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, deps: UpgradeDeps): Promise<void> {
  const { admit } = await import('./http-server');
  const { query, path } = await admit(req, deps);
  const r = route(path);
  const sub = r.kind === 'resource' && r.group === '' && r.version === 'v1' && r.resource === 'pods' && r.namespace !== undefined && r.name !== undefined ? r.subresource : undefined;
  if (r.kind !== 'resource' || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')) {
    throw new RestError(400, 'BadRequest', 'upgrade request not supported');
  }
  const clock = deps.api.clock as { refresh?: () => unknown };
  await clock.refresh?.();
  const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (sub === 'portforward') {
    const { servePortForward } = await import('./portforward');
    return servePortForward(req, socket, head, { ...deps, namespace: r.namespace!, name: r.name!, query, websocket });
  }
  const { serveRemoteCommand } = await import('./remotecommand');
  return serveRemoteCommand(req, socket, head, { ...deps, namespace: r.namespace!, name: r.name!, query, websocket, attach: sub === 'attach' });
}
