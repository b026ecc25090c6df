// `kubesim get`, `describe` and `delete` as clients of the cluster's daemon: with the daemon
// serving, they send REST requests (a Table for get's human output, objects for -o and the
// describers, DELETEs with DeleteOptions) and print exactly what the in-process path
// (KUBESIM_NO_DAEMON=1) prints on the same cluster, with the same exit code. The tables of
// commands compared run in long-lived CLI hosts (test/helpers/cli-host.ts: the CLI's own
// `run`, as bin/kubesim calls it), one per side; the tests of the requests sent, of get -w
// and of the fallback run bin/kubesim as a user does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { ServedCluster } from './harness';
import { BIN, ROOT } from '../e2e/helpers';
import { CliHost } from '../helpers/cli-host';

const c = new ServedCluster('cli');
/** The CLI with the daemon in charge (what a user gets), and the in-process path. */
const viaDaemon = (args: string[]) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '' } });
const inProcess = (args: string[]) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '1' } });
/** The same two, each in its host. */
const daemonHost = new CliHost({ cwd: ROOT, env: c.env({ KUBESIM_NO_DAEMON: '' }) });
const localHost = new CliHost({ cwd: ROOT, env: c.env({ KUBESIM_NO_DAEMON: '1' }) });

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns: [{name: Size, type: string, jsonPath: .spec.size}]
`;

before(async () => {
  // `serve` without KUBESIM_NO_DAEMON is the cluster's daemon in the foreground.
  await c.setUp({ create: ['--nodes', '2'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
  for (const args of [
    ['create', 'deployment', 'web', '--image=nginx', '--replicas=3'],
    ['create', 'service', 'clusterip', 'web', '--tcp=80:80'],
    ['apply', '-f', c.file('crd.yaml', CRD)],
    ['create', 'namespace', 'del'],
  ]) {
    const r = await daemonHost.run(args);
    assert.equal(r.code, 0, r.stderr);
  }
  const r = await daemonHost.run(['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  const w = await daemonHost.run(['apply', '-f', c.file('w.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: big}\n')]);
  assert.equal(w.code, 0, w.stderr);
  // Every object three days old: AGE reads `3d` for the next hour, whenever each side runs.
  assert.equal((await daemonHost.run(['clock', 'advance', '3d'])).code, 0);
});
after(async () => {
  daemonHost.stop();
  localHost.stop();
  await c.stop();
});

test('get -v=6 sends its requests to the daemon; KUBESIM_NO_DAEMON=1 sends none', () => {
  const port = new URL(c.url).port;
  const r = viaDaemon(['get', 'pods', '-v=6']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^I\\d{4} [\\d:.]+ +\\d+ round_trippers\\.go:553\\] GET https://127\\.0\\.0\\.1:${port}/api/v1/namespaces/default/pods\\?limit=500&includeObject=None 200 OK in \\d+ milliseconds$`, 'm'));
  const paged = viaDaemon(['get', 'pods', '--chunk-size=2', '-v=6']);
  assert.equal(paged.stdout, r.stdout);
  assert.match(paged.stderr, /GET \S+\/pods\?limit=2&includeObject=None 200 OK.*\n.*GET \S+\/pods\?limit=2&continue=\S+ 200 OK/);
  const one = viaDaemon(['get', 'deploy', 'web', '-o', 'name', '-v=6']);
  assert.match(one.stderr, new RegExp(`GET https://127\\.0\\.0\\.1:${port}/apis/apps/v1/namespaces/default/deployments/web 200 OK`));
  const raw = viaDaemon(['get', '--raw', '/api/v1/namespaces/default/services/web', '-v=6']);
  assert.match(raw.stderr, new RegExp(`GET https://127\\.0\\.0\\.1:${port}/api/v1/namespaces/default/services/web 200 OK`));
  assert.equal(raw.stdout, inProcess(['get', '--raw', '/api/v1/namespaces/default/services/web']).stdout);
  const local = inProcess(['get', 'pods', '-v=6']);
  assert.equal(local.code, 0, local.stderr);
  assert.doesNotMatch(local.stderr, /round_trippers/);
  assert.equal(r.stdout, local.stdout);
});

