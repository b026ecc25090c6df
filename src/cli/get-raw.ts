// `get --raw URI`: the API server's answer to a GET of that path, as bytes, as kubectl's
// rawhttp.RawGet prints it; a failure status is kubectl's `Error from server (Reason): ...`.

import { CliError } from '../api/errors';
import type { CliContext } from './context';
import { PrintedError } from './format-error';

export async function runGetRaw(ctx: CliContext, uri: string, resources: string[]): Promise<number> {
  if (resources.length) throw new CliError('arguments may not be passed when --raw is specified');
  if (!uri.startsWith('/')) throw new CliError(`parse "${uri}": invalid URI for request`);
  const api = await ctx.api();
  const { RestHandler } = await import('../api/rest/handler');
  const { DEFAULT_ADMIN } = await import('../rbac');
  const q = uri.indexOf('?');
  const res = await new RestHandler(api).handle({
    method: 'GET',
    path: q >= 0 ? uri.slice(0, q) : uri,
    query: new URLSearchParams(q >= 0 ? uri.slice(q + 1) : ''),
    headers: { accept: 'application/json, */*' },
    user: { name: DEFAULT_ADMIN.name, groups: DEFAULT_ADMIN.groups },
  });
  const body = res.body === undefined ? '' : typeof res.body === 'string' ? res.body : res.body.toString('utf8');
  if (res.status >= 200 && res.status < 300) {
    if (res.stream) for await (const chunk of res.stream) ctx.out(chunk);
    else ctx.out(body);
    return 0;
  }
  let reason = 'Unknown';
  let message = body.trim();
  try {
    const s = JSON.parse(body) as { reason?: string; message?: string };
    reason = s.reason || reason;
    message = s.message ?? message;
  } catch {
    /* not a Status */
  }
  throw new PrintedError(`Error from server (${reason}): ${message}\n`);
}
