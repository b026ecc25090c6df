// Which cluster and namespace a command is for (kubesim's state directory, the kubeconfig's
// context, kubesim's own config), without anything a verb needs beyond that: the CLI's
// context (context.ts) and the start-up fast path (src/fast-get.ts) resolve it alike.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from '../api/errors';
import { configAccess, startingConfig } from '../kubeconfig/loader';
import { KubeconfigError } from '../kubeconfig/model';

export interface GlobalFlags {
  namespace?: string;
  context?: string;
  stateDir?: string;
  kubeconfig?: string;
  v?: string;
  /** kubectl's impersonation flags (--as, --as-group, --as-uid): every request is made as that user. */
  as?: string;
  asGroup?: string[];
  asUid?: string;
}

export interface KubesimConfig {
  currentContext?: string;
  /** Per context (= cluster) settings, like a kubeconfig context's namespace. */
  contexts: Record<string, { namespace?: string }>;
}

export const DEFAULT_CLUSTER = 'kubesim';

export function stateHome(flags: GlobalFlags): string {
  return path.resolve(flags.stateDir ?? process.env.KUBESIM_HOME ?? path.join(os.homedir(), '.kubesim'));
}

export function clusterDir(home: string, name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new CliError(`invalid cluster name "${name}": must be a lowercase RFC 1123 label`);
  }
  return path.join(home, 'clusters', name);
}

export function readConfig(home: string): KubesimConfig {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8')) as KubesimConfig;
    c.contexts ??= {};
    return c;
  } catch {
    return { contexts: {} };
  }
}

/**
 * The kubesim cluster the kubeconfig selects: --context, else its current-context, when that
 * context's cluster (or, for a context not in the files, its name) is `kubesim-<name>`, as
 * `cluster create` writes them. Anything else (no kubeconfig, a context of some real
 * cluster) leaves the choice to kubesim's own config. A kubeconfig kubectl cannot load (a
 * directory, bad YAML, a missing --kubeconfig file) is kubectl's error (client-go's
 * ClientConfigLoadingRules.Load), thrown as a CliError.
 */
export function selectFromKubeconfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): { cluster: string; namespace?: string; user?: string } | undefined {
  const access = configAccess(env, flags.kubeconfig);
  // Load stats an explicit file first; $KUBECONFIG's missing files are skipped.
  if (access.explicit && !fs.existsSync(access.explicit)) throw new CliError(`stat ${access.explicit}: no such file or directory`);
  let merged;
  try {
    merged = startingConfig(access);
  } catch (e) {
    throw e instanceof KubeconfigError ? new CliError(e.message) : e;
  }
  const name = flags.context ?? merged.currentContext;
  if (!name) return undefined;
  const ctx = merged.contexts.get(name);
  const cluster = ctx ? String(ctx.fields.cluster ?? '') : name;
  const m = /^kubesim-([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(cluster);
  if (!m) return undefined;
  return { cluster: m[1], namespace: ctx && typeof ctx.fields.namespace === 'string' ? ctx.fields.namespace : undefined, user: ctx && typeof ctx.fields.user === 'string' ? ctx.fields.user : undefined };
}

export interface Selection {
  home: string;
  config: KubesimConfig;
  clusterName: string;
  contextNamespace: string | undefined;
}

/**
 * The selected cluster and its namespace setting (before -n), as CliContext resolves them,
 * or the kubeconfig's loading error: a verb that needs no cluster (`config view`,
 * `version --client`) runs on, as kubectl's do.
 */
export function selectCluster(flags: GlobalFlags): Selection & { kubeconfigError?: CliError } {
  const home = stateHome(flags);
  const config = readConfig(home);
  let selected;
  let kubeconfigError: CliError | undefined;
  try {
    selected = selectFromKubeconfig(flags);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    kubeconfigError = e;
  }
  const clusterName = selected?.cluster ?? flags.context ?? config.currentContext ?? DEFAULT_CLUSTER;
  return { home, config, clusterName, contextNamespace: selected ? selected.namespace : config.contexts[clusterName]?.namespace, kubeconfigError };
}
