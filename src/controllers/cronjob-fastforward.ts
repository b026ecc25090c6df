// The CronJob fast-forward through a long clock jump (`clock advance 365d` of a `* * * * *`
// CronJob is 525,600 firings). A firing in the middle of the jump whose every effect is gone
// by its end -- its Job and pods deleted by the history limits, its events expired -- changes
// nothing a user can see then, so it is accounted for (schedules up to the resume time count
// as passed, not missed) instead of stepped. The jump is stepped normally at its start (the
// lead-in) and at its end (the tail): the lead-in shows how the CronJob's runs behave, the
// tail replays the end exactly as stepping would, at the same times.
//
// The skip is taken only when the lead-in is regular: every run finished before the next
// schedule (no overlap, so concurrencyPolicy never acts), none missed its deadline, and each
// outcome it saw (Complete, Failed) came at least as often as its history limit keeps. The
// tail is the lead-in's length plus one Event TTL (and two sweep periods), so under the same
// behaviour it refills every history slot before the TTL window of the end, and whatever the
// deleted Jobs' events said has expired by then. Runs whose behaviour changes later in the
// jump than the lead-in shows (a failure every 1,000th run, nothing in the lead-in) are the
// limit of this: `stepThrough(..., { exact: true })` steps every firing. The events about the
// CronJob itself go through client-go's correlator, whose "combined from similar events"
// aggregate stays alive through the whole jump: the lead-in's firings must all record the
// same events at the same offsets, and the skipped firings' are replayed through it. A
// CronJob edited during the skip (a new schedule, suspended) counts the skipped firings
// before the edit as run: its lastScheduleTime is the last of them, as kube's would be.

import type { KObject } from '../api/types';
import type { ControllerContext } from './types';
import { eventTtlMs, sweepPeriodMs } from './event-ttl';

/** What the stepped firings of one CronJob in the current jump showed. */
export interface FiringTrack {
  /** The first firing stepped in this jump (scheduled time). */
  firstAt?: number;
  /** Jobs created in this jump whose outcome is not yet seen. */
  running: Set<string>;
  fired: number;
  outcomes: { Complete: number; Failed: number };
  /** Something the skip cannot account for happened (an overlap, a missed deadline, a failed create). */
  irregular: boolean;
  /** Schedule times up to here were accounted for without being stepped. */
  accountedThrough?: number;
  /** The last firing stepped, and the events about the CronJob since (offset from it). */
  lastFiredAt?: number;
  current: Array<{ off: number; type: 'Normal' | 'Warning'; reason: string; message: string }>;
  /** Each earlier firing's events, as `offset type reason` lines. */
  signatures: string[];
  /** The firings skipped (schedule times from `from` through `through`; `next(t)`: the first after t). */
  skipped?: { from: number; through: number; next: (t: number) => number | undefined };
}

const tracks = new WeakMap<ControllerContext, Map<string, { jump: string; track: FiringTrack }>>();

/** The track of `cj` in the jump being stepped, or undefined outside a jump (or an exact one). */
export function firingTrack(ctx: ControllerContext, cj: KObject): FiringTrack | undefined {
  const jump = ctx.jump;
  if (!jump || jump.exact) return undefined;
  let byCj = tracks.get(ctx);
  if (!byCj) tracks.set(ctx, (byCj = new Map()));
  // A new jump, or a changed spec, starts a new lead-in.
  const id = `${jump.from}:${jump.to}:${cj.metadata.generation ?? 0}`;
  const uid = cj.metadata.uid!;
  let entry = byCj.get(uid);
  if (!entry || entry.jump !== id) {
    // A spec changed on the way: the firings skipped before now ran, those after it never will.
    const before = entry?.jump.startsWith(`${jump.from}:${jump.to}:`) ? entry.track.skipped : undefined;
    const skipped = before && { ...before, through: Math.min(before.through, ctx.clock.now()) };
    entry = { jump: id, track: { running: new Set(), fired: 0, outcomes: { Complete: 0, Failed: 0 }, irregular: false, current: [], signatures: [], ...(skipped ? { skipped } : {}) } };
    byCj.set(uid, entry);
  }
  return entry.track;
}

export function noteFired(t: FiringTrack | undefined, scheduled: number, jobName: string): void {
  if (!t) return;
  t.firstAt ??= scheduled;
  t.fired++;
  t.running.add(jobName);
  if (t.lastFiredAt !== undefined && !t.irregular) t.signatures.push(signature(t));
  if (t.signatures.length > 10_000) t.signatures.splice(0, 5_000); // a long jump stepped throughout
  t.lastFiredAt = scheduled;
  t.current = [];
}

const signature = (t: FiringTrack) => t.current.map((e) => `${e.off} ${e.type} ${e.reason}`).join('\n');

/** The events this reconcile records about the CronJob at `now`: part of the last firing's. */
export function noteEvents(t: FiringTrack | undefined, now: number, events: Array<['Normal' | 'Warning', string, string]>): void {
  if (!t || t.lastFiredAt === undefined) return;
  for (const [type, reason, message] of events) t.current.push({ off: now - t.lastFiredAt, type, reason, message });
}

