// Strategic-merge patch metadata as data: which lists merge by key, which maps keep only the
// keys they are given (retainKeys). Mirrors the `patchStrategy`/`patchMergeKey` struct tags of
// k8s.io/api (core/v1, apps/v1, batch/v1) and apimachinery's ObjectMeta. Anything not listed
// has no strategy: maps merge key by key, lists are atomic (replaced wholesale).

/** Metadata for one field. `schema` describes the map value, or the list elements. */
export interface FieldMeta {
  /** 'merge' = list merged by `mergeKey` (or a primitive set when no key); 'replace' = atomic map. */
  strategy?: 'merge' | 'replace';
  retainKeys?: boolean;
  mergeKey?: string;
  schema?: PatchSchema;
}

/** Field name → metadata, for the fields of one object shape. */
export type PatchSchema = { readonly [field: string]: FieldMeta };

export const EMPTY_SCHEMA: PatchSchema = {};

const mergeBy = (mergeKey: string, schema?: PatchSchema): FieldMeta => ({ strategy: 'merge', mergeKey, schema });
const PRIMITIVE_SET: FieldMeta = { strategy: 'merge' };
const CONDITIONS = mergeBy('type');

const OBJECT_META: PatchSchema = {
  ownerReferences: mergeBy('uid'),
  finalizers: PRIMITIVE_SET,
};

const CONTAINER: PatchSchema = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

const POD_SPEC: PatchSchema = {
  containers: mergeBy('name', CONTAINER),
  initContainers: mergeBy('name', CONTAINER),
  ephemeralContainers: mergeBy('name', CONTAINER),
  volumes: { strategy: 'merge', retainKeys: true, mergeKey: 'name' },
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: { strategy: 'merge', retainKeys: true, mergeKey: 'name' },
};

const POD_STATUS: PatchSchema = {
  conditions: CONDITIONS,
  podIPs: mergeBy('ip'),
  hostIPs: mergeBy('ip'),
};

const POD_TEMPLATE_SPEC: PatchSchema = {
  metadata: { schema: OBJECT_META },
  spec: { schema: POD_SPEC },
};

const WITH_CONDITIONS: PatchSchema = { conditions: CONDITIONS };

/** Top-level schema of an object whose spec holds a pod template. */
function workload(specExtra: PatchSchema = {}, status: PatchSchema = WITH_CONDITIONS): PatchSchema {
  return {
    metadata: { schema: OBJECT_META },
    spec: { schema: { template: { schema: POD_TEMPLATE_SPEC }, ...specExtra } },
    status: { schema: status },
  };
}

const META_ONLY: PatchSchema = { metadata: { schema: OBJECT_META } };

const JOB = workload();

/** Built-in kinds by `group/Kind` ("" group for core). */
const SCHEMAS: Record<string, PatchSchema> = {
  '/Pod': {
    metadata: { schema: OBJECT_META },
    spec: { schema: POD_SPEC },
    status: { schema: POD_STATUS },
  },
  '/PodTemplate': { metadata: { schema: OBJECT_META }, template: { schema: POD_TEMPLATE_SPEC } },
  '/ReplicationController': workload(),
  'apps/Deployment': workload({ strategy: { retainKeys: true } }),
  'apps/ReplicaSet': workload(),
  'apps/StatefulSet': workload(),
  'apps/DaemonSet': workload(),
  'batch/Job': JOB,
  'batch/CronJob': {
    metadata: { schema: OBJECT_META },
    spec: { schema: { jobTemplate: { schema: { metadata: { schema: OBJECT_META }, spec: JOB.spec } } } },
  },
  '/Service': {
    metadata: { schema: OBJECT_META },
    spec: { schema: { ports: mergeBy('port') } },
    status: { schema: WITH_CONDITIONS },
  },
  '/ServiceAccount': { metadata: { schema: OBJECT_META }, secrets: mergeBy('name') },
  '/Node': {
    metadata: { schema: OBJECT_META },
    spec: { schema: { podCIDRs: PRIMITIVE_SET } },
    status: { schema: { conditions: CONDITIONS, addresses: mergeBy('type') } },
  },
  '/Namespace': { metadata: { schema: OBJECT_META }, status: { schema: WITH_CONDITIONS } },
  '/PersistentVolumeClaim': { metadata: { schema: OBJECT_META }, status: { schema: WITH_CONDITIONS } },
  'autoscaling/HorizontalPodAutoscaler': { metadata: { schema: OBJECT_META }, status: { schema: WITH_CONDITIONS } },
  'policy/PodDisruptionBudget': { metadata: { schema: OBJECT_META }, status: { schema: WITH_CONDITIONS } },
};

