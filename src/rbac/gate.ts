// The RBAC authorizer over the cluster's stored Roles and Bindings (plus the bootstrap
// policy): the front end's check of every request, SubjectAccessReviews, and the
// `authorizer` of ValidatingAdmissionPolicies, all through ApiServer.rbac.

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { RequestUser } from '../api/rest/types';
import { decide, rulesFor, withBootstrap, type Decision, type NonResourceRequest, type PolicyRule, type RbacObjects, type ResourceRequest } from './authorizer';

type Attributes = ResourceRequest | NonResourceRequest;

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
    return (await this.decide(user, attrs)).allowed;
  }

  /** The decision with kube's reason (SubjectAccessReview status, admission policies' `authorizer`). */
  async decide(user: RequestUser, attrs: Attributes): Promise<Decision> {
    return (await this.checker())(user, attrs);
  }

  /**
   * A synchronous check over the roles as they are now, for callers that cannot wait per
   * check (a CEL expression's `authorizer.check()` runs inside a synchronous evaluation).
   */
  async checker(): Promise<(user: RequestUser, attrs: Attributes) => Decision> {
    const objs = await this.objects();
    return (user, attrs) => decide(objs, { name: user.name, groups: user.groups }, attrs);
  }
}

/** The same objects, one for one (shared list items keep their identity while unchanged). */
function sameItems(a: KObject[], b: KObject[]): boolean {
  return a.length === b.length && a.every((o, i) => o === b[i]);
}