/** A Job of this jump left the active list: finished with `outcome`, or gone unfinished. */
export function noteLeft(t: FiringTrack | undefined, jobName: string, outcome: 'Complete' | 'Failed' | undefined): void {
  if (!t || !t.running.delete(jobName)) return;
  if (outcome) t.outcomes[outcome]++;
  else t.irregular = true;
}

export function noteIrregular(t: FiringTrack | undefined): void {
  if (t) t.irregular = true;
}

/**
 * At a firing due at `scheduled` (nothing active): the schedule time to resume at, every
 * firing before it accounted for, or undefined to fire now. `nextAtOrAfter(t)` is the
 * CronJob's first schedule time at or after `t`.
 */
export function resumeAfterSkip(ctx: ControllerContext, t: FiringTrack | undefined, cj: KObject, scheduled: number, nextAtOrAfter: (t: number) => number | undefined): number | undefined {
  const jump = ctx.jump;
  if (!t || !jump || t.irregular || t.firstAt === undefined || t.running.size > 0 || t.accountedThrough !== undefined) return undefined;
  if (typeof (ctx.clock as { hold?: unknown }).hold !== 'function') return undefined; // the skipped events are replayed at their times
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit ?? 3, Failed: cj.spec?.failedJobsHistoryLimit ?? 1 };
  for (const k of ['Complete', 'Failed'] as const) {
    // Seen, but not often enough for the tail to be sure to replace every Job kept of it.
    if (limits[k] > 0 && t.outcomes[k] > 0 && t.outcomes[k] < limits[k]) return undefined;
  }
  // Every firing of the lead-in's second half recorded the same events at the same offsets
  // (so the skipped ones are replayed through the event correlator as they would come).
  const recent = [...t.signatures.slice(-Math.max(3, Math.floor(t.signatures.length / 2))), signature(t)];
  if (t.signatures.length < 3 || recent.some((x) => x !== recent[0])) return undefined;
  const ttl = eventTtlMs(ctx);
  const window = ttl + 2 * sweepPeriodMs(ttl);
  const lead = scheduled - t.firstAt;
  if (lead < window) return undefined;
  const resumeAt = nextAtOrAfter(jump.to - window - lead);
  if (resumeAt === undefined || resumeAt <= scheduled) return undefined;
  t.accountedThrough = resumeAt - 1;
  t.skipped = { from: scheduled, through: resumeAt - 1, next: (u) => nextAtOrAfter(u + 1) };
  return resumeAt;
}

/**
 * The last firing a skip in this jump accounted for under the spec before an edit, once
 * (undefined when there is none): what a controller that ran them would have left as the
 * CronJob's lastScheduleTime, from which kube counts the missed start times of the new spec.
 */
export function lastSkippedBeforeEdit(t: FiringTrack | undefined): number | undefined {
  const s = t?.skipped;
  if (!s || t.accountedThrough !== undefined) return undefined; // this spec's own skip: it resumes itself
  delete t.skipped;
  // Looked for backwards from the end, a window doubling each time: a year of minutes is not walked.
  for (let back = 60_000; ; back *= 2) {
    const start = Math.max(s.from - 1, s.through - back);
    let last: number | undefined;
    for (let u = s.next(start); u !== undefined && u <= s.through; u = s.next(u)) last = u;
    if (last !== undefined || start === s.from - 1) return last;
  }
}

/**
 * The events the skipped firings (schedule times from `from` up to the resume time) would
 * have recorded about the CronJob: the last stepped firing's, at the same offsets, with its
 * Job names moved by the time between. They go through the event recorder's correlator
 * (spam filter, "combined from similar events") at their times, so an aggregated event that
 * lives through the jump counts them, and the correlator leaves the skip as it would have.
 */
export async function replaySkippedEvents(ctx: ControllerContext, t: FiringTrack | undefined, cj: KObject, from: number, next: (t: number) => number | undefined, component: { component: string }): Promise<void> {
  const hold = (ctx.clock as { hold?: (t: number | undefined) => void }).hold?.bind(ctx.clock);
  if (!t || t.lastFiredAt === undefined || t.accountedThrough === undefined || !hold) return;
  const template = t.current;
  const base = t.lastFiredAt;
  const until = t.accountedThrough;
  const names = new RegExp(`\\b${cj.metadata.name!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)\\b`, 'g');
  function* records() {
    for (let u: number | undefined = from; u !== undefined && u <= until; u = next(u)) {
      const shift = Math.round((u - base) / 60_000);
      for (const e of template) {
        const message = e.message.replace(names, (_m, n: string) => `${cj.metadata.name}-${Number(n) + shift}`);
        yield { at: u + e.off, involved: cj, type: e.type, reason: e.reason, message, source: component };
      }
    }
  }
  const now = ctx.clock.now();
  const ttl = eventTtlMs(ctx);
  try {
    await ctx.api.replayEvents(records(), { ttlMs: ttl, sweepMs: sweepPeriodMs(ttl), hold });
  } finally {
    hold(now);
  }
}
