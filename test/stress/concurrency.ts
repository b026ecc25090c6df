// N workers run the CLI side by side on overlapping objects (apply, label, patch, scale,
// delete) for a bounded time; then the store must hold up: every object file parses,
// revisions are unique and increasing, no acknowledged write is missing or rolled back.
import assert from 'node:assert/strict';
import { assertNoReplicaSetOverOwns, configMap, hasStackTrace, journalRevs, registryObjects, run, runAsync, type Run } from './cli';
import { rng } from './corpus-util';

export interface ConcurrencyFigures {
  workers: number;
  operations: number;
  acknowledged: number;
  lost: number;
}

const SHARED = 4;

/**
 * With `daemon`, the cluster's reconcile daemon runs throughout (it writes pods, ReplicaSets
 * and statuses while the workers write), and afterwards the controllers must converge with
 * no ReplicaSet owning more pods than its replicas.
 */
export async function concurrencyRun(home: string, workers: number, durationMs: number, seed: number, opts: { daemon?: boolean } = {}): Promise<ConcurrencyFigures> {
  if (opts.daemon) {
    const created = run(home, ['cluster', 'create', '--nodes', '3']);
    assert.equal(created.code, 0, created.stderr);
    const started = run(home, ['cluster', 'start'], '', 30_000);
    assert.equal(started.code, 0, started.stderr);
  }
  try {
    return await exercise(home, workers, durationMs, seed, opts);
  } finally {
    if (opts.daemon) run(home, ['cluster', 'stop']);
  }
}

async function exercise(home: string, workers: number, durationMs: number, seed: number, opts: { daemon?: boolean }): Promise<ConcurrencyFigures> {
  const setup = run(home, ['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  }));
  assert.equal(setup.code, 0, setup.stderr);
  const lastOwn = new Map<number, number>();
  const failures: string[] = [];
  let operations = 0;
  let acknowledged = 0;
  const deadline = Date.now() + durationMs;
  const check = (what: string, r: Run, allowed: RegExp) => {
    operations++;
    if (r.code === 0) acknowledged++;
    if (hasStackTrace(r.stdout + r.stderr)) failures.push(`${what}: stack trace\n${r.stderr}`);
    else if (r.code !== 0 && !allowed.test(r.stderr)) failures.push(`${what}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`);
    return r.code === 0;
  };
  const worker = async (w: number) => {
    const r = rng(seed * 100 + w);
    let n = 0;
    while (Date.now() < deadline) {
      n++;
      const k = Math.floor(r() * SHARED);
      const op = Math.floor(r() * 6);
      if (op === 0 || op === 1) {
        const res = await runAsync(home, ['apply', '-f', '-'], configMap(`own-${w}`, { n: String(n) }));
        if (check(`apply own-${w}`, res, /^$/)) lastOwn.set(w, n);
      } else if (op === 2) {
        check(`apply shared-${k}`, await runAsync(home, ['apply', '-f', '-'], configMap(`shared-${k}`, { by: String(w), n: String(n) })), /conflict|the object has been modified|already exists|not found/i);
      } else if (op === 3) {
        check(`label shared-${k}`, await runAsync(home, ['label', `configmap/shared-${k}`, `by=w${w}`, '--overwrite']), /not found/);
      } else if (op === 4) {
        const r2 = await runAsync(home, ['patch', 'configmap', `shared-${k}`, '--type=merge', '-p', JSON.stringify({ data: { patched: String(n) } })]);
        check(`patch shared-${k}`, r2, /not found|unknown command/);
      } else {
        if (r() < 0.5) check(`delete shared-${k}`, await runAsync(home, ['delete', 'configmap', `shared-${k}`, '--ignore-not-found']), /not found/);
        else check('scale web', await runAsync(home, ['scale', 'deployment/web', `--replicas=${1 + Math.floor(r() * 5)}`]), /conflict|the object has been modified|unknown command/i);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} unexpected failures of ${operations} operations`);

  // Every object parses; resourceVersions are unique; the journal's revisions only grow.
  const objects = registryObjects(home);
  const rvs = [...objects.values()].map((o) => Number(o.metadata.resourceVersion));
  assert.equal(new Set(rvs).size, rvs.length, 'two objects share a resourceVersion');
  const revs = journalRevs(home);
  for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `journal revision ${revs[i]} after ${revs[i - 1]} (line ${i + 1})`);
  const maxRev = revs.length ? revs[revs.length - 1] : 0;
  for (const rv of rvs) assert.ok(rv <= maxRev, `object revision ${rv} beyond the journal's last ${maxRev}`);

  // No acknowledged write is missing or rolled back: each worker's own object holds its last acknowledged value.
  let lost = 0;
  const list = run(home, ['get', 'configmaps', '-o', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const live = new Map((JSON.parse(list.stdout).items as { metadata: { name: string }; data: { n: string } }[]).map((o) => [o.metadata.name, o]));
  for (const [w, n] of lastOwn) {
    const got = live.get(`own-${w}`)?.data?.n;
    if (got !== String(n)) lost++;
    assert.equal(got, String(n), `own-${w}: last acknowledged n=${n}, store has ${got}`);
  }
  const all = run(home, ['get', 'all', '-A']);
  assert.equal(all.code, 0, all.stderr);

  if (opts.daemon) {
    // The daemon stops cleanly; the controllers then settle with the Deployment as last scaled.
    assert.match(run(home, ['cluster', 'stop']).stdout, /daemon stopped/);
    const settle = run(home, ['reconcile', '--until-stable'], '', 120_000);
    assert.equal(settle.code, 0, settle.stdout + settle.stderr);
    const ready = run(home, ['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.status.readyReplicas}']).stdout.split(' ');
    assert.equal(ready[0], ready[1], `deployment web: replicas ${ready[0]}, ready ${ready[1]}`);
    assertNoReplicaSetOverOwns(home);
  }
  return { workers, operations, acknowledged, lost };
}
