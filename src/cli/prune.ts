// kubectl's pruner (pkg/util/prune and apply's/diff's pruneAll), shared by `apply --prune`
// (deletes) and `diff --prune` (shows): objects of the allowlisted types that carry the
// last-applied annotation, match the selector, and were not among the objects visited, in
// every namespace visited (namespaced types) or cluster-wide. Without --prune-allowlist the
// types are kubectl's default allowlist.

import { CliError } from '../api/errors';
import type { ResourceType } from '../api/resources';
import { kindGroup } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import { buildListOptions } from './flags/selectors';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** prune.defaultNamespacedPruneResources, then the non-namespaced ones, as group/version/kind. */
const DEFAULT_ALLOWLIST = [
  '/v1/ConfigMap', '/v1/Endpoints', '/v1/PersistentVolumeClaim', '/v1/Pod', '/v1/ReplicationController', '/v1/Secret', '/v1/Service',
  'batch/v1/Job', 'batch/v1/CronJob', 'networking.k8s.io/v1/Ingress',
  'apps/v1/DaemonSet', 'apps/v1/Deployment', 'apps/v1/ReplicaSet', 'apps/v1/StatefulSet',
  '/v1/Namespace', '/v1/PersistentVolume',
];

export const PRUNE_ALLOWLIST_HELP = 'Overwrite the default allowlist with <group/version/kind> for --prune';

/** prune.ParseResources (then GetRESTMappings' default): the types --prune looks at. */
export function pruneTypes(api: ApiServer, allowlist: string[] = []): ResourceType[] {
  const list = allowlist.length ? allowlist : DEFAULT_ALLOWLIST;
  return list.map((gvk) => {
    const parts = gvk.split('/');
    if (parts.length !== 3) throw new CliError(`invalid GroupVersionKind format: ${gvk}, please follow <group/version/kind>`);
    const group = parts[0] === 'core' ? '' : parts[0];
    return api.registry.forKind(group ? `${group}/${parts[1]}` : parts[1], parts[2]);
  });
}

/** pruner.pruneAll: the live objects a prune would delete, `visited` being what the run applied or diffed. */
export async function pruneCandidates(api: ApiServer, types: ResourceType[], visited: KObject[], selector?: string): Promise<{ type: ResourceType; obj: KObject }[]> {
  const keep = new Set(visited.map((o) => o.metadata?.uid).filter(Boolean));
  const namespaces = [...new Set(visited.map((o) => o.metadata?.namespace).filter(Boolean) as string[])];
  const out: { type: ResourceType; obj: KObject }[] = [];
  const scan = async (type: ResourceType, ns: string | undefined) => {
    for (const obj of (await api.list(type, buildListOptions(type, selector, undefined, ns))).items) {
      if (obj.metadata.annotations?.[LAST_APPLIED] === undefined || keep.has(obj.metadata.uid)) continue;
      out.push({ type, obj });
    }
  };
  for (const ns of namespaces) for (const type of types) if (type.namespaced) await scan(type, ns);
  for (const type of types) if (!type.namespaced) await scan(type, undefined);
  return out;
}

/** `apply --prune`: deletes the candidates, printing `<kind.group>/<name> pruned`. */
export async function prune(ctx: CliContext, api: ApiServer, types: ResourceType[], applied: KObject[], selector?: string): Promise<void> {
  for (const { type, obj } of await pruneCandidates(api, types, applied, selector)) {
    await api.delete(type, obj.metadata.namespace, obj.metadata.name!);
    ctx.out(`${kindGroup(type)}/${obj.metadata.name} pruned\n`);
  }
}
