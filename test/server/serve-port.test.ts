// `kubesim serve --port N` on a cluster created with another port: the announced context
// reaches the server (its kubeconfig entry follows the port), for kubectl and for a
// later restart without --port.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freePort } from '../../src/kubeconfig/cluster-entry';
import { ServedCluster } from './harness';

const c = new ServedCluster('moved');
after(() => c.stop());

test('serve --port N: kubectl --context kubesim-<name> reaches the server on N', async () => {
  c.ok(['cluster', 'create', c.name, '--nodes', '1']);
  const created = /server: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))![1];
  let port = await freePort();
  while (created.endsWith(`:${port}`)) port = await freePort();
  // the harness fails when the kubeconfig does not point at the address served
  await c.serve(['--port', String(port)]);
  assert.equal(c.url, `https://127.0.0.1:${port}`);
  const r = c.kubectl(['--context', 'kubesim-moved', 'get', 'nodes', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node/node-1\n');
});
