// The `authorizer` of admission policy CEL (k8s.io/apiserver pkg/cel/library/authz.go, with
// the 1.31 selectors): `authorizer.group(g).resource(r).subresource(s).namespace(ns).name(n)
// .check(verb)`, `authorizer.path(p).check(verb)`, `authorizer.serviceAccount(ns, name)`,
// `authorizer.requestResource` (the request's own resource), and a Decision's `allowed()`,
// `reason()`, `errored()`, `error()`. Checks are answered by the cluster's RBAC authorizer
// (src/rbac decide, through ApiServer.rbac) for the requesting user. CEL runs synchronously,
// so the policy's roles are read once before its expressions run (see Check).

import type { Environment } from '@marcbachmann/cel-js';
import type { Decision } from '../../rbac/authorizer';
import { isDns1123Label, isDns1123Subdomain } from '../validation/string-rules';
import type { Requester } from '../strategies/types';

/** One authorization check of a user (resource or non-resource attributes). */
export type Check = (user: Requester, attrs: { verb: string; group: string; resource: string; subresource?: string; name?: string; namespace: string } | { verb: string; path: string }) => Decision & { error?: string };

const T = 'kubernetes.authorization';

/** A library function's failure, worded as cel-go's types.NewErr (kept as is by runtimeError). */
class AuthzError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelRuntimeError';
  }
}

export class Authorizer {
  constructor(
    readonly user: Requester,
    readonly check: Check,
  ) {}
}

class PathCheck {
  constructor(
    readonly authz: Authorizer,
    readonly path: string,
  ) {}
}

class GroupCheck {
  constructor(
    readonly authz: Authorizer,
    readonly group: string,
  ) {}
}

class ResourceCheck {
  subresource = '';
  namespace = '';
  name = '';
  constructor(
    readonly authz: Authorizer,
    readonly group: string,
    readonly resource: string,
  ) {}
  with(field: 'subresource' | 'namespace' | 'name', value: string): ResourceCheck {
    const out = Object.assign(new ResourceCheck(this.authz, this.group, this.resource), this);
    out[field] = value;
    return out;
  }
}

class AuthzDecision {
  constructor(readonly d: Decision & { error?: string }) {}
}

/** The `authorizer` variable's value: `requestResource` is NewResourceAuthorizerVal of the request. */
export function authorizerOf(user: Requester, check: Check, request: { group: string; resource: string; subresource: string; namespace: string; name: string }): Authorizer & { requestResource: ResourceCheck } {
  const authz = new Authorizer(user, check);
  const r = new ResourceCheck(authz, request.group, request.resource).with('subresource', request.subresource).with('namespace', request.namespace).with('name', request.name);
  return Object.assign(authz, { requestResource: r });
}

/** Declares the types, the `authorizer` variable and the library's functions in `env`. */
export function registerAuthz(env: Environment): void {
  // No fields but the one kube declares as a variable of its own (`authorizer.requestResource`).
  env.registerType(`${T}.Authorizer`, { ctor: Authorizer, fields: { requestResource: `${T}.ResourceCheck` } });
  env.registerType(`${T}.PathCheck`, { ctor: PathCheck, fields: {} });
  env.registerType(`${T}.GroupCheck`, { ctor: GroupCheck, fields: {} });
  env.registerType(`${T}.ResourceCheck`, { ctor: ResourceCheck, fields: {} });
  env.registerType(`${T}.Decision`, { ctor: AuthzDecision, fields: {} });
  env.registerVariable('authorizer', `${T}.Authorizer`);
  env.registerFunction(`${T}.Authorizer.path(string): ${T}.PathCheck`, (a: Authorizer, path: string) => {
    if (!path.trim()) throw new AuthzError('path must not be empty');
    return new PathCheck(a, path);
  });
  env.registerFunction(`${T}.Authorizer.group(string): ${T}.GroupCheck`, (a: Authorizer, group: string) => new GroupCheck(a, group));
  env.registerFunction(`${T}.Authorizer.serviceAccount(string, string): ${T}.Authorizer`, (a: Authorizer, namespace: string, name: string) => {
    if (isDns1123Subdomain(name).length) throw new AuthzError('Invalid service account name');
    if (isDns1123Label(namespace).length) throw new AuthzError('Invalid service account namespace');
    // ServiceAccountInfo.UserInfo: the account's name and its two groups (no system:authenticated).
    return new Authorizer({ name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] }, a.check);
  });
  env.registerFunction(`${T}.GroupCheck.resource(string): ${T}.ResourceCheck`, (g: GroupCheck, resource: string) => {
    if (!resource.trim()) throw new AuthzError('resource must not be empty');
    return new ResourceCheck(g.authz, g.group, resource);
  });
  for (const field of ['subresource', 'namespace', 'name'] as const) {
    env.registerFunction(`${T}.ResourceCheck.${field}(string): ${T}.ResourceCheck`, (r: ResourceCheck, v: string) => r.with(field, v));
  }
  // The selectors narrow a check for authorizers that read them; RBAC does not.
  for (const selector of ['fieldSelector', 'labelSelector']) {
    env.registerFunction(`${T}.ResourceCheck.${selector}(string): ${T}.ResourceCheck`, (r: ResourceCheck) => r);
  }
  env.registerFunction(`${T}.PathCheck.check(string): ${T}.Decision`, (p: PathCheck, verb: string) => new AuthzDecision(p.authz.check(p.authz.user, { verb, path: p.path })));
  env.registerFunction(`${T}.ResourceCheck.check(string): ${T}.Decision`, (r: ResourceCheck, verb: string) =>
    new AuthzDecision(r.authz.check(r.authz.user, { verb, group: r.group, resource: r.resource, subresource: r.subresource || undefined, name: r.name || undefined, namespace: r.namespace })),
  );
  env.registerFunction(`${T}.Decision.allowed(): bool`, (d: AuthzDecision) => d.d.allowed);
  env.registerFunction(`${T}.Decision.reason(): string`, (d: AuthzDecision) => d.d.reason);
  env.registerFunction(`${T}.Decision.errored(): bool`, (d: AuthzDecision) => d.d.error !== undefined);
  env.registerFunction(`${T}.Decision.error(): string`, (d: AuthzDecision) => d.d.error ?? '');
}
