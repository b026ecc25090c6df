// `cluster create` / `cluster delete` / `kubesim kubeconfig` and the user's kubeconfig:
// merged kind-style (other entries and the current context kept unless switching),
// written 0600, KUBECONFIG respected, entries removed on delete.

import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Sandbox } from '../e2e/helpers';

// Each test makes its own clusters in its own empty home.
let sb!: Sandbox;
beforeEach(() => (sb = new Sandbox()));
afterEach(() => sb.cleanup());

const FOREIGN = `apiVersion: v1
kind: Config
clusters:
- cluster: {server: https://example.invalid:6443}
  name: other
users:
- name: other
  user: {token: secret-token}
contexts:
- context: {cluster: other, user: other, namespace: team}
  name: other
current-context: other
preferences: {}
`;

const names = (c: any, k: string) => (c[k] ?? []).map((e: any) => e.name).sort();

test('create merges the context kubesim-<name> and keeps everything else', () => {
  const file = join(sb.home, 'kc');
  writeFileSync(file, FOREIGN, { mode: 0o644 });
  const env = { KUBECONFIG: file };
  assert.equal(sb.run(['cluster', 'create', 'a', '--nodes', '1', '--no-switch'], { env }).code, 0);
  let c = parse(readFileSync(file, 'utf8'));
  assert.deepEqual(names(c, 'contexts'), ['kubesim-a', 'other']);
  assert.deepEqual(names(c, 'clusters'), ['kubesim-a', 'other']);
  assert.deepEqual(names(c, 'users'), ['kubesim-a', 'other']);
  assert.equal(c['current-context'], 'other', '--no-switch keeps the current context');
  assert.equal(c.users.find((u: any) => u.name === 'other').user.token, 'secret-token');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const a = c.clusters.find((x: any) => x.name === 'kubesim-a').cluster;
  assert.match(a.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(Buffer.from(a['certificate-authority-data'], 'base64').toString(), /BEGIN CERTIFICATE/);
  const u = c.users.find((x: any) => x.name === 'kubesim-a').user;
  assert.match(Buffer.from(u['client-key-data'], 'base64').toString(), /BEGIN RSA PRIVATE KEY/);
  const pki = join(sb.home, 'clusters', 'a', 'pki');
  for (const f of ['ca.key', 'admin.key', 'apiserver.key', 'token']) assert.equal(statSync(join(pki, f)).mode & 0o777, 0o600, f);
  assert.equal(statSync(pki).mode & 0o777, 0o700);

  assert.equal(sb.run(['cluster', 'create', 'b', '--nodes', '1', '--port', '45678'], { env }).code, 0);
  c = parse(readFileSync(file, 'utf8'));
  assert.equal(c['current-context'], 'kubesim-b');
  assert.equal(c.clusters.find((x: any) => x.name === 'kubesim-b').cluster.server, 'https://127.0.0.1:45678');

  const printed = parse(sb.run(['kubeconfig', 'a'], { env }).stdout);
  assert.deepEqual(names(printed, 'contexts'), ['kubesim-a']);
  assert.equal(printed['current-context'], 'kubesim-a');
  assert.deepEqual(printed.clusters[0], c.clusters.find((x: any) => x.name === 'kubesim-a'));

  assert.equal(sb.run(['cluster', 'delete', 'b'], { env }).code, 0);
  c = parse(readFileSync(file, 'utf8'));
  assert.deepEqual(names(c, 'contexts'), ['kubesim-a', 'other']);
  assert.equal(c['current-context'], '');
  assert.ok(!existsSync(`${file}.lock`));
});

test('KUBECONFIG with several files: the first that exists is written', () => {
  const missing = join(sb.home, 'missing');
  const present = join(sb.home, 'present');
  writeFileSync(present, FOREIGN);
  assert.equal(sb.run(['cluster', 'create', 'c', '--nodes', '1'], { env: { KUBECONFIG: `${missing}:${present}` } }).code, 0);
  assert.ok(!existsSync(missing));
  assert.deepEqual(names(parse(readFileSync(present, 'utf8')), 'contexts'), ['kubesim-c', 'other']);
});
