// The CLI as a client of its cluster's API server: when the cluster's daemon runs and
// serves, verbs send it REST requests (plain HTTP with the admin token over the server's
// Unix socket in the private pki folder; without one, HTTPS with the cluster's admin client
// certificate, or the token for --insecure-http) instead of opening the store, so a read is
// served from the daemon's memory. Loaded lazily by the verbs that use it.

import type * as http from 'node:http';
import { ApiError, messageCause, type Reason, type StatusDetails } from '../api/errors';
import { USER_AGENT, daemonEndpoint, type DaemonCreds } from './daemon-endpoint';
import type { CliContext } from '../cli/context';
import { CLUSTER_TIME_HEADER } from '../api/rest/types';
import { parseJson } from '../util/exact-json';
import { goQuote } from '../util/go-format';
import { impersonationHeaders } from '../cli/impersonation';

/**
 * The server could not be reached (refused, reset, timed out). Nothing was read, so a
 * reading verb falls back to opening the store in this process; a write falls back only
 * when the request never left (`sent` false: no connection was made).
 */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly sent = true,
  ) {
    super(message);
  }
}

export interface ClientResponse {
  status: number;
  body: string;
  /** The answer's Content-Type header (none: client-go reads the body as text). */
  contentType?: string;
  /** The request answered, for an error body that is no Status (client-go names it in the message). */
  request?: { method: string; path: string; raw?: boolean };
}

/** How long a request may take before the server counts as unreachable. */
const TIMEOUT_MS = 30_000;

export class RestClient {
  private agent?: http.Agent;
  /** The cluster time of the last answer (the server's simulated clock), ms since the epoch. */
  clusterTime: number | undefined;

  constructor(
    readonly url: URL,
    /** With `socketPath`, requests go over that Unix socket (plain HTTP); `url` is still what the log names. */
    private readonly creds: DaemonCreds,
    /** Where each request is logged, as kubectl -v=6 logs it (stderr then). */
    private readonly log?: (line: string) => void,
    /** -v=8: each request's body and Content-Type too, as kubectl logs them. */
    private readonly logBodies = false,
    /** Where the server's Warning headers go (kubectl prints each text once per process). */
    private readonly warn?: (text: string) => void,
    /** Impersonate-* headers sent with every request (kubectl's --as, --as-group, --as-uid). */
    private readonly impersonation: Record<string, string | string[]> = {},
  ) {}
  private readonly warned = new Set<string>();

  /** Prints a warning as kubectl's warning writer does, the server's and kubectl's own alike: each text once. */
  warning(text: string): void {
    if (this.warn && !this.warned.has(text)) this.warned.add(text), this.warn(text);
  }

