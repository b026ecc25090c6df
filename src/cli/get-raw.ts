// `get --raw URI`, `delete --raw URI`, `replace|create --raw URI -f FILE`: the API server's
// answer to a GET, DELETE, PUT or POST of that path, as bytes, as kubectl's rawhttp prints it (the file's bytes
// are the request body, as they are); a failure status is client-go's error for it (statusError).

import { CliError } from '../api/errors';
import type { CliContext } from './context';

/** get --raw: Complete's argument check, then Validate's (filters and watches, -o, the URI), then the GET. */
export async function runGetRaw(ctx: CliContext, uri: string, resources: string[], flags: { watch?: boolean; watchOnly?: boolean; selector?: string; output?: string } = {}): Promise<number> {
  if (resources.length) throw new CliError('arguments may not be passed when --raw is specified');
  if (flags.watch || flags.watchOnly || flags.selector) throw new CliError('--raw may not be specified with other flags that filter the server request or alter the output');
  if (flags.output) throw new CliError('--raw and --output are mutually exclusive');
  const invalid = rawUriError(uri);
  if (invalid) throw new CliError(invalid);
  // An absolute URL is a valid one; kubesim only requests paths.
  if (!uri.startsWith('/')) throw new CliError(`parse "${uri}": invalid URI for request`);
  return runRaw(ctx, 'GET', uri);
}

/** url.ParseRequestURI's verdict on --raw, as delete's and replace's Validate word it; undefined when valid. */
export function rawUriError(uri: string): string | undefined {
  if (uri.startsWith('/')) return undefined;
  if (uri.startsWith(':')) return `--raw must be a valid URL path: parse ${JSON.stringify(uri)}: missing protocol scheme`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return undefined;
  return `--raw must be a valid URL path: parse ${JSON.stringify(uri)}: invalid URI for request`;
}

/**
 * rawhttp.raw: `file` ('-' for stdin) is read before the request and sent as its body; an
 * empty body without one. Only the path of an absolute URL is asked: the API server is the cluster's.
 */
export async function runRaw(ctx: CliContext, method: 'GET' | 'DELETE' | 'PUT' | 'POST', rawUri: string, file?: string): Promise<number> {
  let body: string | undefined;
  if (method !== 'GET') {
    if (file === '-') body = ctx.streams.stdinText();
    else if (file) {
      const { readFileSync } = await import('node:fs');
      try {
        body = readFileSync(file, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new CliError(`open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
      }
    } else body = '';
  }
  const uri = rawUri.startsWith('/') ? rawUri : rawUri.replace(/^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[^/]*)?/, '') || '/';
  const viaDaemon = await rawThroughDaemon(ctx, method, uri, body);
  const res = viaDaemon ?? (await rawInProcess(ctx, method, uri, body));
  if (res.status >= 200 && res.status < 300) {
    if (res.stream) for await (const chunk of res.stream) ctx.out(String(chunk)); // a watch's chunks are bytes
    else ctx.out(res.body);
    return 0;
  }
  // RequestURI names no resource: client-go's error for a body that is no Status has no `(get pods x)`.
  const { statusError } = await import('../client/rest-client');
  throw statusError({ status: res.status, body: res.body, contentType: res.contentType, request: { method, path: uri, raw: true } });
}

interface RawAnswer {
  status: number;
  body: string;
  contentType?: string;
  stream?: AsyncIterable<string | Buffer>;
}

/**
 * The daemon's answer when it serves (KUBESIM_NO_DAEMON unset); undefined when it does not
 * or cannot be reached. Streams (watch, follow) stay in-process: the client buffers.
 */
async function rawThroughDaemon(ctx: CliContext, method: string, uri: string, body: string | undefined): Promise<RawAnswer | undefined> {
  if (/[?&](watch|follow)=/.test(uri)) return undefined;
  const { verbDaemonClient, ConnectionError } = await import('../client/rest-client');
  const client = verbDaemonClient(ctx);
  if (!client) return undefined;
  try {
    return await client.rawRequest(method, uri, 'application/json, */*', body);
  } catch (e) {
    if (e instanceof ConnectionError) return undefined;
    throw e;
  } finally {
    client.close();
  }
}

/** The same request handed to the REST handler in this process, over the opened store (RBAC answering reviews, as `serve`). */
async function rawInProcess(ctx: CliContext, method: string, uri: string, body: string | undefined): Promise<RawAnswer> {
  const { localRest } = await import('./local-rest');
  const q = uri.indexOf('?');
  const res = await localRest(await ctx.api(), ctx.clusterDir, {
    method,
    path: q >= 0 ? uri.slice(0, q) : uri,
    query: new URLSearchParams(q >= 0 ? uri.slice(q + 1) : ''),
    accept: 'application/json, */*',
    body,
  });
  return { status: res.status, body: res.text, contentType: res.headers['content-type'], stream: res.stream };
}
