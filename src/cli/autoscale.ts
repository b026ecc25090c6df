// `kubesim autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) --max=N [--min=N] [--cpu-percent=N] [--name=X]`:
// a HorizontalPodAutoscaler (autoscaling/v1) for a Deployment, ReplicaSet, StatefulSet or
// ReplicationController, built by the autoscale generator from the live object.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { PrintedError } from './format-error';
import { builderSources, generatorFlags, runGenerator } from './generate';
import { declareFlagTable } from './flags/pflag';
import { autoscaleGenerator } from '../generators';
import { Flags, checkRequired } from '../generators/flags';
import type { FlagValues } from '../generators/types';

/**
 * Finds the objects to autoscale. kubectl validates --max before it looks anything up
 * (AutoscaleOptions.Validate runs before the resource visit), so the flag checks come first.
 */
async function autoscaleSources(ctx: CliContext, args: string[], raw: FlagValues): Promise<KObject[]> {
  checkRequired(autoscaleGenerator.flags, raw);
  const f = new Flags(autoscaleGenerator.flags, raw);
  const max = f.int('max');
  const min = f.int('min');
  if (max < 1) throw new CliError(`--max=MAXPODS is required and must be at least 1, max: ${max}`);
  if (max < min) throw new CliError(`--max=MAXPODS must be larger or equal to --min=MINPODS, max: ${max}, min: ${min}`);
  return builderSources(ctx, args, raw, 'autoscale');
}

/**
 * runGenerator words a failed create the way the typed `create <kind>` verbs do
 * (`error: failed to create autoscale: ...`); kubectl's autoscale returns the API error
 * as is, so the wrapper is turned back into `Error from server (<reason>): ...`.
 */
function unwrapCreateError(text: string): string {
  const m = /^error: failed to create autoscale: (.*?)\n?$/s.exec(text);
  if (!m) return text;
  const msg = m[1];
  const reason = / already exists$/.test(msg) ? 'AlreadyExists' : / not found$/.test(msg) ? 'NotFound' : / is invalid/.test(msg) ? 'Invalid' : undefined;
  return reason ? `Error from server (${reason}): ${msg}\n` : text;
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('autoscale')
    .description(autoscaleGenerator.short)
    .argument('[args...]')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .action(
      p.action(async (ctx, _args: string[], _opts: unknown, command: Command) => {
        try {
          return await runGenerator(ctx, autoscaleGenerator, [...command.args], { sources: autoscaleSources, program: p.name });
        } catch (e) {
          if (e instanceof PrintedError) throw new PrintedError(unwrapCreateError(e.text), e.exitCode);
          throw e;
        }
      }),
    );
  declareFlagTable(cmd, generatorFlags(autoscaleGenerator));
}
