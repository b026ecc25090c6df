// The workload controllers, in the order the manager should register them.

import type { Reconciler } from './types';
import { deploymentReconciler } from './deployment';
import { replicaSetReconciler, replicationControllerReconciler } from './replicaset';
import { statefulSetReconciler } from './statefulset';
import { daemonSetReconciler } from './daemonset';
import { jobReconciler } from './job';
import { cronJobReconciler } from './cronjob';
import { endpointsReconciler } from './endpoints';
import { garbageCollectorReconciler } from './garbage-collector';
import { pvcBinderReconciler, pvReconciler } from './pv-binder';
import { hpaReconciler } from './hpa';
import { disruptionReconciler } from './disruption';
import { resourceQuotaReconciler } from './resource-quota';
import { namespaceReconciler } from './namespace';
import { eventTtlReconciler } from './event-ttl';
import { clusterRoleAggregationReconciler } from './clusterrole-aggregation';
import { csrSigningReconciler } from './csr-signing';
import { rootCaPublisherReconciler, serviceAccountReconciler } from './namespace-defaults';
import { vapStatusReconciler } from './vap-status';
import { apiServiceAvailabilityReconciler } from './apiservice-availability';

export const workloadReconcilers: Reconciler[] = [
  deploymentReconciler,
  replicaSetReconciler,
  replicationControllerReconciler,
  statefulSetReconciler,
  daemonSetReconciler,
  jobReconciler,
  cronJobReconciler,
  endpointsReconciler,
  pvcBinderReconciler,
  pvReconciler,
  hpaReconciler,
  disruptionReconciler,
  resourceQuotaReconciler,
  garbageCollectorReconciler,
  namespaceReconciler,
  eventTtlReconciler,
  clusterRoleAggregationReconciler,
  csrSigningReconciler,
  serviceAccountReconciler,
  rootCaPublisherReconciler,
  vapStatusReconciler,
  apiServiceAvailabilityReconciler,
];
