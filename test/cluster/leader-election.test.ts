// The leader-election module over a real ApiServer (memory store): client-go's rules for
// acquiring, renewing and taking over a coordination.k8s.io Lease, step by step on a clock
// the test moves; the fence that refuses a former leader's writes; and whole campaigns
// (run) handing the lease over on shutdown, with the LeaderElection events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WriteFence } from '../../src/store/store';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { fence, LeaderElector, leaseHeld, microTime, NotLeaderError } from '../../src/controllers/leader-election';

async function openApi(): Promise<ApiServer> {
  await loadValidation();
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  return api;
}

const leaseType = (api: ApiServer) => api.registry.forKind('coordination.k8s.io/v1', 'Lease');
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: {} });

test('acquire, renew, take over after a lease duration unrenewed, fence the former leader', async () => {
  const api = await openApi();
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = () => now;
  const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, now: clock };
  const e1 = new LeaderElector({ api, identity: 'host-a_1', ...timings });
  const e2 = new LeaderElector({ api, identity: 'host-b_2', ...timings });
  assert.match(new LeaderElector({ api }).identity, /^[^_]+_[0-9a-f-]{36}$/, 'hostname_uuid by default');

  assert.equal(await e1.tryAcquireOrRenew(), true);
  let lease = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  assert.deepEqual(lease.spec, { holderIdentity: 'host-a_1', leaseDurationSeconds: 15, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 });
  assert.equal(microTime(Date.parse('2026-12-01T10:00:00.123Z')), '2026-12-01T10:00:00.123000Z');
  assert.equal(e1.isLeader(), true);
  assert.equal(await leaseHeld(api, now), true);

  // a candidate waits while the lease is renewed
  assert.equal(await e2.tryAcquireOrRenew(), false);
  assert.equal(e2.isLeader(), false);
  now += 2000;
  assert.equal(await e1.tryAcquireOrRenew(), true);
  lease = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  assert.equal(lease.spec.acquireTime, microTime(now - 2000), 'a renewal keeps acquireTime');
  assert.equal(lease.spec.renewTime, microTime(now));
  const renewedAt = now;

  // The fence: the leader's controllers write while it surely holds the lease.
  const fenced = fence(api, e1);
  await fenced.create(cm('while-leading'));
  await fenced.sim.setFlag('x');
  assert.equal((await fenced.get(api.registry.forKind('v1', 'ConfigMap'), 'default', 'while-leading')).metadata.name, 'while-leading');

  // The candidate saw the renewal at `renewedAt` (its own clock): it may take over a lease
  // duration later, not before.
  now = renewedAt + 1;
  assert.equal(await e2.tryAcquireOrRenew(), false);
  now = renewedAt + 10_000;
  // renewDeadline passed without a renewal: the former leader's writes are refused from now
  // on, before anyone else can hold the lease (renewDeadline < leaseDuration).
  assert.equal(e1.isLeader(), false);
  await assert.rejects(fenced.create(cm('after-deadline')), NotLeaderError);
  await assert.rejects(fenced.sim.setFlag('y'), NotLeaderError);
  await assert.rejects(fenced.mutate(api.registry.forKind('v1', 'ConfigMap'), 'default', 'while-leading', (o) => void (o.data = { x: '1' })), NotLeaderError);
  assert.equal(await api.tryGet(api.registry.forKind('v1', 'ConfigMap'), 'default', 'after-deadline'), undefined);
  // reads go on
  assert.equal((await fenced.list(api.registry.forKind('v1', 'ConfigMap'), { namespace: 'default' })).items.some((o) => o.metadata.name === 'while-leading'), true);
  now = renewedAt + 14_999;
  assert.equal(await e2.tryAcquireOrRenew(), false);
  now = renewedAt + 16_000;
  assert.equal(await e2.tryAcquireOrRenew(), true);
  lease = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  assert.equal(lease.spec.holderIdentity, 'host-b_2');
  assert.equal(lease.spec.leaseTransitions, 1);
  assert.equal(lease.spec.acquireTime, microTime(now));

  // the former leader finds the lease taken: it cannot renew
  assert.equal(await e1.tryAcquireOrRenew(), false);
  assert.equal(e1.observedHolder, 'host-b_2');
  assert.equal(await leaseHeld(api, now), true);
  assert.equal(await leaseHeld(api, now + 17_000), false, 'an unrenewed lease is not held');
});

