// `kubesim clock`: the cluster's simulated clock — show it, jump it forward (timers fall
// due on the way: CronJobs fire, back-offs expire, NotReady nodes evict), change its speed.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { PrintedError, unknownSubCommand } from './format-error';
import type { Program } from './root';
import type { CliContext } from './context';
import { parseDuration } from './flags/duration';
import type { ApiServer } from '../api/server';

export const MAX_ADVANCE_MS = 87_600 * 3_600_000;
const MAX_SPEED = 1_000_000;
import { humanDuration } from '../printers/duration';

/**
 * Waits until the cluster's daemon has stepped through a jump to `to` (its status says so),
 * so that what the user reads next is the cluster at the end of the advance, as without a
 * daemon. False if the daemon went away first; an elected leader (no pid file) is not waited for.
 */
async function daemonSteppedTo(clusterDir: string, api: ApiServer, to: number): Promise<boolean> {
  const { runningDaemonPid } = await import('../daemon/control');
  const pid = runningDaemonPid(clusterDir);
  while (pid !== undefined && runningDaemonPid(clusterDir) === pid) {
    const doc = await api.sim.daemonStatus();
    if (doc?.pid === pid && (doc.steppedTo ?? -Infinity) >= to) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid === undefined;
}

export function register(program: Command, p: Program): void {
  const show = async (ctx: CliContext) => {
    const c = await ctx.clock({ startDaemon: false });
    ctx.out(`${new Date(c.now()).toISOString()} (speed ${c.speed()}x)\n`);
  };
  // Alone, the group shows the time; any other word is an unknown sub-command, worded as
  // kubectl's groups word it (cmdutil.DefaultSubCommandRun), rather than a time shown.
  const clock = program
    .command('clock')
    .description('Show or move the simulated cluster clock')
    .usage('[options] [command]')
    .argument('[command]')
    .action(
      p.action(async (ctx, name: string | undefined) => {
        if (name) throw new PrintedError(unknownSubCommand(p.name, 'clock', name));
        await show(ctx);
      }),
    );
  clock.command('show').description('Print the cluster time').action(p.action(show));
  clock
    .command('advance')
    .description('Jump cluster time forward, running what falls due on the way')
    .argument('<duration>', 'e.g. 30s, 10m, 2h')
    .action(
      p.action(async (ctx, duration: string) => {
        const ms = parseDuration(duration);
        // Every timer on the way runs: a simulated decade is already hours of work.
        if (ms > MAX_ADVANCE_MS) throw new CliError(`clock advance is limited to 87600h (10 years), not "${duration}"`);
        if (ms <= 0) throw new CliError(`invalid duration "${duration}": must be positive`);
        const api = await ctx.api({ startDaemon: false });
        const { daemonRunning } = await import('./daemon-control');
        if (await daemonRunning(ctx)) {
          const to = await (await ctx.clock()).advance(ms); // the daemon runs what fell due
          // A second or less is no jump for the daemon (ClusterClock.refresh): it just runs on.
          if (ms > 1000 && !(await daemonSteppedTo(ctx.clusterDir, api, to))) {
            ctx.err('Warning: the daemon stopped before it had stepped through the advance; what fell due on the way runs at once when it starts again\n');
          }
        } else {
          const { advanceInProcess } = await import('./in-process');
          await advanceInProcess(ctx, api, ms);
        }
        ctx.out(`clock advanced ${humanDuration(ms)}: ${new Date(api.clock.now()).toISOString()}\n`);
      }),
    );
  clock
    .command('speed')
    .description('Set how many cluster seconds pass per real second (the daemon runs at this speed)')
    .argument('<factor>')
    .action(
      p.action(async (ctx, factor: string) => {
        const n = Number(factor);
        if (!Number.isFinite(n) || n <= 0) throw new CliError(`invalid speed "${factor}": must be a positive number`);
        // Past this, cluster time overflows JavaScript dates within hours of real time.
        if (n > MAX_SPEED) throw new CliError(`invalid speed "${factor}": at most ${MAX_SPEED} (a simulated year in about 30 s)`);
        await (await ctx.clock({ startDaemon: false })).setSpeed(n);
        ctx.out(`clock speed set to ${n}x\n`);
      }),
    );
}
