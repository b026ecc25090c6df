// `kubectl create rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname]
// [--serviceaccount=namespace:serviceaccountname]` and `create clusterrolebinding`
// (kubectl pkg/cmd/create/create_rolebinding.go, create_clusterrolebinding.go).

import { CliError } from '../api/errors';
import { Flags, checkRequired } from './flags';
import { RBAC_API_VERSION } from './role';
import type { FlagDef, Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The subject flags; kubectl words them after the role kind the binding references. */
const subjectFlags = (role: string): FlagDef[] => [
  { name: 'user', type: 'stringArray', help: `Usernames to bind to the ${role}. The flag can be repeated to add multiple users.` },
  { name: 'group', type: 'stringArray', help: `Groups to bind to the ${role}. The flag can be repeated to add multiple groups.` },
  { name: 'serviceaccount', type: 'stringArray', help: `Service accounts to bind to the ${role}, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.` },
];

/** Users, then groups, then service accounts (`namespace:name`). */
function subjects(f: Flags): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const u of f.list('user')) out.push({ kind: 'User', apiGroup: RBAC_GROUP, name: u });
  for (const g of f.list('group')) out.push({ kind: 'Group', apiGroup: RBAC_GROUP, name: g });
  for (const sa of f.list('serviceaccount')) {
    const t = sa.split(':');
    if (t.length !== 2 || t[1] === '') throw new CliError('serviceaccount must be <namespace>:<name>');
    out.push({ kind: 'ServiceAccount', name: t[1], namespace: t[0] });
  }
  return out;
}

function bindingObject(kind: string, name: string, namespace: string | undefined, roleKind: string, roleName: string, subs: Record<string, unknown>[]) {
  const rest: Record<string, unknown> = {};
  if (subs.length) rest.subjects = subs;
  rest.roleRef = { apiGroup: RBAC_GROUP, kind: roleKind, name: roleName };
  return newObject(kind, RBAC_API_VERSION, objectMeta(name, namespace), rest);
}

export const roleBindingGenerator: Generator = {
  command: 'create rolebinding',
  usage: 'rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]',
  short: 'Create a role binding for a particular role or cluster role',
  example: '  # Create a role binding for user1, user2, and group1 using the admin cluster role\n  kubectl create rolebinding admin --clusterrole=admin --user=user1 --user=user2 --group=group1\n  \n  # Create a role binding for service account monitoring:sa-dev using the admin role\n  kubectl create rolebinding admin-binding --role=admin --serviceaccount=monitoring:sa-dev',
  flags: [
    { name: 'role', type: 'string', help: 'Role this RoleBinding should reference' },
    { name: 'clusterrole', type: 'string', help: 'ClusterRole this RoleBinding should reference' },
    ...subjectFlags('role'),
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create rolebinding');
    const role = f.str('role');
    const clusterRole = f.str('clusterrole');
    if (!role === !clusterRole) throw new CliError('exactly one of clusterrole or role must be specified');
    const object = bindingObject('RoleBinding', name, ctx.namespace, role ? 'Role' : 'ClusterRole', role || clusterRole, subjects(f));
    return { object, warnings: [] };
  },
};

export const clusterRoleBindingGenerator: Generator = {
  command: 'create clusterrolebinding',
  usage: 'clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]',
  short: 'Create a cluster role binding for a particular cluster role',
  example: '  # Create a cluster role binding for user1, user2, and group1 using the cluster-admin cluster role\n  kubectl create clusterrolebinding cluster-admin --clusterrole=cluster-admin --user=user1 --user=user2 --group=group1',
  flags: [{ name: 'clusterrole', type: 'string', help: 'ClusterRole this ClusterRoleBinding should reference', required: true }, ...subjectFlags('clusterrole')],
  build(args, raw, _ctx, argsLenAtDash) {
    checkRequired(this.flags, raw);
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create clusterrolebinding');
    const object = bindingObject('ClusterRoleBinding', name, undefined, 'ClusterRole', f.str('clusterrole'), subjects(f));
    return { object, warnings: [] };
  },
};
