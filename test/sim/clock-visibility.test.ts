// The cluster clock another process reads is never behind a timestamp it can already read
// (kubectl prints `<invalid>` for an age in the future). A writer inside a store group (a
// `clock advance`, a `reconcile` pass) used to defer the clock to the group's release while
// the objects it stamped were readable from the journal at once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCluster, openCluster } from '../../src/cluster/cluster';
import { defaultProfile } from '../../src/sim/profile';
import { age } from '../../src/printers/duration';
import { advanceClusterInProcess } from '../../src/cli/in-process';
import type { ClockState } from '../../src/api/sim-state';
import type { KObject } from '../../src/api/types';

test('a reader never sees an object stamped after the clock it reads, even while the writer holds a group', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-clock-vis-'));
  try {
    const writer = await createCluster(home, 'c', defaultProfile('c', { nodes: 1 }));
    const reader = await openCluster(home, 'c');
    const cmType = writer.api.registry.forKind('v1', 'ConfigMap');
    await writer.api.group(async () => {
      for (let i = 0; i < 3; i++) {
        await writer.clock.advance(3_600_000);
        await writer.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `stamped-${i}`, namespace: 'default' }, data: {} });
        // Another process (a `get`) while the group is still open.
        await reader.clock.refresh();
        const seen = await reader.api.get(cmType, 'default', `stamped-${i}`);
        const created = Date.parse(seen.metadata.creationTimestamp!);
        const now = reader.clock.now();
        assert.ok(now >= created, `reader's clock ${new Date(now).toISOString()} is behind ${seen.metadata.name}'s creationTimestamp ${seen.metadata.creationTimestamp}`);
        assert.notEqual(age(seen.metadata.creationTimestamp!, now), '<invalid>');
      }
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('an in-process clock advance publishes the end of the jump first, then runs each stop at its own time', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-clock-vis-'));
  try {
    const writer = await createCluster(home, 'c', defaultProfile('c', { nodes: 1 }));
    const reader = await openCluster(home, 'c');
    const cron = await writer.api.create({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: 'default' },
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo tick'] }] } } } } },
    } as KObject);
    // What another process reads at every stop of the jump (read synchronously when called).
    const seen: Array<[number, Promise<ClockState | undefined>]> = [];
    const hold = writer.clock.hold.bind(writer.clock);
    writer.clock.hold = (t) => {
      if (t !== undefined) seen.push([t, reader.api.sim.clock()]);
      hold(t);
    };
    const from = writer.clock.now();
    await advanceClusterInProcess(writer.api, 'c', 3 * 60_000);
    assert.ok(seen.length >= 3, `${seen.length} stops`);
    // The jump's end as published at its first stop: the clock follows the wall clock until
    // the jump starts, which may be a little after `from` (a minute boundary crossed between).
    const end = (await seen[0][1])!.virtualAnchor;
    for (const [t, state] of seen) {
      const published = (await state)!.virtualAnchor;
      assert.ok(published >= from + 3 * 60_000, `a stop at ${new Date(t).toISOString()} saw the shared clock at ${new Date(published).toISOString()}`);
    }
    // Each firing ran at its minute, not at the end of the jump.
    const jobs = (await reader.api.list(reader.api.registry.forKind('batch/v1', 'Job'), { namespace: 'default' })).items;
    // One per minute boundary after the CronJob's creation, up to the jump's end: three, or
    // four when the cluster's clock (following the wall clock until the jump) crossed a
    // minute between the create and the jump's start.
    const created = Date.parse(cron.metadata.creationTimestamp!);
    const minutes = Math.floor(end / 60_000) - Math.floor(created / 60_000);
    assert.equal(jobs.length, minutes);
    assert.ok(minutes === 3 || minutes === 4, `${minutes} minutes`);
    for (const j of jobs) assert.equal(Date.parse(j.metadata.creationTimestamp!) % 60_000, 0, String(j.metadata.creationTimestamp));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
