// The HorizontalPodAutoscaler controller against simulated CPU usage: each pod's usage is
// its `kubesim.io/cpu-usage` annotation (a quantity such as `250m`, summed over the pod;
// none means idle). Utilization is usage over requests, the replica count follows
// ceil(current * utilization / target) outside a 10% tolerance, clamped to min/max, with
// the 5-minute scale-down stabilization; every 15 s, like the real sync period.

import type { KObject } from '../api/types';
import { deepEqual } from '../util/json-equal';
import { cpuMillis } from '../api/quantity';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import { POD, isPodActive, isPodReady, ms, recordOnce, selectorMatcher, typeFor, type Condition } from './controller-utils';

const COMPONENT = { component: 'horizontal-pod-autoscaler' };
export const CPU_USAGE_ANNOTATION = 'kubesim.io/cpu-usage';
const SYNC_MS = 15_000;
const TOLERANCE = 0.1;
const DOWNSCALE_WINDOW_MS = 5 * 60_000;

function millis(q: unknown): number {
  try {
    return cpuMillis(q as string);
  } catch {
    return 0;
  }
}

/** Target CPU utilization (percent) of an HPA, v1 or v2; undefined when it has no CPU utilization metric. */
export function targetUtilization(hpa: KObject): number | undefined {
  if (hpa.apiVersion === 'autoscaling/v1') return hpa.spec?.targetCPUUtilizationPercentage ?? 80;
  for (const m of hpa.spec?.metrics ?? []) {
    if (m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization') return m.resource.target.averageUtilization;
  }
  return undefined;
}

function setCond(conds: Condition[], c: Condition, ts: string): Condition[] {
  const cur = conds.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: cur && cur.status === c.status ? cur.lastTransitionTime : ts };
  return [...conds.filter((x) => x.type !== c.type), next].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
}
const ORDER = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];

