// The cluster controller tests run on: a memory cluster opened as the CLI opens one (the API
// server validates and defaults every write, the tests' objects as users'), the reconcilers
// under test in a real ControllerManager (its queue, change feed, watches and timers), and a
// stand-in kubelet on Pods that binds each pod and gives it the fate the test chooses.

import type { ApiServer } from '../../src/api/server';
import type { ManualClock } from '../../src/sim/clock';
import type { KObject } from '../../src/api/types';
import type { ControllerContext, Reconciler } from '../../src/controllers/types';
import { ControllerManager } from '../../src/controllers/manager';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { advanceManager } from '../../src/cli/in-process';

export const T0 = Date.parse('2025-01-01T00:00:00Z');

/** A Deployment `web` of `replicas` pods labelled app=web (`extra` merged into its spec). */
export function deployment(replicas: number, image = 'nginx:1.25', extra: any = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
      ...extra,
    },
  };
}

export type PodState = 'ready' | 'running' | 'pending' | 'succeed' | 'fail';
export type PodBehaviour = (pod: KObject, h: Harness) => PodState | Promise<PodState>;

/** Reconciles in one settle past which a reconciler counts as writing on every pass. */
const SETTLE_LIMIT = 20_000;

export class Harness {
  readonly api: ApiServer;
  readonly clock: ManualClock;
  readonly ctx: ControllerContext;
  readonly manager: ControllerManager;
  private fate: PodBehaviour | undefined = () => 'ready';
  /** The fate changed: the kubelet looks at every pod again (no pod changed to queue them). */
  private relook = true;
  private errorsSeen = 0;

  private constructor(c: { api: ApiServer; clock: ManualClock; ctx: ControllerContext }, reconcilers: Reconciler[]) {
    this.api = c.api;
    this.clock = c.clock;
    this.ctx = c.ctx;
    this.manager = new ControllerManager([...reconcilers, this.kubelet()], c.ctx);
  }

  static async create(reconcilers: Reconciler[], opts: { nodes?: number } = {}): Promise<Harness> {
    await loadValidation();
    const c = await createMemoryCluster(defaultProfile('test', { nodes: opts.nodes ?? 0 }), { now: T0, seed: 42, validator: apiValidator() });
    return new Harness(c, reconcilers);
  }

  /** What the kubelet does with a pod that is not finished; undefined: nothing (it stays unbound). Default: Ready at once. */
  get behaviour(): PodBehaviour | undefined {
    return this.fate;
  }

  set behaviour(b: PodBehaviour | undefined) {
    this.fate = b;
    this.relook = true;
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

  /** Sets a pod's phase and readiness as a kubelet reports them, binding it first if it is not. */
  async setPod(pod: KObject, state: PodState): Promise<void> {
    const podType = this.type('v1', 'Pod');
    const cur = await this.api.tryGet(podType, pod.metadata.namespace, pod.metadata.name!);
    if (!cur) return;
    const phase = { ready: 'Running', running: 'Running', pending: 'Pending', succeed: 'Succeeded', fail: 'Failed' }[state];
    const ready = state === 'ready' ? 'True' : 'False';
    if (cur.status?.phase === phase && (cur.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status === ready) return;
    if (!cur.spec.nodeName) {
      // Bound as the scheduler would (pods/binding): a DaemonSet pod's node-name affinity, else the first node.
      const term = cur.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0];
      const wanted = term?.matchFields?.find((f: any) => f.key === 'metadata.name')?.values?.[0];
      const node = (await this.api.list(this.type('v1', 'Node'))).items[0];
      await this.api.bindPod(cur.metadata.namespace!, cur.metadata.name!, wanted ?? (node ? node.metadata.name! : 'node-1'));
    }
    const ts = this.api.timestamp();
    await this.api.mutate(podType, cur.metadata.namespace, cur.metadata.name!, (p) => {
      const old = (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      const others = (p.status?.conditions ?? []).filter((c: any) => c.type !== 'Ready');
      p.status = {
        ...(p.status ?? {}),
        phase,
        podIP: p.status?.podIP ?? `10.244.0.${(Number(p.metadata.resourceVersion) % 250) + 2}`,
        conditions: [{ type: 'Ready', status: ready, lastTransitionTime: old?.status === ready ? old.lastTransitionTime : ts }, ...others],
      };
    }, { status: true });
  }

  /** The stand-in kubelet: finishes terminating pods at once, gives the others their fate. */
  private kubelet(): Reconciler {
    return {
      name: 'kubelet-standin',
      primary: ['v1', 'Pod'],
      reconcile: async (key, ctx) => {
        const podType = this.type('v1', 'Pod');
        const pod = await ctx.api.tryGet(podType, key.namespace, key.name);
        if (!pod) return;
        if (pod.metadata.deletionTimestamp) {
          await ctx.api.delete(podType, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
          return;
        }
        if (!this.fate || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
        await this.setPod(pod, await this.fate(pod, this));
      },
    };
  }

  /** Before the manager runs: a new fate has the kubelet look at every pod. */
  private async prepare(): Promise<void> {
    if (!this.relook) return;
    this.relook = false;
    for (const pod of (await this.api.list(this.type('v1', 'Pod'))).items) {
      this.manager.enqueue('kubelet-standin', { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name! });
    }
  }

  /** A reconcile that threw fails the test (the manager would only log it and retry). */
  private check(): void {
    if (this.manager.stats.errors === this.errorsSeen) return;
    this.errorsSeen = this.manager.stats.errors;
    throw new Error(`a reconcile failed: ${this.manager.stats.lastError}`);
  }

  /** One round: the keys queued now (the changes since the last look, timers due) run once each. */
  async pass(): Promise<void> {
    await this.prepare();
    await this.manager.pollChanges();
    this.manager.queue.promote(this.clock.now());
    await this.manager.processReady(this.manager.queue.readyCount());
    this.check();
  }

  /** Runs the manager until nothing is left to do now (the clock does not move). */
  async settle(): Promise<void> {
    await this.prepare();
    if ((await this.manager.processReady(SETTLE_LIMIT)) >= SETTLE_LIMIT) throw new Error('did not settle');
    this.check();
  }

  /** Settles, then moves the clock `budgetMs` on as `clock advance` does: every timer on the way at its time. */
  async run(budgetMs = 0): Promise<void> {
    await this.prepare();
    await advanceManager(this.api, this.manager, budgetMs);
    this.check();
  }

  advance(ms: number): Promise<void> {
    return this.run(ms);
  }
}
