// `kubesim reconcile --until-stable`: runs the controllers in this process until nothing
// more changes, advancing the cluster clock over waits — a deterministic end state for
// scripts and CI.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { Program } from './root';
import { parseDuration } from './flags/duration';
import { humanDuration } from '../printers/duration';

export function register(program: Command, p: Program): void {
  program
    .command('reconcile')
    .description('Run the cluster\'s controllers in this process until the cluster is stable (advancing simulated time over waits)')
    .option('--until-stable', 'Run until nothing more changes within the timeout (the default and only mode); a running process that ends by itself later (sleep 3600) does not keep the cluster unsettled.')
    .option('--timeout <duration>', 'The most simulated time to advance (e.g. 10m); a wait under way when it passes (a progress deadline, a back-off) still ends if that comes within as long again.', '10m')
    .option('-q, --quiet', 'Print nothing; the exit code says whether the cluster became stable.')
    .addHelpText('after', `
Examples:
  # Apply manifests and let the cluster settle deterministically
  kubesim apply -f manifests/ && kubesim reconcile --until-stable

  # Allow up to an hour of simulated time (CrashLoopBackOff back-offs, progress deadlines)
  kubesim reconcile --until-stable --timeout 1h`)
    .action(
      p.action(async (ctx, flags: { timeout: string; quiet?: boolean }) => {
        const timeoutMs = parseDuration(flags.timeout);
        if (timeoutMs <= 0) throw new CliError('--timeout must be greater than 0');
        const api = await ctx.api({ startDaemon: false });
        const { inProcessManager } = await import('./in-process');
        const manager = await inProcessManager(ctx, api);
        const r = await manager.settle(timeoutMs);
        if (!flags.quiet) {
          const took = humanDuration(r.advancedMs);
          ctx.out(r.stable ? `cluster is stable (simulated time advanced ${took})\n` : `cluster is not stable after ${took} of simulated time\n`);
          // Settled is not succeeded: a roll-out that gave up is named (rollout status's words).
          const deployments = await api.list(api.registry.forKind('apps/v1', 'Deployment'));
          for (const d of deployments.items) {
            const progressing = (d.status?.conditions ?? []).find((c: { type?: string }) => c.type === 'Progressing');
            if (progressing?.reason === 'ProgressDeadlineExceeded') ctx.err(`Warning: deployment "${d.metadata.name}" in namespace "${d.metadata.namespace}" exceeded its progress deadline\n`);
          }
        }
        return r.stable ? 0 : 1;
      }),
    );
}
