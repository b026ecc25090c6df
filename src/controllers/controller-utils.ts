// Helpers shared by the workload controllers: owner references, pod state predicates,
// int-or-percent values, condition bookkeeping and node eligibility (the pieces of
// k8s.io/kubernetes/pkg/controller that every workload controller leans on).

import type { KObject, OwnerReference } from '../api/types';
import { deepCopy } from '../api/types';
import type { ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import { fromLabelSelectorSpec, matchesLabels, type LabelSelectorSpec } from '../api/selectors';
import type { ControllerContext, ReconcileKey } from './types';
import { sortedKeys } from '../util/exact-json';
import { equalDecoded } from './pod-template-hash';

export function typeFor(api: ApiServer, apiVersion: string, kind: string): ResourceType {
  return api.registry.forKind(apiVersion, kind);
}

export const POD = (api: ApiServer): ResourceType => typeFor(api, 'v1', 'Pod');

/** The ownerReference a controller puts on what it creates. */
export function controllerRefTo(owner: KObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerOf(obj: KObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function isControlledBy(obj: KObject, owner: KObject): boolean {
  return controllerOf(obj)?.uid === owner.metadata.uid;
}

/**
 * A watch mapper's read (`key` names what `read` reads; only read, never changed), made once
 * while the manager maps one poll's changes and `then` applied to it: synchronously once
 * read, so a pod's change costs its mappers no promise. The poll's changes are all written
 * before it maps them, so every change of the poll sees what it would have read itself; a
 * write by another task meanwhile is a change of the next poll, mapped then.
 */
export function mapperRead<T, R>(ctx: ControllerContext, key: string, read: () => Promise<T>, then: (value: T) => R): R | Promise<R> {
  const reads = ctx.mapperReads;
  if (reads?.has(key)) return then(reads.get(key) as T);
  return read().then((value) => {
    reads?.set(key, value);
    return then(value);
  });
}

/** Watch mapper: a dependent's change requeues its controlling owner of `kind`. */
export function ownerKeys(kind: string) {
  return (obj: KObject): ReconcileKey[] => {
    const ref = controllerOf(obj);
    return ref && ref.kind === kind ? [{ kind, namespace: obj.metadata.namespace, name: ref.name }] : [];
  };
}

/** A selector spec matcher that never throws (an invalid selector selects nothing). */
export function selectorMatcher(spec: LabelSelectorSpec | null | undefined): (labels: Record<string, string> | undefined) => boolean {
  try {
    const sel = fromLabelSelectorSpec(spec);
    if (sel.nothing) return () => false;
    // An empty selector would select everything; workload controllers refuse that.
    if (sel.requirements.length === 0) return () => false;
    return (labels) => matchesLabels(sel, labels ?? {});
  } catch {
    return () => false;
  }
}

/** A map selector (Service, ReplicationController): empty selects nothing. */
export function mapMatcher(sel: Record<string, string> | undefined): (labels: Record<string, string> | undefined) => boolean {
  const entries = Object.entries(sel ?? {});
  if (!entries.length) return () => false;
  return (labels) => entries.every(([k, v]) => labels?.[k] === v);
}

export function ms(ts: string | undefined | null): number {
  return ts ? Date.parse(ts) : NaN;
}

/** Seconds formatted lately: a pod's status formats the same few start and finish times at every sync. */
const rfcSeconds = new Map<number, string>();

export function rfc3339(nowMs: number): string {
  const sec = Math.floor(nowMs / 1000);
  let s = rfcSeconds.get(sec);
  if (s === undefined) {
    s = new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
    if (rfcSeconds.size >= 256) rfcSeconds.clear();
    rfcSeconds.set(sec, s);
  }
  return s;
}

// ---------- pods ----------

export function podCondition(pod: KObject, type: string): any | undefined {
  return (pod.status?.conditions ?? []).find((c: any) => c.type === type);
}

export function isPodReady(pod: KObject): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

export function isPodTerminal(pod: KObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** controller.IsPodActive: not finished and not being deleted. */
export function isPodActive(pod: KObject): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** podutil.IsPodAvailable: Ready for at least minReadySeconds. */
export function isPodAvailable(pod: KObject, minReadySeconds: number, now: number): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = ms(c.lastTransitionTime);
  return Number.isNaN(since) || since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available (0 when it is, or never will be by waiting). */
export function msUntilAvailable(pod: KObject, minReadySeconds: number, now: number): number {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True' || !minReadySeconds) return 0;
  const at = ms(c.lastTransitionTime) + minReadySeconds * 1000;
  return Number.isNaN(at) || at <= now ? 0 : at - now;
}

/** A Pod built from a template, as controller.GetPodFromTemplate does. */
export function podFromTemplate(template: any, owner: KObject, extra: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KObject {
  const t = deepCopy(template ?? {});
  const meta = t.metadata ?? {};
  const pod: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(extra.name ? { name: extra.name } : { generateName: extra.generateName ?? `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...(extra.labels ?? {}) },
      ownerReferences: [controllerRefTo(owner)],
    },
    spec: t.spec ?? {},
  };
  const annotations = { ...(meta.annotations ?? {}), ...(extra.annotations ?? {}) };
  if (Object.keys(annotations).length) pod.metadata.annotations = annotations;
  if (meta.finalizers) pod.metadata.finalizers = meta.finalizers;
  if (!Object.keys(pod.metadata.labels!).length) delete pod.metadata.labels;
  return pod;
}

/** Pods in the owner's namespace that it controls (by uid). */
export async function ownedPods(api: ApiServer, owner: KObject): Promise<KObject[]> {
  return (await api.list(POD(api), { namespace: owner.metadata.namespace })).items.filter((p) => isControlledBy(p, owner));
}

/**
 * ClaimPods: pods the owner controls that still match are kept, controlled pods that no
 * longer match are released (ownerReference removed), orphans that match are adopted.
 */
export async function claimPods(ctx: ControllerContext, owner: KObject, matches: (labels: Record<string, string> | undefined) => boolean): Promise<KObject[]> {
  const api = ctx.api;
  const podType = POD(api);
  const out: KObject[] = [];
  // Only pods this owner controls or could adopt are looked at, shared (frozen, not copied):
  // the owners' controllers only read the pods claimed (a change goes through api.mutate).
  const candidate = (pod: KObject) => {
    const ref = controllerOf(pod);
    return ref ? ref.uid === owner.metadata.uid : matches(pod.metadata.labels);
  };
  for (const pod of (await api.list(podType, { namespace: owner.metadata.namespace, fieldMatch: candidate, shared: true })).items) {
    const ref = controllerOf(pod);
    if (ref?.uid === owner.metadata.uid) {
      if (matches(pod.metadata.labels) || pod.metadata.deletionTimestamp) out.push(pod);
      else {
        try {
          await api.mutate(podType, pod.metadata.namespace, pod.metadata.name!, (p) => {
            p.metadata.ownerReferences = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
            if (!p.metadata.ownerReferences!.length) delete p.metadata.ownerReferences;
          });
        } catch {
          /* gone */
        }
      }
    } else if (!ref && matches(pod.metadata.labels) && !pod.metadata.deletionTimestamp && !owner.metadata.deletionTimestamp) {
      try {
        out.push(
          await api.mutate(podType, pod.metadata.namespace, pod.metadata.name!, (p) => {
            if (controllerOf(p)) return;
            p.metadata.ownerReferences = [...(p.metadata.ownerReferences ?? []), controllerRefTo(owner)];
          }),
        );
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

// ---------- values ----------

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

// ---------- conditions ----------

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export function getCondition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return (conds ?? []).find((c) => c.type === type);
}

/**
 * Sets a condition keeping lastTransitionTime when the status does not change (the
 * Deployment flavour also keeps lastUpdateTime when nothing but the message moved).
 */
export function setCondition(conds: Condition[], next: Condition): Condition[] {
  const cur = getCondition(conds, next.type);
  if (cur && cur.status === next.status && cur.reason === next.reason && cur.message === next.message) return conds;
  const c = { ...next };
  if (cur && cur.status === next.status && cur.lastTransitionTime) c.lastTransitionTime = cur.lastTransitionTime;
  return [...conds.filter((x) => x.type !== next.type), c];
}

// ---------- nodes ----------

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function tolerates(tols: Toleration[] | undefined, taint: { key: string; value?: string; effect: string }): boolean {
  return (tols ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    if (t.operator === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

// ---------- ControllerRevisions (StatefulSet, DaemonSet history) ----------

export interface RevisionRef {
  name: string;
  hash: string;
  revision: number;
}

/**
 * Finds or creates the ControllerRevision holding `template` for `owner` (data is the
 * strategic-merge patch `{spec: {template: {..., $patch: replace}}}` as upstream writes
 * it). A reused older revision is renumbered to be the newest, as history.go does.
 */
export async function ensureRevision(ctx: ControllerContext, owner: KObject, template: any, hashFn: (data: unknown, collisions?: number) => string): Promise<{ current: RevisionRef; all: KObject[] }> {
  const api = ctx.api;
  const crType = typeFor(api, 'apps/v1', 'ControllerRevision');
  // The controller's json.Marshal of a map: keys sorted, the bytes kube-apiserver then serves as
  // they were written (kubectl's rollback compares them with its own patch, byte for byte).
  const data = { spec: { template: sortedKeys({ ...(template ?? {}), $patch: 'replace' }) } };
  const owned = (await api.list(crType, { namespace: owner.metadata.namespace })).items.filter((r) => isControlledBy(r, owner));
  const hash = hashFn(data, owner.status?.collisionCount ?? 0);
  const name = `${owner.metadata.name}-${hash}`;
  const max = owned.reduce((m, r) => Math.max(m, Number(r.revision ?? 0)), 0);
  // A revision an older kubesim wrote from the template as stored then (`cpu: 1000m`, named by
  // its hash) is this template as kube decodes it: reused, not a new revision rolling the pods.
  const found = owned.find((r) => r.metadata.name === name) ?? owned.find((r) => equalDecoded(r.data?.spec?.template, data.spec.template));
  if (found) {
    const at = { name: found.metadata.name!, hash: found.metadata.labels?.['controller.kubernetes.io/hash'] ?? hash };
    if (Number(found.revision) < max) {
      const upd = await api.mutate(crType, found.metadata.namespace, at.name, (o) => void (o.revision = max + 1));
      return { current: { ...at, revision: max + 1 }, all: owned.map((r) => (r.metadata.name === at.name ? upd : r)) };
    }
    return { current: { ...at, revision: Number(found.revision) }, all: owned };
  }
  const created = await api.create({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(template?.metadata?.labels ?? {}), 'controller.kubernetes.io/hash': hash },
      ownerReferences: [controllerRefTo(owner)],
    },
    data,
    revision: max + 1,
  });
  return { current: { name, hash, revision: max + 1 }, all: [...owned, created] };
}

/** Deletes the oldest revisions not in `live` beyond the owner's revisionHistoryLimit. */
export async function truncateRevisions(ctx: ControllerContext, owner: KObject, all: KObject[], live: Set<string>): Promise<void> {
  const limit = owner.spec?.revisionHistoryLimit ?? 10;
  const idle = all.filter((r) => !live.has(r.metadata.name!)).sort((a, b) => Number(a.revision) - Number(b.revision));
  const crType = typeFor(ctx.api, 'apps/v1', 'ControllerRevision');
  for (const r of idle.slice(0, Math.max(0, idle.length - limit))) {
    try {
      await ctx.api.delete(crType, r.metadata.namespace, r.metadata.name!);
    } catch {
      /* gone */
    }
  }
}

/**
 * Records an event unless the same reason+message is already on record for the object:
 * for "still waiting" events that a level-triggered loop would otherwise repeat on every
 * pass (upstream repeats them per resync period; the count would only measure our loop).
 */
export async function recordOnce(ctx: ControllerContext, obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, source: { component: string }): Promise<void> {
  const evType = typeFor(ctx.api, 'v1', 'Event');
  const seen = (await ctx.api
    .list(evType, { namespace: obj.metadata.namespace ?? 'default' }))
    .items.some((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason && e.message === message);
  if (!seen) await ctx.api.recordEvent(obj, type, reason, message, source);
}
