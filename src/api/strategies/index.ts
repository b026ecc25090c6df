// The strategy registry: the kind's strategy, or the generic one (an empty status for kinds
// with a status subresource, nothing else).

import type { ResourceType } from '../resources';
import type { KindStrategy } from './types';
import { podStrategy } from './pod';
import { serviceStrategy } from './service';
import { jobStrategy } from './job';
import { csrStrategy } from './certificates';
import { pvcStrategy, pvStrategy } from './storage';
import { namespaceStrategy, nodeStrategy, secretStrategy } from './core';
import { crdStrategy } from './apiextensions';
import { apiServiceStrategy } from './apiregistration';
import { resourceQuotaStrategy } from './resource-quota';

export type { KindStrategy, StrategyHost } from './types';
export { BOOTSTRAP_NAMESPACES } from './core';

const NO_STATUS = new Set(['ConfigMap', 'Secret', 'ServiceAccount', 'Event', 'Endpoints', 'EndpointSlice', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass', 'LimitRange', 'IngressClass', 'ControllerRevision', 'Lease', 'PodTemplate']);

/** Whether the kind's status is a subresource (an update of the main resource keeps it). */
export function hasStatusSubresource(rt: ResourceType): boolean {
  if (rt.crd) return rt.crdSubresources?.status === true;
  return !NO_STATUS.has(rt.kind);
}

const BY_KIND = new Map<string, KindStrategy>([
  ['/Pod', podStrategy],
  ['/Service', serviceStrategy],
  ['/PersistentVolumeClaim', pvcStrategy],
  ['/PersistentVolume', pvStrategy],
  ['/Namespace', namespaceStrategy],
  ['/Node', nodeStrategy],
  ['/Secret', secretStrategy],
  ['/ResourceQuota', resourceQuotaStrategy],
  ['batch/Job', jobStrategy],
  ['certificates.k8s.io/CertificateSigningRequest', csrStrategy],
  ['apiextensions.k8s.io/CustomResourceDefinition', crdStrategy],
  ['apiregistration.k8s.io/APIService', apiServiceStrategy],
]);

const withStatus: KindStrategy = { prepareStatusOnCreate: (obj) => void (obj.status = {}) };
const withoutStatus: KindStrategy = { prepareStatusOnCreate: () => {} };
// customResourceStrategy.PrepareForCreate: with a status subresource, the status given is dropped.
const customWithStatus: KindStrategy = { prepareStatusOnCreate: (obj) => void delete obj.status };

export function strategyFor(rt: ResourceType): KindStrategy {
  if (rt.crd) return hasStatusSubresource(rt) ? customWithStatus : withoutStatus;
  return BY_KIND.get(`${rt.group}/${rt.kind}`) ?? (hasStatusSubresource(rt) ? withStatus : withoutStatus);
}
