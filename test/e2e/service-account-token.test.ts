// `create token`: the token kubesim issues is accepted by the cluster's API server as the
// service account (the real kubectl sends it), and one signed by nobody is refused.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ServedCluster } from '../server/harness';

const c = new ServedCluster();
before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
});
after(() => c.stop());

test('a service account token authenticates as the service account', { timeout: 120_000 }, () => {
  c.ok(['create', 'serviceaccount', 'robot']);
  const token = c.ok(['create', 'token', 'robot']).trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; aud: string[]; exp: number; iat: number };
  assert.equal(claims.sub, 'system:serviceaccount:default:robot');
  assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(claims.exp - claims.iat, 3600);

  const denied = c.kubectl(['--token', token, 'get', 'pods']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"/);


  const forged = token.slice(0, token.lastIndexOf('.') + 1) + Buffer.from('nope').toString('base64url');
  const bad = c.kubectl(['--token', forged, 'get', 'pods']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Unauthorized/);

  const yaml = c.ok(['create', 'token', 'robot', '--duration=2h', '--audience=api', '-o', 'yaml']);
  assert.match(yaml, /^apiVersion: authentication\.k8s\.io\/v1\nkind: TokenRequest\n/);
  assert.match(yaml, /\n  audiences:\n  - api\n/);
  assert.match(yaml, /\n  expirationSeconds: 7200\n/);
  // kubectl 1.32 wraps the TokenRequest's error (test/server/token-csr.test.ts checks the real one).
  assert.equal(c.kubesim(['create', 'token', 'nosuch']).stderr, 'error: failed to create token: serviceaccounts "nosuch" not found\n');
  assert.match(c.kubesim(['create', 'token', 'robot', '--duration=1m']).stderr, /may not specify a duration less than 10 minutes/);
});
