// pods/NAME/eviction: a delete that PodDisruptionBudgets may refuse (429), as the
// eviction subresource does.

import { ApiError } from '../errors';
import { fromLabelSelectorSpec, matchesLabels } from '../selectors';
import { dryRunOf, type RestHandler, type Target } from './handler';
import { jsonResponse, RestError } from './status';
import type { ApiRequest, ApiResponse } from './types';
import { decodeBody } from './writes';

export async function evictPod(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  const body = decodeBody(req) as Record<string, any>;
  const dryRun = dryRunOf(req, body?.deleteOptions);
  const pod = await h.api.get(t.rt, t.namespace, t.name!);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (!terminal && !pod.metadata.deletionTimestamp) {
    const pdbType = h.api.registry.forKind('policy/v1', 'PodDisruptionBudget');
    const pdbs = (await h.api.list(pdbType, { namespace: t.namespace })).items.filter((p) => {
      const sel = p.spec?.selector;
      return sel && matchesLabels(fromLabelSelectorSpec(sel), pod.metadata.labels ?? {});
    });
    if (pdbs.length > 1) throw new ApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = pdbs[0];
    if (pdb && (pdb.status?.disruptionsAllowed ?? 0) <= 0) {
      throw new RestError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
        causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
      });
    }
  }
  const grace = body?.deleteOptions?.gracePeriodSeconds;
  await h.api.delete(t.rt, t.namespace, t.name!, { dryRun, gracePeriodSeconds: typeof grace === 'number' ? grace : undefined });
  return jsonResponse(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
