// Why a workload is not Ready, in the words the cluster used: the pods' conditions and
// container statuses, the events of pods and controllers, and the workload's own
// conditions (ProgressDeadlineExceeded, BackoffLimitExceeded). Reads a settled cluster.

import type { KObject } from '../api/types';
import type { RawFinding, WorkloadState } from './types';

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet', 'ReplicationController']);

/** What the diagnosis reads: every pod, event and controller-made object of the cluster. */
export interface ClusterView {
  pods: KObject[];
  events: KObject[];
  /** ReplicaSets and Jobs (intermediate owners). */
  owned: KObject[];
}

export interface Diagnosis {
  state: WorkloadState;
  detail: string;
  findings: RawFinding[];
}

interface PodProblem {
  ruleId: RawFinding['ruleId'];
  text: string;
  hint?: string;
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const cond = (o: KObject, type: string) => (o.status?.conditions ?? []).find((c: any) => c?.type === type);

function readiness(w: KObject): { state: WorkloadState; detail: string } {
  const st = w.status ?? {};
  const want = typeof w.spec?.replicas === 'number' ? w.spec.replicas : 1;
  switch (w.kind) {
    case 'Deployment': {
      const ready = num(st.readyReplicas);
      const ok = ready >= want && num(st.updatedReplicas) >= want && num(st.availableReplicas) >= want;
      return { state: ok ? 'Ready' : 'NotReady', detail: `${ready}/${want} ready` };
    }
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'StatefulSet': {
      const ready = num(st.readyReplicas);
      return { state: ready >= want ? 'Ready' : 'NotReady', detail: `${ready}/${want} ready` };
    }
    case 'DaemonSet': {
      const desired = num(st.desiredNumberScheduled);
      const ready = num(st.numberReady);
      const ok = st.desiredNumberScheduled !== undefined && ready >= desired && num(st.numberAvailable) >= desired;
      return { state: ok ? 'Ready' : 'NotReady', detail: `${ready}/${desired} ready` };
    }
    case 'Job': {
      const completions = typeof w.spec?.completions === 'number' ? w.spec.completions : 1;
      const detail = `${num(st.succeeded)}/${completions} succeeded`;
      if (cond(w, 'Complete')?.status === 'True') return { state: 'Complete', detail };
      if (cond(w, 'Failed')?.status === 'True') return { state: 'Failed', detail };
      if (w.spec?.suspend === true) return { state: 'Ready', detail: 'suspended' };
      return { state: 'NotReady', detail: `${detail}, ${num(st.active)} active, ${num(st.failed)} failed` };
    }
    case 'Pod': {
      if (st.phase === 'Succeeded') return { state: 'Complete', detail: 'Succeeded' };
      if (st.phase === 'Failed') return { state: 'Failed', detail: 'Failed' };
      const ready = cond(w, 'Ready')?.status === 'True';
      return { state: ready ? 'Ready' : 'NotReady', detail: ready ? 'Running' : st.phase ?? 'Pending' };
    }
  }
  return { state: 'Ready', detail: '' };
}

/** Events about an object (by uid), newest last. */
function eventsOf(view: ClusterView, uid: string | undefined): KObject[] {
  if (!uid) return [];
  return view.events.filter((e) => e.involvedObject?.uid === uid).sort((a, b) => stamp(a) - stamp(b));
}
function stamp(e: KObject): number {
  return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '') || 0;
}

function latest(events: KObject[], pred: (e: KObject) => boolean): KObject | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (pred(events[i])) return events[i];
  return undefined;
}

