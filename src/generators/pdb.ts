// `kubectl create poddisruptionbudget NAME --selector=SELECTOR --min-available=N`
// (kubectl pkg/cmd/create/create_pdb.go).

import { CliError } from '../api/errors';
import { parseLabelSelector } from '../api/selectors';
import { Flags } from './flags';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta, sortedMap } from './util';
import { goAtoi } from './validation';

export const pdbGenerator: Generator = {
  command: 'create poddisruptionbudget',
  aliases: ['pdb'],
  usage: 'poddisruptionbudget NAME --selector=SELECTOR --min-available=N [--dry-run=server|client|none]',
  short: 'Create a pod disruption budget with the specified name',
  long: 'Create a pod disruption budget with the specified name, selector, and desired minimum available pods.',
  example: '  # Create a pod disruption budget named my-pdb that will select all pods with the app=rails label\n  # and require at least one of them being available at any point in time\n  kubectl create poddisruptionbudget my-pdb --selector=app=rails --min-available=1\n  \n  # Create a pod disruption budget named my-pdb that will select all pods with the app=nginx label\n  # and require at least half of the pods selected to be available at any point in time\n  kubectl create pdb my-pdb --selector=app=nginx --min-available=50%',
  flags: [
    { name: 'min-available', type: 'string', help: 'The minimum number or percentage of available pods this budget requires.' },
    { name: 'max-unavailable', type: 'string', help: 'The maximum number or percentage of unavailable pods this budget requires.' },
    { name: 'selector', type: 'string', help: 'A label selector to use for this budget. Only equality-based selector requirements are supported.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create poddisruptionbudget');
    const selector = f.str('selector');
    const min = f.str('min-available');
    const max = f.str('max-unavailable');
    if (!selector) throw new CliError('a selector must be specified');
    if (!min && !max) throw new CliError('one of min-available or max-unavailable must be specified');
    if (min && max) throw new CliError('min-available and max-unavailable cannot be both specified');
    if (min && !/^[0-9]+%?$/.test(min)) throw new CliError('invalid format specified for min-available');
    if (max && !/^[0-9]+%?$/.test(max)) throw new CliError('invalid format specified for max-unavailable');
    const spec: Record<string, unknown> = {};
    if (min) spec.minAvailable = intOrString(min);
    spec.selector = toLabelSelector(selector);
    if (max) spec.maxUnavailable = intOrString(max);
    const object = newObject('PodDisruptionBudget', 'policy/v1', objectMeta(name, ctx.namespace), {
      spec,
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
    return { object, warnings: [] };
  },
};

function intOrString(s: string): number | string {
  const n = goAtoi(s);
  return n === undefined ? s : n;
}

const OPS: Record<string, string> = { in: 'In', notin: 'NotIn', exists: 'Exists', '!': 'DoesNotExist' };

/** metav1.ParseToLabelSelector: `=`/`==` go to matchLabels, set-based requirements to matchExpressions. */
export function toLabelSelector(s: string): Record<string, unknown> {
  let reqs;
  try {
    reqs = parseLabelSelector(s).requirements;
  } catch (e) {
    throw new CliError(`couldn't parse the selector string "${s}": ${(e as Error).message}`);
  }
  const matchLabels: Record<string, string> = {};
  const matchExpressions: Record<string, unknown>[] = [];
  for (const r of reqs) {
    if (r.operator === '=' || r.operator === '==') {
      matchLabels[r.key] = r.values[0];
      continue;
    }
    if (r.operator === 'gt' || r.operator === 'lt') throw new CliError(`"${r.operator}" isn't supported in label selectors`);
    const op = OPS[r.operator];
    if (!op) throw new CliError(`"${r.operator}" is not a valid label selector operator`);
    const e: Record<string, unknown> = { key: r.key, operator: op };
    if (r.values.length) e.values = r.values;
    matchExpressions.push(e);
  }
  const out: Record<string, unknown> = {};
  if (Object.keys(matchLabels).length) out.matchLabels = sortedMap(matchLabels);
  if (matchExpressions.length) out.matchExpressions = matchExpressions;
  return out;
}
