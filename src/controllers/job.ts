// The Job controller (pkg/controller/job): run pods until `completions` succeed, within
// `parallelism`; count failures against backoffLimit with 10 s doubling back-off; fail on
// activeDeadlineSeconds; suspend/resume; Indexed completion mode; v1.32's interim
// conditions (SuccessCriteriaMet / FailureTarget) before the terminal Complete / Failed.
// Also the TTL-after-finished controller's job: delete finished Jobs after their TTL.

import type { KObject } from '../api/types';
import { deepCopy } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { POD, claimPods, isPodReady, ms, ownerKeys, podFromTemplate, selectorMatcher, typeFor, type Condition } from './controller-utils';

const COMPONENT = { component: 'job-controller' };
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 10 * 60_000;

export const JOB_MESSAGES = {
  backoff: 'Job has reached the specified backoff limit',
  deadline: 'Job was active longer than specified deadline',
  completions: 'Reached expected number of succeeded pods',
} as const;

/** The selector and labels the API server gives a Job on create (generateSelector). */
export function jobSelectorDefaults(job: KObject): { selector: any; labels: Record<string, string> } {
  const uid = job.metadata.uid!;
  return {
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    labels: {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': job.metadata.name!,
      'controller-uid': uid,
      'job-name': job.metadata.name!,
    },
  };
}

export function isJobFinished(job: KObject): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

function finishTime(pod: KObject): number {
  let t = NaN;
  for (const cs of pod.status?.containerStatuses ?? []) {
    const f = ms(cs.state?.terminated?.finishedAt);
    if (!Number.isNaN(f) && (Number.isNaN(t) || f > t)) t = f;
  }
  if (Number.isNaN(t)) {
    const ready = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    t = ms(ready?.lastTransitionTime);
  }
  if (Number.isNaN(t)) t = ms(pod.metadata.creationTimestamp);
  return t;
}

function cond(type: string, reason: string, message: string, ts: string): Condition {
  return { type, status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message };
}

function hasCond(conds: Condition[], type: string): Condition | undefined {
  return conds.find((c) => c.type === type && c.status === 'True');
}

