// `kubectl create clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename]
// [--non-resource-url=/path] [--aggregation-rule=key=value]` (kubectl pkg/cmd/create/create_clusterrole.go).

import { CliError } from '../api/errors';
import { ResourceRegistry } from '../api/resources';
import { Flags } from './flags';
import { VALID_NON_RESOURCE_VERBS, VALID_RESOURCE_VERBS, dedupe, dedupeVerbs, generatePolicyRules, parseResources, validateResources } from './policy-rules';
import { RBAC_API_VERSION } from './role';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta, sortedMap } from './util';

export const clusterRoleGenerator: Generator = {
  command: 'create clusterrole',
  usage: 'clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename] [--dry-run=server|client|none]',
  short: 'Create a cluster role',
  example: '  # Create a cluster role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods\n  kubectl create clusterrole pod-reader --verb=get,list,watch --resource=pods\n  \n  # Create a cluster role named "pod-reader" with ResourceName specified\n  kubectl create clusterrole pod-reader --verb=get --resource=pods --resource-name=readablepod --resource-name=anotherpod\n  \n  # Create a cluster role named "foo" with API Group specified\n  kubectl create clusterrole foo --verb=get,list,watch --resource=rs.apps\n  \n  # Create a cluster role named "foo" with SubResource specified\n  kubectl create clusterrole foo --verb=get,list,watch --resource=pods,pods/status\n  \n  # Create a cluster role name "foo" with NonResourceURL specified\n  kubectl create clusterrole "foo" --verb=get --non-resource-url=/logs/*\n  \n  # Create a cluster role name "monitoring" with AggregationRule specified\n  kubectl create clusterrole monitoring --aggregation-rule="rbac.example.com/aggregate-to-monitoring=true"',
  flags: [
    { name: 'verb', type: 'stringSlice', help: 'Verb that applies to the resources contained in the rule' },
    { name: 'resource', type: 'stringSlice', help: 'Resource that the rule applies to' },
    { name: 'resource-name', type: 'stringArray', help: 'Resource in the white list that the rule applies to, repeat this flag for multiple items' },
    { name: 'non-resource-url', type: 'stringSlice', help: 'A partial url that user should have access to.' },
    { name: 'aggregation-rule', type: 'string', shown: '', help: 'An aggregation label selector for combining ClusterRoles.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create clusterrole');
    const verbs = dedupeVerbs(f.list('verb'));
    const resources = parseResources(f.list('resource'));
    const resourceNames = dedupe(f.list('resource-name'));
    const nonResourceURLs = dedupe(f.list('non-resource-url'));
    const aggregation = parseAggregationRule(f.str('aggregation-rule'));
    const registry = ctx.registry ?? new ResourceRegistry();
    const warnings: string[] = [];
    if (aggregation) {
      if (nonResourceURLs.length || verbs.length || resources.length || resourceNames.length)
        throw new CliError('aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames');
      return {
        object: newObject('ClusterRole', RBAC_API_VERSION, objectMeta(name), {
          rules: null,
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregation }] },
        }),
        warnings,
      };
    }
    if (verbs.length === 0) throw new CliError('at least one verb must be specified');
    if (resources.length === 0 && nonResourceURLs.length === 0) throw new CliError('one of resource or nonResourceURL must be specified');
    if (resources.length) {
      for (const v of verbs) if (!VALID_RESOURCE_VERBS.includes(v)) warnings.push(`Warning: '${v}' is not a standard resource verb`);
      validateResources(registry, resources, verbs, warnings);
    }
    if (nonResourceURLs.length) {
      for (const v of verbs) if (!VALID_NON_RESOURCE_VERBS.includes(v)) throw new CliError(`invalid verb: '${v}' for nonResourceURL`);
      for (const u of nonResourceURLs) {
        if (u === '*') continue;
        if (!u.startsWith('/')) throw new CliError('nonResourceURL should start with /');
        if (u.slice(0, -1).includes('*'))
          throw new CliError("nonResourceURL only supports wildcard matches when '*' is at the end");
      }
    }
    const rules = generatePolicyRules(registry, verbs, resources, resourceNames, nonResourceURLs, warnings);
    return { object: newObject('ClusterRole', RBAC_API_VERSION, objectMeta(name), { rules }), warnings };
  },
};

/** --aggregation-rule is a mapStringString flag: `k=v,k2=v2`. */
function parseAggregationRule(s: string): Record<string, string> | undefined {
  if (!s) return undefined;
  const out: Record<string, string> = {};
  for (const pair of s.split(',')) {
    const i = pair.indexOf('=');
    if (i < 0) throw new CliError(`invalid argument "${s}" for "--aggregation-rule" flag: ${pair} must be formatted as key=value`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return sortedMap(out);
}
