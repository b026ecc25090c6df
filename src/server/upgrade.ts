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
import type { ApiRequest, ApiResponse } from '../api/rest/types';
import { SIM_PREFIX } from '../dashboard/sim-api';
import type { RbacGate } from './authz';
import type { ClusterPki } from './pki';

export interface UpgradeDeps {
  api: ApiServer;
  gate: RbacGate;
  pki: ClusterPki;
  log: (line: string) => void;
  /** An admitted request's answer (the REST handler, or the kubesim endpoint). */
  respond: (req: ApiRequest) => Promise<ApiResponse>;
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

/** Handles upgrades on `server`; returns what ends the upgraded sockets (the server's close no longer tracks them). */
export function attachUpgrades(server: http.Server, deps: UpgradeDeps): () => void {
  const open = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    handleUpgrade(req, socket, head, deps).catch((e) => refuse(socket, e, deps.log));
  });
  return () => {
    for (const s of open) s.destroy();
  };
}

async function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, deps: UpgradeDeps): Promise<void> {
  const { admit } = await import('./http-server');
  const { query, path, user } = await admit(req, deps);
  const r = route(path);
  const sub = r.kind === 'resource' && r.group === '' && r.version === 'v1' && r.resource === 'pods' && r.namespace !== undefined && r.name !== undefined ? r.subresource : undefined;
  const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (websocket && (req.method ?? 'GET') === 'GET' && ((r.kind === 'resource' && (watch || sub === 'log')) || (watch && path.startsWith(SIM_PREFIX)))) {
    const { serveStreamSocket } = await import('./stream-ws');
    return serveStreamSocket(req, socket, head, { respond: deps.respond, user, path, query, watch: sub !== 'log' });
  }
  if (r.kind !== 'resource' || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')) {
    throw new RestError(400, 'BadRequest', 'upgrade request not supported');
  }
  const clock = deps.api.clock as { refresh?: () => unknown };
  await clock.refresh?.();
  if (sub === 'portforward') {
    const { servePortForward } = await import('./portforward');
    return servePortForward(req, socket, head, { ...deps, namespace: r.namespace!, name: r.name!, query, websocket });
  }
  const { serveRemoteCommand } = await import('./remotecommand');
  return serveRemoteCommand(req, socket, head, { ...deps, namespace: r.namespace!, name: r.name!, query, websocket, attach: sub === 'attach' });
}
