// `get -w` / `--watch-only` / `events -w`: follows the store's change journal and prints a
// row (or an object) per change, as kubectl's watch does, until interrupted or until
// --request-timeout.

import type { ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { ObjectPrinter } from './flags/output';
import { parseDuration } from './flags/duration';
import { buildListOptions } from './flags/selectors';

export interface WatchOptions {
  namespace?: string;
  names: string[];
  selector?: string;
  fieldSelector?: string;
  requestTimeout?: string;
  watchOnly?: boolean;
  noHeaders?: boolean;
  output?: string;
  showLabels?: boolean;
  labelColumns?: string[];
  allNamespaces?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function watch(
  ctx: CliContext,
  api: ApiServer,
  types: ResourceType[],
  opts: WatchOptions,
  printer?: ObjectPrinter,
  render?: (objs: KObject[]) => string,
): Promise<void> {
  const { printTable } = await import('../printers/table');
  const timeout = opts.requestTimeout ? parseDuration(opts.requestTimeout) : 0;
  const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
  let rev = await api.currentRev();
  let headerPrinted = !opts.watchOnly || Boolean(opts.noHeaders);
  const filters = new Map(types.map((t) => [t, buildListOptions(t, opts.selector, opts.fieldSelector, opts.namespace)]));
  const prefixFor = (t: ResourceType) => (t.crd ? `${t.group}/${t.plural}/` : `${t.plural}/`);
  let stop = false;
  const onSig = () => (stop = true);
  process.once('SIGINT', onSig);
  try {
    while (!stop && Date.now() < deadline) {
      const changes = await api.changesSince(rev);
      // Another process (a `clock advance` without a daemon) may have moved the cluster's
      // clock: ages are taken from its time now, never from before the change.
      const clock = api.clock as { refresh?: () => Promise<unknown> };
      if (changes.length && clock.refresh) await clock.refresh();
      for (const ch of changes) {
        rev = Math.max(rev, ch.rev);
        const type = types.find((t) => ch.key.startsWith(prefixFor(t)));
        if (!type) continue;
        const o = ch.object;
        const f = filters.get(type)!;
        if (f.namespace && o.metadata.namespace !== f.namespace) continue;
        if (opts.names.length && !opts.names.includes(o.metadata.name!)) continue;
        if (f.labelMatch && !f.labelMatch(o.metadata.labels ?? {})) continue;
        if (f.fieldMatch && !f.fieldMatch(o)) continue;
        let text: string;
        if (render) text = render([o]);
        else if (printer) text = printer([o], false);
        else {
          text = printTable([o], {
            kind: type.kind,
            group: type.group,
            wide: opts.output === 'wide',
            noHeaders: headerPrinted,
            showLabels: opts.showLabels,
            labelColumns: opts.labelColumns,
            allNamespaces: opts.allNamespaces,
            now: api.clock.now(),
          });
          headerPrinted = true;
        }
        ctx.out(text);
      }
      await sleep(100);
    }
  } finally {
    process.removeListener('SIGINT', onSig);
  }
}
