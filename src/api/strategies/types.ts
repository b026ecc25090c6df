// One strategy per kind, as kube-apiserver's registry/<group>/<kind>/strategy.go: what the
// API server does differently for a kind (status on create, server-side allocation and
// defaulting, canonical form, what a status write may touch, graceful deletion) lives with
// the kind, not in branches of the generic write path (src/api/server.ts).

import type { ApiServer, DeleteOptions } from '../server';
import type { KObject } from '../types';
import type { FieldError } from '../errors';

/** What a strategy may use of the API server (reads, the seeded rng, creating dependents). */
export type StrategyHost = Pick<ApiServer, 'registry' | 'rng' | 'list' | 'tryGet' | 'create'>;

/** The user a write is made for (user.Info): name, uid, groups, extra. */
export interface Requester {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface KindStrategy {
  /**
   * Mutating admission of this kind on create (after defaulting, before validation): pod limit
   * ranges, service account, tolerations, priority. `requestName`: '' for a generated name;
   * `limitRanges`: the namespace's, read once for the create's mutating and validating halves.
   */
  admit?(host: StrategyHost, obj: KObject, ctx: { requestName: string; limitRanges: KObject[]; dryRun: boolean }): Promise<void>;
  /** Kind-specific validation on create beyond the schema and field rules (a CSR's request and signer). */
  validate?(obj: KObject): Promise<FieldError[]>;
  /** The stored form after validation (Secret stringData folded into data). */
  canonicalize?(obj: KObject): void;
  /** Status (and server-owned finalizers) of a new object: PrepareForCreate's status reset. */
  prepareStatusOnCreate(obj: KObject): void;
  /** Server-side allocation and defaulting on create (Service addresses, Job selector, PVC class). */
  prepareForCreate?(host: StrategyHost, obj: KObject, user?: Requester): Promise<void>;
  /** On a spec update: keep what the server allocated (Service ClusterIP, node ports). */
  prepareForUpdate?(host: StrategyHost, current: KObject, next: KObject): void | Promise<void>;
  /** On a status write: what else of the input it may change (a Node's taints). */
  prepareForStatusUpdate?(input: KObject, next: KObject): void;
  /** After the object is stored (a Namespace's default ServiceAccount and root CA). */
  afterCreate?(host: StrategyHost, obj: KObject): Promise<void>;
  /**
   * Graceful deletion (rest.RESTGracefulDeleteStrategy): the grace period to mark the object
   * deleting with while something else finishes it, or undefined to delete it now.
   */
  gracefulDelete?(current: KObject, opts: DeleteOptions): number | undefined;
  /** Deletion always goes through Terminating and a controller (namespace finalisation). */
  finalizedByController?: boolean;
  /** Why this object may not be deleted at all, if so. */
  deletionForbidden?(name: string): string | undefined;
}
