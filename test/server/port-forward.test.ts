// The real kubectl 1.32 port-forward against `kubesim serve`: SPDY/3.1 tunneled over
// WebSocket (its default) and plain SPDY (its fallback); a local HTTP request gets what the
// simulated container's server answers inside the cluster (the same bytes `wget` gets in
// `kubesim exec`), and a port nothing listens on fails with the kubelet's error.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { JANE_READS_PODS, KUBECTL, ServedCluster, sleep } from './harness';

const c = new ServedCluster('pf');

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: echo}
spec:
  containers:
  - {name: echo, image: "hashicorp/http-echo:1.0", args: ["-text=hello from echo", "-listen=:5678"]}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: sh, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
`;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: `${PODS}---\n${JANE_READS_PODS}` });
});

after(() => c.stop());

interface Forward {
  child: ChildProcess;
  ports: number[];
  out: () => string;
  err: () => string;
}

/** Starts `kubectl port-forward ARGS` and waits for its "Forwarding from" lines. */
async function forward(args: string[], env: Record<string, string> = {}): Promise<Forward> {
  const f = c.started([KUBECTL, 'port-forward', ...args], c.env(env));
  const wanted = args.filter((a) => /^\d*:\d+$|^\d+$/.test(a)).length;
  try {
    await f.until((out) => (out.match(/^Forwarding from 127\.0\.0\.1:/gm) ?? []).length >= wanted);
  } catch (e) {
    f.child.kill('SIGKILL');
    throw e;
  }
  const ports = [...f.out().matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) ->/gm)].map((m) => Number(m[1]));
  return { child: f.child, ports, out: f.out, err: f.err };
}

function get(port: number, path: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 20_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function podIP(name: string): string {
  return c.ok(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);
}

test('kubectl port-forward (SPDY over WebSocket) answers as the simulated nginx and http-echo', async () => {
  const f = await forward(['pod/web', ':80']);
  const e = await forward(['echo', ':5678']);
  try {
    const page = await get(f.ports[0], '/');
    assert.equal(page.status, 200);
    // inside the cluster the same server gives the same page
    assert.equal(page.body, c.ok(['exec', 'client', '--', 'wget', '-qO-', `http://${podIP('web')}/`]));
    assert.match(page.body, /<title>Welcome to nginx!<\/title>/);
    assert.equal((await get(f.ports[0], '/missing')).status, 404);
    const echoed = await get(e.ports[0], '/anything');
    assert.equal(echoed.body, 'hello from echo\n');
    assert.match(f.out(), new RegExp(`Forwarding from \\[::1\\]:${f.ports[0]} -> 80\\nHandling connection for ${f.ports[0]}\\nHandling connection for ${f.ports[0]}\\n`));
  } finally {
    f.child.kill('SIGTERM');
    e.child.kill('SIGTERM');
  }
});

test('kubectl port-forward over plain SPDY (its fallback) works the same', async () => {
  const f = await forward(['web', ':80'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
  try {
    const page = await get(f.ports[0], '/index.html');
    assert.equal(page.status, 200);
    assert.match(page.body, /Welcome to nginx!/);
  } finally {
    f.child.kill('SIGTERM');
  }
});

test('a port nothing listens on: the kubelet error, and kubectl gives up', async () => {
  const f = await forward(['web', ':8080']);
  try {
    await get(f.ports[0], '/').then(
      (r) => assert.fail(`got an answer: ${r.status}`),
      () => undefined,
    );
    const deadline = Date.now() + 20_000;
    while (f.child.exitCode === null) {
      assert.ok(Date.now() < deadline, f.err());
      await sleep(50);
    }
    assert.equal(f.child.exitCode, 1);
    assert.match(f.err(), /an error occurred forwarding \d+ -> 8080: error forwarding port 8080 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace .*dial tcp4 127\.0\.0\.1:8080: connect: connection refused/);
    assert.match(f.err(), /error: lost connection to pod\n$/);
  } finally {
    f.child.kill('SIGTERM');
  }
});

test('port-forward needs create on pods/portforward; a pending pod is refused by kubectl', async () => {
  const r = c.kubectl(['port-forward', 'web', ':80', '--as=jane']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: error upgrading connection: pods "web" is forbidden: User "jane" cannot create resource "pods/portforward" in API group "" in the namespace "default"\n');
  c.ok(['apply', '-f', c.file('pending.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: pending}\nspec:\n  nodeSelector: {nowhere: "true"}\n  containers: [{name: a, image: "nginx:1.27"}]\n')]);
  const p = c.kubectl(['port-forward', 'pending', ':80']);
  assert.equal(p.code, 1);
  assert.equal(p.stderr, 'error: unable to forward port because pod is not running. Current status=Pending\n');
});
