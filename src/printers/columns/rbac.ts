// RoleBindings and ClusterRoleBindings (Roles/ClusterRoles have no printer: see created-at.ts).
import { col, nameCol, type KindTable } from './types';
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

const bindingTable: KindTable = {
  columns: [nameCol, col('Role'), col('Age'), col('Users', 1), col('Groups', 1), col('ServiceAccounts', 1)],
  cells: (o, now) => {
    const ref = obj(o.roleRef);
    return [str(o.metadata.name), `${str(ref.kind)}/${str(ref.name)}`, ageOf(o, now), ...subjects(o.subjects)];
  },
};

export const rolebindings = bindingTable;
export const clusterrolebindings = bindingTable;
