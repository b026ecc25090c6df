// Gathering what a pod's trace is built from (the pod, its controllers, the events about
// them, the scheduler's filters re-run) and building it: the one path behind
// `kubesim trace pod` and the dashboard's pod panel.

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { PodTrace } from './pod-trace';

/** The trace of pod `namespace/name`, or undefined when there is no such pod. */
export async function tracePod(api: ApiServer, namespace: string, name: string): Promise<PodTrace | undefined> {
  const pod = await api.tryGet(api.registry.forKind('v1', 'Pod'), namespace, name);
  if (!pod) return undefined;
  const owners = await ownerChain(api, pod);
  const uids = new Set([pod.metadata.uid, ...owners.map((o) => o.metadata.uid)]);
  const events = (await api
    .list(api.registry.forKind('v1', 'Event'), { namespace, fieldMatch: (e) => uids.has(e.involvedObject?.uid) || (e.involvedObject?.kind === 'Pod' && e.involvedObject?.name === name) }))
    .items;
  const { explainScheduling } = await import('../controllers/scheduler');
  const { buildPodTrace } = await import('./pod-trace');
  return buildPodTrace({ pod, owners, events, scheduling: await explainScheduling(api, pod), now: api.clock.now() });
}

/** The pod's controllers, nearest first: ReplicaSet then Deployment, Job then CronJob. */
async function ownerChain(api: ApiServer, obj: KObject): Promise<KObject[]> {
  const out: KObject[] = [];
  let cur = obj;
  for (let depth = 0; depth < 4; depth++) {
    const ref = (cur.metadata.ownerReferences ?? []).find((r: any) => r.controller) ?? cur.metadata.ownerReferences?.[0];
    if (!ref) break;
    let owner: KObject | undefined;
    try {
      owner = await api.tryGet(api.registry.forKind(ref.apiVersion, ref.kind), obj.metadata.namespace, ref.name);
    } catch {
      owner = undefined; // an owner kind the registry does not know
    }
    if (!owner || owner.metadata.uid !== ref.uid) break;
    out.push(owner);
    cur = owner;
  }
  return out;
}
