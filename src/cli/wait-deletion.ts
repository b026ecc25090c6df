// Waiting for deleted objects to be gone (`delete --wait`, the default). Objects with a
// grace period disappear when the cluster finishes them: the daemon does that in the
// background; with no daemon, the controllers run here, in-process, on the cluster clock.

import { CliError } from '../api/errors';
import type { ResourceType } from '../api/resources';
import type { CliContext } from './context';
import type { ObjectSource } from './object-source';

export interface PendingDeletion {
  type: ResourceType;
  namespace?: string;
  name: string;
  uid?: string;
}

export async function waitForDeletion(ctx: CliContext, source: ObjectSource, pending: PendingDeletion[], timeoutMs: number): Promise<void> {
  const goneOne = async (p: PendingDeletion) => {
    const o = await source.tryGet(p.type, p.namespace, p.name);
    return !o || (p.uid !== undefined && o.metadata.uid !== p.uid);
  };
  const gone = async () => {
    for (const p of pending) if (!(await goneOne(p))) return false;
    return true;
  };
  if (await gone()) return;
  const ok = await source.runUntil(ctx, gone, timeoutMs);
  if (!ok) {
    let left: PendingDeletion | undefined;
    for (const p of pending) if (!(await goneOne(p))) left ??= p;
    throw new CliError(`timed out waiting for the condition on ${left ? `${left.type.plural}/${left.name}` : 'objects'}`);
  }
}
