// A served cluster on a real 3-member etcd, seen through the API server as clients see it
// (HTTPS requests and the real kubectl): with one member stopped, reads and writes go on;
// with two stopped, a write fails with a kube-apiserver Status naming the unreachable
// endpoints (kubectl prints it), OpenAPI and discovery are still served from memory (real
// `kubectl explain` of a custom resource works), the daemon stops leading (it cannot renew its lease); once
// the members return, every acknowledged write is there and the daemon leads again.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { EtcdBackedCluster, until } from '../helpers/servers';
import { KUBECTL, requireKubectl } from '../server/harness';

let etcd: EtcdCluster | undefined;
let cluster: EtcdBackedCluster | undefined;
after(async () => {
  if (process.env.KUBESIM_TEST_LOGS) for (const [i, s] of (cluster?.servers ?? []).entries()) writeFileSync(`${process.env.KUBESIM_TEST_LOGS}/quorum-server-${i}.log`, s.out);
  await cluster?.close();
  await etcd?.close();
});

/** The index of the member that leads, as etcd reports it. */
function leaderIndex(c: EtcdCluster): number {
  const status = JSON.parse(c.etcdctl(['endpoint', 'status', '-w', 'json'])) as { Endpoint: string; Status: { header: { member_id: number }; leader: number } }[];
  const lead = status.find((x) => x.Status.header.member_id === x.Status.leader);
  assert.ok(lead, 'a leader');
  return c.endpoints.findIndex((e) => lead!.Endpoint.endsWith(e));
}

