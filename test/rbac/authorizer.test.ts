import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, decide, impersonatedUser, withBootstrap, rulesTableRows, DEFAULT_ADMIN, type RbacObjects } from '../../src/rbac';
import { tabwrite, GET_TABLE } from '../../src/printers/tabwriter';

const objs = (o: Partial<RbacObjects>): RbacObjects => withBootstrap({ roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [], ...o });
const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });

const world = objs({
  roles: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('reader', 'dev'), rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }] } as any],
  clusterRoles: [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('cm-one'), rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['one'], verbs: ['*'] }] } as any,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('node-viewer'), rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }, { nonResourceURLs: ['/logs/*'], verbs: ['get'] }] } as any,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta('scaler'), rules: [{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] }] } as any,
  ],
  roleBindings: [
    { kind: 'RoleBinding', metadata: meta('rb', 'dev'), roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'bot' }] } as any,
    { kind: 'RoleBinding', metadata: meta('rb2', 'dev'), roleRef: { kind: 'ClusterRole', name: 'cm-one' }, subjects: [{ kind: 'Group', name: 'devs' }] } as any,
  ],
  clusterRoleBindings: [
    { kind: 'ClusterRoleBinding', metadata: meta('crb'), roleRef: { kind: 'ClusterRole', name: 'node-viewer' }, subjects: [{ kind: 'User', name: 'ops' }] } as any,
    { kind: 'ClusterRoleBinding', metadata: meta('crb2'), roleRef: { kind: 'ClusterRole', name: 'scaler' }, subjects: [{ kind: 'ServiceAccount', name: 'hpa', namespace: 'kube-system' }] } as any,
  ],
});

const res = (verb: string, resource: string, namespace = 'dev', extra: object = {}) => ({ verb, group: '', resource, namespace, ...extra });

test('a RoleBinding grants its Role in its own namespace only', () => {
  const alice = impersonatedUser('alice');
  assert.equal(authorize(world, alice, res('get', 'pods')), true);
  assert.equal(authorize(world, alice, res('list', 'pods')), true);
  assert.equal(authorize(world, alice, res('delete', 'pods')), false);
  assert.equal(authorize(world, alice, res('get', 'pods', 'prod')), false);
  assert.equal(authorize(world, alice, res('get', 'pods', '')), false, 'all namespaces needs a cluster binding');
});

test('subresources match exactly or through */sub', () => {
  const alice = impersonatedUser('alice');
  assert.equal(authorize(world, alice, res('get', 'pods', 'dev', { subresource: 'log' })), true);
  assert.equal(authorize(world, alice, res('get', 'pods', 'dev', { subresource: 'exec' })), false);
  const hpa = impersonatedUser('system:serviceaccount:kube-system:hpa');
  assert.equal(authorize(world, hpa, { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' }), true);
  assert.equal(authorize(world, hpa, { verb: 'update', group: 'apps', resource: 'deployments', namespace: 'x' }), false);
});

test('resourceNames restrict to the named objects, groups and service accounts are subjects', () => {
  const dev = impersonatedUser('carol', ['devs']);
  assert.equal(authorize(world, dev, res('delete', 'configmaps', 'dev', { name: 'one' })), true);
  assert.equal(authorize(world, dev, res('delete', 'configmaps', 'dev', { name: 'two' })), false);
  assert.equal(authorize(world, dev, res('list', 'configmaps')), false);
  assert.equal(authorize(world, impersonatedUser('system:serviceaccount:dev:bot'), res('get', 'pods')), true);
  assert.equal(authorize(world, impersonatedUser('system:serviceaccount:prod:bot'), res('get', 'pods')), false);
});

test('non-resource URLs with a trailing * match by prefix; bootstrap discovery is open to everyone', () => {
  const ops = impersonatedUser('ops');
  assert.equal(authorize(world, ops, { verb: 'get', path: '/logs/kubelet.log' }), true);
  assert.equal(authorize(world, ops, { verb: 'post', path: '/logs/x' }), false);
  assert.equal(authorize(world, impersonatedUser('nobody'), { verb: 'get', path: '/healthz' }), true);
  assert.equal(authorize(world, impersonatedUser('nobody'), { verb: 'get', path: '/metrics' }), false);
});

test('the default user is a cluster admin; a system:masters member is allowed everything', () => {
  assert.equal(authorize(world, DEFAULT_ADMIN, res('delete', 'secrets', 'kube-system')), true);
  assert.equal(authorize(world, DEFAULT_ADMIN, { verb: 'get', path: '/anything' }), true);
  assert.equal(authorize(objs({}), impersonatedUser('x', ['system:masters']), res('escalate', 'roles')), true);
});

test('--list table: broken down to one verb each, compacted in order of appearance, sorted on the protobuf string (verbs first) like kubectl', () => {
  const rows = rulesTableRows([
    { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['list', 'get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['watch'] },
    { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['get'] },
    { nonResourceURLs: ['/api', '/api/*'], verbs: ['get'] },
  ]);
  assert.equal(
    tabwrite(rows.map((r) => r + '\n').join(''), GET_TABLE),
    [
      'Resources          Non-Resource URLs   Resource Names   Verbs',
      '                   [/api/*]            []               [get]',
      '                   [/api]              []               [get]',
      'deployments.apps   []                  [web]            [get]',
      'pods               []                  []               [list get watch]',
      'pods/log           []                  []               [list get]',
      '',
    ].join('\n'),
  );
});

test('decide: the reason kube\'s RBAC authorizer gives (the binding that allowed, a service account as name/namespace; missing roles when nothing did)', () => {
  assert.deepEqual(decide(world, impersonatedUser('system:serviceaccount:dev:bot'), res('get', 'pods')), { allowed: true, reason: 'RBAC: allowed by RoleBinding "rb/dev" of Role "reader" to ServiceAccount "bot/dev"' });
  assert.deepEqual(decide(world, impersonatedUser('system:serviceaccount:kube-system:hpa'), { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' }), { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "crb2" of ClusterRole "scaler" to ServiceAccount "hpa/kube-system"' });
  assert.deepEqual(decide(world, impersonatedUser('ops'), { verb: 'get', path: '/logs/x' }), { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "crb" of ClusterRole "node-viewer" to User "ops"' });
  assert.deepEqual(decide(world, impersonatedUser('alice'), res('delete', 'pods')), { allowed: false, reason: '' });
  const broken = objs({
    roleBindings: [{ kind: 'RoleBinding', metadata: meta('a', 'dev'), roleRef: { kind: 'Role', name: 'gone' }, subjects: [{ kind: 'User', name: 'eve' }] } as any],
    clusterRoleBindings: [{ kind: 'ClusterRoleBinding', metadata: meta('b'), roleRef: { kind: 'ClusterRole', name: 'missing' }, subjects: [{ kind: 'User', name: 'eve' }] } as any],
  });
  assert.deepEqual(decide(broken, impersonatedUser('eve'), res('get', 'pods')), { allowed: false, reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "missing" not found, role.rbac.authorization.k8s.io "gone" not found]' });
  assert.deepEqual(decide(broken, impersonatedUser('eve', ['system:masters']), res('get', 'pods')), { allowed: true, reason: '' });
});
