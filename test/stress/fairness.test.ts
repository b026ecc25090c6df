// Fairness: while the daemon creates the pods of a large Deployment (one reconcile that
// writes hundreds of objects), other writers still get the store lock within a bounded wait:
// a process writing straight through the store, one write after another, and a user at the
// CLI (`create configmap`, `get pods`, `apply -f`, with the daemon running), a client already
// running on a kept-alive connection (timed at both ends: test/stress/kept-alive.ts). And the other
// way round: those users writing without a pause never stop the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore } from '../../src/store/file-store';
import { removeHome, run, runAsync, stateDir, tempHome } from './cli';
import { gatedWrite, lockWaitWatcher, storeWriter, userCommands } from './sizes';
import { keptAliveClient, timedSpread, type KeptAliveClient, type Timed } from './kept-alive';

// Three of the ReplicaSet's bursts (kube's burstReplicas, 500: one reconcile creating them
// all): a burst now takes ~0.4 s on a quiet machine, and a loaded CI run's client may see one
// in only two reads; each further burst gives it another window (a create answered between
// the bursts does not count: see inBurst). With two, a clean-clone CI run (session 37) had
// its creates answered promptly (queue 0.5-72 ms) but none bracketed by two reads of one
// burst: the reads' 30-330 ms round trips overlapped them.
const BURST = 500;
const REPLICAS = 3 * BURST;

/**
 * Reads of the pod count on one kept-alive connection and creates on another, each one after
 * another (10 ms apart), from the daemon's first answer until a read counts all the pods (or
 * `more()` says stop). Two connections: with one, a loaded CI run's client fitted only two
 * requests in a 500-pod burst (~0.4 s quiet), never read-create-read.
 */
