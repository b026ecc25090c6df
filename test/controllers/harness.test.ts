// What the controller tests' harness promises them: the API server validates their objects
// as a user's, a reconcile that throws fails the run (the manager alone would log and
// retry it), and timers run at their own times as `clock advance` runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, T0 } from './harness';
import type { Reconciler } from '../../src/controllers/types';

test('the harness API server validates what tests create', async () => {
  const h = await Harness.create([], { nodes: 1 });
  await assert.rejects(
    h.api.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }),
    { message: 'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`' },
  );
});

test('a reconcile that throws fails the run; timers run at their own times, settle leaves the clock', async () => {
  const seen: number[] = [];
  let broken = false;
  const ticker: Reconciler = {
    name: 'ticker',
    primary: ['v1', 'ConfigMap'],
    reconcile(key, ctx) {
      if (key.name !== 'tick') return;
      if (broken) throw new Error('boom');
      seen.push(ctx.clock.now() - T0);
      return { requeueAfterMs: 10_000 };
    },
  };
  const h = await Harness.create([ticker]);
  await h.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tick', namespace: 'default' } });
  await h.settle();
  assert.deepEqual(seen, [0]);
  assert.equal(h.clock.now(), T0);
  await h.run(25_000);
  assert.deepEqual(seen, [0, 10_000, 20_000]);
  assert.equal(h.clock.now(), T0 + 25_000);
  broken = true;
  await assert.rejects(h.run(10_000), { message: 'a reconcile failed: ticker ConfigMap default/tick: boom' });
});
