// Fairness: while the daemon creates the pods of a large Deployment (one reconcile that
// writes thousands of objects), other writers still get the store lock within a bounded wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore } from '../../src/store/file-store';
import { removeHome, run, stateDir, tempHome } from './cli';

const REPLICAS = 600;

test(`fairness: user writes interleave while the daemon creates ${REPLICAS} pods`, { timeout: 300_000 }, async (t) => {
  const home = tempHome('kubesim-fair-');
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '1']).code, 0);
    const dir = stateDir(home);
    const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: ${REPLICAS}\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: c, image: nginx:1.27}]}\n`;
    assert.equal(run(home, ['apply', '-f', '-'], deploy).code, 0);
    assert.equal(run(home, ['cluster', 'start']).code, 0);
    const store = new FileStore(dir, { fsync: false });
    // Counted through the store (object files of a group are written when it lets go of the
    // lock; the journal carries them before that).
    const pods = () => store.list('pods/default').items.length;
    // Wait until the ReplicaSet's reconcile is creating pods, then write while it does, one
    // write after another: on a quiet machine the 600 pods take a few hundred milliseconds, so
    // a write every 20 ms (as before) saw the whole burst with one or two samples.
    const deadline = Date.now() + 120_000;
    while (pods() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const waits: number[] = [];
    let i = 0;
    while (pods() < REPLICAS * 0.9 && Date.now() < deadline) {
      const t0 = Date.now();
      store.create(`configmaps/default/user-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `user-${i}`, namespace: 'default' } });
      waits.push(Date.now() - t0);
      i++;
      await new Promise((r) => setImmediate(r));
    }
    waits.sort((a, b) => a - b);
    const p99 = waits[Math.floor(waits.length * 0.99)] ?? 0;
    t.diagnostic(`user writes while the pods were created: ${waits.length}, p50 ${waits[waits.length >> 1]} ms, p99 ${p99} ms, max ${waits.at(-1)} ms; pods ${pods()}`);
    // The bound is the point (issue #12: 1 s at the 99th percentile). The daemon hands the
    // lock over at its next write or read once a writer waits: on a loaded 2-core machine
    // p50 15-25 ms, p99 150-290 ms; it was p50 45-70 ms, p99 1.2-1.8 s when it looked only
    // after 50 ms or 100 writes, and only at the end of a write.
    assert.ok(waits.length >= 1, `no user write was made while ${pods()} pods were created`);
    assert.ok(p99 < 1000 && (waits.at(-1) ?? 0) < 2000, `p99 wait ${p99} ms, max ${waits.at(-1)} ms`);
  } finally {
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});
