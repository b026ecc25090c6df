// The simulated metrics-server's readings for a set of nodes or pods, computed one way for
// `kubesim top` and for the API server's metrics.k8s.io: the usage functions in ./metrics.ts
// over the cluster's current pods and its profile's usage factors.

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { nodeMetrics, podMetrics, usageFactors, type PodMetrics, type Usage, type UsageFactors } from './metrics';

async function factorsOf(api: ApiServer): Promise<UsageFactors> {
  return usageFactors(await api.sim.profile<unknown>());
}

/** Each node's usage (undefined: metrics-server cannot scrape it), in the order given. */
export async function nodeUsages(api: ApiServer, nodes: KObject[]): Promise<Array<{ node: KObject; usage?: Usage }>> {
  const pods = (await api.list(api.resolve('pods'))).items;
  const factors = await factorsOf(api);
  const byNode = new Map<string, KObject[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  return nodes.map((node) => ({ node, usage: nodeMetrics(node, byNode.get(node.metadata.name!) ?? [], factors) }));
}

/** The metrics of the pods metrics-server has readings for (running containers only). */
export async function podUsages(api: ApiServer, pods: KObject[]): Promise<PodMetrics[]> {
  const factors = await factorsOf(api);
  return pods.flatMap((p) => podMetrics(p, factors) ?? []);
}
