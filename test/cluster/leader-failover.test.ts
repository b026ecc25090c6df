// Two `kubesim serve` processes over one 3-member etcd: both serve the API, one holds the
// kube-system/kube-controller-manager Lease and reconciles. The leader is killed with
// SIGKILL while a 100-replica Deployment rolls out; the other takes the lease within the
// lease duration and finishes the rollout. A watcher on etcd (the store module, every
// revision in order) checks throughout that no ReplicaSet ever gains a pod beyond its
// replicas (two leaders, or a stale one, would create extra pods), and every write a
// server acknowledged (ConfigMaps POSTed through the servers while this happens) is kept.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { EtcdBackedCluster, until, sleep, type Server } from '../helpers/servers';
import { openEtcdStore, type EtcdStore } from '../../src/store/etcd-store';
import type { KObject } from '../../src/api/types';

let etcd: EtcdCluster | undefined;
let cluster: EtcdBackedCluster | undefined;
let watcher: EtcdStore | undefined;
let follow: Watcher | undefined;
let writing = true;
after(async () => {
  writing = false;
  if (process.env.KUBESIM_TEST_LOGS) for (const [i, s] of (cluster?.servers ?? []).entries()) writeFileSync(`${process.env.KUBESIM_TEST_LOGS}/server-${i}.log`, s.out);
  await follow?.stop().catch(() => {});
  await cluster?.close();
  await watcher?.close();
  await etcd?.close();
});

const LEASE_MS = 2000;
const ELECTION = ['--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1500ms', '--leader-elect-retry-period', '250ms'];

const timings: string[] = [];
function note(t: { diagnostic(m: string): void }, m: string): void {
  t.diagnostic(m);
  timings.push(m);
  if (process.env.KUBESIM_TEST_LOGS) writeFileSync(`${process.env.KUBESIM_TEST_LOGS}/failover-timings.log`, timings.join('\n') + '\n');
}