/** "0-2,4" style compressed list of sorted integers. */
export function formatIndexes(idx: number[]): string {
  const s = [...new Set(idx)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseIndexes(s: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

function podIndex(pod: KObject): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX] ?? pod.metadata.labels?.[COMPLETION_INDEX];
  return v === undefined ? undefined : Number(v);
}

async function reconcileJob(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const jobType = typeFor(api, 'batch/v1', 'Job');
  const podType = POD(api);
  let job = await api.tryGet(jobType, key.namespace, key.name);
  if (!job || job.metadata.deletionTimestamp) {
    // Pods of a deleted Job must not stay stuck on the tracking finalizer.
    await releaseTrackedPods(ctx, key, job);
    return;
  }
  const now = ctx.clock.now();
  const ts = api.timestamp();
  const spec = job.spec ?? {};

  // The API server sets the selector and template labels on create (generateSelector).
  // Both are immutable afterwards, so when they are missing the controller works with
  // the values the server would have set instead of writing them.
  const defaults = jobSelectorDefaults(job);
  const selectorSpec = spec.selector ?? defaults.selector;
  const extraLabels = spec.selector ? {} : defaults.labels;

  const finished = isJobFinished(job);
  if (finished) {
    await releaseTrackedPods(ctx, key, job);
    return ttlAfterFinished(job, ctx);
  }

  const st: any = deepCopy(job.status ?? {});
  let conds: Condition[] = st.conditions ?? [];
  const matches = selectorMatcher(selectorSpec);
  const pods = await claimPods(ctx, job, matches);
  const indexed = job.spec.completionMode === 'Indexed';

  // Count newly finished pods (their tracking finalizer still on), then release them.
  let succeeded = st.succeeded ?? 0;
  let failed = st.failed ?? 0;
  const completed = new Set(parseIndexes(st.completedIndexes));
  for (const p of pods) {
    const tracked = (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
    const phase = p.status?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    if (!tracked) continue;
    if (terminal) {
      if (phase === 'Succeeded') {
        const i = podIndex(p);
        if (indexed && i !== undefined) {
          if (!completed.has(i)) succeeded++;
          completed.add(i);
        } else succeeded++;
      } else failed++;
    } else if (!p.metadata.deletionTimestamp) continue;
    // Deleted before finishing counts as a failure, unless the Job stopped it (suspend, success).
    else if (!spec.suspend && !hasCond(st.conditions ?? [], 'SuccessCriteriaMet')) failed++;
    try {
      await api.mutate(podType, p.metadata.namespace, p.metadata.name!, (o) => {
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
        if (!o.metadata.finalizers!.length) delete o.metadata.finalizers;
      });
    } catch {
      /* gone */
    }
  }
  const live = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  let active = live.filter((p) => !p.metadata.deletionTimestamp);
  const events: Array<['Normal' | 'Warning', string, string]> = [];

  if (!st.startTime && !spec.suspend) st.startTime = ts;
  const parallelism: number = spec.parallelism ?? 1;
  const completions: number | undefined = spec.completions ?? undefined;
  let requeue: number | undefined;

  // Suspend / resume.
  if (spec.suspend) {
    if (!hasCond(conds, 'Suspended')) {
      conds = [...conds.filter((c) => c.type !== 'Suspended'), cond('Suspended', 'JobSuspended', 'Job suspended', ts)];
      events.push(['Normal', 'Suspended', 'Job suspended']);
    }
  } else if (hasCond(conds, 'Suspended')) {
    conds = conds.map((c) => (c.type === 'Suspended' ? { ...c, status: 'False', reason: 'JobResumed', message: 'Job resumed', lastTransitionTime: ts, lastProbeTime: ts } : c));
    events.push(['Normal', 'Resumed', 'Job resumed']);
    st.startTime = ts; // the deadline counts from the resume
  }

  // Failure and success criteria.
  let failure = hasCond(conds, 'FailureTarget') ? { reason: hasCond(conds, 'FailureTarget')!.reason!, message: hasCond(conds, 'FailureTarget')!.message! } : undefined;
  let success = !!hasCond(conds, 'SuccessCriteriaMet');
  const backoffLimit: number = spec.backoffLimit ?? 6;
  const restarts = active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m: number, c: any) => m + (c.restartCount ?? 0), 0), 0);
  const onFailure = spec.template?.spec?.restartPolicy === 'OnFailure';
  if (!failure && !success) {
    // pastBackoffLimitOnFailure: with OnFailure, container restarts count instead of pods.
    const pastOnFailure = onFailure && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit);
    if (failed > backoffLimit || pastOnFailure) {
      failure = { reason: 'BackoffLimitExceeded', message: JOB_MESSAGES.backoff };
    } else if (spec.activeDeadlineSeconds !== undefined && st.startTime && !spec.suspend) {
      const due = ms(st.startTime) + Number(spec.activeDeadlineSeconds) * 1000; // an int64 may be a bigint
      if (now >= due) failure = { reason: 'DeadlineExceeded', message: JOB_MESSAGES.deadline };
      else requeue = due - now;
    }
    if (!failure) {
      if (indexed) success = completed.size >= (completions ?? 1);
      else if (completions !== undefined && completions !== null) success = succeeded >= completions;
      else success = succeeded > 0 && active.length === 0;
    }
    if (failure) {
      conds = [...conds, cond('FailureTarget', failure.reason, failure.message, ts)];
      events.push(['Warning', failure.reason, failure.message]);
    } else if (success) {
      conds = [...conds, cond('SuccessCriteriaMet', 'CompletionsReached', JOB_MESSAGES.completions, ts)];
    }
  }

  if (failure || success || spec.suspend) {
    // Stop whatever still runs.
    for (const p of active) {
      try {
        await api.delete(podType, p.metadata.namespace, p.metadata.name!);
        if (!success) events.push(['Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`]);
      } catch {
        /* gone */
      }
    }
    active = [];
  } else {
    // Create what is missing, after the failure back-off.
    let want = completions === undefined || completions === null ? parallelism : Math.min(parallelism, completions - (indexed ? completed.size : succeeded));
    if (!indexed && (completions === undefined || completions === null) && succeeded > 0) want = 0;
    want = Math.max(0, want);
    const lastSuccess = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(finishTime).filter((x) => !Number.isNaN(x)));
    const failuresInRow = pods.filter((p) => p.status?.phase === 'Failed' && finishTime(p) >= lastSuccess).map(finishTime).sort((a, b) => a - b);
    let waitMs = 0;
    if (failuresInRow.length && active.length < want) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failuresInRow.length - 1), BACKOFF_MAX_MS);
      const at = failuresInRow[failuresInRow.length - 1] + delay;
      if (at > now) waitMs = at - now;
    }
    if (waitMs > 0) requeue = requeue === undefined ? waitMs : Math.min(requeue, waitMs);
    else {
      const usedIdx = new Set(active.map(podIndex));
      const freeIdx: number[] = [];
      if (indexed) for (let i = 0; i < (completions ?? 1) && freeIdx.length < want - active.length; i++) if (!completed.has(i) && !usedIdx.has(i)) freeIdx.push(i);
      for (let n = active.length; n < want; n++) {
        const pod = podFromTemplate(job.spec.template, job, { labels: extraLabels });
        pod.metadata.finalizers = [JOB_TRACKING_FINALIZER];
        if (indexed) {
          const i = freeIdx.shift();
          if (i === undefined) break;
          pod.metadata.generateName = `${job.metadata.name}-${i}-`;
          pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX]: String(i) };
          pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX]: String(i) };
          pod.spec.hostname = `${job.metadata.name}-${i}`;
          for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
            c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
          }
        }
        try {
          const created = await api.create(pod);
          active.push(created);
          events.push(['Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`]);
        } catch (e) {
          events.push(['Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`]);
          requeue = 10_000;
          break;
        }
      }
    }
  }

  // The pods as they are after this pass's writes (one list, only this Job's pods copied).
  const fresh = await ownedPods(ctx, job);
  // Terminal conditions once nothing runs any more.
  if ((failure || success) && !fresh.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) {
    if (failure) conds = [...conds, cond('Failed', failure.reason, failure.message, ts)];
    else {
      conds = [...conds, cond('Complete', 'CompletionsReached', JOB_MESSAGES.completions, ts)];
      st.completionTime = ts;
      events.push(['Normal', 'Completed', 'Job completed']);
    }
  }

  const activeNow = fresh.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp);
  const next: any = {};
  if (conds.length) next.conditions = conds;
  if (st.startTime) next.startTime = st.startTime;
  if (st.completionTime) next.completionTime = st.completionTime;
  if (activeNow.length) next.active = activeNow.length;
  if (succeeded) next.succeeded = succeeded;
  if (failed) next.failed = failed;
  if (indexed && completed.size) next.completedIndexes = formatIndexes([...completed]);
  next.terminating = fresh.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  next.ready = activeNow.filter(isPodReady).length;
  next.uncountedTerminatedPods = {};
  if (!deepEqual(next, job.status ?? {})) {
    job = await api.mutate(jobType, job.metadata.namespace, job.metadata.name!, (o) => void (o.status = next), { status: true });
  }
  for (const [type, reason, message] of events) await api.recordEvent(job, type, reason, message, COMPONENT);
  if (isJobFinished(job)) {
    const r = await ttlAfterFinished(job, ctx);
    if (r) return r;
  }
  if (requeue !== undefined) return { requeueAfterMs: Math.max(1, requeue) };
}