async function reconcileHpa(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const hpaType = typeFor(api, 'autoscaling/v2', 'HorizontalPodAutoscaler');
  const hpa = await api.tryGet(hpaType, key.namespace, key.name);
  if (!hpa || hpa.metadata.deletionTimestamp) return;
  const now = ctx.clock.now();
  const ts = api.timestamp();
  const ref = hpa.spec?.scaleTargetRef ?? {};
  let targetType;
  try {
    targetType = api.registry.forKind(ref.apiVersion ?? 'apps/v1', ref.kind);
  } catch {
    targetType = undefined;
  }
  const target = targetType ? await api.tryGet(targetType, hpa.metadata.namespace, ref.name) : undefined;
  let conds: Condition[] = hpa.status?.conditions ?? [];
  const st: any = { ...(hpa.status ?? {}) };
  const events: Array<['Normal' | 'Warning', string, string]> = [];
  if (!target || !targetType) {
    const msg = `the HPA controller was unable to get the target's current scale: ${targetType ? `${targetType.plural}${targetType.group ? '.' + targetType.group : ''} "${ref.name}" not found` : `no matches for kind "${ref.kind}"`}`;
    conds = setCond(conds, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: msg }, ts);
    events.push(['Warning', 'FailedGetScale', msg]);
    return finish(ctx, hpa, { ...st, conditions: conds }, events);
  }
  const current: number = target.spec?.replicas ?? 1;
  const min: number = hpa.spec?.minReplicas ?? 1;
  const max: number = hpa.spec?.maxReplicas ?? current;
  st.currentReplicas = current;
  const targetPct = targetUtilization(hpa);
  const selector = target.spec?.selector;
  const matches = target.kind === 'ReplicationController' ? (l: Record<string, string> | undefined) => Object.entries(selector ?? {}).every(([k, v]) => l?.[k] === v) : selectorMatcher(selector);
  const pods = (await api.list(POD(api), { namespace: hpa.metadata.namespace })).items.filter((p) => matches(p.metadata.labels) && isPodActive(p));
  const ready = pods.filter((p) => p.status?.phase === 'Running' && isPodReady(p));

  let desired = current;
  let reason = '';
  let stabilized = false;
  if (current === 0) {
    // Scaling is disabled for a target scaled to zero.
    conds = setCond(conds, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }, ts);
    desired = 0;
  } else if (targetPct !== undefined) {
    let requests = 0;
    let usage = 0;
    let missing: string | undefined;
    for (const p of ready) {
      for (const c of p.spec?.containers ?? []) {
        const r = c.resources?.requests?.cpu;
        if (r === undefined) missing ??= `missing request for cpu in container ${c.name} of Pod ${p.metadata.name}`;
        requests += millis(r ?? 0);
      }
      usage += millis(p.metadata.annotations?.[CPU_USAGE_ANNOTATION] ?? '0');
    }
    if (missing || !ready.length) {
      const msg = `the HPA was unable to compute the replica count: failed to get cpu utilization: ${missing ?? 'did not receive metrics for targeted pods (pods might be unready)'}`;
      conds = setCond(conds, { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: msg }, ts);
      events.push(['Warning', 'FailedGetResourceMetric', `failed to get cpu utilization: ${missing ?? 'did not receive metrics for targeted pods (pods might be unready)'}`]);
      st.currentMetrics = hpa.apiVersion === 'autoscaling/v1' ? undefined : [{ type: 'Resource', resource: { name: 'cpu', current: {} } }];
    } else {
      const utilization = Math.round((usage * 100) / requests);
      const ratio = utilization / targetPct;
      if (Math.abs(ratio - 1) > TOLERANCE) desired = Math.ceil(ratio * ready.length);
      reason = ratio > 1 ? 'cpu resource utilization (percentage of request) above target' : 'All metrics below target';
      conds = setCond(conds, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' }, ts);
      if (hpa.apiVersion === 'autoscaling/v1') st.currentCPUUtilizationPercentage = utilization;
      else st.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: utilization, averageValue: `${Math.round(usage / ready.length)}m` } } }];
    }
  }

  if (current > 0) {
    if (desired > max) {
      desired = max;
      conds = setCond(conds, { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }, ts);
    } else if (desired < min) {
      desired = min;
      conds = setCond(conds, { type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }, ts);
    } else conds = setCond(conds, { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' }, ts);
    // Default scale-up policy: at most double or +4 pods (whichever is more) per period.
    if (desired > current) desired = Math.min(desired, Math.max(current * 2, current + 4));
    // Scale-down stabilization: no shrinking within 5 minutes of the last rescale.
    const last = ms(st.lastScaleTime);
    // One rescale per sync period: the loop may look sooner than the real 15 s.
    if (desired !== current && !Number.isNaN(last) && now - last < SYNC_MS) {
      desired = current;
      stabilized = true;
    }
    if (desired < current && !Number.isNaN(last) && now - last < DOWNSCALE_WINDOW_MS) {
      desired = current;
      stabilized = true;
      conds = setCond(conds, { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }, ts);
    }
  }
  if (desired !== current && current > 0) {
    try {
      await api.mutate(targetType, target.metadata.namespace, target.metadata.name!, (o) => void (o.spec.replicas = desired));
      st.lastScaleTime = ts;
      if (!reason) reason = desired > current ? 'Current number of replicas below Spec.MinReplicas' : 'Current number of replicas above Spec.MaxReplicas';
      events.push(['Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`]);
      conds = setCond(conds, { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` }, ts);
    } catch (e) {
      conds = setCond(conds, { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${(e as Error).message}` }, ts);
      events.push(['Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${(e as Error).message}`]);
    }
  } else if (!stabilized) {
    conds = setCond(conds, { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }, ts);
  }
  st.desiredReplicas = desired;
  st.conditions = conds;
  if (st.currentMetrics === undefined) delete st.currentMetrics;
  return finish(ctx, hpa, st, events);
}

async function finish(ctx: ControllerContext, hpa: KObject, st: any, events: Array<['Normal' | 'Warning', string, string]>): Promise<Result> {
  const api = ctx.api;
  if (!deepEqual(st, hpa.status ?? {})) {
    try {
      await api.mutate(api.registry.forKind('autoscaling/v2', 'HorizontalPodAutoscaler'), hpa.metadata.namespace, hpa.metadata.name!, (o) => void (o.status = st), { status: true });
    } catch {
      /* deleted meanwhile */
    }
  }
  // Warnings repeat on every sync upstream; once is enough to see them here.
  for (const [type, reason, message] of events) {
    if (type === 'Warning') await recordOnce(ctx, hpa, type, reason, message, COMPONENT);
    else await api.recordEvent(hpa, type, reason, message, COMPONENT);
  }
  return { requeueAfterMs: SYNC_MS, periodic: true };
}

export const hpaReconciler: Reconciler = {
  name: 'horizontal-pod-autoscaler',
  primary: ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  reconcile: reconcileHpa,
};
