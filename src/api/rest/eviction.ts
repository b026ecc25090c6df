// POST pods/NAME/eviction: a delete that PodDisruptionBudgets may refuse (429), as the
// eviction subresource does (the rules are in ../eviction.ts).

import { evictPod as evict } from '../eviction';
import { dryRunOf, type RestHandler, type Target } from './handler';
import { jsonResponse } from './status';
import type { ApiRequest, ApiResponse } from './types';
import { decodeBody } from './writes';

export async function evictPod(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  const body = decodeBody(req) as Record<string, any>;
  const dryRun = dryRunOf(req, body?.deleteOptions);
  const grace = body?.deleteOptions?.gracePeriodSeconds;
  await evict(h.api, t.namespace, t.name!, { dryRun, gracePeriodSeconds: typeof grace === 'number' ? grace : undefined });
  return jsonResponse(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
