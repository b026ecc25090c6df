// The DaemonSet controller: one pod per eligible node (nodeSelector, required node
// affinity, taints against the template's tolerations plus the ones DaemonSet pods always
// get), following nodes as they come and go. Pods carry a node-name affinity
// (matchFields metadata.name) so that the scheduler binds them where they belong.

import type { KObject } from '../api/types';
import { deepCopy } from '../api/types';
import { deepEqual } from '../util/json-equal';
import type { ControllerContext, ReconcileKey, Reconciler, Result } from './types';
import {
  POD,
  claimPods,
  ensureRevision,
  isPodAvailable,
  isPodReady,
  msUntilAvailable,
  ms,
  ownerKeys,
  podFromTemplate,
  scaledValue,
  selectorMatcher,
  tolerates,
  truncateRevisions,
  typeFor,
  type Toleration,
} from './controller-utils';
import { computeHash } from './pod-template-hash';
import { podMatchesNodeSelection } from '../api/selectors';

const COMPONENT = { component: 'daemonset-controller' };
export const TEMPLATE_GENERATION = 'pod-template-generation';
export const REVISION_LABEL = 'controller-revision-hash';

/** util.AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: any): Toleration[] {
  const out: Toleration[] = [...(spec?.tolerations ?? [])];
  const add = (key: string, effect: string) => {
    if (!out.some((t) => t.key === key && t.effect === effect && t.operator === 'Exists')) out.push({ key, operator: 'Exists', effect });
  };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec?.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return out;
}

/** NodeShouldRunDaemonPod: selector/affinity and NoSchedule/NoExecute taints. */
export function nodeShouldRunDaemonPod(node: KObject, templateSpec: any): boolean {
  if (node.metadata.deletionTimestamp) return false;
  if (templateSpec?.nodeName && templateSpec.nodeName !== node.metadata.name) return false;
  if (!podMatchesNodeSelection(templateSpec, node)) return false;
  const tols = daemonTolerations(templateSpec);
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(tols, taint)) return false;
  }
  return true;
}

