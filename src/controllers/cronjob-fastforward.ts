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
// limit of this: `stepThrough(..., { exact: true })` steps every firing. Not replayed either:
// the event correlator's state (spam filter, "combined from similar events") for the skipped
// firings, so the one aggregated event about the CronJob itself, which stays alive through
// the jump, counts from the tail on rather than from the jump's start.

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
    entry = { jump: id, track: { running: new Set(), fired: 0, outcomes: { Complete: 0, Failed: 0 }, irregular: false } };
    byCj.set(uid, entry);
  }
  return entry.track;
}

export function noteFired(t: FiringTrack | undefined, scheduled: number, jobName: string): void {
  if (!t) return;
  t.firstAt ??= scheduled;
  t.fired++;
  t.running.add(jobName);
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
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit ?? 3, Failed: cj.spec?.failedJobsHistoryLimit ?? 1 };
  for (const k of ['Complete', 'Failed'] as const) {
    // Seen, but not often enough for the tail to be sure to replace every Job kept of it.
    if (limits[k] > 0 && t.outcomes[k] > 0 && t.outcomes[k] < limits[k]) return undefined;
  }
  const ttl = eventTtlMs(ctx);
  const window = ttl + 2 * sweepPeriodMs(ttl);
  const lead = scheduled - t.firstAt;
  if (lead < window) return undefined;
  const resumeAt = nextAtOrAfter(jump.to - window - lead);
  if (resumeAt === undefined || resumeAt <= scheduled) return undefined;
  t.accountedThrough = resumeAt - 1;
  return resumeAt;
}
