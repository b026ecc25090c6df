// pods/portforward as kubectl 1.32 uses it: SPDY/3.1 tunneled over WebSocket (subprotocol
// `SPDY/3.1+portforward.k8s.io`), or plain SPDY after an `Upgrade: SPDY/3.1` (kubectl's
// fallback). The portforward.k8s.io protocol over it: per forwarded connection the client
// opens an error stream and a data stream carrying `port` and `requestid` headers; the
// connection's bytes go over the data stream, the kubelet's failure (if any) over the error
// stream. The pod answers as its simulated server would (src/exec/forward.ts).

import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ApiError } from '../api/errors';
import type { KObject } from '../api/types';
import { ForwardedConnection, refusedMessage } from '../exec/forward';
import { offeredProtocols } from './remotecommand';
import { SpdySession, type SpdyStream } from './spdy';
import { UpgradeRefusal, type UpgradeDeps } from './upgrade';

export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNELED_PROTOCOL = `SPDY/3.1+${PORTFORWARD_PROTOCOL}`;

export interface PortForwardRequest extends UpgradeDeps {
  namespace: string;
  name: string;
  query: URLSearchParams;
  websocket: boolean;
}

export async function servePortForward(req: http.IncomingMessage, socket: Duplex, head: Buffer, r: PortForwardRequest): Promise<void> {
  const pod = await r.api.get(r.api.resolve('pods'), r.namespace, r.name);
  if (!pod.spec?.nodeName) throw ApiError.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  if (r.websocket) {
    const offered = offeredProtocols(req);
    if (!offered.includes(TUNNELED_PROTOCOL)) throw new UpgradeRefusal(400, `unable to upgrade: requested protocol(s) are not supported: [${offered.join(' ')}]`);
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => TUNNELED_PROTOCOL });
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SpdySession(
        (frame) => ws.readyState === ws.OPEN && ws.send(frame),
        (s) => forwarder.stream(s),
        () => ws.readyState === ws.OPEN && ws.close(1000),
      );
      const forwarder = new Forwarder(r, pod, r.log);
      ws.on('message', (d: Buffer, binary: boolean) => binary && session.receive(Buffer.from(d)));
      ws.on('close', () => session.close());
      ws.on('error', () => ws.terminate());
    });
    return;
  }
  const upgrade = String(req.headers.upgrade ?? '');
  const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
  if (!/^SPDY\/3\.1$/i.test(upgrade) || !versions.includes(PORTFORWARD_PROTOCOL)) {
    throw new UpgradeRefusal(400, `unable to upgrade: unable to negotiate protocol: client supports [${versions.join(' ')}], server supports [${PORTFORWARD_PROTOCOL}]`);
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORTFORWARD_PROTOCOL}\r\n\r\n`);
  const forwarder = new Forwarder(r, pod, r.log);
  const session = new SpdySession(
    (frame) => !socket.destroyed && socket.write(frame),
    (s) => forwarder.stream(s),
    () => socket.end(),
  );
  if (head.length) session.receive(head);
  socket.on('data', (d: Buffer) => session.receive(d));
  socket.on('close', () => session.close());
}

/** Pairs each request's error and data streams and serves the connection. */
class Forwarder {
  private readonly pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();

  constructor(
    private readonly r: PortForwardRequest,
    private readonly pod: KObject,
    private readonly log: (line: string) => void,
  ) {}

  stream(s: SpdyStream): void {
    const type = s.headers.streamtype;
    const id = s.headers.requestid ?? `port-${s.headers.port}`;
    if (type !== 'error' && type !== 'data') {
      s.end();
      return;
    }
    const pair = this.pairs.get(id) ?? {};
    pair[type] = s;
    this.pairs.set(id, pair);
    if (type === 'error') s.onData = () => {}; // the client only closes its side
    if (pair.error && pair.data) {
      this.pairs.delete(id);
      this.serve(pair.error, pair.data).catch((e) => {
        this.log(`port-forward failed: ${(e as Error)?.stack ?? e}`);
        pair.error!.write(String((e as Error)?.message ?? e));
        pair.error!.end();
        pair.data!.end();
      });
    }
  }

  private async serve(error: SpdyStream, data: SpdyStream): Promise<void> {
    const portText = data.headers.port ?? '';
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    // data from the client may arrive while the port is checked: keep it in order
    const pending: Buffer[] = [];
    let ended = false;
    data.onData = (b) => pending.push(b);
    data.onEnd = () => (ended = true);
    if (!(port > 0 && port < 65536)) {
      error.write(`invalid port: ${JSON.stringify(portText)}`);
      error.end();
      data.end();
      return;
    }
    const conn = new ForwardedConnection(this.r.api, this.pod, port);
    if (!(await conn.listening())) {
      error.write(refusedMessage(this.pod, port));
      error.end();
      data.end();
      return;
    }
    let chain = Promise.resolve();
    let answered = false;
    const finish = (answer: Buffer) => {
      if (answered) return;
      answered = true;
      if (answer.length) data.write(answer);
      data.end();
      error.end();
    };
    const take = (b: Buffer) => {
      chain = chain.then(async () => {
        if (answered) return;
        const answer = await conn.receive(b);
        if (answer) finish(answer);
      });
    };
    const end = () => {
      chain = chain.then(async () => {
        if (!answered) finish((await conn.receive(Buffer.alloc(0), true)) ?? Buffer.alloc(0));
      });
    };
    data.onData = take;
    data.onEnd = end;
    for (const b of pending) take(b);
    if (ended) end();
  }
}
