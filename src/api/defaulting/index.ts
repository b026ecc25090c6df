// Defaulting as the API server does it on create and update (pkg/apis/*/v1/defaults.go).
// Pure: takes the object, fills in what the server would, returns nothing.

import { isObject, type KObject } from '../types';
import { defaultPodSpec } from './pod-spec';

function defaultTemplate(template: any): void {
  if (!isObject(template)) return;
  // A template's ObjectMeta is a struct in Go: stored and served as {creationTimestamp: null, ...}.
  if (!isObject(template.metadata)) template.metadata = {};
  if (!('creationTimestamp' in (template.metadata as object))) (template.metadata as Record<string, unknown>).creationTimestamp = null;
  defaultPodSpec(template.spec, false);
}

function defaultSelectorFromTemplate(spec: any): void {
  // ReplicationController-style defaulting: only RCs default the selector from labels.
  if (isObject(spec) && !spec.selector && isObject(spec.template?.metadata?.labels)) {
    spec.selector = { ...spec.template.metadata.labels };
  }
}

export function applyDefaults(obj: KObject): void {
  dropEmptyMeta(obj.metadata);
  const spec = obj.spec;
  switch (obj.kind) {
    case 'Pod':
      defaultPodSpec(spec, true);
      break;
    case 'Deployment':
      if (!isObject(spec)) break;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= {};
      spec.strategy.type ??= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
        spec.strategy.rollingUpdate.maxSurge ??= '25%';
      }
      defaultTemplate(spec.template);
      break;
    case 'ReplicaSet':
      if (!isObject(spec)) break;
      spec.replicas ??= 1;
      defaultTemplate(spec.template);
      break;
    case 'ReplicationController':
      if (!isObject(spec)) break;
      spec.replicas ??= 1;
      defaultSelectorFromTemplate(spec);
      defaultTemplate(spec.template);
      break;
    case 'StatefulSet':
      if (!isObject(spec)) break;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.partition ??= 0;
      }
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      if (Array.isArray(spec.volumeClaimTemplates)) {
        for (const t of spec.volumeClaimTemplates) {
          if (isObject(t)) {
            t.apiVersion ??= 'v1';
            t.kind ??= 'PersistentVolumeClaim';
            if (isObject(t.spec)) t.spec.volumeMode ??= 'Filesystem';
            t.status ??= { phase: 'Pending' };
          }
        }
      }
      defaultTemplate(spec.template);
      break;
    case 'DaemonSet':
      if (!isObject(spec)) break;
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      defaultTemplate(spec.template);
      break;
    case 'Job':
      if (!isObject(spec)) break;
      defaultJobSpec(spec);
      break;
    case 'CronJob':
      if (!isObject(spec)) break;
      spec.concurrencyPolicy ??= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      if (isObject(spec.jobTemplate)) {
        if (!isObject(spec.jobTemplate.metadata)) spec.jobTemplate.metadata = {};
        if (!('creationTimestamp' in spec.jobTemplate.metadata)) spec.jobTemplate.metadata.creationTimestamp = null;
      }
      if (isObject(spec.jobTemplate?.spec)) {
        const js = spec.jobTemplate.spec;
        defaultTemplate(js.template);
      }
      break;
    case 'Service':
      defaultService(spec);
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      break;
    case 'Namespace':
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
      obj.spec ??= {};
      obj.spec.finalizers ??= ['kubernetes'];
      break;
    case 'PersistentVolumeClaim':
      if (isObject(spec)) spec.volumeMode ??= 'Filesystem';
      break;
    case 'PersistentVolume':
      if (isObject(spec)) {
        spec.persistentVolumeReclaimPolicy ??= 'Retain';
        spec.volumeMode ??= 'Filesystem';
      }
      break;
    case 'HorizontalPodAutoscaler':
      if (!isObject(spec)) break;
      spec.minReplicas ??= 1;
      if (obj.apiVersion === 'autoscaling/v2' && !spec.metrics) {
        spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
      }
      break;
    case 'PodTemplate':
      defaultTemplate(obj.template);
      break;
    case 'NetworkPolicy':
      if (isObject(spec)) spec.policyTypes ??= spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      // SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding, SetDefaults_Subject
      if (isObject(obj.roleRef) && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = 'rbac.authorization.k8s.io';
      for (const s of Array.isArray(obj.subjects) ? obj.subjects : []) {
        if (isObject(s) && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = 'rbac.authorization.k8s.io';
      }
      break;
    case 'PriorityClass':
      obj.preemptionPolicy ??= 'PreemptLowerPriority';
      break;
    case 'LimitRange':
      for (const item of Array.isArray(spec?.limits) ? spec.limits : []) defaultLimitRangeItem(item);
      break;
    case 'StorageClass':
      obj.reclaimPolicy ??= 'Delete';
      obj.volumeBindingMode ??= 'Immediate';
      break;
    case 'ValidatingAdmissionPolicy':
      // admissionregistration/v1 SetDefaults_ValidatingAdmissionPolicySpec, then its matchConstraints'.
      if (!isObject(spec)) break;
      spec.failurePolicy ??= 'Fail';
      defaultMatchResources(spec.matchConstraints);
      break;
    case 'ValidatingAdmissionPolicyBinding':
      if (isObject(spec)) defaultMatchResources(spec.matchResources);
      break;
    case 'CustomResourceDefinition': {
      // SetDefaults_CustomResourceDefinitionSpec (and SetDefaults_ServiceReference for a webhook).
      const names = isObject(spec) && isObject(spec.names) ? spec.names : undefined;
      if (names && typeof names.kind === 'string' && names.kind) {
        if (!names.singular) names.singular = names.kind.toLowerCase();
        if (!names.listKind) names.listKind = `${names.kind}List`;
      }
      if (!isObject(spec)) break;
      spec.conversion ??= { strategy: 'None' };
      const service = spec.conversion?.webhook?.clientConfig?.service;
      if (isObject(service)) service.port ??= 443;
      // v1's preserveUnknownFields is a bool with omitempty: false is never written back.
      if (spec.preserveUnknownFields === false) delete spec.preserveUnknownFields;
      break;
    }
  }
}

