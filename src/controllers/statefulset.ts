// The StatefulSet controller: pods `<name>-0..N-1` with stable identity, PVCs from
// volumeClaimTemplates, OrderedReady (one at a time, waiting for Ready) or Parallel
// management, scale-down from the highest ordinal, rolling updates in reverse ordinal order
// down to the partition, revisions kept as ControllerRevisions.

import type { KObject } from '../api/types';
import { deepCopy } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import {
  POD,
  claimPods,
  controllerRefTo,
  ensureRevision,
  isPodAvailable,
  isPodReady,
  isPodTerminal,
  msUntilAvailable,
  ownerKeys,
  podFromTemplate,
  selectorMatcher,
  truncateRevisions,
  typeFor,
} from './controller-utils';
import { computeHash } from './pod-template-hash';

const COMPONENT = { component: 'statefulset-controller' };
export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export function claimName(templateName: string, set: string, ordinal: number): string {
  return `${templateName}-${set}-${ordinal}`;
}

function ordinalOf(set: KObject, pod: KObject): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const n = pod.metadata.name!;
  if (!n.startsWith(prefix)) return undefined;
  const rest = n.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

const healthy = (p: KObject | undefined) => !!p && p.status?.phase === 'Running' && isPodReady(p) && !p.metadata.deletionTimestamp;

function templateOfRevision(all: KObject[], name: string | undefined): any | undefined {
  const cr = all.find((r) => r.metadata.name === name);
  if (!cr) return undefined;
  const t = deepCopy(cr.data?.spec?.template ?? {});
  delete t.$patch;
  return t;
}

function newPod(set: KObject, template: any, revision: string, ordinal: number): KObject {
  const name = `${set.metadata.name}-${ordinal}`;
  const pod = podFromTemplate(template, set, {
    name,
    labels: { [REVISION_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
  });
  pod.spec.hostname = name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  const claims: any[] = set.spec?.volumeClaimTemplates ?? [];
  if (claims.length) {
    const volumes: any[] = (pod.spec.volumes ?? []).filter((v: any) => !claims.some((c) => c.metadata?.name === v.name));
    for (const c of claims) volumes.push({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(c.metadata.name, set.metadata.name!, ordinal) } });
    pod.spec.volumes = volumes;
  }
  return pod;
}

async function ensureClaims(ctx: ControllerContext, set: KObject, ordinal: number): Promise<boolean> {
  const api = ctx.api;
  const pvcType = typeFor(api, 'v1', 'PersistentVolumeClaim');
  const podName = `${set.metadata.name}-${ordinal}`;
  let ok = true;
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const name = claimName(t.metadata?.name, set.metadata.name!, ordinal);
    if (await api.tryGet(pvcType, set.metadata.namespace, name)) continue;
    const labels = { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    const claim: KObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: set.metadata.namespace, ...(Object.keys(labels).length ? { labels } : {}), ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}) },
      spec: deepCopy(t.spec ?? {}),
    };
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') claim.metadata.ownerReferences = [controllerRefTo(set)];
    try {
      await api.create(claim);
      await api.recordEvent(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`, COMPONENT);
    } catch (e) {
      await api.recordEvent(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`, COMPONENT);
      ok = false;
    }
  }
  return ok;
}

