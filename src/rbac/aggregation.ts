// ClusterRole aggregation (kube-controller-manager's clusterrole-aggregation controller): a
// role with an aggregationRule gets, as its rules, the union of the rules of every
// ClusterRole its selectors match, taken in name order, each distinct rule once.

import type { KObject } from '../api/types';
import { labelSelectorMatches, type LabelSelectorSpec } from '../api/selectors';
import type { PolicyRule } from './authorizer';

const FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;
/** Go's DeepEqual of two PolicyRules (field order aside; nil and empty lists alike). */
const sameRule = (a: PolicyRule, b: PolicyRule) => FIELDS.every((f) => JSON.stringify(a[f] ?? []) === JSON.stringify(b[f] ?? []));
const sameRules = (a: PolicyRule[], b: PolicyRule[]) => a.length === b.length && a.every((r, i) => sameRule(r, b[i]));

export function isAggregated(role: KObject): boolean {
  return Boolean(role.aggregationRule);
}

/** The rules `role` aggregates from `all` (undefined: it has no aggregationRule). */
export function aggregatedRules(role: KObject, all: KObject[]): PolicyRule[] | undefined {
  if (!role.aggregationRule) return undefined;
  const selectors: LabelSelectorSpec[] = role.aggregationRule.clusterRoleSelectors ?? [];
  const matched: KObject[] = [];
  for (const sel of selectors) for (const r of all) if (labelSelectorMatches(sel, r.metadata.labels)) matched.push(r);
  matched.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const rules: PolicyRule[] = [];
  for (const r of matched) for (const rule of (r.rules ?? []) as PolicyRule[]) if (!rules.some((x) => sameRule(x, rule))) rules.push(rule);
  return rules;
}

/** Whether `role`'s stored rules differ from what it aggregates. */
export function aggregationChanged(role: KObject, all: KObject[]): PolicyRule[] | undefined {
  const rules = aggregatedRules(role, all);
  if (rules === undefined || sameRules(rules, role.rules ?? [])) return undefined;
  return rules;
}

/** Every aggregated role of `roles` filled in, repeated until nothing changes (roles aggregating aggregated roles). */
export function aggregateAll(roles: KObject[]): KObject[] {
  const out = roles.map((r) => ({ ...r }));
  for (let pass = 0; pass < out.length; pass++) {
    let changed = false;
    for (const r of out) {
      const rules = aggregationChanged(r, out);
      if (rules) {
        r.rules = rules;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}