/** The node a daemon pod is meant for: spec.nodeName, else its matchFields affinity. */
export function daemonPodNode(pod: KObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

function podForNode(ds: KObject, node: string, hash: string): KObject {
  const pod = podFromTemplate(ds.spec?.template, ds, {
    labels: { [REVISION_LABEL]: hash, [TEMPLATE_GENERATION]: String(ds.metadata.generation ?? 1) },
  });
  const spec = pod.spec;
  spec.affinity = deepCopy(spec.affinity ?? {});
  spec.affinity.nodeAffinity = {
    ...(spec.affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
  };
  spec.tolerations = daemonTolerations(spec);
  return pod;
}

async function reconcileDaemonSet(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> {
  const api = ctx.api;
  const dsType = typeFor(api, 'apps/v1', 'DaemonSet');
  const podType = POD(api);
  const ds = await api.tryGet(dsType, key.namespace, key.name);
  if (!ds || ds.metadata.deletionTimestamp) return;
  const now = ctx.clock.now();
  const { current: rev, all: revisions } = await ensureRevision(ctx, ds, ds.spec?.template, computeHash);
  const nodes = (await api.list(typeFor(api, 'v1', 'Node'))).items;
  const nodeNames = new Set(nodes.map((n) => n.metadata.name!));
  const pods = (await claimPods(ctx, ds, selectorMatcher(ds.spec?.selector))).filter((p) => !p.metadata.deletionTimestamp);
  const byNode = new Map<string, KObject[]>();
  const toDelete: KObject[] = [];
  for (const p of pods) {
    const n = daemonPodNode(p);
    if (!n || !nodeNames.has(n)) {
      toDelete.push(p); // its node is gone
      continue;
    }
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const toCreate: string[] = [];
  for (const node of nodes) {
    const name = node.metadata.name!;
    const here = (byNode.get(name) ?? []).sort((a, b) => ms(a.metadata.creationTimestamp) - ms(b.metadata.creationTimestamp));
    const should = nodeShouldRunDaemonPod(node, ds.spec?.template?.spec);
    if (!should) {
      toDelete.push(...here);
      continue;
    }
    const failed = here.filter((p) => p.status?.phase === 'Failed');
    toDelete.push(...failed);
    const ok = here.filter((p) => p.status?.phase !== 'Failed');
    if (!ok.length) toCreate.push(name);
    else toDelete.push(...ok.slice(1)); // more than one: keep the oldest
  }

  // Rolling update: replace old-revision pods, at most maxUnavailable unavailable at once.
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling) {
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds.spec?.template?.spec)).length;
    const maxUnavailable = Math.max(1, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true));
    const current = [...byNode.values()].map((ps) => ps[0]).filter((p) => p && !toDelete.includes(p));
    let unavailable = toCreate.length + current.filter((p) => !isPodAvailable(p, minReady, now)).length;
    const old = current.filter((p) => p.metadata.labels?.[REVISION_LABEL] !== rev.hash);
    // Unavailable old pods go first: replacing them costs nothing.
    for (const p of old.filter((x) => !isPodAvailable(x, minReady, now))) toDelete.push(p);
    for (const p of old.filter((x) => isPodAvailable(x, minReady, now))) {
      if (unavailable >= maxUnavailable) break;
      toDelete.push(p);
      unavailable++;
    }
  }

  for (const name of toCreate) {
    try {
      const pod = await api.create(podForNode(ds, name, rev.hash));
      await api.recordEvent(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, COMPONENT);
    } catch (e) {
      await api.recordEvent(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`, COMPONENT);
    }
  }
  for (const p of new Set(toDelete)) {
    try {
      await api.delete(podType, p.metadata.namespace, p.metadata.name!);
      await api.recordEvent(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, COMPONENT);
    } catch {
      /* gone */
    }
  }

  // Status.
  const live = (await api.list(podType, { namespace: ds.metadata.namespace })).items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === ds.metadata.uid) && !p.metadata.deletionTimestamp);
  const liveByNode = new Map<string, KObject>();
  for (const p of live) {
    const n = daemonPodNode(p);
    if (n && !liveByNode.has(n)) liveByNode.set(n, p);
  }
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const should = nodeShouldRunDaemonPod(node, ds.spec?.template?.spec);
    const p = liveByNode.get(node.metadata.name!);
    if (should) desired++;
    if (!p) continue;
    if (!should) {
      misscheduled++;
      continue;
    }
    current++;
    if (isPodReady(p)) ready++;
    if (isPodAvailable(p, minReady, now)) available++;
    if (p.metadata.labels?.[REVISION_LABEL] === rev.hash) updated++;
  }
  const st: any = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  if (!st.updatedNumberScheduled) delete st.updatedNumberScheduled;
  if (!st.numberAvailable) delete st.numberAvailable;
  if (st.numberUnavailable <= 0) delete st.numberUnavailable;
  if (!deepEqual(st, ds.status ?? {})) {
    try {
      await api.mutate(dsType, ds.metadata.namespace, ds.metadata.name!, (o) => void (o.status = st), { status: true });
    } catch {
      /* deleted meanwhile */
    }
  }
  await truncateRevisions(ctx, ds, revisions, new Set([rev.name, ...live.map((p) => `${ds.metadata.name}-${p.metadata.labels?.[REVISION_LABEL]}`)]));
  const waits = live.map((p) => msUntilAvailable(p, minReady, now)).filter((x) => x > 0);
  if (waits.length) return { requeueAfterMs: Math.min(...waits) };
}

export const daemonSetReconciler: Reconciler = {
  name: 'daemonset-controller',
  primary: ['apps/v1', 'DaemonSet'],
  watches: [
    { kind: 'Pod', map: ownerKeys('DaemonSet') },
    {
      kind: 'Node',
      map: async (_node, ctx) =>
        (await ctx.api.list(typeFor(ctx.api, 'apps/v1', 'DaemonSet'))).items.map((d) => ({ kind: 'DaemonSet', namespace: d.metadata.namespace, name: d.metadata.name! })),
    },
  ],
  reconcile: reconcileDaemonSet,
};
