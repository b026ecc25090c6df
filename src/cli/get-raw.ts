// `get --raw URI`: the API server's answer to a GET of that path, as bytes, as kubectl's
// rawhttp.RawGet prints it; a failure status is kubectl's `Error from server (Reason): ...`.

import { CliError } from '../api/errors';
import type { CliContext } from './context';
import { PrintedError } from './format-error';

export async function runGetRaw(ctx: CliContext, uri: string, resources: string[]): Promise<number> {
  if (resources.length) throw new CliError('arguments may not be passed when --raw is specified');
  if (!uri.startsWith('/')) throw new CliError(`parse "${uri}": invalid URI for request`);
  const viaDaemon = await rawThroughDaemon(ctx, uri);
  const res = viaDaemon ?? (await rawInProcess(ctx, uri));
  if (res.status >= 200 && res.status < 300) {
    if (res.stream) for await (const chunk of res.stream) ctx.out(chunk);
    else ctx.out(res.body);
    return 0;
  }
  const body = res.body;
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

interface RawAnswer {
  status: number;
  body: string;
  stream?: AsyncIterable<string>;
}

/**
 * The daemon's answer when it serves (KUBESIM_NO_DAEMON unset); undefined when it does not
 * or cannot be reached. Streams (watch, follow) stay in-process: the client buffers.
 */
async function rawThroughDaemon(ctx: CliContext, uri: string): Promise<RawAnswer | undefined> {
  if (/[?&](watch|follow)=/.test(uri)) return undefined;
  const { verbDaemonClient, ConnectionError } = await import('../client/rest-client');
  const client = verbDaemonClient(ctx);
  if (!client) return undefined;
  try {
    return await client.getRaw(uri, 'application/json, */*');
  } catch (e) {
    if (e instanceof ConnectionError) return undefined;
    throw e;
  } finally {
    client.close();
  }
}

/** The same request handed to the REST handler in this process, over the opened store. */
async function rawInProcess(ctx: CliContext, uri: string): Promise<RawAnswer> {
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
  return { status: res.status, body: res.body === undefined ? '' : typeof res.body === 'string' ? res.body : res.body.toString('utf8'), stream: res.stream };
}
