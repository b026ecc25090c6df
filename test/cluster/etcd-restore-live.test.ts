// `kubesim snapshot restore` into a cluster on a 3-member etcd while an elected `kubesim
// serve` reconciles it: the restore stands the leader down (takes the controller-manager
// Lease, waits its duration), puts the saved state back, and releases the lease. The
// cluster is then exactly as saved (every key under /registry/ with its saved value; the
// leader Lease and the LeaderElection events record the running processes, not the saved
// cluster), and stays so once a leader reconciles it again. Without standing the leader
// down, its ReplicaSet controller recreated the pods the restore was deleting and its node
// lease renewals made the restore fail half-way with a revision conflict; without fencing
// the leader's writes in etcd (store/etcd-store.ts), a kubelet's renewal held up on a loaded
// machine past the leader's term landed after the restore had put its node lease back.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { EtcdBackedCluster, until, sleep } from '../helpers/servers';

let etcd: EtcdCluster | undefined;
let cluster: EtcdBackedCluster | undefined;
after(async () => {
  await cluster?.close();
  await etcd?.close();
});

const ELECTION = ['--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1500ms', '--leader-elect-retry-period', '250ms'];
const LEADER_LEASE = '/registry/leases/kube-system/kube-controller-manager';

/** Every key under /registry/ with its value, as etcdctl reads them (at revision `rev`, when given). */
function dump(c: EtcdCluster, rev?: number): Map<string, any> {
  const res = JSON.parse(c.etcdctl(['get', '--prefix', '/registry/', '-w', 'json', ...(rev ? [`--rev=${rev}`] : [])])) as { kvs?: { key: string; value: string }[] };
  const out = new Map<string, any>();
  for (const kv of res.kvs ?? []) out.set(Buffer.from(kv.key, 'base64').toString(), JSON.parse(Buffer.from(kv.value, 'base64').toString()));
  return out;
}

/**
 * The revision of the restore's last write, its release of the leader Lease (holder
 * cleared): the Lease's history read back from etcd, newest first. The state at that
 * revision is what the restore left; by the time the command has returned, the server may
 * have taken the lease again and its kubelets renewed their node leases.
 */
function releasedAt(c: EtcdCluster): number {
  let at: number | undefined;
  for (let i = 0; i < 200; i++) {
    const res = JSON.parse(c.etcdctl(['get', LEADER_LEASE, '-w', 'json', ...(at ? [`--rev=${at}`] : [])])) as { kvs: { value: string; mod_revision: number }[] };
    const kv = res.kvs[0];
    if (!JSON.parse(Buffer.from(kv.value, 'base64').toString()).spec?.holderIdentity) return kv.mod_revision;
    at = kv.mod_revision - 1;
  }
  throw new Error('no release of the leader lease in its last 200 versions');
}

/** The differences between two dumps, leaving out what records the running processes. */
function differences(saved: Map<string, any>, now: Map<string, any>): string[] {
  const process = (k: string, v: any) => k === LEADER_LEASE || (k.startsWith('/registry/events/') && v?.reason === 'LeaderElection');
  const diffs: string[] = [];
  for (const [k, v] of saved) {
    if (process(k, v)) continue;
    if (!now.has(k)) diffs.push(`missing ${k}`);
    else if (JSON.stringify(now.get(k)) !== JSON.stringify(v)) diffs.push(`changed ${k}`);
  }
  for (const [k, v] of now) if (!saved.has(k) && !process(k, v)) diffs.push(`extra ${k}`);
  return diffs;
}

test('snapshot restore while an elected leader reconciles: the cluster is exactly as saved', async () => {
  etcd = await EtcdCluster.start(3);
  cluster = new EtcdBackedCluster();
  cluster.ok(['cluster', 'create', 'lab', '--store', `${etcd.url}?timeout=10s`, '--nodes', '2']);
  const leader = await cluster.serve(ELECTION);
  await until('the server to lead', 20_000, () => (leader.out.includes('successfully acquired lease') ? true : undefined));
  await cluster.okAsync(['create', 'deployment', 'web', '--image', 'nginx', '--replicas', '3']);
  const podKeys = () => [...dump(etcd!).keys()].filter((k) => k.startsWith('/registry/pods/default/web-'));
  const running = async (n: number) => {
    const r = await cluster!.kubesimAsync(['get', 'pods', '--no-headers']);
    return r.stdout.trim().split('\n').filter((l) => / Running /.test(l)).length === n ? true : undefined;
  };
  await until('3 pods Running', 60_000, () => running(3), 250);
  const file = join(cluster.dir, 'lab.snapshot');
  assert.match(await cluster.okAsync(['snapshot', 'save', file]), /^Snapshot saved at /);
  const saved = dump(etcd);

  // the leader scales up: pods the restore will delete, a ReplicaSet it will scale back
  await cluster.okAsync(['scale', 'deployment', 'web', '--replicas', '30']);
  await until('30 pods', 60_000, () => (podKeys().length === 30 ? true : undefined), 250);
  assert.notDeepEqual(differences(saved, dump(etcd)), []);

  const r = await cluster.kubesimAsync(['snapshot', 'restore', file]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Snapshot restored from .*: \d+ objects \(\d+ created, [1-9]\d* updated, [1-9]\d* deleted\)\n$/);
  assert.match(r.stderr, new RegExp(`^waiting 2s \\(the lease duration\\) for the elected leader ${leader.identity} to stop reconciling\\n$`));
  assert.deepEqual(differences(saved, dump(etcd, releasedAt(etcd))), [], 'the cluster is exactly as saved');

  // the lease was released and the server leads again; reconciling the restored state
  // changes nothing but heartbeats (3 pods for 3 replicas, all Running)
  await until('the server to lead again', 20_000, () => (leader.out.split('successfully acquired lease').length > 2 ? true : undefined));
  await sleep(2000);
  // (the simulated kubelets renew their node leases: heartbeats, not a change of state)
  const later = differences(saved, dump(etcd)).filter((d) => !d.startsWith('changed /registry/leases/kube-node-lease/'));
  assert.deepEqual(later, [], 'still as saved once a leader reconciles it');
  assert.equal(podKeys().length, 3);
  assert.match(leader.out, /failed to renew lease kube-system\/kube-controller-manager: the lease is held by kubesim-snapshot-restore_/);
});
