// Which simulated nodes are powered off (`kubesim node stop`): a stopped node's kubelet
// neither heartbeats nor runs its pods. Machine state, not API state: it is kept in the
// API layer's simulation state.

import type { SimState } from '../api/sim-state';

/**
 * The document as first read in one turn of the event loop, per SimState, for reads at
 * cluster times less than SAME_FOR_MS after it: the node reconciles of a daemon's tick (a
 * beat's hundreds at 5,000 nodes, all in one turn) read it once, not a file-store lstat each
 * (docs/perf-issue-18.md round 90: 4.8 % of a settled 5,000-node daemon's busy samples).
 * Let go at the next turn (the daemon's next tick), at a later step of a clock jump (which
 * runs in one turn) and at a change made here; another process's change shows from the next
 * tick, as if made just after the reconciles that did not see it.
 */
const thisTurn = new WeakMap<SimState, { at: number; doc: Promise<Record<string, number>> }>();
/** The node Lease beats' clock step (node-lifecycle's untilNextBeat: 0.04 x 10 s). */
const SAME_FOR_MS = 400;

export async function stoppedNodes(sim: SimState): Promise<Record<string, number>> {
  return sim.stoppedNodes();
}

export async function isNodeStopped(sim: SimState, node: string): Promise<boolean> {
  return (await sim.stoppedNodes(true))[node] !== undefined;
}

/** Cluster time at which the node stopped, if it is stopped, as read at cluster time `now` (see thisTurn). */
export async function stoppedSince(sim: SimState, node: string, now: number): Promise<number | undefined> {
  let read = thisTurn.get(sim);
  if (!read || now < read.at || now - read.at >= SAME_FOR_MS) {
    const made = { at: now, doc: sim.stoppedNodes(true) };
    thisTurn.set(sim, made);
    setImmediate(() => thisTurn.get(sim) === made && thisTurn.delete(sim));
    read = made;
  }
  return (await read.doc)[node];
}

export async function setNodeStopped(sim: SimState, node: string, atMs: number | undefined): Promise<void> {
  thisTurn.delete(sim);
  try {
    await sim.atomically(async () => {
      const p = await sim.stoppedNodes();
      if (atMs === undefined) delete p[node];
      else p[node] = atMs;
      await sim.setStoppedNodes(p);
    });
  } finally {
    thisTurn.delete(sim); // read during the write, this turn: the old document
  }
}
