// One GET over the daemon's Unix socket, for the start-up fast path (src/fast-get.ts):
// node:http costs more to load than the whole fast path may (~0.1× `node -e 0`), and a
// request whose answer has a Content-Length needs nothing of it. Anything else in the
// answer (no Content-Length, a transfer coding, a malformed head) is an error, and the
// fast path leaves the command to the CLI and its REST client (src/client/rest-client.ts).

import * as net from 'node:net';

export interface SocketResponse {
  status: number;
  /** Header names lower-cased; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/** GETs `pathAndQuery` from the HTTP server on the Unix socket `socketPath`; rejects on any failure or after timeoutMs. */
export function socketGet(socketPath: string, pathAndQuery: string, headers: Record<string, string>, timeoutMs: number): Promise<SocketResponse> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    let received = 0;
    let head: { status: number; headers: Record<string, string>; bodyStart: number; length: number } | undefined;
    const fail = (e: Error) => {
      sock.destroy();
      reject(e);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error('request timed out')));
    sock.on('error', fail);
    sock.on('end', () => fail(new Error('connection closed before the whole answer')));
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      if (!head) {
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) return;
        try {
          head = parseHead(all.toString('latin1', 0, end), end + 4);
        } catch (e) {
          return fail(e as Error);
        }
      }
      if (received < head.bodyStart + head.length) return;
      sock.destroy();
      resolve({ status: head.status, headers: head.headers, body: all.toString('utf8', head.bodyStart, head.bodyStart + head.length) });
    });
    const lines = [`GET ${pathAndQuery} HTTP/1.1`, 'Host: localhost', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
    // Not end(): a server may drop a half-closed connection's request unanswered.
    sock.write(lines.join('\r\n'));
  });
}

function parseHead(text: string, bodyStart: number) {
  const [statusLine, ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP answer: ${statusLine.slice(0, 80)}`);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i <= 0) throw new Error(`malformed header line: ${l.slice(0, 80)}`);
    const k = l.slice(0, i).trim().toLowerCase();
    const v = l.slice(i + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  if (headers['transfer-encoding'] !== undefined) throw new Error('a transfer-coded answer');
  const length = Number(headers['content-length']);
  if (!/^\d+$/.test(headers['content-length'] ?? '') || !Number.isSafeInteger(length)) throw new Error('an answer without a Content-Length');
  return { status: Number(m[1]), headers, bodyStart, length };
}
