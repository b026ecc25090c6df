// The contract between the controller manager and the reconcilers (controller-runtime's
// shape): a reconciler gets a key, reads desired and current state through the API,
// acts, and says when to look again. Idempotent; not-found means done.

import type { ApiServer } from '../api/server';
import type { Clock } from '../sim/clock';
import type { Rng } from '../sim/rng';
import type { ClusterProfile } from '../sim/profile';

export interface ReconcileKey {
  kind: string; // the Kind the reconciler is keyed on, e.g. 'Deployment'
  namespace?: string;
  name: string;
}

export interface Result {
  /** Look at this key again after this many cluster milliseconds (timers: backoffs, probes, schedules). */
  requeueAfterMs?: number;
  /**
   * The requeue is a steady-state timer (heartbeat, CronJob schedule, a running container's
   * periodic log line), not a wait for progress. `runUntilStable` stops advancing the clock
   * when only periodic work remains.
   */
  periodic?: boolean;
  /**
   * A housekeeping beat (a live node's Lease renewal, a garbage or expiry sweep): running it
   * once late, at a time the clock stops at anyway, leaves the state running it at every
   * beat would. A clock jump does not stop for it (a simulated year does not step every
   * 10 s); it runs at the jump's other stops and at its end. Implies `periodic`.
   */
  sweep?: boolean;
  /**
   * With `periodic`: the key also waits for a running container's own command to end this
   * many cluster ms from now (`sleep 3600`), its only wait for progress. `runUntilStable`
   * waits for it only when it comes within the run's window counted from now: a process
   * that ends in an hour leaves a 10-minute run stable, one that ends every 5 minutes does not.
   */
  endsAfterMs?: number;
  /**
   * The primary object's resourceVersion this reconcile acted on, and the one its own write
   * gave it: the change feed's entries for versions up to the first, or for exactly the
   * second, do not queue the key for this reconciler again (a pass over what it saw or wrote
   * itself, with everything due done, would change nothing). Another writer's version after
   * the one read still does.
   */
  readVersion?: string;
  wroteVersion?: string;
}

export interface ControllerContext {
  api: ApiServer;
  clock: Clock;
  rng: Rng;
  profile: ClusterProfile;
  log(message: string): void;
  /** The cluster's state directory (its CA in pki/ signs approved CSRs); unset in memory clusters. */
  clusterDir?: string;
  /**
   * Set while the manager steps through a clock jump to `to` (stepThrough). A reconciler may
   * then account for steady-state work whose every effect is gone by `to` without doing it
   * at each stop (the CronJob fast-forward); `exact` asks for every stop all the same.
   */
  jump?: { from: number; to: number; exact?: boolean };
  /**
   * What watches' mappers read while the manager maps one poll's changes (mapperRead): a
   * namespace's Services, budgets and quotas were listed again for each of its pods' changes.
   */
  mapperReads?: Map<string, unknown>;
}

export interface Reconciler {
  readonly name: string;
  /** The kind whose objects are this reconciler's keys (apiVersion/kind, e.g. ['apps/v1', 'Deployment']). */
  readonly primary: [apiVersion: string, kind: string];
  /**
   * Which primary objects are keys at all (kube-scheduler queues unassigned pods only; an
   * assigned pod's change goes to its cache): a change or re-list of any other does not
   * queue it. Watches, requeues and direct enqueues still can. Must only read.
   */
  readonly primaryFilter?: (obj: import('../api/types').KObject) => boolean;
  /**
   * Other kinds whose changes should requeue a primary key. Return the keys to requeue for
   * a changed object (e.g. a Pod change requeues its owning ReplicaSet via ownerReferences;
   * a Node change requeues every pending Pod for the scheduler). `type` is the change's
   * (undefined when a re-list, not the change feed, brought the object).
   */
  readonly watches?: Array<{ kind: string; map: (obj: import('../api/types').KObject, ctx: ControllerContext, type?: import('../store/store').EventType) => ReconcileKey[] | Promise<ReconcileKey[]> }>;
  /**
   * The manager re-listed without the changes in between (start-up, a compacted or trimmed
   * feed): state a reconciler keeps from `watches` has missed some and must be rebuilt.
   */
  readonly relisted?: (ctx: ControllerContext) => void;
  /**
   * 'first': its ready keys run before every other reconciler's. kube-scheduler is a process
   * of its own; queued behind the kubelets' and controllers' keys in one shared queue, a pod
   * created during a busy pass waited for all of them to be bound.
   */
  readonly lane?: 'first';
  reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<Result | void> | Result | void;
  /**
   * Writes this reconciler's reconciles left to go together (the kubelets' Lease renewals of
   * one tick: one store call), in the pass's store group: before the manager follows the
   * feed and when a pass ends.
   */
  readonly flush?: (ctx: ControllerContext) => Promise<void>;
}

/** Thrown by a reconciler for errors retrying cannot fix: logged, not requeued. */
export class TerminalError extends Error {}
