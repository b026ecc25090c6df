// PodDisruptionBudget describer (policy/v1).
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_2, PrefixWriter } from './prefix-writer';
import { formatLabelSelector, num, str } from './format';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

export function describePodDisruptionBudget(pdb: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = pdb.spec ?? {};
  const status = pdb.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(pdb.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(pdb.metadata.namespace)}\n`);
  // IntOrString.String(): the number or the percentage string as written.
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) w.write(LEVEL_0, `Min available:\t${str(spec.minAvailable)}\n`);
  else if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) w.write(LEVEL_0, `Max unavailable:\t${str(spec.maxUnavailable)}\n`);
  if (spec.selector !== undefined && spec.selector !== null) w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  else w.write(LEVEL_0, 'Selector:\t<unset>\n');
  w.write(LEVEL_0, 'Status:\n');
  w.write(LEVEL_2, `Allowed disruptions:\t${num(status.disruptionsAllowed)}\n`);
  w.write(LEVEL_2, `Current:\t${num(status.currentHealthy)}\n`);
  w.write(LEVEL_2, `Desired:\t${num(status.desiredHealthy)}\n`);
  w.write(LEVEL_2, `Total:\t${num(status.expectedPods)}\n`);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
