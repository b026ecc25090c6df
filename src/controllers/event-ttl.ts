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

/** Deletes the namespace's Events whose TTL has passed; returns how many. */
export async function expireEvents(ctx: ControllerContext, namespace: string, ttl: number): Promise<number> {
  const api = ctx.api;
  const rt = api.registry.forKind('v1', 'Event');
  const cutoff = ctx.clock.now() - ttl;
  const expired = (await api.list(rt, { namespace, fieldMatch: (e) => lastSeen(e) <= cutoff })).items;
  let n = 0;
  for (const ev of expired) {
    try {
      await api.delete(rt, namespace, ev.metadata.name!);
      n++;
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  }
  return n;
}

export const eventTtlReconciler: Reconciler = {
  name: 'event-ttl',
  primary: ['v1', 'Namespace'],
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
    const ns = await ctx.api.tryGet(ctx.api.registry.forKind('v1', 'Namespace'), undefined, key.name);
    if (!ns) return;
    const ttl = eventTtlMs(ctx);
    await expireEvents(ctx, key.name, ttl);
    const period = sweepPeriodMs(ttl);
    return { requeueAfterMs: period - (ctx.clock.now() % period) || period, periodic: true, sweep: true };
  },
};
