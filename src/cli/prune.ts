// `apply --prune`: deletes objects of the applied types that carry the last-applied
// annotation, match the selector, and were not part of this apply.

import type { ResourceType } from '../api/resources';
import { kindGroup } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import { buildListOptions } from './flags/selectors';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export async function prune(ctx: CliContext, api: ApiServer, types: ResourceType[], applied: KObject[], selector?: string): Promise<void> {
  const keep = new Set(applied.map((o) => o.metadata.uid));
  const namespaces = new Set(applied.map((o) => o.metadata.namespace).filter(Boolean) as string[]);
  for (const type of new Set(types)) {
    const scopes = type.namespaced ? [...namespaces] : [undefined];
    for (const ns of scopes) {
      for (const o of (await api.list(type, buildListOptions(type, selector, undefined, ns))).items) {
        if (keep.has(o.metadata.uid) || !o.metadata.annotations?.[LAST_APPLIED]) continue;
        await api.delete(type, o.metadata.namespace, o.metadata.name!);
        ctx.out(`${kindGroup(type)}/${o.metadata.name} pruned\n`);
      }
    }
  }
}
