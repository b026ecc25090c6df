// `kubesim trace pod`: the path of one pod through the simulated cluster, for learners.
// Built only from what the cluster stored (the pod, its owners, events about them) plus a
// re-run of the scheduler's filters, so it explains exactly what `describe` and `events`
// show, in order, in words.

import type { KObject } from '../api/types';
import { podStatus } from '../printers/columns/pods';

/** What the scheduler's filters say about each node for this pod, as the cluster is now. */
export interface SchedulingView {
  considered: number;
  preFilter?: string;
  rejected: Array<{ node: string; reasons: string[] }>;
  feasible: string[];
}

export interface TraceInput {
  pod: KObject;
  /** Controller chain, nearest first (e.g. the ReplicaSet, then its Deployment). */
  owners: KObject[];
  /** Events whose involvedObject is the pod or one of its owners. */
  events: KObject[];
  scheduling?: SchedulingView;
  /** Cluster time now, ms. */
  now: number;
}

export interface TraceStep {
  /** RFC 3339 cluster time. */
  time: string;
  /** One line, for people. */
  what: string;
  /** Indented lines under it. */
  details?: string[];
  /** Warning steps are where things went wrong. */
  warning?: boolean;
  /** Where the step comes from: event reason, condition type, or object field. */
  source: string;
}

export interface PodTrace {
  namespace: string;
  name: string;
  steps: TraceStep[];
  /** The pod's state now, as `get pods` shows it. */
  now: { phase: string; status: string; ready: string; restarts: string; node?: string; ip?: string };
  /** When the pod is not Running and Ready: why, in the cluster's words. */
  stuck?: string[];
}

const ms = (t: string | undefined | null): number | undefined => (t ? Date.parse(t) : undefined);

function eventFirst(e: KObject): string | undefined {
  return e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
}

function eventLast(e: KObject): string | undefined {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
}

