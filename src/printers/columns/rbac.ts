// RoleBindings and ClusterRoleBindings (Roles/ClusterRoles have no printer: see created-at.ts).
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { ageOf, arr, obj, str } from './util';

/** rbac.SubjectsStrings: users, groups, service accounts as namespace/name. */
function subjects(list: unknown): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(list)) {
    if (s?.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s?.kind === 'User') users.push(str(s.name));
    else if (s?.kind === 'Group') groups.push(str(s.name));
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

/** printRoleBinding and printClusterRoleBinding: one layout, each kind's own descriptions. */
const bindingTable = (kind: string, roleRef: string): KindTable => ({
  columns: [
    nameCol,
    col('Role', roleRef),
    ageCol,
    col('Users', `Users in the ${kind}`, { priority: 1 }),
    col('Groups', `Groups in the ${kind}`, { priority: 1 }),
    col('ServiceAccounts', `ServiceAccounts in the ${kind}`, { priority: 1 }),
  ],
  cells: (o, now) => {
    const ref = obj(o.roleRef);
    return [str(o.metadata.name), `${str(ref.kind)}/${str(ref.name)}`, ageOf(o, now), ...subjects(o.subjects)];
  },
});

export const rolebindings = bindingTable('roleBinding', doc('rbac/v1beta1', 'RoleBinding', 'roleRef'));
export const clusterrolebindings = bindingTable('clusterRoleBinding', doc('rbac/v1beta1', 'ClusterRoleBinding', 'roleRef'));
