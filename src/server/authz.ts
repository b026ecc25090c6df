// Authorization of each request: its attributes (verb, group, resource, subresource,
// name, namespace, or a non-resource path) checked by the RBAC authorizer (src/rbac) over
// the cluster's Roles and Bindings plus the bootstrap policy; kube-apiserver's 403 texts.

import type { ApiServer } from '../api/server';
import { authorize, rulesFor, withBootstrap, type NonResourceRequest, type PolicyRule, type RbacObjects, type ResourceRequest } from '../rbac/index';
import type { RequestUser } from '../api/rest/types';
import { route } from '../api/rest/route';
import { RestError } from '../api/rest/status';
import type { KObject } from '../api/types';

export type Attributes = ResourceRequest | NonResourceRequest;

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

interface GateCache {
  rev: number;
  listed: KObject[][];
  objs: RbacObjects;
}

export class RbacGate {
  private cached?: GateCache;

  constructor(readonly api: ApiServer) {}

  /**
   * The RBAC objects, worked out again only when one of them changed: every write moves the
   * store's revision, and re-reading and re-aggregating the roles on each would cost every
   * request behind a write. The lists are the store's shared (frozen) objects, which keep
   * their identity while unchanged, so comparing them tells whether any RBAC object moved.
   */
  private async objects(): Promise<RbacObjects> {
    const c = this.cached;
    // kube-apiserver's authorizer reads its informers' memory: once the store could not be
    // read (etcd without quorum), the roles last read decide at once while it is tried again.
    if (c && this.readFailed) {
      this.reading ??= this.read(c).catch(() => c.objs).finally(() => (this.reading = undefined));
      return c.objs;
    }
    try {
      return await this.read(c);
    } catch (e) {
      if (c) return c.objs;
      throw e;
    }
  }

  private readFailed = false;
  private reading?: Promise<RbacObjects>;

  private async read(c: GateCache | undefined): Promise<RbacObjects> {
    let rev: number;
    let listed: KObject[][];
    try {
      rev = Number(await this.api.currentRev());
      this.readFailed = false;
      if (c && c.rev === rev) return c.objs;
      const t = (kind: string) => this.api.registry.forKind('rbac.authorization.k8s.io/v1', kind);
      listed = await Promise.all(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map(async (k) => (await this.api.list(t(k), { shared: true })).items));
    } catch (e) {
      this.readFailed = true;
      throw e;
    }
    if (c && listed.every((items, i) => sameItems(items, c.listed[i]))) {
      this.cached = { ...c, rev };
      return c.objs;
    }
    const [roles, clusterRoles, roleBindings, clusterRoleBindings] = listed;
    const objs = withBootstrap({ roles, clusterRoles, roleBindings, clusterRoleBindings });
    this.cached = { rev, listed, objs };
    return objs;
  }

  /** The rules that apply to the user in a namespace (SelfSubjectRulesReview). */
  async rules(user: RequestUser, namespace: string): Promise<PolicyRule[]> {
    return rulesFor(await this.objects(), { name: user.name, groups: user.groups }, namespace);
  }

  async allows(user: RequestUser, attrs: Attributes): Promise<boolean> {
    if (user.groups.includes('system:masters')) return true;
    return authorize(await this.objects(), { name: user.name, groups: user.groups }, attrs);
  }
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

/** The same objects, one for one (shared list items keep their identity while unchanged). */
function sameItems(a: KObject[], b: KObject[]): boolean {
  return a.length === b.length && a.every((o, i) => o === b[i]);
}
