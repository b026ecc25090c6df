// RBAC evaluation as kube-apiserver's RBAC authorizer does it (pure): which rules apply to a
// user in a namespace (ClusterRoleBindings everywhere, RoleBindings in their namespace), and
// whether one of them allows a request. The same rule walk backs `auth can-i --list`.

import type { KObject } from '../api/types';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, hasStoredBootstrap } from './bootstrap';
import { aggregateAll } from './aggregation';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface RbacObjects {
  roles: KObject[];
  clusterRoles: KObject[];
  roleBindings: KObject[];
  clusterRoleBindings: KObject[];
}

export interface ResourceRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  /** '' for cluster-wide (or all-namespaces) requests. */
  namespace: string;
}

export interface NonResourceRequest {
  verb: string;
  path: string;
}

/** kind's kubeconfig user: a cluster admin through the kubeadm:cluster-admins group. */
export const DEFAULT_ADMIN: UserInfo = { name: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };

/**
 * The identity an impersonating request (`--as`, `--as-group`) gets: the API server adds
 * system:authenticated, and the service-account groups for a service-account user.
 */
export function impersonatedUser(name: string, groups: string[] = []): UserInfo {
  const out = [...groups];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  if (sa && groups.length === 0) out.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (name !== 'system:anonymous' && !out.includes('system:authenticated')) out.push('system:authenticated');
  return { name, groups: out };
}

/**
 * The stored objects; for a cluster made before the bootstrap policy was stored (none of its
 * ClusterRoles is labelled rbac-defaults), plus that policy, aggregated (stored ones win on
 * name clashes).
 */
export function withBootstrap(objs: RbacObjects): RbacObjects {
  if (hasStoredBootstrap(objs.clusterRoles)) return objs;
  const merge = (stored: KObject[], builtin: KObject[]) => [...stored, ...builtin.filter((b) => !stored.some((s) => s.metadata.name === b.metadata.name))];
  return { ...objs, clusterRoles: aggregateAll(merge(objs.clusterRoles, bootstrapClusterRoles())), clusterRoleBindings: merge(objs.clusterRoleBindings, bootstrapClusterRoleBindings()) };
}

function subjectMatches(subject: any, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject?.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return user.name === `system:serviceaccount:${ns}:${subject.name}`;
    }
    default:
      return false;
  }
}

function rulesOfRef(objs: RbacObjects, ref: any, namespace: string): PolicyRule[] {
  if (ref?.kind === 'ClusterRole') return objs.clusterRoles.find((r) => r.metadata.name === ref.name)?.rules ?? [];
  if (ref?.kind === 'Role') return objs.roles.find((r) => r.metadata.name === ref.name && r.metadata.namespace === namespace)?.rules ?? [];
  return [];
}

/** The rules that apply to a user in a namespace ('' = cluster bindings only), bindings in store order. */
export function rulesFor(objs: RbacObjects, user: UserInfo, namespace: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const b of objs.clusterRoleBindings) {
    if ((b.subjects ?? []).some((s: any) => subjectMatches(s, user, ''))) rules.push(...rulesOfRef(objs, b.roleRef, ''));
  }
  if (namespace) {
    for (const b of objs.roleBindings) {
      if (b.metadata.namespace !== namespace) continue;
      if ((b.subjects ?? []).some((s: any) => subjectMatches(s, user, namespace))) rules.push(...rulesOfRef(objs, b.roleRef, namespace));
    }
  }
  return rules;
}

const has = (list: string[] | undefined, v: string) => (list ?? []).includes(v);

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, '*') || has(rule.verbs, verb);
}

export function resourceMatches(rule: PolicyRule, resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function ruleAllows(rule: PolicyRule, req: ResourceRequest): boolean {
  if (!verbMatches(rule, req.verb)) return false;
  if (!(has(rule.apiGroups, '*') || has(rule.apiGroups, req.group))) return false;
  if (!resourceMatches(rule, req.resource, req.subresource)) return false;
  if ((rule.resourceNames ?? []).length === 0) return true;
  return Boolean(req.name) && has(rule.resourceNames, req.name!);
}

export function nonResourceRuleAllows(rule: PolicyRule, req: NonResourceRequest): boolean {
  if (!verbMatches(rule, req.verb)) return false;
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === req.path || (u.endsWith('*') && req.path.startsWith(u.slice(0, -1))));
}

export function authorize(objs: RbacObjects, user: UserInfo, req: ResourceRequest | NonResourceRequest): boolean {
  // system:masters is allowed everything by a separate authorizer, before RBAC.
  if (user.groups.includes('system:masters')) return true;
  if ('path' in req) return rulesFor(objs, user, '').some((r) => nonResourceRuleAllows(r, req));
  return rulesFor(objs, user, req.namespace).some((r) => ruleAllows(r, req));
}
