// `kubesim expose (-f FILENAME | TYPE NAME) --port=...`: a Service selecting what a
// Deployment, ReplicaSet, ReplicationController, Service or Pod selects.

import type { Command } from 'commander';
import type { Program } from './root';
import { builderSources, registerGenerator } from './generate';
import { exposeGenerator } from '../generators';

export function register(program: Command, p: Program): void {
  registerGenerator(program, 'expose', exposeGenerator, p, { sources: (ctx, args, flags) => builderSources(ctx, args, flags, 'expose', true) });
}
