// The real kubectl 1.32 against `kubesim serve` on what a fresh cluster's API server holds:
// kube-apiserver's bootstrap RBAC policy (stored ClusterRoles and bindings, admin/edit/view
// aggregated), the ClusterRole aggregation controller, and a Service update asking for a
// node port another Service holds.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('rbacboot');

before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

const k = (args: string[]) => c.kubectl(args);
const canI = (args: string[]) => k(['auth', 'can-i', ...args]).stdout.trim();
const rulesOf = (role: string) => JSON.parse(k(['get', 'clusterrole', role, '-o', 'json']).stdout).rules;

test('a new cluster stores the bootstrap ClusterRoles and bindings kube-apiserver creates', () => {
  const roles = k(['get', 'clusterroles', '-o', 'name']).stdout.split('\n');
  for (const r of ['admin', 'cluster-admin', 'edit', 'view', 'system:aggregate-to-admin', 'system:aggregate-to-edit', 'system:aggregate-to-view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer']) {
    assert.ok(roles.includes(`clusterrole.rbac.authorization.k8s.io/${r}`), `clusterrole ${r}`);
  }
  const view = JSON.parse(k(['get', 'clusterrole', 'view', '-o', 'json']).stdout);
  assert.deepEqual(view.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
  assert.deepEqual(view.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' });
  assert.equal(view.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  // Aggregated in name order: edit = system:aggregate-to-edit + view; admin = edit + system:aggregate-to-admin.
  assert.deepEqual(view.rules, rulesOf('system:aggregate-to-view'));
  assert.deepEqual(rulesOf('edit'), [...rulesOf('system:aggregate-to-edit'), ...rulesOf('view')]);
  assert.deepEqual(rulesOf('admin'), [...rulesOf('edit'), ...rulesOf('system:aggregate-to-admin')]);

  const bindings = k(['get', 'clusterrolebindings', '-o', 'wide']);
  assert.equal(bindings.code, 0, bindings.stderr);
  assert.match(bindings.stdout, /^cluster-admin +ClusterRole\/cluster-admin +\S+ +system:masters/m);
  assert.match(bindings.stdout, /^system:discovery +ClusterRole\/system:discovery +\S+ +system:authenticated\s*$/m);
  assert.match(bindings.stdout, /^system:public-info-viewer +ClusterRole\/system:public-info-viewer +\S+ +system:authenticated, system:unauthenticated\s*$/m);
  // kubesim's own get prints the same table, ages and the padding after them aside: the two
  // run a moment apart, kubectl reads ages by this machine's clock and kubesim by the
  // cluster's, which a reconcile (in another test) may have moved ahead.
  const ageless = (s: string) => s.replace(/(?<= )(\d+[dhms])+(?= )/g, 'AGE').replace(/ +/g, ' ');
  assert.equal(ageless(c.kubesim(['get', 'clusterrolebindings', '-o', 'wide']).stdout), ageless(bindings.stdout));
});

test('auth can-i for a user with no bindings: only discovery and self-reviews', () => {
  assert.equal(canI(['list', 'pods', '--as', 'nobody']), 'no');
  // The review resources are in discovery, so kubectl resolves their group as on a real cluster.
  assert.equal(canI(['create', 'selfsubjectaccessreviews', '--as', 'nobody']), 'yes');
  assert.equal(canI(['create', 'subjectaccessreviews', '--as', 'nobody']), 'no');
  assert.equal(canI(['get', '/apis', '--as', 'nobody']), 'yes');
  assert.equal(canI(['get', '/metrics', '--as', 'nobody']), 'no');
  const list = k(['auth', 'can-i', '--list', '--as', 'nobody']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io +\[\] +\[\] +\[create\]$/m);
  assert.match(list.stdout, /^ +\[\/apis\/\*\] +\[\] +\[get\]$/m);
});

test('auth can-i: a denial with the authorizer\'s reason (a binding to a role that is not there) prints it after "no - ", through kubectl\'s review and in-process alike', async () => {
  assert.equal(k(['create', 'rolebinding', 'dangling', '--role=gone', '--user=dana', '-n', 'default']).code, 0);
  try {
    const [kubectl, local] = await c.bothClients(['auth', 'can-i', 'get', 'pods', '--as', 'dana', '-n', 'default']);
    assert.deepEqual(kubectl, { code: 1, stdout: 'no - RBAC: role.rbac.authorization.k8s.io "gone" not found\n', stderr: '' });
    assert.deepEqual(local, kubectl);
    // Another namespace: the binding does not apply, no reason.
    assert.equal(canI(['get', 'pods', '--as', 'dana', '-n', 'kube-system']), 'no');
  } finally {
    k(['delete', 'rolebinding', 'dangling', '-n', 'default']);
  }
});

test('a RoleBinding to view, edit or admin grants what those roles grant, in its namespace', () => {
  c.ok(['create', 'namespace', 'team']);
  assert.equal(k(['create', 'rolebinding', 'v', '--clusterrole=view', '--user=vic', '-n', 'team']).code, 0);
  assert.equal(k(['create', 'rolebinding', 'e', '--clusterrole=edit', '--user=eve', '-n', 'team']).code, 0);
  assert.equal(k(['create', 'rolebinding', 'a', '--clusterrole=admin', '--user=ada', '-n', 'team']).code, 0);

  const asVic = k(['get', 'pods,deployments,configmaps', '-n', 'team', '--as', 'vic', '-o', 'name']);
  assert.deepEqual([asVic.code, asVic.stdout, asVic.stderr], [0, 'configmap/kube-root-ca.crt\n', '']);
  const secrets = k(['get', 'secrets', '-n', 'team', '--as', 'vic']);
  assert.equal(secrets.code, 1);
  assert.equal(secrets.stderr, 'Error from server (Forbidden): secrets is forbidden: User "vic" cannot list resource "secrets" in API group "" in the namespace "team"\n');
  assert.equal(canI(['create', 'deployments', '-n', 'team', '--as', 'vic']), 'no');
  assert.equal(canI(['list', 'pods', '-n', 'default', '--as', 'vic']), 'no');

  assert.equal(canI(['create', 'deployments.apps', '-n', 'team', '--as', 'eve']), 'yes');
  assert.equal(canI(['create', 'pods/exec', '-n', 'team', '--as', 'eve']), 'yes');
  assert.equal(canI(['list', 'secrets', '-n', 'team', '--as', 'eve']), 'yes');
  assert.equal(canI(['create', 'roles', '-n', 'team', '--as', 'eve']), 'no');
  const created = k(['create', 'configmap', 'by-eve', '--from-literal=a=b', '-n', 'team', '--as', 'eve']);
  assert.deepEqual([created.code, created.stdout], [0, 'configmap/by-eve created\n']);

  assert.equal(canI(['create', 'rolebindings', '-n', 'team', '--as', 'ada']), 'yes');
  assert.equal(canI(['create', 'rolebindings', '-n', 'default', '--as', 'ada']), 'no');
  assert.equal(canI(['delete', 'namespaces', '--as', 'ada']), 'no');
});

test('the aggregation controller adds a labelled ClusterRole to view, edit and admin, and takes it away again', () => {
  const roleReader = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: role-reader
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [get, list, watch]}]
`;
  // Its own namespace and bindings to view, edit and admin (this test runs alone or in any order).
  c.ok(['create', 'namespace', 'agg']);
  for (const [user, role] of [['vic', 'view'], ['eve', 'edit'], ['ada', 'admin']]) assert.equal(k(['create', 'rolebinding', user, `--clusterrole=${role}`, `--user=${user}`, '-n', 'agg']).code, 0);
  assert.equal(canI(['list', 'roles', '-n', 'agg', '--as', 'vic']), 'no');
  assert.equal(k(['apply', '-f', c.file('role-reader.yaml', roleReader)]).code, 0);
  c.ok(['reconcile', '--until-stable']);
  for (const user of ['vic', 'eve', 'ada']) assert.equal(canI(['list', 'roles', '-n', 'agg', '--as', user]), 'yes', user);
  assert.deepEqual(rulesOf('view')[0], { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get', 'list', 'watch'] });
  const listed = k(['get', 'roles', '-n', 'agg', '--as', 'vic']);
  assert.deepEqual([listed.code, listed.stderr], [0, 'No resources found in agg namespace.\n']);

  assert.equal(k(['label', 'clusterrole', 'role-reader', 'rbac.authorization.k8s.io/aggregate-to-view-']).code, 0);
  c.ok(['reconcile', '--until-stable']);
  assert.equal(canI(['list', 'roles', '-n', 'agg', '--as', 'vic']), 'no');
  assert.deepEqual(rulesOf('view'), rulesOf('system:aggregate-to-view'));
  // edit had roles only through view; admin keeps them from system:aggregate-to-admin.
  assert.equal(canI(['list', 'roles', '-n', 'agg', '--as', 'eve']), 'no');
  assert.equal(canI(['list', 'roles', '-n', 'agg', '--as', 'ada']), 'yes');
});

test('updating a Service to a node port another Service holds is refused as kube-apiserver refuses it', () => {
  const svc = (name: string, port: number) => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec: {type: NodePort, selector: {app: ${name}}, ports: [{name: http, port: 80, nodePort: ${port}}]}
`;
  assert.equal(k(['apply', '-f', c.file('svcs.yaml', `${svc('one', 30010)}---\n${svc('two', 30011)}`)]).code, 0);
  const taken = k(['patch', 'service', 'two', '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/nodePort","value":30010}]']);
  assert.equal(taken.code, 1);
  assert.equal(taken.stderr, 'The Service "two" is invalid: spec.ports[0].nodePort: Invalid value: 30010: provided port is already allocated\n');
  assert.equal(k(['get', 'service', 'two', '-o', 'jsonpath={.spec.ports[0].nodePort}']).stdout, '30011');
  // A port the Service itself held stays its own, and a new port gets a free one.
  const more = k(['patch', 'service', 'two', '--type=json', '-p', '[{"op":"add","path":"/spec/ports/-","value":{"name":"https","port":443}}]']);
  assert.equal(more.code, 0, more.stderr);
  const ports = k(['get', 'service', 'two', '-o', 'jsonpath={.spec.ports[*].nodePort}']).stdout.split(' ').map(Number);
  assert.equal(ports[0], 30011);
  assert.ok(ports[1] >= 30000 && ports[1] <= 32767 && ports[1] !== 30010 && ports[1] !== 30011, String(ports));
  const swap = k(['patch', 'service', 'one', '--type=json', '-p', `[{"op":"replace","path":"/spec/ports/0/nodePort","value":${ports[1]}}]`]);
  assert.equal(swap.code, 1);
  assert.match(swap.stderr, new RegExp(`spec.ports\\[0\\].nodePort: Invalid value: ${ports[1]}: provided port is already allocated`));
});