  /** A GET of `apiPath` (query values undefined are left out), with `headers` besides Accept. */
  async get(apiPath: string, query: Record<string, string | undefined>, accept: string, headers: Record<string, string> = {}): Promise<ClientResponse> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    const qs = q.toString();
    return this.request('GET', apiPath + (qs ? `?${qs}` : ''), { ...headers, accept });
  }

  /** A DELETE of `apiPath` with a DeleteOptions body, as kubectl sends it. */
  delete(apiPath: string, options: Record<string, unknown>): Promise<ClientResponse> {
    const body = JSON.stringify(options);
    return this.request('DELETE', apiPath, { accept: 'application/json', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body);
  }

  /**
   * A POST, PUT or PATCH of `apiPath` with a body of `contentType` (query values undefined are
   * left out); null sends no Content-Type, as kubectl's scale client (the server reads JSON).
   */
  send(method: 'POST' | 'PUT' | 'PATCH', apiPath: string, query: Record<string, string | undefined>, body: string, contentType: string | null = 'application/json'): Promise<ClientResponse> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    const qs = q.toString();
    const typed: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
    return this.request(method, apiPath + (qs ? `?${qs}` : ''), { accept: 'application/json', ...typed, 'content-length': String(Buffer.byteLength(body)) }, body);
  }

  /** A request of a path with its query string as given (`get/delete/replace --raw`), the body as it is. */
  rawRequest(method: string, pathAndQuery: string, accept: string, body?: string): Promise<ClientResponse> {
    return this.request(method, pathAndQuery, body === undefined ? { accept } : { accept, 'content-type': 'application/json' }, body, true);
  }

  /** The JSON body of a 2xx answer; a Status error body is thrown as the ApiError it stands for. */
  async getJson<T>(apiPath: string, query: Record<string, string | undefined>, accept = 'application/json'): Promise<T> {
    const res = await this.get(apiPath, query, accept);
    if (res.status >= 200 && res.status < 300) return parseJson(res.body) as T;
    throw statusError(res);
  }

  /**
   * The lines of a streamed answer (a watch: one JSON event a line) until the server ends it
   * or `signal` aborts; a failure status is thrown as its ApiError.
   */
  async *streamLines(apiPath: string, query: Record<string, string | undefined>, accept: string, signal: AbortSignal): AsyncGenerator<string> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    const res = await this.open('GET', `${apiPath}?${q}`, { accept }, undefined, signal);
    if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) throw statusError({ ...answered(res, 'GET', apiPath), body: await collect(res) });
    let rest = '';
    res.setEncoding('utf8');
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) if (l.trim()) yield l;
      }
    } catch (e) {
      if (!signal.aborted) throw new ConnectionError((e as Error).message);
    }
  }

  private async request(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string, raw = false): Promise<ClientResponse> {
    const res = await this.open(method, pathAndQuery, headers, body);
    return { ...answered(res, method, pathAndQuery, raw), body: await collect(res) };
  }

  /** Sends a request; resolves with the response once its headers are in (logged then, as kubectl -v=6 does). */
  private async open(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const socketPath = 'socketPath' in this.creds ? this.creds.socketPath : undefined;
    const secure = socketPath === undefined && this.url.protocol === 'https:';
    const mod: typeof import('node:https') | typeof import('node:http') = secure ? await import('node:https') : await import('node:http');
    // A stream holds its connection: it gets one of its own.
    const agent = signal ? undefined : (this.agent ??= new mod.Agent({ keepAlive: true, maxSockets: 1 }));
    const tls = 'ca' in this.creds ? this.creds : undefined;
    const auth = 'token' in this.creds ? { authorization: `Bearer ${this.creds.token}` } : {};
    if (this.log && this.logBodies && body !== undefined) {
      const { klogHeader } = await import('../cli/generate');
      const { goQuote } = await import('../util/go-format');
      const type = headers['content-type'] === undefined ? '' : `${klogHeader('I', 'round_trippers.go:480')}     Content-Type: ${headers['content-type']}\n`;
      this.log(`${klogHeader('I', 'helper.go:269')} "Request Body" body=${goQuote(body)}\n${type}`);
    }
    const start = performance.now();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = mod.request(
        {
          method,
          ...(socketPath !== undefined ? { socketPath } : { host: this.url.hostname, port: this.url.port }),
          path: pathAndQuery,
          headers: { ...headers, ...auth, ...this.impersonation, 'user-agent': USER_AGENT },
          agent,
          signal,
          ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
        },
        (res) => {
          const time = Date.parse(String(res.headers[CLUSTER_TIME_HEADER] ?? ''));
          if (!Number.isNaN(time)) this.clusterTime = time;
          resolve(res);
        },
      );
      // Whether the request may have reached the server: once a connection exists (a kept-alive one at once).
      let connected = false;
      req.on('socket', (sock) => {
        if (!sock.connecting) connected = true;
        else sock.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
      });
      // A watch is quiet for as long as nothing changes.
      if (!signal) req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
      req.on('error', (e) => reject(new ConnectionError(`${this.url.host}: ${e.message}`, connected)));
      req.end(body);
    });
    const warning = res.headers.warning;
    if (this.warn && warning) {
      // `299 - "text"` entries (RFC 7234), comma-separated in one header or several.
      for (const m of [warning].flat().join(', ').matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) {
        const text = m[1].replace(/\\(.)/g, '$1');
        this.warning(text);
      }
    }
    if (this.log) {
      const { klogHeader } = await import('../cli/generate');
      this.log(`${klogHeader('I', 'round_trippers.go:553')} ${method} ${this.url.origin}${pathAndQuery} ${res.statusCode} ${res.statusMessage ?? ''} in ${Math.round(performance.now() - start)} milliseconds\n`);
    }
    return res;
  }

  /** Lets the process exit without waiting for idle keep-alive sockets. */
  close(): void {
    this.agent?.destroy();
  }
}

/** The whole body of a response. */
function collect(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (e) => reject(new ConnectionError(e.message)));
  });
}

/** What an answer to `method` of `pathAndQuery` carries besides its body. */
function answered(res: http.IncomingMessage, method: string, pathAndQuery: string, raw = false): Omit<ClientResponse, 'body'> {
  const type = res.headers['content-type'];
  return { status: res.statusCode ?? 0, ...(type !== undefined ? { contentType: type } : {}), request: { method, path: pathAndQuery.split('?')[0], raw } };
}

/**
 * A Status error body as the ApiError the server raised (kube-apiserver's reason and
 * message, a missing reason kept: kubectl's `Error from server: ...`); any other body is
 * client-go's unstructured response error for the code (genericServerResponse).
 */
export function statusError(res: ClientResponse): ApiError {
  // A body of a type client-go has no decoder for (text/plain...) is no Status, whatever it says.
  const media = res.contentType?.split(';')[0].trim().toLowerCase();
  if (media && media !== 'application/json') return genericServerResponse(res, media);
  try {
    const s = parseJson(res.body) as { kind?: string; status?: string; reason?: string; message?: string; details?: { causes?: { field?: string; message?: string }[] } };
    // Result.Error: a body that decodes to a Status with status Failure (kind required).
    if (s.kind === 'Status' && s.status === 'Failure') {
      // A cause's message is its type, value and detail already: a message cause, printed `field: message` as kubectl does.
      const causes = s.details?.causes?.map((c) => messageCause(c.message ?? '', c.field ?? ''));
      return new ApiError((s.reason ?? '') as Reason, s.message ?? '', { ...(s.details ?? {}), ...(causes ? { causes } : {}) } as StatusDetails);
    }
  } catch {
    /* not a Status */
  }
  return genericServerResponse(res, media);
}

