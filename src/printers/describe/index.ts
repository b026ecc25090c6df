// describeObject: picks the kubectl describer for an object's kind, falling back to the
// generic describer used for custom resources.
import type { KObject } from '../../api/types';
import type { DescribeContext } from './context';
import { describePod } from './pod';
import { describeDeployment } from './deployment';
import { describeReplicaSet } from './replicaset';
import { describeStatefulSet } from './statefulset';
import { describeDaemonSet } from './daemonset';
import { describeCronJob, describeJob } from './job';
import { describeEndpoints, describeService } from './service';
import { describeNode } from './node';
import { describeLimitRange, describeNamespace, describeResourceQuota } from './namespace';
import { describeConfigMap, describeSecret, describeServiceAccount } from './config';
import { describePersistentVolumeClaim } from './pvc';
import { describePersistentVolume } from './pv';
import { describeIngress } from './ingress';
import { describeHorizontalPodAutoscaler } from './hpa';
import { describeRole, describeRoleBinding } from './rbac';
import { describePodDisruptionBudget } from './pdb';
import { describeEndpointSlice, describeIngressClass, describeNetworkPolicy } from './networking';
import { describePriorityClass, describeStorageClass } from './classes';
import { describeGeneric } from './generic';

export type { DescribeContext } from './context';

type Describer = (obj: KObject, ctx: DescribeContext) => string;

function groupOf(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

// Keyed by "<group>/<Kind>" like describe.go's describerMap.
const DESCRIBERS: Record<string, Describer> = {
  '/Pod': describePod,
  '/ReplicationController': describeReplicaSet,
  '/Secret': (o) => describeSecret(o),
  '/Service': describeService,
  '/ServiceAccount': describeServiceAccount,
  '/Node': describeNode,
  '/LimitRange': (o) => describeLimitRange(o),
  '/ResourceQuota': (o) => describeResourceQuota(o),
  '/PersistentVolume': describePersistentVolume,
  '/PersistentVolumeClaim': describePersistentVolumeClaim,
  '/Namespace': describeNamespace,
  '/Endpoints': describeEndpoints,
  '/ConfigMap': describeConfigMap,
  'autoscaling/HorizontalPodAutoscaler': describeHorizontalPodAutoscaler,
  'networking.k8s.io/Ingress': describeIngress,
  'extensions/Ingress': describeIngress,
  'batch/Job': describeJob,
  'batch/CronJob': describeCronJob,
  'apps/StatefulSet': describeStatefulSet,
  'apps/Deployment': describeDeployment,
  'apps/DaemonSet': describeDaemonSet,
  'apps/ReplicaSet': describeReplicaSet,
  'policy/PodDisruptionBudget': describePodDisruptionBudget,
  'rbac.authorization.k8s.io/Role': (o) => describeRole(o),
  'rbac.authorization.k8s.io/ClusterRole': (o) => describeRole(o),
  'rbac.authorization.k8s.io/RoleBinding': (o) => describeRoleBinding(o),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => describeRoleBinding(o),
  'networking.k8s.io/NetworkPolicy': (o) => describeNetworkPolicy(o),
  'networking.k8s.io/IngressClass': describeIngressClass,
  'discovery.k8s.io/EndpointSlice': describeEndpointSlice,
  'storage.k8s.io/StorageClass': describeStorageClass,
  'scheduling.k8s.io/PriorityClass': describePriorityClass,
};

/** The text `kubectl describe` prints for one object (no trailing blank line between objects). */
export function describeObject(obj: KObject, ctx: DescribeContext): string {
  const describer = DESCRIBERS[`${groupOf(obj.apiVersion)}/${obj.kind}`] ?? describeGeneric;
  return describer(obj, ctx);
}
