// One request type in, one response type out: what the HTTP front end (src/server/) and any
// in-process caller hand to the REST handler. Nothing here knows about sockets or TLS.

/** Who is asking, after authentication and impersonation. */
export interface RequestUser {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface ApiRequest {
  method: string;
  /** The path as sent (still percent-encoded), without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body?: Buffer;
  user?: RequestUser;
  /** Aborted when the client goes away: ends watches and follows. */
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Streamed responses (watch, log follow): chunks written as they come (a watch's as bytes shared by its watchers). */
  stream?: AsyncIterable<string | Buffer>;
}

/** The cluster time when the server answered (ISO 8601 with milliseconds), on every response. */
export const CLUSTER_TIME_HEADER = 'x-kubesim-cluster-time';

/**
 * Sent by kubesim's own `get` with a Table request: the metadata fields (comma-separated) its
 * printer reads from each row's object (NAMESPACE, -L, --show-labels). The rows then carry only
 * those, not the whole ObjectMeta that kube-apiserver's includeObject=Metadata rows carry (its
 * managed fields are two thirds of a pod's row). Clients that do not send it (kubectl) get
 * kube-apiserver's rows.
 */
export const ROW_METADATA_HEADER = 'x-kubesim-row-metadata';

/** The largest request body kube-apiserver reads (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** What checking a bearer token against audiences found: its user and the audiences in common, an error, or nothing (not a token anyone knows). */
export type TokenCheck = { user: RequestUser; audiences: string[] } | { error: string } | undefined;
