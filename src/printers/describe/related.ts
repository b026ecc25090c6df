// Lookups of related objects through the describe context: pods of a controller,
// ReplicaSets of a Deployment.
import { isObject, type KObject } from '../../api/types';
import { compareStrings, controllerOf, selectorMatches, sortedKeys, str } from './format';
import type { DescribeContext } from './context';

export interface PodCounts {
  running: number;
  waiting: number;
  succeeded: number;
  failed: number;
}

function ownedBy(child: KObject, owner: KObject): boolean {
  const ref = controllerOf(child);
  if (!ref) return false;
  return owner.metadata.uid ? ref.uid === owner.metadata.uid : ref.kind === owner.kind && ref.name === owner.metadata.name;
}

/** getPodStatusForController: pods matching the selector AND controlled by the owner. */
export function podStatusForController(owner: KObject, selector: unknown, ctx: DescribeContext): PodCounts {
  const counts: PodCounts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const pod of ctx.list('Pod', owner.metadata.namespace)) {
    if (!selectorMatches(selector, pod.metadata.labels) || !ownedBy(pod, owner)) continue;
    switch (pod.status?.phase) {
      case 'Running':
        counts.running++;
        break;
      case 'Pending':
        counts.waiting++;
        break;
      case 'Succeeded':
        counts.succeeded++;
        break;
      case 'Failed':
        counts.failed++;
        break;
    }
  }
  return counts;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (isObject(v)) return '{' + sortedKeys(v).filter((k) => v[k] !== undefined).map((k) => JSON.stringify(k) + ':' + canonicalJson(v[k])).join(',') + '}';
  return JSON.stringify(v ?? null);
}

/** Pod template without the pod-template-hash label (deploymentutil.EqualIgnoreHash). */
function templateKey(t: any): string {
  const copy = JSON.parse(JSON.stringify(t ?? {}));
  if (copy.metadata?.labels) {
    delete copy.metadata.labels['pod-template-hash'];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  if (copy.metadata && copy.metadata.creationTimestamp === null) delete copy.metadata.creationTimestamp;
  if (copy.metadata && Object.keys(copy.metadata).length === 0) delete copy.metadata;
  return canonicalJson(copy);
}

/** deploymentutil.GetAllReplicaSets: (all old RSs, new RS) of a Deployment, by creation time. */
export function replicaSetsOf(d: KObject, ctx: DescribeContext): { old: KObject[]; new?: KObject } {
  const rss = ctx
    .list('ReplicaSet', d.metadata.namespace)
    .filter((rs) => ownedBy(rs, d) && selectorMatches(d.spec?.selector, rs.metadata.labels ?? {}) )
    .sort(
      (a, b) =>
        compareStrings(str(a.metadata.creationTimestamp), str(b.metadata.creationTimestamp)) ||
        compareStrings(str(a.metadata.name), str(b.metadata.name)),
    );
  const want = templateKey(d.spec?.template);
  const newRS = rss.find((rs) => templateKey(rs.spec?.template) === want);
  return { old: rss.filter((rs) => rs !== newRS), new: newRS };
}
