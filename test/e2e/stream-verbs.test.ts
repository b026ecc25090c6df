// kubesim port-forward, attach and cp through the real CLI on a temporary cluster: a real
// local port answered as the simulated server answers, attach following new output, and
// files copied into and out of the simulated container.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { BIN, copyPerTest, ROOT, TEST_CACHE_HOME } from './helpers';
import { Hosted } from './hosted';

let s!: Hosted;

/** A sleeping busybox pod with the `settings` ConfigMap mounted as `mounts` says. */
function filesPod(name: string, mounts: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  volumes: [{name: cfg, configMap: {name: settings}}]
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 36000"]
    volumeMounts: ${mounts}
`;
}

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: nginx, image: "nginx:1.27", ports: [{name: http, containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8080, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; done"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast, level: "3"}
---
${filesPod('files', '[{name: cfg, mountPath: /etc/settings}]')}`;

// Each test starts from its own copy of one settled cluster running the objects above.
copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['cluster', 'create', 'streams', '--nodes', '1']);
    await base.ok(['apply', '-f', base.file('pods.yaml', PODS)]);
    await base.ok(['reconcile', '--until-stable']);
  },
  (copy) => (s = new Hosted(copy)),
  'kubesim-stream-',
);

function start(args: string[]): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: s.home, KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', TZ: 'UTC', KUBECONFIG: join(s.home, 'kubeconfig') },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return { child, out: () => out, err: () => err };
}

async function until(cond: () => boolean, what: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 20_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

test('port-forward: a real local port answered as the simulated nginx, through a service port too', async () => {
  const f = start(['port-forward', 'svc/web', ':8080', ':http']);
  try {
    await until(() => (f.out().match(/^Forwarding from 127\.0\.0\.1:/gm) ?? []).length === 2, () => f.out() + f.err());
    assert.match(f.out(), /^Forwarding from 127\.0\.0\.1:\d+ -> 80\n/);
    const [a, b] = [...f.out().matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) ->/gm)].map((m) => Number(m[1]));
    const ip = await s.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']);
    const inside = await s.ok(['exec', 'box', '--', 'wget', '-qO-', `http://${ip}/`]);
    const page = await get(a, '/');
    assert.equal(page.status, 200);
    assert.equal(page.body, inside);
    assert.equal((await get(b, '/nope')).status, 404);
    await until(() => f.out().includes(`Handling connection for ${b}\n`), f.out);
  } finally {
    f.child.kill('SIGINT');
  }
  await until(() => f.child.exitCode !== null, f.err);
  assert.equal(f.child.exitCode, 0);
});

test('port-forward: kubectl\'s argument errors; a refused port ends the forward', async () => {
  const none = await s.run(['port-forward', 'web']);
  assert.equal(none.stderr, "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubesim port-forward -h' for help and examples\n");
  assert.equal((await s.run(['port-forward', 'web', 'abc'])).stderr, "error: Pod 'web' does not have a named port 'abc'\n");
  assert.equal((await s.run(['port-forward', 'web', '70000'])).stderr, 'error: error parsing local port \'70000\': strconv.ParseUint: parsing "70000": value out of range\n');
  const f = start(['port-forward', 'web', ':9999']);
  await until(() => /127\.0\.0\.1:(\d+)/.test(f.out()), f.out);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(f.out())![1]);
  await get(port, '/').then(
    () => assert.fail('answered'),
    () => undefined,
  );
  await until(() => f.child.exitCode !== null, f.err);
  assert.equal(f.child.exitCode, 1);
  assert.match(f.err(), /an error occurred forwarding \d+ -> 9999: .*dial tcp4 127\.0\.0\.1:9999: connect: connection refused.*\nerror: lost connection to pod\n$/);
});

