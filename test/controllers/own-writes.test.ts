// A reconciler's own write (Result.wroteVersion) does not queue its key again; anyone else's
// write of the same object does. The kubelet relies on it: every one of its syncs of a
// starting pod does something (an event or a status), none is a pass over its own status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/types';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from '../../src/controllers/types';
import { ControllerManager } from '../../src/controllers/manager';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { createScheduler } from '../../src/controllers/scheduler';
import { createKubelet } from '../../src/kubelet/index';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';

const T0 = Date.parse('2025-01-01T00:00:00Z');

async function cluster(nodes: number) {
  await loadValidation();
  return createMemoryCluster(defaultProfile('test', { nodes }), { now: T0, seed: 7, validator: apiValidator() });
}

/** Labels a ConfigMap `seen=<runs>` at each pass, telling the manager its write when `own`. */
function labeller(own: boolean, runs: string[]): Reconciler {
  return {
    name: 'labeller',
    primary: ['v1', 'ConfigMap'],
    primaryFilter: (o) => o.metadata.name === 'cm',
    async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
      const rt = ctx.api.registry.forKind('v1', 'ConfigMap');
      const cm = await ctx.api.get(rt, key.namespace, key.name);
      runs.push(cm.metadata.resourceVersion!);
      if (runs.length > 5) return; // the unmarked variant would go on forever
      cm.metadata.labels = { ...cm.metadata.labels, seen: String(runs.length) };
      const written = await ctx.api.update(cm);
      return own ? { wroteVersion: written.metadata.resourceVersion } : undefined;
    },
  };
}

test('a reconciler is not queued again by the version it wrote itself, but is by a later write of anyone else', async () => {
  const c = await cluster(0);
  const rt = c.api.registry.forKind('v1', 'ConfigMap');
  const runs: string[] = [];
  const manager = new ControllerManager([labeller(true, runs)], c.ctx);
  await c.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1' } });
  assert.equal((await manager.runUntilStable()).stable, true);
  assert.equal(runs.length, 1, 'its own write did not wake it');
  assert.equal((await c.api.get(rt, 'default', 'cm')).metadata.labels?.seen, '1');

  // A user's change of the object it wrote: looked at again.
  const user = await c.api.get(rt, 'default', 'cm');
  user.data = { a: '2' };
  const userVersion = (await c.api.update(user)).metadata.resourceVersion;
  await manager.runUntilStable();
  assert.deepEqual(runs.slice(1), [userVersion], 'the user\'s version was reconciled, once');
  assert.equal((await c.api.get(rt, 'default', 'cm')).metadata.labels?.seen, '2');
});

test('without wroteVersion a reconciler\'s own write wakes it again (level-triggered as before)', async () => {
  const c = await cluster(0);
  const runs: string[] = [];
  const manager = new ControllerManager([labeller(false, runs)], c.ctx);
  await c.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1' } });
  await manager.runUntilStable();
  assert.equal(runs.length, 6);
});

test('the kubelet starting a pod: every sync writes something (no pass over its own status), the pod Running with its events', async () => {
  const c = await cluster(1);
  const kubelet = createKubelet();
  const syncs: Array<{ rev: number; wrote: boolean }> = [];
  const counted: Reconciler = {
    ...kubelet,
    async reconcile(key, ctx) {
      const before = await ctx.api.currentRev();
      const r = await kubelet.reconcile(key, ctx);
      syncs.push({ rev: before, wrote: (await ctx.api.currentRev()) !== before });
      return r;
    },
  };
  const manager = new ControllerManager([createScheduler(), counted], c.ctx);
  // Running already (its first look lists everything), as when a Deployment's pods appear.
  await manager.runUntilStable();
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
  await c.api.create(pod);
  assert.equal((await manager.runUntilStable()).stable, true);
  const stored = await c.api.get(c.api.registry.forKind('v1', 'Pod'), 'default', 'p');
  assert.equal(stored.status.phase, 'Running');
  assert.deepEqual(stored.status.conditions.map((x: any) => `${x.type}=${x.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  const events = (await c.api.list(c.api.registry.forKind('v1', 'Event'), { namespace: 'default' })).items
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => e.reason);
  assert.deepEqual(events, ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
  assert.deepEqual(syncs.map((s) => s.wrote), [true, true, true, true], 'a sync per stage (pulling, pulled, created, started), each writing');

  // A user's change of the running pod still reaches the kubelet.
  const podType = c.api.registry.forKind('v1', 'Pod');
  await c.api.mutate(podType, 'default', 'p', (p) => {
    p.metadata.labels = { touched: 'yes' };
  });
  await manager.runUntilStable();
  assert.equal(syncs.length, 5, 'the label change was synced');
});
