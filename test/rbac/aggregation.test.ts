// ClusterRole aggregation and the bootstrap policy as data (pure, no cluster).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateAll, aggregatedRules } from '../../src/rbac/aggregation';
import { bootstrapClusterRoles } from '../../src/rbac/bootstrap';
import { authorize, impersonatedUser, withBootstrap } from '../../src/rbac';
import type { KObject } from '../../src/api/types';

const role = (name: string, labels: Record<string, string>, rules: object[] | null, selector?: Record<string, string>): KObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules, ...(selector ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: selector }] } } : {}) }) as KObject;
const r = (resource: string, verbs = ['get']) => ({ verbs, apiGroups: [''], resources: [resource] });

test('an aggregated role takes the matching roles\' rules in name order, each distinct rule once, nested ones too', () => {
  const roles = [
    role('top', {}, null, { 'to-top': 'true' }),
    role('mid', { 'to-top': 'true' }, null, { 'to-mid': 'true' }),
    role('b-leaf', { 'to-mid': 'true' }, [r('pods'), r('secrets')]),
    role('a-leaf', { 'to-mid': 'true' }, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, r('configmaps')]),
    role('z-direct', { 'to-top': 'true' }, [r('nodes')]),
  ];
  const out = Object.fromEntries(aggregateAll(roles).map((x) => [x.metadata.name, x.rules]));
  // a-leaf's secrets rule equals b-leaf's whatever its field order: kept once, where first seen.
  assert.deepEqual(out.mid, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, r('configmaps'), r('pods')]);
  assert.deepEqual(out.top, [...out.mid, r('nodes')]);
  assert.equal(aggregatedRules(roles[3], roles), undefined, 'a role without an aggregationRule aggregates nothing');
});

test('the bootstrap view, edit and admin roles are aggregated from the system:aggregate-to-* roles', () => {
  const roles = Object.fromEntries(bootstrapClusterRoles().map((x) => [x.metadata.name, x]));
  assert.deepEqual(roles.view.rules, roles['system:aggregate-to-view'].rules);
  assert.deepEqual(roles.edit.rules, [...roles['system:aggregate-to-edit'].rules, ...roles.view.rules]);
  assert.deepEqual(roles.admin.rules, [...roles.edit.rules, ...roles['system:aggregate-to-admin'].rules]);
});

test('a cluster that stores the bootstrap policy is authorized from what it stores: a deleted role stays deleted', () => {
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'dev' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'u' }] } as KObject;
  const empty = { roles: [], roleBindings: [binding], clusterRoleBindings: [] };
  const u = impersonatedUser('u');
  const listPods = { verb: 'list', group: '', resource: 'pods', namespace: 'dev' };
  // An older cluster without stored policy: the built-in one, aggregated.
  assert.equal(authorize(withBootstrap({ ...empty, clusterRoles: [] }), u, listPods), true);
  const stored = bootstrapClusterRoles().filter((x) => x.metadata.name !== 'view');
  assert.equal(authorize(withBootstrap({ ...empty, clusterRoles: stored }), u, listPods), false);
});
