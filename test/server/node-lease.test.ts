// The kubelets' node Leases through the real kubectl 1.32, with the cluster's controllers
// running (`kubesim serve` as the daemon, ten cluster seconds a second): a watch sees each
// renewal as a MODIFIED event with a later renewTime and a higher resourceVersion, and a
// stopped node's Lease stops moving while the node controller marks it NotReady.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, ServedCluster, sleep } from './harness';

const c = new ServedCluster('leases');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '2'], prepare: [['clock', 'speed', '10']], serveEnv: { KUBESIM_NO_DAEMON: '' } });
});
after(() => c.stop());

/** `type name resourceVersion renewTime` per event line of a `get leases -w --output-watch-events` in jsonpath. */
function events(out: string, node: string): { type: string; rv: number; renewTime: number }[] {
  return out.split('\n').map((l) => l.split(' ')).filter((f) => f[1] === node).map(([type, , rv, renewTime]) => ({ type: type!, rv: Number(rv), renewTime: Date.parse(renewTime!) }));
}

test('kubectl get leases -w: each renewal a MODIFIED event, renewTime ~10 s later, resourceVersion higher', async () => {
  const w = c.started([KUBECTL, 'get', 'leases', '-n', 'kube-node-lease', '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name} {.object.metadata.resourceVersion} {.object.spec.renewTime}{"\\n"}']);
  try {
    await w.until((out) => events(out, 'node-1').length >= 4);
    const seen = events(w.out(), 'node-1');
    assert.equal(seen[0]!.type, 'ADDED', w.out());
    for (let i = 1; i < seen.length; i++) {
      assert.equal(seen[i]!.type, 'MODIFIED', w.out());
      assert.ok(seen[i]!.rv > seen[i - 1]!.rv, `resourceVersion moves: ${w.out()}`);
      const gap = seen[i]!.renewTime - seen[i - 1]!.renewTime;
      // renewInterval 10 s and no sooner (rounded up to a step of 0.4 s, the lease
      // controller's jitter; a daemon behind on a loaded machine renews late, never twice)
      assert.ok(gap >= 10_000 && gap < 20_000, `renewTime ${gap} ms after the last: ${w.out()}`);
    }
  } finally {
    w.child.kill('SIGTERM');
  }
  // The renewal is the kubelet's write: its managedFields entry moves with it.
  const lease = JSON.parse(c.kubectl(['get', 'lease', '-n', 'kube-node-lease', 'node-1', '-o', 'json', '--show-managed-fields']).stdout);
  const [entry] = lease.metadata.managedFields;
  assert.deepEqual(lease.metadata.managedFields.map((e: any) => [e.manager, e.operation]), [['kubelet', 'Update']]);
  // The server stamps its entry when the renewal is written: the renewTime's second or, on a
  // loaded machine whose write crossed into the next second, a later one (within 2 s).
  const renewed = Math.floor(Date.parse(lease.spec.renewTime) / 1000) * 1000;
  const stamped = Date.parse(entry.time);
  assert.ok(stamped >= renewed && stamped <= renewed + 2_000, `managedFields time ${entry.time}, renewTime ${lease.spec.renewTime}`);
});

test('a stopped node: its Lease stops moving, the node goes NotReady after the 50 s grace period', async () => {
  c.ok(['node', 'stop', 'node-2']);
  const renewTime = () => Date.parse(c.kubectl(['get', 'lease', '-n', 'kube-node-lease', 'node-2', '-o', 'jsonpath={.spec.renewTime}']).stdout);
  const ready = () => c.kubectl(['get', 'node', 'node-2', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout;
  const deadline = Date.now() + 60_000;
  while (ready() !== 'Unknown') {
    assert.ok(Date.now() < deadline, `node-2 still ${ready()}`);
    await sleep(200);
  }
  const last = renewTime();
  const nodes = c.kubectl(['get', 'nodes', '--no-headers']).stdout;
  assert.match(nodes, /^node-2\s+NotReady\s/m);
  assert.match(nodes, /^node-1\s+Ready\s/m);
  // node-1's Lease moves on over the next renewal interval (1 s of wall time here); node-2's does not.
  const other = () => Date.parse(c.kubectl(['get', 'lease', '-n', 'kube-node-lease', 'node-1', '-o', 'jsonpath={.spec.renewTime}']).stdout);
  const before = other();
  const until = Date.now() + 30_000;
  while (other() === before) {
    assert.ok(Date.now() < until, 'node-1 was not renewed');
    await sleep(200);
  }
  assert.equal(renewTime(), last, 'the stopped node was renewed');
  // NotReady 50 s after the stop, which came within a renewal interval of its last renewal.
  const since = Date.parse(c.kubectl(['get', 'node', 'node-2', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}']).stdout) - last;
  assert.ok(since >= 49_000 && since <= 61_000, `NotReady ${since} ms after the last renewal`);
});
