// Read, change, write back at the read's resourceVersion, again on Conflict: the one loop
// behind ApiServer.mutate (in-process) and the CLI's read-modify-write over REST.

import { ApiError } from './errors';
import type { KObject } from './types';

/** Retries after a Conflict before it is the answer. */
const RETRIES = 10;

/**
 * `read` hands out a private copy that `change` may edit in place. A change that set another
 * resourceVersion made it a precondition: its Conflict is the answer, not retried.
 */
export async function retryOnConflict(
  read: () => Promise<KObject>,
  change: (obj: KObject) => KObject | void | Promise<KObject | void>,
  write: (obj: KObject) => Promise<KObject>,
): Promise<KObject> {
  for (let attempt = 0; ; attempt++) {
    const current = await read();
    const rv = current.metadata?.resourceVersion;
    const next = (await change(current)) ?? current;
    try {
      return await write(next);
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'Conflict' && attempt < RETRIES && next.metadata?.resourceVersion === rv) continue;
      throw e;
    }
  }
}
