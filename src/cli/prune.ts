// kubectl's pruner (pkg/util/prune and apply's/diff's pruneAll), shared by `apply --prune`
// (deletes) and `diff --prune` (shows): objects of the allowlisted types that carry the
// last-applied annotation, match the selector, and were not among the objects visited, in
// every namespace visited (namespaced types) or cluster-wide. Without --prune-allowlist the
// types are kubectl's default allowlist.

import { CliError } from '../api/errors';
import type { ResourceType } from '../api/resources';
import { kindGroup, NoKindMatchError, ResourceRegistry } from '../api/resources';
import type { KObject } from '../api/types';
import type { DeleteOptions } from '../api/server';
import { dryRunSuffix, type DryRunMode } from './flags/dry-run';
import type { CliContext } from './context';
import type { ObjectSource } from './object-source';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** prune.defaultNamespacedPruneResources, then the non-namespaced ones, as group/version/kind. */
const DEFAULT_ALLOWLIST = [
  '/v1/ConfigMap', '/v1/Endpoints', '/v1/PersistentVolumeClaim', '/v1/Pod', '/v1/ReplicationController', '/v1/Secret', '/v1/Service',
  'batch/v1/Job', 'batch/v1/CronJob', 'networking.k8s.io/v1/Ingress',
  'apps/v1/DaemonSet', 'apps/v1/Deployment', 'apps/v1/ReplicaSet', 'apps/v1/StatefulSet',
  '/v1/Namespace', '/v1/PersistentVolume',
];

export const PRUNE_ALLOWLIST_HELP = 'Overwrite the default allowlist with <group/version/kind> for --prune';

/**
 * prune.ParseResources, as kubectl's ToOptions runs it before anything else: the allowlist's
 * entries as group/version and kind; a bad format, or a kind a built-in group lacks, is an
 * error now (other groups' kinds may be custom resources, which the source resolves).
 */
export function parsePruneAllowlist(allowlist: string[] = []): { apiVersion: string; kind: string }[] {
  const list = allowlist.length ? allowlist : DEFAULT_ALLOWLIST;
  const builtins = new ResourceRegistry();
  return list.map((gvk) => {
    const parts = gvk.split('/');
    if (parts.length !== 3) throw new CliError(`invalid GroupVersionKind format: ${gvk}, please follow <group/version/kind>`);
    const group = parts[0] === 'core' ? '' : parts[0];
    const apiVersion = group ? `${group}/${parts[1]}` : parts[1];
    try {
      if (builtins.all().some((t) => t.group === group && !t.crd)) builtins.forKind(apiVersion, parts[2]);
    } catch (e) {
      if (e instanceof NoKindMatchError) throw new CliError(e.message);
      throw e;
    }
    return { apiVersion, kind: parts[2] };
  });
}

/** GetRESTMappings: the types --prune looks at (custom resources' too, once the source knows them). */
export async function pruneTypes(source: ObjectSource, allowlist: string[] = []): Promise<ResourceType[]> {
  const gvks = parsePruneAllowlist(allowlist);
  await source.learnKinds(gvks);
  return gvks.map((g) => source.registry.forKind(g.apiVersion, g.kind));
}

/**
 * pruner.pruneAll: the live objects a prune would delete, `visited` being what the run applied
 * or diffed; each type's as soon as it is listed (kubectl deletes them before the next list).
 */
export async function* pruneCandidates(source: ObjectSource, types: ResourceType[], visited: KObject[], selector?: string): AsyncGenerator<{ type: ResourceType; obj: KObject }> {
  const keep = new Set(visited.map((o) => o.metadata?.uid).filter(Boolean));
  const namespaces = [...new Set(visited.map((o) => o.metadata?.namespace).filter(Boolean) as string[])];
  const scans: [ResourceType, string | undefined][] = [
    ...namespaces.flatMap((ns) => types.filter((t) => t.namespaced).map((t): [ResourceType, string] => [t, ns])),
    ...types.filter((t) => !t.namespaced).map((t): [ResourceType, undefined] => [t, undefined]),
  ];
  for (const [type, ns] of scans) {
    for (const obj of await source.list(type, ns, selector)) {
      if (obj.metadata.annotations?.[LAST_APPLIED] !== undefined && !keep.has(obj.metadata.uid)) yield { type, obj };
    }
  }
}

/**
 * `apply --prune`: deletes the candidates (apply's --cascade and --grace-period), printing
 * `<kind.group>/<name> pruned`; with --dry-run=client it only prints, with server the DELETE is a dry run.
 */
export async function prune(ctx: CliContext, source: ObjectSource, types: ResourceType[], applied: KObject[], selector: string | undefined, deletion: DeleteOptions, allowlist: string[], dryRun: DryRunMode): Promise<void> {
  // GetRESTMappings with the default allowlist: apply's namespace is never empty (the
  // kubeconfig's, else "default"), so kubectl always logs this.
  if (!allowlist.length) {
    const { klogHeader } = await import('./generate');
    ctx.err(`${klogHeader('W', 'prune.go:71')} Deprecated: kubectl apply will no longer prune non-namespaced resources by default when used with the --namespace flag in a future release. To preserve the current behaviour, list the resources you want to target explicitly in the --prune-allowlist flag.\n`);
  }
  for await (const { type, obj } of pruneCandidates(source, types, applied, selector)) {
    if (dryRun !== 'client') await source.delete(type, obj.metadata.namespace, obj.metadata.name!, { ...deletion, dryRun: dryRun === 'server' });
    ctx.out(`${kindGroup(type)}/${obj.metadata.name} pruned${dryRunSuffix(dryRun)}\n`);
  }
}
