// JSON key order of kubectl's typed objects. Verbs that decode into Go structs (`set image`,
// `set env`, `set resources`, ...) print `-o json` in struct field order (k8s.io/api
// types.go), where unstructured objects (label, annotate, patch) print sorted keys. This
// table holds the structs those verbs print; maps (labels, limits, matchLabels, ...) and
// types it does not know are sorted, as Go's encoding/json sorts map keys.

type Fields = Array<string | [string, string]>;

/** struct name -> fields in order; a [field, type] pair says which struct the value is. */
const STRUCTS: Record<string, Fields> = {
  RoleBinding: [['subjects', 'Subject'], ['roleRef', 'RoleRef']],
  Event: [['involvedObject', 'ObjectReference'], 'reason', 'message', ['source', 'EventSource'], 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', ['series', 'EventSeries'], 'action', ['related', 'ObjectReference'], 'reportingComponent', 'reportingInstance'],
  ObjectReference: ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'],
  EventSource: ['component', 'host'],
  EventSeries: ['count', 'lastObservedTime'],
  ClusterRoleBinding: [['subjects', 'Subject'], ['roleRef', 'RoleRef']],
  ObjectMeta: ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'],
  LabelSelector: ['matchLabels', 'matchExpressions'],
  PodTemplateSpec: [['metadata', 'ObjectMeta'], ['spec', 'PodSpec']],
  DeploymentSpec: ['replicas', ['selector', 'LabelSelector'], ['template', 'PodTemplateSpec'], ['strategy', 'DeploymentStrategy'], 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'],
  StatefulSetSpec: ['replicas', ['selector', 'LabelSelector'], ['template', 'PodTemplateSpec'], 'volumeClaimTemplates', 'serviceName', 'podManagementPolicy', 'updateStrategy', 'revisionHistoryLimit', 'minReadySeconds', 'persistentVolumeClaimRetentionPolicy', 'ordinals'],
  DaemonSetSpec: [['selector', 'LabelSelector'], ['template', 'PodTemplateSpec'], 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'],
  ReplicaSetSpec: ['replicas', 'minReadySeconds', ['selector', 'LabelSelector'], ['template', 'PodTemplateSpec']],
  ReplicationControllerSpec: ['replicas', 'minReadySeconds', 'selector', ['template', 'PodTemplateSpec']],
  JobSpec: ['parallelism', 'completions', 'activeDeadlineSeconds', 'podFailurePolicy', 'successPolicy', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', ['selector', 'LabelSelector'], 'manualSelector', ['template', 'PodTemplateSpec'], 'ttlSecondsAfterFinished', 'completionMode', 'suspend', 'podReplacementPolicy', 'managedBy'],
  JobTemplateSpec: [['metadata', 'ObjectMeta'], ['spec', 'JobSpec']],
  CronJobSpec: ['schedule', 'timeZone', 'startingDeadlineSeconds', 'concurrencyPolicy', 'suspend', ['jobTemplate', 'JobTemplateSpec'], 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'],
  PodSpec: [['volumes', 'Volume'], ['initContainers', 'Container'], ['containers', 'Container'], ['ephemeralContainers', 'Container'], 'restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname', 'subdomain', 'affinity', 'schedulerName', ['tolerations', 'Toleration'], 'hostAliases', 'priorityClassName', 'priority', 'dnsConfig', 'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints', 'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims', 'resources'],
  Volume: ['name', 'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', ['projected', 'ProjectedVolumeSource'], 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image'],
  Container: ['name', 'image', 'command', 'args', 'workingDir', ['ports', 'ContainerPort'], ['envFrom', 'EnvFromSource'], ['env', 'EnvVar'], ['resources', 'ResourceRequirements'], 'resizePolicy', 'restartPolicy', ['volumeMounts', 'VolumeMount'], 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty'],
  ContainerPort: ['name', 'hostPort', 'containerPort', 'protocol', 'hostIP'],
  EnvVar: ['name', 'value', ['valueFrom', 'EnvVarSource']],
  EnvVarSource: ['fieldRef', 'resourceFieldRef', ['configMapKeyRef', 'KeySelector'], ['secretKeyRef', 'KeySelector']],
  KeySelector: ['name', 'key', 'optional'],
  EnvFromSource: ['prefix', ['configMapRef', 'EnvSource'], ['secretRef', 'EnvSource']],
  EnvSource: ['name', 'optional'],
  ResourceRequirements: ['limits', 'requests', 'claims'],
  VolumeMount: ['name', 'readOnly', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'],
  ServiceSpec: [['ports', 'ServicePort'], 'selector', 'clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP', 'loadBalancerSourceRanges', 'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'publishNotReadyAddresses', 'sessionAffinityConfig', 'ipFamilies', 'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution'],
  ServicePort: ['name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'],
  ServiceStatus: ['loadBalancer', 'conditions'],
  DeploymentStatus: ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas', 'conditions', 'collisionCount'],
  StatefulSetStatus: ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount', 'conditions', 'availableReplicas'],
  Subject: ['kind', 'apiGroup', 'name', 'namespace'],
  RoleRef: ['apiGroup', 'kind', 'name'],
  ProjectedVolumeSource: [['sources', 'VolumeProjection'], 'defaultMode'],
  VolumeProjection: [['secret', 'KeyToPathProjection'], ['downwardAPI', 'DownwardAPIProjection'], ['configMap', 'KeyToPathProjection'], ['serviceAccountToken', 'ServiceAccountTokenProjection'], 'clusterTrustBundle'],
  KeyToPathProjection: ['name', ['items', 'KeyToPath'], 'optional'],
  KeyToPath: ['key', 'path', 'mode'],
  DownwardAPIProjection: [['items', 'DownwardAPIVolumeFile']],
  DownwardAPIVolumeFile: ['path', ['fieldRef', 'ObjectFieldSelector'], 'resourceFieldRef', 'mode'],
  ObjectFieldSelector: ['apiVersion', 'fieldPath'],
  ServiceAccountTokenProjection: ['audience', 'expirationSeconds', 'path'],
  Toleration: ['key', 'operator', 'value', 'effect', 'tolerationSeconds'],
  DeploymentStrategy: ['type', ['rollingUpdate', 'RollingUpdateDeployment']],
  RollingUpdateDeployment: ['maxUnavailable', 'maxSurge'],
  JobStatus: ['conditions', 'startTime', 'completionTime', 'active', 'terminating', 'completedIndexes', 'failedIndexes', 'uncountedTerminatedPods', 'ready', 'succeeded', 'failed'],
  CronJobStatus: ['active', 'lastScheduleTime', 'lastSuccessfulTime'],
  ConfigMap: ['immutable', 'data', 'binaryData'],
  Secret: ['immutable', 'data', 'stringData', 'type'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Role: [['rules', 'PolicyRule']],
  ClusterRole: [['rules', 'PolicyRule'], 'aggregationRule'],
  PolicyRule: ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'],
  PriorityClass: ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  NamespaceSpec: ['finalizers'],
  NamespaceStatus: ['phase', 'conditions'],
  ResourceQuotaSpec: ['hard', 'scopes', 'scopeSelector'],
  ResourceQuotaStatus: ['hard', 'used'],
  PodDisruptionBudgetSpec: ['minAvailable', ['selector', 'LabelSelector'], 'maxUnavailable', 'unhealthyPodEvictionPolicy'],
  PodDisruptionBudgetStatus: ['observedGeneration', 'disruptedPods', 'disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'conditions'],
  IngressSpec: ['ingressClassName', 'defaultBackend', ['tls', 'IngressTLS'], ['rules', 'IngressRule']],
  IngressTLS: ['hosts', 'secretName'],
  IngressRule: ['host', ['http', 'HTTPIngressRuleValue']],
  HTTPIngressRuleValue: [['paths', 'HTTPIngressPath']],
  HTTPIngressPath: ['path', 'pathType', ['backend', 'IngressBackend']],
  IngressBackend: [['service', 'IngressServiceBackend'], 'resource'],
  IngressServiceBackend: ['name', 'port'],
  IngressStatus: ['loadBalancer'],
  DaemonSetStatus: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount', 'conditions'],
};

/** Fields without omitempty whose zero value Go's encoder writes when the object lacks them. */
const ZEROS: Record<string, Record<string, unknown>> = {
  PodDisruptionBudgetStatus: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  IngressStatus: { loadBalancer: {} },
  ServiceStatus: { loadBalancer: {} },
};

/** Kinds whose fields sit at the top level (no spec), ordered by their STRUCTS entry. */
const FLAT_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding', 'Event', 'ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'ClusterRole', 'PriorityClass']);

/** Kinds and the structs of their spec and status. */
const KINDS: Record<string, [string, string?]> = {
  Deployment: ['DeploymentSpec', 'DeploymentStatus'],
  StatefulSet: ['StatefulSetSpec', 'StatefulSetStatus'],
  DaemonSet: ['DaemonSetSpec', 'DaemonSetStatus'],
  ReplicaSet: ['ReplicaSetSpec'],
  ReplicationController: ['ReplicationControllerSpec'],
  Job: ['JobSpec', 'JobStatus'],
  CronJob: ['CronJobSpec', 'CronJobStatus'],
  Namespace: ['NamespaceSpec', 'NamespaceStatus'],
  ResourceQuota: ['ResourceQuotaSpec', 'ResourceQuotaStatus'],
  PodDisruptionBudget: ['PodDisruptionBudgetSpec', 'PodDisruptionBudgetStatus'],
  Ingress: ['IngressSpec', 'IngressStatus'],
  Pod: ['PodSpec'],
  Service: ['ServiceSpec', 'ServiceStatus'],
};

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sorted((v as Record<string, unknown>)[k]);
  return out;
}

function ordered(v: unknown, struct: string | undefined): unknown {
  const fields = struct ? STRUCTS[struct] : undefined;
  if (!fields) return sorted(v);
  if (Array.isArray(v)) return v.map((e) => ordered(e, struct));
  if (!v || typeof v !== 'object') return v;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const [name, type] = typeof f === 'string' ? [f, undefined] : f;
    if (name in src) out[name] = ordered(src[name], type);
    else if (struct && ZEROS[struct] && name in ZEROS[struct]) out[name] = structuredClone(ZEROS[struct][name]);
  }
  // Fields the table does not list keep a stable (sorted) place after the known ones.
  for (const k of Object.keys(src).sort()) if (!(k in out)) out[k] = sorted(src[k]);
  return out;
}

/** The object with its keys in Go struct order, for kinds in the table; otherwise undefined. */
export function goOrdered(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  if (FLAT_KINDS.has(String(obj.kind))) {
    const { kind, apiVersion, metadata, ...rest } = obj;
    return { kind, apiVersion, metadata: ordered(metadata, 'ObjectMeta'), ...(ordered(rest, String(obj.kind)) as Record<string, unknown>) };
  }
  const kind = KINDS[String(obj.kind)];
  if (!kind) return undefined;
  const out: Record<string, unknown> = {};
  if ('kind' in obj) out.kind = obj.kind;
  if ('apiVersion' in obj) out.apiVersion = obj.apiVersion;
  if ('metadata' in obj) out.metadata = ordered(obj.metadata, 'ObjectMeta');
  if ('spec' in obj) out.spec = ordered(obj.spec, kind[0]);
  if ('status' in obj) out.status = ordered(obj.status, kind[1]);
  for (const k of Object.keys(obj).sort()) if (!(k in out)) out[k] = sorted(obj[k]);
  return out;
}
