// The REST handler `kubesim serve` answers with, run in this process over the opened store:
// for requests the CLI sends as kubectl would (a review's POST, a subresource write, --raw)
// when no daemon serves. RBAC answers the reviews and the cluster's keys check tokens, as the
// served cluster's do; the acting user is the CLI's (the cluster admin), or the one --as
// impersonates, authorized as the served cluster authorizes it.

import type { ApiResponse, RequestUser } from '../api/rest/types';
import type { ApiServer } from '../api/server';

export interface LocalRequest {
  method: string;
  path: string;
  query?: URLSearchParams;
  body?: string;
  contentType?: string;
  accept?: string;
}

/** The handler's answer; `text` is its body as text (empty when it streams). */
export async function localRest(api: ApiServer, clusterDir: string | undefined, req: LocalRequest, user?: RequestUser): Promise<ApiResponse & { text: string }> {
  const [{ RestHandler }, { reviewBearerToken }, { ensurePki }, { DEFAULT_ADMIN }] = await Promise.all([import('../api/rest/handler'), import('../server/authn'), import('../server/pki'), import('../rbac')]);
  const gate = api.rbac;
  const handler = new RestHandler(api, {
    authorize: (user, attrs) => gate.decide(user, attrs),
    rules: (user, ns) => gate.rules(user, ns),
    ...(clusterDir ? { reviewToken: (token: string, audiences: string[]) => reviewBearerToken(token, audiences, ensurePki(clusterDir), api) } : {}),
  });
  if (user) {
    const [{ authorizeRequest }, { errorResponse }] = await Promise.all([import('../server/authz'), import('../api/rest/status')]);
    try {
      await authorizeRequest(gate, user, req.method, req.path, req.query ?? new URLSearchParams());
    } catch (e) {
      const res = errorResponse(e);
      return { ...res, text: typeof res.body === 'string' ? res.body : (res.body?.toString('utf8') ?? '') };
    }
  }
  const res = await handler.handle({
    method: req.method,
    path: req.path,
    query: req.query ?? new URLSearchParams(),
    headers: { accept: req.accept ?? 'application/json', ...(req.body !== undefined ? { 'content-type': req.contentType ?? 'application/json' } : {}) },
    ...(req.body !== undefined ? { body: Buffer.from(req.body) } : {}),
    user: user ?? { name: DEFAULT_ADMIN.name, groups: DEFAULT_ADMIN.groups },
  });
  return { ...res, text: res.body === undefined ? '' : typeof res.body === 'string' ? res.body : res.body.toString('utf8') };
}
