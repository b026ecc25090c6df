// Service account tokens (TokenRequest, `create token`): RS256 JWTs with the claims the
// kube-apiserver puts in bound tokens, signed with the API server's key, so its
// authenticator (authn.ts) accepts them as system:serviceaccount:<ns>:<name>.
// Expiry is checked against wall-clock time: the tokens are presented by real clients.

import * as crypto from 'node:crypto';
import type { RequestUser, TokenCheck } from '../api/rest/types';
import type { ApiServer } from '../api/server';

export const DEFAULT_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const DEFAULT_EXPIRATION_SECONDS = 3600;

export interface TokenSubject {
  namespace: string;
  name: string;
  uid: string;
  boundObject?: { kind: string; name: string; uid: string };
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function keyId(publicKey: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** A signed token for `sub`, valid from `nowSec` for `expirationSeconds`. */
export function issueServiceAccountToken(signingKeyPem: string, sub: TokenSubject, opts: { audiences: string[]; expirationSeconds: number; nowSec: number }): string {
  const key = crypto.createPrivateKey(signingKeyPem);
  const header = { alg: 'RS256', kid: keyId(crypto.createPublicKey(key)) };
  const k8s: Record<string, unknown> = { namespace: sub.namespace, serviceaccount: { name: sub.name, uid: sub.uid } };
  if (sub.boundObject) k8s[sub.boundObject.kind.toLowerCase()] = { name: sub.boundObject.name, uid: sub.boundObject.uid };
  const claims = {
    aud: opts.audiences,
    exp: opts.nowSec + opts.expirationSeconds,
    iat: opts.nowSec,
    iss: DEFAULT_AUDIENCE,
    jti: crypto.randomUUID(),
    'kubernetes.io': k8s,
    nbf: opts.nowSec,
    sub: `system:serviceaccount:${sub.namespace}:${sub.name}`,
  };
  const unsigned = `${b64(header)}.${b64(claims)}`;
  const sig = crypto.sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url');
  return `${unsigned}.${sig}`;
}

const CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/**
 * The service account a token names, checked as kube-apiserver's service account
 * authenticator does (uid and extra as it sets them): our signature,
 * then expiry (the one failure it reports: "service account token has expired"), then an
 * audience in common with `audiences` (none: not ours, no error).
 */
export function checkServiceAccountToken(signingKeyPem: string, token: string, audiences: string[], nowSec = Math.floor(Date.now() / 1000)): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const pub = crypto.createPublicKey(crypto.createPrivateKey(signingKeyPem));
    if (!crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), pub, Buffer.from(parts[2], 'base64url'))) return undefined;
    const c = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { aud?: string[] | string; exp?: number; nbf?: number; sub?: string; jti?: string; 'kubernetes.io'?: Record<string, { name?: string; uid?: string } | string> };
    if (typeof c.exp !== 'number' || (typeof c.nbf === 'number' && c.nbf > nowSec + 60)) return undefined;
    if (c.exp <= nowSec) return { error: '[invalid bearer token, service account token has expired]' };
    // A token for another audience (create token --audience X) is not for this API server.
    const common = [c.aud ?? []].flat().filter((a) => audiences.includes(a));
    if (!common.length) return undefined;
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(c.sub ?? '');
    if (!m) return undefined;
    const k8s = c['kubernetes.io'] ?? {};
    const sa = k8s.serviceaccount as { uid?: string } | undefined;
    const extra: Record<string, string[]> = {};
    if (c.jti) extra[CREDENTIAL_ID] = [`JTI=${c.jti}`];
    for (const kind of ['pod', 'secret', 'node'] as const) {
      const o = k8s[kind] as { name?: string; uid?: string } | undefined;
      if (o?.name) extra[`authentication.kubernetes.io/${kind}-name`] = [o.name];
      if (o?.uid) extra[`authentication.kubernetes.io/${kind}-uid`] = [o.uid];
    }
    const user: RequestUser = { name: c.sub!, groups: ['system:serviceaccounts', `system:serviceaccounts:${m[1]}`, 'system:authenticated'], extra };
    if (sa?.uid) user.uid = sa.uid;
    return { user, audiences: common };
  } catch {
    return undefined;
  }
}

/** Whether an authenticated user came from a service account token (not a certificate). */
export function fromServiceAccountToken(user: RequestUser): boolean {
  return user.name.startsWith('system:serviceaccount:') && user.uid !== undefined && user.extra?.[CREDENTIAL_ID] !== undefined;
}

/**
 * kube-apiserver's validator: the token's service account (and the Pod or Secret it is
 * bound to) must still exist with the UID the token names.
 */
export async function serviceAccountStillValid(api: ApiServer, user: RequestUser): Promise<boolean> {
  const [, , ns, name] = user.name.split(':');
  const live = async (kind: string, objName: string, uid: string | undefined) => {
    const obj = await api.tryGet(api.registry.forKind('v1', kind), ns, objName);
    return obj !== undefined && (uid === undefined || obj.metadata.uid === uid);
  };
  if (!(await live('ServiceAccount', name, user.uid))) return false;
  for (const kind of ['Pod', 'Secret']) {
    const objName = user.extra?.[`authentication.kubernetes.io/${kind.toLowerCase()}-name`]?.[0];
    if (objName && !(await live(kind, objName, user.extra?.[`authentication.kubernetes.io/${kind.toLowerCase()}-uid`]?.[0]))) return false;
  }
  return true;
}