/**
 * SetDefaults_LimitRangeItem: a Container item's default limit is its max, its default
 * request its default limit, else its min (what LimitRanger admission then gives containers).
 */
/**
 * ObjectMeta's maps and lists are omitempty: kube-apiserver decodes into Go's struct and
 * encodes it back, so it never stores `labels: {}` (what `label x foo-` of the last label
 * leaves) or `finalizers: []`.
 */
function dropEmptyMeta(meta: Record<string, unknown> | undefined): void {
  if (!isObject(meta)) return;
  for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields']) {
    const v = meta[k];
    if (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0) delete meta[k];
  }
}

function defaultLimitRangeItem(item: any): void {
  if (!isObject(item) || item.type !== 'Container') return;
  const fill = (into: 'default' | 'defaultRequest', from: unknown) => {
    if (!isObject(from)) return;
    const to: Record<string, unknown> = isObject(item[into]) ? item[into] : {};
    for (const k of Object.keys(from)) if (!(k in to)) to[k] = from[k];
    // Go's maps print sorted; an empty one is left out.
    if (Object.keys(to).length) item[into] = Object.fromEntries(Object.keys(to).sort().map((k) => [k, to[k]]));
  };
  fill('default', item.max);
  fill('defaultRequest', item.default);
  fill('defaultRequest', item.min);
}

export function defaultJobSpec(spec: any): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultTemplate(spec.template);
}

function defaultService(spec: any): void {
  if (!isObject(spec)) return;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.ipFamilies ??= ['IPv4'];
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObject(p)) continue;
      p.protocol ??= 'TCP';
      if (spec.type !== 'ExternalName') p.targetPort ??= p.port;
    }
  }
}

/** A Secret's write-only stringData, merged into data (base64) as the API server stores it. */
export function foldStringData(obj: KObject): void {
  if (obj.stringData === undefined || obj.stringData === null) return;
  const data: Record<string, string> = { ...(obj.data ?? {}) };
  for (const [k, v] of Object.entries(obj.stringData as Record<string, unknown>)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  obj.data = data;
  delete obj.stringData;
}

/** admissionregistration/v1 SetDefaults_MatchResources, and SetDefaults_Rule (scope `*`) of each of its rules. */
function defaultMatchResources(m: unknown): void {
  if (!isObject(m)) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const rules of [m.resourceRules, m.excludeResourceRules]) {
    if (Array.isArray(rules)) for (const r of rules) if (isObject(r)) r.scope ??= '*';
  }
}