test('the fence: writes (and what runs writes) reach the store under the write fence, reads do not', async () => {
  const api = await openApi();
  const e = new LeaderElector({ api, identity: 'host-a_1' });
  assert.equal(await e.tryAcquireOrRenew(), true);
  // a store with a fence (as etcd's): each operation noted with whether it ran under one
  const fences = new AsyncLocalStorage<WriteFence>();
  const ops: string[] = [];
  const store = api.store as unknown as Record<string, (...a: unknown[]) => unknown>;
  store.fenced = (f: unknown, fn: unknown) => fences.run(f as WriteFence, fn as () => unknown);
  for (const op of ['get', 'list', 'create', 'update', 'readMeta', 'writeMeta']) {
    const orig = store[op].bind(store);
    store[op] = (...args: unknown[]) => (ops.push(`${op}${fences.getStore() ? ' fenced' : ''}`), orig(...args));
  }
  const f = fence(api, e);
  const cmType = api.registry.forKind('v1', 'ConfigMap');
  /** What `what` asked of the store: the writes, then the reads, each with whether it ran fenced. */
  const step = async (what: () => Promise<unknown>) => {
    ops.length = 0;
    await what();
    const kinds = (write: boolean) => [...new Set(ops.filter((o) => /^(create|update|writeMeta)/.test(o) === write))].sort();
    return { writes: kinds(true), reads: kinds(false) };
  };
  const write = async (what: () => Promise<unknown>, expected: string[]) => {
    const r = await step(what);
    assert.deepEqual(r.writes, expected);
    assert.deepEqual(r.reads.filter((o) => !o.endsWith(' fenced')), [], 'reads inside a write run under its fence');
  };
  await write(() => f.create(cm('a')), ['create fenced']);
  assert.deepEqual(await step(() => f.get(cmType, 'default', 'a')), { writes: [], reads: ['get'] });
  assert.deepEqual(await step(() => f.list(cmType, { namespace: 'default' })), { writes: [], reads: ['list'] });
  await write(() => f.sim.setFlag('x'), ['writeMeta fenced']);
  assert.deepEqual(await step(() => f.sim.flag('x')), { writes: [], reads: ['readMeta'] });
  // what writes through nested calls: a server-side apply (the proxy's update), a batch whose callback uses the server itself
  await write(() => f.apply(cmType, { ...cm('a'), data: { k: 'v' } }, { fieldManager: 'test', force: false }), ['update fenced']);
  await write(() => f.batch(() => api.create(cm('b'))), ['create fenced']);
});

test('two candidates racing for an expired lease: the resourceVersion lets exactly one win', async () => {
  const api = await openApi();
  let now = 1_000_000;
  const mk = (id: string) => new LeaderElector({ api, identity: id, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500, now: () => now });
  const old = mk('old');
  assert.equal(await old.tryAcquireOrRenew(), true);
  const [c1, c2] = [mk('c1'), mk('c2')];
  await c1.tryAcquireOrRenew();
  await c2.tryAcquireOrRenew();
  now += 3001;
  const won = await Promise.all([c1.tryAcquireOrRenew(), c2.tryAcquireOrRenew()]);
  assert.deepEqual(won.filter(Boolean).length, 1, `exactly one wins: ${won}`);
  const lease = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  assert.equal(lease.spec.holderIdentity, won[0] ? 'c1' : 'c2');
  assert.equal(lease.spec.leaseTransitions, 1);
});

