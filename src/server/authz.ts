// Authorization of each request: its attributes (verb, group, resource, subresource,
// name, namespace, or a non-resource path) checked by the RBAC authorizer (src/rbac) over
// the cluster's Roles and Bindings plus the bootstrap policy; kube-apiserver's 403 texts.

import type { NonResourceRequest, ResourceRequest } from '../rbac/index';
import type { RequestUser } from '../api/rest/types';
import { route } from '../api/rest/route';
import { RestError } from '../api/rest/status';

export type Attributes = ResourceRequest | NonResourceRequest;

/** The RBAC authorizer with its cached roles (the API server owns one: ApiServer.rbac). */
export { RbacGate } from '../rbac/gate';
import type { RbacGate } from '../rbac/gate';

/** What a request asks to do, in RBAC terms. */
export function attributesOf(method: string, rawPath: string, query: URLSearchParams): Attributes {
  const m = method.toUpperCase();
  const r = route(rawPath);
  if (r.kind !== 'resource') return { verb: m === 'HEAD' ? 'get' : m.toLowerCase(), path: decodeURI(rawPath) };
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: string;
  switch (m) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : r.name === undefined ? 'list' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = r.name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = m.toLowerCase();
  }
  // exec/attach/portforward are "create" whatever the method (a WebSocket upgrade is a GET).
  if (r.subresource === 'exec' || r.subresource === 'attach' || r.subresource === 'portforward') verb = 'create';
  return { verb, group: r.group, resource: r.resource, subresource: r.subresource, name: r.name, namespace: r.namespace ?? '' };
}

/** Refuses (kube-apiserver's 403) a request `user` may not make: the daemon's and the in-process CLI's one check. */
export async function authorizeRequest(gate: RbacGate, user: RequestUser, method: string, rawPath: string, query: URLSearchParams): Promise<void> {
  const attrs = attributesOf(method, rawPath, query);
  if (!(await gate.allows(user, attrs))) throw forbidden(user, attrs);
}

/** kube-apiserver's Forbidden Status for a denied request. */
export function forbidden(user: RequestUser, a: Attributes): RestError {
  if ('path' in a) return new RestError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"`, {});
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.group ? `${a.resource}.${a.group}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const subject = a.name ? `${what} "${a.name}"` : what;
  const details: Record<string, unknown> = { kind: a.resource };
  if (a.name) details.name = a.name;
  if (a.group) details.group = a.group;
  return new RestError(403, 'Forbidden', `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`, details);
}
