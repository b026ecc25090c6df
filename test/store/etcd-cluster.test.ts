// A kubesim cluster kept in a real 3-member etcd, driven through the CLI as a user would:
// `cluster create --store etcd://…`, a Deployment reconciled to Running pods (its objects
// under /registry/ as etcdctl sees them), `cluster status` showing the backend, a second
// state directory (another machine) attaching to the same cluster, snapshot and restore
// of the current cluster, a cluster profile naming the store, and a clear bounded error
// once the quorum is lost.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { Sandbox } from '../e2e/helpers';

let etcd: EtcdCluster | undefined;
const boxes: Sandbox[] = [];
after(async () => {
  await etcd?.close();
  for (const b of boxes) rmSync(b.home, { recursive: true, force: true });
});

test('a cluster on etcd: create, reconcile, status, a second client, snapshot/restore, quorum loss', async () => {
  etcd = await EtcdCluster.start(3);
  const url = `${etcd.url}?timeout=2s`;
  const a = new Sandbox();
  const b = new Sandbox();
  boxes.push(a, b);

  assert.equal(a.ok(['cluster', 'create', 'lab', '--store', url, '--nodes', '2']), 'cluster "lab" created with 2 nodes; current context is now "lab"\n');
  a.ok(['create', 'deployment', 'web', '--image', 'nginx', '--replicas', '3']);
  a.ok(['reconcile', '--until-stable']);
  const pods = a.ok(['get', 'pods', '--no-headers']).trim().split('\n');
  assert.equal(pods.length, 3);
  for (const line of pods) assert.match(line, /^web-\S+\s+1\/1\s+Running\s+0\s/);
  // the state is in etcd, laid out as kube-apiserver does, not in the directory
  const keys = etcd.etcdctl(['get', '--prefix', '/registry/', '--keys-only']).split('\n').filter(Boolean);
  assert.ok(keys.includes('/registry/deployments/default/web'));
  assert.equal(keys.filter((k) => k.startsWith('/registry/pods/default/web-')).length, 3);
  assert.equal(keys.filter((k) => k.startsWith('/registry/nodes/')).length, 2);

  const status = a.ok(['cluster', 'status']);
  assert.match(status, /\nNodes:\s+2\n/);
  assert.match(status, new RegExp(`Store:\\s+${url.replace(/[?.]/g, '\\$&')}\\n`));
  assert.match(status, /\| +ENDPOINT +\| +ID +\| VERSION \| DB SIZE \| REVISION \| IS LEADER \|/);
  // Member IDs print as %x (15 hex digits when the first is 0), centred in their column.
  for (const ep of etcd.endpoints) assert.match(status, new RegExp(`\\| ${ep.replace(/\./g, '\\.')} \\| +[0-9a-f]+ \\|`));
  assert.equal(status.match(/\|\s+true \|\s+false \|/g)?.length, 1, 'one leader');

  // another state directory (another machine) attaches to the same cluster and sees it
  assert.equal(b.ok(['cluster', 'create', 'lab', '--store', url]), 'cluster "lab" attached to the cluster state already in ' + url + '; current context is now "lab"\n');
  assert.match(b.ok(['get', 'deployment', 'web', '--no-headers']), /^web\s+3\/3\s+3\s+3\s/);
  b.ok(['scale', 'deployment', 'web', '--replicas', '1']);
  b.ok(['reconcile', '--until-stable']);
  assert.equal(a.ok(['get', 'pods', '--no-headers']).trim().split('\n').length, 1);

  // snapshot of the current cluster (etcd's own), a change, and the restore
  const file = join(a.home, 'lab.snapshot');
  assert.match(a.ok(['snapshot', 'save', file]), /^Snapshot saved at .* \(etcd snapshot, \d+ bytes/);
  a.ok(['delete', 'deployment', 'web']);
  assert.equal(a.run(['get', 'deployment', 'web']).code, 1);
  assert.match(a.ok(['snapshot', 'restore', file]), /^Snapshot restored from .*: \d+ objects \([1-9]\d* created, \d+ updated, \d+ deleted\)\n$/);
  assert.match(b.ok(['get', 'deployment', 'web', '--no-headers']), /^web\s+1\/1\s+1\s+1\s/);

  // the store named in a cluster profile (`store:`), as with --store
  const c = new Sandbox();
  boxes.push(c);
  const profile = c.file('cluster.yaml', `apiVersion: kubesim.io/v1alpha1\nkind: ClusterProfile\nnodes: {count: 1}\nstore: ${url}\n`);
  assert.equal(c.ok(['cluster', 'create', 'lab', '--config', profile]), 'cluster "lab" attached to the cluster state already in ' + url + '; current context is now "lab"\n');
  assert.match(c.ok(['get', 'deployment', 'web', '--no-headers']), /^web\s+1\/1\s+1\s+1\s/);
  const badProfile = c.file('bad.yaml', 'nodes: {count: 1}\nstore: /var/lib/etcd\n');
  const bad = c.run(['cluster', 'create', 'other', '--config', badProfile]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: invalid cluster profile .*bad\.yaml:\n  \/store: must match pattern "\^etcd:\/\/"\n$/);

  // quorum lost: a bounded, clear error naming the members that are down
  await etcd.stop(1);
  await etcd.stop(2);
  const t0 = Date.now();
  const r = a.run(['create', 'configmap', 'x', '--from-literal', 'k=v']);
  const took = Date.now() - t0;
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /unreachable etcd endpoints: /);
  for (const i of [1, 2]) assert.ok(r.stderr.includes(etcd.endpoints[i]), r.stderr);
  assert.ok(r.stderr.includes(`(reachable: ${etcd.endpoints[0]}, but etcd needs 2 of 3 members to serve; `), r.stderr);
  assert.doesNotMatch(r.stderr, /circuit breaker/);
  assert.ok(took < 20_000, `took ${took}ms`);
});