/** Built-in kinds that have no list with a strategy beyond ObjectMeta's. */
const META_ONLY_KINDS: Record<string, string> = {
  ConfigMap: '', Secret: '', Endpoints: '', Event: '', LimitRange: '', ResourceQuota: '', PersistentVolume: '',
  Binding: '', ComponentStatus: '',
  ControllerRevision: 'apps', Lease: 'coordination.k8s.io', EndpointSlice: 'discovery.k8s.io',
  Ingress: 'networking.k8s.io', IngressClass: 'networking.k8s.io', NetworkPolicy: 'networking.k8s.io',
  Role: 'rbac.authorization.k8s.io', ClusterRole: 'rbac.authorization.k8s.io',
  RoleBinding: 'rbac.authorization.k8s.io', ClusterRoleBinding: 'rbac.authorization.k8s.io',
  PriorityClass: 'scheduling.k8s.io', StorageClass: 'storage.k8s.io', CSIDriver: 'storage.k8s.io',
  CSINode: 'storage.k8s.io', VolumeAttachment: 'storage.k8s.io', RuntimeClass: 'node.k8s.io',
  CustomResourceDefinition: 'apiextensions.k8s.io', APIService: 'apiregistration.k8s.io',
  CertificateSigningRequest: 'certificates.k8s.io',
  // The scale subresource of built-in kinds (custom resources' /scale takes no strategic merge patch).
  Scale: 'autoscaling',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io',
  // Built-in: kube-apiserver takes a strategic merge patch (kubectl apply's) for them too.
  ValidatingAdmissionPolicy: 'admissionregistration.k8s.io', ValidatingAdmissionPolicyBinding: 'admissionregistration.k8s.io',
  FlowSchema: 'flowcontrol.apiserver.k8s.io', PriorityLevelConfiguration: 'flowcontrol.apiserver.k8s.io',
};
for (const [kind, group] of Object.entries(META_ONLY_KINDS)) SCHEMAS[`${group}/${kind}`] = META_ONLY;
SCHEMAS['events.k8s.io/Event'] = META_ONLY;

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * The strategic-merge schema of a built-in kind, or undefined when the kind has none (custom
 * resources: the API server only accepts JSON merge patches for them). With `apiVersion`, the
 * group must match too, so a CRD kind named like a built-in one is not mistaken for it.
 */
export function patchSchemaFor(kind: string, apiVersion?: string): PatchSchema | undefined {
  if (apiVersion !== undefined) return SCHEMAS[`${groupOf(apiVersion)}/${kind}`];
  for (const [key, schema] of Object.entries(SCHEMAS)) {
    if (key.slice(key.indexOf('/') + 1) === kind) return schema;
  }
  return undefined;
}

/** True when the API server accepts strategic merge patches for this kind. */
export function supportsStrategicMerge(kind: string, apiVersion?: string): boolean {
  return patchSchemaFor(kind, apiVersion) !== undefined;
}

/** Metadata of `field` inside `schema`; unknown fields have no strategy. */
export function fieldMeta(schema: PatchSchema, field: string): FieldMeta {
  return Object.prototype.hasOwnProperty.call(schema, field) ? schema[field] : {};
}