const SAME: string[][] = [
  ['get', 'pods'],
  ['get', 'pods', '-o', 'wide'],
  ['get', 'deploy,rs,svc'],
  ['get', 'all'],
  ['get', 'pods', '-A', '--chunk-size=2'],
  ['get', 'nodes', '--show-labels', '--sort-by=.metadata.name'],
  ['get', 'pods', '-l', 'app=web', '-L', 'app', '--no-headers'],
  // Rows whose metadata is only what the printer reads (namespace, labels): lists, names, cluster-scoped kinds.
  ['get', 'pods', '-A', '-o', 'wide', '--show-labels', '-L', 'pod-template-hash,app'],
  ['get', 'deploy', 'web', '--show-labels', '-L', 'app'],
  ['get', 'ns,nodes', '--show-labels', '-A'],
  ['get', 'deploy,rs', '-A', '--no-headers', '--show-kind'],
  // Lists formatted row by row as their pages arrive: several pages, kinds, label columns.
  ['get', 'pods,deploy', '-A', '-L', 'app', '--chunk-size=1'],
  ['get', 'pods', '-A', '-o', 'wide', '--no-headers', '--show-kind', '--chunk-size=3'],
  ['get', 'pods', '--field-selector=status.phase=Running', '-o', 'name'],
  ['get', 'deploy', 'web', '-o', 'yaml'],
  ['get', 'svc', '-o', 'json'],
  ['get', 'pods', '-o', 'jsonpath={.items[*].spec.nodeName}'],
  ['get', 'ns', '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase'],
  ['get', 'wd'],
  ['get', 'widget', 'w1', '-o', 'yaml'],
  ['get', 'pod', 'nope', 'deploy/web'],
  ['get', 'pods', '-l', 'a in (b'],
  ['get', 'pods', '--field-selector=spec.bogus=1'],
  ['get', 'gizmos'],
  ['get', 'pods', '-n', 'empty'],
  ['get', '--raw', '/api/v1/namespaces/default/pods/nope'],
];

test('get through the daemon prints what the in-process path prints, with its exit code', async () => {
  for (const args of SAME) {
    const remote = await daemonHost.run(args);
    const local = await localHost.run(args);
    assert.deepEqual({ code: remote.code, stdout: remote.stdout, stderr: remote.stderr }, { code: local.code, stdout: local.stdout, stderr: local.stderr }, args.join(' '));
  }
});

test('get TYPE NAME through the daemon is answered without the CLI bundle (dist/fast-get-store.cjs, dist/fast-get.cjs), printing what the in-process path prints', async () => {
  const pod = inProcess(['get', 'pods', '-o', 'name']).stdout.split('\n')[0].replace('pod/', '');
  const fresh = (args: string[]) => c.kubesimFresh(args, { KUBESIM_NO_DAEMON: '' });
  // Answered by the fast path: a pod from the cluster's store (dist/fast-get-store.cjs), found
  // or not (in the namespace named too), or the daemon's Table for other types, laid out as get
  // lays it out. A namespace flag after the name too (a cluster-scoped type ignores it, as get does).
  for (const args of [['get', 'pod', pod], ['get', 'deployments', 'web'], ['get', 'svc', 'web'], ['get', 'no', 'node-1'], ['get', 'Namespace', 'default'], ['get', 'pod', pod, '-n', 'default'], ['get', 'deploy', 'web', '--namespace=default'], ['get', 'no', 'node-1', '-n', 'del'], ['get', 'pod', 'nope'], ['get', 'pod', pod, '-n', 'del'], ['get', 'pod', pod, '-n', 'nons'], ['get', 'pod', 'Bad_Name']]) {
    const r = fresh(args);
    assert.equal(r.bundleRan, false, `${args.join(' ')}: the bundle ran`);
    // The in-process bundle (hosted): bin/kubesim's in-process `get pod X` takes the store's fast path too while the daemon runs.
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, await localHost.run(args), args.join(' '));
  }
  // Left to the CLI (nothing printed first): another type not found, a custom resource's type, another flag.
  for (const args of [['get', 'svc', 'nope'], ['get', 'wd', 'w1'], ['get', 'deploy', 'web', '-owide']]) {
    const r = fresh(args);
    assert.equal(r.bundleRan, true, `${args.join(' ')}: the bundle did not run`);
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, inProcess(args), args.join(' '));
  }
});

test('the server reports its cluster time on every answer (three days ahead of the wall clock here)', async () => {
  const res = await c.request('GET', '/api/v1/namespaces/default/pods/nope');
  assert.equal(res.status, 404);
  const t = Date.parse(String(res.headers['x-kubesim-cluster-time']));
  assert.ok(t - Date.now() > 3 * 86_400_000 - 60_000 && t - Date.now() < 3 * 86_400_000 + 3_600_000, String(res.headers['x-kubesim-cluster-time']));
});

const DESCRIBE_SAME: string[][] = [
  ['describe', 'deploy', 'web'],
  ['describe', 'pods', '-l', 'app=web'],
  ['describe', 'pods', 'web'],
  ['describe', 'rs,svc'],
  ['describe', 'svc', 'web', '--show-events=false'],
  ['describe', 'wd', 'w1'],
  ['describe', 'ns', 'default'],
  ['describe', 'deploy/web', 'pod/nope'],
  ['describe', 'pod', 'nope'],
  ['describe', 'gizmos'],
  ['describe', 'pods', '-n', 'empty'],
  ['describe', 'pods', '-l', 'a in (b'],
];

