// Every client-side generator, in the order `kubectl create --help` lists sub-commands.

import { autoscaleGenerator } from './autoscale';
import { clusterRoleGenerator } from './clusterrole';
import { configMapGenerator } from './configmap';
import { cronJobGenerator } from './cronjob';
import { deploymentGenerator } from './deployment';
import { exposeGenerator } from './expose';
import { ingressGenerator } from './ingress';
import { jobGenerator } from './job';
import { namespaceGenerator, serviceAccountGenerator } from './namespace';
import { pdbGenerator } from './pdb';
import { priorityClassGenerator } from './priorityclass';
import { quotaGenerator } from './quota';
import { roleGenerator } from './role';
import { clusterRoleBindingGenerator, roleBindingGenerator } from './rolebinding';
import { runGenerator } from './run';
import { secretDockerRegistryGenerator } from './secret-docker-registry';
import { secretGenericGenerator } from './secret-generic';
import { secretTlsGenerator } from './secret-tls';
import { serviceClusterIPGenerator, serviceExternalNameGenerator, serviceLoadBalancerGenerator, serviceNodePortGenerator } from './service';
import type { Generator } from './types';

export type { FlagDef, FlagType, FlagValues, Generator, GeneratorContext, GeneratorResult } from './types';
export { RequiredFlagError, UsageError } from './types';
export { Flags, parseArgv, checkRequired } from './flags';
export { withSaveConfig, LAST_APPLIED } from './util';
export { CREATE_COMMON_FLAGS } from './common-flags';

/** `kubectl create <sub>` generators (`secret` and `service` have nested sub-commands). */
export const CREATE_GENERATORS: readonly Generator[] = [
  clusterRoleGenerator,
  clusterRoleBindingGenerator,
  configMapGenerator,
  cronJobGenerator,
  deploymentGenerator,
  ingressGenerator,
  jobGenerator,
  namespaceGenerator,
  pdbGenerator,
  priorityClassGenerator,
  quotaGenerator,
  roleGenerator,
  roleBindingGenerator,
  secretDockerRegistryGenerator,
  secretGenericGenerator,
  secretTlsGenerator,
  serviceClusterIPGenerator,
  serviceExternalNameGenerator,
  serviceLoadBalancerGenerator,
  serviceNodePortGenerator,
  serviceAccountGenerator,
];

export { runGenerator, exposeGenerator, autoscaleGenerator };

/** Finds a generator by command path, accepting aliases: `create cm`, `create secret generic`. */
export function findGenerator(command: string): Generator | undefined {
  const all = [...CREATE_GENERATORS, runGenerator, exposeGenerator, autoscaleGenerator];
  return all.find((g) => g.command === command || (g.aliases ?? []).some((a) => g.command.replace(/\S+$/, a) === command));
}
