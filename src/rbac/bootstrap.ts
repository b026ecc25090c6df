// The slice of kube-apiserver's bootstrap RBAC policy that `auth can-i` answers depend on
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): cluster-admin bound to the admin
// groups (kind's admin user is in kubeadm:cluster-admins), and what every authenticated
// user may do. Stored objects with the same name take precedence.

import type { KObject } from '../api/types';

const RBAC = 'rbac.authorization.k8s.io/v1';

const role = (name: string, rules: object[]): KObject => ({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules } as KObject);
const binding = (name: string, roleName: string, groups: string[]): KObject =>
  ({
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  }) as KObject;

export const BOOTSTRAP_CLUSTER_ROLES: KObject[] = [
  role('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  role('system:basic-user', [
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  ]),
  role('system:discovery', [
    { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] },
  ]),
  role('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
  role('system:service-account-issuer-discovery', [
    { nonResourceURLs: ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'], verbs: ['get'] },
  ]),
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: KObject[] = [
  binding('cluster-admin', 'cluster-admin', ['system:masters']),
  binding('kubeadm:cluster-admins', 'cluster-admin', ['kubeadm:cluster-admins']),
  binding('system:basic-user', 'system:basic-user', ['system:authenticated']),
  binding('system:discovery', 'system:discovery', ['system:authenticated']),
  binding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  binding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', ['system:serviceaccounts']),
];