test('describe through the daemon prints what the in-process path prints, with its exit code', async () => {
  for (const args of DESCRIBE_SAME) {
    const remote = await daemonHost.run(args);
    const local = await localHost.run(args);
    assert.deepEqual({ code: remote.code, stdout: remote.stdout, stderr: remote.stderr }, { code: local.code, stdout: local.stdout, stderr: local.stderr }, args.join(' '));
  }
});

const CMS = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, namespace: del, labels: {team: a}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c2, namespace: del, labels: {team: a}}\n';
const SECRETS = 'apiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: del}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s2, namespace: del}\n';
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: q1, namespace: del}\nspec: {containers: [{name: c, image: nginx}]}\n';
const WIDGET = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: small}\n';

/** Each case: the manifest applied before each side runs the delete (none: nothing to make), and the delete. */
const DELETE_SAME: { make?: string; args: string[] }[] = [
  { make: 'cms.yaml', args: ['delete', '-f', 'cms.yaml'] },
  { make: 'cms.yaml', args: ['delete', 'cm', 'c1', 'c2', 'nope', '-n', 'del'] },
  { make: 'cms.yaml', args: ['delete', 'cm', '-l', 'team=a', '-n', 'del', '-o', 'name'] },
  { make: 'cms.yaml', args: ['delete', 'cm/c1', 'cm/nope', '-n', 'del', '--ignore-not-found'] },
  { make: 'cms.yaml', args: ['delete', 'cm', 'c1', '-n', 'del', '--dry-run=server'] },
  { make: 'secrets.yaml', args: ['delete', 'secrets', '--all', '-n', 'del'] },
  { make: 'pod.yaml', args: ['delete', 'pod', 'q1', '-n', 'del'] },
  { make: 'pod.yaml', args: ['delete', 'pod', 'q1', '-n', 'del', '--grace-period=0', '--force'] },
  { make: 'widget.yaml', args: ['delete', '-f', 'widget.yaml'] },
  { args: ['delete', 'pod', 'nope'] },
  { args: ['delete', 'pods', '-l', 'app=none', '-n', 'del'] },
  { args: ['delete', 'cm', '-n', 'del'] },
  { args: ['delete', 'cm', '-l', 'a in (b', '-n', 'del'] },
  { args: ['delete', 'gizmos', 'x'] },
];

test('delete through the daemon prints what the in-process path prints, with its exit code', async () => {
  const files: Record<string, string> = { 'cms.yaml': CMS, 'secrets.yaml': SECRETS, 'pod.yaml': POD, 'widget.yaml': WIDGET };
  for (const [name, text] of Object.entries(files)) c.file(name, text);
  // Manifests are named relative to the test's folder, so both sides print the same source.
  const inDir = (args: string[]) => args.map((a) => (a in files ? join(c.dir, a) : a));
  const make = async (file?: string) => {
    if (!file) return;
    const r = await daemonHost.run(['apply', '-f', join(c.dir, file)]);
    assert.equal(r.code, 0, r.stderr);
  };
  for (const { make: file, args } of DELETE_SAME) {
    await make(file);
    const remote = await daemonHost.run(inDir(args));
    await make(file);
    const local = await localHost.run(inDir(args));
    assert.deepEqual({ code: remote.code, stdout: remote.stdout, stderr: remote.stderr }, { code: local.code, stdout: local.stdout, stderr: local.stderr }, args.join(' '));
    // Nothing is left behind for the next case (the dry run's objects).
    if (file) assert.equal((await daemonHost.run(['delete', '-f', join(c.dir, file), '--ignore-not-found'])).code, 0);
  }
});

test('describe and delete -v=6 send their requests to the daemon; KUBESIM_NO_DAEMON=1 sends none', () => {
  const at = `https://127\\.0\\.0\\.1:${new URL(c.url).port}`;
  const d = viaDaemon(['describe', 'deploy', 'web', '-v=6']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stderr, new RegExp(`\\] GET ${at}/apis/apps/v1/namespaces/default/deployments/web 200 OK in \\d+ milliseconds$`, 'm'));
  assert.match(d.stderr, new RegExp(`\\] GET ${at}/api/v1/namespaces/default/events 200 OK`));
  assert.match(d.stdout, /^Name: +web$/m);
  assert.equal(viaDaemon(['create', 'configmap', 'vd', '-n', 'del']).code, 0);
  const del = viaDaemon(['delete', 'cm', 'vd', '-n', 'del', '-v=6']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, 'configmap "vd" deleted\n');
  assert.match(del.stderr, new RegExp(`\\] DELETE ${at}/api/v1/namespaces/del/configmaps/vd 200 OK in \\d+ milliseconds$`, 'm'));
  assert.equal(viaDaemon(['get', 'cm', 'vd', '-n', 'del', '--ignore-not-found']).stdout, '');
  const missing = viaDaemon(['delete', 'pod', 'nope', '-v=6']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`\\] DELETE ${at}/api/v1/namespaces/default/pods/nope 404 Not Found in \\d+ milliseconds\nError from server \\(NotFound\\): pods "nope" not found\n$`));
  for (const args of [['describe', 'deploy', 'web', '-v=6'], ['delete', 'pod', 'nope', '-v=6']]) assert.doesNotMatch(inProcess(args).stderr, /round_trippers/, args.join(' '));
});