function ref(o: KObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

/** Order of steps that share a timestamp: the order the cluster performs them in. */
const RANK: Record<string, number> = {
  created: 0,
  SuccessfulCreate: 1,
  FailedScheduling: 2,
  Scheduled: 3,
  FailedMount: 4,
  ip: 5,
  Pulling: 6,
  Pulled: 7,
  Failed: 8,
  BackOff: 9,
  Created: 10,
  Started: 11,
  Initialized: 12,
  Unhealthy: 13,
  Killing: 14,
  ContainersReady: 15,
  Ready: 16,
  deleted: 17,
};

function containerOf(e: KObject): string | undefined {
  const m = /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/.exec(e.involvedObject?.fieldPath ?? '');
  return m?.[1];
}

function times(e: KObject): string {
  const n = e.count ?? e.series?.count ?? 1;
  return n > 1 ? ` (${n} times, last at ${clock(eventLast(e))})` : '';
}

export function clock(t: string | undefined): string {
  return t ? new Date(t).toISOString().slice(11, 19) : '--:--:--';
}

/** Which defaults and admission changes a stored pod carries (what the API server added). */
function admissionNotes(pod: KObject): string[] {
  const spec = pod.spec ?? {};
  const notes: string[] = [];
  const defaults: string[] = [];
  if (spec.serviceAccountName) defaults.push(`serviceAccountName: ${spec.serviceAccountName}`);
  if (spec.schedulerName) defaults.push(`schedulerName: ${spec.schedulerName}`);
  if (spec.restartPolicy) defaults.push(`restartPolicy: ${spec.restartPolicy}`);
  if (spec.terminationGracePeriodSeconds !== undefined) defaults.push(`terminationGracePeriodSeconds: ${spec.terminationGracePeriodSeconds}`);
  if (defaults.length) notes.push(`defaulted: ${defaults.join(', ')}`);
  const tolerated = (spec.tolerations ?? [])
    .filter((t: any) => (t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable') && t.effect === 'NoExecute')
    .map((t: any) => `${t.key.replace('node.kubernetes.io/', '')} for ${t.tolerationSeconds ?? '∞'}s`);
  if (tolerated.length) notes.push(`admission (DefaultTolerationSeconds): tolerates ${tolerated.join(', ')}, then the pod is evicted from a failed node`);
  const limitRanger = pod.metadata.annotations?.['kubernetes.io/limit-ranger'];
  if (limitRanger) notes.push(`admission (LimitRanger): ${limitRanger}`);
  return notes;
}

/** The creation step: who asked for the pod, and what the API server did with it. */
function creationStep(pod: KObject, owners: KObject[], events: KObject[]): TraceStep {
  const name = pod.metadata.name!;
  const by = owners.length ? `by ${owners.map(ref).join(' of ')}` : 'directly (no controller owns it: applied or created by a user)';
  const made = events.find((e) => e.reason === 'SuccessfulCreate' && e.involvedObject?.uid === owners[0]?.metadata.uid && String(e.message ?? '').endsWith(`: ${name}`));
  const details = ['validated against the Pod schema and the API server\'s checks, then stored', ...admissionNotes(pod)];
  if (made) details.unshift(`${owners[0].kind} event SuccessfulCreate: ${made.message}`);
  return { time: pod.metadata.creationTimestamp ?? '', what: `Created ${by}`, details, source: 'metadata.creationTimestamp' };
}

function schedulingDetails(s: SchedulingView | undefined, chosen?: string): string[] {
  if (!s) return [];
  if (s.preFilter) return [`before any node is considered: ${s.preFilter}`];
  const out = [`${s.considered} node(s) considered`];
  for (const r of s.rejected) out.push(`${r.node}: ${r.reasons.join(', ')}`);
  const others = s.feasible.filter((n) => n !== chosen);
  if (chosen && others.length) out.push(`${others.join(', ')}: would fit too; ${chosen} scored highest (least allocated, balanced)`);
  return out;
}

function eventStep(e: KObject, pod: KObject, s: SchedulingView | undefined): TraceStep | undefined {
  const time = eventFirst(e) ?? '';
  const c = containerOf(e);
  const inC = c ? ` (container ${c})` : '';
  const msg = String(e.message ?? '');
  const warning = e.type === 'Warning';
  const base = { time, source: `event ${e.reason}`, warning };
  switch (e.reason) {
    case 'SuccessfulCreate':
      return undefined; // folded into the creation step
    case 'Scheduled': {
      const node = /to (\S+)$/.exec(msg)?.[1] ?? pod.spec?.nodeName;
      return { ...base, what: `Scheduled to ${node} by ${e.reportingComponent || e.source?.component || 'default-scheduler'}`, details: schedulingDetails(s, node) };
    }
    case 'FailedScheduling':
      return { ...base, warning: true, what: `Could not be scheduled${times(e)}: ${msg}` };
    case 'Pulling':
      return { ...base, what: `${msg}${inC}${times(e)}` };
    case 'Pulled':
      return { ...base, what: `Image pulled${inC}: ${msg}` };
    case 'Created':
      return { ...base, what: `Container ${c ?? ''} created`.replace(/ +$/, '') };
    case 'Started':
      return { ...base, what: `Container ${c ?? ''} started${times(e)}`.replace(/ +(?=$| \()/, '') };
    case 'Killing':
      return { ...base, what: `Killing${inC}: ${msg}${times(e)}` };
    default:
      return { ...base, what: `${e.reason}${inC}${times(e)}: ${msg}` };
  }
}

function conditionSteps(pod: KObject): TraceStep[] {
  const out: TraceStep[] = [];
  for (const c of pod.status?.conditions ?? []) {
    if (c.status !== 'True' || !c.lastTransitionTime) continue;
    if (c.type === 'Initialized' && (pod.spec?.initContainers ?? []).length) {
      out.push({ time: c.lastTransitionTime, what: 'Initialized: every init container completed', source: 'condition Initialized' });
    } else if (c.type === 'Ready') {
      const probes = (pod.spec?.containers ?? []).filter((x: any) => x.readinessProbe).map((x: any) => x.name);
      const why = probes.length ? `readiness probe passed (${probes.join(', ')})` : 'every container running, no readiness probe';
      out.push({ time: c.lastTransitionTime, what: `Ready: ${why}; the pod now receives Service traffic`, source: 'condition Ready' });
    }
  }
  return out;
}

function ipStep(pod: KObject): TraceStep | undefined {
  const ip = pod.status?.podIP;
  if (!ip) return undefined;
  const cond = (t: string) => (pod.status?.conditions ?? []).find((c: any) => c.type === t && c.status === 'True')?.lastTransitionTime;
  const time = cond('PodReadyToStartContainers') ?? pod.status?.startTime ?? cond('Initialized') ?? '';
  const cidr = pod.spec?.nodeName ? ` from ${pod.spec.nodeName}'s pod CIDR` : '';
  return { time, what: `Pod sandbox ready, IP ${ip} assigned${cidr}`, source: 'status.podIP' };
}

/** Where a pod that is not Running and Ready stands, in the words of its status and events. */
function stuckReasons(pod: KObject, events: KObject[], s: SchedulingView | undefined): string[] | undefined {
  const status = pod.status ?? {};
  const ready = (status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  if (pod.metadata.deletionTimestamp) {
    return [`Terminating: deletion requested at ${clock(pod.metadata.deletionTimestamp)}, grace period ${pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30}s`];
  }
  if (status.phase === 'Succeeded') return undefined;
  if (status.phase === 'Running' && ready) return undefined;
  const out: string[] = [];
  if (!pod.spec?.nodeName) {
    const sched = (status.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    out.push(`Pending, not scheduled${sched?.message ? `: ${sched.message}` : ''}`);
    if (s) for (const line of schedulingDetails(s)) out.push(`  ${line}`);
    if (s && s.feasible.length) out.push('  some node fits now: the scheduler retries on the next cluster change (or within 5 minutes)');
    return out;
  }
  for (const cs of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
    const w = cs.state?.waiting;
    const t = cs.lastState?.terminated;
    if (w) out.push(`container ${cs.name}: waiting, ${w.reason}${w.message ? `: ${w.message}` : ''}`);
    else if (cs.state?.running && !cs.ready) out.push(`container ${cs.name}: running but not ready`);
    if (t && (w || !cs.ready)) out.push(`  last run ended ${t.reason ?? 'Error'} with exit code ${t.exitCode}, ${cs.restartCount ?? 0} restart(s) so far`);
  }
  const mount = [...events].reverse().find((e) => e.reason === 'FailedMount');
  if (mount && !out.length) out.push(`volumes not mounted: ${mount.message}`);
  if (!out.length) out.push(`phase ${status.phase ?? 'Pending'}`);
  return out;
}

export function buildPodTrace(input: TraceInput): PodTrace {
  const { pod, owners, scheduling } = input;
  const uid = pod.metadata.uid;
  const own = input.events.filter((e) => e.involvedObject?.uid === uid || (!e.involvedObject?.uid && e.involvedObject?.kind === 'Pod' && e.involvedObject?.name === pod.metadata.name));
  const steps: TraceStep[] = [creationStep(pod, owners, input.events)];
  for (const e of own) {
    const s = eventStep(e, pod, scheduling);
    if (s) steps.push(s);
  }
  const ip = ipStep(pod);
  if (ip) steps.push(ip);
  steps.push(...conditionSteps(pod));
  if (pod.metadata.deletionTimestamp) {
    steps.push({ time: pod.metadata.deletionTimestamp, what: 'Deletion requested: containers are stopped, then the pod is removed', source: 'metadata.deletionTimestamp' });
  }
  const rank = (st: TraceStep): number => RANK[st.source.replace(/^(event|condition) /, '')] ?? (st.source === 'status.podIP' ? RANK.ip : st.source.startsWith('metadata.creation') ? RANK.created : st.source.startsWith('metadata.deletion') ? RANK.deleted : 9);
  // Events carry whole seconds (the scheduler's microseconds): compare at that resolution,
  // then by the order the cluster performs things in.
  const order = steps.map((st, i) => ({ st, i, t: Math.floor((ms(st.time) ?? 0) / 1000) }));
  order.sort((a, b) => a.t - b.t || rank(a.st) - rank(b.st) || a.i - b.i);
  const cells = podStatus(pod, input.now);
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name!,
    steps: order.map((o) => o.st),
    now: { phase: pod.status?.phase ?? 'Pending', status: cells.status, ready: cells.ready, restarts: cells.restarts, node: pod.spec?.nodeName, ip: pod.status?.podIP },
    stuck: stuckReasons(pod, own, scheduling),
  };
}

/** The trace as text: one line per step with its cluster time and the offset from creation. */
export function renderPodTrace(t: PodTrace): string {
  const start = ms(t.steps[0]?.time) ?? 0;
  const lines = [`Pod ${t.namespace}/${t.name}`];
  for (const s of t.steps) {
    const off = ms(s.time);
    const plus = off === undefined ? '' : `+${Math.max(0, Math.floor(off / 1000) - Math.floor(start / 1000))}s`;
    lines.push(`  ${clock(s.time)}  ${plus.padEnd(8)}${s.warning ? '! ' : ''}${s.what}`);
    for (const d of s.details ?? []) lines.push(`${' '.repeat(20)}${d}`);
  }
  const where = [t.now.node && `on ${t.now.node}`, t.now.ip && `IP ${t.now.ip}`].filter(Boolean).join(', ');
  lines.push(`Now: ${t.now.status}, ready ${t.now.ready}, restarts ${t.now.restarts}${where ? `, ${where}` : ''}`);
  if (t.stuck?.length) {
    lines.push('Why it is not Running and Ready:');
    for (const s of t.stuck) lines.push(`  ${s}`);
  }
  return lines.join('\n') + '\n';
}
