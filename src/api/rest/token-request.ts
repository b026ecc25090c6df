// serviceaccounts/NAME/token (TokenRequest, `kubectl create token`): kube-apiserver's
// TokenREST.Create: the body's name/namespace must match the URL, the service account must
// exist, spec defaults (audiences: the API server's; expirationSeconds: 3600) and
// validation (10 minutes to 2^32 seconds), an optional bound Pod, Secret or Node, and the
// token signed by the issuer the transport supplies (src/server/sa-token.ts).

import { ApiError } from '../errors';
import { goJsonKind, goJsonNumber, goUnmarshalTypeError } from '../../util/go-format';
import type { KObject } from '../types';
import type { RestHandler, Target } from './handler';
import { badRequest, jsonResponse, RestError } from './status';
import type { ApiRequest, ApiResponse } from './types';
import { decodeBody } from './writes';

export interface TokenIssuer {
  /** The audiences a token gets when the request names none (the API server's). */
  audiences: string[];
  issue(sub: { namespace: string; name: string; uid: string; boundObject?: { kind: string; name: string; uid: string } }, opts: { audiences: string[]; expirationSeconds: number; nowSec: number }): string;
}

const MIN_SECONDS = 10 * 60;
const MAX_SECONDS = 2 ** 32;

const stamp = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const invalid = (name: string, field: string, value: string, detail: string) => ApiError.invalid('TokenRequest', 'authentication.k8s.io', name, [{ field, type: 'Invalid value', value, detail }]);

export async function createToken(h: RestHandler, req: ApiRequest, t: Target, issuer: TokenIssuer | undefined): Promise<ApiResponse> {
  const name = t.name!;
  const namespace = t.namespace!;
  const body = decodeBody(req) as Record<string, any>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body of the request must be a TokenRequest object');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (TokenRequest)`);
  const meta = (body.metadata ?? {}) as Record<string, any>;
  if (meta.name && meta.name !== name) throw invalid(name, 'metadata.name', JSON.stringify(meta.name), 'must match the service account name if specified');
  if (meta.namespace && meta.namespace !== namespace) throw invalid(name, 'metadata.namespace', JSON.stringify(meta.namespace), 'must match the service account namespace if specified');
  const sa = await h.api.get(t.rt, namespace, name);
  if (meta.uid && meta.uid !== sa.metadata.uid) {
    throw new ApiError('Conflict', `Operation cannot be fulfilled on TokenRequest.authentication.k8s.io "${name}": the UID in the token request (${meta.uid}) does not match the UID of the service account (${sa.metadata.uid})`, { name, group: 'authentication.k8s.io', kind: 'TokenRequest' });
  }
  const spec = (body.spec ?? {}) as Record<string, any>;
  const audiences: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : issuer?.audiences ?? [];
  const given: unknown = spec.expirationSeconds ?? 3600;
  // An exact int64 (a bigint) is far outside the allowed range: only its size matters here.
  const expirationSeconds: unknown = typeof given === 'bigint' ? Number(given) : given;
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds) || Math.abs(expirationSeconds) >= 2 ** 63) {
    const value = typeof expirationSeconds === 'number' ? `number ${goJsonNumber(expirationSeconds)}` : goJsonKind(expirationSeconds);
    throw badRequest(goUnmarshalTypeError(value, 'int64', 'TokenRequestSpec', 'spec.expirationSeconds'));
  }
  if (expirationSeconds < MIN_SECONDS) throw invalid('', 'spec.expirationSeconds', String(given), 'may not specify a duration less than 10 minutes');
  if (expirationSeconds > MAX_SECONDS) throw ApiError.invalid('TokenRequest', 'authentication.k8s.io', '', [{ field: 'spec.expirationSeconds', type: 'Too long', detail: 'may not specify a duration larger than 2^32 seconds' }]);
  const ref = spec.boundObjectRef as { kind?: string; apiVersion?: string; name?: string; uid?: string } | null | undefined;
  let bound: { kind: string; name: string; uid: string } | undefined;
  let boundRef: Record<string, unknown> | null = null;
  if (ref) {
    const group = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/')[0] : '';
    const kind = ref.kind ?? '';
    let obj: KObject;
    if (group === '' && kind === 'Pod') {
      obj = await h.api.get(h.api.registry.forKind('v1', 'Pod'), namespace, ref.name ?? '');
      if ((obj.spec?.serviceAccountName ?? 'default') !== name) throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
    } else if (group === '' && kind === 'Secret') {
      obj = await h.api.get(h.api.registry.forKind('v1', 'Secret'), namespace, ref.name ?? '');
    } else if (group === '' && kind === 'Node') {
      obj = await h.api.get(h.api.registry.forKind('v1', 'Node'), undefined, ref.name ?? '');
    } else {
      throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${kind}`);
    }
    const uid = String(obj.metadata.uid);
    if (ref.uid && ref.uid !== uid) {
      throw new ApiError('Conflict', `Operation cannot be fulfilled on ${kind} "${ref.name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`, { name: ref.name, kind });
    }
    bound = { kind, name: ref.name!, uid };
    boundRef = { ...ref };
  }
  if (!issuer) throw new RestError(503, 'ServiceUnavailable', 'service account tokens are not configured');
  // Wall-clock time: the token is presented by real clients.
  const nowSec = Math.floor(Date.now() / 1000);
  const token = issuer.issue({ namespace, name, uid: String(sa.metadata.uid), boundObject: bound }, { audiences, expirationSeconds, nowSec });
  return jsonResponse(201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: stamp(nowSec) },
    spec: { audiences, expirationSeconds, boundObjectRef: boundRef },
    status: { token, expirationTimestamp: stamp(nowSec + expirationSeconds) },
  });
}
