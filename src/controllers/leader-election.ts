// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection
// package does it for kube-controller-manager (`--leader-elect`): every candidate reads the
// Lease every retry period; a holder renews it (a compare-on-resourceVersion update); a
// candidate takes it once it has seen the same record unchanged for a whole lease duration
// (measured on its own clock from when it saw it, never from the renewTime written by
// someone else's clock). Everything goes through the ApiServer, like any client.
//
// Fencing. Kubernetes has no fencing token: a leader stops acting once it could not renew
// for renewDeadline (< leaseDuration), and every controller write is guarded by the
// object's resourceVersion, so a write computed from a state the new leader changed
// conflicts. kubesim does the same, a little stricter: `fence()` wraps the ApiServer the
// controllers use so that every write fails (NotLeaderError) as soon as this candidate is
// not sure to hold the lease: it saw another holder, or its last successful renew was sent
// more than renewDeadline ago. That check is made when the write is asked for; a write
// that then waits (the store's per-process write queue, a stalled event loop) could still
// land after the term ended, so on etcd every write of the controllers is also a
// transaction that compares the Lease's revision (ApiServer.fenced): it lands only while
// the Lease still names this candidate, however late it arrives.

import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { ApiError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { WriteFence } from '../store/store';
import { sleep } from '../util/sleep';

export interface LeaderElectionConfig {
  api: ApiServer;
  /** The Lease (kube-system/kube-controller-manager). */
  namespace?: string;
  name?: string;
  /** holderIdentity: `<hostname>_<uuid>` by default, as kube-controller-manager makes it. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Reported in the LeaderElection events' source. */
  component?: string;
  log?: (m: string) => void;
  /** Real time (leases are about processes, not the simulated cluster clock). */
  now?: () => number;
}

export const LEASE_DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** A write refused because this process no longer (surely) holds the lease. */
export class NotLeaderError extends Error {
  constructor(identity: string) {
    super(`leader election lost: ${identity} no longer holds the lease; write refused`);
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const LEASE_GVK = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

export class LeaderElector {
  readonly identity: string;
  readonly namespace: string;
  readonly name: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly api: ApiServer;
  private readonly now: () => number;
  private readonly log: (m: string) => void;
  private readonly component: string;
  /** The lease as last read or written, and when (on our clock) its record last changed. */
  private observed: KObject | undefined;
  private observedRaw = '';
  private observedAt = 0;
  /** When the last successful acquire/renew was sent (the fence runs from here). */
  private renewedAt = -Infinity;
  private leading = false;
  private lastReportedLeader = '';
  /** The fencing token of this candidate's terms: the Lease's revision as it last wrote it. */
  readonly writeFence: WriteFence;

  constructor(cfg: LeaderElectionConfig) {
    this.api = cfg.api;
    this.namespace = cfg.namespace ?? 'kube-system';
    this.name = cfg.name ?? 'kube-controller-manager';
    this.identity = cfg.identity ?? `${os.hostname()}_${randomUUID()}`;
    this.leaseDurationMs = cfg.leaseDurationMs ?? LEASE_DEFAULTS.leaseDurationMs;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? LEASE_DEFAULTS.renewDeadlineMs;
    this.retryPeriodMs = cfg.retryPeriodMs ?? LEASE_DEFAULTS.retryPeriodMs;
    this.now = cfg.now ?? Date.now;
    this.log = cfg.log ?? (() => {});
    this.component = cfg.component ?? 'kube-controller-manager';
    this.writeFence = this.api.leaseFence(this.namespace, this.name, this.identity);
    // client-go's validation of the same three settings
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= 1.2 * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (this.retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
  }

  /**
   * True while this candidate surely holds the lease (the fence is open). Once the renew
   * deadline has passed the term ends here, as client-go's leader stops: a renewal that
   * came late used to reopen the fence within the same term, whose controllers had dropped
   * the writes refused meanwhile (a kubelet's pod status), and a rollout stalled at 91/100.
   * A new term (a fresh manager) starts if the lease is still ours.
   */
  isLeader(): boolean {
    if (this.leading && this.now() - this.renewedAt >= this.renewDeadlineMs) this.stopLeading('timed out waiting for the condition');
    return this.leading;
  }

  /** The current term, while one runs (see run). */
  private term: AbortController | undefined;

  private stopLeading(why: string): void {
    this.leading = false;
    this.term?.abort();
    this.log(`failed to renew lease ${this.namespace}/${this.name}: ${why}`);
    this.log('leaderelection lost');
    this.event('stopped leading');
  }

  /** The holder as last observed ('' when none). */
  get observedHolder(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  /**
   * Campaigns until `signal` aborts. Each time the lease is won, `lead` runs with a signal
   * that aborts the moment leadership is lost (or on shutdown); then the candidate campaigns
   * again. On shutdown a held lease is released so that another takes over at once.
   */
  async run(signal: AbortSignal, lead: (stop: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) break;
      const term = (this.term = new AbortController());
      const onAbort = () => term.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const leading = lead(term.signal).catch((e) => this.log(`error: the controllers stopped: ${(e as Error).message}`));
      await this.renewLoop(term, signal);
      term.abort();
      this.term = undefined;
      signal.removeEventListener('abort', onAbort);
      await leading;
      if (signal.aborted) {
        await this.release();
        break;
      }
    }
  }

  /** Tries every retry period until the lease is ours; false when aborted first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log(`attempting to acquire leader lease ${this.namespace}/${this.name}...`);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.log(`successfully acquired lease ${this.namespace}/${this.name}`);
        this.event('became leader');
        return true;
      }
      this.reportLeader();
      await sleep(jitter(this.retryPeriodMs), signal);
    }
    return false;
  }

  /** Renews every retry period; returns (aborting `term`) when the lease is lost or on shutdown. */
  private async renewLoop(term: AbortController, signal: AbortSignal): Promise<void> {
    // `term` aborts with `signal`, and when the fence found the deadline passed (isLeader).
    while (!term.signal.aborted) {
      await sleep(this.retryPeriodMs, term.signal);
      // Retry within the renew deadline; give up (stop leading) once it has passed.
      while (!term.signal.aborted) {
        // A renewal sent after the deadline does not reopen this term's fence.
        if (!this.isLeader()) return;
        if (await this.tryAcquireOrRenew()) break;
        const holder = this.observedHolder;
        if (holder && holder !== this.identity) return this.stopLeading(`the lease is held by ${holder}`);
        await sleep(this.retryPeriodMs / 4, term.signal);
      }
    }
  }

  /** One attempt (client-go's tryAcquireOrRenew); true when this candidate holds the lease after it. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const sentAt = this.now();
    const now = microTime(sentAt);
    const rt = this.api.registry.forKind(LEASE_GVK.apiVersion, LEASE_GVK.kind);
    // client-go's fast path: a leader whose lease is still valid updates the record it last
    // observed without reading it first (one round trip instead of two: on a busy process
    // a renewal that takes two slow round trips leaves the fence closed most of the time).
    if (this.leading && this.observed && this.observedAt + this.leaseDurationMs > sentAt) {
      const old = this.observed.spec ?? {};
      try {
        const updated = await this.api.update({ ...this.observed, spec: { ...old, holderIdentity: this.identity, leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)), renewTime: now } });
        this.observe(updated, sentAt);
        return this.won(sentAt, updated);
      } catch {
        // another holder, or a record changed meanwhile: the slow path reads it
      }
    }
    let cur: KObject | undefined;
    try {
      cur = await this.api.tryGet(rt, this.namespace, this.name);
    } catch (e) {
      this.log(`error retrieving resource lock ${this.namespace}/${this.name}: ${(e as Error).message}`);
      return false;
    }
    const spec = (holder: string, acquireTime: string, transitions: number) => ({
      holderIdentity: holder,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      acquireTime,
      renewTime: now,
      leaseTransitions: transitions,
    });
    if (!cur) {
      try {
        const created = await this.api.create({ ...LEASE_GVK, metadata: { name: this.name, namespace: this.namespace }, spec: spec(this.identity, now, 0) });
        this.observe(created, sentAt);
        return this.won(sentAt, created);
      } catch (e) {
        this.log(`error initially creating leader election record: ${(e as Error).message}`);
        return false;
      }
    }
    const raw = JSON.stringify(cur.spec ?? {});
    if (raw !== this.observedRaw) this.observe(cur, this.now());
    const old = cur.spec ?? {};
    const holder: string = old.holderIdentity ?? '';
    const durationMs = (Number(old.leaseDurationSeconds) || 0) * 1000;
    const mine = holder === this.identity;
    // Someone else holds a lease that has not expired on our clock: wait.
    if (holder && !mine && this.observedAt + durationMs > this.now()) {
      this.leading = false;
      return false;
    }
    const next = mine
      ? spec(this.identity, old.acquireTime ?? now, Number(old.leaseTransitions ?? 0))
      : spec(this.identity, now, Number(old.leaseTransitions ?? 0) + 1);
    try {
      // resourceVersion makes this a compare-and-swap: two candidates cannot both win.
      const updated = await this.api.update({ ...cur, spec: next });
      this.observe(updated, sentAt);
      return this.won(sentAt, updated);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'Conflict')) this.log(`failed to update lock: ${(e as Error).message}`);
      return false;
    }
  }

  private observe(lease: KObject, at: number): void {
    this.observed = lease;
    this.observedRaw = JSON.stringify(lease.spec ?? {});
    this.observedAt = at;
  }

  private won(sentAt: number, lease: KObject): boolean {
    if (this.term?.signal.aborted) return false; // the renewal of a term that ended meanwhile: the next acquires again
    this.leading = true;
    this.renewedAt = sentAt;
    this.writeFence.rev = Number(lease.metadata.resourceVersion);
    return true;
  }

  private reportLeader(): void {
    const holder = this.observedHolder;
    if (holder && holder !== this.lastReportedLeader) {
      this.lastReportedLeader = holder;
      this.log(`new leader elected: ${holder}`);
    }
  }

  /** Gives the lease up (shutdown): holder cleared, duration 1s, so a candidate takes it at once. */
  async release(): Promise<void> {
    if (!this.leading || !this.observed) return;
    this.leading = false;
    const now = microTime(this.now());
    const rt = this.api.registry.forKind(LEASE_GVK.apiVersion, LEASE_GVK.kind);
    try {
      const cur = await this.api.get(rt, this.namespace, this.name);
      if (cur.spec?.holderIdentity !== this.identity) return;
      await this.api.update({ ...cur, spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: cur.spec.leaseTransitions ?? 0 } });
      this.log(`released lease ${this.namespace}/${this.name}`);
    } catch (e) {
      this.log(`failed to release lock: ${(e as Error).message}`);
    }
  }

  /** `<identity> became leader` / `stopped leading` on the Lease, as resourcelock.LeaseLock records them. */
  private event(what: string): void {
    const lease: KObject = this.observed ?? { ...LEASE_GVK, metadata: { name: this.name, namespace: this.namespace } };
    void this.api
      .recordEvent({ ...LEASE_GVK, metadata: lease.metadata }, 'Normal', 'LeaderElection', `${this.identity} ${what}`, { component: this.component })
      .catch(() => {
        /* events are best effort */
      });
  }
}

/**
 * Whether a candidate holds the controller-manager Lease now (its renewTime plus duration,
 * with a second of slack for clocks, is still ahead): some daemon reconciles the cluster.
 */
export async function leaseHeld(api: ApiServer, now = Date.now(), namespace = 'kube-system', name = 'kube-controller-manager'): Promise<boolean> {
  let lease: KObject | undefined;
  try {
    lease = await api.tryGet(api.registry.forKind(LEASE_GVK.apiVersion, LEASE_GVK.kind), namespace, name);
  } catch {
    return false;
  }
  const spec = lease?.spec;
  if (!spec?.holderIdentity || !spec.renewTime) return false;
  return Date.parse(spec.renewTime) + (Number(spec.leaseDurationSeconds) || 0) * 1000 + 1000 > now;
}

const WRITES = new Set(['create', 'update', 'updateStatus', 'bindPod', 'mutate', 'delete', 'recordEvent', 'bootstrap']);
/**
 * Calls that write only through nested calls or callbacks (the nested writes are checked
 * where they are asked for): fenced too, so that a write of theirs that does not come back
 * through this proxy still carries the fence.
 */
const RUNS_WRITES = new Set(['apply', 'createEvent', 'replayEvents', 'batch', 'group']);
/** SimState's writers besides its set* methods (which are checked). */
const SIM_RUNS_WRITES = new Set(['atomically', 'reserveRngStream']);

/**
 * The ApiServer as the controllers of a leader see it: the same server, but every write
 * (and every simulation-state write through `api.sim`) first checks that the lease is
 * still surely held, and runs under the elector's write fence (the store refuses a write
 * that arrives once the Lease names another holder). Reads pass through: the fence is
 * looked at by the store's writes only, and a read run under it would only hand its async
 * context to whatever the read starts (a store follower, a cache fill).
 */
export function fence(api: ApiServer, elector: { isLeader(): boolean; identity: string; writeFence: WriteFence }): ApiServer {
  const mayWrite = () => elector.isLeader();
  // a rejected promise, as the server's writes fail
  const refused = () => Promise.reject(new NotLeaderError(elector.identity));
  const call = (v: unknown, self: unknown, args: unknown[]) => api.fenced(elector.writeFence, () => (v as (...a: unknown[]) => unknown).apply(self, args));
  const plain = (v: unknown, self: unknown) => (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(self, args);
  const sim = new Proxy(api.sim, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      if (prop.startsWith('set')) return (...args: unknown[]) => (mayWrite() ? call(v, receiver, args) : refused());
      if (SIM_RUNS_WRITES.has(prop)) return (...args: unknown[]) => call(v, receiver, args);
      return plain(v, receiver);
    },
  });
  const proxy: ApiServer = new Proxy(api, {
    get(target, prop) {
      if (prop === 'sim') return sim;
      const v = Reflect.get(target, prop, proxy);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      // `this` is the proxy: the server's own nested writes are checked too
      if (WRITES.has(prop)) return (...args: unknown[]) => (mayWrite() ? call(v, proxy, args) : refused());
      if (RUNS_WRITES.has(prop)) return (...args: unknown[]) => call(v, proxy, args);
      return plain(v, proxy);
    },
  });
  return proxy;
}

function jitter(ms: number): number {
  return ms + Math.random() * 0.2 * ms;
}