/** Removes the job-tracking finalizer from pods of a Job that is gone or finished. */
async function releaseTrackedPods(ctx: ControllerContext, key: ReconcileKey, job: KObject | undefined): Promise<void> {
  const api = ctx.api;
  const podType = POD(api);
  const tracked = (p: KObject) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
  for (const p of (await api.list(podType, { namespace: key.namespace, fieldMatch: tracked })).items) {
    const ref = (p.metadata.ownerReferences ?? []).find((r) => r.kind === 'Job' && r.controller);
    const mine = job ? ref?.uid === job.metadata.uid : ref?.name === key.name || !ref;
    if (!mine) continue;
    try {
      await api.mutate(podType, p.metadata.namespace, p.metadata.name!, (o) => {
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
        if (!o.metadata.finalizers!.length) delete o.metadata.finalizers;
      });
    } catch {
      /* gone */
    }
  }
}

async function ownedPods(ctx: ControllerContext, job: KObject): Promise<KObject[]> {
  const uid = job.metadata.uid;
  return (await ctx.api.list(POD(ctx.api), { namespace: job.metadata.namespace, fieldMatch: (p) => !!p.metadata.ownerReferences?.some((r) => r.uid === uid) })).items;
}

/** The TTL-after-finished controller: delete a finished Job `ttlSecondsAfterFinished` later. */
async function ttlAfterFinished(job: KObject, ctx: ControllerContext): Promise<Result | void> {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return;
  const c = (job.status?.conditions ?? []).find((x: any) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  const finishedAt = ms(job.status?.completionTime ?? c?.lastTransitionTime);
  if (Number.isNaN(finishedAt)) return;
  const due = finishedAt + ttl * 1000;
  const now = ctx.clock.now();
  if (now < due) return { requeueAfterMs: due - now };
  try {
    await ctx.api.delete(typeFor(ctx.api, 'batch/v1', 'Job'), job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Foreground' });
  } catch {
    /* gone */
  }
}

export const jobReconciler: Reconciler = {
  name: 'job-controller',
  primary: ['batch/v1', 'Job'],
  watches: [{ kind: 'Pod', map: ownerKeys('Job') }],
  reconcile: reconcileJob,
};
