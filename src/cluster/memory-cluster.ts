// An in-memory cluster (MemoryStore + ManualClock): what tests, benchmarks and `kubesim
// check`-style dry runs use to run the real controllers deterministically.

import { ApiServer, type Validator } from '../api/server';
import { MemoryStore } from '../store/memory-store';
import { ManualClock } from '../sim/clock';
import { seededRng, type Rng } from '../sim/rng';
import type { ClusterProfile } from '../sim/profile';
import { registerNode } from './cluster';
import type { ControllerContext } from '../controllers/types';

export interface MemoryCluster {
  store: MemoryStore;
  api: ApiServer;
  clock: ManualClock;
  rng: Rng;
  profile: ClusterProfile;
  ctx: ControllerContext;
  logs: string[];
}

export function createMemoryCluster(profile: ClusterProfile, opts: { now?: number; seed?: number; validator?: Validator } = {}): MemoryCluster {
  const store = new MemoryStore();
  const clock = new ManualClock(opts.now ?? Date.parse('2025-01-01T00:00:00Z'));
  const rng = seededRng(opts.seed ?? 1);
  const api = new ApiServer(store, clock, rng, opts.validator);
  store.writeMeta('profile', profile);
  api.bootstrap();
  profile.nodes.forEach((n, i) => registerNode(api, n, i));
  const logs: string[] = [];
  const ctx: ControllerContext = { api, clock, rng, profile, log: (m) => logs.push(m) };
  return { store, api, clock, rng, profile, ctx, logs };
}