test('get -w through the daemon: the list, then each change from a watch of the server; Ctrl-C ends it with 0', async () => {
  const w = c.started([process.execPath, BIN, 'get', 'cm', '-n', 'del', '-w', '-v=6'], c.env({ KUBESIM_NO_DAEMON: '' }));
  try {
    await w.until(() => /watch=true/.test(w.err()));
    assert.match(w.err(), new RegExp(`\\] GET https://127\\.0\\.0\\.1:${new URL(c.url).port}/api/v1/namespaces/del/configmaps\\?resourceVersion=\\d+&watch=true&includeObject=None 200 OK`));
    assert.match(w.out(), /^NAME +DATA +AGE\nkube-root-ca\.crt +1 +3d\n$/);
    assert.equal(viaDaemon(['create', 'configmap', 'wc', '-n', 'del', '--from-literal=a=b']).code, 0);
    await w.until((out) => /^wc +1 +\d+s\n/m.test(out));
    w.child.kill('SIGINT');
    assert.equal(await w.exited, 0);
  } finally {
    w.child.kill();
    viaDaemon(['delete', 'cm', 'wc', '-n', 'del', '--ignore-not-found']);
  }
});

/** Records a port nobody listens on as the running daemon's address; returns what puts the record back. */
async function recordDeadAddress(): Promise<() => void> {
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const file = join(c.home, 'clusters', c.name, 'server.json');
  const rec = readFileSync(file, 'utf8');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(rec), url: `https://127.0.0.1:${closed}` }));
  return () => writeFileSync(file, rec);
}

test('a daemon that does not answer at its recorded address: get falls back to the store', async () => {
  const restore = await recordDeadAddress();
  // Its Unix socket out of the way too (the CLI would reach the daemon through it).
  const sock = join(c.home, 'clusters', c.name, 'pki', 'api.sock');
  renameSync(sock, `${sock}.away`);
  try {
    const r = viaDaemon(['get', 'pods', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /round_trippers/);
    assert.equal(r.stdout, inProcess(['get', 'pods']).stdout);
    assert.match(r.stdout, /^web-\S+ +1\/1 +Running +0 +3d$/m);
    // describe and delete too, before anything is written.
    const d = viaDaemon(['describe', 'deploy', 'web', '-v=6']);
    assert.equal(d.code, 0, d.stderr);
    assert.doesNotMatch(d.stderr, /round_trippers/);
    assert.equal(d.stdout, inProcess(['describe', 'deploy', 'web']).stdout);
    assert.equal(viaDaemon(['create', 'configmap', 'fb', '-n', 'del']).code, 0);
    const del = viaDaemon(['delete', 'cm', 'fb', '-n', 'del', '-v=6']);
    assert.deepEqual({ code: del.code, stdout: del.stdout, stderr: del.stderr }, { code: 0, stdout: 'configmap "fb" deleted\n', stderr: '' });
  } finally {
    restore();
    renameSync(`${sock}.away`, sock);
  }
});

test('the CLI reaches its daemon over the Unix socket in the private pki folder; it takes the admin token', async () => {
  const dir = join(c.home, 'clusters', c.name, 'pki');
  const sock = join(dir, 'api.sock');
  const st = statSync(sock);
  assert.ok(st.isSocket());
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  // Over the socket, a request authenticates as over HTTPS: none is anonymous, the token is the admin.
  const ask = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath: sock, path: '/api/v1/namespaces/default/services/web', headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  assert.equal((await ask({})).status, 401);
  assert.equal((await ask({ authorization: 'Bearer wrong' })).status, 401);
  const ok = await ask({ authorization: `Bearer ${readFileSync(join(dir, 'token'), 'utf8').trim()}` });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).metadata.name, 'web');
  // The recorded TCP address answering nothing: get still asks the daemon (over the socket).
  const restore = await recordDeadAddress();
  try {
    const r = viaDaemon(['get', 'deploy', 'web', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /round_trippers\.go:553\] GET https:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/default\/deployments\/web\S* 200 OK/);
    assert.equal(r.stdout, inProcess(['get', 'deploy', 'web']).stdout);
  } finally {
    restore();
  }
});
