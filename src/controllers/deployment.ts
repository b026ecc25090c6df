// The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template,
// named <deployment>-<pod-template-hash>; rolling updates and Recreate move replicas
// from old ReplicaSets to the new one; revisions, conditions and status as v1.32 sets them.
// Also the helpers `kubectl rollout status|history|undo` need.

import type { KObject } from '../api/types';
import { deepCopy } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import {
  controllerOf,
  controllerRefTo,
  getCondition,
  mapperRead,
  ms,
  ownerKeys,
  scaledValue,
  selectorMatcher,
  typeFor,
  type Condition,
} from './controller-utils';
import { POD_TEMPLATE_HASH, computeHash, equalIgnoreHash } from './pod-template-hash';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const COMPONENT = { component: 'deployment-controller' };

// Annotations of the Deployment that are not copied to its ReplicaSets.
const SKIP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

// ---------- arithmetic ----------

/** deploymentutil.ResolveFenceposts: surge rounds up, unavailable down; never both 0. */
export function resolveFenceposts(d: KObject): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = scaledValue(ru.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

function isRolling(d: KObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function maxUnavailable(d: KObject): number {
  const replicas = d.spec?.replicas ?? 1;
  if (!isRolling(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
}

export function maxSurge(d: KObject): number {
  return isRolling(d) ? resolveFenceposts(d).maxSurge : 0;
}

const specReplicas = (rss: KObject[]) => rss.reduce((n, r) => n + (r.spec?.replicas ?? 0), 0);
const statusReplicas = (rss: KObject[]) => rss.reduce((n, r) => n + (r.status?.replicas ?? 0), 0);
const readyReplicas = (rss: KObject[]) => rss.reduce((n, r) => n + (r.status?.readyReplicas ?? 0), 0);
const availableReplicas = (rss: KObject[]) => rss.reduce((n, r) => n + (r.status?.availableReplicas ?? 0), 0);

export function revisionOf(obj: KObject): number {
  const v = Number(obj.metadata.annotations?.[REVISION] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

// ---------- the reconciler ----------

interface Sync {
  ctx: ControllerContext;
  d: KObject;
  rsType: ReturnType<typeof typeFor>;
}

function byCreation(a: KObject, b: KObject): number {
  const d = ms(a.metadata.creationTimestamp) - ms(b.metadata.creationTimestamp);
  return d !== 0 ? d : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** ReplicaSets the deployment controls (adopting orphans that match its selector). */
async function claimReplicaSets(s: Sync): Promise<KObject[]> {
  const { ctx, d, rsType } = s;
  const matches = selectorMatcher(d.spec?.selector);
  const out: KObject[] = [];
  for (const rs of (await ctx.api.list(rsType, { namespace: d.metadata.namespace })).items) {
    const ref = controllerOf(rs);
    if (ref?.uid === d.metadata.uid) out.push(rs);
    else if (!ref && matches(rs.metadata.labels) && !rs.metadata.deletionTimestamp && !d.metadata.deletionTimestamp) {
      try {
        out.push(await ctx.api.mutate(rsType, rs.metadata.namespace, rs.metadata.name!, (o) => void (o.metadata.ownerReferences = [...(o.metadata.ownerReferences ?? []), controllerRefTo(d)])));
      } catch {
        /* gone */
      }
    }
  }
  return out.sort(byCreation);
}

async function scaleReplicaSet(s: Sync, rs: KObject, replicas: number): Promise<KObject> {
  const from = rs.spec?.replicas ?? 0;
  const d = s.d;
  const desired = String(d.spec?.replicas ?? 1);
  const max = String((d.spec?.replicas ?? 1) + maxSurge(d));
  const annotationsOk = rs.metadata.annotations?.[DESIRED_REPLICAS] === desired && rs.metadata.annotations?.[MAX_REPLICAS] === max;
  if (from === replicas && annotationsOk) return rs;
  const updated = await s.ctx.api.mutate(s.rsType, rs.metadata.namespace, rs.metadata.name!, (o) => {
    o.spec.replicas = replicas;
    o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
  });
  if (from !== replicas) {
    const dir = replicas > from ? 'up' : 'down';
    await s.ctx.api.recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled ${dir} replica set ${rs.metadata.name} from ${from} to ${replicas}`, COMPONENT);
  }
  return updated;
}

/** Annotations a ReplicaSet inherits from its Deployment. */
function copiedAnnotations(d: KObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

/**
 * getNewReplicaSet: finds the RS whose template matches the deployment's (bumping its
 * revision when an old one is reused), or creates it when `create` is set.
 */
async function newReplicaSet(s: Sync, all: KObject[], create: boolean, conds: Condition[]): Promise<KObject | undefined> {
  const { ctx, d } = s;
  const existing = all.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
  const olds = all.filter((rs) => rs !== existing);
  const maxOld = olds.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
  const newRevision = String(maxOld + 1);
  const now = ctx.api.timestamp();
  if (existing) {
    const ann = existing.metadata.annotations ?? {};
    const oldRevision = ann[REVISION];
    let rs = existing;
    const wantAnn: Record<string, string> = { ...ann, ...copiedAnnotations(d) };
    if (oldRevision !== undefined && Number(oldRevision) < Number(newRevision)) {
      wantAnn[REVISION] = newRevision;
      // A reused ReplicaSet remembers the revisions it had before.
      wantAnn[REVISION_HISTORY] = ann[REVISION_HISTORY] ? `${ann[REVISION_HISTORY]},${oldRevision}` : oldRevision;
    } else if (oldRevision === undefined) wantAnn[REVISION] = newRevision;
    if (!deepEqual(wantAnn, ann) || (existing.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
      rs = await ctx.api.mutate(s.rsType, existing.metadata.namespace, existing.metadata.name!, (o) => {
        o.metadata.annotations = wantAnn;
        o.spec.minReadySeconds = d.spec?.minReadySeconds;
        if (o.spec.minReadySeconds === undefined) delete o.spec.minReadySeconds;
      });
    }
    if ((d.spec?.progressDeadlineSeconds ?? 600) !== undefined && !getCondition(conds, 'Progressing')) {
      replaceCondition(conds, { type: 'Progressing', status: 'True', reason: 'FoundNewReplicaSet', message: `Found new replica set "${rs.metadata.name}"`, lastUpdateTime: now, lastTransitionTime: now });
    }
    return rs;
  }
  if (!create) return undefined;

  const collisionCount: number = d.status?.collisionCount ?? 0;
  const hash = computeHash(d.spec?.template, collisionCount);
  const template = deepCopy(d.spec?.template ?? {});
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const selector = deepCopy(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const replicas = newReplicaCount(d, all, undefined);
  const name = `${d.metadata.name}-${hash}`;
  const rsObj: KObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations: {
        ...copiedAnnotations(d),
        [DESIRED_REPLICAS]: String(d.spec?.replicas ?? 1),
        [MAX_REPLICAS]: String((d.spec?.replicas ?? 1) + maxSurge(d)),
        [REVISION]: newRevision,
      },
      ownerReferences: [controllerRefTo(d)],
    },
    spec: { replicas, selector, template, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  let created: KObject;
  try {
    created = await ctx.api.create(rsObj);
  } catch (e) {
    const clash = await ctx.api.tryGet(s.rsType, d.metadata.namespace, name);
    if (clash && !equalIgnoreHash(clash.spec?.template, d.spec?.template)) {
      // Hash collision: bump collisionCount, the next sync computes another name.
      await ctx.api.mutate(ctx.api.registry.forKind('apps/v1', 'Deployment'), d.metadata.namespace, d.metadata.name!, (o) => {
        o.status = { ...(o.status ?? {}), collisionCount: collisionCount + 1 };
      }, { status: true });
      return undefined;
    }
    throw e;
  }
  if (replicas > 0) await ctx.api.recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`, COMPONENT);
  replaceCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"`, lastUpdateTime: now, lastTransitionTime: now });
  return created;
}

/** deploymentutil.NewRSNewReplicas. */
function newReplicaCount(d: KObject, all: KObject[], newRS: KObject | undefined): number {
  const replicas = d.spec?.replicas ?? 1;
  if (!isRolling(d)) return replicas;
  const current = newRS ? newRS.spec?.replicas ?? 0 : 0;
  const total = specReplicas(all);
  const maxTotal = replicas + maxSurge(d);
  if (total >= maxTotal) return current;
  const up = Math.min(maxTotal - total, replicas - current);
  return current + Math.max(0, up);
}

function replaceCondition(conds: Condition[], c: Condition): void {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i >= 0) conds.splice(i, 1, c);
  else conds.push(c);
}

/** SetDeploymentCondition: same status+reason is a no-op; same status keeps lastTransitionTime. */
function setDeploymentCondition(conds: Condition[], c: Condition): void {
  const cur = getCondition(conds, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  replaceCondition(conds, next);
}

async function rolloutRolling(s: Sync, all: KObject[], conds: Condition[]): Promise<KObject[]> {
  let newRS = await newReplicaSet(s, all, true, conds);
  if (!newRS) return all;
  all = [...all.filter((r) => r.metadata.name !== newRS!.metadata.name), newRS].sort(byCreation);
  // Scale up the new ReplicaSet within maxSurge (reconcileNewReplicaSet; a new RS above
  // the deployment's replicas, e.g. after `kubectl scale rs`, goes straight back down).
  const replicas = s.d.spec?.replicas ?? 1;
  const want = (newRS.spec?.replicas ?? 0) > replicas ? replicas : newReplicaCount(s.d, all, newRS);
  if ((newRS.spec?.replicas ?? 0) !== want || !newRS.metadata.annotations?.[DESIRED_REPLICAS]) {
    newRS = await scaleReplicaSet(s, newRS, want);
    all = all.map((r) => (r.metadata.name === newRS!.metadata.name ? newRS! : r));
  }
  // Scale down old ones within maxUnavailable.
  const d = s.d;
  let olds = all.filter((r) => r.metadata.name !== newRS!.metadata.name);
  const oldCount = specReplicas(olds);
  if (oldCount > 0) {
    const allCount = specReplicas(all);
    const minAvailable = (d.spec?.replicas ?? 1) - maxUnavailable(d);
    const newUnavailable = (newRS.spec?.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    let maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown > 0) {
      // First the old pods that are not available anyway (cleanupUnhealthyReplicas).
      olds = [...olds].sort(byCreation);
      for (let i = 0; i < olds.length && maxScaledDown > 0; i++) {
        const rs = olds[i];
        const cur = rs.spec?.replicas ?? 0;
        const unhealthy = cur - (rs.status?.availableReplicas ?? 0);
        if (cur === 0 || unhealthy <= 0) continue;
        const down = Math.min(maxScaledDown, unhealthy);
        olds[i] = await scaleReplicaSet(s, rs, cur - down);
        maxScaledDown -= down;
      }
      // Then available ones, oldest first, while enough stay available.
      const allNow = [newRS, ...olds];
      const available = availableReplicas(allNow);
      let toScaleDown = available - minAvailable;
      for (let i = 0; i < olds.length && toScaleDown > 0; i++) {
        const rs = olds[i];
        const cur = rs.spec?.replicas ?? 0;
        if (cur === 0) continue;
        const down = Math.min(cur, toScaleDown);
        olds[i] = await scaleReplicaSet(s, rs, cur - down);
        toScaleDown -= down;
      }
    }
  }
  return [newRS, ...olds];
}

async function rolloutRecreate(s: Sync, all: KObject[], conds: Condition[]): Promise<KObject[]> {
  let newRS = await newReplicaSet(s, all, false, conds);
  let olds = all.filter((r) => r.metadata.name !== newRS?.metadata.name);
  // Scale down every old ReplicaSet, then wait until their pods are gone.
  const scaled: KObject[] = [];
  for (const rs of olds) scaled.push((rs.spec?.replicas ?? 0) > 0 ? await scaleReplicaSet(s, rs, 0) : rs);
  olds = scaled;
  const podType = s.ctx.api.registry.forKind('v1', 'Pod');
  const oldUids = new Set(olds.map((r) => r.metadata.uid));
  const oldPodsLeft = (await s.ctx.api
    .list(podType, { namespace: s.d.metadata.namespace }))
    .items.some((p) => oldUids.has(controllerOf(p)?.uid) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  if (oldPodsLeft || olds.some((r) => (r.status?.replicas ?? 0) > 0)) return newRS ? [newRS, ...olds] : olds;
  if (!newRS) newRS = await newReplicaSet(s, all, true, conds);
  if (!newRS) return olds;
  if ((newRS.spec?.replicas ?? 0) !== (s.d.spec?.replicas ?? 1)) newRS = await scaleReplicaSet(s, newRS, s.d.spec?.replicas ?? 1);
  return [newRS, ...olds];
}

/** dc.scale: a replicas change outside a rollout, spread proportionally over active ReplicaSets. */
async function scaleProportionally(s: Sync, newRS: KObject | undefined, olds: KObject[]): Promise<void> {
  const d = s.d;
  const replicas = d.spec?.replicas ?? 1;
  const all = newRS ? [newRS, ...olds] : olds;
  const active = all.filter((r) => (r.spec?.replicas ?? 0) > 0);
  if (active.length <= 1) {
    const target = active[0] ?? newRS ?? [...olds].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
    if (target) await scaleReplicaSet(s, target, replicas);
    return;
  }
  if (newRS && (newRS.spec?.replicas ?? 0) === replicas && availableReplicas([newRS]) >= replicas) {
    for (const rs of olds) if ((rs.spec?.replicas ?? 0) > 0) await scaleReplicaSet(s, rs, 0);
    return;
  }
  if (!isRolling(d)) return;
  const allowed = replicas + maxSurge(d);
  const current = specReplicas(active);
  const toAdd = allowed - current;
  if (toAdd === 0) return;
  // Larger (and newer) ReplicaSets first, each gets its share; leftovers go to the first.
  const sorted = [...active].sort((a, b) => (toAdd > 0 ? (b.spec.replicas - a.spec.replicas) || byCreation(b, a) : (a.spec.replicas - b.spec.replicas) || byCreation(a, b)));
  const shares = sorted.map((rs) => {
    const share = Math.trunc(((rs.spec.replicas as number) * toAdd) / current);
    return Math.max(share, -(rs.spec.replicas as number));
  });
  let left = toAdd - shares.reduce((a, b) => a + b, 0);
  shares[0] += left;
  if ((sorted[0].spec.replicas as number) + shares[0] < 0) shares[0] = -(sorted[0].spec.replicas as number);
  left = 0;
  for (const [i, rs] of sorted.entries()) await scaleReplicaSet(s, rs, (rs.spec.replicas as number) + shares[i]);
}

async function cleanup(s: Sync, olds: KObject[]): Promise<void> {
  const limit = s.d.spec?.revisionHistoryLimit ?? 10;
  const dead = olds
    .filter((r) => (r.spec?.replicas ?? 0) === 0 && (r.status?.replicas ?? 0) === 0 && !r.metadata.deletionTimestamp)
    .sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  const excess = dead.length - limit;
  for (const rs of dead.slice(0, Math.max(0, excess))) {
    try {
      await s.ctx.api.delete(s.rsType, rs.metadata.namespace, rs.metadata.name!);
    } catch {
      /* gone */
    }
  }
}

/** deploymentutil.DeploymentComplete. */
function isComplete(d: KObject, st: any): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return (st.updatedReplicas ?? 0) === replicas && (st.replicas ?? 0) === replicas && (st.availableReplicas ?? 0) === replicas && (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** deploymentutil.DeploymentProgressing: compared with the previous status. */
function isProgressing(d: KObject, st: any): boolean {
  const old = d.status ?? {};
  const oldStatusReplicas = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newStatusReplicas = (st.replicas ?? 0) - (st.updatedReplicas ?? 0);
  return (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newStatusReplicas < oldStatusReplicas || (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

async function reconcileDeployment(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const dType = api.registry.forKind('apps/v1', 'Deployment');
  let d = await api.tryGet(dType, key.namespace, key.name);
  if (!d || d.metadata.deletionTimestamp) return;
  const s: Sync = { ctx, d, rsType: typeFor(api, 'apps/v1', 'ReplicaSet') };
  const now = ctx.clock.now();
  const ts = api.timestamp();
  const conds: Condition[] = deepCopy(d.status?.conditions ?? []);
  if (!d.spec?.selector || !Object.keys(d.spec.selector).length) return;

  let all = await claimReplicaSets(s);
  // Paused conditions (checkPausedConditions).
  const prog = getCondition(conds, 'Progressing');
  if (prog?.reason !== 'ProgressDeadlineExceeded') {
    const pausedCond = prog?.reason === 'DeploymentPaused';
    if (d.spec?.paused && !pausedCond) replaceCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused', lastUpdateTime: ts, lastTransitionTime: ts });
    else if (!d.spec?.paused && pausedCond) replaceCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed', lastUpdateTime: ts, lastTransitionTime: ts });
  }

  let newRS: KObject | undefined;
  const desiredStr = String(d.spec?.replicas ?? 1);
  const scaling = all.some((rs) => (rs.spec?.replicas ?? 0) > 0 && rs.metadata.annotations?.[DESIRED_REPLICAS] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS] !== desiredStr);
  if (d.spec?.paused || scaling) {
    // dc.sync: scaling only, no new template rolled out.
    newRS = await newReplicaSet(s, all, false, conds);
    await scaleProportionally(s, newRS, all.filter((r) => r !== newRS && r.metadata.name !== newRS?.metadata.name));
    all = await claimReplicaSets(s);
    newRS = newRS ? all.find((r) => r.metadata.name === newRS!.metadata.name) : undefined;
    if (d.spec?.paused) await cleanup(s, all.filter((r) => r !== newRS));
  } else {
    all = isRolling(d) ? await rolloutRolling(s, all, conds) : await rolloutRecreate(s, all, conds);
    all = await claimReplicaSets(s);
    newRS = all.find((rs) => equalIgnoreHash(rs.spec?.template, d!.spec?.template));
  }
  const olds = all.filter((r) => r.metadata.name !== newRS?.metadata.name);

  // calculateStatus
  const st: any = {
    observedGeneration: d.metadata.generation,
    replicas: statusReplicas(all),
    updatedReplicas: newRS ? statusReplicas([newRS]) : 0,
    readyReplicas: readyReplicas(all),
    availableReplicas: availableReplicas(all),
    unavailableReplicas: Math.max(0, specReplicas(all) - availableReplicas(all)),
  };
  if (d.status?.collisionCount !== undefined) st.collisionCount = d.status.collisionCount;
  const replicas = d.spec?.replicas ?? 1;
  if (st.availableReplicas >= replicas - maxUnavailable(d)) {
    setDeploymentCondition(conds, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: ts, lastTransitionTime: ts });
  } else {
    setDeploymentCondition(conds, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: ts, lastTransitionTime: ts });
  }

  // syncRolloutStatus (progress.go), not while paused.
  let requeue: number | undefined;
  const deadline = d.spec?.progressDeadlineSeconds;
  if (!d.spec?.paused && deadline !== undefined && deadline !== null && newRS) {
    const cur = getCondition(conds, 'Progressing');
    const completeBefore = st.replicas === st.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
    if (!completeBefore) {
      const name = newRS.metadata.name;
      if (isComplete(d, st)) {
        setDeploymentCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.`, lastUpdateTime: ts, lastTransitionTime: ts });
      } else if (isProgressing(d, st)) {
        const c: Condition = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.`, lastUpdateTime: ts, lastTransitionTime: ts };
        if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        replaceCondition(conds, c);
      } else if (cur && cur.reason !== 'NewReplicaSetAvailable' && cur.reason !== 'ProgressDeadlineExceeded') {
        const last = ms(cur.lastUpdateTime);
        const due = last + deadline * 1000;
        if (!Number.isNaN(last) && due <= now) {
          setDeploymentCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.`, lastUpdateTime: ts, lastTransitionTime: ts });
        } else if (!Number.isNaN(last)) requeue = due - now;
      }
    }
    // A progressing rollout is checked again when its deadline would pass.
    const after = getCondition(conds, 'Progressing');
    if (requeue === undefined && after && after.status === 'True' && after.reason !== 'NewReplicaSetAvailable' && !isComplete(d, st)) {
      const due = ms(after.lastUpdateTime) + deadline * 1000;
      if (!Number.isNaN(due)) requeue = Math.max(1000, due - now);
    }
  }
  // The ReplicaSets' create failures (a quota refusing pods) show on the Deployment too,
  // the new ReplicaSet's first (getReplicaFailures; not while paused or scaling: dc.sync).
  if (!d.spec?.paused && !scaling) {
    const failure = [newRS, ...olds].flatMap((rs) => (rs?.status?.conditions ?? []).filter((c: Condition) => c.type === 'ReplicaFailure'))[0];
    if (failure) setDeploymentCondition(conds, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });
    else if (getCondition(conds, 'ReplicaFailure')) conds.splice(conds.findIndex((c) => c.type === 'ReplicaFailure'), 1);
  }
  if (isComplete(d, st) && !d.spec?.paused) await cleanup(s, olds);
  // Conditions in the order the controller adds them: Available first, then Progressing.
  conds.sort((a, b) => order(a.type) - order(b.type));
  st.conditions = conds;
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (!st[k]) delete st[k];

  // The deployment's own revision annotation follows its new ReplicaSet.
  const rev = newRS?.metadata.annotations?.[REVISION];
  if (rev && d.metadata.annotations?.[REVISION] !== rev) {
    d = await api.mutate(dType, d.metadata.namespace, d.metadata.name!, (o) => void (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: rev }));
  }
  if (!deepEqual(st, d.status ?? {})) {
    await api.mutate(dType, d.metadata.namespace, d.metadata.name!, (o) => void (o.status = st), { status: true });
  }
  if (requeue !== undefined) return { requeueAfterMs: requeue };
}

function order(type: string): number {
  return type === 'Available' ? 0 : type === 'Progressing' ? 1 : 2;
}

/** The Deployment of a ReplicaSet, if it recreates (only read: shared, not copied). */
async function recreateOwner(ctx: ControllerContext, namespace: string | undefined, rsName: string): Promise<ReconcileKey | undefined> {
  const rs = await ctx.api.tryGet(ctx.api.registry.forKind('apps/v1', 'ReplicaSet'), namespace, rsName, { shared: true });
  const dRef = rs && controllerOf(rs);
  if (dRef?.kind !== 'Deployment') return undefined;
  const d = await ctx.api.tryGet(ctx.api.registry.forKind('apps/v1', 'Deployment'), namespace, dRef.name, { shared: true });
  return d?.spec?.strategy?.type === 'Recreate' ? { kind: 'Deployment', namespace: d.metadata.namespace, name: d.metadata.name! } : undefined;
}

export const deploymentReconciler: Reconciler = {
  name: 'deployment-controller',
  primary: ['apps/v1', 'Deployment'],
  watches: [
    {
      // Recreate waits for the old pods to be gone, which may change no ReplicaSet status.
      kind: 'Pod',
      map: (pod, ctx) => {
        const rsRef = controllerOf(pod);
        if (rsRef?.kind !== 'ReplicaSet') return [];
        const namespace = pod.metadata.namespace;
        // Once a poll for all the ReplicaSet's pods' changes.
        return mapperRead(ctx, `recreate/${namespace ?? ''}/${rsRef.name}`, () => recreateOwner(ctx, namespace, rsRef.name), (key) => (key ? [key] : []));
      },
    },
    {
      kind: 'ReplicaSet',
      map: async (rs, ctx) => {
        const owned = ownerKeys('Deployment')(rs);
        if (owned.length || controllerOf(rs)) return owned;
        const dType = ctx.api.registry.forKind('apps/v1', 'Deployment');
        return (await ctx.api
          .list(dType, { namespace: rs.metadata.namespace }))
          .items.filter((d) => selectorMatcher(d.spec?.selector)(rs.metadata.labels))
          .map((d) => ({ kind: 'Deployment', namespace: d.metadata.namespace, name: d.metadata.name! }));
      },
    },
  ],
  reconcile: reconcileDeployment,
};
