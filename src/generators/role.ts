// `kubectl create role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename]`
// (kubectl pkg/cmd/create/create_role.go).

import { CliError } from '../api/errors';
import { ResourceRegistry } from '../api/resources';
import { Flags } from './flags';
import { VALID_RESOURCE_VERBS, dedupe, dedupeVerbs, generatePolicyRules, parseResources, validateResources } from './policy-rules';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';

export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';

export const roleGenerator: Generator = {
  command: 'create role',
  usage: 'role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]',
  short: 'Create a role with single rule',
  example: '  # Create a role named "pod-reader" that allows user to perform "get", "watch" and "list" on pods\n  kubectl create role pod-reader --verb=get --verb=list --verb=watch --resource=pods\n  \n  # Create a role named "pod-reader" with ResourceName specified\n  kubectl create role pod-reader --verb=get --resource=pods --resource-name=readablepod --resource-name=anotherpod\n  \n  # Create a role named "foo" with API Group specified\n  kubectl create role foo --verb=get,list,watch --resource=rs.apps\n  \n  # Create a role named "foo" with SubResource specified\n  kubectl create role foo --verb=get,list,watch --resource=pods,pods/status',
  flags: [
    { name: 'verb', type: 'stringSlice', help: 'Verb that applies to the resources contained in the rule' },
    { name: 'resource', type: 'stringSlice', help: 'Resource that the rule applies to' },
    { name: 'resource-name', type: 'stringArray', help: 'Resource in the white list that the rule applies to, repeat this flag for multiple items' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create role');
    const verbs = dedupeVerbs(f.list('verb'));
    const resources = parseResources(f.list('resource'));
    const resourceNames = dedupe(f.list('resource-name'));
    const registry = ctx.registry ?? new ResourceRegistry();
    if (verbs.length === 0) throw new CliError('at least one verb must be specified');
    const warnings = verbs.filter((v) => !VALID_RESOURCE_VERBS.includes(v)).map((v) => `Warning: '${v}' is not a standard resource verb`);
    if (resources.length === 0) throw new CliError('at least one resource must be specified');
    validateResources(registry, resources, verbs, warnings);
    const rules = generatePolicyRules(registry, verbs, resources, resourceNames, [], warnings);
    return { object: newObject('Role', RBAC_API_VERSION, objectMeta(name, ctx.namespace), { rules }), warnings };
  },
};
