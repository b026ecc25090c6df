// `kubesim expose TYPE NAME --port=...`: a Service selecting what a Deployment,
// ReplicaSet, ReplicationController, Service or Pod selects.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { registerGenerator } from './generate';
import { exposeGenerator } from '../generators';

async function exposeSource(ctx: CliContext, args: string[]): Promise<KObject | undefined> {
  const positional = args.filter((a) => !a.startsWith('-'));
  if (!positional.length) return undefined;
  const [first, second] = positional;
  const [kind, name] = first.includes('/') ? first.split('/') : [first, second];
  if (!name) throw new CliError('You must provide one or more resources by argument or filename.');
  const api = await ctx.api();
  return api.get(api.resolve(kind), ctx.namespace, name);
}

export function register(program: Command, p: Program): void {
  registerGenerator(program, 'expose', exposeGenerator, p, { source: exposeSource });
}
