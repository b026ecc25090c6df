// kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy,
// v1.32 with default feature gates), as data: the user-facing roles cluster-admin, admin,
// edit and view (the last three aggregated from the labelled system:aggregate-to-* roles),
// what every user may discover, and their bindings. kind's kubeadm adds the
// kubeadm:cluster-admins binding its admin user relies on. `cluster create` stores them
// (labelled kubernetes.io/bootstrapping=rbac-defaults, annotated autoupdate) as
// kube-apiserver does at start; the ClusterRole aggregation controller keeps the aggregated
// rules current.

import type { KObject } from '../api/types';
import type { PolicyRule } from './authorizer';
import { aggregateAll } from './aggregation';

const RBAC = 'rbac.authorization.k8s.io/v1';
const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-';
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
const DEFAULT_META = { labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

// Fields in the API's order (verbs first), as kube-apiserver serves them.
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

interface RoleData {
  name: string;
  rules?: PolicyRule[];
  /** aggregate-to-<x> labels this role carries. */
  aggregateTo?: string[];
  /** The aggregate-to-<x> label whose roles this role aggregates. */
  aggregates?: string;
}

const ROLES: RoleData[] = [
  { name: 'admin', aggregates: 'admin' },
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  { name: 'edit', aggregates: 'edit', aggregateTo: ['admin'] },
  {
    name: 'system:aggregate-to-admin',
    aggregateTo: ['admin'],
    rules: [rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles'])],
  },
  {
    name: 'system:aggregate-to-edit',
    aggregateTo: ['edit'],
    rules: [
      rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [''], ['pods/eviction']),
      rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
      rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      rule(WRITE, ['policy'], ['poddisruptionbudgets']),
      rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    aggregateTo: ['view'],
    rules: [
      rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      rule(READ, [''], ['namespaces']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
      rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ],
  },
  {
    name: 'system:auth-delegator',
    rules: [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])],
  },
  {
    name: 'system:basic-user',
    rules: [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])],
  },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-approver', rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])] },
  { name: 'system:certificates.k8s.io:kubelet-serving-approver', rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving'])] },
  { name: 'system:certificates.k8s.io:legacy-unknown-approver', rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown'])] },
  { name: 'system:discovery', rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])] },
  { name: 'system:monitoring', rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])] },
  { name: 'system:public-info-viewer', rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  {
    name: 'system:service-account-issuer-discovery',
    rules: [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])],
  },
  { name: 'view', aggregates: 'view', aggregateTo: ['edit'] },
];

/** [binding = role name, subject groups]; kubeadm's binding carries no bootstrap metadata. */
const BINDINGS: Array<[name: string, groups: string[], role?: string, kubeadm?: boolean]> = [
  ['cluster-admin', ['system:masters']],
  ['kubeadm:cluster-admins', ['kubeadm:cluster-admins'], 'cluster-admin', true],
  ['system:basic-user', ['system:authenticated']],
  ['system:discovery', ['system:authenticated']],
  ['system:monitoring', ['system:monitoring']],
  ['system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']],
  ['system:service-account-issuer-discovery', ['system:serviceaccounts']],
];

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function roleObject(r: RoleData): KObject {
  const meta = copy(DEFAULT_META) as { labels: Record<string, string>; annotations: Record<string, string> };
  for (const to of r.aggregateTo ?? []) meta.labels[AGGREGATE + to] = 'true';
  const role: KObject = { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: r.name, ...meta } } as KObject;
  if (r.aggregates) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE + r.aggregates]: 'true' } }] };
  role.rules = copy(r.rules ?? null);
  return role;
}

function bindingObject([name, groups, role, kubeadm]: (typeof BINDINGS)[number]): KObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name, ...(kubeadm ? {} : copy(DEFAULT_META)) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role ?? name },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  } as KObject;
}

/** The bootstrap ClusterRoles, aggregated ones with the rules the aggregation controller gives them. */
export function bootstrapClusterRoles(): KObject[] {
  return aggregateAll(ROLES.map(roleObject));
}

export function bootstrapClusterRoleBindings(): KObject[] {
  return BINDINGS.map(bindingObject);
}

/** Whether stored ClusterRoles already hold the bootstrap policy (a cluster made before it was stored has none). */
export function hasStoredBootstrap(clusterRoles: KObject[]): boolean {
  return clusterRoles.some((r) => r.metadata.labels?.[BOOTSTRAP_LABEL] === 'rbac-defaults');
}
