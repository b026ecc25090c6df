// `kubesim get` as a client of the cluster's daemon: with the daemon serving, get sends
// REST requests (a Table for the human output, objects for -o) and prints exactly what the
// in-process path (KUBESIM_NO_DAEMON=1) prints on the same cluster, with the same exit code.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { ServedCluster } from './harness';

const c = new ServedCluster('cli');
/** The CLI with the daemon in charge (what a user gets), and the in-process path. */
const viaDaemon = (args: string[]) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '' } });
const inProcess = (args: string[]) => c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '1' } });

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
  ]) {
    const r = viaDaemon(args);
    assert.equal(r.code, 0, r.stderr);
  }
  const r = viaDaemon(['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  const w = viaDaemon(['apply', '-f', c.file('w.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: big}\n')]);
  assert.equal(w.code, 0, w.stderr);
  // Every object three days old: AGE reads `3d` for the next hour, whenever each side runs.
  assert.equal(viaDaemon(['clock', 'advance', '3d']).code, 0);
});
after(() => c.stop());

test('get -v=6 sends its requests to the daemon; KUBESIM_NO_DAEMON=1 sends none', () => {
  const port = new URL(c.url).port;
  const r = viaDaemon(['get', 'pods', '-v=6']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^I\\d{4} [\\d:.]+ +\\d+ round_trippers\\.go:553\\] GET https://127\\.0\\.0\\.1:${port}/api/v1/namespaces/default/pods\\?includeObject=None 200 OK in \\d+ milliseconds$`, 'm'));
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

test('get through the daemon prints what the in-process path prints, with its exit code', () => {
  for (const args of SAME) {
    const remote = viaDaemon(args);
    const local = inProcess(args);
    assert.deepEqual({ code: remote.code, stdout: remote.stdout, stderr: remote.stderr }, { code: local.code, stdout: local.stdout, stderr: local.stderr }, args.join(' '));
  }
});

test('a daemon that does not answer at its recorded address: get falls back to the store', async () => {
  // A port nobody listens on, recorded as the running daemon's address.
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const file = join(c.home, 'clusters', c.name, 'server.json');
  const rec = readFileSync(file, 'utf8');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(rec), url: `https://127.0.0.1:${closed}` }));
  try {
    const r = viaDaemon(['get', 'pods', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /round_trippers/);
    assert.equal(r.stdout, inProcess(['get', 'pods']).stdout);
    assert.match(r.stdout, /^web-\S+ +1\/1 +Running +0 +3d$/m);
  } finally {
    writeFileSync(file, rec);
  }
});
