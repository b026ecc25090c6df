// Waiting for deleted objects to be gone (`delete --wait`, the default; `replace --force`).
// Objects with a grace period disappear when the cluster finishes them: the daemon does that
// in the background (watched over its API); with no daemon, the controllers run here.

import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { ObjectSource, PendingDeletion } from './object-source';

export async function waitForDeletion(ctx: CliContext, source: ObjectSource, pending: PendingDeletion[], timeoutMs: number): Promise<void> {
  const left = await source.waitDeleted(ctx, pending, timeoutMs);
  if (left) throw new CliError(`timed out waiting for the condition on ${left.type.plural}/${left.name}`);
}