/** The problems of one pod that is not ready, most fundamental first. */
export function podProblems(pod: KObject, view: ClusterView): PodProblem[] {
  const evs = eventsOf(view, pod.metadata.uid);
  const out: PodProblem[] = [];
  const sched = cond(pod, 'PodScheduled');
  if (sched?.status === 'False') {
    const ev = latest(evs, (e) => e.reason === 'FailedScheduling');
    out.push({ ruleId: 'deploy/failed-scheduling', text: `FailedScheduling: ${ev?.note ?? ev?.message ?? sched.message ?? sched.reason}` });
    return out;
  }
  if (pod.status?.reason && pod.status?.phase === 'Failed') {
    out.push({ ruleId: 'deploy/pod-failed', text: `${pod.status.reason}: ${pod.status.message ?? ''}`.trim() });
  }
  const statuses: [string, any][] = [
    ...(pod.status?.initContainerStatuses ?? []).map((s: any) => ['initContainers', s] as [string, any]),
    ...(pod.status?.containerStatuses ?? []).map((s: any) => ['containers', s] as [string, any]),
  ];
  for (const [list, s] of statuses) {
    const fieldPath = `spec.${list}{${s.name}}`;
    const cevs = evs.filter((e) => e.involvedObject?.fieldPath === fieldPath);
    const waiting = s.state?.waiting;
    const reason: string | undefined = waiting?.reason;
    if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff' || reason === 'ErrImageNeverPull') {
      const ev = latest(cevs, (e) => e.reason === 'Failed' && /^Failed to pull image/.test(e.message ?? '')) ?? latest(cevs, (e) => e.reason === 'ErrImageNeverPull');
      out.push({ ruleId: 'deploy/image-pull', text: `${reason}: ${ev?.message ?? waiting.message ?? ''}`.replace(/: $/, '') });
    } else if (reason === 'InvalidImageName') {
      const ev = latest(cevs, (e) => e.reason === 'InspectFailed');
      out.push({ ruleId: 'deploy/image-pull', text: `InvalidImageName: ${ev?.message ?? waiting.message ?? `invalid image reference "${s.image}"`}` });
    } else if (reason === 'CreateContainerConfigError') {
      out.push({ ruleId: 'deploy/config-error', text: `CreateContainerConfigError: ${waiting.message ?? ''}`.trim() });
    } else if (reason === 'CreateContainerError' || reason === 'RunContainerError' || reason === 'PreCreateHookError' || reason === 'PostStartHookError') {
      out.push({ ruleId: 'deploy/container-error', text: `${reason}: ${waiting.message ?? ''}`.trim() });
    } else if (reason === 'CrashLoopBackOff') {
      const t = s.lastState?.terminated;
      const exit = t ? `exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` : 'unknown exit code';
      out.push({ ruleId: 'deploy/crashloop', text: `CrashLoopBackOff: container "${s.name}" keeps exiting with ${exit}` });
    } else if (s.state?.terminated && s.state.terminated.exitCode !== 0 && pod.status?.phase === 'Failed') {
      const t = s.state.terminated;
      out.push({ ruleId: 'deploy/pod-failed', text: `container "${s.name}" terminated with exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''}` });
    } else if (s.state?.running && s.ready !== true && list === 'containers') {
      const ev = latest(cevs, (e) => e.reason === 'Unhealthy' && /^(Readiness|Startup) probe failed/.test(e.message ?? ''));
      if (ev) out.push({ ruleId: 'deploy/not-ready', text: `Unhealthy: ${ev.message}` });
    }
  }
  const mount = latest(evs, (e) => e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume');
  if (mount && pod.status?.phase === 'Pending' && !out.length) out.push({ ruleId: 'deploy/mount-failed', text: `${mount.reason}: ${mount.message}` });
  if (!out.length && pod.status?.phase !== 'Succeeded') {
    // Still waiting for something: say what the kubelet last said, if anything.
    const warn = latest(evs, (e) => e.type === 'Warning');
    if (warn) out.push({ ruleId: 'deploy/not-ready', text: `${warn.reason}: ${warn.message ?? warn.note ?? ''}` });
  }
  return out;
}

function podsOf(w: KObject, view: ClusterView, extraOwners: string[]): KObject[] {
  const owners = new Set<string>([w.metadata.uid!, ...extraOwners]);
  // Intermediate owners (ReplicaSets of a Deployment, Jobs of a CronJob) first.
  for (const o of view.owned) if (o.metadata.ownerReferences?.some((r) => owners.has(r.uid))) owners.add(o.metadata.uid!);
  if (w.kind === 'Pod') return [w];
  return view.pods.filter((p) => p.metadata.ownerReferences?.some((r) => owners.has(r.uid)));
}

