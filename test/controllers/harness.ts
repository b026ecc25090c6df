// A tiny in-process driver for reconciler tests: runs every reconciler over every object of
// its primary kind until the store stops changing, then jumps the clock to the earliest
// requeue. A stand-in "kubelet" can make pods Running/Ready (or leave them) on each pass.

import { ApiServer } from '../../src/api/server';
import { EngineStore } from '../../src/store/async-store';
import { MemoryStore } from '../../src/store/memory-store';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { defaultProfile } from '../../src/sim/profile';
import type { KObject } from '../../src/api/types';
import type { ControllerContext, Reconciler } from '../../src/controllers/types';
import { advanceClock, type ControllerManager } from '../../src/controllers/manager';
import { nodeObject } from '../../src/cluster/cluster';

export const T0 = Date.parse('2025-01-01T00:00:00Z');

export type PodState = 'ready' | 'running' | 'pending' | 'succeed' | 'fail';
export type PodBehaviour = (pod: KObject, h: Harness) => PodState | Promise<PodState>;

export class Harness {
  readonly store = new EngineStore(new MemoryStore());
  readonly clock = new ManualClock(T0);
  readonly api: ApiServer;
  readonly ctx: ControllerContext;
  /** What the fake kubelet does with a pod; default: Ready at once. */
  behaviour: PodBehaviour | undefined = () => 'ready';
  private readonly seen = new Map<string, Map<string, { namespace?: string; name: string }>>();

  private constructor(readonly reconcilers: Reconciler[], opts: { nodes?: number }) {
    const rng = seededRng(42);
    this.api = new ApiServer(this.store, this.clock, rng);
    const profile = defaultProfile('test', { nodes: opts.nodes ?? 0 });
    this.ctx = { api: this.api, clock: this.clock, rng, profile, log: () => {} };
  }

  static async create(reconcilers: Reconciler[], opts: { nodes?: number } = {}): Promise<Harness> {
    const h = new Harness(reconcilers, opts);
    await h.api.bootstrap();
    for (const [i, n] of h.ctx.profile.nodes.entries()) await h.api.create(nodeObject(n, i, h.api.timestamp()));
    return h;
  }

  type(apiVersion: string, kind: string) {
    return this.api.registry.forKind(apiVersion, kind);
  }

  async list(apiVersion: string, kind: string, namespace = 'default'): Promise<KObject[]> {
    return (await this.api.list(this.type(apiVersion, kind), { namespace })).items;
  }

  pods(namespace = 'default'): Promise<KObject[]> {
    return this.list('v1', 'Pod', namespace);
  }

