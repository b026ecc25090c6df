// Every state one object went through, as a watch on it by name delivers them (kubectl's
// `wait` and `rollout status` see each event): read from the change feed, so a state written
// and replaced between two looks (a container that starts and ends within one step of the
// cluster clock) is still seen, and not only the state at the time of the look.

import { isRevisionCompacted } from '../store/store';
import { objectKey } from './keys';
import type { ResourceType } from './resources';
import type { ApiServer } from './server';
import type { KObject } from './types';

export interface ObjectRevisions {
  /**
   * The object's states since the last call, oldest first, ending with its state now
   * (undefined: deleted or absent); the first call gives only its state now. Empty when the
   * object has not changed since (a watch on it by name sees no event for other objects'
   * changes).
   */
  next(): Promise<(KObject | undefined)[]>;
}

export function objectRevisions(api: ApiServer, rt: ResourceType, namespace: string | undefined, name: string): ObjectRevisions {
  const key = objectKey(rt, rt.namespaced ? namespace ?? 'default' : undefined, name);
  let rev: number | undefined;
  // The resourceVersion last handed out (null: absent), so a state is never handed out twice.
  let seen: string | null | undefined;
  return {
    async next() {
      const current = await api.currentRev();
      const out: (KObject | undefined)[] = [];
      if (rev !== undefined) {
        if (current === rev) return out;
        try {
          for (const ch of await api.changesSince(rev)) {
            rev = Math.max(rev, ch.rev);
            if (ch.key === key) out.push(ch.type === 'DELETED' ? undefined : ch.object);
          }
        } catch (e) {
          // etcd compacted what was not read yet: only the state now is known (an informer's relist).
          if (!isRevisionCompacted(e)) throw e;
        }
      }
      // Earlier states as the API server reads them (a custom resource decoded by its CRD now), as now's.
      if (rt.crd && out.some((o) => o)) {
        const read = await api.asRead(rt, out.filter((o): o is KObject => o !== undefined));
        out.forEach((o, i) => o && (out[i] = read.shift()));
      }
      // A trimmed journal answers with nothing: the object as it is now stands in for it.
      rev = Math.max(rev ?? current, current);
      const now = await api.tryGet(rt, namespace, name);
      const nowRv = now?.metadata.resourceVersion ?? null;
      const lastRv = out.length ? out[out.length - 1]?.metadata.resourceVersion ?? null : seen;
      if (lastRv !== nowRv) out.push(now);
      seen = nowRv;
      return out;
    },
  };
}