async function reconcileStatefulSet(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const stsType = typeFor(api, 'apps/v1', 'StatefulSet');
  const podType = POD(api);
  const set = await api.tryGet(stsType, key.namespace, key.name);
  if (!set || set.metadata.deletionTimestamp) return;
  const now = ctx.clock.now();
  const name = set.metadata.name!;

  const { current: update, all: revisions } = await ensureRevision(ctx, set, set.spec?.template, computeHash);
  const currentName: string = set.status?.currentRevision && revisions.some((r) => r.metadata.name === set.status.currentRevision) ? set.status.currentRevision : update.name;
  const currentTemplate = templateOfRevision(revisions, currentName) ?? set.spec?.template;

  const pods = (await claimPods(ctx, set, selectorMatcher(set.spec?.selector))).filter((p) => ordinalOf(set, p) !== undefined);
  const replicas: number = set.spec?.replicas ?? 1;
  const start: number = set.spec?.ordinals?.start ?? 0;
  const inRange = (o: number) => o >= start && o < start + replicas;
  const byOrdinal = new Map<number, KObject>();
  for (const p of pods) byOrdinal.set(ordinalOf(set, p)!, p);
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition: number = rolling ? set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0 : 0;

  const event = (reason: string, msg: string) => api.recordEvent(set, 'Normal', reason, msg, COMPONENT);
  const deletePod = async (p: KObject) => {
    try {
      await api.delete(podType, p.metadata.namespace, p.metadata.name!);
      await event('SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`);
    } catch {
      /* gone */
    }
  };

  const sync = async (): Promise<void> => {
    // Create / replace pods in ordinal order.
    for (let o = start; o < start + replicas; o++) {
      const pod = byOrdinal.get(o);
      if (!pod) {
        const useCurrent = rolling && o < partition;
        const tmpl = useCurrent ? currentTemplate : set.spec?.template;
        const rev = useCurrent ? currentName : update.name;
        if (!await ensureClaims(ctx, set, o)) return;
        try {
          const created = await api.create(newPod(set, tmpl, rev, o));
          byOrdinal.set(o, created);
          await event('SuccessfulCreate', `create Pod ${created.metadata.name} in StatefulSet ${name} successful`);
        } catch (e) {
          await api.recordEvent(set, 'Warning', 'FailedCreate', `create Pod ${name}-${o} in StatefulSet ${name} failed error: ${(e as Error).message}`, COMPONENT);
          return;
        }
        if (monotonic) return;
        continue;
      }
      if (isPodTerminal(pod) && !pod.metadata.deletionTimestamp) {
        // A failed (or finished) stateful pod is recreated.
        await deletePod(pod);
        if (monotonic) return;
        continue;
      }
      await ensureClaims(ctx, set, o);
      if (monotonic && !healthy(pod)) return;
    }
    // Scale down from the highest ordinal.
    const condemned = [...byOrdinal.entries()].filter(([o]) => !inRange(o)).sort((a, b) => b[0] - a[0]);
    for (const [, pod] of condemned) {
      if (pod.metadata.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && [...byOrdinal.entries()].some(([o, p]) => inRange(o) && !healthy(p))) return;
      await deletePod(pod);
      if (monotonic) return;
    }
    // Rolling update: highest ordinal first, one at a time, down to the partition.
    if (!rolling) return;
    for (let o = start + replicas - 1; o >= start + partition; o--) {
      const pod = byOrdinal.get(o);
      if (!pod) return;
      if (pod.metadata.labels?.[REVISION_LABEL] !== update.name && !pod.metadata.deletionTimestamp) {
        await deletePod(pod);
        return;
      }
      if (!healthy(pod)) return;
    }
  };
  await sync();
  if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') await deleteScaledClaims(ctx, set, start, replicas);

  // Status from what is there now.
  const live = (await api.list(podType, { namespace: set.metadata.namespace })).items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === set.metadata.uid) && ordinalOf(set, p) !== undefined);
  const counted = live.filter((p) => !p.metadata.deletionTimestamp);
  const minReady = set.spec?.minReadySeconds ?? 0;
  const st: any = {
    observedGeneration: set.metadata.generation,
    replicas: counted.length,
    readyReplicas: counted.filter((p) => p.status?.phase === 'Running' && isPodReady(p)).length,
    currentReplicas: counted.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentName).length,
    updatedReplicas: counted.filter((p) => p.metadata.labels?.[REVISION_LABEL] === update.name).length,
    currentRevision: currentName,
    updateRevision: update.name,
    collisionCount: set.status?.collisionCount ?? 0,
    availableReplicas: counted.filter((p) => p.status?.phase === 'Running' && isPodAvailable(p, minReady, now)).length,
  };
  if (rolling && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
    st.currentReplicas = st.updatedReplicas;
    st.currentRevision = st.updateRevision;
  }
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (!st[k]) delete st[k];
  if (!deepEqual(st, set.status ?? {})) {
    try {
      await api.mutate(stsType, set.metadata.namespace, name, (o) => void (o.status = st), { status: true });
    } catch {
      /* deleted meanwhile */
    }
  }
  await truncateRevisions(ctx, set, revisions, new Set([st.currentRevision, st.updateRevision, ...live.map((p) => p.metadata.labels?.[REVISION_LABEL] ?? '')]));
  const waits = counted.map((p) => msUntilAvailable(p, minReady, now)).filter((x) => x > 0);
  if (waits.length) return { requeueAfterMs: Math.min(...waits) };
}

/** whenScaled: Delete — claims of ordinals beyond the replica count go once their pod is gone. */
async function deleteScaledClaims(ctx: ControllerContext, set: KObject, start: number, replicas: number): Promise<void> {
  const api = ctx.api;
  const pvcType = typeFor(api, 'v1', 'PersistentVolumeClaim');
  const podType = POD(api);
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const prefix = `${t.metadata?.name}-${set.metadata.name}-`;
    for (const c of (await api.list(pvcType, { namespace: set.metadata.namespace })).items) {
      const n = c.metadata.name!;
      if (!n.startsWith(prefix) || c.metadata.deletionTimestamp) continue;
      const rest = n.slice(prefix.length);
      if (!/^(0|[1-9]\d*)$/.test(rest)) continue;
      const o = Number(rest);
      if (o >= start && o < start + replicas) continue;
      if (await api.tryGet(podType, set.metadata.namespace, `${set.metadata.name}-${o}`)) continue;
      try {
        await api.delete(pvcType, c.metadata.namespace, n);
        await api.recordEvent(set, 'Normal', 'SuccessfulDelete', `delete Claim ${n} in StatefulSet ${set.metadata.name} successful`, COMPONENT);
      } catch {
        /* gone */
      }
    }
  }
}

export const statefulSetReconciler: Reconciler = {
  name: 'statefulset-controller',
  primary: ['apps/v1', 'StatefulSet'],
  watches: [{ kind: 'Pod', map: ownerKeys('StatefulSet') }],
  reconcile: reconcileStatefulSet,
};
