// Every reconciler of the simulated cluster, and a manager running them: the engine
// (scheduler, kubelet, node lifecycle) plus the workload controllers.

import type { ControllerContext, Reconciler } from './types';
import { ControllerManager } from './manager';
import { createScheduler } from './scheduler';
import { kubeletReconcilers } from '../kubelet';
import { createNodeLifecycle } from './node-lifecycle';
import { workloadReconcilers } from './workloads';

/** Fresh reconciler instances (some keep in-memory caches, so one set per manager). */
export function engineReconcilers(): Reconciler[] {
  return [createScheduler(), ...kubeletReconcilers(), createNodeLifecycle()];
}

export function allReconcilers(): Reconciler[] {
  return [...engineReconcilers(), ...workloadReconcilers];
}

export function createControllerManager(ctx: ControllerContext, reconcilers: Reconciler[] = allReconcilers()): ControllerManager {
  return new ControllerManager(reconcilers, ctx);
}

export { ControllerManager } from './manager';
export type { StableOptions, StableResult } from './manager';
