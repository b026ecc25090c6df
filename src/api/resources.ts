// The resource registry: what `kubectl api-resources` shows. It maps kinds to REST
// resources (plural, singular, short names, scope) and resolves the names a user types
// (`po`, `deploy.v1.apps`, `deployments.apps`, `Deployment`) the way kubectl's RESTMapper does.

export interface ResourceType {
  group: string; // "" for the core group
  version: string; // preferred version
  versions: string[]; // every served version, preferred first
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  categories: string[];
  /** Verbs as api-resources -o wide prints them. */
  verbs: string[];
  /** Set for custom resources: the CRD that registered the kind. */
  crd?: string;
  /** A custom resource's subresources (its CRD storage version's `subresources`): served only when declared. */
  crdSubresources?: CrdSubresources;
  /** Served versions whose own `subresources` differ from the storage version's (see atVersion). */
  crdVersionSubresources?: Record<string, CrdSubresources>;
}

/** The type as served at `version`: a CRD declares subresources per version (apiextensions v1). */
export function atVersion(t: ResourceType, version: string): ResourceType {
  const own = t.crdVersionSubresources?.[version];
  return own ? { ...t, crdSubresources: own } : t;
}

export interface CrdSubresources {
  status: boolean;
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Resources whose REST storage does not serve every verb (what kube-apiserver's discovery lists). */
const VERBS: Record<string, string[]> = {
  Binding: ['create'],
  ComponentStatus: ['get', 'list'],
  Namespace: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
};

type Row = [group: string, versions: string, kind: string, plural: string, shortNames: string, namespaced: boolean, categories?: string];

// Order follows kube-apiserver discovery (core first, then groups), which is the order
// `api-resources` prints and `get all` expands.
const BUILTIN_ROWS: Row[] = [
  ['', 'v1', 'Binding', 'bindings', '', true],
  ['', 'v1', 'ComponentStatus', 'componentstatuses', 'cs', false],
  ['', 'v1', 'ConfigMap', 'configmaps', 'cm', true],
  ['', 'v1', 'Endpoints', 'endpoints', 'ep', true],
  ['', 'v1', 'Event', 'events', 'ev', true],
  ['', 'v1', 'LimitRange', 'limitranges', 'limits', true],
  ['', 'v1', 'Namespace', 'namespaces', 'ns', false],
  ['', 'v1', 'Node', 'nodes', 'no', false],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', 'pvc', true],
  ['', 'v1', 'PersistentVolume', 'persistentvolumes', 'pv', false],
  ['', 'v1', 'Pod', 'pods', 'po', true, 'all'],
  ['', 'v1', 'PodTemplate', 'podtemplates', '', true],
  ['', 'v1', 'ReplicationController', 'replicationcontrollers', 'rc', true, 'all'],
  ['', 'v1', 'ResourceQuota', 'resourcequotas', 'quota', true],
  ['', 'v1', 'Secret', 'secrets', '', true],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', 'sa', true],
  ['', 'v1', 'Service', 'services', 'svc', true, 'all'],
  ['admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', '', false],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', '', false],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', '', false],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', '', false],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', 'crd,crds', false],
  ['apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', '', false],
  ['apps', 'v1', 'ControllerRevision', 'controllerrevisions', '', true],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', 'ds', true, 'all'],
  ['apps', 'v1', 'Deployment', 'deployments', 'deploy', true, 'all'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', 'rs', true, 'all'],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', 'sts', true, 'all'],
  ['autoscaling', 'v2,v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'hpa', true, 'all'],
  ['batch', 'v1', 'CronJob', 'cronjobs', 'cj', true, 'all'],
  ['batch', 'v1', 'Job', 'jobs', '', true, 'all'],
  ['certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', 'csr', false],
  ['coordination.k8s.io', 'v1', 'Lease', 'leases', '', true],
  ['discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', '', true],
  ['events.k8s.io', 'v1', 'Event', 'events', 'ev', true],
  ['flowcontrol.apiserver.k8s.io', 'v1,v1beta3', 'FlowSchema', 'flowschemas', '', false],
  ['flowcontrol.apiserver.k8s.io', 'v1,v1beta3', 'PriorityLevelConfiguration', 'prioritylevelconfigurations', '', false],
  ['networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', '', false],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', 'ing', true],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', 'netpol', true],
  ['node.k8s.io', 'v1', 'RuntimeClass', 'runtimeclasses', '', false],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', 'pdb', true],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', '', false],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', '', false],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', '', true],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', '', true],
  ['scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', 'pc', false],
  ['storage.k8s.io', 'v1', 'CSIDriver', 'csidrivers', '', false],
  ['storage.k8s.io', 'v1', 'CSINode', 'csinodes', '', false],
  ['storage.k8s.io', 'v1', 'CSIStorageCapacity', 'csistoragecapacities', '', true],
  ['storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', 'sc', false],
  ['storage.k8s.io', 'v1', 'VolumeAttachment', 'volumeattachments', '', false],
];

