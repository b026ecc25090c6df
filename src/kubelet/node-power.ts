// Which simulated nodes are powered off (`kubesim node stop`): a stopped node's kubelet
// neither heartbeats nor runs its pods. Kept next to the registry, since it is machine
// state, not API state.

import type { Store } from '../store/store';

const META = 'node-power';

type Power = Record<string, number>; // node name → cluster time it stopped

export async function stoppedNodes(store: Store): Promise<Power> {
  return await store.readMeta<Power>(META) ?? {};
}

export async function isNodeStopped(store: Store, node: string): Promise<boolean> {
  return (await stoppedNodes(store))[node] !== undefined;
}

/** Cluster time at which the node stopped, if it is stopped. */
export async function stoppedSince(store: Store, node: string): Promise<number | undefined> {
  return (await stoppedNodes(store))[node];
}

export async function setNodeStopped(store: Store, node: string, atMs: number | undefined): Promise<void> {
  await store.batch(async () => {
    const p = await stoppedNodes(store);
    if (atMs === undefined) delete p[node];
    else p[node] = atMs;
    await store.writeMeta(META, p);
  });
}
