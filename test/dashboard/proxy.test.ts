// `kubesim dashboard`'s proxy when a client or the API server behind it goes away: it keeps
// serving, answers with an error for that one connection, and follows a daemon restarted on
// another port. No browser here: the page's requests are made as chromium makes them.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DashboardCluster, until } from './page-harness';
import { startDashboardProxy } from '../../src/dashboard/proxy';

const closers: Array<() => unknown> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

/** A request through the proxy as the page makes it (its bearer token); resolves with status and body. */
function get(base: string, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A connection of its own: spawnSync blocks this process between requests, so a pooled
    // keep-alive socket may have been closed by the proxy without this side noticing yet.
    const req = http.get(new URL(path, base), { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

test('a daemon restarted on another port (its recorded one taken) is followed: the page keeps its address', async () => {
  const c = new DashboardCluster('moved');
  closers.push(() => c.stopAll());
  await c.startDashboard(['--nodes', '1']);
  const base = new URL(c.dashboardUrl).origin;
  const token = decodeURIComponent(/#token=(.+)$/.exec(c.dashboardUrl)![1]);
  assert.equal((await get(base, '/api/v1/nodes', token)).status, 200);
  const record = () => JSON.parse(readFileSync(join(c.home, 'clusters', 'moved', 'server.json'), 'utf8')) as { port: number; url?: string };
  const before = record();
  c.ok(['cluster', 'stop']);
  // Something else takes the recorded port meanwhile; the next verb starts the daemon on a free one.
  const squatter = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => squatter.listen(before.port, '127.0.0.1', r));
  closers.push(() => new Promise((r) => squatter.close(r)));
  const r = c.kubesim(['get', 'nodes'], { env: { KUBESIM_NO_DAEMON: '' } });
  assert.equal(r.code, 0, r.stderr);
  const moved = await until('the daemon serving on another port', async () => {
    const now = record();
    return now.url && now.url !== before.url && now.url;
  });
  const after = await get(base, '/api/v1/nodes', token);
  assert.equal(after.status, 200, `through the dashboard after the daemon moved to ${moved}: ${after.body}`);
  assert.match(after.body, /"name":"node-1"/);
});

/** A fake API server: answers upgrades with `answer` (raw bytes), and plain requests with `onRequest`. */
async function upstreamServer(answer: string, onRequest?: http.RequestListener): Promise<string> {
  const up = http.createServer(onRequest);
  up.on('upgrade', (_req, s: net.Socket) => {
    s.on('error', () => {});
    s.end(answer);
  });
  await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
  closers.push(() => {
    up.closeAllConnections();
    return new Promise((r) => up.close(r));
  });
  return `http://127.0.0.1:${(up.address() as net.AddressInfo).port}`;
}

/** Sends `request` on a raw connection to `port` and resolves with everything read until the proxy closes it. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(request));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error(`no end after 10 s; read: ${JSON.stringify(out)}`)));
  });
}

test('a watch the API server refuses (401) reaches the page as the API server worded it, headers intact', async () => {
  const body = '{"kind":"Status","code":401}';
  const upstream = await upstreamServer(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
  const proxy = await startDashboardProxy({ upstream, ca: '' });
  closers.push(() => proxy.close());
  const out = await raw(proxy.port, `GET /api/v1/pods?watch=1 HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  const [head, rest] = [out.slice(0, out.indexOf('\r\n\r\n')), out.slice(out.indexOf('\r\n\r\n') + 4)];
  const lines = head.split('\r\n');
  assert.equal(lines[0], 'HTTP/1.1 401 Unauthorized');
  // Every header a name and its own value (the body is the decoded one, so no chunked framing).
  assert.deepEqual(lines.slice(1).map((l) => l.toLowerCase()), ['content-type: application/json', 'cache-control: no-cache, private', 'connection: close']);
  assert.equal(rest, body);
});

test('a response the API server cuts off (its process killed mid-stream) is cut off for the page too, not left hanging', async () => {
  const upstream = await upstreamServer('', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED"');
    setTimeout(() => res.socket?.destroy(), 100);
  });
  const proxy = await startDashboardProxy({ upstream, ca: '' });
  closers.push(() => proxy.close());
  const ended = await new Promise<string>((resolve) => {
    http.get(`${proxy.url}/api/v1/pods?watch=1`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(`ended normally after ${body}`));
      res.on('close', () => resolve(`cut off after ${body}`));
      res.on('error', () => {});
    });
    setTimeout(() => resolve('still open after 10 s'), 10_000).unref();
  });
  assert.equal(ended, 'cut off after {"type":"ADDED"');
});
