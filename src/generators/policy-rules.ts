// PolicyRule building shared by `create role` and `create clusterrole`
// (kubectl pkg/cmd/create/create_role.go: Complete, validateResource, generateResourcePolicyRules).

import { CliError } from '../api/errors';
import { ResourceRegistry, shortNameWarnings } from '../api/resources';
import { byteOrder } from './util';

export interface ResourceOption {
  resource: string;
  group: string;
  subResource: string;
}

export const VALID_RESOURCE_VERBS = ['*', 'get', 'delete', 'list', 'create', 'update', 'patch', 'watch', 'proxy', 'deletecollection', 'use', 'bind', 'escalate', 'impersonate'];
export const VALID_NON_RESOURCE_VERBS = ['*', 'get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

// Verbs that only make sense on specific resources.
const SPECIAL_VERBS: Record<string, { group: string; resource: string }[]> = {
  use: [
    { group: 'policy', resource: 'podsecuritypolicies' },
    { group: 'extensions', resource: 'podsecuritypolicies' },
  ],
  bind: [
    { group: 'rbac.authorization.k8s.io', resource: 'roles' },
    { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  ],
  escalate: [
    { group: 'rbac.authorization.k8s.io', resource: 'roles' },
    { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  ],
  impersonate: [
    { group: '', resource: 'users' },
    { group: '', resource: 'serviceaccounts' },
    { group: '', resource: 'groups' },
    { group: 'authentication.k8s.io', resource: 'userextras' },
    { group: 'authentication.k8s.io', resource: 'uids' },
  ],
};

/** Removes duplicates; `*` replaces every other verb. */
export function dedupeVerbs(verbs: string[]): string[] {
  const out: string[] = [];
  for (const v of verbs) {
    if (v === '*') return ['*'];
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

export function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

/** `resource[.group][/subresource]`; a bare `*` ends the list. */
export function parseResources(list: string[]): ResourceOption[] {
  const out: ResourceOption[] = [];
  for (const r of list) {
    const slash = r.indexOf('/');
    const main = slash >= 0 ? r.slice(0, slash) : r;
    const subResource = slash >= 0 ? r.slice(slash + 1) : '';
    const dot = main.indexOf('.');
    const opt: ResourceOption = {
      resource: dot >= 0 ? main.slice(0, dot) : main,
      group: dot >= 0 ? main.slice(dot + 1) : '',
      subResource,
    };
    if (opt.resource === '*' && dot < 0 && slash < 0) return [opt];
    out.push(opt);
  }
  return out;
}

/** mapper.ResourceFor: expands short names (warning of an ambiguous one) and fills the group; undefined when not served. */
function resourceFor(registry: ResourceRegistry, r: ResourceOption, warnings: string[]): { group: string; resource: string } | undefined {
  for (const text of shortNameWarnings(registry.all(), r.resource, r.group)) warnings.push(`Warning: ${text}`);
  const lower = r.resource.toLowerCase();
  const t = registry
    .all()
    .find((x) => (x.plural === lower || x.singular === lower || x.shortNames.includes(lower)) && (r.group === '' || x.group === r.group));
  return t ? { group: t.group, resource: t.plural } : undefined;
}

/** validateResource: every resource must be served, special verbs only on their resources. */
export function validateResources(registry: ResourceRegistry, resources: ResourceOption[], verbs: string[], warnings: string[]): void {
  for (const r of resources) {
    if (!r.resource) throw new CliError('resource must be specified if apiGroup/subresource specified');
    if (r.resource === '*') return;
    const mapped = resourceFor(registry, r, warnings);
    const resource = mapped ?? { group: r.group, resource: r.resource };
    let err: string | undefined = mapped ? undefined : `no matches for ${r.group}/, Resource=${r.resource}`;
    for (const v of verbs) {
      const allowed = SPECIAL_VERBS[v];
      if (!allowed) continue;
      if (!allowed.some((a) => a.resource === resource.resource && a.group === resource.group))
        throw new CliError(`can not perform '${v}' on '${resource.resource}' in group '${resource.group}'`);
      err = undefined;
    }
    if (err) throw new CliError(err);
  }
}

/** One rule per API group (groups sorted), then one for non-resource URLs. */
export function generatePolicyRules(
  registry: ResourceRegistry,
  verbs: string[],
  resources: ResourceOption[],
  resourceNames: string[],
  nonResourceURLs: string[],
  warnings: string[],
): Record<string, unknown>[] {
  const byGroup = new Map<string, string[]>();
  for (const r of resources) {
    const mapped = resourceFor(registry, r, warnings) ?? { group: r.group, resource: r.resource };
    const name = r.subResource ? `${mapped.resource}/${r.subResource}` : mapped.resource;
    const list = byGroup.get(mapped.group) ?? [];
    if (!list.includes(name)) list.push(name);
    byGroup.set(mapped.group, list);
  }
  const rules: Record<string, unknown>[] = [];
  for (const g of [...byGroup.keys()].sort(byteOrder)) {
    const rule: Record<string, unknown> = { verbs, apiGroups: [g], resources: byGroup.get(g) };
    if (resourceNames.length) rule.resourceNames = resourceNames;
    rules.push(rule);
  }
  if (nonResourceURLs.length) rules.push({ verbs, nonResourceURLs });
  return rules;
}
