// The PolicyRule table of `kubectl auth can-i --list` and of `kubectl describe role/clusterrole`:
// the rules broken down to one verb each, simple rules' verbs merged again in order of
// appearance (rbac CompactRules), sorted by the protobuf String() form kubectl sorts on, and
// printed as `Resources  Non-Resource URLs  Resource Names  Verbs`.

import type { PolicyRule } from './authorizer';

/** rbac.BreakdownRule: one rule per group × resource × verb (× name), one per URL × verb. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if ((rule.resourceNames ?? []).length) {
          for (const n of rule.resourceNames!) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [n] });
        } else out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
  return out;
}

export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = !(r.nonResourceURLs ?? []).length && (r.apiGroups ?? []).length === 1 && (r.resources ?? []).length === 1 && (r.resourceNames ?? []).length <= 1;
    if (!isSimple) {
      compacted.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (existing) {
      for (const v of r.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v);
    } else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...compacted, ...simple.values()];
}

const goList = (l: string[] | undefined) => `[${(l ?? []).join(' ')}]`;

/** gogo-protobuf's PolicyRule.String(), the sort key of rbac's SortableRuleSlice. */
function protoString(r: PolicyRule): string {
  return `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;
}

/** describe.CombineResourceGroup: `pods`, `deployments.apps`, `*.*`, `pods/log`. */
function combineResourceGroup(resources: string[] | undefined, groups: string[] | undefined): string {
  if (!resources?.length) return '';
  const [res, sub] = resources[0].split(/\/(.*)/s);
  let s = res;
  if (groups?.length && groups[0] !== '') s += '.' + groups[0];
  if (sub !== undefined) s += '/' + sub;
  return s;
}

/** Rows (tab-separated, for the tabwriter) of the --list table, header first unless noHeaders. */
export function rulesTableRows(rules: PolicyRule[], noHeaders = false): string[] {
  const sorted = compactRules(rules.flatMap(breakdownRule))
    .map((r, i) => ({ r, i, k: protoString(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.r);
  const rows = noHeaders ? [] : ['Resources\tNon-Resource URLs\tResource Names\tVerbs'];
  for (const r of sorted) rows.push(`${combineResourceGroup(r.resources, r.apiGroups)}\t${goList(r.nonResourceURLs)}\t${goList(r.resourceNames)}\t${goList(r.verbs)}`);
  return rows;
}
