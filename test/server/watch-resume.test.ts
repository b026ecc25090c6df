// A watch client that reconnects with its last resourceVersion loses no event when the
// server is killed with SIGKILL and started again: changes made before the kill, while the
// server is down (by kubesim's CLI on the state directly) and after the restart all reach
// it, once each, in resourceVersion order. Written as a reflector's watch loop: on a
// broken stream it reconnects from the last resourceVersion it saw; on 410 it would relist
// (counted: the server keeps the change feed across restarts, so it never has to).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { ServedCluster, sleep } from './harness';

const c = new ServedCluster('resume');

before(async () => {
  await c.setUp({ create: ['--nodes', '1'] });
});
after(() => c.stop());

interface Seen {
  type: string;
  name: string;
  rv: number;
  value?: string;
}

class WatchLoop {
  rv = '';
  readonly seen: Seen[] = [];
  relists = 0;
  connects = 0;
  /** Watch requests refused a connection (nothing listens: the server is down). */
  refused = 0;
  private stopped = false;
  private req?: ReturnType<typeof https.request>;
  done?: Promise<void>;

  constructor(private readonly path: string) {}

  private get(path: string): Promise<{ status: number; body: string }> {
    return c.request('GET', path);
  }

  async start(): Promise<void> {
    const list = JSON.parse((await this.get(this.path)).body);
    this.rv = list.metadata.resourceVersion;
    this.done = this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.req?.destroy();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.once().catch(() => undefined);
      if (!this.stopped) await sleep(100);
    }
  }

  /** One watch request, until its stream ends or breaks. */
  private once(): Promise<void> {
    return new Promise((resolve) => {
      const u = new URL(`${this.path}?watch=true&allowWatchBookmarks=true&resourceVersion=${this.rv}`, c.url);
      const req = https.request(u, { ca: c.pki('ca.crt'), cert: c.pki('admin.crt'), key: c.pki('admin.key') }, (res) => {
        this.connects++;
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.trim()) void this.event(JSON.parse(line));
          }
        });
        res.on('end', resolve);
        res.on('close', resolve);
        res.on('error', resolve);
      });
      this.req = req;
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNREFUSED') this.refused++;
        resolve();
      });
      req.end();
    });
  }

  private async event(ev: { type: string; object: any }): Promise<void> {
    if (ev.type === 'ERROR') {
      // 410 Gone: a reflector relists from scratch.
      if (ev.object.code === 410) {
        this.relists++;
        this.rv = JSON.parse((await this.get(this.path)).body).metadata.resourceVersion;
      }
      return;
    }
    this.rv = ev.object.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK') return;
    this.seen.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(this.rv), value: ev.object.data?.v });
  }
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('a watch resumes from its last resourceVersion across kill -9 and restart, losing nothing', async () => {
  const w = new WatchLoop('/api/v1/namespaces/default/configmaps');
  await w.start();
  const expected: Omit<Seen, 'rv'>[] = [];
  const write = async (verb: 'create' | 'update' | 'delete', name: string, v?: string) => {
    const path = `/api/v1/namespaces/default/configmaps${verb === 'create' ? '' : '/' + name}`;
    const body = verb === 'delete' ? undefined : JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
    const res = await c.request(verb === 'create' ? 'POST' : verb === 'update' ? 'PUT' : 'DELETE', path, { body, headers: { 'content-type': 'application/json' } });
    assert.ok(res.status < 300, `${verb} ${name}: ${res.status} ${res.body}`);
    expected.push({ type: verb === 'create' ? 'ADDED' : verb === 'update' ? 'MODIFIED' : 'DELETED', name, value: v });
  };
  // Before the kill, through the server.
  await write('create', 'a', '1');
  await write('create', 'b', '1');
  await write('update', 'a', '2');
  await until('the first changes', () => w.seen.length === 3);
  // Killed mid-stream; changes land while nothing serves (kubesim's CLI writes the state itself).
  await c.kill9();
  const refusedBefore = w.refused;
  for (const [args, ev] of [
    [['create', 'cm', 'c', '--from-literal=v=1'], { type: 'ADDED', name: 'c', value: '1' }],
    [['patch', 'cm', 'b', '--type=merge', '-p', '{"data":{"v":"2"}}'], { type: 'MODIFIED', name: 'b', value: '2' }],
    [['delete', 'cm', 'a'], { type: 'DELETED', name: 'a', value: '2' }],
  ] as const) {
    c.ok([...args]);
    expected.push(ev);
  }
  // The loop retries against the closed port meanwhile: wait until it has.
  await until('a watch attempt against the stopped server', () => w.refused > refusedBefore);
  await c.serve();
  // After the restart, through the new server.
  await write('update', 'c', '2');
  await write('create', 'd', '1');
  await until('every change', () => w.seen.length >= expected.length);
  w.stop();
  assert.deepEqual(w.seen.map(({ type, name, value }) => ({ type, name, value })), expected);
  for (let i = 1; i < w.seen.length; i++) assert.ok(w.seen[i].rv > w.seen[i - 1].rv, `resourceVersions grow: ${JSON.stringify(w.seen)}`);
  assert.equal(w.relists, 0, 'resumed, never relisted');
  assert.ok(w.connects >= 2, `reconnected after the restart (${w.connects} connections)`);
});
