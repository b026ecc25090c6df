// Event expiry (kube-apiserver's --event-ttl, 1 h by default): an Event is deleted once its
// TTL has passed since its last update. kube-apiserver gets this from etcd leases; kubesim's
// store drivers (files, memory, etcd) have no common TTL and its time is the simulated
// cluster clock, so a level-triggered sweep per namespace does it through the API, on the
// cluster clock, the same way for every driver: `clock advance` steps through the sweeps,
// and the deletions reach watchers as DELETED events, as lease expiry does.
// Sweeps run at multiples of the period (a tenth of the TTL, at least a minute; lease reuse
// makes kube-apiserver's expiry up to a minute late too), so namespaces share clock steps.

import type { KObject } from '../api/types';
import { ApiError } from '../api/errors';
import type { EventType } from '../store/store';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';

export const DEFAULT_EVENT_TTL_MS = 3_600_000;

export function eventTtlMs(ctx: ControllerContext): number {
  const ttl = ctx.profile.timings.eventTtlMs;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? ttl : DEFAULT_EVENT_TTL_MS;
}

export function sweepPeriodMs(ttl: number): number {
  return Math.min(ttl, Math.max(60_000, Math.floor(ttl / 10)));
}

/** The time an Event was last written (what its TTL counts from). */
export function lastSeen(ev: KObject): number {
  const candidates = [ev.lastTimestamp, ev.series?.lastObservedTime, ev.eventTime, ev.firstTimestamp, ev.metadata.creationTimestamp];
  let best = NaN;
  for (const c of candidates) {
    const t = typeof c === 'string' ? Date.parse(c) : NaN;
    if (Number.isFinite(t) && !(t <= best)) best = t;
  }
  return best;
}

// The sweep does not list the namespace's Events: each manager keeps their last-write times
// (name → lastSeen), fed by the change feed it already follows (a `watches` entry that queues
// nothing), filled by one list per namespace at its first sweep and again after the manager
// re-listed without the changes in between. At 5,000 nodes the daemon at rest spent ~15 % of
// its CPU listing and reading every Event every six minutes.
interface NamespaceTimes {
  /**
   * name → lastSeen (ms) − `base`; Events without a readable time never expire, as before.
   * Relative to a time near them so that the value is a small integer V8 keeps in the Map's
   * slot, not a boxed number (16 bytes more an Event, five or so Events a pod).
   */
  times: Map<string, number>;
  base: number;
}
const indexes = new WeakMap<ControllerContext, Map<string, NamespaceTimes>>();

function indexFor(ctx: ControllerContext): Map<string, NamespaceTimes> {
  let idx = indexes.get(ctx);
  if (!idx) indexes.set(ctx, (idx = new Map()));
  return idx;
}

function noteEvent(ctx: ControllerContext, obj: KObject, type?: EventType): void {
  // Core Events only (events.k8s.io Events are stored as core ones; a CRD kind `Event` is not one).
  if (obj.apiVersion !== 'v1') return;
  const ns = indexes.get(ctx)?.get(obj.metadata.namespace ?? '');
  if (!ns) return; // not filled yet: its first sweep lists it
  const name = obj.metadata.name!;
  const t = lastSeen(obj);
  if (type === 'DELETED' || !Number.isFinite(t)) ns.times.delete(name);
  else ns.times.set(name, t - ns.base);
}

async function namespaceTimes(ctx: ControllerContext, namespace: string): Promise<NamespaceTimes> {
  const idx = indexFor(ctx);
  let ns = idx.get(namespace);
  if (ns) return ns;
  const times = new Map<string, number>();
  const base = Math.floor(ctx.clock.now());
  // Names and times only: the matcher keeps no object, so the list copies nothing.
  await ctx.api.list(ctx.api.registry.forKind('v1', 'Event'), {
    namespace,
    fieldMatch: (e) => {
      const t = lastSeen(e);
      if (Number.isFinite(t)) times.set(e.metadata.name!, t - base);
      return false;
    },
  });
  // A change the feed delivers after this list only moves an entry to its newer state.
  ns = idx.get(namespace) ?? { times, base };
  idx.set(namespace, ns);
  return ns;
}

/** Deletes the namespace's Events whose TTL has passed; returns how many. */
export async function expireEvents(ctx: ControllerContext, namespace: string, ttl: number): Promise<number> {
  const api = ctx.api;
  const rt = api.registry.forKind('v1', 'Event');
  const cutoff = ctx.clock.now() - ttl;
  const ns = await namespaceTimes(ctx, namespace);
  const due: string[] = [];
  // forEach, not for…of: no [name, time] pair made per Event (100,000 at 20,000 pods, each sweep).
  ns.times.forEach((t, name) => {
    if (t + ns.base <= cutoff) due.push(name);
  });
  let n = 0;
  for (const name of due) {
    // The index follows the feed a poll behind: a write it has not seen yet (a user's update
    // refreshing lastTimestamp) must not let the Event go early, so read it once before.
    const ev = await api.tryGet(rt, namespace, name);
    if (!ev) {
      ns.times.delete(name);
      continue;
    }
    if (!(lastSeen(ev) <= cutoff)) {
      ns.times.set(name, lastSeen(ev) - ns.base);
      continue;
    }
    try {
      await api.delete(rt, namespace, name);
      ns.times.delete(name);
      n++;
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
      ns.times.delete(name);
    }
  }
  return n;
}

export const eventTtlReconciler: Reconciler = {
  name: 'event-ttl',
  primary: ['v1', 'Namespace'],
  watches: [
    {
      kind: 'Event',
      map: (obj, ctx, type) => {
        noteEvent(ctx, obj, type);
        return [];
      },
    },
  ],
  // Changes the manager skipped (start-up, a compacted or trimmed feed): fill again from a list.
  relisted: (ctx) => indexes.delete(ctx),
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
    const ns = await ctx.api.tryGet(ctx.api.registry.forKind('v1', 'Namespace'), undefined, key.name);
    if (!ns) {
      indexes.get(ctx)?.delete(key.name);
      return;
    }
    const ttl = eventTtlMs(ctx);
    await expireEvents(ctx, key.name, ttl);
    const period = sweepPeriodMs(ttl);
    return { requeueAfterMs: period - (ctx.clock.now() % period) || period, periodic: true, sweep: true };
  },
};
