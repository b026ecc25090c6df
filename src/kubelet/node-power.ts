// Which simulated nodes are powered off (`kubesim node stop`): a stopped node's kubelet
// neither heartbeats nor runs its pods. Kept next to the registry, since it is machine
// state, not API state.

import type { Store } from '../store/store';

const META = 'node-power';

type Power = Record<string, number>; // node name → cluster time it stopped

export function stoppedNodes(store: Store): Power {
  return store.readMeta<Power>(META) ?? {};
}

export function isNodeStopped(store: Store, node: string): boolean {
  return stoppedNodes(store)[node] !== undefined;
}

/** Cluster time at which the node stopped, if it is stopped. */
export function stoppedSince(store: Store, node: string): number | undefined {
  return stoppedNodes(store)[node];
}

export function setNodeStopped(store: Store, node: string, atMs: number | undefined): void {
  store.batch(() => {
    const p = stoppedNodes(store);
    if (atMs === undefined) delete p[node];
    else p[node] = atMs;
    store.writeMeta(META, p);
  });
}