/** Follows etcd from a revision and checks the ReplicaSet invariant at every revision. */
class Watcher {
  readonly pods = new Map<string, KObject>();
  readonly rs = new Map<string, KObject>();
  readonly violations: string[] = [];
  readonly failures: string[] = [];
  /** holderIdentity changes of the controller-manager lease: [holder, when seen]. */
  readonly holders: [string, number][] = [];
  lease: KObject | undefined;
  private rev: number;
  /** Every change up to this revision has been seen. */
  readTo = 0;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(
    private readonly store: EtcdStore,
    from: number,
  ) {
    this.rev = from;
    this.done = this.loop();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  /** Pods that count for their ReplicaSet: not terminating, not finished. */
  ownedBy(uid: string): number {
    let n = 0;
    for (const p of this.pods.values()) {
      if (p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      if ((p.metadata.ownerReferences ?? []).some((o: any) => o.controller && o.uid === uid)) n++;
    }
    return n;
  }

  private async loop(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      try {
        await this.step();
        failures = 0;
      } catch (e) {
        // a slow moment of a loaded machine; the feed resumes from the last revision seen
        this.failures.push(String(e));
        if (++failures > 5) throw e;
      }
      await sleep(100); // every revision is read whatever the pace: this only batches them
    }
  }

  private async step(): Promise<void> {
    {
      const head = await this.store.currentRev();
      for (const ev of await this.store.changesSince(this.rev)) {
        this.rev = ev.rev;
        const [resource] = ev.key.split('/');
        if (resource === 'pods') {
          if (ev.type === 'DELETED') this.pods.delete(ev.key);
          else this.pods.set(ev.key, ev.object);
          if (ev.type !== 'ADDED') continue;
          const owner = (ev.object.metadata.ownerReferences ?? []).find((o: any) => o.controller && o.kind === 'ReplicaSet');
          const rs = owner && [...this.rs.values()].find((r) => r.metadata.uid === owner.uid);
          if (rs && this.ownedBy(rs.metadata.uid!) > rs.spec.replicas) {
            this.violations.push(`revision ${ev.rev}: pod ${ev.key} makes ${this.ownedBy(rs.metadata.uid!)} pods for ReplicaSet ${rs.metadata.name} of ${rs.spec.replicas} replicas`);
          }
        } else if (resource === 'replicasets') {
          if (ev.type === 'DELETED') this.rs.delete(ev.key);
          else this.rs.set(ev.key, ev.object);
        } else if (ev.key === 'leases/kube-system/kube-controller-manager' && ev.type !== 'DELETED') {
          this.lease = ev.object;
          const holder = ev.object.spec?.holderIdentity ?? '';
          if (this.holders[this.holders.length - 1]?.[0] !== holder) this.holders.push([holder, Date.now()]);
        }
      }
      this.readTo = head;
    }
  }
}

test('kill -9 the leading kubesim during a 100-replica rollout: another takes over within the lease duration and finishes it', async (t) => {
  const t0 = Date.now();
  etcd = await EtcdCluster.start(3, { heartbeatMs: 100 }); // no member stops: etcd's own raft timings
  const url = `${etcd.url}?timeout=10s`;
  cluster = new EtcdBackedCluster();
  cluster.ok(['cluster', 'create', 'lab', '--store', url, '--nodes', '3']);
  watcher = await openEtcdStore(etcd.endpoints.join(','), new URLSearchParams('timeout=20s'));
  const w = (follow = new Watcher(watcher, await watcher.currentRev()));

  note(t, `${Date.now() - t0}ms: cluster created`);
  const a = await cluster.serve(ELECTION);
  await until('the first server to lead', 20_000, () => (w.lease?.spec?.holderIdentity === a.identity && a.identity ? true : undefined));
  const b = await cluster.serve(ELECTION); // the recorded port is taken: another one
  assert.notEqual(b.url, a.url, 'each server listens on its own port');
  await until('the second server to see the leader', 20_000, () => (b.out.includes(`new leader elected: ${a.identity}`) ? true : undefined));
  // both serve clients
  for (const s of [a, b]) assert.equal((await cluster.request(s, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases')).status, 200);

  // Acknowledged writes: ConfigMaps POSTed through whichever server is up, before, during and
  // after the failover, until the survivor (the new leader) has acknowledged SURVIVOR_ACKS:
  // writing on all through the rollout (minutes on a loaded machine) made a large share of
  // the cluster's writes, long after the part they are here for.
  const SURVIVOR_ACKS = 30;
  const acked: [string, string][] = [];
  let target: Server = a;
  let takenOver = false;
  let afterTakeover = 0;
  const writer = (async () => {
    for (let i = 0; writing && afterTakeover < SURVIVOR_ACKS; i++) {
      const name = `ack-${i}`;
      const res = await cluster!
        .request(target, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }, 5000, true)
        .catch(() => undefined);
      if (res?.status === 201) {
        acked.push([name, String(i)]);
        if (takenOver) afterTakeover++;
      }
      await sleep(100);
    }
  })();

  await cluster.okAsync(['create', 'deployment', 'web', '--image', 'nginx', '--replicas', '100']);
  // Mid-rollout: the ReplicaSet has started making pods (read from etcd directly: the
  // watcher may run behind on a loaded machine; it checks every revision all the same).
  await until('the rollout to be under way', 30_000, async () => ((await watcher!.list('pods/default')).items.length >= 1 ? true : undefined), 20);
  const podsAtKill = (await watcher.list('pods/default')).items.length;
  note(t, `${Date.now() - t0}ms: killing the leader`);
  await a.kill('SIGKILL');
  const killedAt = Date.now();
  const available = Number((await watcher.get('deployments/default/web'))?.status?.availableReplicas ?? 0);
  target = b;
  const taken = await until('the second server to take the lease', 20_000, async () => {
    const l = await watcher!.get('leases/kube-system/kube-controller-manager');
    return l?.spec?.holderIdentity === b.identity ? l : undefined;
  }, 50);
  takenOver = true;
  const holder = taken.spec.holderIdentity;
  // acquireTime is the new leader's clock (this machine's) when it sent the update
  const takeover = Date.parse(taken.spec.acquireTime) - killedAt;
  note(t, `takeover ${takeover}ms after the kill (lease ${LEASE_MS}ms); ${podsAtKill} pods existed and ${available} were available at the kill`);
  assert.equal(holder, b.identity);
  // The candidate waits a lease duration from the last renewal it saw (before the kill),
  // then acquires on its next retry: within the lease duration, plus a retry period and
  // the time the write takes on a loaded machine.
  assert.ok(takeover <= LEASE_MS + 1500, `took over ${takeover}ms after the kill`);
  assert.ok(podsAtKill < 100 || available < 100, `the kill came mid-rollout (${podsAtKill} pods, ${available} available)`);

  // The new leader finishes the rollout, as the real kubectl watching through the survivor
  // sees it (kubesim's CLI in-process here would decode every change of the cluster from
  // etcd for minutes, a tenth of the file's CPU; its rollout status has its own tests).
  // (a deadline, not a wait: at a load average of 20 on 2 cores the rollout took minutes)
  const pki = (f: string) => join(cluster!.home, 'clusters', cluster!.name, 'pki', f);
  const kubectl = ['--server', b.url, '--certificate-authority', pki('ca.crt'), '--client-certificate', pki('admin.crt'), '--client-key', pki('admin.key')];
  const status = await cluster.runAsync('/usr/bin/kubectl', [...kubectl, 'rollout', 'status', 'deployment/web', '--timeout', '240s'], 300_000, { KUBECONFIG: join(cluster.dir, 'none') });
  assert.equal(status.code, 0, `kubectl (/usr/bin/kubectl, v1.32, must be installed): ${status.stdout}${status.stderr}\nserver log:\n${b.out.slice(-3000)}`);
  assert.match(status.stdout, /deployment "web" successfully rolled out/);
  note(t, `${Date.now() - t0}ms: rolled out`);
  writing = false;
  await writer;
  const head = await watcher.currentRev();
  await until('the watcher to see every change', 20_000, () => (w.readTo >= head ? true : undefined));
  await w.stop();

  assert.deepEqual(w.violations, [], 'no ReplicaSet ever owned more pods than its replicas');
  assert.ok(w.failures.length <= 5, `the watcher kept up: ${w.failures.join('; ')}`);
  const running = [...w.pods.values()].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  assert.equal(running.length, 100);
  assert.equal(w.rs.size, 1);
  assert.equal(w.ownedBy([...w.rs.values()][0].metadata.uid!), 100);

  // The lease: one transition, held by the survivor, renewed.
  const lease = (await cluster.request(b, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).body;
  assert.equal(lease.spec.holderIdentity, b.identity);
  assert.equal(lease.spec.leaseTransitions, 1);
  assert.equal(lease.spec.leaseDurationSeconds, 2);
  assert.match(lease.spec.acquireTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.ok(lease.spec.renewTime >= lease.spec.acquireTime);
  assert.match(a.identity, /^[^_]+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  // LeaderElection events, as kube-controller-manager records them
  const events = await cluster.okAsync(['get', 'events', '-n', 'kube-system', '--field-selector', 'reason=LeaderElection', '-o', 'jsonpath={range .items[*]}{.message}|{.involvedObject.kind}/{.involvedObject.name}|{.source.component}{"\\n"}{end}']);
  for (const id of [a.identity, b.identity]) assert.ok(events.includes(`${id} became leader|Lease/kube-controller-manager|kube-controller-manager`), events);

  // Every acknowledged write is there, read back through the surviving server.
  assert.ok(acked.length > 10, `${acked.length} writes acknowledged`);
  assert.equal(afterTakeover, SURVIVOR_ACKS, 'writes were acknowledged by the survivor after the takeover');
  const list = (await cluster.request(b, 'GET', '/api/v1/namespaces/default/configmaps')).body;
  const kept = new Map<string, string>(list.items.map((o: KObject) => [o.metadata.name, o.data?.i]));
  for (const [n, i] of acked) assert.equal(kept.get(n), i, `acknowledged ${n} is kept with its value`);
});
