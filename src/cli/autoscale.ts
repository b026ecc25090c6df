// `kubesim autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) --max=N [--min=N] [--cpu-percent=N] [--name=X]`:
// a HorizontalPodAutoscaler (autoscaling/v1) for a Deployment, ReplicaSet, StatefulSet or
// ReplicationController, built by the autoscale generator from the live object.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { builderSources, registerGenerator } from './generate';
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

export function register(program: Command, p: Program): void {
  registerGenerator(program, 'autoscale', autoscaleGenerator, p, { sources: autoscaleSources });
}
