// `kubesim kubeconfig`: prints a kubeconfig for the cluster's API server (context
// kubesim-<name>); `--write` merges it into the user's kubeconfig as `cluster create` does.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';

export function register(program: Command, p: Program): void {
  program
    .command('kubeconfig')
    .description("Print a kubeconfig for the cluster's API server (context kubesim-<cluster>)")
    .argument('[name]', 'cluster name (default: the current cluster)')
    .option('--write', 'Merge it into $KUBECONFIG (or ~/.kube/config) instead of printing it, and switch to it')
    .addHelpText('after', `
Examples:
  kubesim kubeconfig > /tmp/kubesim.kubeconfig
  KUBECONFIG=/tmp/kubesim.kubeconfig kubectl get pods`)
    .action(p.action((ctx, name: string | undefined, flags: { write?: boolean }) => runKubeconfig(ctx, name, flags)));
}

async function runKubeconfig(ctx: CliContext, name: string | undefined, flags: { write?: boolean }): Promise<number> {
  const cluster = name ?? ctx.clusterName;
  const { clusterDir } = await import('./context');
  const fs = await import('node:fs');
  const dir = clusterDir(ctx.home, cluster);
  if (!fs.existsSync(`${dir}/registry`)) throw new CliError(`cluster "${cluster}" not found`);
  const { ensureServerRecord, clusterEntry } = await import('../kubeconfig/cluster-entry');
  const rec = await ensureServerRecord(dir);
  const entry = clusterEntry(cluster, dir, rec, ctx.config.contexts[cluster]?.namespace);
  const kc = await import('../kubeconfig/kubeconfig');
  if (flags.write) {
    const file = await kc.writeClusterEntry(entry, { makeCurrent: true });
    ctx.out(`Set kubectl context to "${entry.name}" in ${file}\n`);
    return 0;
  }
  ctx.out(kc.singleClusterText(entry));
  return 0;
}
