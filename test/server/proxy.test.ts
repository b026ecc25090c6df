// `kubesim proxy` beside the real `kubectl proxy`, both in front of `kubesim serve`: the same
// start line, the same answers for API reads and watches, the same filter refusals.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http from 'node:http';
import { BIN, ROOT } from '../e2e/helpers';
import { KUBECTL, ServedCluster } from './harness';

const c = new ServedCluster('proxy');
const procs: ChildProcess[] = [];

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], prepare: [['create', 'configmap', 'via-proxy', '--from-literal=a=1']] });
});

after(async () => {
  for (const p of procs) p.kill('SIGTERM');
  await c.stop();
});

async function startProxy(cmd: string, args: string[]): Promise<{ port: number; line: string }> {
  const proxy = c.started([cmd, ...args]);
  procs.push(proxy.child);
  await proxy.until((out) => /Starting to serve on 127\.0\.0\.1:\d+\n/.test(out));
  const out = proxy.out();
  return { port: Number(/:(\d+)\n/.exec(out)![1]), line: out };
}

function request(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
  });
}

test('kubesim proxy answers as kubectl proxy does', async () => {
  const k = await startProxy(KUBECTL, ['proxy', '--port=0']);
  const s = await startProxy(process.execPath, [BIN, 'proxy', '--port=0']);
  assert.equal(s.line.replace(/:\d+\n/, ''), k.line.replace(/:\d+\n/, ''));
  for (const path of ['/api/v1/namespaces/default/configmaps/via-proxy', '/api/v1/namespaces/default/configmaps/nope', '/version', '/api/v1/namespaces/default/pods/x/exec?command=ls', '/api/v1/namespaces/default/pods/x/attach']) {
    const a = await request(k.port, path);
    const b = await request(s.port, path);
    assert.equal(b.status, a.status, path);
    assert.equal(b.body, a.body, path);
    assert.equal(b.type, a.type, path);
  }
  const foreignK = await request(k.port, '/api', { host: 'evil.example' });
  const foreignS = await request(s.port, '/api', { host: 'evil.example' });
  assert.deepEqual([foreignS.status, foreignS.body], [foreignK.status, foreignK.body]);
  assert.deepEqual([foreignS.status, foreignS.body], [403, 'Forbidden\n']);
});

test('kubesim proxy --api-prefix serves the API under the prefix', async () => {
  const s = await startProxy(process.execPath, [BIN, 'proxy', '--port=0', '--api-prefix=/k8s-api']);
  const r = await request(s.port, '/k8s-api/api/v1/namespaces/default/configmaps/via-proxy');
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).data.a, '1');
});

test('kubesim proxy --www serves static files under --www-prefix as kubectl proxy does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-www-'));
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  writeFileSync(join(dir, 'page.html'), '<p>hi</p>\n');
  writeFileSync(join(dir, 'noext'), 'plain words\n');
  mkdirSync(join(dir, 'sub dir'));
  writeFileSync(join(dir, 'sub dir', 'b.json'), '{}\n');
  const flags = ['proxy', '--port=0', `--www=${dir}`, '--www-prefix=/files'];
  const k = await startProxy(KUBECTL, flags);
  const s = await startProxy(process.execPath, [BIN, ...flags]);
  for (const path of ['/files/', '/files/a.txt', '/files/page.html', '/files/noext', '/files/sub%20dir', '/files/sub%20dir/', '/files/sub%20dir/b.json', '/files/a.txt/', '/files/nope', '/files/index.html', '/api/v1/namespaces/default/configmaps/via-proxy']) {
    const a = await request(k.port, path);
    const b = await request(s.port, path);
    assert.deepEqual([b.status, b.body, b.type], [a.status, a.body, a.type], path);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('kubesim proxy -u serves on a unix socket (and refuses -u with --port)', async () => {
  const sock = join(mkdtempSync(join(tmpdir(), 'kubesim-sock-')), 'proxy.sock');
  const proxy = c.started([process.execPath, BIN, 'proxy', '-u', sock]);
  procs.push(proxy.child);
  await proxy.until((out) => out === `Starting to serve on ${sock}\n`);
  // Only its user may connect (ListenUnix's umask 077).
  assert.equal(statSync(sock).mode & 0o777, 0o700);
  const body = await new Promise<string>((resolve, reject) => {
    http.get({ socketPath: sock, path: '/api/v1/namespaces/default/configmaps/via-proxy', headers: { host: 'localhost' } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  assert.equal(JSON.parse(body).data.a, '1');
  const both = spawnSync(process.execPath, [BIN, 'proxy', '-u', sock, '-p', '8002'], { cwd: ROOT, env: c.env(), encoding: 'utf8' });
  assert.deepEqual([both.status, both.stderr], [1, 'error: cannot set --unix-socket and --port at the same time\n']);
});
