// The controller manager's work queue: delayed keys become ready at their due time, in any
// order of adding, however often promote() looks (the daemon looks every 50 ms and skips
// the scan while nothing can be due).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/controllers/queue';

const item = (name: string) => ({ reconciler: 'r', key: { kind: 'Pod', namespace: 'default', name } });
const drain = (q: WorkQueue) => {
  const out: string[] = [];
  for (let it = q.pop(); it; it = q.pop()) out.push(it.key.name);
  return out;
};

test('delayed keys are promoted at their due time, whatever the order they were added in', () => {
  const q = new WorkQueue();
  q.addAt(item('late'), 3000);
  q.promote(1000);
  assert.deepEqual(drain(q), []);
  q.addAt(item('early'), 1500); // earlier than anything held: promote must not skip it
  q.addAt(item('mid'), 2000);
  q.promote(1499);
  assert.deepEqual(drain(q), []);
  q.promote(1500);
  assert.deepEqual(drain(q), ['early']);
  q.promote(2999);
  assert.deepEqual(drain(q), ['mid']);
  q.addAt(item('late'), 2500); // an earlier due time for a held key wins
  q.promote(2500);
  assert.deepEqual(drain(q), ['late']);
  assert.equal(q.delayedCount(), 0);
  assert.equal(q.nextDue(), undefined);
});

test('a key made ready supersedes its timer; promote after that still finds the others', () => {
  const q = new WorkQueue();
  q.addAt(item('a'), 100);
  q.addAt(item('b'), 200);
  q.add(item('a'));
  assert.deepEqual(drain(q), ['a']);
  q.promote(150);
  assert.deepEqual(drain(q), []);
  q.promote(200);
  assert.deepEqual(drain(q), ['b']);
  q.addAt(item('s'), 10_000, false, true);
  q.promoteSweeps();
  assert.deepEqual(drain(q), ['s']);
  q.addAt(item('c'), 300);
  q.promote(300);
  assert.deepEqual(drain(q), ['c']);
});

test("a first-lane reconciler's keys run before older keys of the others (kube-scheduler is not queued behind the kubelets)", () => {
  const q = new WorkQueue();
  q.runFirst('scheduler');
  const of = (reconciler: string, name: string) => ({ reconciler, key: { kind: 'Pod', namespace: 'default', name } });
  q.add(of('kubelet', 'a'));
  q.add(of('kubelet', 'b'));
  q.add(of('scheduler', 'c'));
  q.addAt(of('scheduler', 'd'), 100);
  q.addAt(of('kubelet', 'e'), 50);
  q.promote(100);
  assert.equal(q.readyCount(), 5);
  q.add(of('scheduler', 'c')); // queued twice before it runs: once
  assert.equal(q.readyCount(), 5);
  const order: string[] = [];
  for (let it = q.pop(); it; it = q.pop()) order.push(`${it.reconciler}/${it.key.name}`);
  assert.deepEqual(order, ['scheduler/c', 'scheduler/d', 'kubelet/a', 'kubelet/b', 'kubelet/e']);
  assert.equal(q.readyCount(), 0);
});

test('keys due together go ready in the order they were first delayed (an earlier time keeps a key\'s place), not by due time', () => {
  const q = new WorkQueue();
  q.addAt(item('a'), 300);
  q.addAt(item('b'), 100);
  q.addAt(item('c'), 200);
  q.addAt(item('a'), 50); // earlier: keeps its place
  q.addAt(item('d'), 150);
  q.add(item('b')); // ready now: its timer is gone
  assert.deepEqual(drain(q), ['b']);
  q.addAt(item('b'), 120); // delayed again: after the others
  q.promote(300);
  assert.deepEqual(drain(q), ['a', 'c', 'd', 'b']);
  // Many timers, most replaced: the due ones, once each, in the order they were delayed.
  for (let i = 0; i < 5000; i++) q.addAt(item(`k${i}`), 10_000 - i);
  for (let i = 0; i < 5000; i += 2) q.addAt(item(`k${i}`), 1_000 + i);
  q.promote(5_000);
  assert.deepEqual(drain(q), Array.from({ length: 2001 }, (_, j) => `k${2 * j}`));
  assert.equal(q.delayedCount(), 2999);
  q.promote(10_000);
  assert.equal(drain(q).length, 2999);
  assert.equal(q.nextDue(), undefined);
});
