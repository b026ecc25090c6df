// Authentication: a client certificate signed by the cluster CA (CN = user, O = groups),
// or the cluster's bearer token; then impersonation headers (kubectl --as / --as-group),
// allowed only when the real user may `impersonate` the users, groups or service accounts.

import * as crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ApiServer } from '../api/server';
import type { RequestUser, TokenCheck } from '../api/rest/types';
import { RestError, unauthorized } from '../api/rest/status';
import { impersonatedUser } from '../rbac/index';
import type { RbacGate } from './authz';
import { ADMIN_GROUP, ADMIN_USER } from './pki';
import { DEFAULT_AUDIENCE, checkServiceAccountToken, fromServiceAccountToken, serviceAccountStillValid } from './sa-token';

export const ANONYMOUS: RequestUser = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

function sameSecret(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

/** kube-apiserver's WebSocket token authenticator: browsers cannot set Authorization on a WebSocket, so the token comes as a subprotocol. */
export const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The bearer token offered as a `base64url.bearer.authorization.k8s.io.<token>` subprotocol of a WebSocket upgrade. */
function webSocketBearer(req: IncomingMessage): string | undefined {
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return undefined;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const p = offered.find((s) => s.startsWith(WS_BEARER_PREFIX));
  if (p === undefined) return undefined;
  const encoded = p.slice(WS_BEARER_PREFIX.length);
  const token = /^[A-Za-z0-9_-]+$/.test(encoded) ? Buffer.from(encoded, 'base64url').toString('utf8') : '';
  return `Bearer ${token}`;
}

/** The authenticated user, ANONYMOUS when no credentials came, or a 401 for bad ones. */
export function authenticate(req: IncomingMessage, token: string, signingKey?: string): RequestUser {
  const auth = req.headers.authorization ?? webSocketBearer(req);
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    const found = m ? checkBearerToken(m[1], { token, serverKey: signingKey }, [DEFAULT_AUDIENCE]) : undefined;
    if (!found || !('user' in found)) throw unauthorized();
    return found.user;
  }
  const sock = req.socket as TLSSocket;
  if (typeof sock.getPeerCertificate === 'function' && sock.authorized) {
    // The certificate is the connection's: decode it once per connection, not per request.
    const known = certUsers.get(sock);
    if (known) return { ...known, groups: [...known.groups] };
    const cert = sock.getPeerCertificate();
    const cn = cert?.subject?.CN;
    if (typeof cn === 'string' && cn) {
      const o = cert.subject.O as string | string[] | undefined;
      const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
      const user = { name: cn, groups: [...groups, 'system:authenticated'] };
      certUsers.set(sock, user);
      return { ...user, groups: [...user.groups] };
    }
  }
  return ANONYMOUS;
}

/**
 * The bearer token authenticators, for the audiences asked: a service account token (create
 * token, TokenRequest) signed with the server's key, then the cluster's static token, which
 * knows no audience and so is good for the API server's own only.
 */
function checkBearerToken(token: string, creds: { token: string; serverKey?: string }, audiences: string[]): TokenCheck {
  const sa = creds.serverKey && token.includes('.') ? checkServiceAccountToken(creds.serverKey, token, audiences) : undefined;
  if (sa) return sa;
  if (sameSecret(token, creds.token) && audiences.includes(DEFAULT_AUDIENCE)) {
    return { user: { name: ADMIN_USER, groups: [ADMIN_GROUP, 'system:authenticated'] }, audiences: [DEFAULT_AUDIENCE] };
  }
  return undefined;
}

/** A TokenReview's token through the same authenticators, for its audiences (the API server's own when none). */
export async function reviewBearerToken(token: string, asked: string[], creds: { token: string; serverKey: string }, api: ApiServer): Promise<TokenCheck> {
  const found = checkBearerToken(token, creds, asked.length ? asked : [DEFAULT_AUDIENCE]);
  if (found && 'user' in found && fromServiceAccountToken(found.user) && !(await serviceAccountStillValid(api, found.user))) return undefined;
  return found;
}

/** The user of each client-certificate connection (kept-alive connections carry many requests). */
const certUsers = new WeakMap<TLSSocket, RequestUser>();

/** A request's headers, as node gives them (the in-process CLI builds the same for its --as). */
export type RequestHeaders = Pick<IncomingMessage, 'headers' | 'headersDistinct'>;

/** Applies Impersonate-* headers, checking that `user` may impersonate. */
export async function impersonate(req: RequestHeaders, user: RequestUser, gate: RbacGate): Promise<RequestUser> {
  const name = header(req, 'impersonate-user');
  const groups = req.headersDistinct['impersonate-group'] ?? [];
  const uid = header(req, 'impersonate-uid');
  const extraKeys = Object.keys(req.headers).filter((h) => h.startsWith('impersonate-extra-'));
  if (name === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) {
      throw new RestError(500, 'InternalError', 'Internal error occurred: requested impersonation of groups or extra without a user');
    }
    return user;
  }
  const deny = (resource: string, what: string, namespace = ''): never => {
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    throw new RestError(403, 'Forbidden', `${resource} "${what}" is forbidden: User "${user.name}" cannot impersonate resource "${resource}" in API group "" ${scope}`, { name: what, kind: resource });
  };
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  if (sa) {
    if (!(await gate.allows(user, { verb: 'impersonate', group: '', resource: 'serviceaccounts', name: sa[2], namespace: sa[1] }))) deny('serviceaccounts', sa[2], sa[1]);
  } else if (!(await gate.allows(user, { verb: 'impersonate', group: '', resource: 'users', name, namespace: '' }))) deny('users', name);
  for (const g of groups) {
    if (!(await gate.allows(user, { verb: 'impersonate', group: '', resource: 'groups', name: g, namespace: '' }))) deny('groups', g);
  }
  const extra: Record<string, string[]> = {};
  for (const k of extraKeys) extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = req.headersDistinct[k] ?? [];
  const out: RequestUser = impersonatedUser(name, groups);
  if (uid !== undefined) out.uid = uid;
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}

function header(req: RequestHeaders, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