async function alternate(counts: KeptAliveClient, creates: KeptAliveClient, more: () => boolean): Promise<Timed[]> {
  const out: Timed[] = [];
  let done = false;
  const loop = async (client: KeptAliveClient, kind: 'count' | 'create') => {
    for (let i = 0; more() && !done; i++) {
      const r = await client.request(kind, `ka-${i}`);
      out.push(r);
      if ((r.pods ?? 0) >= REPLICAS) done = true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  try {
    await Promise.all([loop(counts, 'count'), loop(creates, 'create')]);
  } finally {
    done = true;
  }
  return out.sort((a, b) => a.at - b.at);
}

test(`fairness: user writes interleave and CLI commands are answered while the daemon creates ${REPLICAS} pods`, { timeout: 300_000 }, async (t) => {
  const home = tempHome('kubesim-fair-');
  const gated: ReturnType<typeof gatedWrite>[] = [];
  let client: KeptAliveClient | undefined;
  let writer2: KeptAliveClient | undefined;
  let stopped = false;
  const deadline = Date.now() + 120_000;
  try {
    assert.equal(run(home, ['cluster', 'create', '--nodes', '1']).code, 0);
    const dir = stateDir(home);
    const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: ${REPLICAS}\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec: {containers: [{name: c, image: nginx:1.27}]}\n`;
    assert.equal(run(home, ['apply', '-f', '-'], deploy).code, 0);
    const waits = lockWaitWatcher(dir);
    const writer = storeWriter(dir, 'user', 0);
    const store = new FileStore(dir, { fsync: false });
    // Two users' writes, started now (their start-up done while the daemon starts) and given
    // their input once the burst is under way.
    const counted = () => store.list('pods/default').items.length;
    gated.push(gatedWrite(home, 'create', 'during-create', counted), gatedWrite(home, 'apply', 'during-apply', counted));
    // A client already running (one kept-alive connection): connected as soon as the daemon
    // serves, which it does before its controllers start, so it sees the whole burst.
    const started = runAsync(home, ['cluster', 'start']);
    client = await keptAliveClient(dir);
    writer2 = await keptAliveClient(dir);
    const kept = alternate(client, writer2, () => !stopped && Date.now() < deadline);
    kept.catch(() => {}); // awaited below; a test failing before must not leave it unhandled
    assert.equal((await started).code, 0);
    // Counted through the store (object files of a group are written when it lets go of the
    // lock; the journal carries them before that), at most every 50 ms: the count is a read
    // of every pod.
    let count = 0;
    let countedAt = 0;
    const pods = () => {
      if (Date.now() - countedAt >= 50) [count, countedAt] = [store.list('pods/default').items.length, Date.now()];
      return count;
    };
    while (pods() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const first = pods();
    const answered = await Promise.all(gated.map((g) => g.send()));
    // Three commands at most: more only make the test longer.
    let issued = 0;
    const cli = await userCommands(home, 'user', waits, () => issued++ < 3 && pods() < REPLICAS * 0.9 && Date.now() < deadline);
    const during = pods();
    // The daemon moves on while the writer keeps writing: a pod gets bound.
    const bound = () => store.list('pods/default').items.some((p) => p.spec?.nodeName);
    while (!bound() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const writes = await writer.stop();
    waits.close();
    const timed = await kept;
    const p99 = writes[Math.floor(writes.length * 0.99)] ?? 0;
    t.diagnostic(`store writes (one after another, from before the daemon started to the first pod bound): ${writes.length}, lock wait p50 ${writes[writes.length >> 1]} ms, p99 ${p99} ms, max ${writes.at(-1)} ms`);
    t.diagnostic(`CLI commands while pods ${first} -> ${during} were created: ${JSON.stringify(cli)}`);
    t.diagnostic(`writes given their input at ${first} pods: ${JSON.stringify(answered.map(({ ms, at, code }) => ({ ms, podsAtExit: at, code })))}`);
    const spreadOf = (f: (r: Timed) => number) => timedSpread(timed, f);
    t.diagnostic(`kept-alive client, ${timed.length} requests: round trip ${JSON.stringify(spreadOf((r) => r.rttMs))}, the daemon's share ${JSON.stringify(spreadOf((r) => r.totalMs))}, queue ${JSON.stringify(spreadOf((r) => r.queueMs))}, lock ${JSON.stringify(spreadOf((r) => r.lockMs))}; pods seen ${JSON.stringify(timed.filter((r) => r.kind === 'count').map((r) => r.pods))}`);
    // Bounded by design (a user's request goes ahead of the controllers' next store call,
    // which waits for it): a write of a client already running is answered while the
    // ReplicaSet's creates run, between two reads that saw the burst under way. The pod counts
    // come from the daemon's own answers; the order from this process's monotonic clock (a read
    // answered before the create was sent, one sent after it was answered).
    for (const r of timed) assert.ok(r.status < 300 && r.totalMs <= r.rttMs + 1, `${r.kind}: ${r.status}, the daemon's share ${r.totalMs} ms of a ${r.rttMs}-ms round trip`);
    // The brackets are by this process's clock at both ends: a read answered before the create
    // was sent, and a read sent after it was answered, both inside one burst.
    const inBurst = (r: Timed) => r.kind === 'count' && r.pods! % BURST !== 0 && r.pods! < REPLICAS;
    const burstOf = (r: Timed) => Math.floor(r.pods! / BURST);
    const reads = timed.filter(inBurst);
    const sentAt = (r: Timed) => r.at - r.rttMs;
    assert.ok(
      timed.some((c) => c.kind === 'create' && reads.some((a) => a.at < sentAt(c) && reads.some((b) => sentAt(b) > c.at && burstOf(a) === burstOf(b)))),
      `no write answered between two reads that saw one burst under way (pods strictly between two multiples of ${BURST}): ${JSON.stringify(timed.map((r) => [r.pods ?? r.kind, r.rttMs, r.queueMs, r.lockMs]))} ([pods or verb, round trip ms, queue ms, lock ms])`,
    );
    assert.deepEqual(cli.failures, []);
    // Answered, and within 10 s of their input (timed from it, not from their start: a node
    // process starting on a loaded machine takes 1-3 s). That both are answered DURING the
    // burst is not asserted: in a clean-clone CI run (session 29) a write given its input at 2
    // pods was answered 1.4 s later, when all 500 were created, although the daemon serves
    // users' requests ahead of its controllers' store calls (asUserRequest in
    // src/store/async-store.ts). Open in issue #12; the diagnostic above reports it each run.
    for (const a of answered) {
      assert.equal(a.code, 0, a.stderr);
      assert.ok(a.ms < 10_000, `a write answered ${a.ms} ms after its input, with ${a.at} of ${REPLICAS} pods created (given it at ${first})`);
    }
    assert.ok(bound(), 'no pod was bound in 2 minutes while a user kept writing');
    // The bound is the point (issue #12: 1 s at the 99th percentile). The daemon hands the
    // lock over at its next write or read once a writer waits: on a loaded 2-core machine
    // p50 15-25 ms, p99 150-290 ms; it was p50 45-70 ms, p99 1.2-1.8 s when it looked only
    // after 50 ms or 100 writes, and only at the end of a write. With under 100 commands,
    // their p99 is their max.
    assert.ok(p99 < 1000 && (writes.at(-1) ?? 0) < 2000, `store writes: p99 wait ${p99} ms, max ${writes.at(-1)} ms`);
    // With the daemon running, create and apply are written by the daemon (the CLI takes no
    // lock); the daemon answers between its reconcile's store calls (before: the first
    // `create` timed out after 30 s while the ReplicaSet's 500 creates ran).
    assert.ok(cli.lockWait.p99 < 1000, `CLI commands: lock wait p99 ${cli.lockWait.p99} ms`);
    // Under 30 s: the client's request timeout, which the first `create` used to hit.
    assert.ok(cli.wall.create.max < 30_000 && cli.wall.apply.max < 30_000, `CLI writes took up to ${Math.max(cli.wall.create.max, cli.wall.apply.max)} ms`);
  } finally {
    stopped = true;
    client?.close();
    writer2?.close();
    for (const g of gated) g.cancel();
    run(home, ['cluster', 'stop']);
    removeHome(home);
  }
});
