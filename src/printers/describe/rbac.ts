// Role / ClusterRole and RoleBinding / ClusterRoleBinding describers. kubectl prints no
// Namespace line and no Events for these kinds.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { rulesTableRows } from '../../rbac/rules-table';

function header(w: PrefixWriter, obj: KObject): void {
  w.write(LEVEL_0, `Name:\t${str(obj.metadata.name)}\n`);
  printLabelsMultiline(w, 'Labels', obj.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', obj.metadata.annotations);
}

/** RoleDescriber and ClusterRoleDescriber: the rules broken down, compacted and sorted. */
export function describeRole(role: KObject): string {
  const w = new PrefixWriter();
  header(w, role);
  w.write(LEVEL_0, 'PolicyRule:\n');
  w.write(LEVEL_1, 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n');
  w.write(LEVEL_1, '---------\t-----------------\t--------------\t-----\n');
  for (const row of rulesTableRows(Array.isArray(role.rules) ? role.rules : [], true)) w.write(LEVEL_1, row + '\n');
  return w.toString();
}

/** RoleBindingDescriber and ClusterRoleBindingDescriber. */
export function describeRoleBinding(binding: KObject): string {
  const w = new PrefixWriter();
  header(w, binding);
  w.write(LEVEL_0, 'Role:\n');
  w.write(LEVEL_1, `Kind:\t${str(binding.roleRef?.kind)}\n`);
  w.write(LEVEL_1, `Name:\t${str(binding.roleRef?.name)}\n`);
  w.write(LEVEL_0, 'Subjects:\n');
  w.write(LEVEL_1, 'Kind\tName\tNamespace\n');
  w.write(LEVEL_1, '----\t----\t---------\n');
  for (const s of Array.isArray(binding.subjects) ? binding.subjects : []) {
    w.write(LEVEL_1, `${str(s?.kind)}\t${str(s?.name)}\t${str(s?.namespace)}\n`);
  }
  return w.toString();
}
