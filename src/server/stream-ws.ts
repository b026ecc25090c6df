// Streamed answers over WebSocket, as kube-apiserver serves them to browsers (which cannot
// set Authorization on a WebSocket, and hold only six HTTP/1.1 connections per origin,
// while WebSockets have a pool of their own): a watch sends each event as one text message
// (the JSON line kube-apiserver's watch server writes, its "text framing"), a pods/log
// stream sends the bytes as binary.k8s.io (raw) or base64.binary.k8s.io (base64 text), as
// its wsstream reader does; the kubesim endpoint's clock watch is a watch too. Refusals (401, 403, 404, 400) come before the upgrade, as HTTP.

import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiRequest, ApiResponse, RequestUser } from '../api/rest/types';
import { WS_BEARER_PREFIX } from './authn';
import { offeredProtocols } from './remotecommand';
import { writeHttp } from './upgrade';

const BINARY = 'binary.k8s.io';
const BASE64 = 'base64.binary.k8s.io';
/** Stop reading the stream while this much is queued for a slow client. */
const HIGH_WATER = 1 << 20;

export interface StreamSocketRequest {
  respond: (req: ApiRequest) => Promise<ApiResponse>;
  user: RequestUser;
  path: string;
  query: URLSearchParams;
  /** A watch (text messages) or a log (bytes). */
  watch: boolean;
}

export async function serveStreamSocket(req: http.IncomingMessage, socket: Duplex, head: Buffer, r: StreamSocketRequest): Promise<void> {
  const abort = new AbortController();
  socket.once('close', () => abort.abort());
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const apiReq: ApiRequest = { method: 'GET', path: r.path, query: r.query, headers, user: r.user, signal: abort.signal };
  const res = await r.respond(apiReq);
  if (res.status !== 200) return writeHttp(socket, res.status, res.headers?.['content-type'] ?? 'application/json', String(res.body ?? ''));
  // The token's subprotocol is not one to answer with (kube-apiserver strips it once read).
  const offered = offeredProtocols(req).filter((p) => !p.startsWith(WS_BEARER_PREFIX));
  const protocol = r.watch ? offered[0] : [BASE64, BINARY].find((p) => offered.includes(p));
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024, handleProtocols: () => protocol ?? false });
  const ws = await new Promise<WebSocket>((resolve) => wss.handleUpgrade(req, socket, head, resolve));
  ws.on('close', () => abort.abort());
  ws.on('error', () => abort.abort());
  // What is sent in one turn of the event loop (a watch chunk of many events, or chunks read
  // back to back) leaves in one write, still a message per event: a write per message is a
  // system call and a TCP segment each (ws turns Nagle off), half of what a burst cost here.
  let corked = false;
  const send = (chunk: string | Buffer): void => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    if (r.watch) {
      // One event per message, as kube-apiserver's websocket watch: a chunk may carry several lines.
      for (const line of String(chunk).split('\n')) if (line) ws.send(line, { binary: false });
    } else if (protocol === BASE64) ws.send(Buffer.from(chunk).toString('base64'), { binary: false });
    else ws.send(Buffer.from(chunk), { binary: true });
  };
  // A log without follow is one answer: one message, then the close.
  const body = res.body ?? '';
  const chunks: AsyncIterable<string | Buffer> = res.stream ?? (async function* () { yield body; })();
  const it = chunks[Symbol.asyncIterator]();
  try {
    while (!abort.signal.aborted) {
      const { value, done } = await it.next();
      if (done || ws.readyState !== ws.OPEN) break;
      if (value.length) send(value);
      while (ws.bufferedAmount > HIGH_WATER && ws.readyState === ws.OPEN) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await it.return?.(undefined);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }
}
