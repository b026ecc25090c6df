// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11s): a learner's walk of
// the everyday verbs, kubectl and kubesim's CLI side by side. What differed and is now the
// same: `events --types` taken case-insensitively (kubectl's strings.EqualFold), `scale` of
// what --as may not read (kubectl's "no objects passed to scale" wrapping the server's
// refusal), and `diff --as` asking as that user (it read and dry-ran as the admin).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster } from './harness';

const c = new ServedCluster('fid11s');
const WEB = join(__dirname, '..', '..', 'manifests', 'web.yaml');

before(() => c.setUp({ kubectl: true, manifest: readFileSync(WEB, 'utf8') }));

after(() => c.stop());

// kubectl events -o name prints nothing; ages move with kubectl's clock: the events by their object and reason
const EACH = ['-o', 'jsonpath={range .items[*]}{.involvedObject.name}/{.type}/{.reason}{"\\n"}{end}'];

test('events --types in any case, as kubectl: the same events, and the same refusal of an unknown type', async () => {
  const [, normal] = await c.alike(['events', '--types', 'Normal', ...EACH]);
  assert.match(normal, /^web\/Normal\/ScalingReplicaSet$/m);
  for (const types of ['normal', 'NORMAL,warning', 'Warning,normal']) {
    const [code, out, err] = await c.alike(['events', '--types', types, ...EACH]);
    assert.deepEqual([code, out, err], [0, normal, ''], types);
  }
  const [, none] = await c.alike(['events', '--types', 'warning', ...EACH]);
  assert.equal(none, '');
  assert.deepEqual(await c.alike(['events', '--types', 'warnin']), [1, '', 'error: valid --types are Normal or Warning\n']);
});

test('scale of what --as may not read: kubectl\'s "no objects passed to scale" with the refusal, exit 1', async () => {
  const [code, out, err] = await c.alike(['scale', 'deploy/web', '--replicas', '1', '--as', 'jane']);
  assert.deepEqual([code, out], [1, '']);
  assert.equal(err, 'error: no objects passed to scale deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "default"\n');
  assert.match((await c.alike(['scale', 'deploy', '--all', '--replicas', '1', '--as', 'jane']))[2], /^error: no objects passed to scale deployments.apps is forbidden: User "jane" cannot list resource "deployments"/);
  assert.deepEqual(await c.alike(['scale', 'deploy/nope', '--replicas', '1']), [1, '', 'error: no objects passed to scale deployments.apps "nope" not found\n']);
  // nothing was scaled
  assert.equal((await c.alike(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']))[1], '3');
});

test('diff --as asks as that user: refused on the first object it may not read, exit 2', async () => {
  const [code, out, err] = await c.alike(['diff', '-f', WEB, '--as', 'jane']);
  assert.deepEqual([code, out, err], [2, '', 'Error from server (Forbidden): configmaps "web-config" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "default"\n']);
  // as the admin: no difference, exit 0
  assert.deepEqual(await c.alike(['diff', '-f', WEB]), [0, '', '']);
});

test('no resource named: the builder\'s errors, a selector\'s own one, as kubectl prints them', async () => {
  const MISSING = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n";
  const SELECTOR = 'error: at least one resource must be specified to use a selector\n';
  for (const args of [['scale', '--replicas', '1'], ['scale', '--all', '--replicas', '1'], ['edit'], ['patch', '-p', '{}'], ['set', 'selector', 'app=x'], ['set', 'serviceaccount', 'sa'], ['delete']]) {
    assert.deepEqual(await c.alike(args), [1, '', MISSING], args.join(' '));
  }
  for (const args of [['delete', '-l', 'app=web'], ['delete', '--all'], ['delete', '--field-selector', 'metadata.name=x'], ['scale', '-l', 'app=web', '--replicas', '1']]) {
    assert.deepEqual(await c.alike(args), [1, '', SELECTOR], args.join(' '));
  }
});

test('scale --dry-run=client of any kind: printed scaled, nothing sent (the server refuses a kind without /scale)', async () => {
  assert.deepEqual(await c.alike(['scale', '-f', WEB, '--replicas', '3', '--dry-run=client']), [0, 'configmap/web-config scaled (dry run)\ndeployment.apps/web scaled (dry run)\nservice/web scaled (dry run)\n', '']);
  assert.deepEqual(await c.alike(['scale', 'cm/web-config', '--replicas', '3', '--dry-run=server']), [1, '', 'Error from server (NotFound): the server could not find the requested resource\n']);
});
