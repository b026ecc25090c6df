// A watch over WebSocket sends each event as one text message, as kube-apiserver does, and
// what the watch hands over at once (a wake-up's chunk of lines) leaves in one write to the
// socket: a write per message is a system call and a TCP segment each (ws turns Nagle off).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { serveStreamSocket } from '../../src/server/stream-ws';

test('a burst of watch events is one message per event, written to the socket at once; a later event still goes out', async () => {
  const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ type: 'MODIFIED', object: { kind: 'Pod', metadata: { name: `p-${i}`, resourceVersion: String(100 + i) } } }) + '\n');
  let writes = 0;
  let later!: () => void;
  const laterSent = new Promise<void>((r) => (later = r));
  const server = http.createServer();
  server.on('upgrade', (req, socket: Duplex & { _write: Function; _writev?: Function }, head) => {
    // Each call is one write to the kernel (net.Socket's _writev takes a corked batch).
    for (const m of ['_write', '_writev'] as const) {
      const orig = socket[m]!;
      socket[m] = function (this: unknown, ...args: unknown[]) {
        writes++;
        return orig.apply(this, args);
      };
    }
    const stream = (async function* () {
      yield lines.join('');
      await laterSent;
      yield JSON.stringify({ type: 'DELETED', object: { kind: 'Pod', metadata: { name: 'p-0', resourceVersion: '400' } } }) + '\n';
      await new Promise((r) => socket.once('close', r));
    })();
    const u = new URL(req.url ?? '/', 'http://localhost');
    void serveStreamSocket(req, socket, head, { respond: async () => ({ status: 200, headers: {}, stream }), user: { name: 'u', groups: [] }, path: u.pathname, query: u.searchParams, watch: true });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let ws: WebSocket | undefined;
  try {
    ws = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/pods?watch=1`, ['base64.binary.k8s.io']);
    const got: Array<{ type: string; object: { metadata: { name: string } } }> = [];
    const all = new Promise<void>((resolve, reject) => {
      ws!.on('message', (data, binary) => {
        assert.equal(binary, false, 'text messages');
        got.push(JSON.parse(String(data)));
        if (got.length === lines.length) resolve();
        if (got.length === lines.length + 1) ws!.close();
      });
      ws!.once('error', reject);
    });
    const closed = new Promise((r) => ws!.once('close', r));
    await all;
    assert.deepEqual(got.map((e) => e.object.metadata.name), lines.map((_, i) => `p-${i}`), 'one message per event, in order');
    assert.ok(writes <= 2, `the burst of ${lines.length} messages took ${writes} writes (the upgrade answer, then the burst)`);
    later();
    await closed;
    assert.deepEqual([got.at(-1)!.type, got.at(-1)!.object.metadata.name], ['DELETED', 'p-0']);
  } finally {
    ws?.terminate();
    later();
    server.close();
  }
});
