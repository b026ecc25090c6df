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

/** A binding's role's rules, or kube's error for a role that is not there (rbac/validation GetRoleReferenceRules). */
function rulesOfRef(objs: RbacObjects, ref: any, namespace: string): PolicyRule[] | Error {
  if (ref?.kind === 'ClusterRole') return objs.clusterRoles.find((r) => r.metadata.name === ref.name)?.rules ?? new Error(`clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`);
  if (ref?.kind === 'Role') return objs.roles.find((r) => r.metadata.name === ref.name && r.metadata.namespace === namespace)?.rules ?? new Error(`role.rbac.authorization.k8s.io "${ref.name}" not found`);
  return new Error(`unsupported role reference kind: "${ref?.kind ?? ''}"`);
}

/** describeSubject: a service account as name/namespace. */
function describeSubject(s: any, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

/**
 * DefaultRuleResolver.VisitRulesFor: each rule that applies to the user in the namespace
 * (ClusterRoleBindings first, then the namespace's RoleBindings, in store order) with the
 * binding that grants it as kube's describers word it, or the error of a missing role;
 * `visit` returning false stops the walk.
 */
function visitRules(objs: RbacObjects, user: UserInfo, namespace: string, visit: (source: string, rule: PolicyRule | undefined, err?: Error) => boolean): void {
  const walk = (b: KObject, bindingNs: string, describe: (subject: any) => string): boolean => {
    const subject = (b.subjects ?? []).find((s: any) => subjectMatches(s, user, bindingNs));
    if (!subject) return true;
    const rules = rulesOfRef(objs, b.roleRef, bindingNs);
    if (rules instanceof Error) return visit('', undefined, rules);
    const source = describe(subject);
    return rules.every((r) => visit(source, r));
  };
  for (const b of objs.clusterRoleBindings) {
    if (!walk(b, '', (s) => `ClusterRoleBinding "${b.metadata.name}" of ${b.roleRef?.kind} "${b.roleRef?.name}" to ${describeSubject(s, '')}`)) return;
  }
  if (!namespace) return;
  for (const b of objs.roleBindings) {
    if (b.metadata.namespace !== namespace) continue;
    if (!walk(b, namespace, (s) => `RoleBinding "${b.metadata.name}/${namespace}" of ${b.roleRef?.kind} "${b.roleRef?.name}" to ${describeSubject(s, namespace)}`)) return;
  }
}

/** The rules that apply to a user in a namespace ('' = cluster bindings only), bindings in store order. */
export function rulesFor(objs: RbacObjects, user: UserInfo, namespace: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  visitRules(objs, user, namespace, (_, rule) => (rule && rules.push(rule), true));
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

/** An authorizer's answer: allowed or not, and kube-apiserver's reason. */
export interface Decision {
  allowed: boolean;
  reason: string;
}

/**
 * kube-apiserver's authorizer chain for a request: system:masters is allowed by the
 * privileged-group authorizer (reason ''), else RBACAuthorizer.Authorize — allowed by the
 * first rule that allows it (`RBAC: allowed by <binding>`), or no opinion with the errors of
 * missing roles as its reason (`RBAC: <error>`, several as `RBAC: [<e1>, <e2>]`).
 */
export function decide(objs: RbacObjects, user: UserInfo, req: ResourceRequest | NonResourceRequest): Decision {
  if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
  const errors: string[] = [];
  let allowedBy: string | undefined;
  const namespace = 'path' in req ? '' : req.namespace;
  visitRules(objs, user, namespace, (source, rule, err) => {
    if (rule && ('path' in req ? nonResourceRuleAllows(rule, req) : ruleAllows(rule, req))) {
      allowedBy = source;
      return false;
    }
    // utilerrors.Aggregate prints each distinct message once.
    if (err && !errors.includes(err.message)) errors.push(err.message);
    return true;
  });
  if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
  return { allowed: false, reason: errors.length === 0 ? '' : errors.length === 1 ? `RBAC: ${errors[0]}` : `RBAC: [${errors.join(', ')}]` };
}

export function authorize(objs: RbacObjects, user: UserInfo, req: ResourceRequest | NonResourceRequest): boolean {
  return decide(objs, user, req).allowed;
}
