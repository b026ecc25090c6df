// The order a person applies an application in: namespaces and CRDs first, then what
// workloads refer to (classes, accounts, config, storage), then services, workloads and
// what points at workloads. Stable within a rank, so input order breaks ties.

import type { KObject } from '../api/types';

const RANKS: [number, string[]][] = [
  [0, ['Namespace']],
  [1, ['CustomResourceDefinition']],
  [2, ['PriorityClass', 'StorageClass', 'IngressClass', 'RuntimeClass', 'ResourceQuota', 'LimitRange', 'ClusterRole']],
  [3, ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRoleBinding']],
  [4, ['ConfigMap', 'Secret']],
  [5, ['PersistentVolume', 'PersistentVolumeClaim']],
  [6, ['Service', 'Endpoints', 'EndpointSlice']],
  [7, ['Pod', 'ReplicaSet', 'ReplicationController', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']],
  [8, ['Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']],
];
const RANK = new Map(RANKS.flatMap(([r, kinds]) => kinds.map((k) => [k, r] as const)));
/** Custom resources and anything else: after the built-ins they may depend on. */
const OTHER = 9;

export function applyRank(obj: KObject): number {
  return RANK.get(obj.kind) ?? OTHER;
}

/** Sorted copy (stable). */
export function applyOrder<T>(items: T[], objectOf: (t: T) => KObject): T[] {
  return items.map((t, i) => ({ t, i, r: applyRank(objectOf(t)) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.t);
}
