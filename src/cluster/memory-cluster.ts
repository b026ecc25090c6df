// An in-memory cluster (MemoryStore + ManualClock): what tests, benchmarks and `kubesim
// check`-style dry runs use to run the real controllers deterministically.

import type { ApiServer, Validator } from '../api/server';
import { openApiWithClock } from '../api/open';
import { ManualClock } from '../sim/clock';
import { seededRng, type Rng } from '../sim/rng';
import type { ClusterProfile } from '../sim/profile';
import { registerNode } from './cluster';
import type { ControllerContext } from '../controllers/types';

export interface MemoryCluster {
  api: ApiServer;
  clock: ManualClock;
  rng: Rng;
  profile: ClusterProfile;
  ctx: ControllerContext;
  logs: string[];
}

export async function createMemoryCluster(profile: ClusterProfile, opts: { now?: number; seed?: number; validator?: Validator } = {}): Promise<MemoryCluster> {
  const clock = new ManualClock(opts.now ?? Date.parse('2025-01-01T00:00:00Z'));
  const rng = seededRng(opts.seed ?? 1);
  const api = await openApiWithClock('memory://', clock, rng, opts.validator);
  await api.sim.setProfile(profile);
  await api.bootstrap();
  for (const [i, n] of profile.nodes.entries()) await registerNode(api, n, i);
  const logs: string[] = [];
  const ctx: ControllerContext = { api, clock, rng, profile, log: (m) => logs.push(m) };
  return { api, clock, rng, profile, ctx, logs };
}