export const BUILTIN_RESOURCES: readonly ResourceType[] = BUILTIN_ROWS.map(
  ([group, versions, kind, plural, shortNames, namespaced, categories]) => ({
    group,
    version: versions.split(',')[0],
    versions: versions.split(','),
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames: shortNames ? shortNames.split(',') : [],
    namespaced,
    categories: categories ? categories.split(',') : [],
    verbs: VERBS[kind] ?? RW,
  }),
);

/**
 * The review resources: questions answered at once and never stored (create only), served
 * beside the registry's kinds (src/api/rest/reviews.ts) and given schemas like them.
 */
export const REVIEW_RESOURCES: readonly ResourceType[] = (
  [
    ['authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true],
    ['authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false],
    ['authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false],
    ['authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews', false],
    ['authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', false],
    ['authentication.k8s.io', 'TokenReview', 'tokenreviews', false],
  ] as const
).map(([group, kind, plural, namespaced]) => ({ group, version: 'v1', versions: ['v1'], kind, plural, singular: kind.toLowerCase(), shortNames: [], namespaced, categories: [], verbs: ['create'] }));
/** Their group/versions, in order (discovery and the built-in APIServices list them). */
export const REVIEW_GROUP_VERSIONS: readonly string[] = [...new Set(REVIEW_RESOURCES.map((r) => `${r.group}/${r.version}`))];

/** Kinds whose objects have a spec/status split: the server bumps metadata.generation on spec changes. */
export const KINDS_WITH_GENERATION = new Set([
  'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler',
  'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'CustomResourceDefinition', 'ReplicationController',
  'PriorityLevelConfiguration', 'FlowSchema', 'ValidatingAdmissionPolicy', 'IngressClass',
]);

export function apiVersionOf(r: ResourceType, version = r.version): string {
  return r.group ? `${r.group}/${version}` : version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** `deployment.apps` / `pod`: the spelling of `-o name` and of apply/create messages. */
export function kindGroup(r: ResourceType): string {
  return r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind.toLowerCase();
}

/** The REST path of a type's collection (in a namespace when given and namespaced). */
export function resourcePath(type: ResourceType, namespace: string | undefined): string {
  const gv = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const ns = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${gv}${ns}/${type.plural}`;
}

/** The REST path of one object of a type. */
export function objectPath(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${resourcePath(type, namespace)}/${encodeURIComponent(name)}`;
}

/** `deployments.apps` / `pods`: the spelling of server error messages. */
export function pluralGroup(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export class UnknownResourceError extends Error {
  constructor(readonly what: string) {
    super(`the server doesn't have a resource type "${what}"`);
  }
}

export class NoKindMatchError extends Error {
  constructor(readonly kind: string, readonly apiVersion: string) {
    super(`no matches for kind "${kind}" in version "${apiVersion}"`);
  }
}

/**
 * The set of resource types a cluster serves: the built-ins plus the kinds registered by
 * stored CustomResourceDefinitions.
 */
export class ResourceRegistry {
  private readonly types: ResourceType[];
  /** Counts the changes to the set of types (a CRD registered or removed): what is built from it is rebuilt when it moves. */
  generation = 0;

  constructor(extra: ResourceType[] = []) {
    this.types = [...BUILTIN_RESOURCES, ...extra];
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** Adds (or replaces) a custom resource type. */
  register(t: ResourceType): void {
    const i = this.types.findIndex((x) => x.group === t.group && x.plural === t.plural);
    if (i >= 0) this.types[i] = t;
    else this.types.push(t);
    this.generation++;
  }

  unregister(group: string, plural: string): void {
    const i = this.types.findIndex((x) => x.group === group && x.plural === plural && x.crd);
    if (i >= 0) this.types.splice(i, 1);
    if (i >= 0) this.generation++;
  }

  /** The type for an object's apiVersion + kind (what `apply -f` needs). */
  forKind(apiVersion: string, kind: string): ResourceType {
    const t = this.lookupKind(apiVersion, kind);
    if (!t) throw new NoKindMatchError(kind, apiVersion);
    return t;
  }

  /** forKind's answer remembered while the set of types is unchanged (null: no such kind). */
  private readonly byKind = new Map<string, ResourceType | null>();
  private byKindGeneration = 0;

  /**
   * forKind without its error: undefined when no type serves the kind. Remembered per
   * apiVersion and kind (each write, each admission check and each validated document asks,
   * and a lookup scans every type); forgotten when a CRD is registered or removed, and past
   * 10,000 entries (kinds named by requests are not bounded).
   */
  lookupKind(apiVersion: string, kind: string): ResourceType | undefined {
    if (this.byKindGeneration !== this.generation || this.byKind.size >= 10_000) {
      this.byKind.clear();
      this.byKindGeneration = this.generation;
    }
    const key = `${apiVersion}\0${kind}`;
    let t = this.byKind.get(key);
    if (t === undefined) {
      const { group, version } = splitApiVersion(apiVersion);
      const found = this.types.find((x) => x.kind === kind && x.group === group && x.versions.includes(version));
      // events.k8s.io Events and core Events are the same objects; store both as core events.
      t = found ? atVersion(found, version) : null;
      this.byKind.set(key, t);
    }
    return t ?? undefined;
  }

  /**
   * Resolves what a user typed: `pods`, `pod`, `po`, `Pod`, `deployments.apps`,
   * `deploy.v1.apps`, `pods.v1.`; names in any case, short names as typed (kubectl's mapper).
   */
  resolve(input: string): ResourceType {
    return resolveAmong(this.types, input);
  }

  /** Expands a category (`all`) into its types, in discovery order. */
  category(name: string): ResourceType[] {
    return this.types.filter((t) => t.categories.includes(name.toLowerCase()));
  }
}

/** ResourceRegistry.resolve over `types` (explain's also knows the review resources). */
export function resolveAmong(types: readonly ResourceType[], input: string): ResourceType {
  const candidates = matchesAmong(types, input);
  // kubectl names the resource part as typed (`nosuch.apps`: "nosuch")
  if (candidates.length === 0) throw new UnknownResourceError(input.split('.')[0]);
  return candidates[0];
}

/** The types `input` names, the preferred first. */
export function matchesAmong(types: readonly ResourceType[], input: string): ResourceType[] {
  const name = input.toLowerCase();
  // The mapper lowercases a resource, while the shortcut expander compares short names as typed (`PO` is no resource).
  const matches = (t: ResourceType, typed: string) => {
    const n = typed.toLowerCase();
    return t.plural === n || t.singular === n || t.shortNames.includes(typed) || t.kind.toLowerCase() === n;
  };
  // Fully qualified (ParseResourceArg): resource.version.group (three parts or more: `pods.v1.`) or resource.group
  const parts = name.split('.');
  const typedResource = input.split('.')[0];
  const candidates: ResourceType[] = [];
  for (const t of types) {
    if (parts.length === 1) {
      if (matches(t, input)) candidates.push(t);
      continue;
    }
    const rest = parts.slice(1);
    if (!matches(t, typedResource)) continue;
    const restJoined = rest.join('.');
    if (restJoined === t.group) candidates.push(t);
    else if (parts.length >= 3 && t.versions.includes(rest[0]) && rest.slice(1).join('.') === t.group) candidates.push(t);
  }
  // Prefer core and well-known groups over others (kubectl prefers the "preferred" group:
  // `events` means core events, not events.k8s.io).
  return candidates.sort((a, b) => groupPriority(a.group) - groupPriority(b.group));
}

/**
 * What kubectl's shortcut expander (client-go restmapper/shortcut.go) warns of when `input` is
 * a short name more than one resource has: `short name "ev" could also match lower priority
 * resource events.events.k8s.io`, one per other group-resource, `types` in discovery order.
 * As there, case matters, and a name or singular name of any resource is not expanded.
 * ParseResourceArg's resource.version.group is tried before resource.group; a group of ''
 * (`ev`, `ev.v1.`) filters nothing. With `group`, `input` is the resource alone (a GVR's).
 */
export function shortNameWarnings(types: readonly ResourceType[], input: string, group?: string): string[] {
  const parts = group === undefined ? input.split('.') : [input];
  const tries = group !== undefined ? [group] : parts.length >= 3 ? [parts.slice(2).join('.'), parts.slice(1).join('.')] : [parts.slice(1).join('.')];
  const res = parts[0];
  for (const group of tries) {
    const inGroup = types.filter((t) => !group || t.group === group);
    if (inGroup.some((t) => t.plural === res || t.singular === res)) return [];
    const [first, ...rest] = inGroup.filter((t) => t.shortNames.includes(res));
    if (!first) continue;
    const others = rest.filter((t) => t.group !== first.group || t.plural !== first.plural).map((t) => (t.group ? `${t.plural}.${t.group}` : t.plural));
    return [...new Set(others)].map((gr) => `short name ${JSON.stringify(res)} could also match lower priority resource ${gr}`);
  }
  return [];
}

/** Whether `input`'s resource (`po` of `po`, `po.v1`) is a short name of one of `types`: what shortNameWarnings may warn of. */
export function isShortName(types: readonly ResourceType[], input: string): boolean {
  const res = input.split('.')[0];
  return types.some((t) => t.shortNames.includes(res));
}

function groupPriority(group: string): number {
  if (group === '') return 0;
  if (group.endsWith('.k8s.io') || !group.includes('.')) return group === 'events.k8s.io' ? 2 : 1;
  return 3;
}