/** client-go's maxUnstructuredResponseTextBytes: how much of an unstructured error body it quotes. */
const MAX_UNSTRUCTURED_TEXT = 2048;

/**
 * client-go's newUnstructuredResponseError: apierrors.NewGenericServerResponse's reason and
 * words for the code, the body quoted only when it is text (no Content-Type, or text/*;
 * otherwise "unknown"), and, for a request of a resource (not --raw's absolute path), the
 * verb, resource and name after it: `(get pods web)`.
 */
function genericServerResponse(res: ClientResponse, media: string | undefined): ApiError {
  const server = media === undefined || media === '' || media.startsWith('text/') ? Buffer.from(res.body).subarray(0, MAX_UNSTRUCTURED_TEXT).toString('utf8').trim() : 'unknown';
  const verb = res.request?.method.toUpperCase() ?? 'GET';
  const [reason, words] = GENERIC_RESPONSES[res.status]?.(server, verb) ?? (res.status >= 500 ? ['InternalError', `an error on the server (${goQuote(server)}) has prevented the request from succeeding`] : ['', `the server responded with the status code ${res.status} but did not return more information`]);
  const target = res.request && !res.request.raw ? resourceOfPath(res.request.path) : undefined;
  const what = target ? ` (${verb.toLowerCase()} ${target.group ? `${target.resource}.${target.group}` : target.resource}${target.name ? ` ${target.name}` : ''})` : '';
  // its one cause (CauseTypeUnexpectedServerResponse) is the server's text: a 422 prints it
  const causes = [messageCause(server)];
  return new ApiError(reason as Reason, words + what, target ? { group: target.group, kind: target.resource, ...(target.name ? { name: target.name } : {}), causes } : { causes });
}

/** NewGenericServerResponse's reason and message per code (the server's text kept where it says what is refused). */
const GENERIC_RESPONSES: Record<number, (server: string, verb: string) => [string, string]> = {
  409: (_, verb) => [verb === 'POST' ? 'AlreadyExists' : 'Conflict', 'the server reported a conflict'],
  404: () => ['NotFound', 'the server could not find the requested resource'],
  400: () => ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: () => ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: (server) => ['Forbidden', server],
  406: (server) => ['NotAcceptable', server === '' || server === 'unknown' ? 'the server was unable to respond with a content type that the client supports' : server],
  415: (server) => ['UnsupportedMediaType', server],
  405: () => ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  422: () => ['Invalid', 'the server rejected our request due to an error in our request'],
  503: () => ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: () => ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  429: () => ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
};

/**
 * The resource, its group and the object's name a REST path names, as client-go's request
 * builder held them (`/api/v1/namespaces/ns/pods/web/log`: pods, web); undefined for a path
 * that is no resource's.
 */
export function resourceOfPath(path: string): { group: string; resource: string; name?: string } | undefined {
  const parts = path.split('/').filter(Boolean);
  const legacy = parts[0] === 'api';
  if (!(legacy ? parts.length >= 3 : parts[0] === 'apis' && parts.length >= 4)) return undefined;
  const group = legacy ? '' : parts[1];
  let rest = parts.slice(legacy ? 2 : 3);
  // namespaces/<ns>/<resource>...; namespaces/<name>[/status|/finalize] is the namespace itself
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(legacy && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) rest = rest.slice(2);
  return { group, resource: rest[0], ...(rest[1] ? { name: rest[1] } : {}) };
}

/**
 * A client of the cluster's daemon when it runs and has recorded the URL it serves at;
 * undefined with KUBESIM_NO_DAEMON=1 or when no daemon serves (the verb then opens the store
 * itself, as it always did, which also starts the daemon).
 */
export function daemonClient(clusterDir: string, log?: (line: string) => void, logBodies = false, warn?: (text: string) => void, impersonation?: Record<string, string | string[]>): RestClient | undefined {
  const endpoint = daemonEndpoint(clusterDir);
  return endpoint && new RestClient(endpoint.url, endpoint.creds, log, logBodies, warn, impersonation);
}

/** daemonClient for a CLI verb: its cluster, and -v=6 (or more) logging each request to stderr (-v=8: with its body). */
export function verbDaemonClient(ctx: CliContext): RestClient | undefined {
  const v = Number(ctx.flags.v);
  return daemonClient(ctx.clusterDir, v >= 6 ? (line) => ctx.err(line) : undefined, v >= 8, (text) => ctx.err(`Warning: ${text}\n`), impersonationHeaders(ctx.flags));
}
