// Opening a cluster's API: the store its URL names (file://DIR, memory://), the clock and
// the API server over it. Callers outside src/api/ never see the store itself.

import { openStore, fileStoreUrl } from '../store/registry';
import { ClusterClock, type Clock } from '../sim/clock';
import { seedFromEnv, type Rng } from '../sim/rng';
import { ApiServer, type Validator } from './server';
import { SimState } from './sim-state';

export { fileStoreUrl };
export { StoreNotFoundError } from '../store/file-store-support';

/**
 * A cluster whose clock is persisted with it (file clusters: the CLI and the daemon agree on
 * time). A factory `rng` is salted with a number of this process's own: under KUBESIM_SEED a
 * stream reserved in the store (unique however processes overlap), else the revision.
 */
export async function openClusterApi(url: string, rng: Rng | ((salt: number) => Rng), validator?: Validator): Promise<{ api: ApiServer; clock: ClusterClock }> {
  const store = await openStore(url);
  const sim = new SimState(store);
  const clock = await ClusterClock.open(sim);
  const salt = async () => (seedFromEnv() === undefined ? store.currentRev() : sim.reserveRngStream());
  const seeded = typeof rng === 'function' && rng.length === 1 ? (rng as (salt: number) => Rng)(await salt()) : (rng as Rng);
  const api = await ApiServer.open(store, clock, seeded, validator);
  return { api, clock };
}

/** An API server over a store of its own with a clock the caller drives (tests, check, benchmarks). */
export async function openApiWithClock(url: string, clock: Clock, rng: Rng, validator?: Validator): Promise<ApiServer> {
  return ApiServer.open(await openStore(url), clock, rng, validator);
}