test('attach: prints what the container writes from now on', async () => {
  // nothing the container wrote before this moment may show up in the attach
  const tStart = Date.parse((await s.ok(['clock'])).split(' ')[0]);
  const a = start(['attach', 'box']);
  try {
    await until(() => a.err().includes("If you don't see a command prompt, try pressing enter.\n"), a.err);
    const t0 = Date.parse((await s.ok(['clock'])).split(' ')[0]);
    await s.ok(['clock', 'advance', '11s']);
    const lines = (await s.ok(['logs', 'box', '-c', 'main', '--timestamps'])).trim().split('\n');
    const text = (ls: string[]) => ls.map((l) => l.slice(l.indexOf(' ') + 1));
    const sinceStart = text(lines.filter((l) => Date.parse(l.split(' ')[0]) >= tStart));
    const fresh = text(lines.filter((l) => Date.parse(l.split(' ')[0]) >= t0));
    assert.ok(fresh.length >= 2, `new lines: ${fresh}`);
    await until(() => a.out().includes(`${fresh[fresh.length - 1]}\n`), a.out);
    // a tail of what came after the attach began, with everything written since it was ready
    const printed = a.out().trim().split('\n');
    const got = printed.slice(0, printed.indexOf(fresh[fresh.length - 1]) + 1);
    assert.deepEqual(got, sinceStart.slice(sinceStart.length - got.length));
    assert.ok(got.length >= fresh.length, a.out());
  } finally {
    a.child.kill('SIGINT');
  }
  assert.equal((await s.run(['attach', 'nope'])).stderr, 'Error from server (NotFound): pods "nope" not found\n');
});

test('cp: out of the container (mounted files) and into it (seen by exec, copied back)', async () => {
  const out = join(s.home, 'out');
  fs.mkdirSync(out);
  const r = await s.run(['cp', 'files:/etc/settings', join(out, 'settings')]);
  // the container's tar warns on kubectl's stdout
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, "tar: removing leading '/' from member names\n", '']);
  assert.equal(fs.readFileSync(join(out, 'settings', 'mode'), 'utf8'), 'fast');
  assert.equal(fs.readFileSync(join(out, 'settings', 'level'), 'utf8'), '3');

  const src = join(s.home, 'in');
  fs.mkdirSync(join(src, 'sub'), { recursive: true });
  fs.writeFileSync(join(src, 'a.txt'), 'alpha\n');
  fs.writeFileSync(join(src, 'sub', 'b.txt'), 'beta\n');
  await s.ok(['cp', join(src, 'a.txt'), 'default/files:/tmp/a.txt']);
  assert.equal(await s.ok(['exec', 'files', '--', 'cat', '/tmp/a.txt']), 'alpha\n');
  await s.ok(['cp', src, 'files:/data']);
  assert.equal(await s.ok(['exec', 'files', '--', 'cat', '/data/sub/b.txt']), 'beta\n');
  await s.ok(['cp', 'files:/data', join(out, 'back')]);
  assert.equal(fs.readFileSync(join(out, 'back', 'sub', 'b.txt'), 'utf8'), 'beta\n');

  assert.equal((await s.run(['cp', 'a', 'b'])).stderr, 'error: one of src or dest must be a remote file specification\n');
  assert.equal((await s.run(['cp', 'files:/a', 'files:/b'])).stderr, 'error: one of src or dest must be a local file specification\n');
  assert.equal((await s.run(['cp', join(s.home, 'missing'), 'files:/tmp/x'])).stderr, `error: ${join(s.home, 'missing')} doesn't exist in local filesystem\n`);
  const gone = await s.run(['cp', 'files:/nope', join(out, 'nope')]);
  // as kubectl 1.32 (test/server/cp.test.ts): tar's error on stdout, exit 0 once its empty archive ends
  assert.deepEqual([gone.code, gone.stderr, fs.existsSync(join(out, 'nope'))], [0, '', false]);
  assert.match(gone.stdout, /tar: \/nope: No such file or directory\n/);
});

test('cp out of a container never writes outside DEST: a mount path with `..` is skipped with kubectl\'s warning', async () => {
  const pod = filesPod('dotdot', '[{name: cfg, mountPath: "/mnt/../../escaped"}, {name: cfg, mountPath: /mnt/real}]');
  await s.ok(['apply', '-f', s.file('dotdot.yaml', pod)]);
  await s.ok(['reconcile', '--until-stable']);
  const parent = join(s.home, 'cp-parent');
  const dest = join(parent, 'dest');
  fs.mkdirSync(parent);
  const r = await s.run(['cp', 'dotdot:/mnt', dest]);
  const outside = (key: string) => `warning: file "${join(parent, 'escaped', key)}" is outside target destination, skipping\n`;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stderr.split(/(?<=\n)/).sort(), [outside('level'), outside('mode')]);
  assert.deepEqual(fs.readdirSync(parent), ['dest'], 'nothing written beside DEST');
  assert.deepEqual(fs.readdirSync(dest, { recursive: true }).map(String).sort(), ['real', 'real/level', 'real/mode']);
});
