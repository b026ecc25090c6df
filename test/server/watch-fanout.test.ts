// Many watchers of one resource while several clients write at once (the API server's
// fan-out, bench/serve.mjs's case in small): every watcher is sent every change exactly
// once, in resourceVersion order, the same sequence as every other watcher, and one
// that connects after the writes (from the same resourceVersion) catches up to the same.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { ServedCluster } from './harness';

const c = new ServedCluster('fanout');

before(async () => {
  await c.setUp({ create: ['--nodes', '1'] });
});
after(() => c.stop());

const JSON_CT = { 'content-type': 'application/json' };
const WATCHERS = 20;
const WRITERS = 5;
const OBJECTS = 60;

interface Line {
  type: string;
  name: string;
  rv: number;
}

/** A watch's events until one names `last` (two minutes at most: the machine may be loaded). */
function watchUntil(path: string, last: string): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const seen: Line[] = [];
    let buf = '';
    const done = (e?: Error) => {
      clearTimeout(timer);
      req.destroy();
      if (e) reject(e);
      else resolve(seen);
    };
    const req = https.get(new URL(path, c.url), { agent: false, ca: c.pki('ca.crt'), cert: c.pki('admin.crt'), key: c.pki('admin.key') }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const ev = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (ev.type === 'BOOKMARK') continue;
          if (ev.type === 'ERROR') return done(new Error(`the watch failed: ${JSON.stringify(ev.object)}`));
          seen.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(ev.object.metadata.resourceVersion) });
          if (ev.object.metadata.name === last) return done();
        }
      });
    });
    const timer = setTimeout(() => done(new Error(`the watch saw ${seen.length} events in 120 s, not "${last}"`)), 120_000);
    req.on('error', (e) => done(e));
  });
}

test('many watchers while five clients create, update and delete: each sees every change once, in order, the same as the others', async () => {
  const ns = await c.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fan' } }), headers: JSON_CT });
  assert.equal(ns.status, 201, ns.body);
  const base = `/api/v1/namespaces/fan/configmaps`;
  const rv = JSON.parse((await c.request('GET', base)).body).metadata.resourceVersion as string;
  const watchPath = `${base}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=150`;
  const watchers = Array.from({ length: WATCHERS }, () => watchUntil(watchPath, 'end'));
  // What the writers were answered: each change's type, name and resourceVersion.
  const acked: Line[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < OBJECTS) {
        const name = `cm-${next++}`;
        const made = await c.request('POST', base, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: '0' } }), headers: JSON_CT });
        assert.equal(made.status, 201, made.body);
        acked.push({ type: 'ADDED', name, rv: Number(JSON.parse(made.body).metadata.resourceVersion) });
        const patched = await c.request('PATCH', `${base}/${name}`, { body: JSON.stringify({ data: { v: '1' } }), headers: { 'content-type': 'application/merge-patch+json' } });
        assert.equal(patched.status, 200, patched.body);
        acked.push({ type: 'MODIFIED', name, rv: Number(JSON.parse(patched.body).metadata.resourceVersion) });
        if (Number(name.slice(3)) % 3 === 0) {
          const gone = await c.request('DELETE', `${base}/${name}`);
          assert.equal(gone.status, 200, gone.body);
          // The DELETED event carries the deletion's revision (the Status body does not).
          acked.push({ type: 'DELETED', name, rv: 0 });
        }
      }
    }),
  );
  const end = await c.request('POST', base, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'end' } }), headers: JSON_CT });
  assert.equal(end.status, 201, end.body);
  const all = await Promise.all(watchers);
  const late = await watchUntil(watchPath, 'end');

  const first = all[0];
  for (const [i, seen] of [...all, late].entries()) {
    for (let j = 1; j < seen.length; j++) assert.ok(seen[j].rv > seen[j - 1].rv, `watcher ${i}: resourceVersion ${seen[j].rv} after ${seen[j - 1].rv}`);
    assert.deepEqual(seen, first, `watcher ${i} was sent what watcher 0 was`);
  }
  // Exactly the acknowledged changes (and the end marker), each once.
  const key = (l: Line) => `${l.type} ${l.name}${l.type === 'DELETED' ? '' : ` ${l.rv}`}`;
  assert.deepEqual(first.map(key).sort(), [...acked, { type: 'ADDED', name: 'end', rv: Number(JSON.parse(end.body).metadata.resourceVersion) }].map(key).sort());
  // A name's changes in their order: added, modified, then (every third) deleted.
  for (let n = 0; n < OBJECTS; n++) {
    const types = first.filter((l) => l.name === `cm-${n}`).map((l) => l.type);
    assert.deepEqual(types, n % 3 === 0 ? ['ADDED', 'MODIFIED', 'DELETED'] : ['ADDED', 'MODIFIED'], `cm-${n}`);
  }
});
