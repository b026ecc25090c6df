// kustomize's builtin field specs (api/internal/konfig/builtinpluginconsts, kustomize v5.5.0) as
// data: which fields of which kinds each transformer touches. One spec a line:
// `GROUP VERSION KIND PATH [+]` with `_` for "any", `+` for "create if missing". A `\/` in a
// path is a literal slash inside one key (annotation names).

export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create: boolean;
}

export function parseSpecs(text: string): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w.length < 4) continue;
    const opt = (s: string) => (s === '_' ? undefined : s);
    out.push({ group: opt(w[0]), version: opt(w[1]), kind: opt(w[2]), path: w[3], create: w[4] === '+' });
  }
  return out;
}

const RAW = {
  namePrefix: String.raw`
    _ _ _ metadata/name
  `,
  nameSuffix: String.raw`
    _ _ _ metadata/name
  `,
  commonLabels: String.raw`
    _ v1 Service spec/selector +
    _ v1 ReplicationController spec/selector +
    _ _ Deployment spec/selector/matchLabels +
    apps _ Deployment spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
    apps _ Deployment spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
    apps _ Deployment spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
    apps _ Deployment spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
    apps _ Deployment spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels
    _ _ ReplicaSet spec/selector/matchLabels +
    _ _ DaemonSet spec/selector/matchLabels +
    apps _ StatefulSet spec/selector/matchLabels +
    apps _ StatefulSet spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
    apps _ StatefulSet spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
    apps _ StatefulSet spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
    apps _ StatefulSet spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
    apps _ StatefulSet spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels
    batch _ Job spec/selector/matchLabels
    batch _ CronJob spec/jobTemplate/spec/selector/matchLabels
    policy _ PodDisruptionBudget spec/selector/matchLabels
    networking.k8s.io _ NetworkPolicy spec/podSelector/matchLabels
    networking.k8s.io _ NetworkPolicy spec/ingress/from/podSelector/matchLabels
    networking.k8s.io _ NetworkPolicy spec/egress/to/podSelector/matchLabels
    _ _ _ metadata/labels +
    _ v1 ReplicationController spec/template/metadata/labels +
    _ _ Deployment spec/template/metadata/labels +
    _ _ ReplicaSet spec/template/metadata/labels +
    _ _ DaemonSet spec/template/metadata/labels +
    apps _ StatefulSet spec/template/metadata/labels +
    apps _ StatefulSet spec/volumeClaimTemplates[]/metadata/labels +
    batch _ Job spec/template/metadata/labels +
    batch _ CronJob spec/jobTemplate/metadata/labels +
    batch _ CronJob spec/jobTemplate/spec/template/metadata/labels +
  `,
  templateLabels: String.raw`
    _ _ _ metadata/labels +
    _ v1 ReplicationController spec/template/metadata/labels +
    _ _ Deployment spec/template/metadata/labels +
    _ _ ReplicaSet spec/template/metadata/labels +
    _ _ DaemonSet spec/template/metadata/labels +
    apps _ StatefulSet spec/template/metadata/labels +
    apps _ StatefulSet spec/volumeClaimTemplates[]/metadata/labels +
    batch _ Job spec/template/metadata/labels +
    batch _ CronJob spec/jobTemplate/metadata/labels +
    batch _ CronJob spec/jobTemplate/spec/template/metadata/labels +
  `,
  commonAnnotations: String.raw`
    _ _ _ metadata/annotations +
    _ v1 ReplicationController spec/template/metadata/annotations +
    _ _ Deployment spec/template/metadata/annotations +
    _ _ ReplicaSet spec/template/metadata/annotations +
    _ _ DaemonSet spec/template/metadata/annotations +
    _ _ StatefulSet spec/template/metadata/annotations +
    batch _ Job spec/template/metadata/annotations +
    batch _ CronJob spec/jobTemplate/metadata/annotations +
    batch _ CronJob spec/jobTemplate/spec/template/metadata/annotations +
  `,
  namespace: String.raw`
    _ _ Namespace metadata/name +
    apiregistration.k8s.io _ APIService spec/service/namespace +
    apiextensions.k8s.io _ CustomResourceDefinition spec/conversion/webhook/clientConfig/service/namespace
  `,
  images: String.raw`
    _ _ _ spec/containers[]/image +
    _ _ _ spec/initContainers[]/image +
    _ _ _ spec/template/spec/containers[]/image +
    _ _ _ spec/template/spec/initContainers[]/image +
  `,
  replicas: String.raw`
    _ _ Deployment spec/replicas +
    _ _ ReplicationController spec/replicas +
    _ _ ReplicaSet spec/replicas +
    _ _ StatefulSet spec/replicas +
  `,
  // Where `vars` substitute $(NAME) (varreference.go).
  varReference: String.raw`
    _ _ CronJob spec/jobTemplate/spec/template/spec/containers/args
    _ _ CronJob spec/jobTemplate/spec/template/spec/containers/command
    _ _ CronJob spec/jobTemplate/spec/template/spec/containers/env/value
    _ _ CronJob spec/jobTemplate/spec/template/spec/containers/volumeMounts/mountPath
    _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/args
    _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/command
    _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/env/value
    _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/volumeMounts/mountPath
    _ _ CronJob spec/jobTemplate/spec/template/volumes/nfs/server
    _ _ DaemonSet spec/template/spec/containers/args
    _ _ DaemonSet spec/template/spec/containers/command
    _ _ DaemonSet spec/template/spec/containers/env/value
    _ _ DaemonSet spec/template/spec/containers/volumeMounts/mountPath
    _ _ DaemonSet spec/template/spec/initContainers/args
    _ _ DaemonSet spec/template/spec/initContainers/command
    _ _ DaemonSet spec/template/spec/initContainers/env/value
    _ _ DaemonSet spec/template/spec/initContainers/volumeMounts/mountPath
    _ _ DaemonSet spec/template/spec/volumes/nfs/server
    _ _ Deployment spec/template/spec/containers/args
    _ _ Deployment spec/template/spec/containers/command
    _ _ Deployment spec/template/spec/containers/env/value
    _ _ Deployment spec/template/spec/containers/volumeMounts/mountPath
    _ _ Deployment spec/template/spec/initContainers/args
    _ _ Deployment spec/template/spec/initContainers/command
    _ _ Deployment spec/template/spec/initContainers/env/value
    _ _ Deployment spec/template/spec/initContainers/volumeMounts/mountPath
    _ _ Deployment spec/template/spec/volumes/nfs/server
    _ _ Deployment spec/template/metadata/annotations
    _ _ Ingress spec/rules/host
    _ _ Ingress spec/tls/hosts
    _ _ Ingress spec/tls/secretName
    _ _ Job spec/template/spec/containers/args
    _ _ Job spec/template/spec/containers/command
    _ _ Job spec/template/spec/containers/env/value
    _ _ Job spec/template/spec/containers/volumeMounts/mountPath
    _ _ Job spec/template/spec/initContainers/args
    _ _ Job spec/template/spec/initContainers/command
    _ _ Job spec/template/spec/initContainers/env/value
    _ _ Job spec/template/spec/initContainers/volumeMounts/mountPath
    _ _ Job spec/template/spec/volumes/nfs/server
    _ _ Pod spec/containers/args
    _ _ Pod spec/containers/command
    _ _ Pod spec/containers/env/value
    _ _ Pod spec/containers/volumeMounts/mountPath
    _ _ Pod spec/initContainers/args
    _ _ Pod spec/initContainers/command
    _ _ Pod spec/initContainers/env/value
    _ _ Pod spec/initContainers/volumeMounts/mountPath
    _ _ Pod spec/volumes/nfs/server
    _ _ ReplicaSet spec/template/spec/containers/args
    _ _ ReplicaSet spec/template/spec/containers/command
    _ _ ReplicaSet spec/template/spec/containers/env/value
    _ _ ReplicaSet spec/template/spec/containers/volumeMounts/mountPath
    _ _ ReplicaSet spec/template/spec/initContainers/args
    _ _ ReplicaSet spec/template/spec/initContainers/command
    _ _ ReplicaSet spec/template/spec/initContainers/env/value
    _ _ ReplicaSet spec/template/spec/initContainers/volumeMounts/mountPath
    _ _ ReplicaSet spec/template/spec/volumes/nfs/server
    _ _ Service spec/ports/port
    _ _ Service spec/ports/targetPort
    _ _ StatefulSet spec/template/spec/containers/args
    _ _ StatefulSet spec/template/spec/containers/command
    _ _ StatefulSet spec/template/spec/containers/env/value
    _ _ StatefulSet spec/template/spec/containers/volumeMounts/mountPath
    _ _ StatefulSet spec/template/spec/initContainers/args
    _ _ StatefulSet spec/template/spec/initContainers/command
    _ _ StatefulSet spec/template/spec/initContainers/env/value
    _ _ StatefulSet spec/template/spec/initContainers/volumeMounts/mountPath
    _ _ StatefulSet spec/volumeClaimTemplates/spec/nfs/server
    _ _ PersistentVolume spec/nfs/server
    _ _ _ metadata/labels
    _ _ _ metadata/annotations
  `,
  nameReference: [
    { target: '_ _ Deployment', specs: String.raw`
      _ _ HorizontalPodAutoscaler spec/scaleTargetRef/name
    ` },
    { target: '_ _ ReplicationController', specs: String.raw`
      _ _ HorizontalPodAutoscaler spec/scaleTargetRef/name
    ` },
    { target: '_ _ ReplicaSet', specs: String.raw`
      _ _ HorizontalPodAutoscaler spec/scaleTargetRef/name
    ` },
    { target: '_ _ StatefulSet', specs: String.raw`
      _ _ HorizontalPodAutoscaler spec/scaleTargetRef/name
    ` },
    { target: '_ v1 ConfigMap', specs: String.raw`
      _ v1 Pod spec/volumes/configMap/name
      _ v1 Pod spec/containers/env/valueFrom/configMapKeyRef/name
      _ v1 Pod spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ v1 Pod spec/containers/envFrom/configMapRef/name
      _ v1 Pod spec/initContainers/envFrom/configMapRef/name
      _ v1 Pod spec/volumes/projected/sources/configMap/name
      _ _ PodTemplate template/spec/volumes/configMap/name
      _ _ PodTemplate template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ PodTemplate template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ PodTemplate template/spec/containers/envFrom/configMapRef/name
      _ _ PodTemplate template/spec/initContainers/envFrom/configMapRef/name
      _ _ PodTemplate template/spec/volumes/projected/sources/configMap/name
      _ _ Deployment spec/template/spec/volumes/configMap/name
      _ _ Deployment spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ Deployment spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ Deployment spec/template/spec/containers/envFrom/configMapRef/name
      _ _ Deployment spec/template/spec/initContainers/envFrom/configMapRef/name
      _ _ Deployment spec/template/spec/volumes/projected/sources/configMap/name
      _ _ ReplicaSet spec/template/spec/volumes/configMap/name
      _ _ ReplicaSet spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ ReplicaSet spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ ReplicaSet spec/template/spec/containers/envFrom/configMapRef/name
      _ _ ReplicaSet spec/template/spec/initContainers/envFrom/configMapRef/name
      _ _ ReplicaSet spec/template/spec/volumes/projected/sources/configMap/name
      _ _ DaemonSet spec/template/spec/volumes/configMap/name
      _ _ DaemonSet spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ DaemonSet spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ DaemonSet spec/template/spec/containers/envFrom/configMapRef/name
      _ _ DaemonSet spec/template/spec/initContainers/envFrom/configMapRef/name
      _ _ DaemonSet spec/template/spec/volumes/projected/sources/configMap/name
      _ _ StatefulSet spec/template/spec/volumes/configMap/name
      _ _ StatefulSet spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ StatefulSet spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ StatefulSet spec/template/spec/containers/envFrom/configMapRef/name
      _ _ StatefulSet spec/template/spec/initContainers/envFrom/configMapRef/name
      _ _ StatefulSet spec/template/spec/volumes/projected/sources/configMap/name
      _ _ Job spec/template/spec/volumes/configMap/name
      _ _ Job spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ Job spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ Job spec/template/spec/containers/envFrom/configMapRef/name
      _ _ Job spec/template/spec/initContainers/envFrom/configMapRef/name
      _ _ Job spec/template/spec/volumes/projected/sources/configMap/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/volumes/configMap/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name
      _ _ Node spec/configSource/configMap
      _ _ Role rules/resourceNames
      _ _ ClusterRole rules/resourceNames
      _ _ Ingress metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap
    ` },
    { target: '_ v1 Secret', specs: String.raw`
      _ v1 Pod spec/volumes/secret/secretName
      _ v1 Pod spec/containers/env/valueFrom/secretKeyRef/name
      _ v1 Pod spec/initContainers/env/valueFrom/secretKeyRef/name
      _ v1 Pod spec/containers/envFrom/secretRef/name
      _ v1 Pod spec/initContainers/envFrom/secretRef/name
      _ v1 Pod spec/imagePullSecrets/name
      _ v1 Pod spec/volumes/projected/sources/secret/name
      _ _ PodTemplate template/spec/volumes/secret/secretName
      _ _ PodTemplate template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ PodTemplate template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ PodTemplate template/spec/containers/envFrom/secretRef/name
      _ _ PodTemplate template/spec/initContainers/envFrom/secretRef/name
      _ _ PodTemplate template/spec/imagePullSecrets/name
      _ _ PodTemplate template/spec/volumes/projected/sources/secret/name
      _ _ Deployment spec/template/spec/volumes/secret/secretName
      _ _ Deployment spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ Deployment spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ Deployment spec/template/spec/containers/envFrom/secretRef/name
      _ _ Deployment spec/template/spec/initContainers/envFrom/secretRef/name
      _ _ Deployment spec/template/spec/imagePullSecrets/name
      _ _ Deployment spec/template/spec/volumes/projected/sources/secret/name
      _ _ ReplicaSet spec/template/spec/volumes/secret/secretName
      _ _ ReplicaSet spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ ReplicaSet spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ ReplicaSet spec/template/spec/containers/envFrom/secretRef/name
      _ _ ReplicaSet spec/template/spec/initContainers/envFrom/secretRef/name
      _ _ ReplicaSet spec/template/spec/imagePullSecrets/name
      _ _ ReplicaSet spec/template/spec/volumes/projected/sources/secret/name
      _ _ DaemonSet spec/template/spec/volumes/secret/secretName
      _ _ DaemonSet spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ DaemonSet spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ DaemonSet spec/template/spec/containers/envFrom/secretRef/name
      _ _ DaemonSet spec/template/spec/initContainers/envFrom/secretRef/name
      _ _ DaemonSet spec/template/spec/imagePullSecrets/name
      _ _ DaemonSet spec/template/spec/volumes/projected/sources/secret/name
      _ _ StatefulSet spec/template/spec/volumes/secret/secretName
      _ _ StatefulSet spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ StatefulSet spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ StatefulSet spec/template/spec/containers/envFrom/secretRef/name
      _ _ StatefulSet spec/template/spec/initContainers/envFrom/secretRef/name
      _ _ StatefulSet spec/template/spec/imagePullSecrets/name
      _ _ StatefulSet spec/template/spec/volumes/projected/sources/secret/name
      _ _ Job spec/template/spec/volumes/secret/secretName
      _ _ Job spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ Job spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ Job spec/template/spec/containers/envFrom/secretRef/name
      _ _ Job spec/template/spec/initContainers/envFrom/secretRef/name
      _ _ Job spec/template/spec/imagePullSecrets/name
      _ _ Job spec/template/spec/volumes/projected/sources/secret/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/volumes/secret/secretName
      _ _ CronJob spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name
      _ _ CronJob spec/jobTemplate/spec/template/spec/imagePullSecrets/name
      _ _ Ingress spec/tls/secretName
      _ _ Ingress metadata/annotations/ingress.kubernetes.io\/auth-secret
      _ _ Ingress metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret
      _ _ Ingress metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret
      _ _ Ingress spec/tls/secretName
      _ _ ServiceAccount imagePullSecrets/name
      _ _ StorageClass parameters/secretName
      _ _ StorageClass parameters/adminSecretName
      _ _ StorageClass parameters/userSecretName
      _ _ StorageClass parameters/secretRef
      _ _ Role rules/resourceNames
      _ _ ClusterRole rules/resourceNames
      serving.knative.dev v1 Service spec/template/spec/containers/env/valueFrom/secretKeyRef/name
      _ _ PersistentVolume spec/azureFile/secretName
    ` },
    { target: '_ v1 Service', specs: String.raw`
      apps _ StatefulSet spec/serviceName
      _ _ Ingress spec/rules/http/paths/backend/serviceName
      _ _ Ingress spec/backend/serviceName
      _ _ Ingress spec/rules/http/paths/backend/service/name
      _ _ Ingress spec/defaultBackend/service/name
      apiregistration.k8s.io _ APIService spec/service/name
      admissionregistration.k8s.io _ ValidatingWebhookConfiguration webhooks/clientConfig/service
      admissionregistration.k8s.io _ MutatingWebhookConfiguration webhooks/clientConfig/service
    ` },
    { target: 'rbac.authorization.k8s.io _ Role', specs: String.raw`
      rbac.authorization.k8s.io _ RoleBinding roleRef/name
    ` },
    { target: 'rbac.authorization.k8s.io _ ClusterRole', specs: String.raw`
      rbac.authorization.k8s.io _ RoleBinding roleRef/name
      rbac.authorization.k8s.io _ ClusterRoleBinding roleRef/name
    ` },
    { target: '_ v1 ServiceAccount', specs: String.raw`
      rbac.authorization.k8s.io _ RoleBinding subjects
      rbac.authorization.k8s.io _ ClusterRoleBinding subjects
      _ _ Pod spec/serviceAccountName
      _ _ StatefulSet spec/template/spec/serviceAccountName
      _ _ Deployment spec/template/spec/serviceAccountName
      _ _ ReplicationController spec/template/spec/serviceAccountName
      _ _ CronJob spec/jobTemplate/spec/template/spec/serviceAccountName
      _ _ Job spec/template/spec/serviceAccountName
      _ _ DaemonSet spec/template/spec/serviceAccountName
    ` },
    { target: '_ v1 PersistentVolumeClaim', specs: String.raw`
      _ _ Pod spec/volumes/persistentVolumeClaim/claimName
      _ _ StatefulSet spec/template/spec/volumes/persistentVolumeClaim/claimName
      _ _ Deployment spec/template/spec/volumes/persistentVolumeClaim/claimName
      _ _ ReplicationController spec/template/spec/volumes/persistentVolumeClaim/claimName
      _ _ CronJob spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName
      _ _ Job spec/template/spec/volumes/persistentVolumeClaim/claimName
      _ _ DaemonSet spec/template/spec/volumes/persistentVolumeClaim/claimName
    ` },
    { target: '_ v1 PersistentVolume', specs: String.raw`
      _ _ PersistentVolumeClaim spec/volumeName
      _ _ ClusterRole rules/resourceNames
    ` },
    { target: 'storage.k8s.io v1 StorageClass', specs: String.raw`
      _ _ PersistentVolume spec/storageClassName
      _ _ PersistentVolumeClaim spec/storageClassName
      _ _ StatefulSet spec/volumeClaimTemplates/spec/storageClassName
    ` },
    { target: 'scheduling.k8s.io v1 PriorityClass', specs: String.raw`
      _ _ Pod spec/priorityClassName
      _ _ StatefulSet spec/template/spec/priorityClassName
      _ _ Deployment spec/template/spec/priorityClassName
      _ _ ReplicationController spec/template/spec/priorityClassName
      _ _ CronJob spec/jobTemplate/spec/template/spec/priorityClassName
      _ _ Job spec/template/spec/priorityClassName
      _ _ DaemonSet spec/template/spec/priorityClassName
    ` },
    { target: 'networking.k8s.io/v1 v1 IngressClass', specs: String.raw`
      _ _ Ingress spec/ingressClassName
    ` },
    { target: 'admissionregistration.k8s.io _ ValidatingAdmissionPolicy', specs: String.raw`
      admissionregistration.k8s.io _ ValidatingAdmissionPolicyBinding spec/policyName
    ` },
  ],

};

export interface NameRefRule {
  target: { group?: string; version?: string; kind: string };
  specs: FieldSpec[];
}

export type SpecSet = 'namePrefix' | 'nameSuffix' | 'commonLabels' | 'templateLabels' | 'commonAnnotations' | 'namespace' | 'images' | 'replicas' | 'varReference';

export const FIELD_SPECS: Record<SpecSet, FieldSpec[]> = {
  namePrefix: parseSpecs(RAW.namePrefix),
  nameSuffix: parseSpecs(RAW.nameSuffix),
  commonLabels: parseSpecs(RAW.commonLabels),
  templateLabels: parseSpecs(RAW.templateLabels),
  commonAnnotations: parseSpecs(RAW.commonAnnotations),
  namespace: parseSpecs(RAW.namespace),
  images: parseSpecs(RAW.images),
  replicas: parseSpecs(RAW.replicas),
  varReference: parseSpecs(RAW.varReference),
};

export const NAME_REFERENCES: NameRefRule[] = RAW.nameReference.map((r) => {
  const [g, v, k] = r.target.split(' ');
  return { target: { group: g === '_' ? undefined : g, version: v === '_' ? undefined : v, kind: k }, specs: parseSpecs(r.specs) };
});