test('etcd members fail under a served cluster: one down goes on, two down is a clear Status, nothing acknowledged is lost', async () => {
  requireKubectl();
  etcd = await EtcdCluster.start(3);
  cluster = new EtcdBackedCluster();
  cluster.ok(['cluster', 'create', 'lab', '--store', `${etcd.url}?timeout=2s`, '--nodes', '1']);
  const server = await cluster.serve(['--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1500ms', '--leader-elect-retry-period', '250ms']);
  await until('the daemon to lead', 20_000, () => (server.out.includes('successfully acquired lease') ? true : undefined));
  const kubectl = (args: string[]) => spawnSync(KUBECTL, ['--context', 'kubesim-lab', ...args], { env: cluster!.env(), encoding: 'utf8', timeout: 60_000 });
  // With no quorum each request waits out the etcd timeout: those commands run side by side.
  const kubectlAsync = (args: string[]) => cluster!.runAsync(KUBECTL, ['--context', 'kubesim-lab', ...args], 60_000, {}, cluster!.dir);

  const acked = new Map<string, string>();
  const post = async (name: string) => {
    const res = await cluster!.request(server, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: name } });
    if (res.status === 201) acked.set(name, res.body.metadata.resourceVersion);
    return res;
  };
  for (let i = 0; i < 5; i++) assert.equal((await post(`before-${i}`)).status, 201);
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.quorum.example.com' }, spec: { group: 'quorum.example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { sprockets: { type: 'integer', description: 'How many sprockets the gadget has.' } } } } } } }] } };
  assert.equal((await cluster.request(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
  await until('the CRD to be served', 20_000, async () => ((await cluster!.request(server, 'GET', '/apis/quorum.example.com/v1/namespaces/default/gadgets')).status === 200 ? true : undefined), 200);

  // One member down (the raft leader): after the election, writes and reads go on.
  const first = leaderIndex(etcd);
  await etcd.stop(first);
  await until('a write with one member down', 15_000, async () => ((await post('one-down-0')).status === 201 ? true : undefined), 200);
  for (let i = 1; i < 5; i++) assert.equal((await post(`one-down-${i}`)).status, 201);
  const r1 = kubectl(['get', 'configmaps', '-o', 'name']);
  assert.equal(r1.status, 0, r1.stderr);
  for (const n of acked.keys()) assert.ok(r1.stdout.includes(`configmap/${n}\n`), `${n} listed`);

  // Two down: no quorum. The server answers a write with a Status naming both endpoints.
  const second = [0, 1, 2].find((i) => i !== first)!;
  await etcd.stop(second);
  const down = [etcd.endpoints[first], etcd.endpoints[second]].sort();
  const res = await post('no-quorum');
  assert.equal(res.status, 500);
  assert.equal(res.body.kind, 'Status');
  assert.equal(res.body.status, 'Failure');
  assert.equal(res.body.reason, 'InternalError');
  assert.match(res.body.message, /^Internal error occurred: etcd: cannot [^:]+: unreachable etcd endpoints: /);
  for (const ep of down) assert.ok(res.body.message.includes(ep), `${res.body.message} names ${ep}`);
  assert.ok(!res.body.message.includes(`unreachable etcd endpoints: ${etcd.endpoints[3 - first - second]}`));
  // kubectl shows it (create configmap wraps the server's error, as it does for any)
  writeFileSync(join(cluster.dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-apply}\ndata: {k: v}\n');
  const compared = [['create', 'configmap', 'by-kubesim', '--from-literal', 'k=v'], ['get', 'configmap', 'before-0'], ['apply', '--validate=false', '-f', 'cm.yaml'], ['label', 'configmap', 'before-0', 'a=b'], ['delete', 'configmap', 'before-1']];
  const [k, g, ...pairs] = await Promise.all([
    kubectlAsync(['create', 'configmap', 'by-kubectl', '--from-literal', 'k=v']),
    kubectlAsync(['get', 'configmap', 'before-0']),
    ...compared.map((args) => Promise.all([kubectlAsync(args), cluster!.kubesimAsync(args, 60_000, { KUBESIM_NO_DAEMON: undefined }, cluster!.dir)])),
  ]);
  assert.equal(k.code, 1);
  assert.match(k.stderr, /^error: failed to create configmap: Internal error occurred: etcd: cannot [^:]+: unreachable etcd endpoints: /);
  assert.equal(g.code, 1);
  assert.match(g.stderr, /^Error from server \(InternalError\): Internal error occurred: etcd: cannot [^:]+: unreachable etcd endpoints: /);
  for (const ep of down) assert.ok(k.stderr.includes(ep), k.stderr);
  // OpenAPI is served from memory, as kube-apiserver serves it: the built-in definitions and
  // the CRD's schema, and the real kubectl explains the custom resource through it.
  const v2 = await cluster.request(server, 'GET', '/openapi/v2');
  assert.equal(v2.status, 200, JSON.stringify(v2.body).slice(0, 300));
  assert.ok(v2.body.definitions['io.k8s.api.core.v1.Pod'], 'v2 has the built-in definitions');
  const v3 = await cluster.request(server, 'GET', '/openapi/v3');
  assert.equal(v3.status, 200, JSON.stringify(v3.body).slice(0, 300));
  assert.ok(v3.body.paths['apis/quorum.example.com/v1'], 'v3 lists the CRD group');
  const gv = await cluster.request(server, 'GET', '/openapi/v3/apis/quorum.example.com/v1');
  assert.equal(gv.status, 200, JSON.stringify(gv.body).slice(0, 300));
  assert.equal(gv.body.components.schemas['com.example.quorum.v1.Gadget'].properties.spec.properties.sprockets.type, 'integer');
  const explain = kubectl(['explain', 'gadgets.spec.sprockets']);
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(explain.stdout, /How many sprockets the gadget has\./);
  // kubesim's CLI, a client of the same daemon, printed what kubectl printed for the same Status
  // (the etcd client's last failure, in parentheses, may differ between two requests).
  const same = (s: string) => s.replace(/(unreachable etcd endpoints: [^(]+)\([^)]*\)/g, '$1(...)');
  for (const [i, [want, mine]] of pairs.entries()) {
    assert.deepEqual({ code: mine.code, stdout: mine.stdout, stderr: same(mine.stderr) }, { code: want.code, stdout: want.stdout, stderr: same(want.stderr) }, compared[i].join(' '));
  }
  // the daemon could not renew its lease: it stopped reconciling
  await until('the daemon to stop leading', 20_000, () => (server.out.includes('leaderelection lost') ? true : undefined));

  // Both back: every acknowledged write is there (at its acknowledged revision), writes
  // work again, and the daemon leads again.
  await etcd.restart(first);
  await etcd.restart(second);
  await etcd.waitHealthy();
  const list = await until('a list once the members are back', 20_000, async () => {
    const r = await cluster!.request(server, 'GET', '/api/v1/namespaces/default/configmaps');
    return r.status === 200 ? r.body : undefined;
  }, 200);
  const got = new Map<string, string>(list.items.map((o: any) => [o.metadata.name, o.metadata.resourceVersion]));
  for (const [name, rv] of acked) assert.equal(got.get(name), rv, `${name} kept as acknowledged`);
  assert.ok(!got.has('no-quorum') && !got.has('by-kubectl') && !got.has('by-kubesim') && !got.has('by-apply'), 'the refused writes were not applied');
  await until('a write once the members are back', 20_000, async () => ((await post('after-return')).status === 201 ? true : undefined), 200);
  await until('the daemon to lead again', 20_000, () => (server.out.split('successfully acquired lease').length >= 3 ? true : undefined));
});