  async events(namespace = 'default'): Promise<string[]> {
    return (await this.list('v1', 'Event', namespace))
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => `${e.reason} ${e.message}`);
  }

  get(apiVersion: string, kind: string, name: string, namespace = 'default'): Promise<KObject> {
    return this.api.get(this.type(apiVersion, kind), namespace, name);
  }

  /** Sets a pod's phase/readiness as a kubelet would report it. */
  async setPod(pod: KObject, state: 'ready' | 'running' | 'pending' | 'succeed' | 'fail'): Promise<void> {
    const ts = this.api.timestamp();
    const podType = this.type('v1', 'Pod');
    const cur = await this.api.tryGet(podType, pod.metadata.namespace, pod.metadata.name!);
    if (!cur) return;
    const phase = { ready: 'Running', running: 'Running', pending: 'Pending', succeed: 'Succeeded', fail: 'Failed' }[state];
    const ready = state === 'ready' ? 'True' : 'False';
    if (cur.status?.phase === phase && (cur.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status === ready) return;
    if (!cur.spec.nodeName) {
      // Bind as the scheduler would: a DaemonSet pod's node-name affinity, else the first node.
      const term = cur.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0];
      const wanted = term?.matchFields?.find((f: any) => f.key === 'metadata.name')?.values?.[0];
      const node = (await this.list('v1', 'Node', undefined as any))[0];
      cur.spec.nodeName = wanted ?? (node ? node.metadata.name : 'node-1');
      await this.api.update(cur);
    }
    await this.api.mutate(podType, cur.metadata.namespace, cur.metadata.name!, (p) => {
      const old = (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      p.status = {
        ...(p.status ?? {}),
        phase,
        podIP: p.status?.podIP ?? `10.244.0.${(Number(p.metadata.resourceVersion) % 250) + 2}`,
        conditions: [{ type: 'Ready', status: ready, lastTransitionTime: old?.status === ready ? old.lastTransitionTime : ts }],
      };
    }, { status: true });
  }

  private async kubelet(): Promise<void> {
    const podType = this.type('v1', 'Pod');
    for (const ns of (await this.api.list(this.type('v1', 'Namespace'))).items) {
      for (const pod of (await this.api.list(podType, { namespace: ns.metadata.name })).items) {
        if (pod.metadata.deletionTimestamp) {
          await this.api.delete(podType, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
          continue;
        }
        if (!this.behaviour || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        await this.setPod(pod, await this.behaviour(pod, this));
      }
    }
  }

  /** One pass of every reconciler over every object; returns the earliest requeue. */
  async pass(): Promise<number | undefined> {
    let next: number | undefined;
    for (const r of this.reconcilers) {
      const rt = this.type(r.primary[0], r.primary[1]);
      // Keys of objects seen before are reconciled once more after they are gone (delete events).
      const keys = new Map<string, { namespace?: string; name: string }>();
      for (const o of (await this.api.list(rt)).items) keys.set(`${o.metadata.namespace}/${o.metadata.name}`, { namespace: o.metadata.namespace, name: o.metadata.name! });
      const seen = this.seen.get(r.name) ?? new Map();
      for (const [k, v] of seen) if (!keys.has(k)) keys.set(k, v);
      const stillSeen = new Map<string, { namespace?: string; name: string }>();
      for (const [k, v] of keys) if (!seen.has(k) || (await this.api.tryGet(rt, v.namespace, v.name))) stillSeen.set(k, v);
      this.seen.set(r.name, stillSeen);
      for (const o of keys.values()) {
        const res = await r.reconcile({ kind: r.primary[1], namespace: o.namespace, name: o.name }, this.ctx);
        if (res && res.requeueAfterMs !== undefined) next = next === undefined ? res.requeueAfterMs : Math.min(next, res.requeueAfterMs);
      }
    }
    await this.kubelet();
    return next;
  }

  /** Runs passes until nothing changes (no clock movement). */
  async settle(maxPasses = 50): Promise<number | undefined> {
    let next: number | undefined;
    for (let i = 0; i < maxPasses; i++) {
      const before = await this.api.currentRev();
      next = await this.pass();
      if ((await this.api.currentRev()) === before) return next;
    }
    throw new Error('did not settle');
  }

  /** Settles, then follows requeues by advancing the clock, up to `budgetMs`. */
  async run(budgetMs = 0): Promise<void> {
    const end = this.clock.now() + budgetMs;
    for (let i = 0; i < 200; i++) {
      const next = await this.settle();
      if (next === undefined || this.clock.now() + next > end) {
        if (this.clock.now() < end) this.clock.set(end);
        await this.settle();
        return;
      }
      this.clock.advance(Math.max(next, 1));
    }
  }

  async advance(ms: number): Promise<void> {
    await this.run(ms);
  }
}

/** `clock advance` (as src/cli/in-process.ts): every timer on the way runs at its own time. */
export async function advance(api: ApiServer, m: ControllerManager, ms: number): Promise<void> {
  const target = api.clock.now() + ms;
  await m.processReady();
  for (;;) {
    const due = m.queue.nextDue();
    const now = api.clock.now();
    if (due === undefined || due > target) {
      if (target > now) await advanceClock(api.clock, target - now);
      await m.processReady();
      return;
    }
    if (due > now) await advanceClock(api.clock, due - now);
    await m.processReady();
  }
}