/**
 * Readiness and reasons of one workload (the live object). `extraOwners`: uids whose pods
 * count as the workload's (the trial Job run for a CronJob).
 */
export function diagnoseWorkload(w: KObject, view: ClusterView, opts: { extraOwners?: string[]; trial?: KObject } = {}): Diagnosis {
  let { state, detail } = readiness(opts.trial ?? w);
  if (w.kind === 'CronJob') {
    if (w.spec?.suspend === true) return { state: 'Ready', detail: 'suspended', findings: [] };
    detail = opts.trial ? `test run: ${detail}` : detail;
  }
  const findings: RawFinding[] = [];
  if (state === 'Ready' || state === 'Complete') return { state, detail, findings };

  // The workload's own verdicts.
  if (w.kind === 'Deployment') {
    const p = cond(w, 'Progressing');
    if (p?.status === 'False' && p.reason === 'ProgressDeadlineExceeded') findings.push({ ruleId: 'deploy/progress-deadline', severity: 'error', message: `ProgressDeadlineExceeded: ${p.message}` });
  }
  const job = opts.trial ?? (w.kind === 'Job' ? w : undefined);
  const failed = job && cond(job, 'Failed');
  if (failed?.status === 'True') findings.push({ ruleId: 'deploy/job-failed', severity: 'error', message: `${failed.reason}: ${failed.message}` });

  // Controllers that could not create pods.
  const ownerUids = [w.metadata.uid!, ...(opts.extraOwners ?? [])];
  for (const o of view.owned) if (o.metadata.ownerReferences?.some((r) => ownerUids.includes(r.uid))) ownerUids.push(o.metadata.uid!);
  // Retries name a new generated pod each time: one finding per distinct cause, the latest text.
  const createFailures = new Map<string, string>();
  for (const uid of ownerUids) {
    for (const e of eventsOf(view, uid)) {
      if (e.reason === 'FailedCreate') createFailures.set(String(e.message).replace(/pods "[^"]*"/g, 'pods'), `FailedCreate: ${e.message}`);
    }
  }
  for (const m of createFailures.values()) findings.push({ ruleId: 'deploy/create-failed', severity: 'error', message: m });

  // What the pods say, grouped: the same text for 3 pods is one finding.
  const pods = podsOf(w, view, opts.extraOwners ?? []).filter((p) => !p.metadata.deletionTimestamp);
  const considered = pods.filter((p) => cond(p, 'Ready')?.status !== 'True' && p.status?.phase !== 'Succeeded');
  const grouped = new Map<string, { p: PodProblem; pods: string[] }>();
  for (const pod of considered) {
    for (const p of podProblems(pod, view)) {
      const key = `${p.ruleId}\n${p.text}`;
      if (!grouped.has(key)) grouped.set(key, { p, pods: [] });
      grouped.get(key)!.pods.push(pod.metadata.name!);
    }
  }
  for (const { p, pods: names } of grouped.values()) {
    const who = w.kind === 'Pod' ? '' : ` (${names.length === 1 ? `pod ${names[0]}` : `${names.length} pods, e.g. ${names[0]}`})`;
    findings.push({ ruleId: p.ruleId, severity: 'error', message: `${p.text}${who}`, hint: p.hint });
  }
  if (!findings.length) {
    const what = state === 'Failed' ? 'failed' : w.kind === 'Job' || (w.kind === 'CronJob' && opts.trial) ? 'did not complete' : 'did not become ready';
    findings.push({ ruleId: state === 'Failed' ? (w.kind === 'Pod' ? 'deploy/pod-failed' : 'deploy/job-failed') : 'deploy/not-ready', severity: 'error', message: `${w.kind} ${w.metadata.name} ${what} (${detail})` });
  }
  return { state, detail, findings };
}
