// Read, change, write back at the read's resourceVersion, again on Conflict: the one loop
// behind ApiServer.mutate (in-process), server-side apply (server-apply.ts) and the CLI's
// read-modify-write over REST.

import { ApiError } from './errors';
import type { KObject } from './types';

/** Retries after a Conflict before it is the answer. */
const RETRIES = 10;

/**
 * `read` hands out a private copy that `change` may edit in place (or undefined: nothing
 * there yet, and `change` returns what to create). A change that set another
 * resourceVersion made it a precondition: its Conflict is the answer, not retried. A create
 * (nothing was read) that finds the object there lost the same race: read again, and the
 * change becomes an update (as kube-apiserver's create-on-update, server-side apply).
 */
export async function retryOnConflict<T extends KObject | undefined = KObject>(
  read: () => Promise<T>,
  change: (obj: T) => KObject | void | Promise<KObject | void>,
  write: (obj: KObject, read: T) => Promise<KObject>,
): Promise<KObject> {
  for (let attempt = 0; ; attempt++) {
    const current = await read();
    const rv = current?.metadata?.resourceVersion;
    const next = (await change(current)) ?? current;
    if (!next) throw new TypeError('retryOnConflict: a change of nothing must return the object to write');
    try {
      return await write(next, current);
    } catch (e) {
      const lostRace = e instanceof ApiError && (e.reason === 'Conflict' || (e.reason === 'AlreadyExists' && !current));
      if (lostRace && attempt < RETRIES && next.metadata?.resourceVersion === rv) continue;
      throw e;
    }
  }
}
