// The CronJob controller (pkg/controller/cronjob, v2): on the cluster clock, create a Job
// `<cronjob>-<scheduled minute since epoch>` at each due time, honouring
// concurrencyPolicy, startingDeadlineSeconds, suspend and history limits, and requeue at
// the next due time so `clock advance` fires them.

import type { KObject } from '../api/types';
import { deepCopy } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { controllerOf, controllerRefTo, ms, ownerKeys, rfc3339, typeFor } from './controller-utils';
import { isJobFinished } from './job';
import { firingTrack, lastSkippedBeforeEdit, noteEvents, noteFired, noteIrregular, noteLeft, replaySkippedEvents, resumeAfterSkip } from './cronjob-fastforward';

const COMPONENT = { component: 'cronjob-controller' };
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MINUTE = 60_000;

// ---------- schedules ----------

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  /** `@every <duration>`: fixed interval in ms instead of fields. */
  everyMs?: number;
}

function parseField(field: string, min: number, max: number, names?: Record<string, number>): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range, stepS] = part.split('/');
    const step = stepS === undefined ? 1 : Number(stepS);
    if (!Number.isInteger(step) || step < 1) throw new Error(`failed to parse int from ${stepS}`);
    let lo: number;
    let hi: number;
    const num = (s: string) => {
      const n = names?.[s.toLowerCase()] ?? (/^\d+$/.test(s) ? Number(s) : NaN);
      if (Number.isNaN(n)) throw new Error(`failed to parse int from ${s}`);
      return n;
    };
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
      if (stepS === undefined) star = true;
    } else {
      const [a, b] = range.split('-');
      lo = num(a);
      hi = b === undefined ? (stepS === undefined ? lo : max) : num(b);
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`value out of range: ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** robfig/cron's standard parser: 5 fields or a descriptor. Throws on invalid input. */
export function parseCron(schedule: string): CronSchedule {
  let s = schedule.trim();
  if (s.startsWith('@every ')) {
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
    for (const m of s.slice(7).trim().matchAll(re)) total += Number(m[1]) * DURATION_UNITS[m[2]];
    if (total <= 0) throw new Error(`failed to parse duration ${s.slice(7)}`);
    const all = new Set<number>();
    return { minute: all, hour: all, dom: all, month: all, dow: all, domStar: true, dowStar: true, everyMs: Math.max(1000, Math.round(total / 1000) * 1000) };
  }
  if (s.startsWith('@')) {
    if (!DESCRIPTORS[s]) throw new Error(`unrecognized descriptor: ${s}`);
    s = DESCRIPTORS[s];
  }
  const f = s.split(/\s+/);
  if (f.length !== 5) throw new Error(`expected exactly 5 fields, found ${f.length}: ${s}`);
  const dom = parseField(f[2], 1, 31);
  const dow = parseField(f[4], 0, 6, DAYS);
  return {
    minute: parseField(f[0], 0, 59).set,
    hour: parseField(f[1], 0, 23).set,
    dom: dom.set,
    month: parseField(f[3], 1, 12, MONTHS).set,
    dow: dow.set,
    domStar: dom.star,
    dowStar: dow.star,
  };
}

/** Offset (ms) of `tz` from UTC at instant `t`. */
function tzOffset(tz: string | undefined, t: number): number {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return local - Math.floor(t / 1000) * 1000;
}

function dayMatches(c: CronSchedule, d: Date): boolean {
  const domOk = c.dom.has(d.getUTCDate());
  const dowOk = c.dow.has(d.getUTCDay());
  return c.domStar || c.dowStar ? domOk && dowOk : domOk || dowOk;
}

/** The first schedule time strictly after `after` (ms), in time zone `tz`; undefined if none within 5 years. */
export function nextScheduleTime(c: CronSchedule, after: number, tz?: string, origin?: number): number | undefined {
  if (c.everyMs) {
    const base = origin ?? 0;
    return base + (Math.floor((after - base) / c.everyMs) + 1) * c.everyMs;
  }
  const off = tzOffset(tz, after);
  let t = Math.floor((after + off) / MINUTE) * MINUTE + MINUTE; // local wall time, as UTC fields
  const limit = t + 5 * 366 * 24 * 60 * MINUTE;
  while (t < limit) {
    const d = new Date(t);
    if (!c.month.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(c, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!c.hour.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!c.minute.has(d.getUTCMinutes())) {
      t += MINUTE;
      continue;
    }
    const utc = t - tzOffset(tz, t - off);
    return utc > after ? utc : utc + MINUTE * 60; // DST fold: take the later instant
  }
  return undefined;
}

/** RFC3339 in the CronJob's time zone (`Z` for UTC, `+02:00` otherwise). */
function formatInZone(t: number, tz?: string): string {
  const off = tzOffset(tz, t);
  if (!off) return rfc3339(t);
  const local = new Date(Math.floor(t / 1000) * 1000 + off).toISOString().replace('.000Z', '');
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off) / MINUTE;
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Go's time.RFC1123Z (`Mon, 02 Jan 2006 15:04:05 -0700`) in UTC. */
function rfc1123z(t: number): string {
  const d = new Date(t);
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${wd}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Job name for a schedule time: minutes since the epoch. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / MINUTE)}`;
}

