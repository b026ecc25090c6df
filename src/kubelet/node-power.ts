// Which simulated nodes are powered off (`kubesim node stop`): a stopped node's kubelet
// neither heartbeats nor runs its pods. Machine state, not API state: it is kept in the
// API layer's simulation state.

import type { SimState } from '../api/sim-state';

export async function stoppedNodes(sim: SimState): Promise<Record<string, number>> {
  return sim.stoppedNodes();
}

export async function isNodeStopped(sim: SimState, node: string): Promise<boolean> {
  return (await sim.stoppedNodes(true))[node] !== undefined;
}

/** Cluster time at which the node stopped, if it is stopped. */
export async function stoppedSince(sim: SimState, node: string): Promise<number | undefined> {
  return (await sim.stoppedNodes())[node];
}

export async function setNodeStopped(sim: SimState, node: string, atMs: number | undefined): Promise<void> {
  await sim.atomically(async () => {
    const p = await sim.stoppedNodes();
    if (atMs === undefined) delete p[node];
    else p[node] = atMs;
    await sim.setStoppedNodes(p);
  });
}
