// `kubectl create priorityclass NAME --value=VALUE --global-default=BOOL`
// (kubectl pkg/cmd/create/create_priorityclass.go). Cluster-scoped: never a namespace.

import { Flags } from './flags';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';

export const priorityClassGenerator: Generator = {
  command: 'create priorityclass',
  aliases: ['pc'],
  usage: 'priorityclass NAME --value=VALUE --global-default=BOOL [--dry-run=server|client|none]',
  short: 'Create a priority class with the specified name',
  long: 'Create a priority class with the specified name, value, globalDefault and description.',
  example: '  # Create a priority class named high-priority\n  kubectl create priorityclass high-priority --value=1000 --description="high priority"\n  \n  # Create a priority class named default-priority that is considered as the global default priority\n  kubectl create priorityclass default-priority --value=1000 --global-default=true --description="default priority"\n  \n  # Create a priority class named high-priority that cannot preempt pods with lower priority\n  kubectl create priorityclass high-priority --value=1000 --description="high priority" --preemption-policy="Never"',
  flags: [
    { name: 'value', type: 'int', default: 0, help: 'the value of this priority class.' },
    { name: 'global-default', type: 'bool', default: false, help: 'global-default specifies whether this PriorityClass should be considered as the default priority.' },
    { name: 'description', type: 'string', help: 'description is an arbitrary string that usually provides guidelines on when this priority class should be used.' },
    { name: 'preemption-policy', type: 'string', default: 'PreemptLowerPriority', help: 'preemption-policy is the policy for preempting pods with lower priority.' },
  ],
  build(args, raw, _ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create priorityclass');
    const rest: Record<string, unknown> = { value: f.int('value') };
    if (f.bool('global-default')) rest.globalDefault = true;
    if (f.str('description')) rest.description = f.str('description');
    rest.preemptionPolicy = f.str('preemption-policy');
    return { object: newObject('PriorityClass', 'scheduling.k8s.io/v1', objectMeta(name), rest), warnings: [] };
  },
};