test('invalid timings are refused as client-go refuses them', async () => {
  const api = await openApi();
  assert.throws(() => new LeaderElector({ api, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration must be greater than renewDeadline/);
  assert.throws(() => new LeaderElector({ api, leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadline must be greater than retryPeriod\*JitterFactor/);
});

test('campaigns: the leader runs until stopped, releases the lease, the other takes over at once; LeaderElection events', async () => {
  const api = await openApi();
  const timings = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 100 };
  const logs: string[] = [];
  const e1 = new LeaderElector({ api, identity: 'one', ...timings, log: (m) => logs.push(`one: ${m}`) });
  const e2 = new LeaderElector({ api, identity: 'two', ...timings, log: (m) => logs.push(`two: ${m}`) });
  const stop1 = new AbortController();
  const stop2 = new AbortController();
  const terms: string[] = [];
  const lead = (who: string) => async (term: AbortSignal) => {
    terms.push(`${who} leads`);
    await new Promise<void>((r) => term.addEventListener('abort', () => r(), { once: true }));
    terms.push(`${who} stops`);
  };
  const run1 = e1.run(stop1.signal, lead('one'));
  const until = async (what: string, ok: () => boolean) => {
    const end = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until('one to lead', () => terms.includes('one leads'));
  const run2 = e2.run(stop2.signal, lead('two'));
  await until('two to see the leader', () => logs.includes('two: new leader elected: one'));
  const t0 = Date.now();
  stop1.abort(); // a graceful stop releases the lease
  await run1;
  await until('two to lead', () => terms.includes('two leads'));
  assert.ok(Date.now() - t0 < timings.leaseDurationMs, 'a released lease is taken without waiting out its duration');
  assert.deepEqual(terms.slice(0, 3), ['one leads', 'one stops', 'two leads']);
  stop2.abort();
  await run2;
  const lease = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  assert.equal(lease.spec.holderIdentity, '');
  assert.equal(lease.spec.leaseDurationSeconds, 1);
  assert.equal(lease.spec.leaseTransitions, 1);
  await until('the events', () => true);
  const events = (await api.list(api.registry.forKind('v1', 'Event'), { namespace: 'kube-system' })).items.filter((e) => e.reason === 'LeaderElection');
  const seen = events.map((e) => `${e.type} ${e.message} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.source.component}`).sort();
  assert.deepEqual(seen, ['Normal one became leader Lease/kube-controller-manager kube-controller-manager', 'Normal two became leader Lease/kube-controller-manager kube-controller-manager']);
});

test('a leader renews with one update of the record it last saw (client-go\'s fast path); a stale record falls back to reading it', async () => {
  const api = await openApi();
  let now = Date.parse('2026-12-01T10:00:00Z');
  const e1 = new LeaderElector({ api, identity: 'host-a_1', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, now: () => now });
  assert.equal(await e1.tryAcquireOrRenew(), true);
  // count what a renewal asks of the server (its calls, not the server's own nested ones)
  const calls: string[] = [];
  let depth = 0;
  for (const m of ['get', 'tryGet', 'update', 'create'] as const) {
    const orig = (api as any)[m].bind(api);
    (api as any)[m] = async (...args: unknown[]) => {
      if (depth === 0) calls.push(m);
      depth++;
      try {
        return await orig(...args);
      } finally {
        depth--;
      }
    };
  }
  now += 2000;
  assert.equal(await e1.tryAcquireOrRenew(), true);
  assert.deepEqual(calls, ['update'], 'one round trip: no read first');
  assert.equal((await api.get(leaseType(api), 'kube-system', 'kube-controller-manager')).spec.renewTime, microTime(now));
  // another writer changed the record (a restore took it): the update conflicts, the slow
  // path reads it and sees the other holder
  const cur = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  await api.update({ ...cur, spec: { ...cur.spec, holderIdentity: 'someone-else', renewTime: microTime(now) } });
  calls.length = 0;
  now += 2000;
  assert.equal(await e1.tryAcquireOrRenew(), false);
  assert.deepEqual(calls, ['update', 'tryGet']);
  assert.equal(e1.observedHolder, 'someone-else');
});

test('a renewal that comes after the renew deadline ends the term, even though the lease is still ours: a new term starts with its own manager', async () => {
  const api = await openApi();
  let offset = 0;
  const logs: string[] = [];
  const e = new LeaderElector({ api, identity: 'one', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 100, now: () => Date.now() + offset, log: (m) => logs.push(m) });
  const stop = new AbortController();
  const terms: string[] = [];
  let refused = 0;
  const run = e.run(stop.signal, async (term) => {
    const n = terms.push('leads');
    const fenced = fence(api, e);
    // The term's controllers write on; a write the fence refused is not retried (a kubelet's
    // status update): the term it belonged to must not go on as if it had landed.
    while (!term.aborted) {
      await fenced.create(cm(`w-${n}-${Date.now()}`)).catch((err) => {
        if (err instanceof NotLeaderError) refused++;
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    terms.push('stops');
  });
  const until = async (what: string, ok: () => boolean) => {
    const end = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until('the first term', () => terms.length === 1);
  // The process stalls past the renew deadline (its clock jumps): the next write finds the
  // fence closed, the term ends, and the next renewal (the lease is still ours) starts another.
  offset = 2500;
  await until('a second term', () => terms.length >= 3);
  stop.abort();
  await run;
  assert.deepEqual(terms.slice(0, 3), ['leads', 'stops', 'leads']);
  assert.ok(refused <= 1, `${refused} writes refused`);
  assert.ok(logs.includes('leaderelection lost'), logs.join('\n'));
  const lease = await api.get(leaseType(api), 'kube-system', 'kube-controller-manager');
  assert.equal(lease.spec.leaseTransitions, 0, 'the same holder: no transition');
});