/**
 * kube's mostRecentScheduleTime (pkg/controller/cronjob/utils.go): the latest schedule time
 * after `earliest` and at or before `now`, and how many came due, counted as kube does, from
 * the first interval (a weekday schedule counts its weekends): over 100 is TooManyMissedTimes.
 * `next(t)` is the first schedule time strictly after t.
 */
export function mostRecentScheduleTime(next: (t: number) => number | undefined, earliest: number, now: number): { at?: number; missed: number } {
  const t1 = next(earliest);
  if (t1 === undefined || t1 > now) return { missed: 0 };
  const t2 = next(t1);
  if (t2 === undefined || t2 > now) return { at: t1, missed: 1 };
  const between = Math.round((t2 - t1) / 1000);
  const missed = Math.floor(Math.trunc((now - t1) / 1000) / between) + 1;
  let at: number | undefined;
  for (let t = next(t1 + (missed - 2) * between * 1000); t !== undefined && t <= now; t = next(t)) at = t;
  return { at, missed };
}

// ---------- the reconciler ----------

async function reconcileCronJob(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const cjType = typeFor(api, 'batch/v1', 'CronJob');
  const jobType = typeFor(api, 'batch/v1', 'Job');
  const cj = await api.tryGet(cjType, key.namespace, key.name);
  if (!cj || cj.metadata.deletionTimestamp) return;
  const now = ctx.clock.now();
  const spec = cj.spec ?? {};
  const tz: string | undefined = spec.timeZone ?? undefined;
  const st: any = deepCopy(cj.status ?? {});
  const events: Array<['Normal' | 'Warning', string, string]> = [];
  const track = firingTrack(ctx, cj); // this CronJob's firings in a clock jump being stepped
  // Edited on the way through a skip: the skipped firings before the edit ran.
  const ran = lastSkippedBeforeEdit(track);
  if (ran !== undefined && (!st.lastScheduleTime || ran > ms(st.lastScheduleTime))) st.lastScheduleTime = rfc3339(ran);

  // Only this CronJob's Jobs, shared (frozen, not copied): they are only read here.
  const jobs = (await api.list(jobType, { namespace: cj.metadata.namespace, fieldMatch: (j) => controllerOf(j)?.uid === cj.metadata.uid, shared: true })).items;
  const byName = new Map(jobs.map((j) => [j.metadata.name!, j]));

  // Active list: drop jobs that finished or vanished.
  const active: any[] = [];
  for (const ref of st.active ?? []) {
    const j = byName.get(ref.name);
    if (!j || j.metadata.uid !== ref.uid) {
      noteLeft(track, ref.name, undefined);
      continue;
    }
    const fin = isJobFinished(j);
    if (fin) {
      noteLeft(track, ref.name, fin);
      events.push(['Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${fin}`]);
      if (fin === 'Complete' && j.status?.completionTime) {
        if (!st.lastSuccessfulTime || ms(j.status.completionTime) > ms(st.lastSuccessfulTime)) st.lastSuccessfulTime = j.status.completionTime;
      }
      continue;
    }
    active.push(ref);
  }
  // Jobs we own that are running but missing from the list come back into it.
  for (const j of jobs) {
    if (!isJobFinished(j) && !j.metadata.deletionTimestamp && !active.some((r) => r.uid === j.metadata.uid)) active.push(jobRef(j));
  }

  // History limits.
  const finished = jobs.filter((j) => isJobFinished(j) && !j.metadata.deletionTimestamp);
  const startOf = (j: KObject) => ms(j.status?.startTime ?? j.metadata.creationTimestamp);
  for (const [which, limit] of [['Complete', spec.successfulJobsHistoryLimit ?? 3], ['Failed', spec.failedJobsHistoryLimit ?? 1]] as const) {
    const list = finished.filter((j) => isJobFinished(j) === which).sort((a, b) => startOf(a) - startOf(b));
    for (const j of list.slice(0, Math.max(0, list.length - (limit as number)))) {
      try {
        await api.delete(jobType, j.metadata.namespace, j.metadata.name!, { propagationPolicy: 'Background' });
        events.push(['Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`]);
      } catch {
        /* gone */
      }
    }
  }

  let requeue: number | undefined;
  let scheduleAt: number | undefined;
  let periodic = false;
  let schedule: CronSchedule | undefined;
  let skippedFrom: number | undefined;
  try {
    schedule = parseCron(spec.schedule ?? '');
  } catch (e) {
    events.push(['Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(e as Error).message}`]);
  }
  const created = ms(cj.metadata.creationTimestamp);
  if (schedule && !spec.suspend) {
    // The most recent missed schedule time since the last one (or creation).
    let earliest = st.lastScheduleTime ? ms(st.lastScheduleTime) : created;
    if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null) earliest = Math.max(earliest, now - Number(spec.startingDeadlineSeconds) * 1000);
    // Schedule times a jump's fast-forward accounted for have passed, not been missed.
    if (track?.accountedThrough !== undefined) earliest = Math.max(earliest, track.accountedThrough);
    const { at: scheduled, missed } = mostRecentScheduleTime((t) => nextScheduleTime(schedule!, t, tz, created), earliest, now);
    if (missed > 100) events.push(['Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
    if (scheduled !== undefined) {
      const tooLate = spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null && scheduled + Number(spec.startingDeadlineSeconds) * 1000 < now;
      const name = jobNameFor(cj.metadata.name!, scheduled);
      if (missed > 1 && track?.firstAt !== undefined) noteIrregular(track); // a late reconcile on the way: not a steady run
      if (tooLate) {
        noteIrregular(track);
        if (!await reportedSince(ctx, cj, 'MissSchedule', scheduled)) events.push(['Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`]);
      } else if (active.some((r) => r.name === name) || byName.has(name)) {
        // already started for this time
      } else if (active.length > 0 && spec.concurrencyPolicy === 'Forbid') {
        noteIrregular(track);
        // Once per missed time, not on every sync while it waits.
        if (!await reportedSince(ctx, cj, 'JobAlreadyActive', scheduled)) events.push(['Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid']);
      } else if (!active.length && !events.length && resumeAfterSkip(ctx, track, cj, scheduled, (t) => nextScheduleTime(schedule!, t - 1, tz, created)) !== undefined) {
        // Fast-forward: the firings up to the resume time leave nothing by the jump's end
        // but their events' count in the correlator (replayed below).
        skippedFrom = scheduled;
      } else {
        if (active.length) noteIrregular(track); // runs overlap
        if (spec.concurrencyPolicy === 'Replace') {
          for (const ref of active.splice(0)) {
            try {
              await api.delete(jobType, cj.metadata.namespace, ref.name, { propagationPolicy: 'Background' });
              events.push(['Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`]);
            } catch {
              /* gone */
            }
          }
        }
        const tmpl = deepCopy(spec.jobTemplate ?? {});
        const job: KObject = {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: {
            name,
            namespace: cj.metadata.namespace,
            labels: tmpl.metadata?.labels,
            annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: formatInZone(scheduled, tz) },
            ownerReferences: [controllerRefTo(cj)],
          },
          spec: tmpl.spec ?? {},
        };
        if (!job.metadata.labels) delete job.metadata.labels;
        try {
          const j = await api.create(job);
          active.push(jobRef(j));
          noteFired(track, scheduled, name);
          events.push(['Normal', 'SuccessfulCreate', `Created job ${name}`]);
          st.lastScheduleTime = rfc3339(scheduled);
        } catch (e) {
          noteIrregular(track);
          events.push(['Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`]);
          requeue = 10_000;
        }
      }
    }
    const next = nextScheduleTime(schedule, Math.max(now, track?.accountedThrough ?? now), tz, created);
    if (next !== undefined) {
      if (requeue === undefined || next - now < requeue) {
        requeue = next - now;
        scheduleAt = next;
        periodic = true; // the schedule is a steady-state timer, not a wait for progress
      }
    }
  }

  if (active.length) st.active = active;
  else delete st.active;
  if (!st.lastScheduleTime) delete st.lastScheduleTime;
  if (!deepEqual(st, cj.status ?? {})) {
    try {
      await api.mutate(cjType, cj.metadata.namespace, cj.metadata.name!, (o) => void (o.status = st), { status: true });
    } catch {
      /* deleted meanwhile */
    }
  }
  for (const [type, reason, message] of events) await api.recordEvent(cj, type, reason, message, COMPONENT);
  noteEvents(track, now, events);
  if (skippedFrom !== undefined) await replaySkippedEvents(ctx, track, cj, skippedFrom, (t) => nextScheduleTime(schedule!, t, tz, created), COMPONENT);
  // The next schedule time is absolute: time spent in this reconcile must not make it late.
  if (scheduleAt !== undefined) requeue = scheduleAt - ctx.clock.now();
  if (requeue !== undefined && Number.isFinite(requeue)) return periodic ? { requeueAfterMs: Math.max(1, requeue), periodic } : { requeueAfterMs: Math.max(1, requeue) };
}

async function reportedSince(ctx: ControllerContext, cj: KObject, reason: string, since: number): Promise<boolean> {
  const evType = ctx.api.registry.forKind('v1', 'Event');
  const match = (e: KObject) => e.involvedObject?.uid === cj.metadata.uid && e.reason === reason && ms(e.lastTimestamp) >= since;
  return (await ctx.api.list(evType, { namespace: cj.metadata.namespace, fieldMatch: match, shared: true })).items.length > 0;
}

function jobRef(j: KObject): any {
  return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: j.metadata.namespace, resourceVersion: j.metadata.resourceVersion, uid: j.metadata.uid };
}

export const cronJobReconciler: Reconciler = {
  name: 'cronjob-controller',
  primary: ['batch/v1', 'CronJob'],
  watches: [{ kind: 'Job', map: ownerKeys('CronJob') }],
  reconcile: reconcileCronJob,
};
