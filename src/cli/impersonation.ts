// kubectl's --as, --as-group and --as-uid (client-go's ImpersonationConfig): the Impersonate-*
// headers every request carries to a daemon, and in-process the user those same headers make
// of the CLI's admin through the API server's own impersonation (src/server/authn.ts).

import type { RequestUser } from '../api/rest/types';
import type { ApiServer } from '../api/server';
import { ApiError, CliError, type Reason } from '../api/errors';
import { RestError } from '../api/rest/status';
import { selectFromKubeconfig, type GlobalFlags } from './context-select';
import type { RequestCheck } from '../exec/pod-target';

/**
 * The Impersonate-* headers of the flags (none without them); client-go refuses groups or a
 * uid without a user, naming the kubeconfig's user (AuthInfo) for the selected context.
 */
export function impersonationHeaders(flags: GlobalFlags): Record<string, string | string[]> {
  const groups = flags.asGroup ?? [];
  if (!flags.as) {
    if (groups.length || flags.asUid) throw new CliError(`requesting uid, groups or user-extra for ${selectFromKubeconfig(flags)?.user ?? ''} without impersonating a user`);
    return {};
  }
  return {
    'impersonate-user': flags.as,
    ...(groups.length ? { 'impersonate-group': groups } : {}),
    ...(flags.asUid ? { 'impersonate-uid': flags.asUid } : {}),
  };
}

/** The user an in-process request acts as: undefined (the admin, unchecked) without --as. */
export async function actingUser(flags: GlobalFlags, api: ApiServer): Promise<RequestUser | undefined> {
  const headers = impersonationHeaders(flags);
  if (!Object.keys(headers).length) return undefined;
  const [{ impersonate }, { DEFAULT_ADMIN }] = await Promise.all([import('../server/authn'), import('../rbac/authorizer')]);
  const headersDistinct = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v].flat()]));
  const single = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v].flat().join(', ')]));
  return impersonate({ headers: single, headersDistinct }, { name: DEFAULT_ADMIN.name, groups: [...DEFAULT_ADMIN.groups] }, api.rbac).catch((e: unknown) => {
    throw asApiError(e);
  });
}

/** The server's Status error as the CLI prints it (the same text a daemon's answer gives). */
export function asApiError(e: unknown): unknown {
  return e instanceof RestError ? new ApiError(e.reason as Reason, e.message, e.details ?? {}) : e;
}

/**
 * Refuses, as the API server does, the request kubectl would send (`method` on `path`) when
 * `user` may not make it; without a user (no --as) the CLI acts as the admin, unchecked.
 */
export async function authorizeAs(api: ApiServer, user: RequestUser | undefined, method: string, path: string, query: Record<string, string | undefined> = {}): Promise<void> {
  if (!user) return;
  const { authorizeRequest } = await import('../server/authz');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  await authorizeRequest(api.rbac, user, method, path, params).catch((e: unknown) => {
    throw asApiError(e);
  });
}

/** authorizeAs for the flags' user (--as; without it the admin, unchecked), for each request a verb makes. */
export async function requestCheck(flags: GlobalFlags, api: ApiServer): Promise<RequestCheck> {
  const user = await actingUser(flags, api);
  return (method, path, query) => authorizeAs(api, user, method, path, query);
}
