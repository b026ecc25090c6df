// The virtual resources that are questions, not objects: SelfSubjectAccessReview and
// SubjectAccessReview (authorization.k8s.io/v1, answered by the front end's RBAC
// authorizer), SelfSubjectReview (authentication.k8s.io/v1, `auth whoami`) and TokenReview
// (a bearer token checked by the server's token authenticators, for webhooks and proxies).

import { REVIEW_GROUP_VERSIONS, REVIEW_RESOURCES } from '../resources';
import type { Route } from './route';
import type { RestHandler } from './handler';
import { notFoundPath } from './handler';
import { badRequest, jsonResponse, methodNotAllowed } from './status';
import type { ApiRequest, ApiResponse, RequestUser } from './types';
import { decodeBody, defaultTypeMeta, warningHeaders } from './writes';
import { applyFieldValidation } from './field-validation';
import type { KObject } from '../types';

const REVIEWS: Record<string, string[]> = {};
const KINDS: Record<string, string> = {};
for (const r of REVIEW_RESOURCES) {
  (REVIEWS[`${r.group}/${r.version}`] ??= []).push(r.plural);
  KINDS[r.plural] = r.kind;
}
export { REVIEW_GROUP_VERSIONS, REVIEW_RESOURCES };

/** Their groups in apidiscovery.k8s.io/v2 form (kubectl 1.32 resolves `auth can-i create selfsubjectaccessreviews` from these). */
export function reviewDiscoveryItems(): Record<string, unknown>[] {
  return REVIEW_GROUP_VERSIONS.map((gv) => {
    const [group, version] = gv.split('/');
    const resources = REVIEW_RESOURCES.filter((r) => r.group === group).map((r) => ({
      resource: r.plural,
      responseKind: { group, version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.kind.toLowerCase(),
      verbs: r.verbs,
    }));
    return { metadata: { name: group, creationTimestamp: null }, versions: [{ version, resources, freshness: 'Current' }] };
  });
}

/** Handles the review resources; undefined when the request is about something else. */
export function reviewRoutes(h: RestHandler, req: ApiRequest, group: string, version: string, r: Extract<Route, { kind: 'resource' }> | undefined): Promise<ApiResponse> | ApiResponse | undefined {
  const gv = `${group}/${version}`;
  const names = REVIEWS[gv];
  if (!names) return undefined;
  if (!r) {
    return jsonResponse(200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: names.map((n) => ({ name: n, singularName: KINDS[n].toLowerCase(), namespaced: n.startsWith('local'), kind: KINDS[n], verbs: ['create'] })),
    });
  }
  if (!names.includes(r.resource) || r.name !== undefined) throw notFoundPath();
  if (req.method.toUpperCase() !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  return review(h, req, gv, r.resource, r.namespace);
}

async function review(h: RestHandler, req: ApiRequest, gv: string, resource: string, namespace: string | undefined): Promise<ApiResponse> {
  const body = decodeBody(req) as Record<string, any>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body of the request must be an object');
  defaultTypeMeta(body, gv, KINDS[resource]);
  // Decoded into its type as any create is: strict fails on unknown fields, else they are dropped.
  const warnings = await reviewFields(h, req, gv, resource, body);
  const answer = await answerReview(h, req, gv, resource, namespace, body);
  return warnings.length ? { ...answer, headers: { ...answer.headers, ...warningHeaders(warnings) } } : answer;
}

async function reviewFields(h: RestHandler, req: ApiRequest, gv: string, resource: string, body: Record<string, any>): Promise<string[]> {
  const rt = REVIEW_RESOURCES.find((r) => r.plural === resource)!;
  if (req.query.get('fieldValidation') === 'Strict' && h.api.validator) {
    const errs = h.api.validator.schemaErrors(body as KObject, rt);
    if (errs.length) throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${errs.join(', ')}`);
    return [];
  }
  return applyFieldValidation(h, req, { rt, version: rt.version, gv }, body as KObject);
}

async function answerReview(h: RestHandler, req: ApiRequest, gv: string, resource: string, namespace: string | undefined, body: Record<string, any>): Promise<ApiResponse> {
  const self = req.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  const kind = KINDS[resource];
  if (resource === 'selfsubjectreviews') {
    const userInfo: Record<string, unknown> = { username: self.name, groups: self.groups };
    if (self.uid) userInfo.uid = self.uid;
    if (self.extra && Object.keys(self.extra).length) userInfo.extra = self.extra;
    return jsonResponse(201, { kind, apiVersion: gv, metadata: { creationTimestamp: null }, status: { userInfo } });
  }
  const spec = (body.spec ?? {}) as Record<string, any>;
  if (resource === 'tokenreviews') return tokenReview(h, gv, spec);
  if (resource === 'selfsubjectrulesreviews') {
    const ns = typeof spec.namespace === 'string' ? spec.namespace : '';
    const rules = h.opts.rules ? await h.opts.rules(self, ns) : [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
    const resourceRules = rules.filter((r) => (r.resources ?? []).length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
    const nonResourceRules = rules.filter((r) => (r.nonResourceURLs ?? []).length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    return jsonResponse(201, { kind, apiVersion: gv, metadata: { creationTimestamp: null }, spec, status: { resourceRules, nonResourceRules, incomplete: false } });
  }
  let user: RequestUser = self;
  if (resource !== 'selfsubjectaccessreviews') {
    if (!spec.user && !(spec.groups ?? []).length) {
      throw badRequest(`${kind}.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`);
    }
    user = { name: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid };
  }
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (!ra && !nra) throw badRequest(`${kind}.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`);
  // Without an authorizer every review is allowed (with no reason).
  let decision = { allowed: true, reason: '' };
  if (h.opts.authorize) {
    decision = ra
      ? await h.opts.authorize(user, { verb: ra.verb ?? '', group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource || undefined, name: ra.name || undefined, namespace: namespace ?? ra.namespace ?? '' })
      : await h.opts.authorize(user, { verb: nra.verb ?? '', path: nra.path ?? '' });
  }
  // SubjectAccessReviewStatus: the authorizer's reason (`RBAC: allowed by ...`), omitted when empty.
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  return jsonResponse(201, { kind, apiVersion: gv, metadata: { creationTimestamp: null }, spec, status });
}

/**
 * pkg/registry/authentication/tokenreview: the token goes through the server's token
 * authenticators for the audiences asked (the API server's own when none); the answer is the
 * review with its status filled, `{"user":{}}` for a token nobody knows.
 */
async function tokenReview(h: RestHandler, gv: string, spec: Record<string, any>): Promise<ApiResponse> {
  if (typeof spec.token !== 'string' || spec.token === '') throw badRequest('token is required for TokenReview in authentication');
  const asked = Array.isArray(spec.audiences) ? spec.audiences.filter((a: unknown): a is string => typeof a === 'string') : [];
  const out = { kind: 'TokenReview', apiVersion: gv, metadata: { creationTimestamp: null }, spec, status: {} as Record<string, unknown> };
  if (!h.opts.reviewToken) return jsonResponse(201, out);
  const found = await h.opts.reviewToken(spec.token, asked);
  if (found && 'user' in found) {
    const u = found.user;
    const user: Record<string, unknown> = { username: u.name };
    if (u.uid) user.uid = u.uid;
    if (u.groups.length) user.groups = u.groups;
    if (u.extra && Object.keys(u.extra).length) user.extra = u.extra;
    out.status = { authenticated: true, user, audiences: found.audiences };
  } else {
    out.status = { user: {}, ...(found?.error ? { error: found.error } : {}) };
  }
  return jsonResponse(201, out);
}
