// `kubesim get --raw PATH`: the REST handler's answer for a GET of PATH, printed as kubectl
// prints it (the body as sent; a Status error as `Error from server (Reason): message`).

import { CliError } from '../api/errors';
import type { CliContext } from './context';
import { PrintedError } from './format-error';

export async function runGetRaw(ctx: CliContext, raw: string, resources: string[]): Promise<number> {
  if (resources.length) throw new CliError('arguments may not be passed when --raw is specified');
  const u = new URL(raw, 'https://in-process');
  const api = await ctx.api();
  const { RestHandler } = await import('../api/rest/handler');
  const res = await new RestHandler(api).handle({ method: 'GET', path: u.pathname, query: u.searchParams, headers: { accept: 'application/json' } });
  if (res.stream) {
    for await (const chunk of res.stream) ctx.out(chunk);
    return 0;
  }
  const body = typeof res.body === 'string' ? res.body : (res.body ?? Buffer.alloc(0)).toString('utf8');
  if (res.status >= 200 && res.status < 300) {
    ctx.out(body);
    return 0;
  }
  let status: { reason?: string; message?: string } | undefined;
  try {
    status = JSON.parse(body);
  } catch {
    status = undefined;
  }
  const reason = status?.reason ?? (res.status === 404 ? 'NotFound' : 'Unknown');
  throw new PrintedError(`Error from server (${reason}): ${status?.message ?? body}\n`);
}
